"""The first minute of every role, in the browser (issue 13): a guest posts in two taps on a
phone, a refused post keeps its photo, deleting asks first; organizers and moderators find
their events; the projector wall lays out posts like bricks and shows each one whole.

Every page visited is screenshotted and checked with axe (helpers.Browsing.check).
"""

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from tests.submitting import post_to_wall
from treffpunkt.accounts.models import User
from treffpunkt.core.actions import participant_for_guest
from treffpunkt.events.actions import create_event, moderate_contribution
from treffpunkt.events.models import Contribution, Event

from .helpers import VIEWPORTS, Browsing, Viewport, german

pytestmark = pytest.mark.e2e

PHONE = next(v for v in VIEWPORTS if v.name == "phone")
DESKTOP = next(v for v in VIEWPORTS if v.name == "desktop")
PROJECTOR = Viewport("projector", {"viewport": {"width": 1920, "height": 1080}})
PROJECTOR_4K = Viewport("projector-4k", {"viewport": {"width": 3840, "height": 2160}})


@pytest.fixture
def viewport() -> Viewport:
    return PHONE


@pytest.fixture(autouse=True)
def _no_minimum_time(settings) -> None:  # type: ignore[no-untyped-def]
    """The browser fills the form faster than a person (a bot check would hold the post)."""
    settings.MODERATION_MIN_SECONDS_TO_SUBMIT = 0


def make_event(organizer: User, hashtag: str = "Jahrestreffen", **fields: object) -> Event:
    now = timezone.now()
    values: dict[str, object] = {
        "title": "Mitgliederversammlung des Gemeinschaftsgartens",
        "hashtag": hashtag,
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(hours=3),
        "place": "Gemeindehaus",
        "visibility": "public",
        "moderation": "post",
        "guiding_question": "Was nehmen Sie mit?",
    }
    values.update(fields)
    return create_event(organizer=organizer, **values)


def log_in(page: Page, base_url: str, user: User) -> None:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
    )


def png_file(tmp_path, name: str = "plakat.png"):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (230, 120, 60)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def in_view(page: Page, selector: str) -> bool:
    """Whether the element is wholly inside the window, without scrolling."""
    return bool(
        page.evaluate(
            """(selector) => {
                const box = document.querySelector(selector).getBoundingClientRect();
                return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
            }""",
            selector,
        )
    )


# --- the guest ----------------------------------------------------------------------------


def test_a_guest_posts_in_two_taps_on_a_phone(browsing: Browsing, admin_user: User) -> None:
    event = make_event(admin_user)
    guest = browsing.new_page()
    guest.goto(f"/j/{event.short_code}")
    expect(guest).to_have_url(f"{browsing.base_url}/e/{event.hashtag}/")
    browsing.check(guest, "join")

    # Both the text field and the send button are on the first screen.
    assert guest.evaluate("window.scrollY") == 0
    assert in_view(guest, "textarea[name=text]"), "the text field is below the first screen"
    assert in_view(guest, ".compose__form button[type=submit]"), "the send button is not in view"
    # Name and photo wait in a closed disclosure; the description only comes with a photo.
    expect(guest.locator("details.compose__more")).not_to_have_attribute("open", "")
    expect(guest.locator("[data-needs-photo]")).to_be_hidden()

    taps = 0
    guest.locator("textarea[name=text]").tap()
    taps += 1
    guest.keyboard.type("Ich nehme mit: mehr miteinander reden.")
    assert guest.evaluate("window.scrollY") == 0, "typing scrolled the page"
    assert in_view(guest, ".compose__form button[type=submit]")
    # The on-screen keyboard takes about half the screen: the send button stays in reach.
    guest.set_viewport_size({"width": 390, "height": 430})
    guest.locator("textarea[name=text]").scroll_into_view_if_needed()
    assert in_view(guest, ".compose__form button[type=submit]"), "the keyboard hides send"
    guest.set_viewport_size({"width": 390, "height": 844})
    with guest.expect_navigation():
        guest.get_by_role("button", name=german("Send to the wall")).tap()
    taps += 1

    assert taps == 2
    own = guest.locator("#your-posts .own-post", has_text="mehr miteinander reden")
    expect(own).to_be_visible()
    browsing.check(guest, "sent")


