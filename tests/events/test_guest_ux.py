"""The guest's first minute: a refused post keeps its photo, deleting asks first."""

import os
import re
import time

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from treffpunkt.events import actions
from treffpunkt.events.models import Contribution

from ..core.test_images import image_upload
from .test_views import join_url, post


def kept_token(html: str) -> str:
    match = re.search(r'name="kept_photo" value="([^"]+)"', html)
    assert match, "the refused form carries no kept photo"
    return match.group(1)


@pytest.mark.django_db
def test_a_refused_post_keeps_its_photo_and_text_for_the_next_try(client, event):
    refused = post(client, event, "Unser Plakat", photo=image_upload())
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "beschreiben" in html  # why it was refused
    assert "Unser Plakat" in html  # the typed text is still there
    assert "Ihr Foto ist noch da" in html
    token = kept_token(html)
    name = actions.kept_photo_name(token)
    assert name is not None and default_storage.exists(name)
    # The disclosure with the photo is open, so the guest sees what is missing.
    assert re.search(r'<details class="compose__more" open>', html)

    sent = post(client, event, "Unser Plakat", kept_photo=token, photo_alt="Ein Plakat")
    assert sent.status_code == 302
    contribution = Contribution.objects.get()
    assert contribution.photo
    assert contribution.photo_alt == "Ein Plakat"
    assert not default_storage.exists(name)  # used once, then gone


@pytest.mark.django_db
def test_a_kept_photo_can_be_dropped(client, event):
    token = kept_token(post(client, event, "Mit Bild", photo=image_upload()).content.decode())
    name = actions.kept_photo_name(token)

    sent = post(client, event, "Doch ohne Bild", kept_photo=token, forget_photo="on")
    assert sent.status_code == 302
    assert not Contribution.objects.get().photo
    assert not default_storage.exists(name)


@pytest.mark.django_db
def test_a_forged_kept_photo_token_names_no_file(client, event):
    default_storage.save("wall/someone-else.webp", image_upload())
    forged = post(client, event, "Fremdes Bild", kept_photo="wall/someone-else.webp:abc:def")
    assert forged.status_code == 302
    assert not Contribution.objects.get().photo
    assert actions.kept_photo_name("kept/x.webp") is None


@pytest.mark.django_db
def test_kept_photos_nobody_came_back_for_are_removed(event):
    token = actions.keep_photo(image_upload())
    name = actions.kept_photo_name(token)
    fresh = actions.kept_photo_name(actions.keep_photo(image_upload()))
    old = time.time() - actions.KEPT_PHOTO_LIFETIME.total_seconds() - 60
    os.utime(default_storage.path(name), (old, old))

    assert actions.delete_old_kept_photos() == 1
    assert not default_storage.exists(name)
    assert default_storage.exists(fresh)


@pytest.mark.django_db
def test_the_description_field_is_marked_to_show_only_with_a_photo(client, event):
    html = client.get(join_url(event)).content.decode()
    description = r'<div class="field"\s+data-needs-photo>\s*<label for="id_photo_alt"'
    assert re.search(description, html)
    # Name and photo are tucked away; the send button comes right after them.
    assert '<details class="compose__more">' in html
    assert html.index('name="text"') < html.index("compose__more") < html.index('type="submit"')


@pytest.mark.django_db
def test_deleting_ones_own_post_asks_first(client, event):
    post(client, event, "Gleich weg")
    mine = Contribution.objects.get()
    delete_url = reverse("events:delete_contribution", args=[event.hashtag, mine.pk])
    assert f'href="{delete_url}"' in client.get(join_url(event)).content.decode()

    question = client.get(delete_url)
    assert question.status_code == 200
    html = question.content.decode()
    assert "Beitrag löschen?" in html
    assert "Gleich weg" in html
    assert Contribution.objects.filter(pk=mine.pk).exists()

    assert client.post(delete_url).status_code == 302
    assert not Contribution.objects.filter(pk=mine.pk).exists()


@pytest.mark.django_db
def test_only_the_author_is_asked(client, event):
    from tests.submitting import post_to_wall
    from treffpunkt.core.actions import participant_for_guest

    theirs = post_to_wall(event=event, participant=participant_for_guest("e" * 32), text="Fremd")
    url = reverse("events:delete_contribution", args=[event.hashtag, theirs.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403


# --- the projector wall -------------------------------------------------------------------


@pytest.mark.django_db
def test_live_posts_carry_the_time_in_the_sites_time_zone(event, guest, settings):
    from datetime import UTC, datetime

    from tests.submitting import post_to_wall
    from treffpunkt.events.payloads import public_payload

    settings.TIME_ZONE = "Europe/Berlin"
    contribution = post_to_wall(event=event, participant=guest, text="Spät am Abend")
    contribution.created_at = datetime(2026, 12, 2, 20, 19, tzinfo=UTC)
    assert public_payload(contribution, 1)["time"] == "21:19"  # as the page renders it


@pytest.mark.django_db
def test_the_wall_shows_long_posts_whole_in_smaller_type(client, event, guest):
    from pathlib import Path

    from tests.submitting import post_to_wall

    long_text = "Wir haben gelernt, dass jede Stimme zählt. " * 9
    post_to_wall(event=event, participant=guest, text=long_text.strip())
    post_to_wall(event=event, participant=guest, text="Kurz.")
    html = client.get(reverse("events:wall", args=[event.hashtag])).content.decode()
    assert "post--very-long" in html
    assert long_text.strip() in html
    static = Path(__file__).resolve().parents[2] / "src/treffpunkt/static/treffpunkt"
    css = (static / "css/wall.css").read_text()
    assert "line-clamp" not in css  # nothing is cut off with "…"
    assert "columns:" in css  # cards of natural height in columns


@pytest.mark.django_db
def test_the_walls_short_link_breaks_before_its_path(client, event):
    html = client.get(reverse("events:wall", args=[event.hashtag])).content.decode()
    assert re.search(rf'<p class="wall__link">[^<]+<wbr>/j/{event.short_code}</p>', html)


# --- the recap ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_recap_tells_each_post_once_with_the_name_on_its_own_line(
    client, event, guest, admin_user
):
    from tests.submitting import post_to_wall

    pinned = post_to_wall(event=event, participant=guest, text="Der wichtigste Satz")
    post_to_wall(event=event, participant=guest, text="Noch ein Gedanke")
    actions.moderate_contribution(pinned, "pin", admin_user)

    text = client.get(reverse("events:recap_export", args=[event.hashtag])).content.decode()
    assert text.count("Der wichtigste Satz") == 1
    assert text.count("Noch ein Gedanke") == 1
    assert text.index("## Highlights") < text.index("Der wichtigste Satz")
    assert text.index("Der wichtigste Satz") < text.index("Noch ein Gedanke")
    # The name is a paragraph of its own inside the quote, not the end of the guest's words.
    assert "> Noch ein Gedanke\n>\n> — Uta, " in text


# --- language -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_short_link_opens_the_join_page_in_the_phones_language(client, event):
    url = reverse("short_link", args=[event.short_code])
    english = client.get(url, headers={"Accept-Language": "en-US,en;q=0.9,de;q=0.5"})
    assert english["Location"] == f"/en{join_url(event)}"
    assert "Accept-Language" in english["Vary"]
    german = client.get(url, headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert german["Location"] == join_url(event)
    assert client.get(url)["Location"] == join_url(event)  # nothing said: the site's language
