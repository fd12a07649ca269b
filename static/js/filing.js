// Filing steps (dossiers): stamp every save of a step with the time the browser sent it, so
// the server can ignore an autosave that arrives after a newer save of the same step (requests
// may be processed out of order). Progressive enhancement: without JavaScript there is no
// autosave and every save is a plain form post.
(function () {
  "use strict";
  var last = 0;
  function stamp() {
    // Strictly increasing within the page, even for two saves in the same millisecond.
    last = Math.max(Date.now(), last + 1);
    return String(last);
  }
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt && event.detail.elt.hasAttribute("data-autosave")) {
      event.detail.parameters["_stamp"] = stamp();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-autosave")) return;
    var input = form.querySelector('input[name="_stamp"]');
    if (input) input.value = stamp();
  });
})();
