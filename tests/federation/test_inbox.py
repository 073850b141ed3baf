"""The inbox over HTTP with real signatures: verified before stored, 202/400/401/413/503,
then processed by the worker's code (tasks run at once here): Follow, Undo, replies."""

import json

import pytest

from treffpunkt.comments.models import Comment
from treffpunkt.federation.actors import actor_for_blog, actor_url
from treffpunkt.federation.models import (
    Delivery,
    Follower,
    InboxItem,
    Reaction,
    RemoteComment,
    Report,
)

from .conftest import BASE


def follow(remote, blog, number=1, name="alice"):
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{remote.actor_url(name)}#follows/{number}",
        "type": "Follow",
        "actor": remote.actor_url(name),
        "object": actor_url(actor_for_blog(blog)),
    }


def test_a_follow_is_accepted_and_the_accept_delivered_signed(send, remote, blog):
    response = send(follow(remote, blog))
    assert response.status_code == 202
    follower = Follower.objects.get()
    assert follower.status == Follower.Status.ACCEPTED
    assert follower.remote.username == "alice"
    accepts = remote.activities("Accept")
    assert len(accepts) == 1
    assert accepts[0]["object"]["id"] == f"{remote.actor_url()}#follows/1"
    assert accepts[0]["actor"] == actor_url(actor_for_blog(blog))
    # Sent to the follower's own inbox, signed with the blog's key.
    received = remote.received[0]
    assert received.path == "/users/alice/inbox"
    from treffpunkt.federation import httpsig, keys

    actor = actor_for_blog(blog)
    key_id = httpsig.verify_request(
        "POST",
        f"{remote.base}{received.path}",
        received.headers,
        received.body,
        resolve_key=lambda kid, refresh: keys.load_public_key(actor.public_key_pem),
    )
    assert key_id == f"{actor_url(actor)}#main-key"
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_rfc9421_signatures_are_taken_too(send, remote, blog):
    response = send(follow(remote, blog), scheme="rfc9421")
    assert response.status_code == 202
    assert Follower.objects.count() == 1


def test_a_blog_that_approves_followers_holds_them(send, remote, blog, author):
    from treffpunkt.federation.actions import approve_follower

    actor = actor_for_blog(blog)
    actor.manually_approves_followers = True
    actor.save()
    send(follow(remote, blog))
    follower = Follower.objects.get()
    assert follower.status == Follower.Status.PENDING
    assert remote.activities("Accept") == []
    approve_follower(follower, user=author)
    assert Follower.objects.get().status == Follower.Status.ACCEPTED


def test_undo_follow_removes_the_follower(send, remote, blog):
    activity = follow(remote, blog)
    send(activity)
    undo = {
        "id": f"{remote.actor_url()}#undo/1",
        "type": "Undo",
        "actor": remote.actor_url(),
        "object": activity,
    }
    assert send(undo).status_code == 202
    assert Follower.objects.count() == 0


def test_duplicates_are_stored_once(send, remote, blog):
    activity = follow(remote, blog)
    assert send(activity).status_code == 202
    assert send(activity).status_code == 202
    assert InboxItem.objects.count() == 1


def test_unsigned_and_badly_signed_requests_get_401_and_nothing_is_stored(
    client, send, remote, blog
):
    body = json.dumps(follow(remote, blog))
    unsigned = client.post("/ap/inbox", data=body, content_type="application/activity+json")
    assert unsigned.status_code == 401
    from treffpunkt.federation import keys

    forged = send(follow(remote, blog, 2), key=keys.generate_rsa_key())
    assert forged.status_code == 401
    # Someone else's key for alice's activity.
    mallory = follow(remote, blog, 3, name="bob")
    mallory["actor"] = remote.actor_url("alice")
    assert send(mallory, name="bob").status_code == 401
    assert InboxItem.objects.count() == 0


