from datetime import timedelta

import pytest
from django.utils import timezone

from treffpunkt.core.actions import participant_for_guest
from treffpunkt.events.actions import create_event


@pytest.fixture
def make_event(admin_user):
    def make(hashtag="Jahrestreffen", moderation="post", **fields):
        now = timezone.now()
        values = {
            "title": "Jahrestreffen 2026",
            "hashtag": hashtag,
            "starts_at": now - timedelta(hours=1),
            "ends_at": now + timedelta(hours=3),
            "place": "Gemeindehaus",
            "visibility": "public",
            "moderation": moderation,
            "guiding_question": "Was nehmen Sie mit?",
        }
        values.update(fields)
        return create_event(organizer=admin_user, **values)

    return make


@pytest.fixture
def event(make_event):
    return make_event()


@pytest.fixture
def guest(db):
    return participant_for_guest("f" * 32, display_name="Uta")


@pytest.fixture(autouse=True)
def _no_minimum_time(settings):
    settings.MODERATION_MIN_SECONDS_TO_SUBMIT = 0
