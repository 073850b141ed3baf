"""Server-Sent Events: the frames, the retry pause, the keep-alive and ``Last-Event-ID``.

Both live streams (the public wall in ``events.stream_app`` and the moderators' Django
view) speak through this module, so the format lives in one place.
"""

import json
from collections.abc import Mapping
from typing import Any

from treffpunkt.core.inputs import parse_id

CONTENT_TYPE = "text/event-stream; charset=utf-8"
# No caching, and nginx must not buffer the stream (it honours X-Accel-Buffering).
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
ASGI_HEADERS = [
    (b"content-type", CONTENT_TYPE.encode()),
    *((name.lower().encode(), value.encode()) for name, value in HEADERS.items()),
]
# How long a browser waits before it reconnects after a stream ended.
RETRY_MILLISECONDS = 2000
RETRY = f"retry: {RETRY_MILLISECONDS}\n\n".encode()
# A keep-alive the page ignores; proxies close connections that stay silent.
PING = b"event: ping\ndata: {}\n\n"


def frame(message_id: int | None, event: str, data: Any) -> str:
    """One frame: ``id`` (what the browser sends back as Last-Event-ID), ``event``, JSON."""
    head = f"id: {message_id}\n" if message_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def parse_event_id(raw: str) -> int:
    """A non-negative id from a header or query value; 0 for anything else."""
    return parse_id(raw) or 0


def last_event_id(headers: Mapping[str, str], query: Mapping[str, Any]) -> int:
    """Where a reconnecting browser left off: its ``Last-Event-ID`` header, else ``?after=``
    (the page's first connection names the last change it rendered)."""
    raw = headers.get("Last-Event-ID") or headers.get("last-event-id") or ""
    if not raw:
        after = query.get("after", "")
        raw = after[0] if isinstance(after, list) and after else str(after or "")
    return parse_event_id(raw)
