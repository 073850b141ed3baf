# The event fixtures come from test_event_actors; tests name them as parameters.
# ruff: noqa: F811, F401
"""What an event's actor sends its followers: the recap once the event is over, the new
actor when the event changes, and (only if the organizer chose it) approved posts: boosts
of fediverse posts, guests' posts as text without their name or photo."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.submitting import post_to_wall
from treffpunkt.core.actions import participant_for_guest
from treffpunkt.events.actions import moderate_contribution, update_event
from treffpunkt.events.models import Event
from treffpunkt.federation import events as event_federation
from treffpunkt.federation.actors import actor_url
from treffpunkt.federation.events import actor_for_event

from .test_event_actors import event, make_event, mention, remote, send


@pytest.fixture
def followed(send, remote, event):
    actor = actor_for_event(event)
    send(
        {
            "id": f"{remote.actor_url()}#follows/1",
            "type": "Follow",
            "actor": remote.actor_url(),
            "object": actor_url(actor),
        }
    )
    remote.received.clear()
    return event


def test_the_recap_goes_to_the_followers_once_when_the_event_is_over(
    followed, remote, django_capture_on_commit_callbacks, fed_settings
):
    event = followed
    guest = participant_for_guest("g" * 32, display_name="Uta")
    post_to_wall(event=event, participant=guest, text="Schön war's")
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(days=1, hours=5),
        ends_at=timezone.now() - timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert event_federation.announce_recaps() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert event_federation.announce_recaps() == 0
    (create,) = remote.activities("Create")
    note = create["object"]
    assert note["id"] == f"{actor_url(actor_for_event(event))}/notes/recap"
    assert "1 Beiträge von 1 Personen" in note["content"]
    assert "/recap/" in note["content"] and f"#{event.hashtag}" in note["content"]
    assert {"type": "Hashtag", "name": f"#{event.hashtag}"}.items() <= note["tag"][0].items()


def test_a_changed_event_updates_its_actor_for_followers(
    followed, remote, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        update_event(followed, place="Rathaus")
    (update,) = remote.activities("Update")
    assert update["object"]["type"] == "Group"
    assert "Rathaus" in update["object"]["summary"]


def test_posts_are_passed_on_only_when_chosen_and_guests_stay_anonymous(
    followed,
    remote,
    send,
    admin_user,
    django_capture_on_commit_callbacks,
):
    event = followed
    guest = participant_for_guest("h" * 32, display_name="Uta Geheim")
    with django_capture_on_commit_callbacks(execute=True):
        post_to_wall(event=event, participant=guest, text="Ohne Weitergabe")
    assert remote.activities("Create") == []
    update_event(event, announce_posts=True)
    remote.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post_to_wall(event=event, participant=guest, text="Mit Weitergabe")
    (create,) = remote.activities("Create")
    assert "Mit Weitergabe" in create["object"]["content"]
    assert "Uta" not in str(create)
    # A fediverse post is boosted, as its own.
    send(mention(remote, event, number=31, text="Von drüben"))
    (boost,) = remote.activities("Announce")
    assert boost["object"] == f"{remote.actor_url()}/statuses/31"


def test_held_posts_are_passed_on_when_approved(
    followed, remote, admin_user, django_capture_on_commit_callbacks
):
    event = followed
    update_event(event, announce_posts=True, moderation="pre")
    guest = participant_for_guest("i" * 32, display_name="Uta")
    with django_capture_on_commit_callbacks(execute=True):
        contribution = post_to_wall(event=event, participant=guest, text="Wartet erst")
    remote.received.clear()
    assert remote.activities("Create") == []
    with django_capture_on_commit_callbacks(execute=True):
        moderate_contribution(contribution, "approve", admin_user)
    assert len(remote.activities("Create")) == 1