def test_tampered_body_fails_its_digest(client, remote, blog):
    from treffpunkt.federation import httpsig

    body = json.dumps(follow(remote, blog)).encode()
    headers = httpsig.sign_request(
        "POST", f"{BASE}/ap/inbox", {}, body, key_id=remote.key_id(), private_key=remote.key,
        scheme="cavage",
    )  # fmt: skip
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Host"}
    other = body.replace(b"follows/1", b"follows/9")
    response = client.post(
        "/ap/inbox", data=other, content_type="application/activity+json", **meta
    )
    assert response.status_code == 401
    assert InboxItem.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b'{"type": "Follow"}', 400),
        (
            b'{"type": "Create", "actor": "http://127.0.0.1:9/u", "object": "http://x.example/1"}',
            400,
        ),
        (b'{"a":' * 100 + b"1" + b"}" * 100, 400),
        (b"{" + b" " * (10 * 1024 * 1024) + b"}", 413),
    ],
)
def test_malformed_bodies_are_refused_clearly(client, blog, body, status, fed_settings):
    response = client.post("/ap/inbox", data=body, content_type="application/activity+json")
    assert response.status_code == status
    assert InboxItem.objects.count() == 0


def test_an_object_from_another_server_is_refused(send, remote, blog, post):
    note = remote.note(1, in_reply_to=f"{BASE}/ap/posts/{post.pk}", content="<p>Hallo</p>")
    note["id"] = "https://elsewhere.example/notes/1"
    assert send(remote.create(note)).status_code == 400


def test_a_blocked_server_is_dropped_before_any_signature_work(client, remote, blog):
    from treffpunkt.federation.actions import block_domain

    block_domain("127.0.0.1")
    body = json.dumps(follow(remote, blog))
    response = client.post("/ap/inbox", data=body, content_type="application/activity+json")
    assert response.status_code == 202
    assert InboxItem.objects.count() == 0


def test_a_key_that_cannot_be_fetched_now_gives_503(client, blog, fed_settings):
    fed_settings.FEDERATION_ALLOW_PRIVATE = ["127.0.0.0/8"]
    from treffpunkt.federation import httpsig, keys

    key = keys.generate_rsa_key()
    activity = {
        "id": "http://127.0.0.1:9/users/x#f",
        "type": "Follow",
        "actor": "http://127.0.0.1:9/users/x",
        "object": actor_url(actor_for_blog(blog)),
    }
    body = json.dumps(activity).encode()
    headers = httpsig.sign_request(
        "POST", f"{BASE}/ap/inbox", {}, body, key_id="http://127.0.0.1:9/users/x#main-key",
        private_key=key, scheme="cavage",
    )  # fmt: skip
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Host"}
    response = client.post("/ap/inbox", data=body, content_type="application/activity+json", **meta)
    assert response.status_code == 503


@pytest.mark.parametrize(
    "actor",
    [
        "http://127.0.0.1:8/users/x",
        "http://169.254.169.254/users/x",
        "http://[::ffff:127.0.0.1]/users/x",
        "http://10.0.0.1/users/x",
    ],
)
def test_internal_addresses_are_never_fetched_when_not_allowed(client, blog, fed_settings, actor):
    fed_settings.FEDERATION_ALLOW_PRIVATE = []
    from treffpunkt.federation import httpsig, keys

    activity = {
        "id": f"{actor}#f",
        "type": "Follow",
        "actor": actor,
        "object": f"{BASE}/ap/actors/1",
    }
    body = json.dumps(activity).encode()
    headers = httpsig.sign_request(
        "POST", f"{BASE}/ap/inbox", {}, body, key_id=f"{actor}#main-key",
        private_key=keys.generate_rsa_key(), scheme="cavage",
    )  # fmt: skip
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Host"}
    response = client.post("/ap/inbox", data=body, content_type="application/activity+json", **meta)
    assert response.status_code == 401
    assert InboxItem.objects.count() == 0


# --- replies become comments -----------------------------------------------------------


def test_a_reply_becomes_a_held_comment_with_the_remote_authors_name(send, remote, blog, post):
    note = remote.note(
        1,
        in_reply_to=f"{BASE}/ap/posts/{post.pk}",
        content='<p><span class="h-card"><a href="x">@<span>werkstatt</span></a></span> '
        "Schöner Beitrag!<script>alert(1)</script></p>",
    )
    assert send(remote.create(note)).status_code == 202
    comment = Comment.objects.get()
    assert comment.post == post
    assert comment.body == "Schöner Beitrag!"
    assert comment.author_name == "Alice <b>Beispiel</b>"  # escaped when shown, as any name
    assert comment.email == ""
    assert comment.status == Comment.Status.PENDING  # first time, like a first-time guest
    assert comment.participant.kind == "remote"
    assert comment.participant.handle == "@alice@127.0.0.1:" + str(remote.port)
    known = RemoteComment.objects.get()
    assert known.object_id == note["id"]
    assert InboxItem.objects.get().status == InboxItem.Status.DONE


