// Small behaviours of every page (loaded by base.html).
(function () {
  "use strict";
  // A form that came back with errors (in answer to a POST) opens with its error summary
  // focused (templates/portal/_form_errors.html), so keyboard and screen-reader users start
  // there; its links move to each field.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary-focus]");
    if (summary) summary.focus();
    // The "filed" page: no unsaved filing input is kept any more (static/js/filing.js).
    if (document.querySelector("[data-filing-done]")) forgetFilingInput();
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.focus();
    field.scrollIntoView({ block: "center" });
  });

  // Signing out forgets the filing input this tab kept (a shared computer).
  function forgetFilingInput() {
    try {
      // Collect the keys first: removing one may reorder the rest (key(i) has no set order).
      var store = window.sessionStorage;
      var keys = [];
      for (var i = 0; i < store.length; i++) keys.push(store.key(i));
      keys.forEach(function (key) {
        if (key && key.indexOf("portal.filing.unsaved:") === 0) store.removeItem(key);
      });
    } catch (e) { /* storage disabled: nothing kept */ }
  }
  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("[data-sign-out]")) forgetFilingInput();
  });
})();
