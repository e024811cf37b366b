// The "mehr Kontrast" switch: remembered per browser, applied before first paint.
(function () {
  "use strict";
  var KEY = "zm-contrast";
  var root = document.documentElement;
  try {
    if (window.localStorage.getItem(KEY) === "more") { root.setAttribute("data-contrast", "more"); }
  } catch (e) { /* storage may be disabled */ }
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-contrast-toggle]");
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", root.getAttribute("data-contrast") === "more" ? "true" : "false");
      button.addEventListener("click", function () {
        var on = root.getAttribute("data-contrast") !== "more";
        if (on) { root.setAttribute("data-contrast", "more"); } else { root.removeAttribute("data-contrast"); }
        try { window.localStorage.setItem(KEY, on ? "more" : "normal"); } catch (e) { /* ignore */ }
        buttons.forEach(function (b) { b.setAttribute("aria-pressed", on ? "true" : "false"); });
      });
    });
  });
})();
