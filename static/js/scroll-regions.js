/*
 * Wide tables scroll sideways inside their own region instead of widening the page (WCAG
 * 1.4.10 reflow). While a region is narrower than its table, a short hint just above it says
 * so, and the region is described by the hint; when the table fits, the hint goes away.
 *
 * The script tag says which elements are regions (data-regions, a CSS selector) and what the
 * hint says (data-hint). Regions the page did not make focusable and name (the admin's lists)
 * get tabindex, role and a name here while they scroll, so a keyboard can reach and scroll them.
 * No libraries; without ResizeObserver the tables still scroll, only without the hint.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.ResizeObserver) { return; }
  var hintText = script.getAttribute("data-hint") || "";
  var selector = script.getAttribute("data-regions") || ".scroll-region";
  var count = 0;

  function nameFor(region) {
    var caption = region.querySelector("caption");
    var heading = document.querySelector("main h1, #content h1, h1");
    var name = (caption && caption.textContent) || (heading && heading.textContent) || hintText;
    return name.replace(/\s+/g, " ").trim();
  }

  function setUp(region) {
    count += 1;
    var hint = document.createElement("p");
    hint.className = "scroll-hint";
    hint.id = "scroll-hint-" + count;
    hint.hidden = true;
    var arrow = document.createElement("span");
    arrow.className = "scroll-hint-arrow";
    arrow.setAttribute("aria-hidden", "true");
    arrow.textContent = "\u2194";
    hint.appendChild(arrow);
    hint.appendChild(document.createTextNode(region.getAttribute("data-scroll-hint") || hintText));
    region.parentNode.insertBefore(hint, region);

    // What this script added, so that it is taken away again when the table fits.
    var added = [];
    function add(name, value) {
      if (!region.hasAttribute(name)) {
        region.setAttribute(name, value);
        added.push(name);
      }
    }

    function update() {
      var overflows = region.scrollWidth > region.clientWidth + 1;
      if (overflows === !hint.hidden) { return; }
      hint.hidden = !overflows;
      if (overflows) {
        region.setAttribute("aria-describedby", hint.id);
        add("tabindex", "0");
        add("role", "region");
        if (!region.hasAttribute("aria-labelledby")) { add("aria-label", nameFor(region)); }
      } else {
        region.removeAttribute("aria-describedby");
        added.forEach(function (name) { region.removeAttribute(name); });
        added = [];
      }
    }

    var observer = new ResizeObserver(update);
    observer.observe(region);
    Array.prototype.forEach.call(region.children, function (child) { observer.observe(child); });
  }

  Array.prototype.forEach.call(document.querySelectorAll(selector), setUp);
})();
