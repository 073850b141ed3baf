/* Moderation: posts arrive live, decisions go through without reloading, and several
 * moderators see each other's decisions. Each change re-fetches that one post's HTML from
 * the server, so the page and the server never disagree. Works without JavaScript too. */
(function () {
  "use strict";
  var root = document.getElementById("moderation");
  var list = root.querySelector('[data-region="list"]');
  var held = root.querySelector('[data-region="held"]');
  var contributors = root.querySelector('[data-region="contributors"]');
  var status = root.querySelector('[data-region="status"]');
  var strings = window.Treffpunkt.strings("live-strings");

  function item(id) {
    return list.querySelector('.mod-item[data-id="' + id + '"]');
  }

  function refreshCounts(data) {
    held.textContent = String(list.querySelectorAll('.mod-item[data-state="held"]').length);
    if (data && typeof data.contributors === "number") {
      contributors.textContent = String(data.contributors);
    }
    var empty = root.querySelector('[data-region="empty"]');
    if (empty) empty.hidden = list.children.length > 0;
  }

  function load(id, data) {
    return fetch(root.dataset.fragment + id + "/", { credentials: "same-origin" }).then(
      function (response) {
        var existing = item(id);
        if (response.status === 404) {
          if (existing) existing.remove();
          refreshCounts(data);
          return;
        }
        if (!response.ok) return;
        return response.text().then(function (html) {
          var box = document.createElement("ul");
          box.innerHTML = html.trim();
          var fresh = box.firstElementChild;
          var hadFocus = existing && existing.contains(document.activeElement);
          if (existing) existing.replaceWith(fresh);
          else list.prepend(fresh);
          if (hadFocus) fresh.focus();
          refreshCounts(data);
        });
      }
    );
  }

  window.Treffpunkt.connectLive({
    url: root.dataset.stream,
    after: root.dataset.after,
    handlers: {
      upsert: function (data) { load(data.id, data); },
      remove: function (data) {
        var existing = item(data.id);
        if (existing) existing.remove();
        refreshCounts(data);
      },
    },
    onStatus: function (online) {
      status.textContent = online ? "" : strings.offline;
    },
  });

  list.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    event.preventDefault();
    var entry = form.closest(".mod-item");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (response.ok && entry) load(entry.dataset.id);
    });
  });

  function focusStep(step) {
    var items = Array.prototype.slice.call(list.querySelectorAll(".mod-item"));
    if (!items.length) return;
    var current = items.indexOf(document.activeElement.closest(".mod-item"));
    var next = items[Math.max(0, Math.min(items.length - 1, current + step))];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName)) return;
    var key = event.key.toLowerCase();
    if (key === "j") return focusStep(1);
    if (key === "k") return focusStep(-1);
    var current = document.activeElement.closest(".mod-item");
    if (!current) return;
    var actions = { a: ["approve"], h: ["hide"], p: ["pin", "unpin"], d: ["delete"], b: ["block"] };
    (actions[key] || []).some(function (name) {
      var button = current.querySelector('[data-action="' + name + '"]');
      if (button) {
        event.preventDefault();
        button.form.requestSubmit(button);
        return true;
      }
      return false;
    });
  });
})();
