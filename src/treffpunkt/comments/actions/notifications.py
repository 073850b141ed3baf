"""Emails about comments: the authors' digest, reply notifications with double opt-in,
and the links in them. Written by background tasks (``comments.tasks``) into the outbox
(``core.mail``), which the worker sends; never in a request."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from treffpunkt.blog.models import Post
from treffpunkt.comments.models import Comment, Subscription
from treffpunkt.core.links import absolute_url
from treffpunkt.core.mail import queue_email

UNSUBSCRIBE_SALT = "treffpunkt.comments.unsubscribe"
CONFIRM_SALT = "treffpunkt.comments.confirm"
CONFIRMATION_INTERVAL = timedelta(hours=1)
CONFIRMATION_MAX_AGE = 60 * 60 * 24 * 7


def unsubscribe_token(subscription: Subscription) -> str:
    return signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def enqueue_confirmation(subscription_id: int) -> None:
    from treffpunkt.comments import tasks

    tasks.confirm_subscription.enqueue(subscription_id)


def confirmation_token(email: str) -> str:
    return signing.dumps(email, salt=CONFIRM_SALT, compress=True)


def send_subscription_confirmation(subscription_id: int) -> int:
    """Ask an address whether it wants reply emails; at most one such email an hour."""
    subscription = (
        Subscription.objects.select_related("comment__post__blog")
        .filter(pk=subscription_id, confirmed_at__isnull=True)
        .first()
    )
    if subscription is None:
        return 0
    recently = Subscription.objects.filter(
        email=subscription.email,
        confirmation_sent_at__gte=timezone.now() - CONFIRMATION_INTERVAL,
    )
    if recently.exists():
        return 0  # the link in that email confirms this one too
    post = subscription.comment.post
    context = {
        "post": post,
        "confirm_url": absolute_url(
            reverse("comments:confirm", args=[confirmation_token(subscription.email)])
        ),
    }
    with translation.override(post.blog.language):
        subject = render_to_string("comments/email/confirm_subject.txt", context).strip()
        text = render_to_string("comments/email/confirm.txt", context)
    # Marked and queued together: the outbox sends it (and retries) once this commits.
    with transaction.atomic():
        Subscription.objects.filter(pk=subscription.pk).update(confirmation_sent_at=timezone.now())
        queue_email(subject=subject, body=text, to=[subscription.email])
    return 1


def email_for_confirmation(token: str) -> str | None:
    """The address a confirmation link stands for, or None for a forged or old link."""
    try:
        value = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) else None


def confirm_subscriptions(email: str) -> int:
    """The address confirmed it wants reply emails: all its waiting subscriptions start."""
    return Subscription.objects.filter(email=email, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )


def subscription_for_token(token: str) -> int | None:
    """The subscription id a token stands for, or None for a forged or broken token."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe(subscription_id: int) -> bool:
    """End one reply subscription; False if it had ended already."""
    deleted, _detail = Subscription.objects.filter(pk=subscription_id).delete()
    return bool(deleted)


def send_author_notification(post_id: int) -> int:
    """Email the post's author about its comments not announced yet; returns mails queued.

    One email for one comment or several; the author's own comments and comments that
    were removed meanwhile are not announced. The comments are claimed and the email put
    in the outbox in one transaction, so a task killed half-way either did nothing or
    handed the email over for good.
    """
    with transaction.atomic():
        # Claimed by whichever task comes first: rows another task has locked are skipped
        # (SQLite runs one write transaction at a time anyway).
        waiting = Comment.objects.select_for_update(skip_locked=True).filter(
            post_id=post_id, author_notified_at__isnull=True
        )
        ids = list(waiting.values_list("pk", flat=True))
        if not ids:
            return 0
        Comment.objects.filter(pk__in=ids).update(author_notified_at=timezone.now())
        return _queue_author_digest(post_id, ids)


def _queue_author_digest(post_id: int, ids: list[int]) -> int:
    post = Post.objects.select_related("blog", "author").get(pk=post_id)
    author = post.author
    if not author.is_active or not author.email:
        return 0
    comments = list(
        Comment.objects.filter(
            pk__in=ids, status__in=[Comment.Status.PENDING, Comment.Status.APPROVED]
        )
        .exclude(email=author.email.lower())
        .order_by("created_at", "pk")
    )
    if not comments:
        return 0
    with translation.override(post.blog.language):
        context = {
            "comments": [
                {"comment": comment, "url": absolute_url(comment.get_absolute_url())}
                for comment in comments
            ],
            "count": len(comments),
            "pending": sum(comment.status == Comment.Status.PENDING for comment in comments),
            "post": post,
            "post_url": absolute_url(post.get_absolute_url()),
            "queue_url": absolute_url(reverse("comments:queue") + "?status=pending"),
        }
        subject = render_to_string("comments/email/new_comment_subject.txt", context).strip()
        text = render_to_string("comments/email/new_comment.txt", context)
    queue_email(subject=subject, body=text, to=[author.email])
    return 1


def send_reply_notifications(comment_id: int) -> int:
    """Email the subscribers of a comment's parent about this approved reply, once; the
    reply is claimed and the emails put in the outbox in one transaction."""
    with transaction.atomic():
        claimed = Comment.objects.filter(
            pk=comment_id,
            status=Comment.Status.APPROVED,
            parent__isnull=False,
            replies_notified_at__isnull=True,
        ).update(replies_notified_at=timezone.now())
        if not claimed:
            return 0
        return _queue_reply_notifications(comment_id)


def _queue_reply_notifications(comment_id: int) -> int:
    reply = Comment.objects.select_related("post__blog", "parent").get(pk=comment_id)
    assert reply.parent is not None  # noqa: S101 - filtered above
    subscriptions = Subscription.objects.filter(
        comment=reply.parent, confirmed_at__isnull=False
    ).exclude(email=reply.email)
    sent = 0
    with translation.override(reply.post.blog.language):
        for subscription in subscriptions:
            unsubscribe_url = absolute_url(
                reverse("comments:unsubscribe", args=[unsubscribe_token(subscription)])
            )
            context = {
                "reply": reply,
                "parent": reply.parent,
                "post": reply.post,
                "reply_url": absolute_url(reply.get_absolute_url()),
                "unsubscribe_url": unsubscribe_url,
            }
            subject = render_to_string("comments/email/reply_subject.txt", context).strip()
            text = render_to_string("comments/email/reply.txt", context)
            queue_email(
                subject=subject,
                body=text,
                to=[subscription.email],
                headers={
                    "List-Unsubscribe": f"<{unsubscribe_url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
            sent += 1
    return sent
