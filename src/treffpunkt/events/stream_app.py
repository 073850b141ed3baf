"""The public wall stream as a small ASGI app in front of Django.

Through Django's handler every open stream keeps a thread of its own for as long as it is
open (the per-request context for synchronous code), which a wall with thousands of
viewers cannot afford. The stream needs nothing of Django's middleware (no session, no
CSRF, no login), so ``treffpunkt.asgi`` routes it here. The moderators' stream, which needs
the login, stays a Django view. Both read from ``events.feeds``.

Each viewer is an ``feeds.AsgiSink``: the feed writes every batch into the viewer's
``send`` itself, so this coroutine only starts the stream, writes the replay and then
sleeps until the viewer leaves or the feed ends it.
"""

import asyncio
import contextlib
import re
from typing import Any
from urllib.parse import parse_qs, unquote

from asgiref.sync import sync_to_async
from django.conf import settings

from treffpunkt.core import live, sse
from treffpunkt.core.inputs import has_nul
from treffpunkt.events import feeds, queries

PATH = re.compile(r"^/(?:(?P<language>[a-z]{2})/)?e/(?P<hashtag>[^/]+)/stream$")
END_TIMEOUT = 10  # seconds to finish the response of a viewer that is sent away
STOP_END_TIMEOUT = 1  # the same while the server stops, which waits for every response

Scope = dict[str, Any]


def matches(scope: Scope) -> re.Match[str] | None:
    if scope["type"] != "http":
        return None
    match = PATH.match(scope["path"])
    if match and match["language"] not in (None, *dict(settings.LANGUAGES)):
        return None
    return match


def last_event_id(scope: Scope) -> int:
    headers = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in scope.get("headers") or []
        if name == b"last-event-id"
    }
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return sse.last_event_id(headers, query)


async def _plain(send: Any, status: int, text: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": text.encode()})


def _body(data: bytes) -> dict[str, Any]:
    return {"type": "http.response.body", "body": data, "more_body": True}


async def wall_stream(scope: Scope, receive: Any, send: Any, match: re.Match[str]) -> None:
    if scope["method"] not in {"GET", "HEAD"}:
        await _plain(send, 405, "Method not allowed")
        return
    hashtag = unquote(match["hashtag"])
    if has_nul(hashtag):
        await _plain(send, 404, "There is no event with this hashtag.")
        return
    find = sync_to_async(queries.event_by_hashtag, thread_sensitive=False)
    event = await find(hashtag)
    if event is None:
        await _plain(send, 404, "There is no event with this hashtag.")
        return
    language = match["language"] or settings.LANGUAGE_CODE
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": sse.ASGI_HEADERS,
        }
    )
    if scope["method"] == "HEAD":
        await send({"type": "http.response.body", "body": b""})
        return
    await send(_body(sse.RETRY))
    sink = feeds.AsgiSink(send)
    disconnected = asyncio.ensure_future(_wait_for_disconnect(receive))
    attaching = asyncio.ensure_future(
        feeds.attach(event.pk, feeds.WALL, language, sink, last_event_id(scope))
    )
    try:
        await asyncio.wait({attaching, disconnected}, return_when=asyncio.FIRST_COMPLETED)
        attached = attaching.result() if attaching.done() else None
        if attached is not None and not disconnected.done():
            _feed, replay = attached
            if replay:
                await send(_body(replay))  # live batches are held back meanwhile
            if sink.release():
                await asyncio.wait({sink.ended, disconnected}, return_when=asyncio.FIRST_COMPLETED)
        if not disconnected.done():
            # Sent away (too slow, the feed broke, the server stops) or the feed could not
            # start: end the response; the browser reconnects after the retry pause and
            # replays.
            timeout = STOP_END_TIMEOUT if live.stopping() else END_TIMEOUT
            with contextlib.suppress(TimeoutError, OSError):
                await asyncio.wait_for(send(_body(b"") | {"more_body": False}), timeout)
    finally:
        for task in (attaching, disconnected):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await task
        # (attach itself lets go of the sink if it was cancelled or failed)
        if attaching.done() and not attaching.cancelled() and attaching.exception() is None:
            attached = attaching.result()
            if attached is not None:
                feeds.detach(attached[0], sink)


async def _wait_for_disconnect(receive: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