def test_a_refused_post_keeps_its_photo(browsing: Browsing, admin_user: User, tmp_path) -> None:  # type: ignore[no-untyped-def]
    event = make_event(admin_user)
    guest = browsing.new_page()
    guest.goto(f"/e/{event.hashtag}/")
    guest.locator("textarea[name=text]").fill("Unser Plakat")
    guest.locator("details.compose__more > summary").click()
    guest.locator("input[name=photo]").set_input_files(png_file(tmp_path))
    description = guest.locator("[data-needs-photo]")
    expect(description).to_be_visible()  # asked for once a photo is chosen
    guest.get_by_role("button", name=german("Send to the wall")).click()

    # Refused (no description), but the text and the photo are still there.
    expect(guest.locator(".field__errors")).to_contain_text("beschreiben")
    expect(guest.locator("textarea[name=text]")).to_have_value("Unser Plakat")
    expect(guest.locator(".kept-photo img")).to_be_visible()
    expect(description).to_be_visible()
    browsing.check(guest, "refused-photo-kept")

    guest.locator("input[name=photo_alt]").fill("Ein oranges Plakat")
    with guest.expect_navigation():
        guest.get_by_role("button", name=german("Send to the wall")).click()
    contribution = Contribution.objects.get()
    assert contribution.photo
    assert contribution.photo_alt == "Ein oranges Plakat"
    expect(guest.locator("#your-posts img.post__photo")).to_be_visible()


def test_deleting_ones_own_post_asks_first(browsing: Browsing, admin_user: User) -> None:
    event = make_event(admin_user)
    guest = browsing.new_page()
    guest.goto(f"/e/{event.hashtag}/")
    guest.locator("textarea[name=text]").fill("Gleich wieder weg")
    with guest.expect_navigation():
        guest.get_by_role("button", name=german("Send to the wall")).click()

    own = guest.locator("#your-posts .own-post", has_text="Gleich wieder weg")
    own.get_by_role("link", name=german("Delete")).click()
    expect(guest.get_by_role("heading", level=1)).to_have_text(german("Delete your post?"))
    browsing.check(guest, "delete-question")
    assert Contribution.objects.count() == 1  # asking deleted nothing

    guest.get_by_role("link", name=german("No, keep it")).click()
    expect(own).to_be_visible()
    own.get_by_role("link", name=german("Delete")).click()
    guest.get_by_role("button", name=german("Yes, delete it")).click()
    expect(guest.get_by_role("status")).to_contain_text(german("Your post is deleted."))
    assert not Contribution.objects.exists()


# --- organizers and moderators ---------------------------------------------------------------


