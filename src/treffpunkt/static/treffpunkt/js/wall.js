/* The projector wall: posts arrive live, pinned ones stay on top. Nobody touches this
 * screen, so it keeps going through network loss and server restarts (see live.js).
 *
 * Posts stand in columns at their natural height (CSS columns in wall.css). When there are
 * more than fit, older ones take turns: every few seconds the post that has been shown the
 * longest (never one of the newest) makes room for the next one that did not fit, so every
 * post and photo comes back to the screen. Pinned posts are set smaller until they fit. */
(function () {
  "use strict";
  var MAX_POSTS = 150;
  var NEWEST_STAY = 4; // the newest posts never take turns (fewer when few fit)
  var CYCLE_MS = 9000;
  var FADE_MS = 600;
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
    if (data.size) node.classList.add("post--" + data.size);
    node.classList.toggle("post--photo", Boolean(data.photo));
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
    // The server's clock reading in the site's time zone, like the posts it rendered.
    time.textContent = data.time || window.Treffpunkt.formatTime(data.created);
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
    if (data.pinned) fitPinned();
    else fitTall(node);
  }

  // --- pinned posts: smaller type until the band shows them whole ----------------------

  function overflows(element) {
    return element.scrollHeight > element.clientHeight + 1;
  }

  function fitPinned() {
    var texts = pinned.querySelectorAll(".post__text");
    texts.forEach(function (text) {
      text.style.fontSize = "";
    });
    var scale = 1;
    while (overflows(pinned) && scale > 0.45) {
      scale -= 0.05;
      texts.forEach(function (text) {
        text.style.fontSize = "";
        var base = parseFloat(window.getComputedStyle(text).fontSize);
        text.style.fontSize = base * scale + "px";
      });
    }
  }

  // A card taller than the posts' area (a long post with a photo, a short screen) is set
  // smaller too: a column cannot split it, so it would be cut off at the bottom.
  function fitTall(card) {
    var text = card.querySelector(".post__text");
    if (!text) return;
    text.style.fontSize = "";
    var room = posts.clientHeight - 8;
    var scale = 1;
    var base = parseFloat(window.getComputedStyle(text).fontSize);
    while (card.offsetHeight > room && scale > 0.5) {
      scale -= 0.05;
      text.style.fontSize = base * scale + "px";
    }
  }

  function fitAllTall() {
    Array.prototype.forEach.call(posts.children, fitTall);
  }

  // --- older posts take turns when there are more than fit -----------------------------

  var turn = 0;

  function fits(card, box) {
    var rect = card.getBoundingClientRect();
    return rect.right <= box.right + 1 && rect.bottom <= box.bottom + 1;
  }

  function cycle() {
    if (document.hidden) return;
    var box = posts.getBoundingClientRect();
    var cards = Array.prototype.slice.call(posts.children);
    var waiting = cards.filter(function (card) {
      return !fits(card, box);
    });
    if (!waiting.length) return;
    // The newest stay (half of what fits, at most NEWEST_STAY); the others take turns.
    var fitting = cards.length - waiting.length;
    var staying = Math.min(NEWEST_STAY, Math.floor(fitting / 2));
    var shown = cards.slice(staying).filter(function (card) {
      return waiting.indexOf(card) === -1 && !card.classList.contains("post--new");
    });
    if (!shown.length) return;
    var leaving = shown[turn % shown.length];
    turn += 1;
    var coming = waiting[0];
    leaving.classList.add("post--turn-out");
    window.setTimeout(function () {
      if (!leaving.parentElement || !coming.parentElement) return;
      leaving.classList.remove("post--turn-out");
      coming.classList.add("post--turn-in");
      leaving.replaceWith(coming);
      posts.appendChild(leaving); // to the back of the queue
      window.setTimeout(function () {
        coming.classList.remove("post--turn-in");
      }, FADE_MS * 2);
    }, FADE_MS);
  }

  window.setInterval(cycle, CYCLE_MS);
  function fitAll() {
    fitPinned();
    fitAllTall();
  }
  window.addEventListener("resize", fitAll);
  window.addEventListener("load", fitAll); // photos have their height now
  fitPinned();
  fitAllTall();

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
