"""Who may do what with the fediverse: one function per question."""

from typing import Any

from treffpunkt.blog.models import Blog
from treffpunkt.blog.permissions import can_write_in


def can_manage_followers_of(user: Any, blog: Blog) -> bool:
    """A blog's authors (and admins) see, approve and remove its followers and set how the
    blog shows in the fediverse."""
    return can_write_in(user, blog)


def can_block_servers(user: Any) -> bool:
    """Admins and moderators block servers and accounts."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return bool(user.is_superuser or user.has_role("moderator"))
