"""The moderation queue, its permissions and bulk actions, and the privacy tools."""

import json

import pytest
from django.test import Client

from tests.submitting import comment_on_post
from treffpunkt.accounts.models import User
from treffpunkt.blog.models import Blog, Post
from treffpunkt.comments import actions
from treffpunkt.comments.models import Comment, Subscription
from treffpunkt.core.models import Participant
from treffpunkt.moderation.models import Decision, ItemKind

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def comment_on(post, participant, body="Hallo", email="gerda@example.org", **fields):
    return comment_on_post(
        post=post, participant=participant, body=body, author_name="Gerda", email=email, **fields
    )


@pytest.fixture
def foreign_post(db):
    writer = User.objects.create_user(
        "fremd@example.org", PASSWORD, display_name="Fritz Fremd", is_author=True
    )
    blog = Blog.objects.create(title="Anderer Blog", slug="anderer")
    blog.authors.add(writer)
    return Post.objects.create(
        blog=blog,
        author=writer,
        title="Fremder Beitrag",
        slug="fremd",
        status="published",
        published_at=post_time(),
    )


def post_time():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() - timedelta(days=1)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_queue_needs_a_role(member_client):
    assert Client().get("/comments/moderate/").status_code == 302
    assert member_client.get("/comments/moderate/").status_code == 403


def test_authors_see_their_blogs_comments_without_emails(author, post, foreign_post, guest):
    comment_on(post, guest, "Bei mir")
    comment_on(foreign_post, guest, "Beim Nachbarn")
    html = logged_in(author).get("/comments/moderate/").content.decode()
    assert "Bei mir" in html
    assert "Beim Nachbarn" not in html
    assert "gerda@example.org" not in html
    assert "first comment under this name and email address" in html or "erster Kommentar" in html


def test_moderators_see_all_comments_with_emails(moderator, post, foreign_post, guest):
    comment_on(post, guest, "Bei mir")
    comment_on(foreign_post, guest, "Beim Nachbarn")
    html = logged_in(moderator).get("/comments/moderate/").content.decode()
    assert "Bei mir" in html and "Beim Nachbarn" in html
    assert "gerda@example.org" in html


def test_status_filter_with_counts(moderator, post, guest, other_guest):
    comment_on(post, guest, "Wartet")
    spam = comment_on(post, other_guest, "Werbung", email="o@example.org")
    actions.moderate_comment(spam, "spam", moderator)
    client = logged_in(moderator)
    html = client.get("/en/comments/moderate/?status=spam").content.decode()
    assert "Werbung" in html and "Wartet" not in html
    assert 'aria-current="page">Spam <span class="queue-filter__count">(1)' in html
    assert 'Pending <span class="queue-filter__count">(1)' in html


def test_single_and_bulk_actions_are_recorded(author, post, guest, other_guest):
    first = comment_on(post, guest, "Eins")
    second = comment_on(post, other_guest, "Zwei", email="o@example.org")
    third = comment_on(post, other_guest, "Drei", email="o@example.org")
    client = logged_in(author)
    response = client.post("/comments/moderate/?status=pending", {"one": f"approve:{first.pk}"})
    assert response.status_code == 302
    response = client.post(
        "/comments/moderate/?status=pending",
        {"bulk_action": "spam", "selected": [second.pk, third.pk]},
    )
    assert response.status_code == 302
    statuses = dict(Comment.objects.values_list("body", "status"))
    assert statuses == {"Eins": "approved", "Zwei": "spam", "Drei": "spam"}
    decisions = Decision.objects.filter(kind=ItemKind.COMMENT)
    assert sorted(decisions.values_list("action", flat=True)) == ["approve", "spam", "spam"]
    assert set(decisions.values_list("moderator", flat=True)) == {author.pk}


def test_bulk_without_choice_or_selection_changes_nothing(author, post, guest):
    comment = comment_on(post, guest)
    client = logged_in(author)
    client.post("/comments/moderate/", {"bulk_action": "", "selected": [comment.pk]})
    client.post("/comments/moderate/", {"bulk_action": "approve"})
    client.post("/comments/moderate/", {"one": "explode:1"})
    assert Comment.objects.get().status == "pending"
    assert not Decision.objects.exists()


