/*
 * Follows a batch of unit reports: polls its JSON status and updates the progress bar, the
 * status line (an aria-live region, so screen readers hear it), the failures and the download
 * link. Stops polling once the batch is finished. No libraries.
 */
(function () {
  "use strict";
  var root = document.getElementById("batch");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-status-url");
  var bar = document.getElementById("batch-bar");
  var label = document.getElementById("batch-label");
  var count = document.getElementById("batch-count");
  var download = document.getElementById("batch-download");
  var error = document.getElementById("batch-error");
  var errorText = document.getElementById("batch-error-text");
  var failures = document.getElementById("batch-failures");
  var failureList = document.getElementById("batch-failure-list");
  var lastAnnounced = "";
  var delay = 1500;

  function render(data) {
    bar.style.width = data.percent + "%";
    bar.textContent = data.percent + " %";
    bar.setAttribute("aria-valuemax", String(data.total));
    bar.setAttribute("aria-valuenow", String(data.done));
    // Announce the state and every tenth of the way, not every unit: a calm live region.
    var step = data.total ? Math.floor((10 * data.done) / data.total) : 0;
    var announce = data.label + " " + step;
    if (announce !== lastAnnounced || data.finished) {
      lastAnnounced = announce;
      label.textContent = data.label;
      count.textContent = data.done + " / " + data.total;
    }
    if (data.failures.length) {
      failures.hidden = false;
      failureList.textContent = "";
      data.failures.forEach(function (failure) {
        var item = document.createElement("li");
        item.textContent = failure.unit + " (" + failure.code + "): " + failure.message;
        failureList.appendChild(item);
      });
    }
    if (data.download_url) {
      download.hidden = false;
      download.querySelector("a").setAttribute("href", data.download_url);
    }
    if (data.error) {
      error.hidden = false;
      errorText.textContent = data.error;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        render(data);
        if (!data.finished) { window.setTimeout(poll, delay); }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000); // back off, keep trying
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, 500);
})();
