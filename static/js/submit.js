// The submission form at /mitmachen/: progressive enhancement of plain HTML forms.
// Adds the error-summary focus, the character counter, fields that appear on demand and
// the resumable tus upload with progress, pause/resume and the processing state.
// No inline scripts: settings come from data-* attributes, words from a json_script block.
(function () {
  "use strict";

  function format(template, values) {
    // Python-format strings from the catalogue: %(name)s placeholders, %% for a percent sign.
    return template.replace(/%\((\w+)\)s|%%/g, function (match, key) {
      if (match === "%%") { return "%"; }
      return values[key] !== undefined ? values[key] : "";
    });
  }

  function number(n) {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || undefined).format(n);
    } catch (e) {
      return String(n);
    }
  }

  // --- Error summary: focus it on load; its links move focus to the field. --------------
  function initErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a");
      if (!link) { return; }
      var href = link.getAttribute("href") || "";
      if (href.charAt(0) !== "#") { return; }
      var target = document.getElementById(href.slice(1));
      if (!target) { return; }
      event.preventDefault();
      var group = target.closest(".field, .choice, fieldset") || target;
      group.scrollIntoView({ block: "start" });
      target.focus({ preventScroll: true });
    });
  }

  // --- Character counter ---------------------------------------------------------------
  function initCounters() {
    document.querySelectorAll("[data-counter]").forEach(function (counter) {
      var field = document.getElementById(counter.getAttribute("data-counter"));
      if (!field) { return; }
      var live = document.querySelector('[data-counter-live="' + field.id + '"]');
      var max = parseInt(counter.getAttribute("data-max"), 10);
      var timer = null;
      function words() {
        var length = field.value.replace(/\r\n/g, "\n").trim().length;
        var left = max - length;
        counter.classList.toggle("is-over", left < 0);
        return left >= 0
          ? format(counter.getAttribute("data-left"), { n: number(left) })
          : format(counter.getAttribute("data-over"), { n: number(-left) });
      }
      function update() {
        counter.textContent = words();
        if (!live) { return; }
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { live.textContent = counter.textContent; }, 1000);
      }
      counter.textContent = words();
      field.addEventListener("input", update);
    });
  }

  // --- Fields that only matter for one answer ("Andere Region", pseudonym, guardian) ----
  function initReveals() {
    document.querySelectorAll("[data-reveal-name]").forEach(function (group) {
      var form = group.closest("form");
      var name = group.getAttribute("data-reveal-name");
      var value = group.getAttribute("data-reveal-value");
      var controls = form ? form.querySelectorAll('[name="' + name + '"]') : [];
      if (!controls.length || !value) { return; }
      function current() {
        var result = "";
        controls.forEach(function (control) {
          if (control.type === "radio") {
            if (control.checked) { result = control.value; }
          } else {
            result = control.value;
          }
        });
        return result;
      }
      function update() { group.hidden = current() !== value; }
      controls.forEach(function (control) { control.addEventListener("change", update); });
      update();
    });
  }

  // --- The resumable upload --------------------------------------------------------------
  function retryDelays() {
    // Keep trying for about an hour: a phone may lose its connection for a long while.
    var delays = [0, 1000, 2000, 3000, 5000];
    for (var i = 0; i < 720; i += 1) { delays.push(5000); }
    return delays;
  }

  function initUpload() {
    var box = document.querySelector("[data-upload]");
    var wordsNode = document.getElementById("upload-messages");
    if (!box || !wordsNode) { return; }
    var input = box.querySelector('input[type="file"]');
    if (!input || !window.tus || !window.tus.isSupported) { return; } // plain POST fallback
    var words = JSON.parse(wordsNode.textContent);
    var progressBox = box.querySelector("[data-upload-progress]");
    var progress = progressBox.querySelector("progress");
    var percentNode = box.querySelector("[data-upload-percent]");
    var statusNode = box.querySelector("[data-upload-status]");
    var errorNode = box.querySelector("[data-upload-error]");
    var retryButton = box.querySelector("[data-upload-retry]");
    var form = box.closest("form");
    var draft = box.getAttribute("data-draft"); // public: only names the local fingerprint
    // The secret that authorises every tus request for this draft, sent as a header (the
    // server renders it into the page of this draft's session; it never goes into a URL).
    var tokenHeaders = { "Upload-Token": box.getAttribute("data-upload-token") || "" };
    var upload = null;
    var active = false;
    var lastAnnounced = -1;
    var pollTimer = null;

    // The file goes through tus only; the plain POST must not carry it a second time.
    input.removeAttribute("name");

    function setState(state, text, tone) {
      box.setAttribute("data-upload-state", state);
      statusNode.setAttribute("data-tone", tone || state);
      if (text !== null && statusNode.textContent !== text) { statusNode.textContent = text; }
    }

    function showError(message) {
      errorNode.textContent = message + " " + words.another;
      errorNode.hidden = false;
      errorNode.setAttribute("role", "alert");
      input.setAttribute("aria-invalid", "true");
    }

    function clearError() {
      errorNode.hidden = true;
      errorNode.textContent = "";
      errorNode.removeAttribute("role");
      input.removeAttribute("aria-invalid");
    }

    function showPercent(percent, key) {
      progressBox.hidden = false;
      progress.value = percent;
      percentNode.textContent = number(percent) + " %";
      // The live region speaks at each tenth, not at every byte.
      var tenth = Math.floor(percent / 10);
      if (tenth !== lastAnnounced || box.getAttribute("data-upload-state") !== "uploading") {
        lastAnnounced = tenth;
        setState("uploading", format(words[key], { percent: number(percent) }));
      }
    }

    function pollProcessing() {
      window.clearTimeout(pollTimer);
      fetch(box.getAttribute("data-state-url"), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          var media = body && body.media;
          if (!media) {
            pollTimer = window.setTimeout(pollProcessing, 2000);
            return;
          }
          if (media.state === "ready") {
            setState("ready", words.ready, "done");
            box.setAttribute("data-has-video", "true");
          } else if (media.state === "failed") {
            setState("failed", "", "failed");
            showError(media.message || words.failed);
            box.setAttribute("data-has-video", "false");
          } else {
            box.setAttribute("data-has-video", "true");
            var text = media.state === "waiting"
              ? words.waiting
              : format(words.processing, { percent: number(Math.round(media.percent)) });
            setState("processing", text, "done");
            pollTimer = window.setTimeout(pollProcessing, 2000);
          }
        })
        .catch(function () { pollTimer = window.setTimeout(pollProcessing, 5000); });
    }

    function afterUpload(url) {
      setState("checking", words.checking, "done");
      progress.value = 100;
      percentNode.textContent = number(100) + " %";
      fetch(url + "/status", { credentials: "same-origin", headers: tokenHeaders })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (body.state === "rejected") {
            setState("rejected", "", "failed");
            progressBox.hidden = true;
            showError(body.rejection ? body.rejection.message : words.not_video);
            input.value = "";
            input.focus();
            return;
          }
          pollProcessing();
        })
        .catch(function () { pollProcessing(); });
    }

    // The browser reads the video's length before a byte is sent, so a too-long video is
    // refused at once; null when it cannot tell (the server's check decides then).
    function videoDuration(file) {
      return new Promise(function (resolve) {
        var probe = document.createElement("video");
        var url = null;
        var settled = false;
        function done(value) {
          if (settled) { return; }
          settled = true;
          if (url) { URL.revokeObjectURL(url); }
          probe.removeAttribute("src");
          resolve(value);
        }
        probe.preload = "metadata";
        probe.muted = true;
        probe.addEventListener("loadedmetadata", function () {
          done(isFinite(probe.duration) && probe.duration > 0 ? probe.duration : null);
        });
        probe.addEventListener("error", function () { done(null); });
        window.setTimeout(function () { done(null); }, 8000);
        try {
          url = URL.createObjectURL(file);
          probe.src = url;
        } catch (err) { done(null); }
      });
    }

    function tooLongText(seconds) {
      var minutes = (Math.round(seconds / 6) / 10).toLocaleString(document.documentElement.lang || "de");
      return (box.getAttribute("data-too-long") || "").replace("{minutes}", minutes);
    }

    function start(file) {
      clearError();
      retryButton.hidden = true;
      var max = parseInt(box.getAttribute("data-max-bytes"), 10);
      if (max && file.size > max) {
        showError(words.too_large);
        input.value = "";
        return;
      }
      if (file.type && !/^video\//.test(file.type) && file.type !== "application/octet-stream") {
        showError(words.not_video);
        input.value = "";
        return;
      }
      var maxSeconds = parseFloat(box.getAttribute("data-max-seconds"));
      box.setAttribute("data-upload-state", "measuring");
      videoDuration(file).then(function (seconds) {
        if (maxSeconds && seconds !== null && seconds > maxSeconds + 0.5) {
          box.setAttribute("data-upload-state", "too-long");
          showError(tooLongText(seconds));
          input.value = "";
          return;
        }
        send(file);
      });
    }

    function send(file) {
      var resumed = false;
      active = true;
      lastAnnounced = -1;
      setState("starting", words.starting, "uploading");
      progressBox.hidden = false;
      upload = new window.tus.Upload(file, {
        endpoint: box.getAttribute("data-endpoint"),
        chunkSize: parseInt(box.getAttribute("data-chunk-size"), 10) || Infinity,
        retryDelays: retryDelays(),
        removeFingerprintOnSuccess: true,
        headers: tokenHeaders,
        metadata: {
          filename: file.name,
          filetype: file.type,
          lang: box.getAttribute("data-lang")
        },
        // One draft never resumes another draft's upload of the same file.
        fingerprint: function (f) {
          return Promise.resolve(["zm", draft, f.name, f.type, f.size, f.lastModified].join("-"));
        },
        onShouldRetry: function (err) {
          var status = err.originalResponse ? err.originalResponse.getStatus() : 0;
          if (status === 0 || status >= 500 || status === 409 || status === 423 || status === 429) {
            setState("paused", words.paused, "paused");
            return true;
          }
          return false;
        },
        onProgress: function (sent, total) {
          var percent = total ? Math.floor((sent / total) * 100) : 0;
          showPercent(percent, resumed ? "resuming" : "uploading");
        },
        onChunkComplete: function () { resumed = false; },
        onSuccess: function () {
          active = false;
          afterUpload(upload.url);
        },
        onError: function () {
          active = false;
          setState("failed", words.failed, "paused");
          retryButton.hidden = false;
        }
      });
      upload.findPreviousUploads().then(function (previous) {
        if (previous.length) {
          resumed = true;
          upload.resumeFromPreviousUpload(previous[0]);
        }
        upload.start();
      });
    }

    input.addEventListener("change", function () {
      if (upload && active) { upload.abort(); }
      if (input.files && input.files.length) { start(input.files[0]); }
    });

    retryButton.addEventListener("click", function () {
      if (!upload) { return; }
      retryButton.hidden = true;
      active = true;
      setState("uploading", words.starting, "uploading");
      upload.start();
    });

    window.addEventListener("offline", function () {
      if (active) { setState("paused", words.paused, "paused"); }
    });
    window.addEventListener("online", function () {
      if (upload && !active && box.getAttribute("data-upload-state") === "failed") {
        retryButton.click();
      }
    });

    if (form) {
      form.addEventListener("submit", function (event) {
        if (!active) { return; }
        event.preventDefault();
        setState(box.getAttribute("data-upload-state"), words.wait, "paused");
        input.focus();
      });
    }

    var current = box.querySelector("[data-media-state]");
    if (current && ["waiting", "probing", "transcoding"].indexOf(current.getAttribute("data-media-state")) !== -1) {
      pollProcessing();
    }
  }

  // Typing survives a reload: the story's own words (title, text and the like, never names,
  // addresses or files) are kept in this browser per step until the step is sent, and all
  // of them are forgotten once the story has been sent.
  var MEMORY_PREFIX = "zm-form:";

  function storage() {
    try { return window.localStorage; } catch (err) { return null; }
  }

  function remembered(field) {
    if (field.disabled || field.closest("[data-honeypot]") || field.closest(".hp-field")) { return false; }
    if (field.tagName === "TEXTAREA") { return true; }
    if (field.tagName !== "INPUT" || (field.type !== "text" && field.type !== "search")) { return false; }
    var auto = (field.getAttribute("autocomplete") || "").toLowerCase();
    return !/name|email|tel|organization/.test(auto) && field.getAttribute("tabindex") !== "-1";
  }

  function initDraftMemory() {
    var store = storage();
    if (!store) { return; }
    if (document.querySelector("[data-form-sent]")) {
      Object.keys(store).forEach(function (key) {
        if (key.indexOf(MEMORY_PREFIX) === 0) { store.removeItem(key); }
      });
      return;
    }
    var form = document.querySelector("form[data-step-form]");
    if (!form) { return; }
    var key = MEMORY_PREFIX + window.location.pathname;
    var fields = Array.prototype.filter.call(form.elements, remembered);
    var saved = {};
    try { saved = JSON.parse(store.getItem(key) || "{}") || {}; } catch (err) { saved = {}; }
    fields.forEach(function (field) {
      if (field.name && typeof saved[field.name] === "string" && saved[field.name] !== field.value) {
        field.value = saved[field.name];
        field.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
    var timer = null;
    function save() {
      var values = {};
      fields.forEach(function (field) { if (field.name) { values[field.name] = field.value; } });
      try { store.setItem(key, JSON.stringify(values)); } catch (err) { /* full or private mode */ }
    }
    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 300);
    });
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      store.removeItem(key);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initDraftMemory();
    initErrorSummary();
    initCounters();
    initReveals();
    initUpload();
  });
})();
