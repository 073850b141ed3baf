"""Moderating comments: approve, unapprove, spam or not, trash, delete, edit.

Every decision is logged (``record_decision``: who, when, what, why) and teaches the spam
filter; every change of what readers see renews the post's cached thread and is announced
(``core.changes``), so the page cache and the fediverse hear of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from treffpunkt.comments import queries
from treffpunkt.comments.models import Comment
from treffpunkt.core import changes
from treffpunkt.moderation.actions import record_decision
from treffpunkt.moderation.models import Decision, ItemKind


@dataclass(frozen=True)
class Move:
    status: str
    decision: str


MOVES = {
    "approve": Move(Comment.Status.APPROVED, Decision.Action.APPROVE),
    "unapprove": Move(Comment.Status.PENDING, Decision.Action.HIDE),
    "spam": Move(Comment.Status.SPAM, Decision.Action.SPAM),
    "not_spam": Move(Comment.Status.APPROVED, Decision.Action.NOT_SPAM),
    "trash": Move(Comment.Status.TRASH, Decision.Action.HIDE),
}
ACTIONS = [*MOVES, "delete"]
# The status a moderator sets, as the decision it stands for (the admin sets statuses).
STATUS_ACTIONS = {
    Comment.Status.APPROVED: "approve",
    Comment.Status.PENDING: "unapprove",
    Comment.Status.SPAM: "spam",
    Comment.Status.TRASH: "trash",
}


def moderate_comment(comment: Comment, action: str, moderator: Any, reason: str = "") -> Comment:
    """Approve, unapprove, mark as spam or not, or trash a comment; the decision is logged.

    Subscribers of the parent hear about a reply the first time it is approved.
    """
    if action == "delete":
        delete_comment(comment, moderator, reason)
        return comment
    if action not in MOVES:
        raise ValueError(f"Unknown comment action {action!r}")
    move = MOVES[action]
    with transaction.atomic():
        changed = (
            Comment.objects.filter(pk=comment.pk)
            .exclude(status=move.status)
            .update(status=move.status)
        )
        was_public = comment.status == Comment.Status.APPROVED
        comment.status = move.status
        if not changed:  # a double click: logged (and learned from) once
            return comment
        _log(comment, move.decision, moderator, reason)
        is_public = move.status == Comment.Status.APPROVED
        if is_public != was_public:
            changes.announce(
                "comment", "approved" if is_public else "removed", comment.pk, post=comment.post_id
            )
        if is_public and comment.replies_notified_at is None:
            comment_id = comment.pk
            transaction.on_commit(lambda: _enqueue_reply_notice(comment_id))
    return comment


def set_comment_status(comment: Comment, status: str, moderator: Any, reason: str = "") -> Comment:
    """Give a comment a status (as the admin's form does), as the decision it stands for."""
    if status not in STATUS_ACTIONS:
        raise ValueError(f"Unknown comment status {status!r}")
    return moderate_comment(comment, STATUS_ACTIONS[Comment.Status(status)], moderator, reason)


def delete_comment(comment: Comment, moderator: Any, reason: str = "") -> None:
    """Delete a comment for good (its replies move up a level); the decision is logged."""
    with transaction.atomic():
        _log(comment, Decision.Action.DELETE, moderator, reason)
        Comment.objects.filter(parent=comment).update(parent=comment.parent_id)
        if comment.status == Comment.Status.APPROVED:
            changes.announce("comment", "deleted", comment.pk, post=comment.post_id)
        comment.delete()


def withdraw_comment(comment: Comment) -> None:
    """The writer took their comment back (a fediverse ``Delete``): it is gone (its replies
    move up a level), but it is no moderator's decision, so nothing is logged or learned."""
    with transaction.atomic():
        Comment.objects.filter(parent=comment).update(parent=comment.parent_id)
        thread_changed(comment.post_id)
        if comment.status == Comment.Status.APPROVED:
            changes.announce("comment", "deleted", comment.pk, post=comment.post_id)
        comment.delete()


def bulk_moderate(comments: Iterable[Comment], action: str, moderator: Any) -> int:
    """Apply one action to several comments (already filtered to those the moderator may
    moderate); returns how many were changed."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown comment action {action!r}")
    count = 0
    with transaction.atomic():
        for comment in comments:
            moderate_comment(comment, action, moderator)
            count += 1
    return count


def edit_comment(
    comment: Comment, *, editor: Any, body: str, author_name: str, website: str = ""
) -> Comment:
    """A moderator corrects a comment's text, name or website."""
    from treffpunkt.comments.actions.submission import clean_body, clean_name, clean_website

    comment.body = clean_body(body)
    comment.author_name = clean_name(author_name)
    comment.website = clean_website(website)
    comment.edited_at = timezone.now()
    with transaction.atomic():
        comment.save(update_fields=["body", "author_name", "website", "edited_at"])
        thread_changed(comment.post_id)
        changes.announce(
            "comment",
            "edited",
            comment.pk,
            public_pages=comment.status == Comment.Status.APPROVED,
            post=comment.post_id,
        )
    return comment


def thread_changed(post_id: int) -> None:
    """Rendered copies of the post's public thread are no longer used: at once, and again
    after the commit (a reader in between may have stored the thread as it was)."""
    queries.forget_thread(post_id)
    transaction.on_commit(lambda: queries.forget_thread(post_id))


def _log(comment: Comment, action: str, moderator: Any, reason: str) -> None:
    thread_changed(comment.post_id)
    record_decision(
        kind=ItemKind.COMMENT,
        object_id=comment.pk,
        action=action,
        moderator=moderator,
        participant=comment.participant,
        text=comment.body,
        reason=reason,
    )


def _enqueue_reply_notice(comment_id: int) -> None:
    from treffpunkt.comments import tasks

    tasks.notify_subscribers.enqueue(comment_id)
