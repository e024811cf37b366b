// The moderation workspace: guards against double submits, confirmations, claim renewal.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A decision is sent once: the button is disabled the moment its form is submitted,
    // and destructive actions ask first. The server refuses a repeat anyway (409).
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var button = event.submitter || form.querySelector("button[type=submit]");
        if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
          event.preventDefault();
          return;
        }
        if (form.dataset.sent === "true") {
          event.preventDefault();
          return;
        }
        if (form.method.toLowerCase() === "post") {
          form.dataset.sent = "true";
          if (button && button.hasAttribute("data-once")) {
            window.setTimeout(function () { button.disabled = true; }, 0);
          }
        }
      });
    });

    // Renew the claim while the holder is active on the page (typing, clicking, scrolling).
    var claim = document.querySelector("[data-claim-ping]");
    if (claim && claim.dataset.claimMine === "true") {
      var active = false;
      ["keydown", "pointerdown", "scroll", "input"].forEach(function (name) {
        document.addEventListener(name, function () { active = true; }, { passive: true });
      });
      window.setInterval(function () {
        if (!active || document.visibilityState !== "visible") { return; }
        active = false;
        window.fetch(claim.dataset.claimPing, {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken() }
        }).catch(function () { /* offline: the next ping tries again */ });
      }, 5 * 60 * 1000);
    }

    var error = document.getElementById("action-error");
    if (error) { error.setAttribute("tabindex", "-1"); error.focus(); }

    // Live processing progress in the queue: the rows whose video is still being processed
    // ask for their jobs every two seconds and show state and percentage as they change.
    var table = document.querySelector("table[data-progress-url]");
    function running() { return document.querySelectorAll("[data-media-progress]"); }
    function pollProgress() {
      var cells = running();
      if (!table || !cells.length) { return; }
      var ids = Array.prototype.map.call(cells, function (cell) { return cell.dataset.mediaProgress; });
      window.fetch(table.dataset.progressUrl + "?ids=" + ids.join(","), {
        credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store"
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (jobs) {
          if (jobs) {
            Array.prototype.forEach.call(cells, function (cell) {
              var job = jobs[cell.dataset.mediaProgress];
              if (!job) { return; }
              cell.className = "media-state media-" + job.state;
              cell.textContent = job.label + (job.state === "transcoding" ? " " + job.percent + " %" : "");
              if (["waiting", "probing", "transcoding"].indexOf(job.state) === -1) {
                cell.removeAttribute("data-media-progress");
              }
            });
          }
          window.setTimeout(pollProgress, 2000);
        })
        .catch(function () { window.setTimeout(pollProgress, 5000); });
    }
    window.setTimeout(pollProgress, 2000);
  });
})();
