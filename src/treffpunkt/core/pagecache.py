"""A short-lived cache of public pages for readers without a session, in front of Django.

Most visits to a blog come from readers who are not logged in and have never posted: they
all get the same front page, post page and feed. This ASGI layer keeps such responses for a
few seconds (``PAGE_CACHE_SECONDS``) and answers repeats without entering Django, the way a
reverse proxy's micro-cache would, but shipped with the site.

What it never does:
- serve a cached page to a request that carries a session or a guest device cookie (those
  pages can show things only that person may see, such as a held comment);
- store a response that sets a cookie, varies on cookies the request carried, is not a plain
  200, or says
  ``Cache-Control: private`` or ``no-store``;
- cache anything outside the allowed paths (public reading pages and feeds).

It is emptied by announcements (``core.changes``), not by requests: an action that
changes a public page (a post published, a comment approved, an event renamed) announces
it, and once that commits every page cache of this process forgets its pages, so an author
sees a published post and a moderator an approved comment at once. A POST that changes
nothing public (a held comment, a preview, a wall post, a fediverse inbox delivery) leaves
the cache alone, so machine-to-machine traffic cannot keep flushing it. Changes made in
other processes (the worker, a second server) show within ``PAGE_CACHE_SECONDS``.
"""

import re
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage

from treffpunkt.core.changes import Change
from treffpunkt.core.devices import COOKIE_NAME as DEVICE_COOKIE

# Reading pages: home, blogs and posts (with their feeds), the legal pages, the sitemap.
CACHEABLE_PATH = re.compile(r"^/(?:[a-z]{2}/)?(?:b/.*|imprint/|privacy/)?$|^/sitemap\.xml$")
MAX_ENTRIES = 1000
MAX_BODY_BYTES = 2 * 1024 * 1024
# All stored pages together; the oldest go first (query strings can make many keys).
MAX_TOTAL_BYTES = 64 * 1024 * 1024

_caches: weakref.WeakSet["PageCache"] = weakref.WeakSet()


def forget_public_pages(change: Change) -> None:
    """A change listener (registered in ``CoreConfig.ready``): a public page changed, so
    every page cache of this process starts afresh. Safe from any thread: it only moves
    the generation on, and entries of an older generation are never served or stored."""
    if change.public_pages:
        for page_cache in list(_caches):
            page_cache.clear()


@dataclass
class Entry:
    generation: int
    expires: float
    start: dict[str, Any]
    body: bytes


class PageCache:
    """ASGI middleware; see the module docstring."""

    def __init__(self, app: Any, seconds: float | None = None) -> None:
        self.app = app
        self._seconds = seconds
        self.entries: OrderedDict[tuple[bytes, str, bytes], Entry] = OrderedDict()
        self.generation = 0
        session_cookie = settings.SESSION_COOKIE_NAME.encode()
        # A flash message waiting in its cookie must show on the next page, not a stored one.
        self.private_cookies = (
            session_cookie + b"=",
            DEVICE_COOKIE.encode() + b"=",
            CookieStorage.cookie_name.encode() + b"=",
            # A chosen language: unprefixed addresses redirect (core.middleware).
            settings.LANGUAGE_COOKIE_NAME.encode() + b"=",
        )
        self.stored_bytes = 0
        self._cleared_generation = 0
        _caches.add(self)

    @property
    def seconds(self) -> float:
        return settings.PAGE_CACHE_SECONDS if self._seconds is None else self._seconds

    def clear(self) -> None:
        """Forget every page (the entries themselves go on the event loop, at the next
        request; until then they are of an older generation and never used)."""
        self.generation += 1

    def _drop_old_entries(self) -> None:
        if self._cleared_generation != self.generation:
            self._cleared_generation = self.generation
            self.entries.clear()
            self.stored_bytes = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        if scope["method"] != "GET" or not self._cacheable_request(scope):
            await self.app(scope, receive, send)
            return
        self._drop_old_entries()

        key = (_header(scope, b"host"), scope["path"], scope.get("query_string", b""))
        entry = self.entries.get(key)
        now = time.monotonic()
        if entry is not None and entry.generation == self.generation and entry.expires > now:
            self.entries.move_to_end(key)
            await send(entry.start)
            await send({"type": "http.response.body", "body": entry.body})
            return
        await self._fill(key, scope, receive, send)

    def _cacheable_request(self, scope: dict[str, Any]) -> bool:
        if not CACHEABLE_PATH.match(scope["path"]):
            return False
        cookies = _header(scope, b"cookie")
        if cookies and any(name in cookies for name in self.private_cookies):
            return False
        if scope["path"] == "/" and _prefers_other_language(scope):
            return False  # redirected to the home page in that language (core.middleware)
        # A fediverse server asks the same address for JSON (content negotiation): those
        # answers are neither stored nor served from here, so a page is never the other.
        if b"json" in _header(scope, b"accept").lower():
            return False
        return not _header(scope, b"authorization") and not _header(scope, b"signature")

    async def _fill(
        self, key: tuple[bytes, str, bytes], scope: dict[str, Any], receive: Any, send: Any
    ) -> None:
        generation = self.generation
        had_cookies = bool(_header(scope, b"cookie"))
        start: dict[str, Any] | None = None
        chunks: list[bytes] = []
        size = 0
        storable = True

        async def capture(message: dict[str, Any]) -> None:
            nonlocal start, size, storable
            if message["type"] == "http.response.start":
                start = message
                storable = _storable_response(message, had_cookies=had_cookies)
            elif message["type"] == "http.response.body" and storable:
                body = message.get("body", b"")
                size += len(body)
                if size > MAX_BODY_BYTES:
                    storable = False
                    chunks.clear()
                else:
                    chunks.append(body)
            await send(message)

        await self.app(scope, receive, capture)
        if storable and start is not None and generation == self.generation:
            replaced = self.entries.pop(key, None)
            if replaced is not None:
                self.stored_bytes -= len(replaced.body)
            self.entries[key] = Entry(
                generation=generation,
                expires=time.monotonic() + self.seconds,
                start={**start, "headers": [*start["headers"], (b"x-page-cache", b"hit")]},
                body=b"".join(chunks),
            )
            self.stored_bytes += len(self.entries[key].body)
            while len(self.entries) > MAX_ENTRIES or self.stored_bytes > MAX_TOTAL_BYTES:
                _oldest, dropped = self.entries.popitem(last=False)
                self.stored_bytes -= len(dropped.body)


def _prefers_other_language(scope: dict[str, Any]) -> bool:
    from treffpunkt.core.middleware import preferred_language

    accepted = _header(scope, b"accept-language").decode("latin-1")
    language = preferred_language(accepted)
    return language is not None and language != settings.LANGUAGE_CODE


def _header(scope: dict[str, Any], name: bytes) -> bytes:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return b""


def _storable_response(start: dict[str, Any], *, had_cookies: bool) -> bool:
    """Whether every reader without a session may get this response.

    Django says ``Vary: Cookie`` whenever a page looked at the session (every page does, to
    show the login link). Without any cookie in the request that page is the one every
    reader without a session gets; with cookies it might hold something personal.
    """
    if start["status"] != 200:
        return False
    for name, value in start.get("headers", ()):
        name = bytes(name).lower()
        value = bytes(value).lower()
        if name == b"set-cookie":
            return False
        if name == b"vary" and b"cookie" in value and had_cookies:
            return False
        if name == b"cache-control" and (b"private" in value or b"no-store" in value):
            return False
    return True
