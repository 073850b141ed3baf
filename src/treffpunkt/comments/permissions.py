"""Who may moderate which comments: one rule, used by the queue, its actions, the admin,
the templates and the fediverse alike.

Admins and members with the moderator role moderate the comments of every blog; authors
those of the blogs they write in now. A former author of a blog (or of a post in it) no
longer moderates its comments.
"""

from typing import Any

from django.db.models import Q, QuerySet

from treffpunkt.blog.models import Blog
from treffpunkt.comments.models import Comment


def _active_member(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def moderates_every_blog(user: Any) -> bool:
    return _active_member(user) and bool(user.is_superuser or user.is_moderator)


def can_moderate_comments_of(user: Any, blog: Blog) -> bool:
    """Whether ``user`` approves, edits, answers and removes comments in ``blog``."""
    if not _active_member(user):
        return False
    if moderates_every_blog(user):
        return True
    return bool(user.is_author and blog.authors.filter(pk=user.pk).exists())


def can_moderate_comment(user: Any, comment: Comment) -> bool:
    return can_moderate_comments_of(user, comment.post.blog)


def may_use_queue(user: Any) -> bool:
    """The comment queue is for moderators, admins and authors."""
    return _active_member(user) and bool(user.is_superuser or user.is_moderator or user.is_author)


def sees_commenter_emails(user: Any) -> bool:
    """Moderators and admins see commenters' email addresses; authors do not."""
    return moderates_every_blog(user)


def moderatable_comments(user: Any) -> QuerySet[Comment]:
    """The comments ``user`` may moderate, as a queryset (the same rule as
    ``can_moderate_comments_of``)."""
    comments = Comment.objects.all()
    if not _active_member(user):
        return comments.none()
    if moderates_every_blog(user):
        return comments
    if not user.is_author:
        return comments.none()
    return comments.filter(Q(post__blog__in=Blog.objects.filter(authors=user).values("pk")))
