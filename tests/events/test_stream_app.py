"""The public wall stream as served in production: the ASGI app in front of Django."""

import asyncio

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from treffpunkt.asgi import application
from treffpunkt.core import live
from treffpunkt.events import actions

from .test_stream import parse


class Visitor:
    """Drives one ASGI request by hand: what a browser's EventSource does."""

    def __init__(self, path, headers=(), query=b""):
        self.scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "query_string": query,
            "headers": list(headers),
        }
        self.incoming = asyncio.Queue()
        self.sent = []
        self.task = None

    async def receive(self):
        return await self.incoming.get()

    async def send(self, message):
        self.sent.append(message)

    def start(self):
        self.task = asyncio.ensure_future(application(self.scope, self.receive, self.send))

    @property
    def status(self):
        return next(m["status"] for m in self.sent if m["type"] == "http.response.start")

    def frames(self):
        body = "".join(
            m.get("body", b"").decode() for m in self.sent if m["type"] == "http.response.body"
        )
        return [f for f in parse([body]) if f[1] in {"upsert", "remove"}]

    async def wait_for(self, count, timeout=5):
        async def enough():
            while len(self.frames()) < count:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(enough(), timeout)

    async def leave(self):
        await self.incoming.put({"type": "http.disconnect"})
        await asyncio.wait_for(self.task, 5)


@pytest.fixture(autouse=True)
def _fresh_backend():
    live.reset_backend()
    yield
    live.reset_backend()


@pytest.mark.django_db(transaction=True)
def test_replay_then_live_then_clean_disconnect(event, guest):
    first = actions.submit_contribution(event=event, participant=guest, text="Vorher")

    @async_to_sync
    async def scenario():
        visitor = Visitor(f"/e/{event.hashtag}/stream", headers=[(b"last-event-id", b"0")])
        visitor.start()
        await visitor.wait_for(1)
        assert visitor.status == 200
        second = await sync_to_async(actions.submit_contribution)(
            event=event, participant=guest, text="Nachher"
        )
        await visitor.wait_for(2)
        assert [data["id"] for _id, _kind, data in visitor.frames()] == [first.pk, second.pk]
        await visitor.leave()

    scenario()


@pytest.mark.django_db(transaction=True)
def test_unknown_hashtag_and_wrong_method(event):
    @async_to_sync
    async def scenario():
        missing = Visitor("/e/gibtsnicht/stream")
        missing.start()
        await asyncio.wait_for(missing.task, 5)
        assert missing.status == 404

        posting = Visitor(f"/en/e/{event.hashtag}/stream")
        posting.scope["method"] = "POST"
        posting.start()
        await asyncio.wait_for(posting.task, 5)
        assert posting.status == 405

    scenario()


def test_only_stream_paths_bypass_django():
    from treffpunkt.events.stream_app import matches

    assert matches({"type": "http", "path": "/e/Tag/stream"})
    assert matches({"type": "http", "path": "/en/e/Tag/stream"})
    assert not matches({"type": "http", "path": "/e/Tag/moderate/stream"})
    assert not matches({"type": "http", "path": "/xx/e/Tag/stream"})
    assert not matches({"type": "websocket", "path": "/e/Tag/stream"})
