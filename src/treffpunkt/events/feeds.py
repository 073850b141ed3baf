"""Live feeds of a wall, one per event, audience and language in each server process.

Notifications (``core.live``) only say "this wall changed". The feed then reads every change
after its watermark from the database, in commit order, encodes the SSE frames of the batch
once into one ``bytes`` and writes those same bytes to every subscriber. The order therefore
never depends on the order in which notifications arrive, a burst of posts costs one query
and one write per viewer, and a lost notification is made good by the next one.

Commit order equals id order per wall: writers lock the event row before they record a
change (PostgreSQL), and SQLite serializes all writes.

Subscribers are sinks with a non-blocking ``deliver(body) -> bool``. The public wall's sink
(``AsgiSink``) writes straight into the viewer's ASGI ``send`` from the feed's loop: no queue,
task or generator per viewer is woken per change, which is what lets one process serve
thousands of viewers. A viewer whose connection cannot take more right now (the server's
write buffer is full) is ended instead of being waited for; its browser reconnects with
``Last-Event-ID`` and the replay from the database brings it up to date, so nothing is lost.
"""

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncGenerator, Coroutine
from typing import Any, Protocol

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import translation

from treffpunkt.core import live, sse
from treffpunkt.events import queries
from treffpunkt.events.models import Contribution
from treffpunkt.events.payloads import moderation_payload, public_payload

logger = logging.getLogger(__name__)

WALL = "wall"
MODERATE = "moderate"
QUEUE_SIZE = 500  # batches a queued subscriber may fall behind before it is sent away
HELD_LIMIT = 500  # batches a sink may collect while its replay is being written
BATCH_SECONDS = 0.1  # at most one write per viewer in this time (changes are merged)
READY_TIMEOUT = 30  # seconds a new subscriber waits for its feed to start
# A quiet feed looks for changes no notification told it of this often (one indexed query):
# the worker writes fediverse posts, and without Redis its notifications stay in its process.
OUTSIDE_CHECK = 0.25


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
        return last, [sse.frame(last, "reload", {})]
    latest: dict[int, tuple[int, Contribution | None]] = {}
    for change, contribution in changes:
        latest[change.contribution_id] = (change.pk, contribution)
    count = _contributor_count(event_id, last)
    frames = []
    for contribution_id, (change_id, contribution) in sorted(
        latest.items(), key=lambda item: item[1][0]
    ):
        data: dict[str, Any]
        if contribution is None or (
            audience == WALL and contribution.state != Contribution.State.VISIBLE
        ):
            frames.append(
                sse.frame(change_id, "remove", {"id": contribution_id, "contributors": count})
            )
        else:
            data = (
                public_payload(contribution, count)
                if audience == WALL
                else moderation_payload(contribution, count)
            )
            frames.append(sse.frame(change_id, "upsert", data))
    return last, frames


_counts: dict[int, tuple[int, int]] = {}  # event id: (last change id, contributors)
_counts_lock = threading.Lock()


def _contributor_count(event_id: int, last_change: int) -> int:
    """How many people have a visible post, once per wall and change (not once per feed:
    every language and audience has its own feed). Every change of what is visible is a
    recorded change, so the count as of a change id stays right."""
    with _counts_lock:
        cached = _counts.get(event_id)
    if cached is not None and cached[0] == last_change:
        return cached[1]
    count = queries.contributor_count(event_id)
    with _counts_lock:
        if _counts.get(event_id, (0, 0))[0] <= last_change:
            _counts[event_id] = (last_change, count)
    return count


def _in_pool(function: Any) -> Any:
    """Database work off the event loop, in the shared thread pool (one connection per
    pool thread, not one per viewer)."""

    def call(*args: Any) -> Any:
        close_old_connections()  # drops broken (and, on PostgreSQL, expired) connections
        try:
            return function(*args)
        finally:
            if connection.vendor == "sqlite" and connection.connection is not None:
                connection.close_at = None  # keep it: opening one costs more than the read

    return sync_to_async(call, thread_sensitive=False)


class Sink(Protocol):
    def deliver(self, body: bytes) -> bool:
        """Take one encoded batch without waiting; False if this subscriber must go."""

    def end(self) -> None:
        """The feed lets go of this subscriber: its stream should end (and reconnect)."""


