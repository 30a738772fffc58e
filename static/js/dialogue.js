/* The manager's dialogue pages: a live count of answers (polled, no websockets) and the running
   sum of a balance form. Everything works without this script; it only saves a reload. */
(function () {
  "use strict";

  var POLL_MS = 5000;

  function text(template, n) {
    return template.replace("__N__", String(n));
  }

  function startPolling(box) {
    var url = box.getAttribute("data-status-url");
    var number = box.querySelector("[data-answered]");
    var answeredText = box.querySelector("[data-answered-text]");
    var finishedText = box.querySelector("[data-finished-text]");
    var last = { answered: Number(number.textContent), finished: null };
    var timer = null;

    function render(data) {
      if (data.answered === last.answered && data.finished === last.finished) {
        return; // unchanged: do not make screen readers announce the same thing again
      }
      last = { answered: data.answered, finished: data.finished };
      number.textContent = String(data.answered);
      if (data.answered === 0) {
        answeredText.textContent = box.getAttribute("data-text-zero");
      } else if (data.answered === 1) {
        answeredText.textContent = box.getAttribute("data-text-one");
      } else {
        answeredText.textContent = text(box.getAttribute("data-text-many"), data.answered);
      }
      finishedText.textContent = data.finished
        ? text(box.getAttribute("data-text-finished"), data.finished)
        : "";
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
          if (data) {
            render(data);
          }
        })
        .catch(function () {
          /* the network comes back: try again at the next tick */
        })
        .then(schedule);
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
  }

  function balanceSum(form) {
    var inputs = form.querySelectorAll("input.points");
    var output = form.querySelector("[data-balance-sum]");
    if (!output || inputs.length === 0) {
      return;
    }
    function update() {
      var sum = 0;
      var started = false;
      inputs.forEach(function (input) {
        var value = parseInt(input.value, 10);
        sum += isNaN(value) ? 0 : value;
        started = started || input.value !== "";
      });
      output.textContent = text(output.getAttribute("data-text"), sum);
      output.classList.toggle("is-off", started && sum !== 100);
      output.hidden = false;
    }
    inputs.forEach(function (input) {
      input.addEventListener("input", update);
    });
    update();
  }

  document.querySelectorAll("[data-status-url]").forEach(startPolling);
  document.querySelectorAll(".balance-form").forEach(balanceSum);
})();
