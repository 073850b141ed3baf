"""The live streams: the public wall's (served by events.stream_app in front of Django, as
in production) and the moderators' (a Django view): replay after Last-Event-ID, then live
changes, each audience seeing only what it may."""

import asyncio

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import AsyncClient

from tests.submitting import post_to_wall
from treffpunkt.core import live, sse
from treffpunkt.events import actions

from .streaming import Visitor, parse


async def read_frames(response, count, timeout=5):
    """Read a Django streaming response until `count` upsert/remove frames arrived."""
    chunks = []
    iterator = aiter(response.streaming_content)

    async def collect():
        while len([f for f in parse(chunks) if f[1] in {"upsert", "remove"}]) < count:
            chunk = await anext(iterator)
            chunks.append(chunk.decode() if isinstance(chunk, bytes) else chunk)

    await asyncio.wait_for(collect(), timeout)
    return [f for f in parse(chunks) if f[1] in {"upsert", "remove"}]


def submit(event, participant, text):
    return post_to_wall(event=event, participant=participant, text=text)


@pytest.fixture(autouse=True)
def _fresh_backend():
    live.reset_backend()
    yield
    live.reset_backend()


@pytest.mark.django_db(transaction=True)
def test_replay_after_last_event_id_then_live(event, guest, admin_user):
    first = submit(event, guest, "Erster Beitrag")
    second = submit(event, guest, "Zweiter <script>alert(1)</script>")
    actions.moderate_contribution(first, "hide", admin_user)

    @async_to_sync
    async def scenario():
        visitor = Visitor(f"/e/{event.hashtag}/stream", headers=[(b"last-event-id", b"1")])
        visitor.start()
        await visitor.wait_for(2)
        start = next(m for m in visitor.sent if m["type"] == "http.response.start")
        assert (b"content-type", sse.CONTENT_TYPE.encode()) in start["headers"]
        replayed = visitor.frames()
        # the second post as it is now, and the first one removed (it is hidden)
        assert [(kind, data["id"]) for _id, kind, data in replayed] == [
            ("upsert", second.pk),
            ("remove", first.pk),
        ]
        assert "<script>" not in replayed[0][2]["html"]
        assert "&lt;script&gt;" in replayed[0][2]["html"]
        assert "state" not in replayed[0][2]  # the public stream says nothing about moderation

        third = await sync_to_async(submit)(event, guest, "Dritter Beitrag")
        await visitor.wait_for(3)
        frame = visitor.frames()[-1]
        assert frame[1] == "upsert"
        assert frame[2]["id"] == third.pk
        assert int(frame[0]) > int(replayed[-1][0])
        await visitor.leave()

    scenario()


@pytest.mark.django_db(transaction=True)
def test_held_posts_reach_moderators_but_not_the_wall(make_event, guest, admin_user):
    event = make_event(hashtag="vorab", moderation="pre")
    held = submit(event, guest, "Bitte prüfen")

    @async_to_sync
    async def scenario():
        wall = Visitor(f"/e/{event.hashtag}/stream", query=b"after=0")
        wall.start()
        moderators = AsyncClient()
        await sync_to_async(moderators.force_login)(admin_user)
        queue = await moderators.get(f"/e/{event.hashtag}/moderate/stream?after=0")
        assert queue["Content-Type"] == sse.CONTENT_TYPE
        assert queue["X-Accel-Buffering"] == "no"

        await wall.wait_for(1)
        (queue_frame,) = await read_frames(queue, 1)
        assert wall.frames()[0][1] == "remove"
        assert queue_frame[1] == "upsert"
        assert queue_frame[2]["state"] == "held"
        await wall.leave()
        await queue.streaming_content.aclose()

    scenario()
    assert held.state == "held"


@pytest.mark.django_db(transaction=True)
def test_moderation_stream_is_for_moderators_only(event, member):
    client = AsyncClient()

    @async_to_sync
    async def scenario():
        assert (await client.get(f"/e/{event.hashtag}/moderate/stream")).status_code == 403
        await sync_to_async(client.force_login)(member)
        assert (await client.get(f"/e/{event.hashtag}/moderate/stream")).status_code == 403
        assert (await client.get("/e/gibtsnicht/moderate/stream")).status_code == 404
        missing = Visitor("/e/gibtsnicht/stream")
        missing.start()
        await asyncio.wait_for(missing.task, 5)
        assert missing.status == 404

    scenario()


@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_keeps_idle_connections_open(event, settings):
    settings.LIVE_HEARTBEAT_SECONDS = 0.1

    @async_to_sync
    async def scenario():
        visitor = Visitor(f"/e/{event.hashtag}/stream")
        visitor.start()

        async def pinged():
            while sse.PING not in b"".join(m.get("body", b"") for m in visitor.sent):
                await asyncio.sleep(0.02)

        await asyncio.wait_for(pinged(), 2)
        await visitor.leave()

    scenario()


def test_last_event_id_parsing_takes_only_plain_digits():
    assert sse.last_event_id({"Last-Event-ID": "42"}, {}) == 42
    assert sse.last_event_id({}, {"after": "7"}) == 7
    assert sse.last_event_id({}, {"after": ["7"]}) == 7
    # A header wins over the query (the browser's own reconnect).
    assert sse.last_event_id({"Last-Event-ID": "9"}, {"after": "7"}) == 9
    for bad in ("-1", "x", "²", "1²", "①", "9" * 40, ""):
        assert sse.last_event_id({"Last-Event-ID": bad}, {}) == 0, bad
