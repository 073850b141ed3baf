"""Reads for the insights: who contributed, what kind of participant, when, and where.

Each product app says in its own ``queries`` module which of its items count (visible wall
posts, approved comments, published posts; never from blocked participants); this module
reads them in a fixed number of grouped queries per page, as plain records, and hands them
to ``measures``. Nothing here lists or returns a name.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Min, Q, QuerySet

from treffpunkt.blog import queries as blog_queries
from treffpunkt.blog.models import Blog
from treffpunkt.comments import queries as comment_queries
from treffpunkt.events import queries as event_queries
from treffpunkt.events.models import Event
from treffpunkt.insights import measures
from treffpunkt.insights.measures import Record, Summary
from treffpunkt.insights.models import EventAttendance


@dataclass(frozen=True)
class Period:
    """A time range, start included, end excluded; None is open on that side."""

    start: datetime | None = None
    end: datetime | None = None

    def q(self, field_name: str) -> Q:
        q = Q()
        if self.start is not None:
            q &= Q(**{f"{field_name}__gte": self.start})
        if self.end is not None:
            q &= Q(**{f"{field_name}__lt": self.end})
        return q


@dataclass(frozen=True)
class Source:
    """One kind of counted item and where its participant, kind, time and place are."""

    key: str
    participant: str
    kind: str
    at: str
    container: str

    def queryset(self) -> QuerySet[Any]:
        if self.key == "wall":
            return event_queries.counted_contributions()
        if self.key == "comments":
            return comment_queries.counted_comments()
        return blog_queries.counted_posts()


WALL = Source("wall", "participant_id", "participant__kind", "created_at", "event_id")
COMMENTS = Source("comments", "participant_id", "participant__kind", "created_at", "post_id")
POSTS = Source(
    "posts", "author__participant__id", "author__participant__kind", "published_at", "blog_id"
)
SOURCES = (WALL, COMMENTS, POSTS)


def read_records(source: Source, queryset: QuerySet[Any], period: Period) -> list[Record]:
    """The counted items of ``queryset`` in the period, as records: one query."""
    rows = (
        queryset.filter(period.q(source.at))
        .order_by()
        .values_list(source.participant, source.kind, source.at, source.container)
    )
    return [Record(p, kind, at, container) for p, kind, at, container in rows.iterator(2000)]


def first_seen(
    among: Iterable[tuple[Source, QuerySet[Any]]] | None, until: datetime | None
) -> dict[int, datetime]:
    """When each participant first contributed anywhere on the site (wall, comments,
    posts): one grouped query per kind of item. ``among`` limits it to the participants of
    these selections (subqueries, no list of ids); None means everybody. Only what came
    before ``until`` matters."""
    seen: dict[int, datetime] = {}
    for source in SOURCES:
        queryset = source.queryset()
        if until is not None:
            queryset = queryset.filter(**{f"{source.at}__lt": until})
        if among is not None:
            queryset = queryset.filter(_restrict_for(source, among))
        rows = (
            queryset.order_by()
            .values(source.participant)
            .annotate(first=Min(source.at))
            .values_list(source.participant, "first")
        )
        for participant, first in rows.iterator(5000):
            if participant not in seen or first < seen[participant]:
                seen[participant] = first
    return seen


def _restrict_for(source: Source, among: Iterable[tuple[Source, QuerySet[Any]]]) -> Q:
    q = Q()
    for selected, queryset in among:
        q |= Q(**{f"{source.participant}__in": queryset.values(selected.participant).order_by()})
    return q


# --- per event ------------------------------------------------------------------------


@dataclass
class EventInsights:
    records: list[Record]
    summary: Summary
    attendees: int | None
    first_after_start: timedelta | None

    @property
    def contributors_per_attendee(self) -> float | None:
        if not self.attendees:
            return None
        return self.summary.contributors / self.attendees


def event_wall(event: Event, exclude_team: bool) -> QuerySet[Any]:
    queryset = WALL.queryset().filter(event=event)
    if exclude_team:
        queryset = queryset.exclude(event_queries.by_the_event_team())
    return queryset


def event_insights(event: Event, period: Period, exclude_team: bool = False) -> EventInsights:
    """The measures of an event's wall in the period: five queries."""
    wall = event_wall(event, exclude_team)
    records = read_records(WALL, wall, period)
    seen = first_seen([(WALL, wall.filter(period.q(WALL.at)))], until=period.end)
    attendance = EventAttendance.objects.filter(event=event).first()
    after_start = [r.at for r in records if r.at >= event.starts_at]
    return EventInsights(
        records=records,
        summary=measures.summarize(records, seen),
        attendees=attendance.attendees if attendance else None,
        first_after_start=(min(after_start) - event.starts_at) if after_start else None,
    )


