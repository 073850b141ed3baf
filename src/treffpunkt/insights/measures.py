"""The measures of who speaks, as pure functions over plain numbers.

Nothing here reads the database: the queries collect who contributed how often and when,
these functions turn that into the figures the pages show. Each takes the number of
contributions per contributor (``counts``, one entry per person, any order).

Non-contributors: the site does not know the people who stayed silent (a guest who never
posted leaves no trace), so the pages compute concentration over the contributors only.
A zero in ``counts`` is a person who contributed nothing and is counted as part of the
group; the golden case "one contributor among many silent ones" uses that.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Groups with fewer contributors show counts only: no shares, curves or Gini, because with
# three or four people a share points at a person.
MIN_GROUP = 5

# Concentration above these values earns the organizers a hint (see insights.hints).
HIGH_TOP_SHARE = 0.5
HIGH_GINI = 0.6


def _sorted_desc(counts: Iterable[int]) -> list[int]:
    values = [int(c) for c in counts]
    if any(c < 0 for c in values):
        raise ValueError("a count of contributions cannot be negative")
    return sorted(values, reverse=True)


def top_size(n: int) -> int:
    """How many contributors make up the most active tenth: ⌈n/10⌉, at least one."""
    if n <= 0:
        return 0
    return max(1, math.ceil(n / 10))


def top_share(counts: Iterable[int]) -> float | None:
    """The share of all contributions made by the most active tenth of the group (the
    ⌈n/10⌉ with most contributions, at least one); None without contributions."""
    values = _sorted_desc(counts)
    total = sum(values)
    if total == 0:
        return None
    return sum(values[: top_size(len(values))]) / total


def gini(counts: Iterable[int]) -> float | None:
    """The Gini coefficient of the counts: 0 when everybody contributed equally, towards 1
    when one person made everything. None for an empty group or no contributions.

    G = Σ (2i - n - 1) · xᵢ / (n · Σ x), with x sorted ascending and i from 1; for one
    contributor among n - 1 silent ones it is (n - 1)/n. It depends on the group's size,
    so the pages always show n next to it.
    """
    values = sorted(_sorted_desc(counts))
    n = len(values)
    total = sum(values)
    if n == 0 or total == 0:
        return None
    weighted = sum((2 * i - n - 1) * x for i, x in enumerate(values, start=1))
    return weighted / (n * total)


def absence_factor(counts: Iterable[int]) -> int:
    """The Contributor Absence Factor (CHAOSS): the smallest number of contributors who
    together made at least half of all contributions; 0 without contributions."""
    values = _sorted_desc(counts)
    total = sum(values)
    if total == 0:
        return 0
    running = 0
    for index, value in enumerate(values, start=1):
        running += value
        if 2 * running >= total:
            return index
    return len(values)  # pragma: no cover (the loop always reaches half)


def lorenz_points(counts: Iterable[int], max_points: int = 0) -> list[tuple[float, float]]:
    """The Lorenz curve: from (0, 0) to (1, 1), x the share of contributors (least active
    first), y the share of contributions they made. Empty without contributions.

    ``max_points`` > 1 thins a long curve to about that many points (always keeping both
    ends), enough for a chart of a large group.
    """
    values = sorted(_sorted_desc(counts))
    n = len(values)
    total = sum(values)
    if n == 0 or total == 0:
        return []
    points = [(0.0, 0.0)]
    running = 0
    for index, value in enumerate(values, start=1):
        running += value
        points.append((index / n, running / total))
    if max_points > 1 and len(points) > max_points:
        step = (len(points) - 1) / (max_points - 1)
        picked = [points[round(k * step)] for k in range(max_points)]
        picked[-1] = points[-1]
        points = picked
    return points


def share(part: float, whole: float) -> float | None:
    """part / whole, or None when the whole is zero."""
    if not whole:
        return None
    return part / whole


def median(values: Sequence[timedelta]) -> timedelta | None:
    """The middle duration (the mean of the two middle ones for an even count)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class Record:
    """One counted contribution: who (a participant id), what kind of participant, when,
    and where (an event, a post or a blog: whatever the selection groups by)."""

    participant: int
    kind: str
    at: datetime
    container: int = 0


