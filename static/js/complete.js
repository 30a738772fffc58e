/* The completion page: the "share our dialogue notes" tick box shows or hides the notes in the
   preview at once, and sets what the completion form sends. Without this script the preview
   form's "Update the preview" button reloads the page with the choice applied. */
(function () {
  "use strict";

  function each(selector, callback) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), callback);
  }

  function init() {
    var form = document.querySelector("[data-share-form]");
    var box = form && form.querySelector("input[type=checkbox][name=share_notes]");
    if (!box) {
      return; // a completed assessment: the choice is made
    }
    var field = document.querySelector("[data-share-notes-field]");
    var status = form.querySelector("[data-share-status]");
    var button = form.querySelector("[data-preview-button]");

    function apply(announce) {
      var shared = box.checked;
      each("[data-dialogue-notes], [data-notes-shared]", function (element) {
        element.hidden = !shared;
      });
      each("[data-notes-not-shared]", function (element) {
        element.hidden = shared;
      });
      if (field) {
        field.value = shared ? "on" : "";
      }
      if (announce && status) {
        status.textContent = status.getAttribute(shared ? "data-text-on" : "data-text-off");
      }
    }

    box.addEventListener("change", function () {
      apply(true);
    });
    // The preview follows the box by itself now; the reload button is not needed.
    if (button) {
      button.hidden = true;
    }
    // A browser that restored the box's state (back button) gets a matching page.
    apply(false);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
