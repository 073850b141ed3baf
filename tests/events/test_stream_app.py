"""The public wall stream as served in production: the ASGI app in front of Django."""

import asyncio

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from tests.submitting import post_to_wall
from treffpunkt.asgi import application
from treffpunkt.core import live

from .streaming import Visitor


@pytest.fixture(autouse=True)
def _fresh_backend():
    live.reset_backend()
    yield
    live.reset_backend()


@pytest.mark.django_db(transaction=True)
def test_replay_then_live_then_clean_disconnect(event, guest):
    first = post_to_wall(event=event, participant=guest, text="Vorher")

    @async_to_sync
    async def scenario():
        visitor = Visitor(f"/e/{event.hashtag}/stream", headers=[(b"last-event-id", b"0")])
        visitor.start()
        await visitor.wait_for(1)
        assert visitor.status == 200
        second = await sync_to_async(post_to_wall)(event=event, participant=guest, text="Nachher")
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


class SlowVisitor(Visitor):
    """A viewer whose connection stops taking data: like uvicorn, ``send`` waits for the
    socket to drain *before* writing anything."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.writable = asyncio.Event()
        self.writable.set()

    async def send(self, message):
        await self.writable.wait()
        self.sent.append(message)


@pytest.mark.django_db(transaction=True)
def test_a_viewer_that_cannot_keep_up_is_ended_and_replays_after_reconnecting(event, guest):
    first = post_to_wall(event=event, participant=guest, text="Vorher")

    @async_to_sync
    async def scenario():
        slow = SlowVisitor(f"/e/{event.hashtag}/stream", headers=[(b"last-event-id", b"0")])
        fast = Visitor(f"/e/{event.hashtag}/stream", headers=[(b"last-event-id", b"0")])
        slow.start()
        fast.start()
        await slow.wait_for(1)
        await fast.wait_for(1)
        last_id = slow.frames()[-1][0]

        slow.writable.clear()  # its buffer is full from now on
        second = await sync_to_async(post_to_wall)(
            event=event, participant=guest, text="Während es hängt"
        )
        await fast.wait_for(2)  # the others are not held up
        await asyncio.sleep(0.1)
        assert not slow.task.done()  # waits to finish its response
        slow.writable.set()
        await asyncio.wait_for(slow.task, 5)
        # Nothing half-written: the batch it could not take is not there, the response
        # is finished so that the browser reconnects.
        assert [data["id"] for _id, _kind, data in slow.frames()] == [first.pk]
        assert slow.sent[-1]["body"] == b""
        assert not slow.sent[-1].get("more_body")

        again = Visitor(
            f"/e/{event.hashtag}/stream", headers=[(b"last-event-id", last_id.encode())]
        )
        again.start()
        await again.wait_for(1)
        assert [data["id"] for _id, _kind, data in again.frames()] == [second.pk]
        third = await sync_to_async(post_to_wall)(event=event, participant=guest, text="Danach")
        await again.wait_for(2)
        await fast.wait_for(3)
        assert [data["id"] for _id, _kind, data in again.frames()] == [second.pk, third.pk]
        assert [data["id"] for _id, _kind, data in fast.frames()] == [
            first.pk,
            second.pk,
            third.pk,
        ]
        await again.leave()
        await fast.leave()

    scenario()


@pytest.mark.django_db(transaction=True)
def test_many_viewers_get_each_batch_once_in_one_write(event, guest):
    before = post_to_wall(event=event, participant=guest, text="Vorher")

    @async_to_sync
    async def scenario():
        visitors = [Visitor(f"/e/{event.hashtag}/stream", query=b"after=0") for _ in range(50)]
        for visitor in visitors:
            visitor.start()
        for visitor in visitors:
            await visitor.wait_for(1)  # replayed: subscribed

        expected = [before.pk]
        for number in range(3):
            # (one at a time: the tests' in-memory SQLite cannot write while a feed reads)
            post = await sync_to_async(post_to_wall)(
                event=event, participant=guest, text=f"Beitrag {number}"
            )
            expected.append(post.pk)
            for visitor in visitors:
                await visitor.wait_for(len(expected))
            # The same bytes object went to every viewer: encoded once per batch.
            assert len({id(v.sent[-1]["body"]) for v in visitors}) == 1
        for visitor in visitors:
            assert [data["id"] for _id, _kind, data in visitor.frames()] == expected
        for visitor in visitors:
            await visitor.leave()

    scenario()


async def _until(condition):
    while not condition():
        await asyncio.sleep(0.01)


@pytest.mark.django_db(transaction=True)
def test_join_page_and_posting_through_the_asgi_application(event):
    """The join page runs on the threaded WSGI bridge: the form, its cookies and the
    redirect work as through Django's ASGI handler."""
    from treffpunkt.core.devices import COOKIE_NAME
    from treffpunkt.events.models import Contribution

    async def call(method, headers=(), body=b""):
        sent = []
        messages = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive():
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)

        scope = {
            "type": "http",
            "method": method,
            "path": f"/e/{event.hashtag}/",
            "query_string": b"",
            "headers": [(b"host", b"testserver"), *headers],
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 50000),
            "scheme": "http",
            "http_version": "1.1",
        }
        await application(scope, receive, send)
        start = sent[0]
        return start["status"], start["headers"], b"".join(m.get("body", b"") for m in sent[1:])

    @async_to_sync
    async def scenario():
        status, headers, html = await call("GET")
        assert status == 200
        cookies = [v.decode() for k, v in headers if k == b"set-cookie"]
        csrf = next(c for c in cookies if c.startswith("csrftoken=")).split(";")[0]
        page = html.decode()
        token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        started = page.split('name="started" value="', 1)[1].split('"', 1)[0]
        form = f"csrfmiddlewaretoken={token}&started={started}&text=Sch%C3%B6n+hier"
        status, headers, _body = await call(
            "POST",
            headers=[
                (b"content-type", b"application/x-www-form-urlencoded"),
                (b"cookie", csrf.encode()),
            ],
            body=form.encode(),
        )
        assert status == 302
        assert dict(headers)[b"location"].endswith(b"#your-posts")
        assert any(
            v.startswith(COOKIE_NAME.encode() + b"=") for k, v in headers if k == b"set-cookie"
        )
        contribution = await Contribution.objects.aget()
        assert contribution.text == "Schön hier"

        status, _headers, _body = await call("POST", body=form.encode())  # no CSRF cookie
        assert status == 403
        assert await Contribution.objects.acount() == 1

    scenario()


