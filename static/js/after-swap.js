// After an htmx swap: where keyboard focus goes and what a screen reader is told (WCAG 2.4.3,
// 4.1.3). Driven by data- attributes, for every page that loads htmx (templates/base.html):
//
// - A "Xem thêm" (more) or page link marked data-more: its request appends rows (the link's
//   own row is replaced) or replaces a page of results, so the focused link disappears. After
//   the swap, focus moves to the first link of the first new item (or to the item itself, made
//   focusable with tabindex="-1") and the status region below reads data-more-status, where
//   {n} is the number of new items. data-more-items is the CSS selector of the list's items;
//   data-more-end is added to the message when no data-more link is left (the list is complete).
// - Swapped-in content carrying data-announce (on itself or inside): its value (or, when empty,
//   the element's text) is read out, e.g. the number of results after filtering, or a payment's
//   new status.
// - When focus was inside content that a swap replaced and is lost (on <body>), it goes to the
//   new content's [data-swap-focus] element. (htmx itself restores focus to an element with the
//   same id.)
//
// The status region is created once, outside anything that is swapped, so it stays in the page
// and screen readers announce its changes. Without JavaScript the links are plain page links.
(function () {
  "use strict";
  var region = null;
  var timer = null;
  var pending = null; // the data-more request being swapped: its link and the items before it
  var focusWasIn = null; // the target of the swap that had focus before it

  function statusRegion() {
    if (region && region.isConnected) return region;
    // After htmx restores a page from its history cache, the region is a copy in the new body.
    region = document.getElementById("swap-status");
    if (!region) {
      region = document.createElement("div");
      region.id = "swap-status";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      region.setAttribute("aria-atomic", "true");
      (document.getElementById("main") || document.body).appendChild(region);
    }
    return region;
  }

  function announce(text) {
    text = (text || "").replace(/\s+/g, " ").trim();
    if (!text) return;
    var status = statusRegion();
    // Emptied first and filled a moment later: the same words twice in a row are read again.
    status.textContent = "";
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { status.textContent = text; }, 100);
  }

  function focusLost() {
    var active = document.activeElement;
    return !active || active === document.body || !active.isConnected;
  }

  function focusInto(item) {
    var target = item.querySelector("a[href], button:not([disabled]), input:not([disabled])," +
      " select:not([disabled]), textarea:not([disabled]), [tabindex]");
    if (!target) {
      item.setAttribute("tabindex", "-1");
      target = item;
    }
    target.focus();
  }

  function requestElt(detail) {
    return detail.requestConfig ? detail.requestConfig.elt : null;
  }

  function moreDone(more) {
    var link = more.link;
    var items = document.querySelectorAll(link.getAttribute("data-more-items"));
    var fresh = Array.prototype.filter.call(items, function (item) {
      return more.before.indexOf(item) === -1;
    });
    if (fresh.length && (focusLost() || link.contains(document.activeElement))) {
      focusInto(fresh[0]);
    }
    var text = (link.getAttribute("data-more-status") || "").replace(/\{n\}/g, fresh.length);
    if (link.hasAttribute("data-more-end") && !document.querySelector("[data-more]")) {
      text += " " + link.getAttribute("data-more-end");
    }
    announce(text);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var link = requestElt(detail);
    var active = document.activeElement;
    focusWasIn = detail.target && active && active !== document.body &&
      detail.target.contains(active) ? detail.target : null;
    if (link && link.hasAttribute && link.hasAttribute("data-more")) {
      var selector = link.getAttribute("data-more-items");
      pending = {
        link: link,
        before: selector ? Array.prototype.slice.call(document.querySelectorAll(selector)) : []
      };
    }
  });

  // Fired once for each new top-level element of a swap, all with the same detail.
  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail;
    var elt = detail.elt;
    if (pending && requestElt(detail) === pending.link) {
      var more = pending;
      pending = null;
      focusWasIn = null;
      moreDone(more);
      return;
    }
    if (!elt || !elt.querySelector) return;
    if (focusWasIn && focusLost()) {
      var target = elt.matches("[data-swap-focus]") ? elt : elt.querySelector("[data-swap-focus]");
      if (target) {
        focusWasIn = null;
        target.focus();
      }
    }
    var source = elt.matches("[data-announce]") ? elt : elt.querySelector("[data-announce]");
    if (source) announce(source.getAttribute("data-announce") || source.textContent);
  });

  // The region exists before anything is announced in it (screen readers watch regions that
  // were already in the page).
  if (document.querySelector("[data-more], [data-announce]")) statusRegion();
})();
