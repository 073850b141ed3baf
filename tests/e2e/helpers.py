"""Helpers for the browser tests: checked page visits, viewports and translated strings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from django.utils import translation
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect

from treffpunkt.core.models import SiteSettings

ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"

# axe findings that fail a test; "minor" and "moderate" ones are not (yet) enforced.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

_AXE = Axe()

# The site name of a fresh install; every page title ends with it.
SITE_NAME = str(SiteSettings._meta.get_field("name").default)


@dataclass(frozen=True)
class Viewport:
    name: str
    options: dict[str, Any]


VIEWPORTS = [
    Viewport(
        "phone",
        {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    ),
    Viewport("desktop", {"viewport": {"width": 1440, "height": 900}}),
]


def tr(language: str, message: str) -> str:
    """``message`` as the site shows it in ``language`` (same catalogs as the server)."""
    with translation.override(language):
        return str(translation.gettext(message))


def german(message: str) -> str:
    """The German text of ``message``; fails when German is missing from the catalog."""
    text = tr("de", message)
    assert text != message, (
        f"No German translation for {message!r}: is the German catalog written and compiled "
        "(src/treffpunkt/locale/de/LC_MESSAGES/django.mo)?"
    )
    return text


def path_of(url: str) -> str:
    """The path of an absolute link (links in emails use TREFFPUNKT_BASE_URL, not the
    live server's address)."""
    return urlsplit(url).path


def find_invitation_link(text: str) -> str:
    match = re.search(r"https?://\S+/accounts/invitation/[\w-]+/", text)
    assert match, f"No invitation link found in:\n{text}"
    return match.group(0)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the current page."""
    response = _AXE.run(page).response
    return [v for v in response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node.get('html', '')[:160]}")
    return "\n".join(lines)


@dataclass
class _PageProblems:
    """What went wrong while a page loaded, besides what the test asserts itself."""

    script_errors: list[str] = field(default_factory=list)
    broken_resources: list[str] = field(default_factory=list)

    def record_response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.broken_resources.append(f"{response.status} {response.url}")

    def take(self) -> list[str]:
        problems = [f"JavaScript error: {e}" for e in self.script_errors]
        problems += [f"Broken resource: {r}" for r in self.broken_resources]
        self.script_errors.clear()
        self.broken_resources.clear()
        return problems


class Browsing:
    """Browser contexts for one test in one viewport, and the check run on every page.

    ``check(page, step)`` saves a screenshot to
    test-artifacts/e2e/<test>-<viewport>-<nn>-<step>.png, then fails on serious or critical
    axe findings, a title without the site name, script errors, broken
    stylesheets/images/scripts and (on the phone) content wider than the screen.
    """

    def __init__(self, browser: Browser, base_url: str, viewport: Viewport, test_name: str):
        self.browser = browser
        self.base_url = base_url
        self.viewport = viewport
        self.prefix = f"{test_name}-{viewport.name}"
        self.contexts: list[BrowserContext] = []
        self.pages: list[Page] = []
        self._problems: dict[int, _PageProblems] = {}
        self._viewports: dict[int, Viewport] = {}
        self._step = 0
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS_DIR.glob(f"{self.prefix}-*.png"):
            old.unlink()

    def new_page(self, viewport: Viewport | None = None) -> Page:
        """A page in a fresh browser context: no cookies, no session. In the test's viewport
        unless another one is given (a projector next to a phone, say)."""
        viewport = viewport or self.viewport
        context = self.browser.new_context(
            base_url=self.base_url,
            locale="de-DE",
            timezone_id="Europe/Berlin",
            **viewport.options,
        )
        context.set_default_timeout(10_000)
        context.set_default_navigation_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        problems = _PageProblems()
        self._problems[id(page)] = problems
        self._viewports[id(page)] = viewport
        page.on("pageerror", lambda error: problems.script_errors.append(str(error)))
        # A blocked script or style shows as a console error (Content-Security-Policy).
        page.on(
            "console",
            lambda message: (
                problems.script_errors.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        page.on("response", problems.record_response)
        self.pages.append(page)
        return page

    def check(self, page: Page, step: str) -> None:
        page.wait_for_load_state("load")
        self._step += 1
        viewport = self._viewports[id(page)]
        name = f"{self._step:02d}-{step}"
        if viewport != self.viewport:
            name += f"-{viewport.name}"
        page.screenshot(path=self.screenshot_path(name), full_page=True)
        where = f"{step} ({page.url}, {viewport.name})"

        expect(page, f"The title of {where} names the site").to_have_title(
            re.compile(rf"(^| · ){re.escape(SITE_NAME)}$")
        )

        violations = axe_violations(page)
        assert not violations, (
            f"Accessibility problems on {where}:\n{describe_violations(violations)}"
        )
        problems = self._problems[id(page)].take()
        assert not problems, f"Problems on {where}:\n" + "\n".join(problems)
        if viewport.options.get("is_mobile"):
            widths = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert widths[0] <= widths[1] + 1, (
                f"{where} scrolls sideways: content is {widths[0]}px wide, the screen {widths[1]}px"
            )

    def screenshot_path(self, step: str) -> Path:
        return ARTIFACTS_DIR / f"{self.prefix}-{step}.png"

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    def __iter__(self) -> Iterator[Page]:
        return iter(self.pages)
