"""Event walls in the browser: a guest posts from a phone, the projector wall shows it live,
moderators hide and approve posts, and the wall follows without being reloaded.

Like every browser test, they talk to the application `treffpunkt serve` runs, on a real
ASGI server (conftest.asgi_server), so the live walls use the production stream. Every
page visited is screenshotted and checked with axe (helpers.Browsing.check).
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from tests.submitting import post_to_wall
from treffpunkt.accounts.models import User
from treffpunkt.core.actions import participant_for_guest
from treffpunkt.events.actions import create_event
from treffpunkt.events.models import Contribution, Event

from .helpers import VIEWPORTS, Browsing, Viewport, german, tr

pytestmark = pytest.mark.e2e

PHONE = next(v for v in VIEWPORTS if v.name == "phone")
DESKTOP = next(v for v in VIEWPORTS if v.name == "desktop")
# The projector in the room.
WALL_SCREEN = Viewport("wall", {"viewport": {"width": 1920, "height": 1080}})

# How quickly a change must reach an open wall or moderation page (milliseconds).
LIVE_WITHIN_MS = 2_000


@pytest.fixture
def viewport() -> Viewport:
    """The guest's phone; the wall and the moderator get their own screens."""
    return PHONE


@pytest.fixture(autouse=True)
def _no_minimum_time(settings) -> None:  # type: ignore[no-untyped-def]
    """A form sent within seconds of showing it waits for a moderator (a bot check); the
    browser fills it faster than a person."""
    settings.MODERATION_MIN_SECONDS_TO_SUBMIT = 0


def make_event(organizer: User, hashtag: str, moderation: str) -> Event:
    now = timezone.now()
    return create_event(
        organizer=organizer,
        title="Jahrestreffen 2026",
        hashtag=hashtag,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        place="Gemeindehaus",
        visibility="public",
        moderation=moderation,
        guiding_question="Was nehmen Sie mit?",
    )


def open_wall(browsing: Browsing, event: Event) -> Page:
    """The projector's wall page, once its live stream is connected."""
    wall = browsing.new_page(WALL_SCREEN)
    with wall.expect_response(re.compile(r"/stream\?")) as stream:
        response = wall.goto(f"/e/{event.hashtag}/wall/")
        assert response is not None and response.status == 200
    assert stream.value.status == 200
    assert stream.value.headers["content-type"].startswith("text/event-stream")
    # Set on this very document: still there later means the page was not reloaded.
    wall.evaluate("window.notReloaded = true")
    return wall


def open_moderation(browsing: Browsing, event: Event, moderator: User) -> Page:
    """The moderation page for a logged-in moderator, once its live stream is connected."""
    page = browsing.new_page(DESKTOP)
    client = Client()
    client.force_login(moderator)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": browsing.base_url}]
    )
    with page.expect_response(re.compile(r"/moderate/stream\?")) as stream:
        response = page.goto(f"/e/{event.hashtag}/moderate/")
        assert response is not None and response.status == 200
    assert stream.value.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text(event.title)
    return page


def wall_posts(wall: Page) -> Locator:
    return wall.locator('[data-region="posts"] .post')


def moderation_item(page: Page, text: str) -> Locator:
    return page.locator(".mod-item", has_text=text)


def assert_not_reloaded(wall: Page) -> None:
    assert wall.evaluate("window.notReloaded === true"), "The wall page was reloaded"


def post_from_phone(browsing: Browsing, event: Event, text: str, confirmation: str) -> Page:
    """A guest scans the code (the short link), writes ``text`` and sends it.

    The join page is checked (axe) by the callers after sending: it then shows everything it
    showed before, plus the confirmation and the guest's own posts. Each check takes a second
    or two, which adds up in a file meant to stay under a minute."""
    guest = browsing.new_page()
    response = guest.goto(f"/j/{event.short_code}")
    assert response is not None and response.status == 200
    expect(guest).to_have_url(f"{browsing.base_url}/e/{event.hashtag}/")
    expect(guest.locator("html")).to_have_attribute("lang", "de")
    expect(guest.get_by_role("heading", name=event.guiding_question, level=2)).to_be_visible()

    # The label is "Ihr Beitrag:", with Django's label suffix.
    guest.get_by_label(re.compile(rf"^{re.escape(german('Your post'))}:?$")).fill(text)
    with guest.expect_navigation() as navigation:
        guest.get_by_role("button", name=german("Send to the wall")).click()
    assert navigation.value is not None and navigation.value.status == 200
    expect(guest).to_have_url(f"{browsing.base_url}/e/{event.hashtag}/#your-posts")
    expect(guest.get_by_role("status")).to_contain_text(confirmation)
    return guest


def status_line(state: str) -> str:
    """The state of one's own post as the join page shows it ("Status:" is German too)."""
    return f"{tr('de', 'Status:')} {german(state)}"


def own_post(guest: Page, text: str) -> Locator:
    own = guest.get_by_role("region", name=german("Your posts"))
    return own.locator(".own-post", has_text=text)


