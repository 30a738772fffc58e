/*
 * Follows a stored report while it is rendered in the background: polls the status page's
 * JSON, moves the steps on, and once the PDF is ready shows the download button and starts
 * the download. Stops polling when the report is ready or has failed. No libraries.
 */
(function () {
  "use strict";
  var root = document.getElementById("report-status");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-status-url");
  var waiting = document.getElementById("report-waiting");
  var ready = document.getElementById("report-ready");
  var failed = document.getElementById("report-failed");
  var ahead = document.getElementById("report-ahead");
  var rendering = document.getElementById("step-rendering");
  var delay = 1000;

  function show(data) {
    if (data.state === "rendering") { rendering.className = "current"; }
    if (ahead) { ahead.hidden = !data.ahead; }
    if (data.ready) {
      waiting.hidden = true;
      ready.hidden = false;
      var link = document.getElementById("report-download");
      link.setAttribute("href", data.download_url);
      link.focus();
      window.location.assign(data.download_url);
    } else if (data.failed) {
      waiting.hidden = true;
      failed.hidden = false;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (!data.ready && !data.failed) { window.setTimeout(poll, delay); }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000); // back off, keep trying
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, 700);
})();
