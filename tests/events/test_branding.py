"""An event's own logo and accent colour (issue 13): set in the event form, re-encoded and
bounded, shown on the wall, the join page and the poster through a CSP-safe stylesheet."""

import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.submitting import post_to_wall
from treffpunkt.core.actions import participant_for_guest
from treffpunkt.events import actions
from treffpunkt.events.models import Event, contrast_ratio, text_color_on

from ..core.test_images import image_upload


def form_data(event, **changes):
    data = {
        "title": event.title,
        "hashtag": event.hashtag,
        "description": "",
        "starts_at": timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "place": "",
        "visibility": "public",
        "moderation": "post",
        "guiding_question": "",
        "blocked_words": "",
        "accent_color": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def organizer_client(client, admin_user):
    client.force_login(admin_user)
    return client


def edit(client, event, **changes):
    return client.post(reverse("events:edit", args=[event.hashtag]), form_data(event, **changes))


@pytest.mark.django_db
def test_the_event_form_sets_a_logo_and_an_accent_colour(
    organizer_client, event, django_capture_on_commit_callbacks
):
    big = image_upload(fmt="PNG", size=(2400, 1200), name="logo.png")
    response = edit(organizer_client, event, accent_color=" 1D6FA5 ", logo=big)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.accent_color == "#1d6fa5"
    assert event.logo.name.endswith(".webp")
    with event.logo.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "WEBP"
        assert max(image.size) == actions.LOGO_MAX_SIDE  # bounded
    first = event.logo.name

    # A new logo replaces the file; removing it deletes the file too (after the commit).
    storage = event.logo.storage
    with django_capture_on_commit_callbacks(execute=True):
        assert edit(organizer_client, event, logo=image_upload(name="neu.jpg")).status_code == 302
    event.refresh_from_db()
    second = event.logo.name
    assert second != first
    assert storage.exists(second)
    assert not storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        assert edit(organizer_client, event, remove_logo="on").status_code == 302
    event.refresh_from_db()
    assert not event.logo
    assert not storage.exists(second)


@pytest.mark.django_db
@pytest.mark.parametrize("colour", ["blau", "#12345", "#1234567", "#ggggg0", "rgb(0,0,0)"])
def test_a_colour_that_is_not_hex_is_refused_with_a_clear_message(organizer_client, event, colour):
    response = edit(organizer_client, event, accent_color=colour)
    assert response.status_code == 400
    assert "sechs" in response.content.decode() or "six hex digits" in response.content.decode()
    event.refresh_from_db()
    assert event.accent_color == ""


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_saved(organizer_client, event):
    fake = SimpleUploadedFile("logo.png", b"%PDF-1.4 not an image", content_type="image/png")
    response = edit(organizer_client, event, logo=fake, accent_color="#1d6fa5", title="Neu")
    assert response.status_code == 400
    html = response.content.decode()
    assert "JPEG, PNG" in html
    event.refresh_from_db()
    assert not event.logo
    assert event.title != "Neu"  # nothing half-written
    assert event.accent_color == ""


@pytest.mark.django_db
def test_a_new_event_gets_logo_and_colour_through_create_event(admin_user, make_event):
    event = make_event(hashtag="Mitlogo", accent_color="#ffcc00", logo=image_upload())
    assert event.logo.name.endswith(".webp")
    assert event.accent_text_color == "#000000"
    with pytest.raises(Exception) as refused:
        make_event(hashtag="Falsch", accent_color="#fc0")
    assert "accent_color" in refused.value.message_dict
    assert not Event.objects.filter(hashtag="Falsch").exists()


def test_text_on_any_accent_keeps_at_least_the_wcag_contrast():
    # Low-contrast pairs cannot happen: the text colour is chosen, black or white.
    assert text_color_on("#ffff00") == "#000000"  # pale: black text
    assert text_color_on("#1d1d6f") == "#ffffff"  # dark: white text
    assert text_color_on("#777777") == "#000000"  # mid grey, the hardest case
    steps = range(0, 256, 17)
    for red, green, blue in itertools.product(steps, steps, steps):
        accent = f"#{red:02x}{green:02x}{blue:02x}"
        assert contrast_ratio(accent, text_color_on(accent)) >= 4.5, accent


def test_contrast_ratio_matches_wcag_examples():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.django_db
def test_the_accent_stylesheet_is_generated_from_the_colour_alone(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(reverse("events:accent_css", args=["1d6fa5"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    assert "--event-accent: #1d6fa5" in css
    assert "--event-on-accent: #ffffff" in css
    assert "immutable" in response["Cache-Control"]
    assert client.get("/events/accent/red.css").status_code == 404
    assert client.get("/events/accent/1D6FA5.css").status_code == 404


@pytest.mark.django_db
def test_the_wall_shows_the_logo_and_sets_the_colour_without_inline_styles(client, make_event):
    event = make_event(accent_color="#c2185b", logo=image_upload())
    response = client.get(reverse("events:wall", args=[event.hashtag]))
    html = response.content.decode()
    assert f'src="{event.logo.url}"' in html
    assert "wall-page--branded" in html
    assert reverse("events:accent_css", args=["c2185b"]) in html
    assert "style=" not in html
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_wall_without_branding_stays_as_it_was(client, event):
    html = client.get(reverse("events:wall", args=[event.hashtag])).content.decode()
    assert "wall-page--branded" not in html
    assert "wall__logo" not in html
    assert "/events/accent/" not in html


@pytest.mark.django_db
def test_join_page_and_poster_show_logo_and_colour(client, make_event):
    event = make_event(accent_color="#2e7d32", logo=image_upload())
    css = reverse("events:accent_css", args=["2e7d32"])
    join = client.get(reverse("events:join", args=[event.hashtag])).content.decode()
    assert css in join and "event__brand--accent" in join and event.logo.url in join
    poster = client.get(reverse("events:poster", args=[event.hashtag])).content.decode()
    assert css in poster and "sheet--branded" in poster and event.logo.url in poster


@pytest.mark.django_db
def test_branding_adds_no_queries_to_the_wall(client, make_event, django_assert_num_queries):
    plain = make_event(hashtag="Schlicht")
    branded = make_event(hashtag="Bunt", accent_color="#c2185b", logo=image_upload())
    for event in (plain, branded):
        for number in range(3):
            post_to_wall(
                event=event,
                participant=participant_for_guest(f"{event.pk}{number:031d}"),
                text=f"Post {number}",
            )
    plain_url = reverse("events:wall", args=[plain.hashtag])
    branded_url = reverse("events:wall", args=[branded.hashtag])
    client.get(plain_url)
    client.get(branded_url)
    with django_assert_num_queries(4) as plain_queries:
        client.get(plain_url)
    with django_assert_num_queries(len(plain_queries.captured_queries)):
        client.get(branded_url)


@pytest.mark.django_db
def test_deleting_an_event_deletes_its_logo(make_event, django_capture_on_commit_callbacks):
    event = make_event(logo=image_upload())
    storage, name = event.logo.storage, event.logo.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_event(event)
    assert not storage.exists(name)
