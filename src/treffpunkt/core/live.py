"""Live updates: ``publish`` from synchronous code after a commit, ``subscribe`` in the
async stream endpoint.

Two backends behind the same two calls:
- in-process (default): subscribers are asyncio queues in this process's event loop;
- Redis pub/sub (when ``REDIS_URL`` is set): every process publishes to Redis and one
  listener task per process hands messages to that process's local subscribers, so several
  server processes behind one proxy show the same wall.

A message is a small JSON-serializable dict. Walls publish only "this wall changed" and
read the changes themselves from the database (``events.feeds``), so nothing depends on
messages arriving in order or at all.
"""

import asyncio
import contextlib
import hashlib
import json
import logging
import threading
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

Message = dict[str, Any]
QUEUE_SIZE = 1000  # a subscriber this far behind is dropped and reconnects (then replays)


class Hub:
    """The subscribers of this process, by channel, and the loop they live in."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[Message | None]]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def add(self, channel: str) -> asyncio.Queue[Message | None]:
        queue: asyncio.Queue[Message | None] = asyncio.Queue(maxsize=QUEUE_SIZE)
        with self._lock:
            self._loop = asyncio.get_running_loop()
            self._subscribers[channel].add(queue)
        return queue

    def remove(self, channel: str, queue: asyncio.Queue[Message | None]) -> None:
        with self._lock:
            subscribers = self._subscribers.get(channel)
            if subscribers is not None:
                subscribers.discard(queue)
                if not subscribers:
                    del self._subscribers[channel]

    def channels(self) -> list[str]:
        with self._lock:
            return list(self._subscribers)

    def deliver(self, channel: str, message: Message) -> None:
        """Hand a message to local subscribers; safe to call from any thread."""
        loop = self._loop
        if loop is None or channel not in self._subscribers:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._fan_out(channel, message)
        elif not loop.is_closed():
            loop.call_soon_threadsafe(self._fan_out, channel, message)

    def _fan_out(self, channel: str, message: Message) -> None:
        for queue in list(self._subscribers.get(channel, ())):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                # Too slow: end this subscriber; its browser reconnects and replays.
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
                queue.put_nowait(None)
                self.remove(channel, queue)


class InProcessBackend:
    def __init__(self) -> None:
        self.hub = Hub()

    def publish(self, channel: str, message: Message) -> None:
        self.hub.deliver(channel, message)

    async def start(self) -> None:
        return None


class RedisBackend:
    """Publishes through Redis; one pub/sub listener per process feeds the local hub."""

    def __init__(self, url: str) -> None:
        import redis

        # Instances sharing one Redis must not hear each other: the prefix is derived from
        # the secret key, which all processes of one instance share.
        digest = hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest()[:12]
        self.PREFIX = f"treffpunkt:{digest}:live:"
        self.url = url
        self.hub = Hub()
        self._client = redis.Redis.from_url(url)
        self._listener: asyncio.Task[None] | None = None
        self._ready: asyncio.Event | None = None

    def publish(self, channel: str, message: Message) -> None:
        self._client.publish(self.PREFIX + channel, json.dumps(message))

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        listener = self._listener
        if listener is None or listener.done() or listener.get_loop() is not loop:
            self._ready = ready = asyncio.Event()
            self._listener = loop.create_task(self._listen())
        else:
            ready = self._ready or asyncio.Event()
        await ready.wait()

    async def _listen(self) -> None:
        import redis.asyncio as aioredis

        while True:
            try:
                client = aioredis.Redis.from_url(self.url)
                pubsub = client.pubsub()
                await pubsub.psubscribe(self.PREFIX + "*")
                if self._ready is not None:
                    self._ready.set()
                async for raw in pubsub.listen():
                    if raw.get("type") != "pmessage":
                        continue
                    channel = raw["channel"].decode()[len(self.PREFIX) :]
                    self.hub.deliver(channel, json.loads(raw["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Lost the connection to Redis for live updates; retrying")
                # Subscribers may have missed messages: end them so their browsers replay.
                for channel in self.hub.channels():
                    self.hub.deliver(channel, {"id": None, "event": "reconnect", "data": {}})
                await asyncio.sleep(1)


_backend: InProcessBackend | RedisBackend | None = None
_backend_lock = threading.Lock()


def backend() -> InProcessBackend | RedisBackend:
    global _backend
    with _backend_lock:
        if _backend is None:
            _backend = (
                RedisBackend(settings.REDIS_URL) if settings.REDIS_URL else InProcessBackend()
            )
        return _backend


def reset_backend() -> None:
    """Forget the backend (tests that switch REDIS_URL)."""
    global _backend
    with _backend_lock:
        _backend = None


def sse_frame(message_id: int | None, event: str, data: Any) -> str:
    """One Server-Sent Events frame."""
    head = f"id: {message_id}\n" if message_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def publish(channel: str, message: Message) -> None:
    """Send a small message to everyone subscribed to the channel, in every process."""
    try:
        backend().publish(channel, message)
    except Exception:
        # Live delivery is best effort: the change is committed and will be replayed.
        logger.exception("Could not publish a live update on %s", channel)


class Subscription:
    """Messages on one channel from the moment of subscribing."""

    def __init__(self, queue: "asyncio.Queue[Message | None]") -> None:
        self._queue = queue
        self.ended = False

    async def receive(self, timeout: float) -> Message | None:
        """The next message; None once the subscription ended (the client should reconnect).

        Raises TimeoutError when nothing arrived within ``timeout`` seconds.
        """
        if self.ended:
            return None
        message = await asyncio.wait_for(self._queue.get(), timeout)
        if message is None or message.get("event") == "reconnect":
            self.ended = True
            return None
        return message

    def drain(self) -> None:
        """Drop the messages already waiting (a reader that re-reads the source needs
        one wake-up, not one per message)."""
        while not self._queue.empty():
            if self._queue.get_nowait() is None:
                self.ended = True


@contextlib.asynccontextmanager
async def subscribe(
    channel: str, using: InProcessBackend | RedisBackend | None = None
) -> AsyncIterator[Subscription]:
    """Subscribe before reading the database, so nothing falls between replay and stream."""
    live = using or backend()
    await live.start()
    queue = live.hub.add(channel)
    try:
        yield Subscription(queue)
    finally:
        live.hub.remove(channel, queue)
