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
from treffpunkt.federation.models import WallPost

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


def test_the_event_follows_the_relay_while_it_runs_and_takes_its_announces(
    event, remote, send, fed_settings, django_capture_on_commit_callbacks
):
    remote.users["relay"] = {**remote.actor_document("relay"), "type": "Application"}
    fed_settings.HASHTAG_RELAY = remote.actor_url("relay")
    with django_capture_on_commit_callbacks(execute=True):
        assert event_federation.follow_relay() == "1 followed, 0 ended"
    (follow,) = remote.activities("Follow")
    assert follow["actor"] == actor_url(actor_for_event(event))
    assert follow["object"] == remote.actor_url("relay")
    # The relay announces a post with the tag; it is fetched from its server first.
    note = remote.note(
        77,
        in_reply_to=None,
        content="<p>Über das Relay #Ökofest26</p>",
        tag=[{"type": "Hashtag", "name": "#ökofest26", "href": f"{remote.base}/tags/x"}],
    )
    announce = {
        "id": f"{remote.actor_url('relay')}/announces/77",
        "type": "Announce",
        "actor": remote.actor_url("relay"),
        "object": note["id"],
    }
    assert send(announce, name="relay").status_code == 202
    (wall_post,) = WallPost.objects.all()
    assert wall_post.way == WallPost.Way.RELAY
    assert wall_post.contribution.text == "Über das Relay #Ökofest26"
    # A post without the tag is not taken.
    other = remote.note(78, in_reply_to=None, content="<p>Anderes</p>")
    send({**announce, "id": f"{announce['id']}-2", "object": other["id"]}, name="relay")
    assert WallPost.objects.count() == 1
    # Once the event is over, the follow ends.
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert event_federation.follow_relay() == "0 followed, 1 ended"
    assert remote.activities("Undo")[0]["object"]["id"] == follow["id"]


def test_the_pages_show_the_handle_and_the_intakes_state(event, client, admin_user):
    from treffpunkt.federation.models import HashtagFeed

    page = client.get(event.get_absolute_url()).content.decode()
    assert f"@{event.hashtag}@treffpunkt.example.org" in page
    HashtagFeed.objects.create(
        event=event,
        base_url="https://mastodon.example",
        state=HashtagFeed.State.NEEDS_TOKEN,
        message="the server shows hashtag feeds only signed in",
    )
    client.force_login(admin_user)
    page = client.get(f"/e/{event.hashtag}/moderate/").content.decode()
    assert "https://mastodon.example" in page
    assert "the server shows hashtag feeds only signed in" in page
