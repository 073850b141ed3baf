"""Experiment (not production code): serve /e/<hashtag>/stream with a small ASGI app.

The app sits in front of Django (it replaces treffpunkt.asgi.application in the server
process) and handles only the public wall stream:
- no Django middleware, so no per-request thread kept for the stream's whole life;
- the event lookup and the replay run in the shared thread pool and close their database
  connection, so an open stream holds no SQLite/PostgreSQL connection;
- one heartbeat ticker per process instead of asyncio.wait_for per message;
- each frame encoded to bytes once per process; queued messages go out in one send.
Simplifications: replay text in settings.LANGUAGE_CODE (no Accept-Language negotiation).

    .venv/bin/python benchmarks/wall_fanout.py --server-prelude benchmarks/preludes/fast_stream.py
"""

import asyncio
import re

import treffpunkt.cli as cli

_original_setup = cli.setup_django


def _setup():
    settings = _original_setup()
    from asgiref.sync import sync_to_async
    from django.db import connection
    from django.utils import translation

    import treffpunkt.asgi as asgi_module
    from treffpunkt.core import live
    from treffpunkt.events import actions, queries
    from treffpunkt.events.views import _replay

    django_app = asgi_module.application
    path_re = re.compile(r"^/e/([^/]+)/stream$")
    heartbeat = settings.LIVE_HEARTBEAT_SECONDS
    ping = {"id": None, "event": "ping", "bytes": b"event: ping\ndata: {}\n\n"}
    ticker = []

    async def tick():
        while True:
            await asyncio.sleep(heartbeat)
            hub = live.backend().hub
            for channel in hub.channels():
                hub.deliver(channel, ping)

    def lookup(hashtag):
        try:
            return queries.event_by_hashtag(hashtag)
        finally:
            connection.close()

    def replay(event_id, after):
        try:
            with translation.override(settings.LANGUAGE_CODE):
                return _replay(event_id, after, "wall")
        finally:
            connection.close()

    def last_event_id(scope):
        raw = "0"
        for name, value in scope["headers"]:
            if name == b"last-event-id":
                raw = value.decode("latin-1")
        if raw == "0":
            match = re.search(r"(?:^|&)after=(\d+)", scope.get("query_string", b"").decode())
            if match:
                raw = match.group(1)
        try:
            return max(0, int(raw))
        except ValueError:
            return 0

    async def stream(scope, receive, send, hashtag):
        event = await sync_to_async(lookup, thread_sensitive=False)(hashtag)
        if event is None:
            return await django_app(scope, receive, send)
        if not ticker:
            ticker.append(asyncio.get_running_loop().create_task(tick()))
        after = last_event_id(scope)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream"),
                    (b"cache-control", b"no-cache"),
                    (b"x-accel-buffering", b"no"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"retry: 2000\n\n", "more_body": True})
        async with live.subscribe(actions.wall_channel(event.pk)) as subscription:
            queue = subscription._queue

            async def watch_disconnect():
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        queue.put_nowait(None)
                        return

            watcher = asyncio.get_running_loop().create_task(watch_disconnect())
            try:
                last_sent = after
                frames = await sync_to_async(replay, thread_sensitive=False)(event.pk, after)
                if frames:
                    body = "".join(frame for _id, frame in frames).encode()
                    last_sent = frames[-1][0]
                    await send({"type": "http.response.body", "body": body, "more_body": True})
                while True:
                    messages = [await queue.get()]
                    while not queue.empty():
                        messages.append(queue.get_nowait())
                    parts = []
                    ended = False
                    for message in messages:
                        if message is None or message.get("event") == "reconnect":
                            ended = True
                            break
                        if message["id"] is not None:
                            if message["id"] <= last_sent:
                                continue
                            last_sent = message["id"]
                        data = message.get("bytes")
                        if data is None:
                            data = message["bytes"] = message["frame"].encode()
                        parts.append(data)
                    if parts:
                        await send(
                            {
                                "type": "http.response.body",
                                "body": b"".join(parts),
                                "more_body": True,
                            }
                        )
                    if ended:
                        break
            finally:
                watcher.cancel()
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def application(scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET":
            match = path_re.match(scope["path"])
            if match:
                return await stream(scope, receive, send, match.group(1))
        return await django_app(scope, receive, send)

    asgi_module.application = application
    return settings


cli.setup_django = _setup