# --- per blog -------------------------------------------------------------------------


@dataclass
class BlogInsights:
    records: list[Record]  # comments
    summary: Summary  # of the comments
    post_summary: Summary  # of the posts (their authors)
    posts: int = 0
    comments_on_posts: int = 0
    posts_answered_by_others: int = 0
    replies: list[timedelta] = field(default_factory=list)

    @property
    def comments_per_post(self) -> float | None:
        return measures.share(self.comments_on_posts, self.posts)

    @property
    def answered_share(self) -> float | None:
        return measures.share(self.posts_answered_by_others, self.posts)

    @property
    def time_to_reply(self) -> timedelta | None:
        return measures.median(self.replies)


def blog_comments(blog: Blog, exclude_team: bool) -> QuerySet[Any]:
    queryset = COMMENTS.queryset().filter(post__blog=blog)
    if exclude_team:
        queryset = queryset.filter(by_staff=False)
    return queryset


def blog_insights(blog: Blog, period: Period, exclude_team: bool = False) -> BlogInsights:
    """The measures of a blog's comments and posts in the period: eight queries.

    Comments count when written in the period; the figures per post are about the posts
    published in the period and every counted comment they received.
    """
    comments = blog_comments(blog, exclude_team)
    posts = POSTS.queryset().filter(blog=blog)
    records = read_records(COMMENTS, comments, period)
    post_records = read_records(POSTS, posts, period)
    seen = first_seen(
        [
            (COMMENTS, comments.filter(period.q(COMMENTS.at))),
            (POSTS, posts.filter(period.q(POSTS.at))),
        ],
        until=period.end,
    )
    counted = Q(comments__in=comments)
    per_post = (
        posts.filter(period.q(POSTS.at))
        .order_by()
        .annotate(
            n=Count("comments", filter=counted, distinct=True),
            by_others=Count(
                "comments",
                filter=counted & ~Q(comments__participant__user_id=F("author_id")),
                distinct=True,
            ),
        )
        .values_list("n", "by_others")
    )
    insights = BlogInsights(
        records=records,
        summary=measures.summarize(records, seen),
        post_summary=measures.summarize(post_records, seen),
    )
    for n, by_others in per_post:
        insights.posts += 1
        insights.comments_on_posts += n
        insights.posts_answered_by_others += 1 if by_others else 0
    # The first counted reply to each comment written in the period.
    first_replies = (
        COMMENTS.queryset()
        .filter(parent__in=comments.filter(period.q(COMMENTS.at)))
        .order_by()
        .values("parent_id", "parent__created_at")
        .annotate(first=Min("created_at"))
        .values_list("parent__created_at", "first")
    )
    insights.replies = [first - asked for asked, first in first_replies if first >= asked]
    return insights


# --- the whole site -------------------------------------------------------------------


@dataclass
class SiteInsights:
    records: list[Record]  # everything, in time order
    wall_records: list[Record]
    seen: dict[int, datetime]
    summary: Summary
    events: list[Event]


def site_insights(period: Period, exclude_team: bool = False) -> SiteInsights:
    """Everything counted on the site in the period: seven queries (the items of each
    kind, when each participant first spoke, the events)."""
    wall = WALL.queryset()
    if exclude_team:
        wall = wall.exclude(event_queries.by_the_event_team())
    comments = COMMENTS.queryset()
    if exclude_team:
        comments = comments.filter(by_staff=False)
    wall_records = read_records(WALL, wall, period)
    records = (
        wall_records
        + read_records(COMMENTS, comments, period)
        + read_records(POSTS, POSTS.queryset(), period)
    )
    records.sort(key=lambda r: r.at)
    seen = first_seen(None, until=period.end)
    event_ids = {r.container for r in wall_records}
    events = list(Event.objects.filter(id__in=wall.filter(period.q(WALL.at)).values("event_id")))
    events = [e for e in events if e.pk in event_ids]
    events.sort(key=lambda e: (e.starts_at, e.pk))
    return SiteInsights(
        records=records,
        wall_records=wall_records,
        seen=seen,
        summary=measures.summarize(records, seen),
        events=events,
    )
