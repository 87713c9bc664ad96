// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so keyboard and screen reader users hear it first.
  const summary = document.querySelector("[data-autofocus]");
  if (summary) {
    summary.focus();
    return;
  }
  // On a question page, start on the first answer control (keyboard-only interviews).
  const first = document.querySelector(".oky-form .oky-option input:checked, .oky-form .oky-option input, .oky-form input[type=text], .oky-form input[type=date]");
  if (first && document.querySelector(".oky-question")) first.focus();
});
