// Filing steps (dossiers): stamp every save of a step with this page load's name and a counter,
// so the server can ignore an autosave that arrives after a newer save of the same page (requests
// may be processed out of order); saves of other pages or devices are never taken for older. Progressive enhancement: without JavaScript there is no
// autosave and every save is a plain form post.
//
// When an autosave fails (signed out: the server answers 401, see
// portal.middleware.HtmxSignedOutMiddleware; a network error; a rotated CSRF token), the
// status line says so instead of keeping an old "saved at", and what the citizen typed is kept
// in this tab's sessionStorage with the fingerprint of what the server held when it was typed
// (data-saved-version, then each save's X-Saved-Version). Back on the step (after signing in
// again, or a reload) it is put back and saved, but only if the server still holds that: a
// save made since in another tab or on another device wins. A successful save drops the copy;
// so do the "filed" page and signing out (static/js/portal.js).
(function () {
  "use strict";
  var PREFIX = "portal.filing.unsaved:";
  var KEY = PREFIX + window.location.pathname;
  // Saves are ordered within this page load only: a random name for the page and a counter
  // (the server never compares two devices' clocks).
  var page = Math.random().toString(36).slice(2, 12) || "p";
  var last = 0;
  var base = null; // what the server holds for this step (a fingerprint)

  function stamp() {
    last += 1;
    return page + "." + last;
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
      window.sessionStorage.setItem(KEY, JSON.stringify({ base: base, values: snapshot(form) }));
    } catch (e) { /* storage full or disabled: the form still holds the input */ }
  }

  function drop() {
    try { window.sessionStorage.removeItem(KEY); } catch (e) { /* nothing kept */ }
  }

  function kept() {
    try { return JSON.parse(window.sessionStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }

  // Put the kept values back; the fields that changed.
  function restore(form, values) {
    var changed = [];
    var seen = {};
    fields(form).forEach(function (el) {
      var list = values[el.name];
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

  // The visible status line is not a live region: saved every pause in typing, it would talk
  // over the citizen. A screen reader hears, through #autosave-announce, the first save of the
  // page, a failure, the first save after one, and a restore.
  var quiet = false; // a save was announced and none has failed since

  function announce(text) {
    var live = document.getElementById("autosave-announce");
    if (live) live.textContent = text;
  }

  function say(text, link) {
    var box = status();
    if (!box) return;
    box.textContent = text;
    announce(link ? text + " " + link.text : text);
    quiet = false;
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
      // The version of the step this page last saw: the server refuses (412) to save over a
      // newer save made since in another tab or on another device.
      event.detail.parameters["_base"] = base || "";
    }
  });

  // A save that answered 2xx. (A request cancelled by a newer one, hx-sync="this:replace", is
  // neither a success nor a failure: nothing to say.)
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!isAutosave(event.detail.elt) || !event.detail.successful) return;
    base = event.detail.xhr.getResponseHeader("X-Saved-Version") || base;
    drop();
    var box = status();
    if (!box) return;
    box.classList.remove("autosave-failed");
    if (!quiet) announce(box.textContent.trim());
    quiet = true;
  });

  function failed(form, code) {
    keep(form);
    var box = status();
    if (!box) return;
    if (code === 401) {
      say(box.dataset.signedOut, { href: box.dataset.loginUrl, text: box.dataset.loginText });
    } else if (code === 409) {
      drop(); // filed already: nothing left to save here
      say(box.dataset.filed, { href: window.location.href, text: box.dataset.reloadText });
    } else if (code === 412) {
      say(box.dataset.conflict, { href: window.location.href, text: box.dataset.reloadText });
    } else {
      say(box.dataset.failed);
    }
  }

  document.addEventListener("htmx:responseError", function (event) {
    if (isAutosave(event.detail.elt)) failed(event.detail.elt, event.detail.xhr.status);
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (isAutosave(event.detail.elt)) failed(event.detail.elt, 0);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!isAutosave(form)) return;
    var input = form.querySelector('input[name="_stamp"]');
    if (input) input.value = stamp();
    // If this post ends on the login page, the input comes back with the citizen; if it is
    // saved, the server's fingerprint changes and the copy is dropped on the next visit.
    keep(form);
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-autosave]");
    if (!form) return;
    base = form.dataset.savedVersion || null;
    var copy = kept();
    var changed = copy && copy.base === base ? restore(form, copy.values || {}) : [];
    if (!changed.length) {
      drop();
      return;
    }
    var box = status();
    if (box) {
      box.textContent = box.dataset.restored;
      announce(box.dataset.restored);
    }
    // Save what came back (autosave), and let dependent fields show or hide.
    changed.forEach(function (el) {
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });
})();
