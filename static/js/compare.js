/*
 * The comparison page: (1) every table scrolls inside its own region, and the short "scroll
 * sideways" hint before it shows only while the table is wider than the region; (2) a
 * department's units open in place: its link ("Show its 50 units", which without JavaScript
 * leads to the department's own comparison) becomes a button that fetches the units' rows
 * once and shows or hides them under the department's row. Texts come translated from the
 * page (data-* attributes). No libraries, no inline styles.
 */
(function () {
  "use strict";

  // --- scroll hints ------------------------------------------------------------------------
  function hintFor(region) {
    var before = region.previousElementSibling;
    return before && before.classList.contains("scroll-hint") ? before : null;
  }

  function updateHint(region) {
    var hint = hintFor(region);
    var wide = region.scrollWidth > region.clientWidth + 1;
    region.classList.toggle("is-scrollable", wide);
    if (hint) { hint.hidden = !wide; }
  }

  var regions = Array.prototype.slice.call(document.querySelectorAll(".table-scroll"));
  function updateAll() { regions.forEach(updateHint); }
  if (window.ResizeObserver) {
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) {
        var region = entry.target.closest(".table-scroll");
        if (region) { updateHint(region); }
      });
    });
    regions.forEach(function (region) {
      observer.observe(region);
      var table = region.querySelector("table");
      if (table) { observer.observe(table); }
    });
  } else {
    window.addEventListener("resize", updateAll);
  }
  // Tables inside closed <details> have no size until opened.
  document.addEventListener("toggle", updateAll, true);
  updateAll();

  // --- departments opened in place -----------------------------------------------------------
  var map = document.getElementById("heat-map");
  if (!map || !window.fetch || !window.HTMLTemplateElement) { return; }
  var status = document.getElementById("heat-status");
  var hideLabel = map.getAttribute("data-hide-label");
  var shownLabel = map.getAttribute("data-shown-label");

  Array.prototype.slice.call(map.querySelectorAll("a.unit-toggle")).forEach(function (link) {
    var group = document.getElementById(link.getAttribute("data-group"));
    if (!group) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "unit-toggle";
    button.textContent = link.textContent;
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", group.id);
    var showLabel = link.textContent;
    var rows = null;
    link.replaceWith(button);

    function setOpen(open) {
      rows.forEach(function (row) { row.hidden = !open; });
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.textContent = open ? hideLabel : showLabel;
      if (status && open) { status.textContent = shownLabel; }
    }

    button.addEventListener("click", function () {
      if (rows) {
        setOpen(button.getAttribute("aria-expanded") !== "true");
        return;
      }
      button.disabled = true;
      fetch(link.getAttribute("data-rows"), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (text) {
          var template = document.createElement("template");
          template.innerHTML = "<table><tbody>" + text + "</tbody></table>";
          rows = Array.prototype.slice.call(template.content.querySelectorAll("tr"));
          rows.forEach(function (row) {
            row.classList.add("unit-row");
            group.appendChild(row);
          });
          button.disabled = false;
          setOpen(true);
        })
        .catch(function () {
          // Whatever failed, the department's own comparison shows the same units.
          window.location.assign(link.href);
        });
    });
  });
})();
