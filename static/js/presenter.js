/* The presenter view: the arrow keys (and PageUp/PageDown, which presentation clickers send)
   move between the agenda's items, and what the group agrees appears as the facilitator
   records it (polled, no websockets). Without this script the links and a reload do the same. */
(function () {
  "use strict";

  var POLL_MS = 4000;
  var root = document.querySelector("[data-presenter]");
  if (!root) {
    return;
  }

  // --- moving between items -----------------------------------------------------------------

  var KEYS = { ArrowRight: "next", PageDown: "next", ArrowLeft: "prev", PageUp: "prev" };

  function typing(element) {
    return (
      element &&
      (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName))
    );
  }

  document.addEventListener("keydown", function (event) {
    var direction = KEYS[event.key];
    if (!direction || event.defaultPrevented || event.altKey || event.ctrlKey ||
        event.metaKey || event.shiftKey || typing(event.target)) {
      return;
    }
    var link = document.querySelector('[data-go="' + direction + '"]');
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });

  // --- the agreement, as it is recorded -------------------------------------------------------

  var url = root.getAttribute("data-status-url");
  if (!url) {
    return; // completed: nothing changes any more
  }
  var release = root.getAttribute("data-release");
  var version = root.getAttribute("data-version");
  var timer = null;

  function shown(value) {
    return value === null || value === undefined || value === "" ? "–" : String(value);
  }

  function render(data) {
    var released = data.release === null || data.release === undefined ? "" : String(data.release);
    if (released !== release) {
      window.location.reload(); // results shown, updated or hidden: figures and order change
      return false;
    }
    if (data.version === version) {
      return true; // unchanged: screen readers are not told the same thing again
    }
    version = data.version;
    root.querySelectorAll("[data-agreed-group]").forEach(function (group) {
      var values = data.agreed[group.getAttribute("data-agreed-group")] || null;
      group.querySelector("[data-agreed-absent]").hidden = values !== null;
      group.querySelector("[data-agreed-present]").hidden = values === null;
      group.querySelectorAll("[data-agreed-field]").forEach(function (field) {
        field.textContent = shown(values && values[field.getAttribute("data-agreed-field")]);
      });
    });
    return true;
  }

  function poll() {
    timer = null;
    if (document.hidden) {
      return; // resumed by visibilitychange
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        return data ? render(data) : true;
      })
      .catch(function () {
        return true; /* the network comes back: try again at the next tick */
      })
      .then(function (goOn) {
        if (goOn) {
          schedule();
        }
      });
  }

  function schedule() {
    if (timer === null && !document.hidden) {
      timer = window.setTimeout(poll, POLL_MS);
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      schedule();
    }
  });
  schedule();
})();
