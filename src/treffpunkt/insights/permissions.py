"""Who may see which insights: one function per question."""

from typing import Any

from treffpunkt.blog.models import Blog
from treffpunkt.blog.permissions import can_write_in
from treffpunkt.events.models import Event
from treffpunkt.events.permissions import can_moderate_wall, can_organize


def can_see_event_insights(user: Any, event: Event) -> bool:
    """The people who run the wall: admins, the event's organizers and moderators (and
    members with the moderator role, who moderate every wall)."""
    return can_moderate_wall(user, event)


def can_count_attendees(user: Any, event: Event) -> bool:
    """Admins and the event's organizers enter how many people came."""
    return can_organize(user, event)


def can_see_blog_insights(user: Any, blog: Blog) -> bool:
    """The blog's authors and admins."""
    return can_write_in(user, blog)


def can_see_site_insights(user: Any) -> bool:
    """The whole organization over months: admins."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)
