"""Hashtag timelines of stand-in Mastodon servers (loopback) onto an event's wall: the
instance endpoint first, min_id cursors, rate limits and 429 honoured, closed feeds said
plainly, one post once across servers and ways, authors' wishes respected."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from treffpunkt.events.actions import create_event
from treffpunkt.events.models import Contribution
from treffpunkt.federation import hashtags
from treffpunkt.federation.models import HashtagFeed, HashtagHost, WallPost

from . import fake_mastodon


@pytest.fixture
def event(admin_user, fed_settings):
    fed_settings.FEDERATION_ALLOW_PRIVATE = ["127.0.0.0/8"]
    now = timezone.now()
    return create_event(
        organizer=admin_user,
        title="Ökofest 2026",
        hashtag="Ökofest26",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        place="Grünau",
    )


@pytest.fixture
def mastodon():
    servers = []

    def start():
        fake = fake_mastodon.start()
        servers.append(fake)
        return fake

    yield start
    for fake in servers:
        fake.server.shutdown()


def feed_for(event, fake, token=""):
    (feed,) = hashtags.set_event_servers(event, [(fake.base, token)])
    return HashtagFeed.objects.get(pk=feed.pk)


def read(feed, times=1):
    results = []
    for _ in range(times):
        results.append(hashtags.read_feed(feed.pk))
    return results


def test_posts_with_the_tag_reach_the_wall_once_with_cursors(event, mastodon, fed_settings):
    fake = mastodon()
    fake.add(1, text="Schon vor dem Lesen da")
    feed = feed_for(event, fake)
    assert read(feed) == ["instance read"]
    assert fake.requests == ["/api/v2/instance"]
    read(feed)
    assert fake.requests[-1] == "/api/v1/timelines/tag/%C3%96kofest26?limit=40"
    (first,) = Contribution.objects.all()
    assert first.text.startswith("Schon vor dem Lesen da")
    assert first.source == "fediverse"
    assert first.participant.handle == f"@bea@127.0.0.1:{fake.port}"
    assert WallPost.objects.get().way == WallPost.Way.HASHTAG
    fake.add(2, text="Neu")
    read(feed)
    assert fake.requests[-1].endswith("min_id=100001")
    assert Contribution.objects.count() == 2
    read(feed)
    assert Contribution.objects.count() == 2
    feed.refresh_from_db()
    assert feed.posts_found == 2 and feed.state == HashtagFeed.State.OPEN
    assert feed.last_read_at is not None and feed.min_id == "100002"
    host = HashtagHost.objects.get()
    assert host.rate_limit_remaining == 300 - len(fake.requests)


def test_the_same_post_from_two_servers_is_one_contribution(event, mastodon):
    one, two = mastodon(), mastodon()
    shared = one.add(1, text="Überall")
    two.statuses.append(shared)  # the same uri, seen on the second server
    feeds = hashtags.set_event_servers(event, [(one.base, ""), (two.base, "")])
    for feed in feeds:
        read(feed, 2)
    assert Contribution.objects.count() == 1
    assert WallPost.objects.get().server == f"127.0.0.1:{one.port}"


def test_tags_match_as_mastodon_normalizes_them(event, mastodon):
    fake = mastodon()
    fake.add(1, tag="OKOFEST26")
    fake.add(2, tag="ökofest26")
    fake.statuses[1]["tags"] = [{"name": "ökofest26", "url": ""}]
    feed = feed_for(event, fake)
    read(feed, 2)
    assert Contribution.objects.count() == 1  # the server's own timeline had only one
    assert hashtags.has_tag({"tags": [{"name": "OKOFEST26"}]}, "Ökofest26")
    assert not hashtags.has_tag({"tags": [{"name": "Ökofest2"}]}, "Ökofest26")


def test_authors_who_opt_out_and_bots_are_skipped(event, mastodon):
    fake = mastodon()
    fake.add(1, username="robo", account={"bot": True})
    fake.add(2, username="still", account={"indexable": False})
    fake.add(3, username="stiller", account={"note": "<p>Bitte #NoBot</p>"})
    fake.add(4, username="privat", visibility="unlisted")
    fake.add(5, username="alt", created_at=datetime.now(UTC) - timedelta(days=2))
    fake.add(6, username="zukunft", created_at=datetime.now(UTC) + timedelta(hours=1))
    fake.add(7, username="ok")
    feed = feed_for(event, fake)
    read(feed, 2)
    assert [c.participant.handle for c in Contribution.objects.all()] == [
        f"@ok@127.0.0.1:{fake.port}"
    ]


def test_feeds_behind_sign_in_or_off_are_said_plainly_and_not_polled(event, mastodon):
    closed = mastodon()
    closed.hashtag_feeds = "disabled"
    feed = feed_for(event, closed)
    read(feed)
    feed.refresh_from_db()
    assert feed.state == HashtagFeed.State.CLOSED
    assert hashtags.queue_due_feeds() == 0

    signed_in = mastodon()
    signed_in.hashtag_feeds = "authenticated"
    feed = feed_for(event, signed_in)
    read(feed)
    feed.refresh_from_db()
    assert feed.state == HashtagFeed.State.NEEDS_TOKEN
    # With a token it reads.
    signed_in.token = "geheim"
    signed_in.add(1)
    feed = feed_for(event, signed_in, token="geheim")
    read(feed, 2)
    assert Contribution.objects.count() == 1


def test_a_401_without_token_means_closed_too(event, mastodon):
    fake = mastodon()
    feed = feed_for(event, fake)
    read(feed)
    fake.hashtag_feeds = "authenticated"
    read(feed)
    feed.refresh_from_db()
    assert feed.state == HashtagFeed.State.NEEDS_TOKEN


def test_429_and_an_empty_allowance_stop_all_requests_until_the_reset(event, mastodon):
    fake = mastodon()
    feed = feed_for(event, fake)
    read(feed)
    fake.too_many = True
    fake.limit_reset = datetime.now(UTC) + timedelta(minutes=3)
    read(feed)
    asked = len(fake.requests)
    host = HashtagHost.objects.get()
    assert host.paused_until > timezone.now() + timedelta(minutes=2)
    # Nothing at all goes to the server until then, the instance endpoint neither.
    HashtagFeed.objects.update(next_read_at=timezone.now(), instance_checked_at=None)
    read(feed, 3)
    assert len(fake.requests) == asked
    # X-RateLimit-Remaining 0 pauses too.
    HashtagHost.objects.update(paused_until=None)
    fake.too_many = False
    fake.rate_limit = 1
    read(feed, 3)
    assert len(fake.requests) == asked + 1


def test_never_more_than_our_own_window_allows(event, mastodon, monkeypatch):
    monkeypatch.setattr(hashtags, "MAX_PER_WINDOW", 5)
    fake = mastodon()
    feed = feed_for(event, fake)
    read(feed, 12)
    assert len(fake.requests) == 5


def test_only_during_the_events_window(admin_user, fed_settings, mastodon):
    fed_settings.FEDERATION_ALLOW_PRIVATE = ["127.0.0.0/8"]
    later = create_event(
        organizer=admin_user,
        title="Später",
        hashtag="Spaeter",
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=3),
    )
    fake = mastodon()
    feed = feed_for(later, fake)
    assert read(feed) == ["outside the event's window"]
    assert fake.requests == []
    assert hashtags.queue_due_feeds() == 0


def test_site_servers_are_read_for_running_events(event, mastodon, fed_settings):
    fake = mastodon()
    fed_settings.HASHTAG_SERVERS = [fake.base]
    fake.add(1)
    # The schedule queues reads (tasks run at once here) until the post is in.
    for _ in range(2):
        HashtagFeed.objects.update(next_read_at=timezone.now())
        hashtags.queue_due_feeds()
    assert HashtagFeed.objects.get().from_site
    assert Contribution.objects.count() == 1


def test_garbage_and_hostile_statuses_harm_nothing(event, mastodon, client):
    fake = mastodon()
    fake.add(1, text="<script>alert(1)</script>Hallo", account={"display_name": "<img src=x>"})
    fake.statuses.append({"id": "100009", "tags": "kaputt"})
    fake.statuses.append({"id": "100010", "uri": 5, "tags": [{"name": "ökofest26"}]})
    many = fake.add(11, text="Viel " * 500)
    many["media_attachments"] = [{"type": "image", "url": "http://10.0.0.1/x.png"}] * 100
    feed = feed_for(event, fake)
    read(feed, 2)
    texts = [c.text for c in Contribution.objects.all()]
    assert len(texts) == 2
    assert all(len(text) <= 500 and "<script>" not in text for text in texts)
    page = client.get(f"/e/{event.hashtag}/wall/").content.decode()
    assert "<img src=x>" not in page and "alert(1)" not in page
    feed.refresh_from_db()
    assert feed.errors == 0


def test_an_unreachable_server_backs_off(event, mastodon):
    fake = mastodon()
    feed = feed_for(event, fake)
    fake.server.shutdown()
    fake.server.server_close()
    read(feed)
    feed.refresh_from_db()
    assert feed.state == HashtagFeed.State.UNREACHABLE
    assert feed.errors == 1
    assert feed.next_read_at > timezone.now() + timedelta(seconds=15)


def test_times_without_a_zone_are_read_as_utc(event, mastodon):
    fake = mastodon()
    fake.add(1, created_at=datetime.now(UTC).replace(tzinfo=None))
    fake.statuses[0]["created_at"] = fake.statuses[0]["created_at"].rstrip("Z")
    feed = feed_for(event, fake)
    read(feed, 2)
    assert Contribution.objects.count() == 1
    assert hashtags._reset_time({"x-ratelimit-reset": "2099-01-01T00:00:00"}, timezone.now())
