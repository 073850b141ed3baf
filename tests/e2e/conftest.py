"""Browser tests: Playwright (sync API) drives Debian's Chromium against the application
that `treffpunkt serve` runs (``treffpunkt.asgi.application``: the public wall stream, the
page cache, the WSGI bridge and Django's ASGI handler), served by uvicorn (``asgi_server``).
One browser per test session, a fresh browser context per test.

Screenshots land in test-artifacts/e2e/ (gitignored).
"""

import contextlib
import os
import socket
import sys
import threading
import time
import warnings
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; without this, Django refuses ORM
# calls from test code ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, Page, sync_playwright

from .helpers import VIEWPORTS, Browsing, Viewport

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHROMIUM_MISSING = (
    "Chromium not found: install it with `apt-get install -y chromium` "
    f"(the README's test command does this as root). Looked for {CHROMIUM}; "
    "the browser tests in tests/e2e did NOT run."
)

_chromium_was_missing = False
_call_failed = pytest.StashKey[bool]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _chromium_was_missing:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(CHROMIUM_MISSING, red=True, bold=True)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    if report.when == "call":
        item.stash[_call_failed] = report.failed
    return report


@pytest.fixture(scope="session")
def browser() -> Generator[Browser]:
    global _chromium_was_missing
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        _chromium_was_missing = True
        warnings.warn(CHROMIUM_MISSING, stacklevel=1)
        print(f"\nWARNING: {CHROMIUM_MISSING}", file=sys.stderr)
        pytest.skip(CHROMIUM_MISSING)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(params=VIEWPORTS, ids=[v.name for v in VIEWPORTS])
def viewport(request: pytest.FixtureRequest) -> Viewport:
    return request.param


@pytest.fixture(scope="session")
def _asgi_server_url() -> Generator[str]:
    """A uvicorn server for the whole session, in a thread of this process; see asgi_server."""
    import uvicorn

    from treffpunkt.asgi import application

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        # Exactly what `treffpunkt serve` runs (static files come through WhiteNoise).
        application,
        lifespan="off",
        log_config=None,  # leave the test run's logging alone
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,  # live streams never end by themselves
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="asgi-test-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("The ASGI test server (uvicorn) did not start")
        time.sleep(0.02)
    host, port = sock.getsockname()[:2]
    yield f"http://{host}:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def asgi_server(_asgi_server_url: str, transactional_db: None, settings: Any) -> Generator[str]:
    """The address of a real ASGI server (uvicorn) running Treffpunkt against the test database.

    It serves ``treffpunkt.asgi.application``, the stack `treffpunkt serve` runs: guests'
    posts and pages through the WSGI bridge's threads, the public wall stream through
    ``events.stream_app``, the moderators' stream through Django's ASGI handler, and the
    page cache in front, switched on as shipped (``PAGE_CACHE_SECONDS``) and emptied
    between tests.

    Why a thread, not a subprocess: the server shares this process with the test, so it sees
    the test database (PostgreSQL or SQLite in memory), the ``settings`` fixture's changes,
    the cache and the in-process live-update hub. One uvicorn runs for the whole session;
    this fixture gives each test database access the way ``live_server`` does:

    - ``transactional_db``: the test's writes are committed, so the server's connections see
      them and the test sees the server's (the database is emptied after each test).
    - SQLite in memory: like ``live_server`` (Django's LiveServerThread), every request
      thread uses the test thread's connection, shared across threads; a connection of its
      own would work too (shared cache) but could fail with "database table is locked".
    - Other databases (PostgreSQL): each request thread opens its own connection and closes
      it when the request ends, so no connection outlives the test to block dropping the
      test database.
    """
    from django.core.handlers.asgi import ASGIHandler
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import connections
    from django.test.utils import modify_settings

    from treffpunkt.core import pagecache

    settings.PAGE_CACHE_SECONDS = 10  # as shipped (the unit tests turn it off)
    # The background worker's part (emails, suggestions) is played by django-tasks'
    # immediate backend: tasks run in the request's thread right after its commit.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    shared = {
        conn.alias: conn
        for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }

    in_flight = [0]  # requests between request_started and request_finished
    lock = threading.Lock()

    def use_shared_connections(**kwargs: object) -> None:
        with lock:
            in_flight[0] += 1
        for alias, conn in shared.items():
            connections[alias] = conn

    def close_own_connections(**kwargs: object) -> None:
        for conn in connections.all(initialized_only=True):
            if conn.alias not in shared:
                conn.close()
        with lock:
            in_flight[0] -= 1

    for conn in shared.values():
        conn.inc_thread_sharing()
    handlers = (ASGIHandler, WSGIHandler)  # the senders of the server's signals
    for handler in handlers:
        request_started.connect(use_shared_connections, sender=handler, weak=False)
        request_finished.connect(close_own_connections, sender=handler, weak=False)
    allowed_hosts = modify_settings(ALLOWED_HOSTS={"append": "127.0.0.1"})
    allowed_hosts.enable()
    _forget_cached_pages(pagecache)
    try:
        yield _asgi_server_url
    finally:
        # Closed browser contexts end their live streams, but the server notices a moment
        # later; let those requests finish before their database access goes away.
        deadline = time.monotonic() + 5
        while in_flight[0] > 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        _forget_cached_pages(pagecache)
        allowed_hosts.disable()
        for handler in handlers:
            request_started.disconnect(use_shared_connections, sender=handler)
            request_finished.disconnect(close_own_connections, sender=handler)
        for conn in shared.values():
            conn.dec_thread_sharing()


def _forget_cached_pages(pagecache: Any) -> None:
    """Each test starts with an empty page cache (the server outlives the tests)."""
    for page_cache in list(pagecache._caches):
        page_cache.clear()


@pytest.fixture
def server_url(asgi_server: str) -> str:
    """Where the browser goes: the shipped application on a real ASGI server."""
    return asgi_server


@pytest.fixture
def browsing(
    request: pytest.FixtureRequest, browser: Browser, server_url: str, viewport: Viewport
) -> Generator[Browsing]:
    """Fresh browser contexts in the test's viewport, closed after the test."""
    test_name = getattr(request.node, "originalname", request.node.name)
    session = Browsing(browser, server_url, viewport, test_name)
    yield session
    if request.node.stash.get(_call_failed, False):
        for number, page in enumerate(session, start=1):
            # The page may be gone already; the test's own failure is what matters.
            with contextlib.suppress(Exception):
                page.screenshot(path=session.screenshot_path(f"failure-{number}"), full_page=True)
    session.close()


@pytest.fixture
def page(browsing: Browsing) -> Page:
    """A page in a fresh browser context, for the test's first visitor."""
    return browsing.new_page()
