"""Browser tests: Playwright (sync API) drives Debian's Chromium against pytest-django's
live server. One browser per test session, a fresh browser context per test.

Screenshots land in test-artifacts/e2e/ (gitignored).
"""

import contextlib
import os
import sys
import warnings
from collections.abc import Generator
from pathlib import Path

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


@pytest.fixture
def browsing(
    request: pytest.FixtureRequest, browser: Browser, live_server, viewport: Viewport
) -> Generator[Browsing]:
    """Fresh browser contexts in the test's viewport, closed after the test."""
    test_name = getattr(request.node, "originalname", request.node.name)
    session = Browsing(browser, live_server.url, viewport, test_name)
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
