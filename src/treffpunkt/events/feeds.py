"""Live feeds of a wall, one per event and audience in each server process.

Notifications (``core.live``) only say "this wall changed". The feed then reads every change
after its watermark from the database, in commit order, builds each SSE frame once, and
hands the frames to all of this process's subscribers. The order therefore never depends
on the order in which notifications arrive, a burst of posts costs one query, and a lost
notification is made good by the next one.

Commit order equals id order per wall: writers lock the event row before they record a
change (PostgreSQL), and SQLite serializes all writes.
"""

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.utils import translation

from treffpunkt.core import live
from treffpunkt.events import queries
from treffpunkt.events.models import Contribution
from treffpunkt.events.payloads import moderation_payload, public_payload

WALL = "wall"
MODERATE = "moderate"
QUEUE_SIZE = 500  # batches a subscriber may fall behind before it is sent away to reconnect


def channel(event_id: int) -> str:
    return f"wall:{event_id}"


def render_changes(
    event_id: int, after: int, audience: str, upto: int | None = None
) -> tuple[int, list[str]]:
    """Frames for the changes after ``after`` (up to ``upto``), each post once, in its
    current state, and the id of the last change read."""
    changes = queries.changes_since(event_id, after, upto=upto)
    if not changes:
        return after, []
    last = changes[-1][0].pk
    if len(changes) >= queries.REPLAY_LIMIT:
        return last, [live.sse_frame(last, "reload", {})]
    latest: dict[int, tuple[int, Contribution | None]] = {}
    for change, contribution in changes:
        latest[change.contribution_id] = (change.pk, contribution)
    count = queries.contributor_count(event_id)
    frames = []
    for contribution_id, (change_id, contribution) in sorted(
        latest.items(), key=lambda item: item[1][0]
    ):
        data: dict[str, Any]
        if contribution is None or (
            audience == WALL and contribution.state != Contribution.State.VISIBLE
        ):
            frames.append(
                live.sse_frame(change_id, "remove", {"id": contribution_id, "contributors": count})
            )
        else:
            data = (
                public_payload(contribution, count)
                if audience == WALL
                else moderation_payload(contribution, count)
            )
            frames.append(live.sse_frame(change_id, "upsert", data))
    return last, frames


def _in_pool(function: Any) -> Any:
    """Database work off the event loop, in the shared thread pool (one connection per
    pool thread, not one per viewer)."""

    def call(*args: Any) -> Any:
        close_old_connections()
        return function(*args)

    return sync_to_async(call, thread_sensitive=False)


class Feed:
    def __init__(self, event_id: int, audience: str, language: str) -> None:
        self.event_id = event_id
        self.audience = audience
        self.language = language
        self.watermark = 0
        self.subscribers: set[asyncio.Queue[list[str] | None]] = set()
        self.ready = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def render(self, after: int, upto: int | None = None) -> tuple[int, list[str]]:
        with translation.override(self.language):
            return render_changes(self.event_id, after, self.audience, upto)

    async def run(self) -> None:
        heartbeat = settings.LIVE_HEARTBEAT_SECONDS
        ping = ["event: ping\ndata: {}\n\n"]
        while self.subscribers:
            async with live.subscribe(channel(self.event_id)) as notifications:
                # Subscribed first, so a change committed from now on wakes us up.
                self.watermark = await _in_pool(queries.last_change_id_for)(self.event_id)
                self.ready.set()
                while self.subscribers and not notifications.ended:
                    try:
                        await notifications.receive(timeout=heartbeat)
                    except TimeoutError:
                        self._send(ping)
                        continue
                    notifications.drain()
                    self.watermark, frames = await _in_pool(self.render)(self.watermark)
                    if frames:
                        self._send(frames)
            # The notification channel broke (Redis went away): subscribers replay from
            # the database when they reconnect, so end them and start over.
            for queue in list(self.subscribers):
                self._end(queue)

    def _send(self, frames: list[str]) -> None:
        for queue in list(self.subscribers):
            try:
                queue.put_nowait(frames)
            except asyncio.QueueFull:
                self._end(queue)

    def _end(self, queue: "asyncio.Queue[list[str] | None]") -> None:
        self.subscribers.discard(queue)
        with contextlib.suppress(asyncio.QueueEmpty):
            queue.get_nowait()
        with contextlib.suppress(asyncio.QueueFull):
            queue.put_nowait(None)


_feeds: dict[tuple[int, str, str], Feed] = {}


async def follow(
    event_id: int, audience: str, after: int, language: str
) -> AsyncGenerator[str, None]:
    """Everything after change ``after``: first replayed from the database, then live."""
    key = (event_id, audience, language)
    feed = _feeds.get(key)
    if feed is None or feed.task is None or feed.task.done():
        feed = _feeds[key] = Feed(event_id, audience, language)
    queue: asyncio.Queue[list[str] | None] = asyncio.Queue(maxsize=QUEUE_SIZE)
    feed.subscribers.add(queue)
    if feed.task is None:
        feed.task = asyncio.get_running_loop().create_task(feed.run())
    try:
        yield "retry: 2000\n\n"
        try:
            await asyncio.wait_for(feed.ready.wait(), timeout=30)
        except TimeoutError:
            return  # the feed could not start (database down?): the browser retries
        # No await between reading the watermark and the queue taking over: the replay
        # covers up to the watermark, the feed everything after it.
        upto = feed.watermark
        _last, frames = await _in_pool(feed.render)(min(after, upto), upto)
        for frame in frames:
            yield frame
        while True:
            batch = await queue.get()
            if batch is None:
                return  # too slow, or the notifications broke: the browser reconnects
            for frame in batch:
                yield frame
    finally:
        feed.subscribers.discard(queue)
        if not feed.subscribers and feed.task is not None:
            feed.task.cancel()
            if _feeds.get(key) is feed:
                del _feeds[key]
