/*
 * The blog editor: live preview, address from the title, and inline images.
 *
 * Without JavaScript the page still works: the "Show preview" button sends the form and
 * the page comes back with the preview; an image chosen in "Image in the text" is added
 * at the end of the text on save.
 */
(function () {
  "use strict";

  var form = document.querySelector("form.editor");
  if (!form) return;

  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var body = form.querySelector("textarea[name=body]");
  var preview = document.getElementById("preview");
  var title = form.querySelector("input[name=title]");
  var slug = form.querySelector("input[name=slug]");

  // --- live preview -----------------------------------------------------------------
  var timer = null;
  var lastSent = null;
  var pending = null;

  function refreshPreview() {
    if (!body || !preview) return;
    var text = body.value;
    if (text === lastSent) return;
    lastSent = text;
    if (pending) pending.abort();
    pending = new AbortController();
    var data = new FormData();
    data.append("body", text);
    preview.setAttribute("aria-busy", "true");
    fetch(form.dataset.previewUrl, {
      method: "POST",
      body: data,
      headers: { "X-CSRFToken": csrf },
      credentials: "same-origin",
      signal: pending.signal,
    })
      .then(function (response) {
        return response.text().then(function (html) {
          if (response.ok) {
            // Sanitized by the server (the same code that renders the post for readers).
            preview.innerHTML = html;
          }
        });
      })
      .catch(function () {
        /* aborted by a newer keystroke, or offline: the next change tries again */
      })
      .finally(function () {
        preview.setAttribute("aria-busy", "false");
      });
  }

  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 400);
  }

  if (body) {
    body.addEventListener("input", schedulePreview);
    lastSent = body.value;
  }

  var previewButton = form.querySelector("[data-preview-button]");
  if (previewButton) {
    previewButton.addEventListener("click", function (event) {
      event.preventDefault();
      lastSent = null;
      refreshPreview();
    });
  }

  // --- formatting buttons ---------------------------------------------------------------
  // Each button writes the Markdown a reader would type; the text stays plain Markdown.
  var toolbar = form.querySelector("[data-md-toolbar]");

  function replaceSelection(text, selectFrom, selectTo) {
    var start = body.selectionStart;
    body.setRangeText(text, start, body.selectionEnd, "end");
    body.setSelectionRange(start + selectFrom, start + selectTo);
    body.focus();
    schedulePreview();
  }

  function wrap(mark, placeholder) {
    var chosen = body.value.slice(body.selectionStart, body.selectionEnd) || placeholder;
    replaceSelection(mark + chosen + mark, mark.length, mark.length + chosen.length);
  }

  function prefixLines(prefixFor) {
    // Whole lines: from the start of the first chosen line to the end of the last.
    var value = body.value;
    var start = body.selectionStart === 0 ? 0 : value.lastIndexOf("\n", body.selectionStart - 1) + 1;
    var end = value.indexOf("\n", body.selectionEnd);
    if (end === -1) end = value.length;
    body.setSelectionRange(start, end);
    var lines = value.slice(start, end).split("\n").map(function (line, index) {
      return prefixFor(index) + line;
    });
    var text = lines.join("\n");
    replaceSelection(text, text.length, text.length);
  }

  var FORMATS = {
    bold: function () { wrap("**", "…"); },
    italic: function () { wrap("*", "…"); },
    heading: function () { prefixLines(function () { return "## "; }); },
    quote: function () { prefixLines(function () { return "> "; }); },
    list: function () { prefixLines(function () { return "- "; }); },
    numbered: function () { prefixLines(function (index) { return index + 1 + ". "; }); },
    link: function (button) {
      var chosen = body.value.slice(body.selectionStart, body.selectionEnd) ||
        (button && button.dataset.placeholder) || "…";
      var text = "[" + chosen + "](https://)";
      // The address is selected, ready to be typed over.
      replaceSelection(text, chosen.length + 3, text.length - 1);
    },
  };

  if (toolbar && body) {
    toolbar.hidden = false;
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("[data-md]");
      if (button && FORMATS[button.dataset.md]) FORMATS[button.dataset.md](button);
    });
    body.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      var key = { b: "bold", i: "italic", k: "link" }[event.key.toLowerCase()];
      if (!key) return;
      event.preventDefault();
      FORMATS[key](toolbar.querySelector('[data-md="' + key + '"]'));
    });
  }

  // --- address from the title ---------------------------------------------------------
  var GERMAN = { "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss" };

  function makeSlug(text) {
    return text
      .replace(/[äöüÄÖÜß]/g, function (c) { return GERMAN[c]; })
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9\s-]/g, "")
      .trim()
      .replace(/[\s-]+/g, "-")
      .slice(0, 100)
      .replace(/-+$/, "");
  }

  if (title && slug) {
    // Follow the title until the author types an address of their own.
    var followTitle = slug.value === "" || slug.value === makeSlug(title.value);
    title.addEventListener("input", function () {
      if (followTitle) slug.value = makeSlug(title.value);
    });
    slug.addEventListener("input", function () {
      followTitle = slug.value === "";
    });
  }

  // --- images in the text -----------------------------------------------------------------
  var insertButton = form.querySelector("[data-insert-image]");
  var fileInput = form.querySelector("input[name=inline_image]");
  var altInput = form.querySelector("input[name=inline_alt]");
  var status = form.querySelector("[data-image-status]");
  var noJsNote = form.querySelector("[data-no-js-note]");
  var blogSelect = form.querySelector("select[name=blog]");

  function say(message, isError) {
    status.textContent = message;
    status.classList.toggle("field__errors", Boolean(isError));
  }

  function insertAtCursor(text) {
    var start = body.selectionStart;
    var end = body.selectionEnd;
    var before = body.value.slice(0, start);
    var after = body.value.slice(end);
    var block = (before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "") +
      text + "\n\n";
    body.value = before + block + after;
    var cursor = (before + block).length;
    body.setSelectionRange(cursor, cursor);
    body.focus();
    schedulePreview();
  }

  if (insertButton && fileInput && altInput && body) {
    insertButton.hidden = false;
    if (noJsNote) noJsNote.hidden = true;
    insertButton.addEventListener("click", function () {
      var file = fileInput.files && fileInput.files[0];
      if (!file) {
        say(insertButton.dataset.noFile || fileInput.labels[0].textContent + ": ?", true);
        fileInput.focus();
        return;
      }
      var data = new FormData();
      data.append("inline_image", file);
      data.append("inline_alt", altInput.value);
      data.append("blog", form.dataset.blog || (blogSelect ? blogSelect.value : ""));
      insertButton.disabled = true;
      say(insertButton.dataset.busy || "…");
      fetch(form.dataset.uploadUrl, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": csrf },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (answer) {
            if (!response.ok) {
              say(answer.error, true);
              return;
            }
            insertAtCursor(answer.markdown);
            fileInput.value = "";
            altInput.value = "";
            say(insertButton.dataset.done || "✓");
          });
        })
        .catch(function () {
          say(insertButton.dataset.failed || "!", true);
        })
        .finally(function () {
          insertButton.disabled = false;
        });
    });
  }
})();
