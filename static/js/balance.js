/* Steering balance: show the running sum of each balance while the participant types.
   The server checks the sum again and is the authority; this only helps. No dependencies. */
(function () {
  "use strict";

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, name) {
      return String(values[name]);
    });
  }

  function update(kind) {
    var output = document.querySelector('[data-balance-sum="' + kind + '"]');
    if (!output) {
      return;
    }
    var total = 0;
    document.querySelectorAll('input[data-balance="' + kind + '"]').forEach(function (input) {
      var value = parseInt(input.value, 10);
      if (!isNaN(value)) {
        total += value;
      }
    });
    var text;
    if (total === 100) {
      text = output.dataset.textDone;
    } else if (total > 100) {
      text = format(output.dataset.textOver, { sum: total, n: total - 100 });
    } else {
      text = format(output.dataset.textLeft, { sum: total, n: 100 - total });
    }
    if (output.textContent !== text) {
      output.textContent = text;
    }
    output.classList.toggle("is-done", total === 100);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var kinds = {};
    document.querySelectorAll("input[data-balance]").forEach(function (input) {
      kinds[input.dataset.balance] = true;
      input.addEventListener("input", function () {
        update(input.dataset.balance);
      });
    });
    Object.keys(kinds).forEach(update);
  });
})();
