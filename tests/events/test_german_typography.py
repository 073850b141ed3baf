"""German that reads well: the filter's reasons quote words „so“, plain words for organizers."""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from tests.submitting import post_to_wall
from treffpunkt.core.actions import participant_for_guest
from treffpunkt.events.actions import moderate_contribution
from treffpunkt.moderation.templatetags.moderation_tags import reason_text

STATIC = Path(__file__).resolve().parents[2] / "src/treffpunkt/static/treffpunkt"


def test_the_filters_reasons_quote_words_as_the_language_does():
    reason = {"message": "resembles known spam: %(words)s", "values": {"words": "“neu”, “gratis”"}}
    with translation.override("de"):
        german = reason_text(reason)
    with translation.override("en"):
        english = reason_text(reason)
    assert "„neu“, „gratis“" in german
    assert "”" not in german  # no English closing quote left
    assert "“neu”, “gratis”" in english


def test_long_words_break_with_a_hyphen_by_the_pages_language():
    for sheet in ("site.css", "wall.css"):
        assert "hyphens: auto" in (STATIC / "css" / sheet).read_text()


@pytest.mark.django_db
def test_plain_words_for_organizers(admin_client, make_event, admin_user):
    event = make_event()
    pinned = post_to_wall(event=event, participant=participant_for_guest("c" * 32), text="Oben")
    moderate_contribution(pinned, "pin", admin_user)
    html = admin_client.get(reverse("events:moderate", args=[event.hashtag])).content.decode()
    assert "Nicht mehr anheften" in html
    assert ">Lösen<" not in html
    form = admin_client.get(reverse("events:edit", args=[event.hashtag])).content.decode()
    assert "Text mit einfacher Formatierung" in form
    assert ">Markdown.<" not in form