class AsgiSink:
    """One viewer of the public wall: batches go straight into its ASGI ``send``.

    ``send`` is driven one step by hand instead of being awaited in a task: a server like
    uvicorn writes to the socket and finishes in that first step. It suspends only when
    it must wait for the socket to drain (it waits *before* writing, so nothing is half
    written), and then the viewer is too far behind: the coroutine is closed and the viewer
    ended; its browser reconnects and replays from the database.
    """

    __slots__ = ("_send", "ended", "held")

    def __init__(self, send: Any) -> None:
        self._send = send
        self.ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # Batches that arrive while the replay is being written wait here (in order).
        self.held: list[bytes] | None = []

    def deliver(self, body: bytes) -> bool:
        if self.ended.done():
            return False
        if self.held is not None:
            self.held.append(body)
            return len(self.held) <= HELD_LIMIT
        return self._write(body)

    def release(self) -> bool:
        """The replay is written: send what arrived meanwhile and go live."""
        held, self.held = self.held or [], None
        return not held or self._write(b"".join(held))

    def _write(self, body: bytes) -> bool:
        step: Coroutine[Any, Any, None] = self._send(
            {"type": "http.response.body", "body": body, "more_body": True}
        )
        try:
            step.send(None)
        except StopIteration:
            return True
        except Exception:
            return False  # the connection is gone
        step.close()  # waiting for the socket to drain: this viewer is too slow
        return False

    def end(self) -> None:
        if not self.ended.done():
            self.ended.set_result(None)


