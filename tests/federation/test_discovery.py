"""WebFinger, host-meta, NodeInfo, the actors' JSON and content negotiation, over HTTP."""

import json

import pytest
from django.urls import reverse

from treffpunkt.blog.actions import create_blog, update_blog
from treffpunkt.blog.models import Post
from treffpunkt.federation.actors import actor_for_blog, actor_url, instance_actor
from treffpunkt.federation.models import Tombstone

from .conftest import AP, BASE

LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def _json(response):
    return json.loads(response.content)


def test_webfinger_finds_a_blog_by_acct_and_the_actor_url_round_trips(client, blog):
    response = client.get(
        "/.well-known/webfinger", {"resource": "acct:werkstatt@treffpunkt.example.org"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jrd+json"
    document = _json(response)
    assert document["subject"] == "acct:werkstatt@treffpunkt.example.org"
    self_link = next(link for link in document["links"] if link["rel"] == "self")
    assert self_link["type"] == AP
    actor_id = self_link["href"]
    assert actor_id == actor_url(actor_for_blog(blog))
    # Mastodon checks the other way round: the actor URL leads to the same subject.
    back = _json(client.get("/.well-known/webfinger", {"resource": actor_id}))
    assert back["subject"] == document["subject"]
    # And the actor's own document names the same handle.
    actor = _json(client.get(actor_id.removeprefix(BASE), HTTP_ACCEPT=AP))
    assert actor["preferredUsername"] == "werkstatt"
    assert actor["webfinger"] == "werkstatt@treffpunkt.example.org"


def test_webfinger_answers_clearly_for_unknown_and_missing_resources(client, blog):
    assert client.get("/.well-known/webfinger").status_code == 400
    unknown = client.get(
        "/.well-known/webfinger", {"resource": "acct:nobody@treffpunkt.example.org"}
    )
    assert unknown.status_code == 404
    elsewhere = client.get("/.well-known/webfinger", {"resource": "acct:werkstatt@example.com"})
    assert elsewhere.status_code == 404


def test_the_domain_keeps_its_port(client, blog, settings):
    settings.BASE_URL = "http://127.0.0.1:8123"
    settings.BASE_HOST = "127.0.0.1"
    response = client.get("/.well-known/webfinger", {"resource": "acct:werkstatt@127.0.0.1:8123"})
    assert response.status_code == 200
    assert _json(response)["subject"] == "acct:werkstatt@127.0.0.1:8123"


def test_a_renamed_blog_keeps_its_actor_and_its_old_handle_finds_it(client, blog, author):
    old_id = actor_url(actor_for_blog(blog))
    update_blog(blog, slug="werkbank")
    old = _json(
        client.get("/.well-known/webfinger", {"resource": "acct:werkstatt@treffpunkt.example.org"})
    )
    assert old["subject"] == "acct:werkbank@treffpunkt.example.org"
    assert old["links"][0]["href"] == old_id


def test_host_meta_and_nodeinfo(client, blog, post):
    host_meta = client.get("/.well-known/host-meta")
    assert host_meta.status_code == 200
    assert f"{BASE}/.well-known/webfinger?resource={{uri}}" in host_meta.content.decode()
    links = _json(client.get("/.well-known/nodeinfo"))["links"]
    rels = {link["rel"]: link["href"] for link in links}
    assert rels["http://nodeinfo.diaspora.software/ns/schema/2.1"] == f"{BASE}/nodeinfo/2.1"
    application = rels["https://www.w3.org/ns/activitystreams#Application"]
    info = _json(client.get("/nodeinfo/2.1"))
    assert info["version"] == "2.1"
    assert info["software"]["name"] == "treffpunkt"
    assert info["protocols"] == ["activitypub"]
    assert info["usage"]["localPosts"] == 1
    assert info["openRegistrations"] is False
    app = _json(client.get(application.removeprefix(BASE), HTTP_ACCEPT=AP))
    assert app["type"] == "Application"
    assert app["publicKey"]["owner"] == application


def test_the_blog_actor_has_what_mastodon_reads(client, blog):
    actor = actor_for_blog(blog)
    document = _json(client.get(f"/ap/actors/{actor.pk}", HTTP_ACCEPT=AP))
    assert document["type"] == "Organization"
    assert document["name"] == "Aus der Werkstatt"
    assert "<em>bauen</em>" in document["summary"]
    assert document["url"] == f"{BASE}/b/werkstatt/"
    for field in ("inbox", "outbox", "followers", "following", "featured"):
        assert document[field].startswith(f"{BASE}/ap/actors/{actor.pk}")
    assert document["endpoints"]["sharedInbox"] == f"{BASE}/ap/inbox"
    key = document["publicKey"]
    assert key["owner"] == document["id"]
    assert key["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    multikey = document["assertionMethod"][0]
    assert multikey["type"] == "Multikey"
    assert multikey["publicKeyMultibase"].startswith("z6Mk")
    assert document["manuallyApprovesFollowers"] is False
    assert document["discoverable"] is True and document["indexable"] is True
    assert document["published"]
    assert document["webfinger"] == "werkstatt@treffpunkt.example.org"
    assert document["icon"]["url"].endswith(".png")
    from django.contrib.staticfiles import finders

    assert finders.find("treffpunkt/img/icon-512.png")


def test_keys_are_made_once_and_kept(blog):
    first = actor_for_blog(blog)
    again = actor_for_blog(blog)
    assert first.pk == again.pk
    assert first.private_key_pem == again.private_key_pem
    assert instance_actor().pk == instance_actor().pk


@pytest.mark.parametrize("accept", [AP, LD])
def test_the_blog_page_and_a_post_answer_json_to_servers_and_html_to_browsers(
    client, blog, post, accept
):
    page = client.get(blog.get_absolute_url())
    assert page["Content-Type"].startswith("text/html")
    assert "Accept" in page["Vary"]
    as_json = client.get(blog.get_absolute_url(), HTTP_ACCEPT=accept)
    assert as_json["Content-Type"].startswith(AP)
    assert "Accept" in as_json["Vary"]
    assert _json(as_json)["preferredUsername"] == "werkstatt"

    post_page = client.get(post.get_absolute_url())
    assert post_page["Content-Type"].startswith("text/html")
    assert "Accept" in post_page["Vary"]
    article = _json(client.get(post.get_absolute_url(), HTTP_ACCEPT=accept))
    assert article["type"] == "Article"
    assert article["id"] == f"{BASE}/ap/posts/{post.pk}"
    assert article["url"] == f"{BASE}{post.get_absolute_url()}"


def test_the_actor_and_post_ids_lead_browsers_to_the_pages(client, blog, post):
    actor = actor_for_blog(blog)
    response = client.get(f"/ap/actors/{actor.pk}")
    assert response.status_code == 302 and response["Location"] == blog.get_absolute_url()
    response = client.get(f"/ap/posts/{post.pk}")
    assert response.status_code == 302 and response["Location"] == post.get_absolute_url()


def test_a_post_as_article(client, blog, make_post):
    from treffpunkt.blog.models import Tag

    post = make_post(
        "Werkstattbericht",
        body_html='<p>Text mit Bild <img src="/media/blog/images/a.webp" alt="Eine Säge"></p>',
        summary="Kurz gesagt: " + "viel " * 200,
    )
    post.tags.add(Tag.objects.create(name="Offene Werkstatt", slug="offene-werkstatt"))
    article = _json(client.get(f"/ap/posts/{post.pk}", HTTP_ACCEPT=AP))
    assert article["name"] == "Werkstattbericht"
    assert len(article["summary"]) <= 500
    assert "<" not in article["summary"]
    assert article["tag"] == [
        {"type": "Hashtag", "href": f"{BASE}/b/tag/offene-werkstatt/", "name": "#OffeneWerkstatt"}
    ]
    assert article["attachment"][0]["url"] == f"{BASE}/media/blog/images/a.webp"
    assert article["attachment"][0]["name"] == "Eine Säge"
    assert article["replies"] == f"{BASE}/ap/posts/{post.pk}/replies"
    assert article["likes"]["totalItems"] == 0
    assert article["interactionPolicy"]["canQuote"]["automaticApproval"]
    assert "https://www.w3.org/ns/activitystreams#Public" in article["to"]


def test_drafts_are_not_served_and_deleted_posts_answer_410_tombstone(
    client, blog, post, author, django_capture_on_commit_callbacks
):
    from treffpunkt.blog.actions import delete_post

    draft = Post.objects.create(
        blog=blog, author=author, title="Entwurf", slug="entwurf", status=Post.Status.DRAFT
    )
    assert client.get(f"/ap/posts/{draft.pk}", HTTP_ACCEPT=AP).status_code == 404
    assert client.get(draft.get_absolute_url(), HTTP_ACCEPT=AP).status_code == 404
    post_id = post.pk
    with django_capture_on_commit_callbacks(execute=True):
        delete_post(post, editor=author)
    assert Tombstone.objects.filter(post_id=post_id).exists()
    gone = client.get(f"/ap/posts/{post_id}", HTTP_ACCEPT=AP)
    assert gone.status_code == 410
    assert _json(gone)["type"] == "Tombstone"


def test_collections(client, blog, post):
    actor = actor_for_blog(blog)
    outbox = _json(client.get(f"/ap/actors/{actor.pk}/outbox", HTTP_ACCEPT=AP))
    assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 1
    page = _json(client.get(outbox["first"].removeprefix(BASE), HTTP_ACCEPT=AP))
    assert page["orderedItems"][0]["type"] == "Create"
    assert page["orderedItems"][0]["object"]["id"] == f"{BASE}/ap/posts/{post.pk}"
    followers = _json(client.get(f"/ap/actors/{actor.pk}/followers", HTTP_ACCEPT=AP))
    assert followers == {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{BASE}/ap/actors/{actor.pk}/followers",
        "type": "OrderedCollection",
        "totalItems": 0,
    }
    replies = _json(client.get(f"/ap/posts/{post.pk}/replies?page=1", HTTP_ACCEPT=AP))
    assert replies["orderedItems"] == []
    assert client.get(f"/ap/posts/{post.pk}/replies?page=x", HTTP_ACCEPT=AP).status_code == 404


def test_federation_off_means_no_endpoints(client, blog, post, settings):
    settings.FEDERATION = False
    actor = actor_for_blog(blog)
    assert (
        client.get(
            "/.well-known/webfinger", {"resource": "acct:werkstatt@treffpunkt.example.org"}
        ).status_code
        == 404
    )
    assert client.get(f"/ap/actors/{actor.pk}", HTTP_ACCEPT=AP).status_code == 404
    assert client.post("/ap/inbox", data="{}", content_type=AP).status_code == 404
    page = client.get(blog.get_absolute_url(), HTTP_ACCEPT=AP)
    assert page["Content-Type"].startswith("text/html")
    assert "Follow from the fediverse" not in page.content.decode()


def test_the_blog_page_shows_the_handle_and_the_remote_follow_form(client, blog):
    page = client.get(blog.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "@werkstatt@treffpunkt.example.org" in text
    form_url = reverse("fediverse:remote_follow", kwargs={"blog": "werkstatt"})
    assert form_url in text
    answer = client.get(form_url, {"server": "https://mastodon.example/"})
    assert answer.status_code == 200
    assert (
        "https://mastodon.example/authorize_interaction?uri=werkstatt%40treffpunkt.example.org"
        in answer.content.decode()
    )
    bad = client.get(form_url, {"server": "not a server"})
    assert bad.status_code == 302


def test_a_blog_cannot_take_an_events_name(blog, author):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from treffpunkt.events.actions import create_event

    organizer = author
    organizer.is_organizer = True
    organizer.save()
    create_event(
        organizer=organizer,
        title="Sommerfest",
        hashtag="Sommerfest",
        starts_at=timezone.now(),
        ends_at=timezone.now() + timezone.timedelta(hours=2),
    )
    with pytest.raises(ValidationError, match="Fediverse-Name"):
        create_blog(title="Sommerfest", slug="sommerfest")
    with pytest.raises(ValidationError, match="Fediverse-Name"):
        create_event(
            organizer=organizer,
            title="Werkstatt",
            hashtag="Werkstatt",
            starts_at=timezone.now(),
            ends_at=timezone.now() + timezone.timedelta(hours=2),
        )


def test_an_approved_comment_answers_as_a_note(client, blog, post, author):
    from tests.submitting import comment_on_post
    from treffpunkt.comments.actions import moderate_comment
    from treffpunkt.core.actions import participant_for_guest

    guest = participant_for_guest("c" * 32, display_name="Gerda", email="gerda@example.org")
    comment = comment_on_post(post=post, participant=guest, body="Schön <b>hier</b>",
                              author_name="Gerda", email="gerda@example.org")  # fmt: skip
    path = f"/ap/comments/{comment.pk}"
    assert client.get(path, HTTP_ACCEPT=AP).status_code == 404  # held: not public
    moderate_comment(comment, "approve", author)
    response = client.get(path, HTTP_ACCEPT=AP)
    note = _json(response)
    assert "Accept" in response["Vary"]
    assert note["type"] == "Note"
    assert note["inReplyTo"] == f"{BASE}/ap/posts/{post.pk}"
    assert "&lt;b&gt;hier&lt;/b&gt;" in note["content"]
    assert "gerda@example.org" not in response.content.decode()
    page = client.get(path)
    assert page.status_code == 302
    assert page["Location"].endswith(f"#comment-{comment.pk}")
