"""Reads for the insights: who contributed, what kind of participant, when, and where.

Each product app says in its own ``queries`` module which of its items count (visible wall
posts, approved comments, published posts; never from blocked participants); this module
reads them in a fixed number of grouped queries per page, as plain records, and hands them
to ``measures``. Nothing here lists or returns a name.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.db.models.functions import Trunc
from django.utils import timezone

from treffpunkt.blog import queries as blog_queries
from treffpunkt.blog.models import Blog
from treffpunkt.comments import queries as comment_queries
from treffpunkt.events import queries as event_queries
from treffpunkt.events.models import Event
from treffpunkt.insights import charts, measures
from treffpunkt.insights.measures import Summary, Voice, merge_voices
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


def read_voices(source: Source, queryset: QuerySet[Any], period: Period) -> list[Voice]:
    """Who contributed in the period, how often, and when first: one grouped query, one
    row per participant however many items they wrote."""
    rows = (
        queryset.filter(period.q(source.at))
        .order_by()
        .values(source.participant, source.kind)
        .annotate(n=Count("pk"), first=Min(source.at))
        .values_list(source.participant, source.kind, "n", "first")
    )
    return [Voice(p, kind, n, first) for p, kind, n, first in rows]


def read_voices_by(
    source: Source, queryset: QuerySet[Any], period: Period, group: Any
) -> dict[Any, list[Voice]]:
    """As ``read_voices``, per group (a field name or an expression such as a month)."""
    rows = (
        queryset.filter(period.q(source.at))
        .order_by()
        .annotate(group=group)
        .values("group", source.participant, source.kind)
        .annotate(n=Count("pk"), first=Min(source.at))
        .values_list("group", source.participant, source.kind, "n", "first")
    )
    grouped: dict[Any, list[Voice]] = {}
    for key, p, kind, n, first in rows:
        grouped.setdefault(key, []).append(Voice(p, kind, n, first))
    return grouped


@dataclass
class Timeline:
    unit: str
    rows: list[charts.Row]


def read_timeline(selected: list[tuple[Source, QuerySet[Any]]], period: Period) -> Timeline:
    """Contributions per hour, day or month by kind of contributor: per source one query
    for the first and last moment, one grouped count per bucket and kind."""
    bounds = []
    for source, queryset in selected:
        found = queryset.filter(period.q(source.at)).aggregate(
            first=Min(source.at), last=Max(source.at)
        )
        if found["first"] is not None:
            bounds.append((found["first"], found["last"]))
    if not bounds:
        return Timeline("day", [])
    first = min(b[0] for b in bounds)
    last = max(b[1] for b in bounds)
    unit = charts.bucket_unit(first, last)
    tz = timezone.get_current_timezone()
    counts: dict[datetime, dict[str, int]] = {}
    for source, queryset in selected:
        rows = (
            queryset.filter(period.q(source.at))
            .order_by()
            .annotate(bucket=Trunc(source.at, unit, tzinfo=tz))
            .values("bucket", source.kind)
            .annotate(n=Count("pk"))
            .values_list("bucket", source.kind, "n")
        )
        for bucket, kind, n in rows:
            key = charts.bucket_start(bucket, unit)
            counts.setdefault(key, {})
            counts[key][kind] = counts[key].get(kind, 0) + n
    return Timeline(unit, charts.timeline_rows(unit, counts, first, last))


# Up to this many participants are looked up by their ids (an index lookup each); for
# more, everybody's first contribution is read (one pass over each table: a subquery of the
# selection made PostgreSQL's planner loop for minutes on 100,000 comments). SQLite takes
# up to 32,766 parameters in one query.
IDS_IN_QUERY = 5000


def first_seen(until: datetime | None, voices: list[Voice] | None = None) -> dict[int, datetime]:
    """When each participant first contributed anywhere on the site (wall, comments,
    posts): one grouped query per kind of item. ``voices`` limits it to these participants
    when they are few; None means everybody. Only what came before ``until`` matters."""
    seen: dict[int, datetime] = {}
    for source in SOURCES:
        queryset = source.queryset()
        if until is not None:
            queryset = queryset.filter(**{f"{source.at}__lt": until})
        if voices is not None and len(voices) <= IDS_IN_QUERY:
            # Only members write posts. An id no participant has keeps the query (and so
            # the page's query count) when no member is among them.
            ids = [
                voice.participant
                for voice in voices
                if source is not POSTS or voice.kind == "member"
            ] or [0]
            queryset = queryset.filter(**{f"{source.participant}__in": ids})
        rows = (
            queryset.order_by()
            .values(source.participant)
            .annotate(first=Min(source.at))
            .values_list(source.participant, "first")
        )
        for participant, first in rows:
            if participant not in seen or first < seen[participant]:
                seen[participant] = first
    return seen


# --- per event ------------------------------------------------------------------------


@dataclass
class EventInsights:
    timeline: Timeline
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
    """The measures of an event's wall in the period: eight queries."""
    wall = event_wall(event, exclude_team)
    voices = read_voices(WALL, wall, period)
    seen = first_seen(period.end, voices)
    attendance = EventAttendance.objects.filter(event=event).first()
    first_after = (
        wall.filter(period.q(WALL.at), created_at__gte=event.starts_at)
        .order_by()
        .aggregate(first=Min("created_at"))["first"]
    )
    return EventInsights(
        timeline=read_timeline([(WALL, wall)], period),
        summary=measures.summarize(voices, seen),
        attendees=attendance.attendees if attendance else None,
        first_after_start=(first_after - event.starts_at) if first_after else None,
    )