KINDS = ("member", "guest", "remote")


@dataclass
class Summary:
    """The measures of one set of contributions."""

    contributions: int = 0
    contributors: int = 0
    contributions_by_kind: dict[str, int] = field(default_factory=dict)
    contributors_by_kind: dict[str, int] = field(default_factory=dict)
    new_voices: int = 0
    returning_voices: int = 0
    top_size: int = 0
    top_share: float | None = None
    gini: float | None = None
    absence_factor: int = 0
    lorenz: list[tuple[float, float]] = field(default_factory=list)

    @property
    def large_enough(self) -> bool:
        """Shares, curves and Gini are shown only for groups of at least MIN_GROUP."""
        return self.contributors >= MIN_GROUP

    @property
    def new_share(self) -> float | None:
        return share(self.new_voices, self.contributors)

    @property
    def concentrated(self) -> bool:
        """Few voices dominate: worth a hint to the organizers."""
        if not self.large_enough:
            return False
        return (self.top_share or 0) >= HIGH_TOP_SHARE or (self.gini or 0) >= HIGH_GINI


@dataclass(frozen=True)
class Voice:
    """One participant in a set of contributions: how many they made there, and when
    the first of them was (what the queries read, grouped in the database)."""

    participant: int
    kind: str
    count: int
    first: datetime


def voices_of(records: Iterable[Record]) -> list[Voice]:
    """The records grouped by participant (the database does this for the pages)."""
    count: dict[int, int] = {}
    first: dict[int, datetime] = {}
    kind_of: dict[int, str] = {}
    for record in records:
        count[record.participant] = count.get(record.participant, 0) + 1
        kind_of[record.participant] = record.kind
        seen = first.get(record.participant)
        if seen is None or record.at < seen:
            first[record.participant] = record.at
    return [Voice(p, kind_of[p], count[p], first[p]) for p in count]


def merge_voices(*groups: Iterable[Voice]) -> list[Voice]:
    """One voice per participant from several sets (wall posts, comments, posts)."""
    merged: dict[int, Voice] = {}
    for group in groups:
        for voice in group:
            known = merged.get(voice.participant)
            if known is None:
                merged[voice.participant] = voice
            else:
                merged[voice.participant] = Voice(
                    voice.participant,
                    known.kind,
                    known.count + voice.count,
                    min(known.first, voice.first),
                )
    return list(merged.values())


def summarize(
    voices: Iterable[Voice],
    first_seen: dict[int, datetime],
    lorenz_max_points: int = 101,
) -> Summary:
    """The measures of a set of contributions, given per participant.

    ``first_seen`` maps a participant to the time of their first counted contribution
    anywhere on the site. A contributor is a new voice when that first contribution is one
    of these (their earliest here is their earliest anywhere), and a returning voice
    otherwise: they took part somewhere before. A participant missing from ``first_seen``
    counts as new.
    """
    by_kind = dict.fromkeys(KINDS, 0)
    contributors_by_kind = dict.fromkeys(KINDS, 0)
    counts = []
    new = 0
    for voice in voices:
        counts.append(voice.count)
        by_kind[voice.kind] = by_kind.get(voice.kind, 0) + voice.count
        contributors_by_kind[voice.kind] = contributors_by_kind.get(voice.kind, 0) + 1
        # Nothing anywhere before their first contribution here.
        if first_seen.get(voice.participant, voice.first) >= voice.first:
            new += 1
    n = len(counts)
    return Summary(
        contributions=sum(counts),
        contributors=n,
        contributions_by_kind=by_kind,
        contributors_by_kind=contributors_by_kind,
        new_voices=new,
        returning_voices=n - new,
        top_size=top_size(n),
        top_share=top_share(counts),
        gini=gini(counts),
        absence_factor=absence_factor(counts),
        lorenz=lorenz_points(counts, max_points=lorenz_max_points),
    )
