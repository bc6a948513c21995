// The bid form's upload progress (htmx:xhr:progress → <progress>) and its one-send button: the button is disabled
// from the moment the request starts (hx-disabled-elt does the same; this also covers older htmx) and enabled
// again only when the request failed. The server refuses a second send of the same form anyway (one-time token).
(function () {
  "use strict";
  function formOf(event) {
    var target = event.target;
    return target && target.closest ? target.closest("form[data-upload-progress]") : null;
  }
  function parts(form) {
    return {
      box: form.querySelector("[data-upload-box]"),
      bar: form.querySelector("[data-upload-bar]"),
      status: form.querySelector("[data-upload-status]"),
      buttons: form.querySelectorAll("button[type=submit]")
    };
  }
  function setButtons(p, disabled) {
    for (var i = 0; i < p.buttons.length; i++) { p.buttons[i].disabled = disabled; }
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = formOf(event);
    if (!form) { return; }
    var p = parts(form);
    setButtons(p, true);
    if (p.box) { p.box.hidden = false; }
    if (p.bar) { p.bar.value = 0; }
    if (p.status) { p.status.textContent = p.status.dataset.sending + "0%"; }
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = formOf(event);
    if (!form || !event.detail || !event.detail.lengthComputable) { return; }
    var p = parts(form);
    var percent = Math.min(100, Math.round(event.detail.loaded * 100 / Math.max(1, event.detail.total)));
    if (p.bar) { p.bar.value = percent; }
    if (p.status) {
      p.status.textContent = percent >= 100 ? p.status.dataset.done : p.status.dataset.sending + percent + "%";
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = formOf(event);
    if (!form || (event.detail && event.detail.successful)) { return; }
    var p = parts(form);
    setButtons(p, false);
    if (p.status) { p.status.textContent = p.status.dataset.failed; }
  });
})();
