// countdown.js: the walkthrough's live countdown to the access token's expiry. Every element
// with data-seconds-left counts down from what the server measured when it made the page, so
// the browser's own clock does not matter. Without JavaScript, the page still says when.
(function () {
  "use strict";
  var started = Date.now();
  var clocks = document.querySelectorAll("[data-seconds-left]");
  if (clocks.length === 0) {
    return;
  }
  function plural(n) {
    return n === 1 ? "1 second" : n + " seconds";
  }
  function tick() {
    var elapsed = Math.floor((Date.now() - started) / 1000);
    clocks.forEach(function (el) {
      var left = Number(el.getAttribute("data-seconds-left")) - elapsed;
      if (left > 0) {
        el.textContent = plural(left) + " left";
      } else {
        el.textContent = left === 0 ? "expired just now" : "expired " + plural(-left) + " ago";
        el.classList.add("expired");
      }
    });
  }
  tick();
  window.setInterval(tick, 1000);
})();
