/* Live progress on the status page: polls the story's progress while its video is processed
   and moves the bar and the time estimate; reloads once the video is ready or has failed. */
(function () {
  "use strict";
  var box = document.querySelector(".media-progress[data-progress-url]");
  if (!box) { return; }
  var state = box.getAttribute("data-media-state");
  if (state === "ready" || state === "failed") { return; }
  var bar = box.querySelector("progress");
  var words = box.querySelector(".media-words");
  var eta = box.querySelector(".media-eta");
  var url = box.getAttribute("data-progress-url");
  var etaText = box.getAttribute("data-eta-text");
  var etaShort = box.getAttribute("data-eta-seconds-text");

  function show(data) {
    box.setAttribute("data-media-state", data.state);
    if (bar && typeof data.percent === "number") { bar.value = data.percent; bar.textContent = Math.round(data.percent) + " %"; }
    if (words && data.words && words.textContent.trim() !== data.words) { words.textContent = data.words; }
    if (eta) {
      if (data.eta_seconds === null || data.eta_seconds === undefined) { eta.textContent = ""; }
      else if (data.eta_seconds < 60) { eta.textContent = etaShort; }
      else { eta.textContent = etaText.replace("{m}", String(Math.ceil(data.eta_seconds / 60))); }
    }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, 5000); return; }
        show(data);
        if (data.done) { window.location.reload(); return; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 500);
}());
