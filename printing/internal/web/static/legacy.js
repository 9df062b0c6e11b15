// The implicit flow exhibit (RFC 6749 §4.2), PrintShop's /legacy page. This is the script a
// 2012 browser app ran: it reads the access token from the URL fragment, which the server never
// sees. It writes only with textContent, never as HTML: the fragment comes from the address
// bar, and anyone can put anything there.
(function () {
  "use strict";

  var result = document.getElementById("legacy-result");
  if (!result) {
    return;
  }
  var nojs = document.getElementById("legacy-nojs");
  if (nojs) {
    nojs.hidden = true;
  }

  // Remember the state of the request this tab sends, to check the answer against it. Real
  // implicit apps did the same; it was their only defence against a planted token.
  var link = document.getElementById("try-implicit");
  if (link) {
    link.addEventListener("click", function () {
      try {
        sessionStorage.setItem("legacy_state", new URL(link.href).searchParams.get("state") || "");
      } catch (e) {
        // Storage may be off; the exhibit still works, without the state check.
      }
    });
  }

  var fragment = location.hash.replace(/^#/, "");
  if (fragment === "") {
    return;
  }
  // RFC 6749 Appendix B: the fragment is form-encoded, like a query.
  var answer = new URLSearchParams(fragment);
  result.hidden = false;

  var fields = document.getElementById("legacy-fields");
  function show(name, value) {
    var dt = document.createElement("dt");
    dt.textContent = name;
    var dd = document.createElement("dd");
    var code = document.createElement("code");
    code.textContent = value;
    dd.appendChild(code);
    fields.appendChild(dt);
    fields.appendChild(dd);
  }
  var names = answer.has("error")
    ? ["error", "error_description", "state", "iss"]
    : ["access_token", "token_type", "expires_in", "scope", "state", "iss"];
  names.forEach(function (name) {
    show(name, answer.has(name) ? answer.get(name) : "(absent)");
  });
  if (!answer.has("error")) {
    show("refresh_token", answer.has("refresh_token")
      ? answer.get("refresh_token") + "  (a refresh token here would break RFC 6749 §4.2.2)"
      : "(none: RFC 6749 §4.2.2 says the server MUST NOT issue one)");
  }

  // The checks an implicit app could make: state (is this the answer to my request?) and iss
  // (RFC 9207: from the server I asked?). Nothing can check that the token was meant for it.
  var checks = [];
  var sent = null;
  try {
    sent = sessionStorage.getItem("legacy_state");
    sessionStorage.removeItem("legacy_state");
  } catch (e) {
    sent = null;
  }
  if (sent === null) {
    checks.push("This tab sent no state, so it cannot tell whether it asked for this answer.");
  } else if (sent === answer.get("state")) {
    checks.push("state matches the request this tab sent.");
  } else {
    checks.push("state does NOT match the request this tab sent: a real app must throw this token away.");
  }
  if (answer.get("iss") === result.dataset.issuer) {
    checks.push("iss is " + result.dataset.issuer + ", the server PrintShop expects (RFC 9207).");
  } else {
    checks.push("iss is not " + result.dataset.issuer + ": this answer is not from the expected server.");
  }
  document.getElementById("legacy-checks").textContent = checks.join(" ");

  // An access token from Accounts is a JWT; its middle part is readable by anyone who has it.
  var token = answer.get("access_token");
  if (token && token.split(".").length === 3) {
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      var bytes = Uint8Array.from(atob(part), function (c) { return c.charCodeAt(0); });
      var claims = JSON.parse(new TextDecoder().decode(bytes));
      document.getElementById("legacy-claims").textContent = JSON.stringify(claims, null, 2);
      document.getElementById("legacy-claims-box").hidden = false;
    } catch (e) {
      // Not a JWT after all; the fields above still show what came.
    }
  }

  // Real apps wiped the fragment from the address bar at once, with history.replaceState, to
  // shorten the time it could be seen, copied or bookmarked. Here it stays a few seconds so you
  // can look. It does not undo what already happened: the visit, fragment and all, may already be
  // in the browser's history, and every script on the page has had its chance to read it.
  var timer = document.getElementById("legacy-timer");
  var wait = 5;
  function tick() {
    if (wait > 0) {
      timer.textContent = "The token is in your address bar. This page removes it in " + wait + " s, as real apps did (at once).";
      wait -= 1;
      setTimeout(tick, 1000);
      return;
    }
    var stayed = Math.round(performance.now());
    history.replaceState(null, "", location.pathname + location.search);
    timer.textContent = "Removed with history.replaceState. The token stayed in the address bar for " +
      stayed + " ms after the page started loading. Apps that did this at once could still leave it " +
      "in the browser's history, and in reach of every script that ran before: it limits a leak, it " +
      "does not stop one. The token itself still works until it expires or you revoke it at Accounts.";
  }
  tick();
})();
