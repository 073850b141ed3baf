"""The live stream endpoint: replay after Last-Event-ID, then live changes."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import AsyncClient

from treffpunkt.core import live
from treffpunkt.events import actions


def parse(chunks):
    frames = []
    for frame in "".join(chunks).split("\n\n"):
        fields = dict(line.split(": ", 1) for line in frame.splitlines() if ": " in line)
        if "event" in fields:
            frames.append((fields.get("id"), fields["event"], json.loads(fields["data"])))
    return frames


async def read_frames(response, count, timeout=5):
    """Read until `count` upsert/remove frames arrived."""
    chunks = []
    iterator = aiter(response.streaming_content)

    async def collect():
        while len([f for f in parse(chunks) if f[1] in {"upsert", "remove"}]) < count:
            chunk = await anext(iterator)
            chunks.append(chunk.decode() if isinstance(chunk, bytes) else chunk)

    await asyncio.wait_for(collect(), timeout)
    return [f for f in parse(chunks) if f[1] in {"upsert", "remove"}]


def submit(event, participant, text):
    return actions.submit_contribution(event=event, participant=participant, text=text)


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
        client = AsyncClient()
        response = await client.get(f"/e/{event.hashtag}/stream", headers={"Last-Event-ID": "1"})
        assert response["Content-Type"] == "text/event-stream"
        replayed = await read_frames(response, 2)
        # the second post as it is now, and the first one removed (it is hidden)
        assert [(kind, data["id"]) for _id, kind, data in replayed] == [
            ("upsert", second.pk),
            ("remove", first.pk),
        ]
        assert "<script>" not in replayed[0][2]["html"]
        assert "&lt;script&gt;" in replayed[0][2]["html"]
        assert "state" not in replayed[0][2]  # the public stream says nothing about moderation

        third = await sync_to_async(submit)(event, guest, "Dritter Beitrag")
        (frame,) = await read_frames(response, 1)
        assert frame[1] == "upsert"
        assert frame[2]["id"] == third.pk
        assert int(frame[0]) > int(replayed[-1][0])
        await response.streaming_content.aclose()

    scenario()


@pytest.mark.django_db(transaction=True)
def test_held_posts_reach_moderators_but_not_the_wall(make_event, guest, admin_user):
    event = make_event(hashtag="vorab", moderation="pre")
    held = submit(event, guest, "Bitte prüfen")

    @async_to_sync
    async def scenario():
        wall = await AsyncClient().get(f"/e/{event.hashtag}/stream?after=0")
        moderators = AsyncClient()
        await sync_to_async(moderators.force_login)(admin_user)
        queue = await moderators.get(f"/e/{event.hashtag}/moderate/stream?after=0")

        (wall_frame,) = await read_frames(wall, 1)
        (queue_frame,) = await read_frames(queue, 1)
        assert wall_frame[1] == "remove"
        assert queue_frame[1] == "upsert"
        assert queue_frame[2]["state"] == "held"
        await wall.streaming_content.aclose()
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
        assert (await client.get("/e/gibtsnicht/stream")).status_code == 404

    scenario()


@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_keeps_idle_connections_open(event, settings):
    settings.LIVE_HEARTBEAT_SECONDS = 0.1

    @async_to_sync
    async def scenario():
        response = await AsyncClient().get(f"/e/{event.hashtag}/stream")
        iterator = aiter(response.streaming_content)
        seen = ""
        while "event: ping" not in seen:
            chunk = await asyncio.wait_for(anext(iterator), 2)
            seen += chunk.decode() if isinstance(chunk, bytes) else chunk
        await response.streaming_content.aclose()

    scenario()