def test_a_reply_to_the_permalink_and_to_a_comment_lands_in_the_thread(
    send, remote, blog, post, author
):
    from treffpunkt.comments.actions import moderate_comment

    first = remote.note(1, in_reply_to=f"{BASE}{post.get_absolute_url()}", content="<p>Eins</p>")
    send(remote.create(first))
    parent = Comment.objects.get()
    moderate_comment(parent, "approve", author)
    second = remote.note(2, in_reply_to=first["id"], content="<p>Zwei</p>", name="bob")
    send(remote.create(second, name="bob"), name="bob")
    reply = Comment.objects.get(body="Zwei")
    assert reply.parent == parent


def test_update_and_delete_of_a_reply(send, remote, blog, post, author):
    from treffpunkt.comments.actions import moderate_comment

    note = remote.note(1, in_reply_to=f"{BASE}/ap/posts/{post.pk}", content="<p>Erst so</p>")
    send(remote.create(note))
    comment = Comment.objects.get()
    moderate_comment(comment, "approve", author)
    changed = dict(note, content="<p>Dann so</p>", updated="2026-12-01T11:00:00Z")
    update = {"id": f"{note['id']}#u1", "type": "Update", "actor": remote.actor_url(),
              "object": changed}  # fmt: skip
    assert send(update).status_code == 202
    comment.refresh_from_db()
    assert comment.body == "Dann so"
    assert comment.edited_at is not None
    delete = {"id": f"{note['id']}#delete", "type": "Delete", "actor": remote.actor_url(),
              "object": {"id": note["id"], "type": "Tombstone"}}  # fmt: skip
    assert send(delete).status_code == 202
    assert Comment.objects.count() == 0
    # The Create arriving late (or again) stays away.
    send(dict(remote.create(note), id=f"{note['id']}/again"))
    assert Comment.objects.count() == 0


def test_followers_only_replies_are_not_shown(send, remote, blog, post):
    note = remote.note(
        1, in_reply_to=f"{BASE}/ap/posts/{post.pk}", content="<p>Nur für euch</p>",
        to=[f"{remote.actor_url()}/followers"], cc=[],
    )  # fmt: skip
    send(remote.create(note))
    assert Comment.objects.count() == 0
    assert InboxItem.objects.get().status == InboxItem.Status.IGNORED


def test_replies_to_unknown_posts_are_ignored(send, remote, blog):
    note = remote.note(1, in_reply_to=f"{BASE}/ap/posts/999", content="<p>?</p>")
    assert send(remote.create(note)).status_code == 202
    assert Comment.objects.count() == 0
    assert InboxItem.objects.get().status == InboxItem.Status.IGNORED


