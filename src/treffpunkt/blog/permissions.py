"""Who may write and edit in which blog: one function per question."""

from typing import Any

from treffpunkt.blog.models import Blog, Post


def _active_member(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_write_in(user: Any, blog: Blog) -> bool:
    """Admins write everywhere; authors in the blogs they are an author of."""
    if not _active_member(user):
        return False
    if user.is_superuser:
        return True
    return bool(user.has_role("author") and blog.authors.filter(pk=user.pk).exists())


def can_edit_post(user: Any, post: Post) -> bool:
    """Admins edit every post; authors their own posts in blogs they still write in."""
    if not _active_member(user):
        return False
    if user.is_superuser:
        return True
    return post.author_id == user.pk and can_write_in(user, post.blog)


def can_manage_blogs(user: Any) -> bool:
    """Admins create blogs and choose their authors."""
    return _active_member(user) and bool(user.is_superuser)
