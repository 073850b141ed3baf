"""Every event is an actor (issue 12): WebFinger, its document, content negotiation,
followers; mentions and replies from a signed stand-in server become wall posts through the
one submission pipeline, Update and Delete follow, and the wall's stream shows them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from treffpunkt.blog.models import Blog
from treffpunkt.core.models import Participant
from treffpunkt.events.actions import create_event, update_event
from treffpunkt.events.models import Contribution, WallChange
from treffpunkt.federation.actors import actor_url
from treffpunkt.federation.events import actor_for_event
from treffpunkt.federation.models import Follower, InboxItem, LocalActor, WallPost
from treffpunkt.moderation.models import CheckedItem

from . import fake_remote
from .conftest import AP, BASE

PUBLIC = fake_remote.PUBLIC


@pytest.fixture
def make_event(admin_user, fed_settings):
    def make(hashtag="Ökofest26", **fields):
        now = timezone.now()
        values = {
            "title": "Ökofest 2026",
            "hashtag": hashtag,
            "starts_at": now - timedelta(hours=1),
            "ends_at": now + timedelta(hours=3),
            "place": "Gemeindehaus Grünau",
            "visibility": "public",
            "moderation": "post",
            "description": "Ein Fest für *alle*.",
        }
        values.update(fields)
        return create_event(organizer=admin_user, **values)

    return make


@pytest.fixture
def event(make_event):
    return make_event()


@pytest.fixture
def remote(fed_settings):
    fed_settings.FEDERATION_ALLOW_PRIVATE = ["127.0.0.0/8"]
    fake = fake_remote.start()
    yield fake
    fake.server.shutdown()


@pytest.fixture
def send(client, remote, django_capture_on_commit_callbacks):
    def post(activity, path="/ap/inbox", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return remote.signed_post(client, path, activity, base=BASE, **kwargs)

    return post


def mention(remote, event, number=1, text="Tolle Stimmung hier!", **more):
    event_actor = actor_url(actor_for_event(event))
    note = remote.note(
        number,
        in_reply_to=None,
        content=f'<p><span class="h-card"><a href="{BASE}/e/{event.hashtag}/" '
        f'class="u-url mention">@<span>{event.hashtag}</span></a></span> {text}</p>',
        cc=[f"{remote.actor_url()}/followers", event_actor],
        tag=[{"type": "Mention", "href": event_actor, "name": f"@{event.hashtag}"}],
        **more,
    )
    return remote.create(note)


# --- the actor -------------------------------------------------------------------------


def test_webfinger_finds_the_event_by_its_hashtag_in_any_case(client, event):
    response = client.get(
        "/.well-known/webfinger", {"resource": "acct:ökofest26@treffpunkt.example.org"}
    )
    assert response.status_code == 200
    document = response.json()
    actor = LocalActor.objects.get(event=event)
    assert document["subject"] == "acct:Ökofest26@treffpunkt.example.org"
    assert {"rel": "self", "type": AP, "href": actor_url(actor)} in document["links"]
    assert f"{BASE}/e/%C3%96kofest26/" in document["aliases"] or any(
        "/e/" in alias for alias in document["aliases"]
    )
    # The join page's address finds it too.
    by_page = client.get("/.well-known/webfinger", {"resource": f"{BASE}/e/{event.hashtag}/"})
    assert by_page.json()["links"][0]["href"] == actor_url(actor)


def test_the_actor_document_tells_what_when_and_where(client, event):
    actor = actor_for_event(event)
    response = client.get(f"/ap/actors/{actor.pk}", HTTP_ACCEPT=AP)
    document = response.json()
    assert document["type"] == "Group"
    assert document["preferredUsername"] == "Ökofest26"
    assert document["name"] == "Ökofest 2026 #Ökofest26"
    assert "Gemeindehaus Grünau" in document["summary"]
    assert "<em>alle</em>" in document["summary"]
    assert document["url"] == f"{BASE}{event.get_absolute_url()}"
    assert document["discoverable"] is True and document["indexable"] is True
    assert document["inbox"].endswith(f"/ap/actors/{actor.pk}/inbox")
    assert document["publicKey"]["owner"] == document["id"]
    assert document["icon"]["type"] == "Image"
    assert document["webfinger"] == "Ökofest26@treffpunkt.example.org"
    # People are sent to the join page.
    page = client.get(f"/ap/actors/{actor.pk}")
    assert page.status_code == 302 and page["Location"] == event.get_absolute_url()


def test_an_unlisted_event_is_neither_discoverable_nor_indexable(client, make_event):
    event = make_event(hashtag="Geheimtreffen", visibility="unlisted")
    actor = actor_for_event(event)
    document = client.get(f"/ap/actors/{actor.pk}", HTTP_ACCEPT=AP).json()
    assert document["discoverable"] is False and document["indexable"] is False


def test_the_join_and_wall_pages_answer_servers_with_the_actor(client, event):
    actor = actor_for_event(event)
    for path in (event.get_absolute_url(), f"/e/{event.hashtag}/wall/"):
        response = client.get(path, HTTP_ACCEPT=AP)
        assert response.status_code == 200, path
        assert response.json()["id"] == actor_url(actor)
        assert "Accept" in response["Vary"]
    page = client.get(event.get_absolute_url())
    assert page["Content-Type"].startswith("text/html")


def test_hashtags_and_blog_addresses_share_one_namespace(make_event, admin_user):
    Blog.objects.create(title="Werkstatt", slug="werkstatt")
    with pytest.raises(ValidationError, match="Fediverse-Name"):
        make_event(hashtag="Werkstatt")
    event = make_event(hashtag="Sommerfest")
    with pytest.raises(ValidationError, match="Fediverse-Name"):
        update_event(event, hashtag="werkstatt")


# --- followers -------------------------------------------------------------------------


def test_people_follow_the_event_and_undo_it(send, remote, event):
    actor = actor_for_event(event)
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{remote.actor_url()}#follows/9",
        "type": "Follow",
        "actor": remote.actor_url(),
        "object": actor_url(actor),
    }
    assert send(follow).status_code == 202
    follower = Follower.objects.get(actor=actor)
    assert follower.status == Follower.Status.ACCEPTED
    accepts = remote.activities("Accept")
    assert accepts and accepts[0]["actor"] == actor_url(actor)
    undo = {
        "id": f"{remote.actor_url()}#undo/9",
        "type": "Undo",
        "actor": remote.actor_url(),
        "object": follow,
    }
    assert send(undo).status_code == 202
    assert not Follower.objects.filter(actor=actor).exists()


# --- mentions become wall posts --------------------------------------------------------


def test_a_signed_mention_becomes_a_wall_post_through_the_pipeline(send, remote, event, client):
    activity = mention(remote, event)
    assert send(activity).status_code == 202
    contribution = Contribution.objects.get(event=event)
    assert contribution.state == Contribution.State.VISIBLE
    assert contribution.source == Contribution.Source.FEDIVERSE
    assert contribution.text == "Tolle Stimmung hier!"
    assert contribution.author_name == "Alice <b>Beispiel</b>"  # shown escaped
    assert contribution.participant.kind == Participant.Kind.REMOTE
    assert contribution.participant.handle == f"@alice@127.0.0.1:{remote.port}"
    assert contribution.remote_url == activity["object"]["id"]
    wall_post = WallPost.objects.get()
    assert wall_post.way == WallPost.Way.MENTION and wall_post.author.username == "alice"
    assert CheckedItem.objects.get(object_id=contribution.pk).source == "fediverse_reply"
    assert WallChange.objects.filter(contribution_id=contribution.pk, kind="created").exists()
    page = client.get(f"/e/{event.hashtag}/wall/").content.decode()
    assert "Tolle Stimmung hier!" in page
    assert "Alice &lt;b&gt;Beispiel&lt;/b&gt;" in page
    assert f"@alice@127.0.0.1:{remote.port}" in page
    recap = client.get(f"/e/{event.hashtag}/recap/").content.decode()
    assert "Davon aus dem Fediverse" in recap and "1 Beiträge von 1 Konten" in recap
    # The same post again (another delivery, another server): one contribution.
    activity["id"] += "-again"
    send(activity)
    assert Contribution.objects.count() == 1


def test_update_and_delete_follow_the_post_and_are_idempotent(send, remote, event):
    activity = mention(remote, event)
    send(activity)
    note = dict(activity["object"])
    note["content"] = "<p>Korrigiert: tolle Stimmung!</p>"
    note["updated"] = "2026-12-01T11:00:00Z"
    update = {
        "id": f"{note['id']}#updates/1",
        "type": "Update",
        "actor": remote.actor_url(),
        "object": note,
    }
    send(update)
    contribution = Contribution.objects.get()
    assert contribution.text == "Korrigiert: tolle Stimmung!"
    assert contribution.edited_at is not None
    send({**update, "id": f"{note['id']}#updates/1b"})  # the same update again
    assert Contribution.objects.get().text == "Korrigiert: tolle Stimmung!"
    delete = {
        "id": f"{note['id']}#delete",
        "type": "Delete",
        "actor": remote.actor_url(),
        "object": {"id": note["id"], "type": "Tombstone"},
    }
    send(delete)
    assert not Contribution.objects.exists()
    assert WallChange.objects.filter(kind="deleted").count() == 1
    send({**delete, "id": f"{note['id']}#delete2"})
    # A late Create of the deleted post stays away.
    send({**activity, "id": f"{activity['id']}-late"})
    assert not Contribution.objects.exists()


def test_private_mentions_and_bots_stay_off_the_wall(send, remote, event):
    event_actor = actor_url(actor_for_event(event))
    direct = mention(remote, event, number=2)
    direct["object"]["to"] = [event_actor]
    direct["object"]["cc"] = []
    send(direct)
    assert not Contribution.objects.exists()
    assert "not for the wall" in InboxItem.objects.get().result
    # Unlisted mentions count: the author addressed the event.
    unlisted = mention(remote, event, number=3, to=[f"{remote.actor_url()}/followers"])
    unlisted["object"]["cc"] = [PUBLIC, event_actor]
    send(unlisted)
    assert Contribution.objects.count() == 1
    remote.users["robo"] = {**remote.actor_document("robo"), "type": "Service"}
    send(mention(remote, event, number=4, name="robo"), name="robo")
    assert Contribution.objects.count() == 1


def test_the_events_moderation_and_word_list_apply(send, remote, make_event):
    event = make_event(hashtag="Vorab", moderation="pre")
    send(mention(remote, event, number=5))
    assert Contribution.objects.get().state == Contribution.State.HELD
    other = make_event(hashtag="Wortliste", blocked_words="Werbung")
    send(mention(remote, other, number=6, text="Hier Werbung für euch"))
    assert Contribution.objects.get(event=other).state == Contribution.State.HELD


def test_a_content_warning_waits_for_the_moderators(send, remote, event):
    send(mention(remote, event, number=7, summary="Spoiler", sensitive=True))
    contribution = Contribution.objects.get()
    assert contribution.state == Contribution.State.HELD
    assert contribution.text.startswith("⚠ Spoiler\n\nTolle Stimmung")


def test_blocked_accounts_and_over_events_take_nothing(send, remote, event, make_event):
    from treffpunkt.federation.actions import block_actor

    block_actor(remote.actor_url())
    send(mention(remote, event, number=8))
    assert not Contribution.objects.exists()
    over = make_event(
        hashtag="Vorbei",
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=2),
    )
    from treffpunkt.federation.models import RemoteActor

    RemoteActor.objects.update(blocked_at=None)
    Participant.objects.update(blocked_at=None)
    send(mention(remote, over, number=9))
    assert not Contribution.objects.exists()
    item = InboxItem.objects.order_by("-pk").first()
    assert item.status == "ignored" and "vorbei" in item.result


def test_enormous_and_hostile_content_is_cut_and_escaped(send, remote, event, client):
    body = "<script>alert(1)</script>" + "Sehr lang. " * 2000
    send(mention(remote, event, number=10, text=body))
    contribution = Contribution.objects.get()
    assert len(contribution.text) <= 500
    assert "<script>" not in contribution.text
    page = client.get(f"/e/{event.hashtag}/wall/").content.decode()
    assert "alert(1)" not in page


# --- hashtags compared as Mastodon compares them ---------------------------------------


def test_hashtag_keys_fold_case_accents_and_forms():
    from treffpunkt.events.models import hashtag_key

    assert hashtag_key("#Köln") == hashtag_key("KÖLN") == hashtag_key("koln") == "koln"
    assert hashtag_key("\uff34\uff52\uff45\uff46\uff46") == "treff"  # NFKC: full-width letters
    assert hashtag_key("Straße") == "strasse"


def test_one_event_per_tag_whatever_its_spelling(client, make_event):
    event = make_event(hashtag="MVGrünau26")
    with pytest.raises(ValidationError):
        make_event(hashtag="mvgrunau26")
    for spelling in ("MVGRÜNAU26", "mvgrunau26"):  # to the event's own spelling
        response = client.get(f"/e/{spelling}/")
        assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert event.hashtag_key == "mvgrunau26"


# --- the wall's stream -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_signed_mention_appears_on_the_walls_stream(remote, make_event, client):
    import asyncio

    from asgiref.sync import async_to_sync, sync_to_async

    from tests.events.streaming import Visitor
    from treffpunkt.core import live

    live.reset_backend()
    event = make_event(hashtag="Livefest")
    actor_for_event(event)

    @async_to_sync
    async def scenario():
        visitor = Visitor(f"/e/{event.hashtag}/stream", headers=[(b"last-event-id", b"0")])
        visitor.start()
        await asyncio.sleep(0.2)
        activity = await sync_to_async(mention)(remote, event, number=42, text="Live dabei!")
        response = await sync_to_async(remote.signed_post)(client, "/ap/inbox", activity, base=BASE)
        assert response.status_code == 202
        await visitor.wait_for(1)
        (_id, kind, data), *_rest = visitor.frames()
        assert kind == "upsert"
        assert data["html"] == "Live dabei!"
        assert data["source"] == "fediverse"
        assert data["handle"] == f"@alice@127.0.0.1:{remote.port}"
        assert data["author"] == "Alice <b>Beispiel</b>"  # text, set with textContent
        await visitor.leave()

    try:
        scenario()
    finally:
        live.reset_backend()


@pytest.mark.django_db(transaction=True)
def test_a_post_written_without_notification_reaches_the_stream(make_event, monkeypatch):
    """The worker without Redis cannot notify the server's process: the feed finds the
    change by itself (events.feeds.OUTSIDE_CHECK)."""
    import asyncio

    from asgiref.sync import async_to_sync, sync_to_async

    from tests.events.streaming import Visitor
    from tests.submitting import post_to_wall
    from treffpunkt.core import live
    from treffpunkt.core.actions import participant_for_guest

    live.reset_backend()
    event = make_event(hashtag="Stillfest")
    guest = participant_for_guest("s" * 32, display_name="Uta")

    @async_to_sync
    async def scenario():
        visitor = Visitor(f"/e/{event.hashtag}/stream", headers=[(b"last-event-id", b"0")])
        visitor.start()
        await asyncio.sleep(0.3)
        monkeypatch.setattr(live, "publish", lambda channel, message: None)
        await sync_to_async(post_to_wall)(event=event, participant=guest, text="Ganz leise")
        await visitor.wait_for(1, timeout=5)
        assert visitor.frames()[0][2]["html"] == "Ganz leise"
        await visitor.leave()

    try:
        scenario()
    finally:
        live.reset_backend()
