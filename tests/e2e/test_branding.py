"""An event's logo and accent colour on the projector wall (issue 13), at 1920x1080:
the logo beside the title, the accent on the header, the QR code's frame and the pinned
post, loaded through the CSP (no inline styles), with no serious axe findings."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.submitting import post_to_wall
from treffpunkt.accounts.models import User
from treffpunkt.core.actions import participant_for_guest
from treffpunkt.events.actions import create_event, moderate_contribution

from .helpers import Browsing
from .test_events import WALL_SCREEN, open_wall

SHOTS = Path("/work/shots-brand")


def logo_upload() -> SimpleUploadedFile:
    """A round badge with a transparent background, as logos often are."""
    image = Image.new("RGBA", (600, 600), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 580, 580), fill=(255, 255, 255, 255))
    draw.ellipse((110, 110, 490, 490), fill=(194, 24, 91, 255))
    draw.rectangle((260, 160, 340, 440), fill=(255, 255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize("viewport", [WALL_SCREEN], ids=["wall"])
def test_the_wall_wears_the_events_logo_and_colour(browsing: Browsing, admin_user: User) -> None:
    now = timezone.now()
    event = create_event(
        organizer=admin_user,
        title="Nachbarschaftsfest 2026",
        hashtag="Nachbarn",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        guiding_question="Was nehmen Sie mit?",
        accent_color="#c2185b",
        logo=logo_upload(),
    )
    texts = [
        "Der Vortrag über Nachbarschaftshilfe hat mich sehr bewegt.",
        "Danke an das Orga-Team für den schönen Tag!",
        "Wann treffen wir uns wieder?",
    ]
    posts = [
        post_to_wall(event=event, participant=participant_for_guest(f"{n:032d}"), text=text)
        for n, text in enumerate(texts)
    ]
    moderate_contribution(posts[0], "pin", admin_user)
    wall = open_wall(browsing, event)
    expect(wall.locator(".wall__logo")).to_be_visible()
    header = wall.locator(".wall__header")
    expect(header).to_have_css("background-color", "rgb(194, 24, 91)")
    expect(header).to_have_css("color", "rgb(255, 255, 255)")
    expect(wall.locator(".post--pinned").first).to_have_css("border-top-color", "rgb(194, 24, 91)")
    browsing.check(wall, "branded")
    SHOTS.mkdir(parents=True, exist_ok=True)
    wall.screenshot(path=str(SHOTS / "wall-1920x1080.png"))

    # The join page's header takes the logo and colour as well, readable (axe: contrast).
    join = browsing.new_page()
    join.goto(f"/e/{event.hashtag}/")
    brand = join.locator(".event__brand--accent")
    expect(brand).to_have_css("background-color", "rgb(194, 24, 91)")
    expect(brand.locator("h1")).to_have_css("color", "rgb(255, 255, 255)")
    expect(brand.locator(".event__logo")).to_be_visible()
    browsing.check(join, "join-branded")
