"""Reads for events and walls, each one query (or a fixed few) however long the wall."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from treffpunkt.events.models import Contribution, Event, WallChange, hashtag_key
from treffpunkt.events.permissions import moderates_every_wall


def upcoming_events(limit: int = 6) -> QuerySet[Event]:
    """Public events that have not ended, soonest first."""
    return Event.objects.filter(
        visibility=Event.Visibility.PUBLIC, ends_at__gte=timezone.now()
    ).order_by("starts_at")[:limit]


@dataclass
class MemberEvents:
    """A member's events, each annotated with ``organizes`` (may edit it), ``held_count``
    and ``post_count``: running now, coming up (soonest first), past (latest first)."""

    running: list[Event] = field(default_factory=list)
    upcoming: list[Event] = field(default_factory=list)
    past: list[Event] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.running or self.upcoming or self.past)


def events_of_member(user: Any, now: Any = None) -> MemberEvents:
    """The events a member organizes or moderates, unlisted ones too (admins and the
    moderator role: every event); one query however many there are."""
    now = now or timezone.now()
    events = Event.objects.all()
    if not moderates_every_wall(user):
        mine = Q(organizers=user) | Q(moderators=user)
        events = events.filter(pk__in=Event.objects.filter(mine).values("pk"))
    organizes = Event.organizers.through.objects.filter(event_id=OuterRef("pk"), user_id=user.pk)
    events = events.annotate(
        organizes=Exists(organizes),
        held_count=Count("contributions", filter=Q(contributions__state=Contribution.State.HELD)),
        post_count=Count(
            "contributions", filter=Q(contributions__state=Contribution.State.VISIBLE)
        ),
    ).order_by("starts_at", "pk")
    grouped = MemberEvents()
    for event in events:
        event.organizes = event.organizes or user.is_superuser  # admins change every event
        if event.ends_at < now:
            grouped.past.append(event)
        elif event.starts_at <= now:
            grouped.running.append(event)
        else:
            grouped.upcoming.append(event)
    grouped.past.reverse()
    return grouped


def event_by_hashtag(hashtag: str) -> Event | None:
    """The event with this hashtag as Mastodon compares tags (``models.hashtag_key``: case,
    accents and compatibility forms aside), through the unique index on the key."""
    return Event.objects.filter(hashtag_key=hashtag_key(hashtag)).first()


def wall_contributions(event: Event, limit: int = 200) -> list[Contribution]:
    """Visible posts for the wall: pinned first, then newest first."""
    return list(
        Contribution.objects.visible()
        .filter(event=event)
        .select_related("participant__user")
        .order_by("-pinned", "-created_at", "-id")[:limit]
    )


def moderation_queue(event: Event, limit: int = 300) -> list[Contribution]:
    """Everything on the wall for moderators: held posts first, then newest first."""
    contributions = list(
        Contribution.objects.filter(event=event)
        .select_related("participant__user")
        .order_by("-created_at", "-id")[:limit]
    )
    return sorted(contributions, key=lambda c: c.state != Contribution.State.HELD)


def device_contributions(event: Event, participant_id: int | None) -> list[Contribution]:
    """What this device posted to this wall, newest first (any state)."""
    if participant_id is None:
        return []
    return list(
        Contribution.objects.filter(event=event, participant_id=participant_id)
        .select_related("participant__user")
        .order_by("-created_at")
    )


def contributor_count(event_id: int) -> int:
    """How many different people have a visible post on the wall."""
    return (
        Contribution.objects.visible()
        .filter(event_id=event_id)
        .values("participant_id")
        .distinct()
        .count()
    )


def last_change_id(event: Event) -> int:
    return last_change_id_for(event.pk)


REPLAY_LIMIT = 2000


def recap_contributions(event: Event) -> list[Contribution]:
    """Visible posts in the order they were written."""
    return list(
        Contribution.objects.visible()
        .filter(event=event)
        .select_related("participant__user")
        .order_by("created_at", "id")
    )


def last_change_id_for(event_id: int) -> int:
    return WallChange.objects.filter(event_id=event_id).aggregate(last=Max("id"))["last"] or 0


def changes_since(
    event_id: int, after: int, limit: int = REPLAY_LIMIT, upto: int | None = None
) -> list[tuple[WallChange, Contribution | None]]:
    """Changes after an id, each with the contribution's current state (None if deleted).

    Replaying current state rather than history is enough: each message says what the
    post looks like now, so the last one a client applies is right.
    """
    changes_after = WallChange.objects.filter(event_id=event_id, id__gt=after)
    if upto is not None:
        changes_after = changes_after.filter(id__lte=upto)
    changes = list(changes_after.order_by("id")[:limit])
    ids = {change.contribution_id for change in changes}
    contributions = Contribution.objects.select_related("participant__user").in_bulk(ids)
    return [(change, contributions.get(change.contribution_id)) for change in changes]


def counted_contributions() -> "QuerySet[Contribution]":
    """The wall posts that count in the insights into who speaks: visible ones from
    participants who are not blocked (held, hidden and spam posts never count)."""
    return Contribution.objects.visible().filter(participant__blocked_at__isnull=True)


def by_the_event_team() -> Q:
    """A filter on contributions: written by a member who organizes or moderates the event
    they are on (their own test posts, usually)."""
    through = {"event_id": OuterRef("event_id"), "user_id": OuterRef("participant__user_id")}
    return Q(Exists(Event.organizers.through.objects.filter(**through))) | Q(
        Exists(Event.moderators.through.objects.filter(**through))
    )