def test_likes_and_boosts_are_counted_and_undone(send, remote, blog, post, client):
    like = {"id": f"{remote.actor_url()}#likes/1", "type": "Like", "actor": remote.actor_url(),
            "object": f"{BASE}/ap/posts/{post.pk}"}  # fmt: skip
    send(like)
    send(dict(like, id=f"{remote.actor_url('bob')}#likes/1", actor=remote.actor_url("bob")),
         name="bob")  # fmt: skip
    assert Reaction.objects.filter(kind="like").count() == 2
    page = client.get(post.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 Personen im Fediverse gefällt das." in page
    send({"id": f"{remote.actor_url()}#undo-like", "type": "Undo", "actor": remote.actor_url(),
          "object": like})  # fmt: skip
    assert Reaction.objects.count() == 1


def test_a_flag_becomes_a_report(send, remote, blog, post):
    flag = {"id": f"{remote.base}/flags/1", "type": "Flag", "actor": remote.actor_url(),
            "object": [f"{BASE}/ap/posts/{post.pk}"], "content": "Das ist <b>Spam</b>"}  # fmt: skip
    assert send(flag).status_code == 202
    report = Report.objects.get()
    assert report.post == post
    assert report.text == "Das ist Spam"


def test_a_deleted_account_loses_its_comments_also_unsigned_once_it_answers_410(
    client, send, remote, blog, post, django_capture_on_commit_callbacks
):
    note = remote.note(1, in_reply_to=f"{BASE}/ap/posts/{post.pk}", content="<p>Hallo</p>")
    send(remote.create(note))
    assert Comment.objects.count() == 1
    delete = {"id": f"{remote.actor_url()}#delete", "type": "Delete",
              "actor": remote.actor_url(), "object": remote.actor_url()}  # fmt: skip
    body = json.dumps(delete)
    # Still there: an unsigned Delete is taken (202) but changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/ap/inbox", data=body, content_type="application/activity+json")
    assert answer.status_code == 202
    assert Comment.objects.count() == 1
    # Gone (410): now it counts.
    from treffpunkt.federation.models import RemoteActor

    remote.users["alice"] = None
    original = remote.server.RequestHandlerClass.do_GET

    def gone(handler):
        handler.send_response(410)
        handler.send_header("Content-Type", "application/activity+json")
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        handler.wfile.write(b"{}")

    remote.server.RequestHandlerClass.do_GET = gone
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/ap/inbox", data=json.dumps(dict(delete, id=delete["id"] + "2")),
                        content_type="application/activity+json")  # fmt: skip
    finally:
        remote.server.RequestHandlerClass.do_GET = original
    assert Comment.objects.count() == 0
    assert RemoteActor.objects.get(url=remote.actor_url()).gone_at is not None


def test_a_quote_request_is_accepted_with_a_dereferenceable_authorization(
    send, remote, blog, post, client
):
    quote = f"{remote.actor_url()}/statuses/77"
    request = {"id": f"{remote.actor_url()}#quote-requests/1", "type": "QuoteRequest",
               "actor": remote.actor_url(), "object": f"{BASE}/ap/posts/{post.pk}",
               "instrument": quote}  # fmt: skip
    assert send(request).status_code == 202
    accept = remote.activities("Accept")[0]
    assert accept["object"]["type"] == "QuoteRequest"
    stamp = json.loads(client.get(accept["result"].removeprefix(BASE),
                                  HTTP_ACCEPT="application/activity+json").content)  # fmt: skip
    assert stamp["type"] == "QuoteAuthorization"
    assert stamp["interactingObject"] == quote
    assert stamp["interactionTarget"] == f"{BASE}/ap/posts/{post.pk}"


def test_replies_to_replies_that_never_mentioned_the_blog_are_backfilled(
    send, remote, blog, post, author
):
    from treffpunkt.comments.actions import moderate_comment
    from treffpunkt.federation.backfill import backfill_replies

    first = remote.note(1, in_reply_to=f"{BASE}/ap/posts/{post.pk}", content="<p>Eins</p>")
    send(remote.create(first))
    moderate_comment(Comment.objects.get(), "approve", author)
    answer = remote.note(2, in_reply_to=first["id"], content="<p>Unter uns</p>", name="bob")
    remote.objects[first["replies"].removeprefix(remote.base)] = {
        "id": first["replies"],
        "type": "Collection",
        "first": {"type": "CollectionPage", "items": [answer["id"]]},
    }
    assert backfill_replies() == 1
    reply = Comment.objects.get(body="Unter uns")
    assert reply.parent.body == "Eins"
    assert backfill_replies() == 0  # known now


@pytest.mark.parametrize(
    "parent",
    [
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1/notes/1",
        "http://[::ffff:127.0.0.1]:9/notes/1",
    ],
)
def test_a_reply_to_an_internal_address_is_never_fetched(send, remote, blog, parent):
    note = remote.note(1, in_reply_to=parent, content="<p>?</p>")
    assert send(remote.create(note)).status_code == 202
    item = InboxItem.objects.get()
    assert item.status == InboxItem.Status.IGNORED
    assert Comment.objects.count() == 0


def test_a_reply_to_the_english_page_of_a_post_finds_it(send, remote, blog, post):
    from django.utils import translation

    with translation.override("en"):
        english = post.get_absolute_url()
    assert english.startswith("/en/")
    note = remote.note(1, in_reply_to=f"{BASE}{english}", content="<p>Hello</p>")
    send(remote.create(note))
    assert Comment.objects.get().post == post