class QueueSink:
    """A subscriber read by an async generator (the Django streaming responses)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=QUEUE_SIZE)

    def deliver(self, body: bytes) -> bool:
        try:
            self.queue.put_nowait(body)
        except asyncio.QueueFull:
            return False
        return True

    def end(self) -> None:
        with contextlib.suppress(asyncio.QueueEmpty):
            self.queue.get_nowait()
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)


class Feed:
    def __init__(self, event_id: int, audience: str, language: str) -> None:
        self.event_id = event_id
        self.audience = audience
        self.language = language
        self.watermark = 0
        self.subscribers: set[Sink] = set()
        self.joining = 0  # subscribers waiting for the feed to be ready
        self.ready = asyncio.Event()
        self.stopped = False
        self.task: asyncio.Task[None] | None = None

    def wanted(self) -> bool:
        return bool(self.subscribers or self.joining)

    def render(self, after: int, upto: int | None = None) -> tuple[int, bytes]:
        with translation.override(self.language):
            last, frames = render_changes(self.event_id, after, self.audience, upto)
        return last, "".join(frames).encode()

    async def run(self) -> None:
        try:
            await self._follow_changes()
        except Exception:
            logger.exception(
                "The live feed of wall %s stopped; its viewers reconnect", self.event_id
            )
        finally:
            # Whatever ended the feed, its subscribers reconnect and replay; joiners
            # waiting for it are woken and told so (the feed's task is done).
            self.stopped = True
            self.ready.set()
            for sink in list(self.subscribers):
                self._end(sink)

    async def _follow_changes(self) -> None:
        heartbeat = settings.LIVE_HEARTBEAT_SECONDS
        loop = asyncio.get_running_loop()
        last_write = -BATCH_SECONDS
        while self.wanted():
            async with live.subscribe(channel(self.event_id)) as notifications:
                # Subscribed first, so a change committed from now on wakes us up.
                self.watermark = await _in_pool(queries.last_change_id_for)(self.event_id)
                self.ready.set()
                last_sent = loop.time()
                while self.wanted() and not notifications.ended:
                    try:
                        await notifications.receive(timeout=min(heartbeat, OUTSIDE_CHECK))
                    except TimeoutError:
                        # Changes written by another process that cannot notify us (the
                        # worker without Redis: fediverse posts) are read here.
                        self.watermark, body = await _in_pool(self.render)(self.watermark)
                        if body:
                            self._send(body)
                            last_sent = last_write = loop.time()
                        elif loop.time() - last_sent >= heartbeat:
                            self._send(sse.PING)
                            last_sent = loop.time()
                        continue
                    last_sent = loop.time()
                    # In a burst, changes that come within BATCH_SECONDS of the last write
                    # go out together: one write per viewer for several posts. A change
                    # after a quiet moment goes out at once.
                    pause = last_write + BATCH_SECONDS - loop.time()
                    if pause > 0:
                        await asyncio.sleep(pause)
                    last_write = loop.time()
                    notifications.drain()
                    # New subscribers meanwhile replay up to the old watermark and get
                    # this batch live: the watermark moves together with the send.
                    self.watermark, body = await _in_pool(self.render)(self.watermark)
                    if body:
                        self._send(body)
            # The notification channel broke (Redis went away): subscribers replay from
            # the database when they reconnect, so end them and start over.
            self.ready.clear()
            for sink in list(self.subscribers):
                self._end(sink)

    def stop(self) -> None:
        """End every subscriber now and stop following the wall (the server is stopping)."""
        self.stopped = True
        self.ready.set()  # subscribers still joining learn that the feed is gone
        for sink in list(self.subscribers):
            self._end(sink)
        if self.task is not None:
            self.task.cancel()

    def _send(self, body: bytes) -> None:
        for sink in list(self.subscribers):
            if not sink.deliver(body):
                self._end(sink)

    def _end(self, sink: Sink) -> None:
        self.subscribers.discard(sink)
        sink.end()


_feeds: dict[tuple[int, str, str], Feed] = {}


def _feed(event_id: int, audience: str, language: str) -> Feed:
    key = (event_id, audience, language)
    feed = _feeds.get(key)
    if feed is None or feed.stopped or feed.task is None or feed.task.done():
        feed = _feeds[key] = Feed(event_id, audience, language)
        feed.task = asyncio.get_running_loop().create_task(feed.run())
    return feed


async def attach(
    event_id: int, audience: str, language: str, sink: Sink, after: int
) -> tuple[Feed, bytes] | None:
    """Add ``sink`` to the feed and return the replay of what came after ``after``.

    The sink gets every batch after the replay; None if the feed could not start (the
    database is down?), then the stream should end so that the browser retries.
    """
    if live.stopping():
        return None  # the server is stopping: the browser reconnects to the next one
    feed = _feed(event_id, audience, language)
    feed.joining += 1
    started = False
    try:
        async with asyncio.timeout(READY_TIMEOUT):
            while not feed.ready.is_set():
                await feed.ready.wait()
        started = not feed.stopped
    except TimeoutError:
        pass
    finally:
        feed.joining -= 1
        if not started:
            detach(feed, sink)
    if not started:
        return None
    # No await between reading the watermark and joining: the replay covers up to the
    # watermark, the feed everything after it.
    upto = feed.watermark
    feed.subscribers.add(sink)
    try:
        _last, replay = await _in_pool(feed.render)(min(after, upto), upto)
    except BaseException:
        detach(feed, sink)
        raise
    return feed, replay


def detach(feed: Feed, sink: Sink) -> None:
    feed.subscribers.discard(sink)
    if not feed.wanted() and feed.task is not None:
        feed.task.cancel()
        key = (feed.event_id, feed.audience, feed.language)
        if _feeds.get(key) is feed:
            del _feeds[key]


def end_all_streams() -> None:
    """The server is stopping: end every open stream of this process at once.

    Each sink ends its response with the final empty chunk, so the server's graceful
    shutdown does not wait for streams that never end by themselves, and every browser
    reconnects after the ``retry:`` pause (to the next server) and replays what it missed.
    Registered with ``core.live.on_shutdown``; runs in the event loop.
    """
    for feed in list(_feeds.values()):
        feed.stop()
    _feeds.clear()


async def follow(
    event_id: int, audience: str, after: int, language: str
) -> AsyncGenerator[bytes, None]:
    """Everything after change ``after``: first replayed from the database, then live."""
    sink = QueueSink()
    feed = None
    try:
        yield sse.RETRY
        attached = await attach(event_id, audience, language, sink, after)
        if attached is None:
            return  # the feed could not start (database down?): the browser retries
        feed, replay = attached
        if replay:
            yield replay
        while True:
            batch = await sink.queue.get()
            if batch is None:
                return  # too slow, or the notifications broke: the browser reconnects
            yield batch
    finally:
        if feed is not None:
            detach(feed, sink)
