"""Who may see and change the spam filter."""

from typing import Any


def can_see_filter(user: Any) -> bool:
    """Moderators and admins see the Filter page (verdicts, overrules, the model)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.is_moderator)
    )


def can_change_filter_lists(user: Any) -> bool:
    """Admins change the word list and the domain blocklist."""
    return can_see_filter(user) and bool(user.is_superuser)