def test_my_events_is_the_organizers_home(browsing: Browsing, admin_user: User) -> None:
    organizer = User.objects.create_user("orga@example.org", "x" * 20, display_name="Olga")
    organizer.set_roles(["organizer"])
    organizer.save()
    now = timezone.now()
    running = make_event(organizer)
    make_event(
        organizer,
        hashtag="Sommerfest",
        title="Sommerfest",
        visibility="unlisted",
        starts_at=now + timedelta(days=4),
        ends_at=now + timedelta(days=4, hours=3),
    )
    page = browsing.new_page(DESKTOP)
    log_in(page, browsing.base_url, organizer)
    page.goto("/")
    page.get_by_role("navigation", name=german("Main")).get_by_role(
        "link", name=german("Events")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(german("My events"))
    expect(page.get_by_role("heading", name=german("Running now"))).to_be_visible()
    expect(page.get_by_text("#Sommerfest")).to_be_visible()  # unlisted, found again
    browsing.check(page, "my-events")

    tools = page.get_by_role("list", name=re.compile(re.escape(running.title)))
    tools.get_by_role("link", name=german("Moderate")).click()
    expect(page).to_have_url(f"{browsing.base_url}/e/{running.hashtag}/moderate/")

    # The home page marks the running event and offers to join in.
    page.goto("/")
    expect(page.get_by_text(german("running now"))).to_be_visible()
    page.get_by_role("link", name=re.compile(german("Join in"))).click()
    expect(page).to_have_url(f"{browsing.base_url}/e/{running.hashtag}/")


def test_a_moderator_only_member_moderates_a_wall(browsing: Browsing, admin_user: User) -> None:
    event = make_event(admin_user, moderation="pre")
    moderator = User.objects.create_user("mod@example.org", "x" * 20, display_name="Moritz")
    moderator.set_roles(["moderator"])
    moderator.save()
    post_to_wall(event=event, participant=participant_for_guest("a" * 32), text="Bitte freigeben")

    page = browsing.new_page(DESKTOP)
    log_in(page, browsing.base_url, moderator)
    page.goto("/events/")
    expect(page.get_by_role("heading", level=1)).to_have_text(german("All events"))
    expect(page.locator(".badge--held")).to_be_visible()
    page.get_by_role("link", name=german("Moderate")).click()
    item = page.locator(".mod-item", has_text="Bitte freigeben")
    expect(item).to_be_visible()
    browsing.check(page, "moderate-as-moderator")
    item.get_by_role("button", name=german("Approve")).click()
    expect(item).to_have_attribute("data-state", "visible")
    assert Contribution.objects.get().state == Contribution.State.VISIBLE


# --- the projector wall ----------------------------------------------------------------------

POSTS = [
    "Danke!",
    "Die Mitgliederversammlung war richtig gut vorbereitet, danke an das ganze Team.",
    "Wer hilft im Frühjahr beim Gemeinschaftsgarten? Ich hätte samstags Zeit.",
    "Kurz und knapp: mehr davon!",
    "Ich nehme mit, dass wir viel mehr miteinander reden sollten, gerade zwischen den "
    "Abteilungen. Die Gruppenarbeit hat gezeigt, wie viel Wissen bei uns schlummert.",
    "Nächstes Mal bitte mehr Pausen.",
]
PINNED = "Was ich heute mitnehme: " + " ".join(
    ["Gute Zusammenarbeit braucht Zeit, und jede Stimme zählt."] * 8
)
PINNED = PINNED[:498]


def fill_wall(event: Event, admin: User, count: int = 30, pinned_text: str = PINNED) -> None:
    for number in range(count):
        guest = participant_for_guest(f"{number:032d}", display_name=f"Gast {number}")
        post_to_wall(event=event, participant=guest, text=POSTS[number % len(POSTS)])
    pinned = post_to_wall(
        event=event, participant=participant_for_guest("p" * 32), text=pinned_text
    )
    moderate_contribution(pinned, "pin", admin)


LAYOUT_JS = """() => {
    const area = document.querySelector('.wall__posts').getBoundingClientRect();
    const band = document.querySelector('.wall__pinned');
    const cards = [...document.querySelectorAll('.wall__posts .post')];
    const shown = cards.filter((card) => card.getBoundingClientRect().right <= area.right + 1);
    const texts = [...document.querySelectorAll('.wall .post__text')];
    const pinnedText = band.querySelector('.post__text').getBoundingClientRect();
    const link = getComputedStyle(document.querySelector('.wall__link'));
    return {
        heights: shown.map((card) => Math.round(card.getBoundingClientRect().height)),
        lefts: [...new Set(shown.map((c) => Math.round(c.getBoundingClientRect().left)))],
        cardsCut: shown.filter((c) => c.getBoundingClientRect().bottom > area.bottom + 1).length,
        cut: texts.filter((t) => t.scrollHeight > t.clientHeight + 1).length,
        clamped: texts.filter((t) => getComputedStyle(t).webkitLineClamp !== 'none').length,
        bandOverflows: band.scrollHeight > band.clientHeight + 1,
        pinnedInside: pinnedText.bottom <= band.getBoundingClientRect().bottom + 1,
        linkSize: parseFloat(link.fontSize),
        linkFont: link.fontFamily,
        bodySize: parseFloat(getComputedStyle(document.body).fontSize),
    };
}"""


def wall_layout(browsing: Browsing, event: Event, screen: Viewport, step: str) -> dict:  # type: ignore[type-arg]
    wall = browsing.new_page(screen)
    wall.goto(f"/e/{event.hashtag}/wall/")
    expect(wall.locator(".wall__posts .post").first).to_be_visible()
    wall.wait_for_timeout(300)  # the pinned band and tall cards are fitted after loading
    browsing.check(wall, step)
    return wall.evaluate(LAYOUT_JS)  # type: ignore[no-any-return]


@pytest.mark.parametrize("screen", [PROJECTOR, PROJECTOR_4K], ids=lambda v: v.name)
def test_the_wall_lays_posts_out_like_bricks(
    browsing: Browsing, admin_user: User, screen: Viewport
) -> None:
    event = make_event(admin_user)
    fill_wall(event, admin_user, pinned_text="Schön, dass so viele gekommen sind!")
    layout = wall_layout(browsing, event, screen, "wall")
    assert len(layout["lefts"]) >= 3, f"posts are not in columns: {layout}"
    assert len(set(layout["heights"])) > 2, f"cards all have one height: {layout['heights']}"
    # Several cards stand above each other in a column (short ones take little room).
    assert len(layout["heights"]) > len(layout["lefts"]), layout
    assert layout["cut"] == 0 and layout["clamped"] == 0, "a post's text is cut off"
    assert layout["cardsCut"] == 0, "a card is cut off at the bottom"
    assert layout["linkSize"] >= layout["bodySize"], "the short link is smaller than body text"
    assert "mono" not in layout["linkFont"].lower()


@pytest.mark.parametrize("screen", [PROJECTOR, PROJECTOR_4K], ids=lambda v: v.name)
def test_a_long_pinned_post_is_shown_whole(
    browsing: Browsing, admin_user: User, screen: Viewport
) -> None:
    event = make_event(admin_user)
    fill_wall(event, admin_user)  # pinned: 498 characters
    layout = wall_layout(browsing, event, screen, "wall-long-pinned")
    assert not layout["bandOverflows"] and layout["pinnedInside"], "the pinned post is cut off"
    assert layout["cut"] == 0 and layout["clamped"] == 0, "a post's text is cut off"
    assert layout["cardsCut"] == 0, "a card is cut off at the bottom"


def test_older_posts_take_turns_and_live_posts_use_the_sites_time(
    browsing: Browsing, admin_user: User
) -> None:
    event = make_event(admin_user)
    fill_wall(event, admin_user, count=40)
    wall = browsing.new_page(PROJECTOR)
    with wall.expect_response(re.compile(r"/stream\?")):
        wall.goto(f"/e/{event.hashtag}/wall/")
    waiting = wall.evaluate(
        """() => {
            const area = document.querySelector('.wall__posts').getBoundingClientRect();
            return [...document.querySelectorAll('.wall__posts .post')]
                .filter((card) => card.getBoundingClientRect().right > area.right + 1)
                .map((card) => card.dataset.id);
        }"""
    )
    assert waiting, "all posts fit: the test needs more"
    # Within two turns (9 s each) the first post that did not fit is on the screen.
    wall.wait_for_function(
        """(id) => {
            const area = document.querySelector('.wall__posts').getBoundingClientRect();
            const card = document.querySelector(`.wall__posts .post[data-id="${id}"]`);
            const box = card.getBoundingClientRect();
            return box.right <= area.right + 1 && box.bottom <= area.bottom + 1;
        }""",
        arg=waiting[0],
        timeout=25_000,
    )

    # A post sent now shows the site's time (Europe/Berlin), like the rendered ones.
    late = post_to_wall(
        event=event,
        participant=participant_for_guest("n" * 32),
        text="Schöner Abend mit vielen Gesprächen",
    )
    assert late.state == Contribution.State.VISIBLE, (late.state, late.moderation_reasons)
    card = wall.locator(".wall__posts .post", has_text="Schöner Abend mit vielen Gesprächen")
    expect(card).to_be_visible(timeout=5_000)
    expected = timezone.localtime(late.created_at).strftime("%H:%M")
    expect(card.locator("time")).to_have_text(expected)
    newest = wall.locator(".wall__posts .post").first
    expect(newest).to_contain_text("Schöner Abend")  # new posts come first, never waiting


def test_the_empty_wall_centres_its_invitation(browsing: Browsing, admin_user: User) -> None:
    event = make_event(admin_user)
    wall = browsing.new_page(PROJECTOR)
    wall.goto(f"/e/{event.hashtag}/wall/")
    browsing.check(wall, "empty-wall")
    middle = wall.evaluate(
        """() => {
            const idle = document.querySelector('.wall__idle').getBoundingClientRect();
            const qr = document.querySelector('.wall__corner').getBoundingClientRect();
            const left = Math.min(idle.left, qr.left), right = Math.max(idle.right, qr.right);
            return [(left + right) / 2, window.innerWidth / 2,
                    (idle.top + idle.bottom) / 2, (qr.top + qr.bottom) / 2];
        }"""
    )
    assert abs(middle[0] - middle[1]) < 0.06 * 1920, f"not centred across: {middle}"
    assert abs(middle[2] - middle[3]) < 40, f"message and QR code not side by side: {middle}"
