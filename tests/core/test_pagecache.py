"""The page cache in front of Django: repeats for anonymous readers, never personal pages."""

import asyncio
from typing import Any

import pytest

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


def test_a_successful_write_empties_the_cache_so_changes_show_at_once(app):
    call(app, "GET", "/")
    SiteSettings.objects.create(name="Neuer Name")
    _status, headers, body = call(app, "GET", "/")
    assert headers[b"x-page-cache"] == b"hit"
    assert b"Neuer Name" not in body

    # A POST that Django answers below 400 (here the language switch's redirect).
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
    _status, headers, body = call(app, "GET", "/")
    assert b"x-page-cache" not in headers
    assert b"Neuer Name" in body


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


def test_writes_on_paths_that_change_no_kept_page_leave_it_alone():
    import re

    from django.core.asgi import get_asgi_application

    # As a wall's posts are kept from emptying it; here the language switch stands in.
    app = PageCache(get_asgi_application(), seconds=60, keep_on_write=re.compile(r"^/i18n/"))
    call(app, "GET", "/")
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
    _status, headers, _body = call(app, "GET", "/")
    assert headers[b"x-page-cache"] == b"hit"


def test_a_write_that_changes_no_public_page_says_so_and_the_cache_stays():
    from django.http import HttpResponse

    from treffpunkt.core.pagecache import keep_page_cache

    async def app(scope, receive, send):
        if scope["method"] == "GET":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"page"})
            return
        response = keep_page_cache(HttpResponse("preview"))
        headers = [(k.lower().encode(), v.encode()) for k, v in response.items()]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"preview"})

    cached = PageCache(app, seconds=60)
    call(cached, "GET", "/b/")
    _status, headers, _body = call(cached, "POST", "/b/write/preview/")
    assert b"x-page-cache-keep" not in headers  # not passed on to the browser
    _status, headers, _body = call(cached, "GET", "/b/")
    assert headers[b"x-page-cache"] == b"hit"
