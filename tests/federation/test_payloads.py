"""Replies as other servers send them (shapes after the examples in Mastodon's, Misskey's,
GoToSocial's, Pixelfed's and WordPress's documentation), and JSON-LD in unexpected shapes:
a clear status, a row that is done or ignored, never a server error."""

import pytest

from treffpunkt.comments.models import Comment
from treffpunkt.federation.models import InboxItem

from .conftest import BASE
from .fake_remote import PUBLIC


def _reply(remote, post, **shape):
    note = remote.note(1, in_reply_to=f"{BASE}/ap/posts/{post.pk}", content="<p>Hallo</p>")
    note.update(shape)
    return note


SHAPES = {
    # Misskey: MFM source next to the HTML, the actor's key by id only, "_misskey_content".
    "misskey": {
        "content": "<p><span>Sehr schön!</span></p>",
        "_misskey_content": "Sehr schön!",
        "source": {"content": "Sehr schön!", "mediaType": "text/x.misskeymarkdown"},
        "sensitive": False,
        "tag": [],
    },
    # GoToSocial: to/cc as lists, interactionPolicy on the reply, contentMap.
    "gotosocial": {
        "content": "<p>Sehr schön!</p>",
        "contentMap": {"de": "<p>Sehr schön!</p>"},
        "interactionPolicy": {"canReply": {"always": [PUBLIC]}},
    },
    # Pixelfed: a reply with an attachment list and a plain string "to".
    "pixelfed": {
        "content": "Sehr schön!",
        "to": PUBLIC,
        "attachment": [
            {
                "type": "Document",
                "mediaType": "image/jpeg",
                "url": "http://169.254.169.254/x.jpg",
                "name": None,
            }
        ],
    },
    # WordPress (ActivityPub plugin): content with paragraphs, a "Note" answering a post.
    "wordpress": {
        "content": "<p>Sehr schön!</p>\n<p>Grüße aus Köln</p>",
        "url": "https://wp.example/2026/12/01/antwort/",
    },
    # Mastodon with a content warning.
    "mastodon-cw": {
        "content": "<p>Sehr schön!</p>",
        "summary": "Lob",
        "sensitive": True,
    },
}


@pytest.mark.parametrize("name", SHAPES)
def test_replies_from_other_software_become_comments(send, remote, blog, post, name):
    note = _reply(remote, post, **SHAPES[name])
    assert send(remote.create(note)).status_code == 202
    comment = Comment.objects.get()
    assert "Sehr schön!" in comment.body
    assert InboxItem.objects.get().status == InboxItem.Status.DONE


WEIRD = [
    {"inReplyTo": ["not", "a", "url"]},
    {"inReplyTo": {"id": 5}},
    {"content": ["<p>a</p>", "<p>b</p>"]},
    {"content": {"de": "<p>Map statt Text</p>"}},
    {"content": None},
    {"to": {"weird": True}, "cc": 7},
    {"published": "gestern"},
    {"published": 12345},
    {"published": "2026-12-01T10:00:00"},  # no time zone
    {"attributedTo": [{"id": "x"}]},
    {"type": ["Note", "Thing"]},
    {"content": "<script>alert(1)</script><img src=x onerror=alert(2)>Text"},
    {"content": "<p>" + "sehr " * 5000 + "</p>"},
]


@pytest.mark.parametrize("shape", WEIRD, ids=range(len(WEIRD)))
def test_unexpected_shapes_never_break_anything(send, remote, blog, post, shape):
    note = _reply(remote, post, **shape)
    response = send(remote.create(note))
    assert response.status_code in (202, 400)
    for item in InboxItem.objects.all():
        assert item.status in (InboxItem.Status.DONE, InboxItem.Status.IGNORED), item.result
    for comment in Comment.objects.all():
        assert "<script" not in comment.body and "onerror" not in comment.body


@pytest.mark.parametrize(
    "activity",
    [
        {"type": "Create", "actor": "REMOTE", "object": "just a string"},
        {"type": "Follow", "actor": "REMOTE", "object": None},
        {"type": 5, "actor": "REMOTE", "object": "x"},
        {"type": "Undo", "actor": "REMOTE", "object": {"type": "Follow"}},
        {"type": "Like", "actor": "REMOTE", "object": ["https://elsewhere.example/1"]},
        {"type": "Announce", "actor": "REMOTE", "object": {"id": f"{BASE}/ap/posts/999"}},
        {"type": "Delete", "actor": "REMOTE", "object": {"type": "Tombstone"}},
        {"type": "Flag", "actor": "REMOTE", "object": "https://elsewhere.example/1"},
        {"type": "Move", "actor": "REMOTE", "object": "REMOTE"},
    ],
)
def test_odd_activities_get_a_clear_answer(send, remote, blog, activity):
    activity = {
        key: (remote.actor_url() if value == "REMOTE" else value) for key, value in activity.items()
    }
    activity["id"] = f"{remote.actor_url()}#odd"
    response = send(activity)
    assert response.status_code in (202, 400)
    for item in InboxItem.objects.all():
        assert item.status in (InboxItem.Status.DONE, InboxItem.Status.IGNORED), item.result
