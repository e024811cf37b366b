// The two-click video embed: nothing is loaded from YouTube until the visitor asks for it.
// The container carries the youtube-nocookie.com URL in data-src; a click swaps the local
// poster and notice for the player and moves the focus to it.
(function () {
  "use strict";
  var ALLOWED = "https://www.youtube-nocookie.com/embed/";

  function load(container) {
    var src = container.getAttribute("data-src") || "";
    if (src.indexOf(ALLOWED) !== 0) { return; }
    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = container.getAttribute("data-title") || "YouTube";
    frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.className = "embed-frame";
    while (container.firstChild) { container.removeChild(container.firstChild); }
    container.appendChild(frame);
    container.classList.add("embed-loaded");
    frame.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-embed]").forEach(function (container) {
      var button = container.querySelector("[data-embed-load]");
      if (button) {
        button.addEventListener("click", function () { load(container); });
      }
    });
  });
})();
