"""Who may do what with events and their walls: one function per question, used by views,
templates, the moderation queue and the actions alike."""

from typing import Any

from treffpunkt.events.models import Event


def _active_member(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_create_events(user: Any) -> bool:
    """Organizers (and admins) create events."""
    return _active_member(user) and bool(user.has_role("organizer"))


def can_organize(user: Any, event: Event) -> bool:
    """Admins and the event's organizers change the event, its moderators and its recap."""
    if not _active_member(user):
        return False
    return bool(user.is_superuser or event.organizers.filter(pk=user.pk).exists())


def moderates_every_wall(user: Any) -> bool:
    """The moderator role means every wall (and every blog's comments): admins and members
    with that role moderate all events, without being named on each."""
    return _active_member(user) and bool(user.is_superuser or user.is_moderator)


def can_moderate_wall(user: Any, event: Event) -> bool:
    """Admins, members with the moderator role (every wall), the event's organizers and the
    moderators the organizers chose for it."""
    if not _active_member(user):
        return False
    if moderates_every_wall(user):
        return True
    return bool(
        event.organizers.filter(pk=user.pk).exists() or event.moderators.filter(pk=user.pk).exists()
    )
