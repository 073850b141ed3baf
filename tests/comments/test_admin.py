"""The admin moderates comments only through comments.actions: a status set there is a
decision, logged and learned from; a correction, a deletion and an unsubscription are the
queue's and the email link's own."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.admin_forms import admin_url, change, delete, delete_selected, form_data
from tests.submitting import comment_on_post
from treffpunkt.comments import actions
from treffpunkt.comments.models import Comment, Subscription
from treffpunkt.moderation import textmodel
from treffpunkt.moderation.models import CheckedItem, Decision

pytestmark = pytest.mark.django_db

COVERED_MODELS = {Comment, Subscription}


def comment_on(post, participant, body="Danke für den Bericht!", **fields):
    return comment_on_post(
        post=post,
        participant=participant,
        body=body,
        author_name="Gerda",
        email="gerda@example.org",
        **fields,
    )


def learned() -> int:
    return textmodel.TextModel.load(Path(str(settings.SPAM_MODEL_PATH))).info["learned"]


def said(heard):
    return [(change.verb, change.object_id) for change in heard if change.subject == "comment"]


def test_a_status_set_in_the_admin_is_a_decision_the_filter_learns_from(
    admin_client, admin_user, post, guest, heard, django_capture_on_commit_callbacks
):
    comment = comment_on(post, guest, body="Günstige Uhren und Taschen, jetzt bestellen bei uns")
    assert comment.status == "pending"  # a first comment waits
    before = learned()
    with django_capture_on_commit_callbacks(execute=True):
        change(admin_client, comment, status="spam")
    comment.refresh_from_db()
    assert comment.status == "spam"
    decision = Decision.objects.get(kind="comment", object_id=comment.pk)
    assert (decision.action, decision.moderator, decision.reason) == (
        "spam",
        admin_user,
        "In der Verwaltung geändert",
    )
    assert CheckedItem.objects.get(kind="comment", object_id=comment.pk).decision == "spam"
    assert learned() == before + 1

    with django_capture_on_commit_callbacks(execute=True):
        change(admin_client, comment, status="approved")
    assert CheckedItem.objects.get(kind="comment", object_id=comment.pk).decision == "approve"
    assert said(heard) == [("approved", comment.pk)]  # readers see it now


def test_a_correction_in_the_admin_is_an_edit_of_the_queue(
    admin_client, post, guest, heard, django_capture_on_commit_callbacks
):
    comment = comment_on(post, guest)
    actions.moderate_comment(comment, "approve", None)
    with django_capture_on_commit_callbacks(execute=True):
        change(admin_client, comment, body="Danke für den Bericht.", website="gerda.example")
    comment.refresh_from_db()
    assert comment.body == "Danke für den Bericht."
    assert comment.website == "https://gerda.example"  # cleaned as the comment form does
    assert comment.edited_at is not None
    assert said(heard) == [("edited", comment.pk)]
    assert Decision.objects.filter(object_id=comment.pk).count() == 1  # no new decision

    url = admin_url(Comment, "change", comment.pk)
    page = admin_client.get(url).content.decode()
    assert "gerda@example.org" in page  # admins see the address …
    assert 'name="email"' not in page and 'name="post"' not in page  # … and cannot change it
    response = admin_client.post(url, {**form_data(admin_client, url), "body": "  "})
    assert response.context["adminform"].form.errors["body"]
    response = admin_client.post(
        url, {**form_data(admin_client, url), "website": "ftp://x.example"}
    )
    assert response.context["adminform"].form.errors["website"]


def test_comments_deleted_in_the_admin_are_logged_and_announced(
    admin_client, admin_user, post, guest, heard, django_capture_on_commit_callbacks
):
    first, second, third = (comment_on(post, guest, body=f"Kommentar {n}") for n in range(3))
    actions.moderate_comment(first, "approve", None)
    reply = comment_on(post, guest, body="Antwort", parent_id=first.pk)
    assert admin_client.get(admin_url(Comment, "add")).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        delete(admin_client, first)
    assert not Comment.objects.filter(pk=first.pk).exists()
    assert Comment.objects.get(pk=reply.pk).parent is None  # the reply moved up
    decision = Decision.objects.get(object_id=first.pk, action="delete")
    assert (decision.moderator, decision.reason) == (admin_user, "In der Verwaltung gelöscht")
    assert said(heard) == [("deleted", first.pk)]  # it was public

    delete_selected(admin_client, Comment, [second, third])
    assert set(Decision.objects.filter(action="delete").values_list("object_id", flat=True)) == {
        first.pk,
        second.pk,
        third.pk,
    }


def test_subscriptions_are_read_and_ended_only(admin_client, post, guest):
    comment = comment_on(post, guest, subscribe=True)
    subscription = Subscription.objects.get(comment=comment)
    assert subscription.confirmed_at is None
    url = admin_url(Subscription, "change", subscription.pk)
    assert admin_client.post(url, {"confirmed_at_0": "01.01.2026"}).status_code == 403
    assert admin_client.get(admin_url(Subscription, "add")).status_code == 403
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None  # only the address itself confirms

    delete(admin_client, subscription)
    assert not Subscription.objects.exists()
    other = Subscription.objects.create(comment=comment, email="otto@example.org")
    delete_selected(admin_client, Subscription, [other])
    assert not Subscription.objects.exists()


def test_a_thread_deleted_in_bulk_leaves_its_last_reply_at_the_top(admin_client, post, guest):
    top = comment_on(post, guest, body="Oben")
    actions.moderate_comment(top, "approve", None)
    middle = comment_on(post, guest, body="Mitte", parent_id=top.pk)
    actions.moderate_comment(middle, "approve", None)
    last = comment_on(post, guest, body="Unten", parent_id=middle.pk)
    delete_selected(admin_client, Comment, [top, middle])
    assert list(Comment.objects.all()) == [last]
    assert Comment.objects.get().parent is None
