// Self-service terminal: back home after <body data-idle-seconds> without a touch, a click or a key.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-idle-seconds"), 10);
  var home = body.getAttribute("data-home");
  if (!(seconds > 0) || !home) { return; }
  var timer = null;
  function goHome() {
    if (window.location.pathname === home && !window.location.search) {
      window.scrollTo(0, 0);
      arm();
      return;
    }
    window.location.assign(home);
  }
  function arm() {
    if (timer !== null) { window.clearTimeout(timer); }
    timer = window.setTimeout(goHome, seconds * 1000);
  }
  ["pointerdown", "touchstart", "keydown", "wheel", "scroll"].forEach(function (name) {
    window.addEventListener(name, arm, { passive: true });
  });
  // no long-press menus or text selection on a public terminal
  window.addEventListener("contextmenu", function (event) { event.preventDefault(); });
  arm();
})();
