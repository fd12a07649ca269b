// Filing steps (dossiers): stamp every save of a step with the time the browser sent it, so
// the server can ignore an autosave that arrives after a newer save of the same step (requests
// may be processed out of order). Progressive enhancement: without JavaScript there is no
// autosave and every save is a plain form post.
//
// When an autosave fails (signed out: the server answers 401, see
// portal.middleware.HtmxSignedOutMiddleware; a network error; a rotated CSRF token), the
// status line says so instead of keeping an old "saved at", and what the citizen typed is kept
// in this tab's sessionStorage. Back on the step (after signing in again, or a reload), it is
// put back into the form and saved. A successful autosave drops the copy.
(function () {
  "use strict";
  var last = 0;
  var KEY = "portal.filing.unsaved:" + window.location.pathname;

  function stamp() {
    // Strictly increasing within the page, even for two saves in the same millisecond.
    last = Math.max(Date.now(), last + 1);
    return String(last);
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !el.disabled && el.type !== "file" && el.type !== "hidden" &&
        el.type !== "submit" && el.type !== "button" && el.name !== "csrfmiddlewaretoken";
    });
  }

  function snapshot(form) {
    var values = {};
    fields(form).forEach(function (el) {
      var list = values[el.name] || (values[el.name] = []);
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) list.push(el.value);
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { list.push(o.value); });
      } else {
        list.push(el.value);
      }
    });
    return values;
  }

  function keep(form) {
    try {
      window.sessionStorage.setItem(KEY, JSON.stringify(snapshot(form)));
    } catch (e) { /* storage full or disabled: the form still holds the input */ }
  }

  function drop() {
    try { window.sessionStorage.removeItem(KEY); } catch (e) { /* nothing kept */ }
  }

  // Put kept values back; the fields that changed.
  function restore(form) {
    var kept;
    try { kept = JSON.parse(window.sessionStorage.getItem(KEY) || "null"); } catch (e) { kept = null; }
    if (!kept) return [];
    var changed = [];
    var seen = {};
    fields(form).forEach(function (el) {
      var list = kept[el.name];
      if (!list) return;
      if (el.type === "checkbox" || el.type === "radio") {
        var on = list.indexOf(el.value) !== -1;
        if (el.checked !== on) { el.checked = on; changed.push(el); }
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) {
          var sel = list.indexOf(o.value) !== -1;
          if (o.selected !== sel) { o.selected = sel; if (changed.indexOf(el) === -1) changed.push(el); }
        });
      } else {
        var i = seen[el.name] || 0;
        seen[el.name] = i + 1;
        if (i < list.length && el.value !== list[i]) { el.value = list[i]; changed.push(el); }
      }
    });
    return changed;
  }

  function status() {
    return document.getElementById("autosave-status");
  }

  function say(text, link) {
    var box = status();
    if (!box) return;
    box.textContent = text;
    if (link) {
      box.appendChild(document.createTextNode(" "));
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      box.appendChild(a);
    }
    box.classList.add("autosave-failed");
  }

  function isAutosave(elt) {
    return elt && elt.hasAttribute && elt.hasAttribute("data-autosave");
  }

  document.addEventListener("htmx:configRequest", function (event) {
    if (isAutosave(event.detail.elt)) {
      event.detail.parameters["_stamp"] = stamp();
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!isAutosave(form)) return;
    var box = status();
    if (event.detail.successful) {
      drop();
      if (box) box.classList.remove("autosave-failed");
      return;
    }
    keep(form);
    if (!box) return;
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 401) {
      say(box.dataset.signedOut, { href: box.dataset.loginUrl, text: box.dataset.loginText });
    } else {
      say(box.dataset.failed);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!isAutosave(form)) return;
    var input = form.querySelector('input[name="_stamp"]');
    if (input) input.value = stamp();
    // If this post ends on the login page, the input comes back with the citizen.
    keep(form);
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-autosave]");
    if (!form) return;
    var changed = restore(form);
    if (changed.length) {
      var box = status();
      if (box) box.textContent = box.dataset.restored;
      // Save what came back (autosave), and let dependent fields show or hide.
      changed.forEach(function (el) {
        el.dispatchEvent(new Event("change", { bubbles: true }));
      });
    } else {
      drop();
    }
  });
})();
