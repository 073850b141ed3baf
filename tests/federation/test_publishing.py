"""Publishing: posts go out to followers' servers as Create/Update/Delete, one delivery per
server, signed when sent, retried with growing pauses; answers go back to remote authors."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from treffpunkt.blog.actions import delete_post, publish_post, save_post, unpublish_post
from treffpunkt.blog.models import Post
from treffpunkt.comments.models import Comment
from treffpunkt.federation import delivery
from treffpunkt.federation.actors import actor_for_blog
from treffpunkt.federation.models import Delivery, Follower, RemoteActor, Server

from .conftest import BASE
from .test_inbox import follow


@pytest.fixture
def followed(send, remote, blog):
    """alice and bob on one server follow the blog; Accepts are sent."""
    send(follow(remote, blog, 1, "alice"))
    send(follow(remote, blog, 2, "bob"), name="bob")
    assert Follower.objects.count() == 2
    remote.received.clear()
    return remote


def _draft(blog, author, **fields):
    return save_post(editor=author, blog=blog, title="Neu aus der Werkstatt",
                     body="Wir haben **gebaut**.", tags="Werkstatt, Holz", **fields)  # fmt: skip


def test_publishing_sends_one_create_per_server_to_its_shared_inbox(
    followed, blog, author, django_capture_on_commit_callbacks
):
    post = _draft(blog, author)
    with django_capture_on_commit_callbacks(execute=True):
        publish_post(post, editor=author)
    creates = [r for r in followed.received if r.activity["type"] == "Create"]
    assert len(creates) == 1
    assert creates[0].path == "/inbox"
    article = creates[0].activity["object"]
    assert article["type"] == "Article"
    assert article["name"] == "Neu aus der Werkstatt"
    assert "<strong>gebaut</strong>" in article["content"]
    assert {tag["name"] for tag in article["tag"]} == {"#Werkstatt", "#Holz"}
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() >= 1


def test_a_post_with_a_content_warning_goes_out_as_a_sensitive_note(
    followed, blog, author, django_capture_on_commit_callbacks
):
    post = _draft(blog, author, content_warning="Krankheit")
    with django_capture_on_commit_callbacks(execute=True):
        publish_post(post, editor=author)
    note = followed.activities("Create")[0]["object"]
    assert note["type"] == "Note"
    assert note["summary"] == "Krankheit"
    assert note["sensitive"] is True
    assert "Neu aus der Werkstatt" in note["content"]


def test_editing_sends_update_and_deleting_sends_delete(
    followed, blog, author, client, django_capture_on_commit_callbacks
):
    post = _draft(blog, author)
    with django_capture_on_commit_callbacks(execute=True):
        publish_post(post, editor=author)
    with django_capture_on_commit_callbacks(execute=True):
        save_post(editor=author, post=post, title="Neu aus der Werkstatt", body="Geändert.")
    updates = followed.activities("Update")
    assert len(updates) == 1 and "Geändert." in updates[0]["object"]["content"]
    post_id = post.pk
    with django_capture_on_commit_callbacks(execute=True):
        delete_post(Post.objects.get(pk=post_id), editor=author)
    deletes = followed.activities("Delete")
    assert deletes[0]["object"]["id"] == f"{BASE}/ap/posts/{post_id}"
    gone = client.get(f"/ap/posts/{post_id}", HTTP_ACCEPT="application/activity+json")
    assert gone.status_code == 410


def test_unpublishing_sends_delete(followed, blog, author, django_capture_on_commit_callbacks):
    post = _draft(blog, author)
    with django_capture_on_commit_callbacks(execute=True):
        publish_post(post, editor=author)
    with django_capture_on_commit_callbacks(execute=True):
        unpublish_post(post, editor=author)
    assert len(followed.activities("Delete")) == 1


def test_a_scheduled_post_goes_out_when_its_time_comes(
    followed, blog, author, django_capture_on_commit_callbacks
):
    from treffpunkt.blog.actions import announce_scheduled_post

    post = _draft(blog, author)
    later = timezone.now() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        publish_post(post, editor=author, at=later)
    assert followed.activities("Create") == []
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    post.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        announce_scheduled_post(post.pk, post.published_at.isoformat())
    assert len(followed.activities("Create")) == 1


def test_no_followers_no_deliveries(blog, author, django_capture_on_commit_callbacks):
    post = _draft(blog, author)
    with django_capture_on_commit_callbacks(execute=True):
        publish_post(post, editor=author)
    assert Delivery.objects.count() == 0


def test_a_failing_server_is_retried_with_growing_pauses_then_given_up(
    followed, blog, author, django_capture_on_commit_callbacks
):
    followed.answer_status = 503
    post = _draft(blog, author)
    with django_capture_on_commit_callbacks(execute=True):
        publish_post(post, editor=author)
    row = Delivery.objects.get(activity__kind="Create")
    assert row.status == Delivery.Status.WAITING
    assert row.attempts == 1
    assert row.next_try_at > timezone.now() + timedelta(seconds=30)
    assert delivery.pause_after(1) == timedelta(minutes=1)
    assert delivery.pause_after(5) == timedelta(minutes=16)
    assert delivery.pause_after(50) == timedelta(hours=6)
    # Two days later the server still fails: the delivery fails for good and the server
    # is marked unreachable (skipped, tried weekly).
    Delivery.objects.filter(pk=row.pk).update(
        next_try_at=timezone.now(), created_at=timezone.now() - timedelta(days=2, minutes=1)
    )
    Server.objects.filter(host=row.host).update(failing_since=timezone.now() - timedelta(days=2))
    assert delivery.deliver(row.pk) is False
    row.refresh_from_db()
    assert row.status == Delivery.Status.FAILED
    server = Server.objects.get(host=row.host)
    assert server.unreachable
    # A new post: the unreachable server is skipped, not tried.
    followed.answer_status = 202
    followed.received.clear()
    other = save_post(editor=author, blog=blog, title="Zweiter", body="Text")
    with django_capture_on_commit_callbacks(execute=True):
        publish_post(other, editor=author)
    assert followed.received == []
    assert Delivery.objects.filter(status=Delivery.Status.SKIPPED).count() == 1


def test_a_server_refusing_one_scheme_gets_the_other_and_it_is_remembered(
    followed, blog, author, django_capture_on_commit_callbacks
):
    calls = []
    original = followed.server.RequestHandlerClass.do_POST

    def picky(handler):
        calls.append("Signature-Input" in handler.headers)
        if "Signature-Input" not in handler.headers:
            handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
            handler.send_response(401)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        original(handler)

    followed.server.RequestHandlerClass.do_POST = picky
    post = _draft(blog, author)
    with django_capture_on_commit_callbacks(execute=True):
        publish_post(post, editor=author)
    assert calls == [False, True]
    server = Server.objects.get(host=f"127.0.0.1:{followed.port}")
    assert server.signature_scheme == Server.Scheme.RFC9421
    followed.server.RequestHandlerClass.do_POST = original


def test_a_members_answer_to_a_fediverse_comment_goes_back(
    followed, send, blog, author, django_capture_on_commit_callbacks
):
    from treffpunkt.comments.actions import moderate_comment, reply_as_author

    post = _draft(blog, author)
    with django_capture_on_commit_callbacks(execute=True):
        publish_post(post, editor=author)
    note = followed.note(7, in_reply_to=f"{BASE}/ap/posts/{post.pk}", content="<p>Frage?</p>")
    send(followed.create(note))
    remote_comment = Comment.objects.get()
    followed.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moderate_comment(remote_comment, "approve", author)
        reply_as_author(remote_comment, user=author, body="Antwort!")
    creates = followed.activities("Create")
    assert creates, followed.received
    answer = creates[0]["object"]
    assert answer["inReplyTo"] == note["id"]
    assert answer["attributedTo"] == f"{BASE}/ap/actors/{actor_for_blog(blog).pk}"
    assert {
        "type": "Mention",
        "href": followed.actor_url(),
        "name": f"@alice@127.0.0.1:{followed.port}",
    } in answer["tag"]
    assert "Antwort!" in answer["content"]
    paths = {r.path for r in followed.received}
    assert "/users/alice/inbox" in paths or "/inbox" in paths


def test_guest_comments_are_not_federated(
    followed, blog, author, django_capture_on_commit_callbacks
):
    from tests.submitting import comment_on_post
    from treffpunkt.core.actions import participant_for_guest

    post = _draft(blog, author)
    with django_capture_on_commit_callbacks(execute=True):
        post = publish_post(post, editor=author)
    followed.received.clear()
    guest = participant_for_guest("g" * 32, display_name="Gerda", email="gerda@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        comment_on_post(post=post, participant=guest, body="Hallo", author_name="Gerda",
                        email="gerda@example.org")  # fmt: skip
    assert followed.received == []
    assert not RemoteActor.objects.filter(url__contains="gerda").exists()


def test_a_guest_who_agrees_has_the_comment_sent_without_the_email(
    followed, blog, author, client, django_capture_on_commit_callbacks
):
    from tests.submitting import comment_on_post
    from treffpunkt.comments.actions import moderate_comment, submit_comment
    from treffpunkt.core.actions import participant_for_guest
    from treffpunkt.moderation.submissions import Submission

    post = _draft(blog, author)
    with django_capture_on_commit_callbacks(execute=True):
        post = publish_post(post, editor=author)
    followed.received.clear()
    guest = participant_for_guest("g" * 32, display_name="Gerda", email="gerda@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        comment = submit_comment(
            post,
            Submission(participant=guest, text="Toll gemacht", author_name="Gerda",
                       email="gerda@example.org"),
            federate=True,
        )  # fmt: skip
        moderate_comment(comment, "approve", author)
    notes = followed.activities("Create")
    assert len(notes) == 1
    note = notes[0]["object"]
    assert "Gerda" in note["content"] and "Toll gemacht" in note["content"]
    assert "gerda@example.org" not in json.dumps(notes[0])
    assert note["inReplyTo"] == f"{BASE}/ap/posts/{post.pk}"
    # Taken back when it is deleted here.
    from treffpunkt.comments.actions import delete_comment

    with django_capture_on_commit_callbacks(execute=True):
        delete_comment(comment, author)
    assert followed.activities("Delete")[0]["object"]["id"] == note["id"]
    # Without the tick nothing goes out.
    followed.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        other = comment_on_post(post=post, participant=guest, body="Noch was",
                                author_name="Gerda", email="gerda@example.org")  # fmt: skip
        moderate_comment(other, "approve", author)
    assert followed.received == []


def test_the_comment_form_offers_the_choice_only_with_federation_on(client, post, settings):
    page = client.get(post.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="federate"' in page
    settings.FEDERATION = False
    assert 'name="federate"' not in client.get(post.get_absolute_url()).content.decode()