# --- per blog -------------------------------------------------------------------------


@dataclass
class BlogInsights:
    timeline: Timeline  # comments
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
    """The measures of a blog's comments and posts in the period: ten queries.

    Comments count when written in the period; the figures per post are about the posts
    published in the period and every counted comment they received.
    """
    comments = blog_comments(blog, exclude_team)
    posts = POSTS.queryset().filter(blog=blog)
    voices = read_voices(COMMENTS, comments, period)
    post_voices = read_voices(POSTS, posts, period)
    seen = first_seen(period.end, merge_voices(voices, post_voices))
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
        timeline=read_timeline([(COMMENTS, comments)], period),
        summary=measures.summarize(voices, seen),
        post_summary=measures.summarize(post_voices, seen),
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
class Group:
    """One row of the site's tables: a month or an event."""

    label: str
    summary: Summary
    start: datetime | None = None
    event: Event | None = None


@dataclass
class SiteInsights:
    timeline: Timeline
    summary: Summary
    months: list[Group]
    events: list[Group]


def site_insights(period: Period, exclude_team: bool = False) -> SiteInsights:
    """Everything counted on the site in the period, with one row per month (all kinds
    of items) and per event (its wall): a fixed number of grouped queries."""
    wall = WALL.queryset()
    comments = COMMENTS.queryset()
    if exclude_team:
        wall = wall.exclude(event_queries.by_the_event_team())
        comments = comments.filter(by_staff=False)
    selected = [(WALL, wall), (COMMENTS, comments), (POSTS, POSTS.queryset())]
    seen = first_seen(period.end)
    tz = timezone.get_current_timezone()
    per_month: dict[datetime, list[list[Voice]]] = {}
    for source, queryset in selected:
        grouped = read_voices_by(source, queryset, period, Trunc(source.at, "month", tzinfo=tz))
        for month, month_voices in grouped.items():
            key = charts.bucket_start(month, "month")
            per_month.setdefault(key, []).append(month_voices)
    # Everybody's totals are the sums of their months: no pass of their own.
    voices = merge_voices(*(group for groups in per_month.values() for group in groups))
    months = [
        Group(
            charts.bucket_label(start, "month"),
            measures.summarize(merge_voices(*groups), seen, lorenz_max_points=2),
            start=start,
        )
        for start, groups in sorted(per_month.items())
    ]
    if len(per_month) > 1 and charts.bucket_unit(min(per_month), max(per_month)) == "month":
        # Months already grouped: the timeline is their sums, no further query.
        counts: dict[datetime, dict[str, int]] = {}
        for start, groups in per_month.items():
            bucket = counts.setdefault(start, {})
            for group in groups:
                for voice in group:
                    bucket[voice.kind] = bucket.get(voice.kind, 0) + voice.count
        first, last = min(per_month), max(per_month)
        timeline = Timeline("month", charts.timeline_rows("month", counts, first, last))
    else:
        timeline = read_timeline(selected, period)
    per_event = read_voices_by(WALL, wall, period, F(WALL.container))
    events = sorted(
        Event.objects.filter(pk__in=wall.filter(period.q(WALL.at)).values(WALL.container)),
        key=lambda e: (e.starts_at, e.pk),
    )
    return SiteInsights(
        timeline=timeline,
        summary=measures.summarize(voices, seen),
        months=months,
        events=[
            Group(
                f"#{event.hashtag}",
                measures.summarize(per_event.get(event.pk, []), seen, lorenz_max_points=2),
                event=event,
            )
            for event in events
        ],
    )
