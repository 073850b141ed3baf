"""Events in the fediverse, in the browser: a fediverse post on the projector wall with the
author's handle and its mark, and arriving live; the join page names the event's account;
the moderators see a post with a content warning held and the intake's state (axe and
screenshots in test-artifacts/e2e/)."""

import pytest
from playwright.sync_api import Page, expect

from treffpunkt.accounts.models import User
from treffpunkt.federation.events import actor_for_event
from treffpunkt.federation.models import HashtagFeed, RemoteActor, WallPost
from treffpunkt.federation.wall_intake import take_post

from .helpers import Browsing
from .test_events import WALL_SCREEN, make_event, open_wall
from .test_spam_filter import logged_in

pytestmark = pytest.mark.e2e

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
def event(transactional_db: None, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MODERATION_MIN_SECONDS_TO_SUBMIT = 0
    organizer = User.objects.create_user(
        "orga@example.org", "a-long-test-pass-42", display_name="Olga Orga"
    )
    event = make_event(organizer, "Fedifest", "post")
    actor_for_event(event)
    HashtagFeed.objects.create(
        event=event,
        base_url="https://mastodon.example",
        state=HashtagFeed.State.NEEDS_TOKEN,
        message="the server shows hashtag feeds only signed in",
    )
    return event


def remote_post(event, number: int, text: str, **more) -> None:
    author, _created = RemoteActor.objects.get_or_create(
        url="https://social.example/users/mia",
        defaults={
            "host": "social.example",
            "username": "mia",
            "name": "Mia <b>Muster</b>",
            "profile_url": "https://social.example/@mia",
            "inbox": "https://social.example/users/mia/inbox",
            "actor_type": "Person",
        },
    )
    take_post(
        event,
        {
            "id": f"https://social.example/users/mia/statuses/{number}",
            "type": "Note",
            "content": f"<p>{text}</p>",
            "to": [PUBLIC],
            **more,
        },
        author,
        way=WallPost.Way.MENTION,
        server="social.example",
    )


def test_a_fediverse_post_on_the_wall_and_live(browsing: Browsing, event) -> None:
    remote_post(event, 1, "Grüße aus dem Fediverse!")
    wall = open_wall(browsing, event)
    post = wall.locator(".post", has_text="Grüße aus dem Fediverse!")
    expect(post).to_contain_text("Mia <b>Muster</b>")
    expect(post).to_contain_text("@mia@social.example")
    expect(post).to_contain_text("über das Fediverse")
    remote_post(event, 2, "Und noch einer, live.")
    live = wall.locator(".post", has_text="Und noch einer, live.")
    expect(live).to_contain_text("@mia@social.example", timeout=2_000)
    browsing.check(wall, "wall-fediverse")


def test_the_join_page_names_the_events_account(browsing: Browsing, page: Page, event) -> None:
    page.goto(f"/en/e/{event.hashtag}/")
    box = page.get_by_role("region", name="From the fediverse")
    expect(box).to_contain_text(f"@{event.hashtag}@")
    browsing.check(page, "join-fediverse")


def test_moderators_see_the_warning_held_and_the_intake(
    browsing: Browsing, page: Page, event
) -> None:
    remote_post(event, 3, "Das Ende des Films …", summary="Spoiler")
    logged_in(browsing, page, User.objects.get(email="orga@example.org"))
    page.goto(f"/en/e/{event.hashtag}/moderate/")
    held = page.locator(".mod-list li", has_text="Spoiler")
    expect(held).to_contain_text("⚠ Spoiler")
    expect(held).to_contain_text("@mia@social.example")
    intake = page.get_by_role("region", name="From the fediverse")
    expect(intake).to_contain_text("https://mastodon.example")
    expect(intake).to_contain_text("needs an access token")
    browsing.check(page, "moderation-fediverse")


__all__ = ["WALL_SCREEN"]
