"""The page cache in front of Django: repeats for anonymous readers, never personal pages."""

import asyncio
from typing import Any

import pytest
from django.db import transaction

from treffpunkt.core import changes
from treffpunkt.core.actions import update_site_settings
from treffpunkt.core.models import SiteSettings
from treffpunkt.core.pagecache import PageCache

pytestmark = pytest.mark.django_db(transaction=True)
CSRF_SECRET = b"a" * 32


def call(
    app: Any,
    method: str,
    path: str,
    headers: list[tuple[bytes, bytes]] | None = None,
    body: bytes = b"",
) -> tuple[int, dict[bytes, bytes], bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *(headers or [])],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    messages: list[dict[str, Any]] = []
    sent_body = False

    async def receive() -> dict[str, Any]:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in messages if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), content


@pytest.fixture
def app():
    from django.core.asgi import get_asgi_application

    return PageCache(get_asgi_application(), seconds=60)


def test_an_anonymous_reader_gets_the_stored_page_on_the_second_visit(app):
    status, headers, first = call(app, "GET", "/")
    assert status == 200
    assert b"x-page-cache" not in headers
    assert b"set-cookie" not in headers  # otherwise it could not be shared

    status, headers, second = call(app, "GET", "/")
    assert status == 200
    assert headers[b"x-page-cache"] == b"hit"
    assert second == first


def test_a_logged_in_member_or_a_guest_device_never_gets_a_stored_page(app):
    call(app, "GET", "/")
    for cookie in (b"sessionid=abc", b"tp_device=xyz"):
        _status, headers, _body = call(app, "GET", "/", [(b"cookie", cookie)])
        assert b"x-page-cache" not in headers


def test_an_announced_change_of_a_public_page_empties_the_cache_at_once(app):
    call(app, "GET", "/")
    SiteSettings.objects.create(name="Neuer Name")  # behind the site's back: not announced
    _status, headers, body = call(app, "GET", "/")
    assert headers[b"x-page-cache"] == b"hit"
    assert b"Neuer Name" not in body

    update_site_settings(name="Ganz neuer Name")  # the action announces the change
    _status, headers, body = call(app, "GET", "/")
    assert b"x-page-cache" not in headers
    assert b"Ganz neuer Name" in body


def test_a_change_that_shows_on_no_public_page_leaves_the_cache_alone(app):
    call(app, "GET", "/")
    with transaction.atomic():
        changes.announce("contribution", "created", 1, public_pages=False)
    _status, headers, _body = call(app, "GET", "/")
    assert headers[b"x-page-cache"] == b"hit"


def test_a_rolled_back_change_is_never_announced(app):
    call(app, "GET", "/")
    with pytest.raises(RuntimeError), transaction.atomic():
        update_site_settings(name="Nie gespeichert")
        raise RuntimeError
    _status, headers, _body = call(app, "GET", "/")
    assert headers[b"x-page-cache"] == b"hit"


def test_a_refused_write_leaves_the_cache_alone(app):
    call(app, "GET", "/")
    status, _headers, _body = call(app, "POST", "/accounts/login/")  # no CSRF token: 403
    assert status == 403
    _status, headers, _body = call(app, "GET", "/")
    assert headers[b"x-page-cache"] == b"hit"


def test_pages_outside_the_reading_paths_and_errors_are_not_stored(app):
    for path in ("/accounts/login/", "/b/no-such-blog/"):
        call(app, "GET", path)
        _status, headers, _body = call(app, "GET", path)
        assert b"x-page-cache" not in headers


def test_the_cache_can_be_turned_off():
    from django.core.asgi import get_asgi_application

    app = PageCache(get_asgi_application())  # the tests' settings turn it off
    call(app, "GET", "/")
    _status, headers, _body = call(app, "GET", "/")
    assert b"x-page-cache" not in headers


def test_posts_that_change_nothing_public_leave_the_cache_alone(app):
    """Machine-to-machine traffic and refused or held submissions must not keep flushing
    the cache: only an announced change to a public page empties it."""
    call(app, "GET", "/")
    # The language switch answers 302 and changes no page.
    status, _headers, _body = call(
        app,
        "POST",
        "/i18n/setlang/",
        [
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"cookie", b"csrftoken=" + CSRF_SECRET),
        ],
        b"language=de&next=/&csrfmiddlewaretoken=" + CSRF_SECRET,
    )
    assert status == 302
    # A POST to an address that does not exist, and a guest's comment on a missing post.
    assert call(app, "POST", "/b/nothing/here/")[0] == 404
    assert call(app, "POST", "/comments/post/999999/")[0] in {403, 404}
    _status, headers, _body = call(app, "GET", "/")
    assert headers[b"x-page-cache"] == b"hit"
