// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary (or a conflict to settle) so keyboard and screen reader
  // users hear it first.
  const summary = document.querySelector("[data-autofocus]");
  if (summary) {
    summary.focus();
    return;
  }
  // Back on the result page after a change: focus returns to the procedure changed, where its
  // message is (the browser has scrolled there by the #procedure-… fragment).
  if (location.hash.startsWith("#procedure-") || location.hash.startsWith("#case-")) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) {
      target.focus();
      return;
    }
  }
  // On a question page, start on the answer given (the chosen option), else the first control.
  if (!document.querySelector(".oky-question")) return;
  const form = document.querySelector(".oky-form");
  if (!form) return;
  const first =
    form.querySelector(".oky-option input:checked") ||
    form.querySelector(".oky-option input, input[type=text]");
  if (first) first.focus();
});