def test_a_guests_post_appears_on_the_open_wall(browsing: Browsing, admin_user: User) -> None:
    event = make_event(admin_user, "Jahrestreffen", moderation="post")
    text = "Danke für den Vortrag über Stadtbäume!"

    # The projector shows the empty wall before anyone posts.
    wall = open_wall(browsing, event)
    expect(wall.get_by_text(german("The wall is waiting for your thoughts."))).to_be_visible()
    expect(wall_posts(wall)).to_have_count(0)
    browsing.check(wall, "empty")

    # A guest posts from their phone and sees the post as theirs, visible.
    guest = post_from_phone(
        browsing, event, text, german("Thank you! Your post is on the wall now.")
    )
    mine = own_post(guest, text)
    expect(mine).to_be_visible()
    expect(mine).to_contain_text(status_line("visible"))
    expect(guest.get_by_role("region", name=german("On the wall"))).to_contain_text(text)

    # The wall shows it without being reloaded.
    expect(wall_posts(wall).filter(has_text=text)).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(wall_posts(wall)).to_have_count(1)
    expect(wall.get_by_text(german("The wall is waiting for your thoughts."))).to_be_hidden()
    expect(wall.locator('[data-region="contributors"]')).to_have_text("1")
    assert_not_reloaded(wall)

    browsing.check(guest, "posted")
    browsing.check(wall, "live-post")


def test_a_moderator_hides_a_post_and_the_wall_drops_it(
    browsing: Browsing, admin_user: User
) -> None:
    event = make_event(admin_user, "Sommerfest", moderation="post")
    text = "Das hier passt nicht auf die Wand."
    other = "Schöne Musik heute Abend."
    # Posted the way the join page posts (test_a_guests_post_... covers the form itself).
    for device, post in (("a" * 32, text), ("b" * 32, other)):
        post_to_wall(
            event=event, participant=participant_for_guest(device, display_name="Uta"), text=post
        )

    wall = open_wall(browsing, event)
    expect(wall_posts(wall)).to_have_count(2)
    moderation = open_moderation(browsing, event, admin_user)
    item = moderation_item(moderation, text)
    expect(item.locator('[data-field="state"]')).to_have_text(german("visible"))
    expect(moderation_item(moderation, other)).to_be_visible()
    browsing.check(moderation, "moderate")

    item.get_by_role("button", name=german("Hide"), exact=True).click()

    # The wall drops it, keeps the other one, and was not reloaded.
    expect(wall_posts(wall).filter(has_text=text)).to_have_count(0, timeout=LIVE_WITHIN_MS)
    expect(wall_posts(wall).filter(has_text=other)).to_be_visible()
    assert_not_reloaded(wall)
    # The moderation page shows the new state and offers to approve it again.
    expect(item.locator('[data-field="state"]')).to_have_text(german("hidden"))
    expect(item.get_by_role("button", name=german("Approve"), exact=True)).to_be_visible()
    assert Contribution.objects.get(text=text).state == Contribution.State.HIDDEN

    browsing.check(moderation, "moderate-hidden")


def test_pre_moderation_shows_a_post_only_after_approval(
    browsing: Browsing, admin_user: User
) -> None:
    event = make_event(admin_user, "Werkstatt", moderation="pre")
    text = "Wann gibt es die Folien zum Nachlesen?"

    wall = open_wall(browsing, event)
    moderation = open_moderation(browsing, event, admin_user)
    expect(
        moderation.get_by_text(german("Pre-moderation: posts show only after approval."))
    ).to_be_visible()

    guest = post_from_phone(
        browsing,
        event,
        text,
        german(
            "Thank you! Your post is waiting for the moderators and shows on the wall once "
            "approved."
        ),
    )
    expect(own_post(guest, text)).to_contain_text(status_line("waiting for the moderators"))
    expect(guest.get_by_role("region", name=german("On the wall"))).not_to_contain_text(text)
    browsing.check(guest, "waiting")

    # The moderators get it live, waiting for a decision. The wall was told first (the
    # server publishes to the wall, then to the moderators), and does not show it.
    item = moderation_item(moderation, text)
    expect(item).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(item.locator('[data-field="state"]')).to_have_text(german("waiting for the moderators"))
    expect(moderation.locator('[data-region="held"]')).to_have_text("1")
    expect(wall_posts(wall)).to_have_count(0)
    expect(wall.get_by_text(german("The wall is waiting for your thoughts."))).to_be_visible()
    browsing.check(moderation, "moderate-held")

    item.get_by_role("button", name=german("Approve"), exact=True).click()

    expect(wall_posts(wall).filter(has_text=text)).to_be_visible(timeout=LIVE_WITHIN_MS)
    assert_not_reloaded(wall)
    expect(item.locator('[data-field="state"]')).to_have_text(german("visible"))
    expect(moderation.locator('[data-region="held"]')).to_have_text("0")

    # The guest sees the new state on their next visit.
    guest.reload()
    expect(own_post(guest, text)).to_contain_text(status_line("visible"))
