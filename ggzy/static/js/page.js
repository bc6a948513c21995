// Small page behaviours that would otherwise be inline handlers (the Content-Security-Policy forbids those).
// <select data-autosubmit> submits its form when the choice changes.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLElement && field.matches("[data-autosubmit]") && field.form) {
    field.form.requestSubmit();
  }
});
