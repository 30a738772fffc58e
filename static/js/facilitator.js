/* The facilitator's view: every agreement field saves on its own as it is typed (after a
   pause) or left, and says "saved", the error or the conflict beside itself. Leaving the page
   with anything not yet saved asks first. Without this script the page still works: each
   item's button saves every changed field of the page (see views/manager/dialogue.py). */
(function () {
  "use strict";

  var form = document.getElementById("agreements");
  if (!form) {
    return;
  }
  var saveUrl = form.getAttribute("data-save-url");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var PAUSE_MS = 900;
  var pending = {}; // field name -> true while not saved (typed, saving or failed)
  var inFlight = {}; // field name -> true while a save is on its way; "again" if typed since
  // Fields someone else changed meanwhile: never saved automatically again, so that replacing
  // their text is a choice (the item's button), not a side effect of typing on.
  var conflicted = {};

  function inputs(box) {
    var name = box.getAttribute("data-name");
    return Array.prototype.slice.call(
      document.querySelectorAll("[form=agreements][name^='" + name + "']")
    ).filter(function (el) {
      return el.type !== "hidden";
    });
  }

  function baseInput(box) {
    return document.querySelector("[data-base-for='" + box.getAttribute("data-name") + "']");
  }

  function status(box) {
    return document.getElementById(box.getAttribute("data-name") + "-status");
  }

  function current(box) {
    var kind = box.getAttribute("data-autosave");
    var fields = inputs(box);
    if (kind === "radio") {
      var checked = fields.filter(function (el) { return el.checked; })[0];
      return { value: checked ? checked.value : "" };
    }
    if (kind === "balance") {
      var parts = {};
      fields.forEach(function (el) { parts[el.getAttribute("data-point")] = el.value.trim(); });
      return parts;
    }
    return { value: fields[0].value };
  }

  function asBase(box, values) {
    // The same text the server keeps as the field's base, to tell whether anything changed.
    var kind = box.getAttribute("data-autosave");
    if (kind === "balance") {
      var parts = [values.market, values.hierarchy, values.trust];
      return parts.every(function (p) { return p === ""; }) ? "" : parts.join(",");
    }
    return kind === "text" ? values.value.trim() : values.value;
  }

  function show(box, text, problem) {
    var out = status(box);
    out.textContent = text;
    out.classList.toggle("is-problem", !!problem);
    inputs(box).forEach(function (el) {
      if (problem) {
        el.setAttribute("aria-invalid", "true");
      } else {
        el.removeAttribute("aria-invalid");
      }
    });
  }

  function save(box) {
    var name = box.getAttribute("data-name");
    if (conflicted[name]) {
      pending[name] = true;
      return;
    }
    if (inFlight[name]) {
      inFlight[name] = "again"; // one save at a time per field, the newest text last
      return;
    }
    var values = current(box);
    var base = baseInput(box).value;
    if (asBase(box, values) === base) {
      delete pending[name];
      return;
    }
    var kind = box.getAttribute("data-autosave");
    if (kind === "balance" && Object.keys(values).some(function (k) { return values[k] === ""; })
        && asBase(box, values) !== "") {
      show(box, form.getAttribute("data-unsaved"), false); // wait for all three numbers
      return;
    }
    var body = new URLSearchParams();
    body.append("item", box.getAttribute("data-item"));
    body.append("field", box.getAttribute("data-field"));
    body.append("base", base);
    Object.keys(values).forEach(function (key) { body.append(key, values[key]); });
    show(box, form.getAttribute("data-saving"), false);
    inFlight[name] = true;
    function done() {
      var again = inFlight[name] === "again";
      delete inFlight[name];
      if (again) {
        save(box);
      }
    }
    fetch(saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      body: body,
    })
      .then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (result) {
        var data = result.data;
        if (data.ok) {
          baseInput(box).value = data.base;
          // Typed on while saving? Then it is still not saved.
          if (asBase(box, current(box)) === data.base) {
            delete pending[name];
          }
          show(box, data.saved, false);
          return;
        }
        if (data.conflict) {
          // Saving again is now a choice: it replaces what the other facilitator wrote.
          baseInput(box).value = data.current;
          conflicted[name] = true;
        }
        pending[name] = true;
        show(box, data.error, true);
      })
      .catch(function () {
        pending[name] = true;
        show(box, form.getAttribute("data-failed"), true);
      })
      .then(done);
  }

  document.querySelectorAll("[data-autosave]").forEach(function (box) {
    var timer = null;
    var name = box.getAttribute("data-name");
    function later() {
      pending[name] = true;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { save(box); }, PAUSE_MS);
    }
    function now() {
      window.clearTimeout(timer);
      save(box);
    }
    inputs(box).forEach(function (el) {
      if (el.type === "radio") {
        el.addEventListener("change", now);
      } else {
        el.addEventListener("input", later);
        el.addEventListener("change", now);
        el.addEventListener("blur", now);
      }
    });
  });

  // A submit with the item's button saves everything through the page: nothing is pending.
  form.addEventListener("submit", function () {
    pending = {};
  });

  window.addEventListener("beforeunload", function (event) {
    if (Object.keys(pending).length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
