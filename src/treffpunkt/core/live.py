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

When the server is told to stop, ``shut_down`` ends every open live stream at once (apps
register how with ``on_shutdown``): streams never end by themselves, so the server would
otherwise wait for them until it gives up and cancels them.
"""

import asyncio
import contextlib
import hashlib
import json
import logging
import queue as queues
import threading
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
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
        self._outbox: queues.SimpleQueue[tuple[str, str] | threading.Event] = queues.SimpleQueue()
        self._publisher: threading.Thread | None = None
        self._publisher_lock = threading.Lock()
        self._listener: asyncio.Task[None] | None = None
        self._ready: asyncio.Event | None = None

    def publish(self, channel: str, message: Message) -> None:
        """Queue the message for Redis and return at once.

        One publisher thread sends the queue (several messages in one round trip when they
        pile up), so a request that committed a change does not wait for Redis, nor for
        the GIL after each socket call while the event loop is busy writing to viewers.
        """
        self._outbox.put((self.PREFIX + channel, json.dumps(message)))
        with self._publisher_lock:
            if self._publisher is None or not self._publisher.is_alive():
                self._publisher = threading.Thread(
                    target=self._publish_queued, name="treffpunkt-live-publish", daemon=True
                )
                self._publisher.start()

    def flush(self, timeout: float = 5) -> bool:
        """Wait until everything queued so far has been sent (tests, shutdown)."""
        done = threading.Event()
        self._outbox.put(done)
        return done.wait(timeout)

    def _publish_queued(self) -> None:
        while True:
            item = self._outbox.get()
            batch = [item]
            while len(batch) < 500:
                try:
                    batch.append(self._outbox.get_nowait())
                except queues.Empty:
                    break
            messages = [entry for entry in batch if isinstance(entry, tuple)]
            try:
                if messages:
                    pipe = self._client.pipeline(transaction=False)
                    for channel, payload in messages:
                        pipe.publish(channel, payload)
                    pipe.execute()
            except Exception:
                # Live delivery is best effort: the changes are committed and replayed.
                logger.exception("Could not publish %s live updates", len(messages))
            for entry in batch:
                if isinstance(entry, threading.Event):
                    entry.set()

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
    """Forget the backend and any shutdown (tests that switch REDIS_URL or stop streams)."""
    global _backend, _stopping
    with _backend_lock:
        _backend = None
    _stopping = False


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


# --- stopping the server ---------------------------------------------------------------

_shutdown_callbacks: list[Callable[[], None]] = []
_stopping = False


def on_shutdown(callback: Callable[[], None]) -> None:
    """Have ``callback`` end what an app keeps open (its live streams) when the server stops.

    Apps register in their ``AppConfig.ready``; ``core`` knows none of them. The callback
    runs in the server's event loop and must not wait: it ends each stream (the response's
    final empty chunk), so that the server's graceful shutdown completes at once and every
    browser reconnects, to the next server, after the ``retry:`` pause.
    """
    if callback not in _shutdown_callbacks:
        _shutdown_callbacks.append(callback)


def shut_down() -> None:
    """The server is stopping: refuse new subscribers and end every open stream now.

    Call it in the server's event loop; from a signal handler, through
    ``loop.call_soon_threadsafe``.
    """
    global _stopping
    _stopping = True
    for callback in list(_shutdown_callbacks):
        try:
            callback()
        except Exception:
            logger.exception("Could not end the open live streams")


def stopping() -> bool:
    """True once ``shut_down`` ran: a stream that starts now ends at once (and reconnects)."""
    return _stopping
