/* Live updates over Server-Sent Events that never give up.
 *
 * The browser's EventSource reconnects by itself after a dropped connection and sends the
 * last id it saw, so the server replays what was missed. It gives up for good on some errors
 * (a proxy's 502 while the server restarts), so this wrapper starts a new EventSource then,
 * with a growing pause, from the last id it applied. A watchdog reconnects when not even the
 * server's regular "ping" has arrived for a while (a silently dead connection).
 */
(function () {
  "use strict";

  function connectLive(options) {
    var lastId = Number(options.after) || 0;
    var source = null;
    var pause = 1000;
    var lastSeen = Date.now();
    var online = true;

    function setOnline(value) {
      if (value !== online) {
        online = value;
        if (options.onStatus) options.onStatus(value);
      }
    }

    function handle(name, handler) {
      source.addEventListener(name, function (event) {
        lastSeen = Date.now();
        setOnline(true);
        var id = Number(event.lastEventId);
        if (id && id <= lastId) return; // seen already
        if (id) lastId = id;
        if (handler) handler(JSON.parse(event.data || "{}"));
      });
    }

    function connect() {
      var url = new URL(options.url, window.location.href);
      url.searchParams.set("after", String(lastId));
      source = new EventSource(url.toString());
      source.addEventListener("open", function () {
        pause = 1000;
        lastSeen = Date.now();
        setOnline(true);
      });
      Object.keys(options.handlers).forEach(function (name) {
        handle(name, options.handlers[name]);
      });
      handle("ping", null);
      source.addEventListener("reload", function () {
        window.location.reload();
      });
      source.addEventListener("error", function () {
        setOnline(false);
        if (source.readyState === EventSource.CLOSED) restart();
      });
    }

    function restart() {
      if (source) source.close();
      window.setTimeout(connect, pause);
      pause = Math.min(pause * 2, 30000);
    }

    window.setInterval(function () {
      if (Date.now() - lastSeen > (options.silenceMs || 45000)) {
        lastSeen = Date.now();
        setOnline(false);
        restart();
      }
    }, 5000);

    connect();
  }

  function formatTime(iso) {
    var lang = document.documentElement.lang || undefined;
    return new Date(iso).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
  }

  window.Treffpunkt = window.Treffpunkt || {};
  window.Treffpunkt.connectLive = connectLive;
  window.Treffpunkt.formatTime = formatTime;
  window.Treffpunkt.strings = function (id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : {};
  };
})();
