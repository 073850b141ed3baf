"""Who speaks, in a browser: an organizer reads the insights of their event on a phone and
on a laptop; the page passes axe, the charts have their tables, the range chooser works by
keyboard, and no name appears."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from treffpunkt.accounts.models import User
from treffpunkt.core.actions import participant_for_guest
from treffpunkt.events.actions import create_event
from treffpunkt.events.models import Contribution, Event

from .helpers import Browsing, Viewport

pytestmark = pytest.mark.e2e

INSIGHTS_VIEWPORTS = [
    Viewport(
        "phone",
        {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    ),
    Viewport("laptop", {"viewport": {"width": 1280, "height": 800}}),
]


@pytest.fixture(params=INSIGHTS_VIEWPORTS, ids=[v.name for v in INSIGHTS_VIEWPORTS])
def viewport(request: pytest.FixtureRequest) -> Viewport:
    return request.param


def logged_in(browsing: Browsing, page: Page, user: User) -> None:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": browsing.base_url}]
    )


@pytest.fixture
def organizer(transactional_db: None) -> User:
    return User.objects.create_user(
        "orga@example.org", "a-long-test-pass-42", display_name="Olga", is_organizer=True
    )


@pytest.fixture
def lively_event(organizer: User) -> Event:
    """A morning with 24 guests: a few write a lot, most once (a heavy tail)."""
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
    event = create_event(
        organizer=organizer,
        title="Jahrestreffen 2026",
        hashtag="Jahrestreffen",
        starts_at=start,
        ends_at=start + timedelta(hours=5),
        place="Gemeindehaus",
        visibility="public",
        moderation="post",
        guiding_question="Was nehmen Sie mit?",
    )
    rows = []
    for index in range(24):
        guest = participant_for_guest(f"{index + 1:032x}", display_name=f"Gastname{index}")
        for n in range(max(1, 12 // (index + 1))):
            rows.append(
                Contribution(
                    event=event,
                    participant=guest,
                    text="Ein Gedanke",
                    state=Contribution.State.VISIBLE,
                    created_at=start + timedelta(minutes=7 + 9 * index + 4 * n),
                )
            )
    Contribution.objects.bulk_create(rows)
    return event


def test_organizer_reads_who_speaks(
    browsing: Browsing, page: Page, organizer: User, lively_event: Event
) -> None:
    logged_in(browsing, page, organizer)
    response = page.goto("/e/Jahrestreffen/")
    assert response is not None and response.status == 200
    page.get_by_role("link", name="Wer spricht").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wer spricht")
    expect(page.locator(".insights-lead")).to_contain_text("24 Menschen haben etwas beigetragen")
    expect(page.locator(".insights-lead")).to_contain_text("Die aktivsten 10 % schrieben")
    # Each chart is an image with a name, and has a table with the same figures.
    expect(page.get_by_role("img", name="Lorenzkurve der Beiträge")).to_be_visible()
    expect(page.get_by_role("table", name="Die Lorenzkurve in Zahlen")).to_be_visible()
    expect(
        page.get_by_role("table", name="Beiträge im Zeitverlauf nach Art der Beitragenden")
    ).to_be_visible()
    assert "Gastname" not in page.content()
    browsing.check(page, "event-insights")

    # The time range by keyboard: a range with nothing in it says so.
    page.get_by_label("Von").fill("2030-01-01")
    page.get_by_role("button", name="Anzeigen").press("Enter")
    expect(page.locator(".insights-lead")).to_have_text(
        "Bisher hat in diesem Zeitraum niemand etwas beigetragen."
    )
    # A reversed range gets a clear message and a 400.
    response = page.goto("/e/Jahrestreffen/insights/?start=2026-05-01&end=2026-04-01")
    assert response is not None and response.status == 400
    expect(page.locator(".field__errors")).to_contain_text("Das Ende liegt vor dem Beginn.")
    browsing.check(page, "bad-range")

    # Attendees give contributors per attendee.
    page.goto("/e/Jahrestreffen/insights/")
    page.get_by_label("Wie viele Menschen waren da?").fill("60")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Zahl der Teilnehmenden gespeichert.")).to_be_visible()
    expect(page.get_by_text("(von 60 Teilnehmenden)")).to_be_visible()

    # The CSV download.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Als CSV herunterladen").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert text.startswith("scope,name,from,until,contributions,contributors")
    assert "#Jahrestreffen" in text and "Gastname" not in text


def test_admin_reads_the_site_and_a_blog(
    browsing: Browsing, page: Page, lively_event: Event, transactional_db: None
) -> None:
    from treffpunkt.accounts.actions import create_admin
    from treffpunkt.blog.models import Blog

    admin = create_admin("admin@example.org", "Ada Admin", "a-long-test-pass-42")
    Blog.objects.create(title="Aus der Werkstatt", slug="werkstatt")
    logged_in(browsing, page, admin)
    page.goto("/")
    page.get_by_role("link", name="Wer spricht").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wer spricht")
    expect(page.get_by_role("heading", name="Veranstaltung für Veranstaltung")).to_be_visible()
    expect(page.get_by_role("link", name="#Jahrestreffen")).to_be_visible()
    assert "Gastname" not in page.content()
    browsing.check(page, "site-insights")
    response = page.goto("/b/werkstatt/insights/")
    assert response is not None and response.status == 200
    expect(page.locator(".insights-lead")).to_have_text(
        "Bisher hat in diesem Zeitraum niemand etwas beigetragen."
    )
    browsing.check(page, "blog-insights")
