// Small page behaviours that would otherwise be inline handlers (the Content-Security-Policy forbids those).
// <select data-autosubmit> submits its form when the choice changes.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLElement && field.matches("[data-autosubmit]") && field.form) {
    field.form.requestSubmit();
  }
});

// The menu button (narrow screens): without JavaScript the button stays hidden and the menu is a plain list.
document.addEventListener("DOMContentLoaded", () => {
  const header = document.querySelector(".site-header");
  const button = header && header.querySelector(".nav-toggle");
  if (!header || !button) return;
  header.classList.add("nav-collapsible");
  button.hidden = false;
  button.addEventListener("click", () => {
    const open = header.classList.toggle("nav-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
});