@pytest.mark.django_db(transaction=True)
def test_a_feed_that_fails_ends_its_viewers_and_the_next_stream_starts_afresh(
    event, guest, monkeypatch
):
    from treffpunkt.events import feeds, queries

    real = queries.changes_since

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    @async_to_sync
    async def scenario():
        visitor = Visitor(f"/e/{event.hashtag}/stream", query=b"after=0")
        visitor.start()
        await asyncio.wait_for(_until(lambda: len(feeds._feeds) == 1), 5)
        await asyncio.sleep(0.1)
        monkeypatch.setattr(queries, "changes_since", broken)
        await sync_to_async(post_to_wall)(event=event, participant=guest, text="A")
        await asyncio.wait_for(visitor.task, 5)  # ended, so that the browser reconnects
        assert visitor.sent[-1]["body"] == b""

        monkeypatch.setattr(queries, "changes_since", real)
        again = Visitor(f"/e/{event.hashtag}/stream", query=b"after=0")
        again.start()
        await again.wait_for(1)  # replayed from the database
        await again.leave()

    scenario()


@pytest.mark.django_db(transaction=True)
def test_a_stopping_server_ends_every_stream_at_once_and_new_ones_too(event, guest):
    from treffpunkt.events import feeds

    post_to_wall(event=event, participant=guest, text="Vorher")
    final = {"type": "http.response.body", "body": b"", "more_body": False}

    @async_to_sync
    async def scenario():
        viewers = [Visitor(f"/e/{event.hashtag}/stream", query=b"after=0") for _ in range(3)]
        for viewer in viewers:
            viewer.start()
        for viewer in viewers:
            await viewer.wait_for(1)  # replayed: attached to the feed

        live.shut_down()  # what the server runs when it is told to stop
        for viewer in viewers:
            await asyncio.wait_for(viewer.task, 2)
            assert viewer.sent[-1] == final  # ended, so that the browser reconnects
        assert not feeds._feeds

        late = Visitor(f"/e/{event.hashtag}/stream", query=b"after=0")
        late.start()
        await asyncio.wait_for(late.task, 2)
        assert late.status == 200
        assert late.sent[-1] == final
        assert not late.frames()

    scenario()


@pytest.mark.django_db(transaction=True)
def test_an_absurdly_large_body_is_refused_before_it_fills_the_disk(event, settings):
    settings.MAX_UPLOAD_MB = 1
    from treffpunkt.core.wsgi_bridge import WsgiBridge

    bridge = WsgiBridge(threads=1)
    chunk = b"x" * (1024 * 1024)
    messages = [{"type": "http.request", "body": chunk, "more_body": True} for _ in range(10)]
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": f"/e/{event.hashtag}/",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "http_version": "1.1",
    }
    async_to_sync(bridge)(scope, receive, send)
    assert sent[0]["status"] == 413
    assert messages  # it stopped reading early


def test_a_photo_upload_never_holds_up_text_posts():
    """POSTs carrying a file run on a thread of their own: decoding a big photo does not
    make the next guest's text post wait on the single writer thread."""
    from treffpunkt.core.wsgi_bridge import UPLOAD_BYTES, WsgiBridge

    bridge = WsgiBridge(threads=1)
    multipart = [(b"content-type", b"multipart/form-data; boundary=x")]
    form = [(b"content-type", b"application/x-www-form-urlencoded")]
    post = {"method": "POST"}
    assert bridge._pool_for({**post, "headers": multipart}, UPLOAD_BYTES + 1) is bridge.uploads
    # A join form without a photo is multipart too, but small: the writer takes it.
    assert bridge._pool_for({**post, "headers": multipart}, 3000) is bridge.writer
    assert bridge._pool_for({**post, "headers": form}, UPLOAD_BYTES + 1) is bridge.writer
    assert bridge._pool_for({"method": "GET", "headers": []}, 0) is bridge.pool
