// Show/hide schema fields that have a "show_if" condition (progressive enhancement: without
// JavaScript every field is shown with a hint, and the server ignores the hidden ones).
(function () {
  "use strict";
  function currentValues(form, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    var values = [];
    inputs.forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      values.push(el.value);
    });
    return values;
  }
  function update(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (el) {
      var rule = JSON.parse(el.getAttribute("data-show-if"));
      var shown = currentValues(form, rule.field).some(function (v) {
        return rule.values.indexOf(v) !== -1;
      });
      var box = el.closest("fieldset.schema-address") || el.closest(".field");
      if (box) box.hidden = !shown;
      // Required once shown (its label carries the "*"): tell assistive technology so while it
      // is shown. aria-required only, no "required": the server checks it (the forms are novalidate).
      if (rule.required) {
        if (shown) el.setAttribute("aria-required", "true");
        else el.removeAttribute("aria-required");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.schema-form").forEach(function (form) {
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  });
})();
