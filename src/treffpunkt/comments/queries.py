"""Reads of comments worth sharing: a post's thread, counts, the moderation queue."""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, QuerySet

from treffpunkt.blog.models import Blog, Post

from .models import Comment, Subscription

# Everything a public thread shows; the email address is never loaded for it.
PUBLIC_FIELDS = (
    "pk",
    "post_id",
    "parent_id",
    "depth",
    "participant_id",
    "author_name",
    "website",
    "body",
    "status",
    "by_staff",
    "created_at",
    "edited_at",
)


def thread(post: Post, participant_id: int | None = None) -> list[Comment]:
    """The post's comments as a tree (each comment's ``children`` are its replies), in one query.

    Readers see approved comments; the writer of a held comment sees it too (marked
    ``own_pending``) on the device they wrote it from. A reply whose parent is not shown
    moves up to the top level.
    """
    shown = Q(status=Comment.Status.APPROVED)
    if participant_id is not None:
        shown |= Q(
            participant_id=participant_id,
            status__in=[Comment.Status.PENDING, Comment.Status.SPAM],
        )
    comments = list(
        Comment.objects.filter(shown, post=post).only(*PUBLIC_FIELDS).order_by("created_at", "pk")
    )
    by_id: dict[int, Comment] = {}
    for comment in comments:
        comment.children = []  # type: ignore[attr-defined]
        comment.own_pending = comment.status != Comment.Status.APPROVED  # type: ignore[attr-defined]
        by_id[comment.pk] = comment
    roots: list[Comment] = []
    for comment in comments:
        parent = by_id.get(comment.parent_id) if comment.parent_id else None
        if parent is not None:
            parent.children.append(comment)  # type: ignore[attr-defined]
        else:
            roots.append(comment)
    return roots


@dataclass(frozen=True)
class Standing:
    """What the comment rules need to know about a sender before a new comment is stored."""

    # The first copy of the same text on the same post sent recently (a double submit).
    duplicate_id: int | None
    # An approved comment with the same name and address exists (WordPress's rule).
    returning: bool