def test_authors_cannot_moderate_other_blogs(author, foreign_post, guest):
    comment = comment_on(foreign_post, guest)
    client = logged_in(author)
    response = client.post("/comments/moderate/", {"one": f"approve:{comment.pk}"})
    assert response.status_code == 403
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 403
    assert client.post(f"/comments/{comment.pk}/reply/", {"body": "x"}).status_code == 403
    assert Comment.objects.get(pk=comment.pk).status == "pending"


def test_edit_and_reply_from_the_queue(author, post, guest):
    comment = comment_on(post, guest, "Tippfeler")
    client = logged_in(author)
    response = client.post(
        f"/comments/{comment.pk}/edit/",
        {"body": "Tippfehler", "author_name": "Gerda", "website": "javascript:x"},
    )
    assert response.status_code == 400
    response = client.post(
        f"/comments/{comment.pk}/edit/", {"body": "Tippfehler", "author_name": "Gerda"}
    )
    assert response.status_code == 302
    assert Comment.objects.get(pk=comment.pk).body == "Tippfehler"
    assert client.post(f"/comments/{comment.pk}/reply/", {"body": ""}).status_code == 400
    response = client.post(f"/comments/{comment.pk}/reply/", {"body": "Danke, Gerda!"})
    answer = Comment.objects.get(body="Danke, Gerda!")
    assert response["Location"].endswith(f"#comment-{answer.pk}")
    assert answer.parent_id == comment.pk and answer.status == "approved"
    assert Comment.objects.get(pk=comment.pk).status == "approved"


def test_queue_query_count_is_fixed(moderator, post, guest):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in(moderator)
    comment_on(post, guest)
    client.get("/comments/moderate/")
    with CaptureQueriesContext(connection) as few:
        client.get("/comments/moderate/")
    for number in range(30):
        comment_on(post, guest, f"Kommentar {number}", email=f"{number}@example.org")
    with CaptureQueriesContext(connection) as many:
        client.get("/comments/moderate/")
    assert len(few) == len(many)


# --- privacy tools ----------------------------------------------------------------------


def test_privacy_tools_are_for_admins_only(author, member_client):
    assert logged_in(author).get("/comments/privacy/").status_code == 403
    assert member_client.get("/comments/privacy/").status_code == 403


def test_export_all_data_of_an_address(admin_client, post, guest, other_guest):
    comment_on(post, guest, "Meins", website="https://gerda.example", subscribe=True)
    comment_on(post, other_guest, "Fremd", email="otto@example.org")
    response = admin_client.post(
        "/comments/privacy/", {"email": "GERDA@example.org", "action": "download"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert [c["text"] for c in data["comments"]] == ["Meins"]
    assert data["comments"][0]["website"] == "https://gerda.example"
    assert len(data["reply_subscriptions"]) == 1
    assert (
        admin_client.post("/comments/privacy/", {"email": "nonsense", "action": "lookup"})
    ).status_code == 400
    # The address is never in a URL (address bars and access logs keep those).
    assert 'method="get"' not in admin_client.get("/comments/privacy/").content.decode()


def test_erase_anonymizes_comments_and_deletes_subscriptions(admin_client, post, guest):
    kept = comment_on(post, guest, "Bleibt anonym", subscribe=True)
    assert (
        admin_client.post(
            "/comments/privacy/", {"action": "erase", "erase-email": "gerda@example.org"}
        ).status_code
        == 400
    )
    response = admin_client.post(
        "/comments/privacy/",
        {
            "action": "erase",
            "erase-email": "gerda@example.org",
            "erase-mode": "anonymize",
            "erase-confirm": "on",
        },
    )
    assert response.status_code == 302
    kept.refresh_from_db()
    assert (kept.body, kept.author_name, kept.email, kept.website, kept.participant) == (
        "Bleibt anonym",
        "",
        "",
        "",
        None,
    )
    assert not Subscription.objects.exists()
    assert not Participant.objects.filter(email="gerda@example.org").exists()


def test_erase_can_delete_comments(admin_client, admin_user, post, guest):
    comment = comment_on(post, guest, "Weg damit")
    actions.moderate_comment(comment, "approve", admin_user)
    admin_client.post(
        "/comments/privacy/",
        {
            "action": "erase",
            "erase-email": "gerda@example.org",
            "erase-mode": "delete",
            "erase-confirm": "on",
        },
    )
    assert not Comment.objects.exists()
    # The moderation log keeps the decision, not the words or the person.
    decision = Decision.objects.get(object_id=comment.pk)
    assert (decision.action, decision.text, decision.participant) == ("approve", "", None)
