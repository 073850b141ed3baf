"""The live-update hub and both backends, the Redis one against the real Redis server."""

import asyncio
import threading

import pytest

from treffpunkt.core import live, sse


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 10))


def test_in_process_subscribers_get_messages_published_from_other_threads():
    backend = live.InProcessBackend()

    async def scenario():
        async with (
            _subscribe(backend, "wall:1") as first,
            _subscribe(backend, "wall:1") as second,
            _subscribe(backend, "wall:2") as other,
        ):
            thread = threading.Thread(
                target=backend.publish, args=("wall:1", {"id": 1, "event": "upsert"})
            )
            thread.start()
            thread.join()
            assert (await first.receive(2))["id"] == 1
            assert (await second.receive(2))["id"] == 1
            with pytest.raises(TimeoutError):
                await other.receive(0.2)

    run(scenario())


def test_a_subscriber_that_falls_behind_is_ended_not_blocking(monkeypatch):
    monkeypatch.setattr(live, "QUEUE_SIZE", 3)
    backend = live.InProcessBackend()

    async def scenario():
        async with _subscribe(backend, "wall:1") as slow:
            for number in range(5):
                backend.publish("wall:1", {"id": number, "event": "upsert"})
            received = [await slow.receive(1) for _ in range(3)]
            assert received[-1] is None  # told to reconnect (and replay)
            assert slow.ended

    run(scenario())


def test_sse_frames():
    frame = sse.frame(7, "upsert", {"text": "a\nb"})
    assert frame == 'id: 7\nevent: upsert\ndata: {"text":"a\\nb"}\n\n'


def test_redis_backend_delivers_across_processes(redis_url):
    """Two backends stand for two server processes sharing one Redis."""
    publisher_side = live.RedisBackend(redis_url)
    viewer_side = live.RedisBackend(redis_url)

    async def scenario():
        async with _subscribe(viewer_side, "wall:42") as viewer:
            await asyncio.get_running_loop().run_in_executor(
                None, publisher_side.publish, "wall:42", {"id": 9, "event": "upsert", "frame": "x"}
            )
            message = await viewer.receive(3)
            assert message == {"id": 9, "event": "upsert", "frame": "x"}

    run(scenario())


def test_redis_publish_does_not_wait_for_redis_and_loses_nothing_in_a_burst(redis_url):
    publisher_side = live.RedisBackend(redis_url)
    viewer_side = live.RedisBackend(redis_url)

    async def scenario():
        async with _subscribe(viewer_side, "wall:43") as viewer:
            for number in range(200):
                publisher_side.publish("wall:43", {"id": number})
            assert await asyncio.get_running_loop().run_in_executor(None, publisher_side.flush)
            received = [(await viewer.receive(3))["id"] for _ in range(200)]
            assert sorted(received) == list(range(200))

    run(scenario())


def _subscribe(backend, channel):
    return live.subscribe(channel, using=backend)