def sender_standing(
    *,
    post_id: int,
    participant_id: int | None,
    email: str,
    author_name: str,
    body: str,
    since: Any,
    by_participant: bool = False,
) -> Standing:
    """The double-submit and returning-commenter lookups for a new comment, in one query.

    A guest returns with the same name and address as an approved comment (WordPress's
    rule); with ``by_participant`` (fediverse accounts, which have no address) an approved
    comment of the same participant counts instead.

    Written as SQL because building the three ORM queries took longer than running them;
    each part reads one index (device, or address), so it stays fast however many comments
    a post or a commenter has.
    """
    table = connection.ops.quote_name(Comment._meta.db_table)
    since = connection.ops.adapt_datetimefield_value(since)
    trash, approved = Comment.Status.TRASH.value, Comment.Status.APPROVED.value
    sql = f"""
        SELECT
            (SELECT id FROM {table}
              WHERE participant_id = %s AND post_id = %s AND created_at >= %s
                AND body = %s AND status <> %s
              ORDER BY created_at, id LIMIT 1),
            (SELECT id FROM {table}
              WHERE email = %s AND %s <> '' AND post_id = %s AND created_at >= %s
                AND body = %s AND status <> %s
              ORDER BY created_at, id LIMIT 1),
            EXISTS (SELECT 1 FROM {table}
              WHERE email = %s AND %s <> '' AND status = %s
                AND LOWER(author_name) = LOWER(%s)),
            EXISTS (SELECT 1 FROM {table}
              WHERE participant_id = %s AND %s AND status = %s)
    """  # noqa: S608 - only the table name is formatted in
    params = [
        *(participant_id, post_id, since, body, trash),
        *(email, email, post_id, since, body, trash),
        *(email, email, approved, author_name),
        *(participant_id, by_participant, approved),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        by_device, by_address, returning, returning_participant = cursor.fetchone()
    return Standing(
        duplicate_id=by_device or by_address,
        returning=bool(returning or returning_participant),
    )


def thread_version(post_id: int) -> str:
    """A token that changes whenever the post's public thread changes (see forget_thread)."""
    return str(cache.get_or_set(f"comments:thread:{post_id}", lambda: secrets.token_hex(6), None))


def forget_thread(post_id: int) -> None:
    """The post's public thread changed: rendered copies of it are no longer used."""
    cache.delete(f"comments:thread:{post_id}")


def approved_count(post: Post) -> int:
    return Comment.objects.filter(post=post, status=Comment.Status.APPROVED).count()


def comment_counts(post_ids: Iterable[int]) -> dict[int, int]:
    """Approved comments per post, for lists of posts: {post_id: count}, one query."""
    ids = list(post_ids)
    if not ids:
        return {}
    rows = (
        Comment.objects.filter(post_id__in=ids, status=Comment.Status.APPROVED)
        .values("post_id")
        .annotate(count=Count("pk"))
        .values_list("post_id", "count")
    )
    counts = dict.fromkeys(ids, 0)
    counts.update(dict(rows))
    return counts


def add_comment_counts(posts: list[Post]) -> None:
    """Set ``comment_count`` (approved comments) on each post of a list; registered with
    the blog's lists in ``CommentsConfig.ready``."""
    counts = comment_counts(post.pk for post in posts)
    for post in posts:
        post.comment_count = counts.get(post.pk, 0)  # type: ignore[attr-defined]


def feed_comments(post: Post, limit: int = 50) -> QuerySet[Comment]:
    """The newest approved comments of a post, for its feed (no email addresses)."""
    return (
        Comment.objects.filter(post=post, status=Comment.Status.APPROVED)
        .only(*PUBLIC_FIELDS)
        .order_by("-created_at", "-pk")[:limit]
    )


def moderatable(user: Any) -> QuerySet[Comment]:
    """The comments a member may moderate: all for moderators and admins, otherwise those on
    their own posts and on the blogs they write for."""
    comments = Comment.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return comments.none()
    if user.is_superuser or user.is_moderator:
        return comments
    own = Q(post__author=user)
    if user.is_author:
        own |= Q(post__blog__in=Blog.objects.filter(authors=user).values("pk"))
    return comments.filter(own)


def may_use_queue(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.is_moderator or user.is_author)


def queue(user: Any, status: str, limit: int = 100) -> list[Comment]:
    """One page of the moderation queue, newest first, with post and blog in the same query."""
    return list(
        moderatable(user)
        .filter(status=status)
        .select_related("post__blog", "parent")
        .order_by("-created_at", "-pk")[:limit]
    )


def queue_counts(user: Any) -> dict[str, int]:
    """How many comments each status holds, for the queue's filter links (one query)."""
    rows = moderatable(user).values("status").annotate(count=Count("pk")).order_by()
    counts = dict.fromkeys(Comment.Status.values, 0)
    counts.update({row["status"]: row["count"] for row in rows})
    return counts


def personal_data(email: str) -> dict[str, Any]:
    """Everything stored for an email address, for a privacy export."""
    email = email.strip().lower()
    # An empty address (an own-data link whose data was erased) stands for nobody: erased
    # comments all have an empty address, and none of them is this person's any more.
    if not email:
        return {"email": "", "comments": [], "reply_subscriptions": []}
    comments = Comment.objects.filter(email=email).select_related("post__blog").order_by("pk")
    subscriptions = Subscription.objects.filter(email=email).order_by("pk")
    return {
        "email": email,
        "comments": [
            {
                "id": comment.pk,
                "post": comment.post.title,
                "blog": comment.post.blog.title,
                "name": comment.author_name,
                "email": comment.email,
                "website": comment.website,
                "text": comment.body,
                "status": comment.status,
                "written": comment.created_at.isoformat(),
                "reply_to": comment.parent_id,
            }
            for comment in comments
        ],
        "reply_subscriptions": [
            {"comment": sub.comment_id, "since": sub.created_at.isoformat()}
            for sub in subscriptions
        ],
    }


def counted_comments() -> QuerySet[Comment]:
    """The comments that count in the insights into who speaks: approved ones on posts
    readers may see, from participants who are not blocked. A comment whose writer's data
    was erased has no participant any more and counts nowhere (not even anonymously), so
    every figure stays a figure about people."""
    return Comment.objects.filter(
        status=Comment.Status.APPROVED,
        participant__isnull=False,
        participant__blocked_at__isnull=True,
        post__in=Post.objects.visible(),
    )
