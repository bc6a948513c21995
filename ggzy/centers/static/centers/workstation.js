/* The evaluation workstation's device fingerprint (远程异地评标).
 *
 * What it is, honestly: SHA-256 over a few properties any page can read (user agent, languages, platform, screen,
 * time zone, CPU count) and a random 256-bit secret this script keeps in this browser's localStorage. It is NOT
 * bound to the hardware: clearing the site's storage, another browser profile or a private window gives another
 * fingerprint (the workstation must then be activated again with a new code), and whoever copies the secret and
 * the properties can present the same value. It ties a workstation to one browser profile on the venue's computer,
 * which the venue's staff set up and watch; the activation code ties it to the expert.
 *
 * The value goes in every form marked data-ws-fingerprint (field ws_fingerprint) and in the cookie ggzy_ws (so
 * pages can show which workstation this is); <html data-ws-ready="1"> once done.
 */
(function () {
  "use strict";
  var KEY = "ggzy.workstation.secret";

  function hex(bytes) {
    return Array.prototype.map.call(new Uint8Array(bytes), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function secret() {
    var value = null;
    try { value = window.localStorage.getItem(KEY); } catch (e) { value = null; }
    if (!value || !/^[0-9a-f]{64}$/.test(value)) {
      var bytes = new Uint8Array(32);
      window.crypto.getRandomValues(bytes);
      value = hex(bytes);
      try { window.localStorage.setItem(KEY, value); } catch (e) { /* private mode: a new value each visit */ }
    }
    return value;
  }

  function properties() {
    var n = window.navigator, s = window.screen || {};
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    return [n.userAgent, (n.languages || [n.language]).join(","), n.platform || "", n.hardwareConcurrency || 0,
      s.width || 0, s.height || 0, s.colorDepth || 0, zone].join("|");
  }

  function publish(value) {
    document.querySelectorAll("form[data-ws-fingerprint]").forEach(function (form) {
      var input = form.querySelector("input[name=ws_fingerprint]");
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.name = "ws_fingerprint";
        form.appendChild(input);
      }
      input.value = value;
    });
    document.cookie = "ggzy_ws=" + value + "; path=/; SameSite=Strict" +
      (window.location.protocol === "https:" ? "; Secure" : "");
    document.documentElement.setAttribute("data-ws-ready", "1");
  }

  function start() {
    var note = document.getElementById("ws-unsupported");
    if (!window.crypto || !window.crypto.subtle) {
      if (note) { note.hidden = false; }
      return;
    }
    var text = properties() + "|" + secret();
    window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (digest) {
      publish(hex(digest));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
