/* The projector wall: posts arrive live, pinned ones stay on top. Nobody touches this
 * screen, so it keeps going through network loss and server restarts (see live.js). */
(function () {
  "use strict";
  var MAX_POSTS = 150;
  var wall = document.getElementById("wall");
  var pinned = wall.querySelector('[data-region="pinned"]');
  var posts = wall.querySelector('[data-region="posts"]');
  var idle = wall.querySelector('[data-region="idle"]');
  var count = wall.querySelector('[data-region="contributors"]');
  var status = wall.querySelector('[data-region="status"]');
  var template = document.getElementById("post-template");
  var strings = window.Treffpunkt.strings("live-strings");

  function find(id) {
    return wall.querySelector('.post[data-id="' + id + '"]');
  }

  function build(data) {
    var node = template.content.firstElementChild.cloneNode(true);
    node.dataset.id = String(data.id);
    node.classList.toggle("post--pinned", data.pinned);
    node.querySelector(".post__badge").hidden = !data.pinned;
    // Server-rendered: escaped text with links only (core/text.py).
    node.querySelector(".post__text").innerHTML = data.html;
    var photo = node.querySelector(".post__photo");
    if (data.photo) {
      photo.src = data.photo;
      photo.alt = data.alt || "";
      photo.hidden = false;
    } else {
      photo.remove();
    }
    node.querySelector(".post__author").textContent = data.author;
    if (data.source === "fediverse") {
      node.querySelector(".post__fediverse").hidden = false;
      node.querySelector(".post__handle").textContent = data.handle || "";
    }
    var time = node.querySelector("time");
    time.dateTime = data.created;
    time.textContent = window.Treffpunkt.formatTime(data.created);
    return node;
  }

  function updateIdle() {
    idle.hidden = Boolean(wall.querySelector(".post"));
  }

  function updateCount(data) {
    if (typeof data.contributors === "number") count.textContent = String(data.contributors);
  }

  function upsert(data) {
    var existing = find(data.id);
    var node = build(data);
    if (existing && existing.parentElement === (data.pinned ? pinned : posts)) {
      node.classList.remove("post--new");
      existing.replaceWith(node);
    } else {
      if (existing) existing.remove();
      var region = data.pinned ? pinned : posts;
      region.prepend(node);
    }
    while (posts.children.length > MAX_POSTS) posts.lastElementChild.remove();
    updateCount(data);
    updateIdle();
  }

  function remove(data) {
    var existing = find(data.id);
    if (existing) {
      existing.classList.add("post--leaving");
      window.setTimeout(function () {
        existing.remove();
        updateIdle();
      }, 400);
    }
    updateCount(data);
  }

  window.Treffpunkt.connectLive({
    url: wall.dataset.stream,
    after: wall.dataset.after,
    handlers: { upsert: upsert, remove: remove },
    onStatus: function (online) {
      status.textContent = online ? "" : strings.offline;
    },
  });

  // Reload once an hour so that a wall left running for days picks up new code and styles.
  window.setTimeout(function () {
    window.location.reload();
  }, 60 * 60 * 1000);
})();
