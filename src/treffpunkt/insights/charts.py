"""Charts drawn on the server as SVG: the geometry is computed here, the templates
(``insights/_bar_chart.html``, ``insights/_lorenz.html``) only place it. No script, no
third-party request; the same rows feed the table next to each chart."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from treffpunkt.insights.measures import Record

WIDTH = 480
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 44


@dataclass
class Row:
    """One bar: a label and a value per series."""

    label: str
    values: dict[str, int]
    start: datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.values.values())


@dataclass
class Series:
    key: str
    label: str
    css: str


@dataclass
class BarChart:
    rows: list[Row]
    series: list[Series]
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[dict[str, object]] = field(default_factory=list)
    ticks: list[dict[str, object]] = field(default_factory=list)
    labels: list[dict[str, object]] = field(default_factory=list)
    baseline: float = 0


def _nice_top(value: int) -> int:
    """A round number at or above ``value`` for the top of the axis."""
    if value <= 4:
        return max(value, 1)
    step = 1
    while step * 10 < value:
        step *= 10
    for factor in (1, 2, 2.5, 5, 10):
        top = int(step * factor)
        if top >= value:
            return top
    return value  # pragma: no cover


def bar_chart(rows: list[Row], series: list[Series]) -> BarChart:
    """Stacked bars, one per row, the series bottom to top in the order given."""
    chart = BarChart(rows=rows, series=series)
    if not rows:
        return chart
    top = _nice_top(max(row.total for row in rows))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    chart.baseline = TOP + plot_h
    slot = plot_w / len(rows)
    bar_w = min(48.0, max(1.0, slot * 0.8))  # one event: a bar, not a wall
    for step in range(5):
        value = top * step / 4
        y = TOP + plot_h - plot_h * step / 4
        shown = int(value) if value == int(value) else round(value, 2)
        chart.ticks.append({"y": round(y, 1), "label": formats.number_format(shown)})
    every = max(1, round(len(rows) / 8))
    for index, row in enumerate(rows):
        x = LEFT + index * slot + (slot - bar_w) / 2
        y = TOP + plot_h
        for one in series:
            value = row.values.get(one.key, 0)
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            chart.bars.append(
                {
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "w": round(bar_w, 1),
                    "h": round(h, 1),
                    "css": one.css,
                    "title": f"{row.label}: {one.label} {value}",
                }
            )
        if index % every == 0:
            chart.labels.append(
                {"x": round(x + bar_w / 2, 1), "y": HEIGHT - BOTTOM + 16, "label": row.label}
            )
    return chart


@dataclass
class LorenzChart:
    size: int
    plot: int
    margin: int
    line: str
    ticks: list[dict[str, object]]
    points: list[tuple[float, float]]


def lorenz_chart(points: Sequence[tuple[float, float]], size: int = 300) -> LorenzChart:
    """The curve against the line of equality, in a square."""
    margin = 44
    plot = size - margin - 12
    line = " ".join(f"{margin + x * plot:.1f},{12 + plot - y * plot:.1f}" for x, y in points)
    ticks = [
        {
            "at": round(12 + plot - plot * k / 4, 1),
            "x": round(margin + plot * k / 4, 1),
            "label": f"{25 * k} %",
        }
        for k in range(5)
    ]
    return LorenzChart(
        size=size, plot=plot, margin=margin, line=line, ticks=ticks, points=list(points)
    )


def lorenz_table(points: Sequence[tuple[float, float]]) -> list[tuple[int, int]]:
    """The curve at every tenth of the contributors, for the table beside the chart: the
    least active x % made y % of the contributions."""
    if not points:
        return []
    rows = []
    for tenth in range(1, 10):
        x = tenth / 10
        # The curve's point at or just after x (the points rise in x).
        y = next(py for px, py in points if px >= x - 1e-9)
        rows.append((tenth * 10, round(y * 100)))
    return rows


# --- time buckets ---------------------------------------------------------------------

HOURS_UP_TO = timedelta(days=3)
DAYS_UP_TO = timedelta(days=120)


def _month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(moment: datetime) -> datetime:
    return (moment.replace(day=28) + timedelta(days=4)).replace(day=1)


def bucket_unit(first: datetime, last: datetime) -> str:
    """Hours for an event's day, days for a few months, months beyond."""
    span = last - first
    if span <= HOURS_UP_TO:
        return "hour"
    if span <= DAYS_UP_TO:
        return "day"
    return "month"


def bucket_start(moment: datetime, unit: str) -> datetime:
    local = timezone.localtime(moment)
    if unit == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    if unit == "day":
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    return _month_start(local)


def _advance(moment: datetime, unit: str) -> datetime:
    if unit == "hour":
        return timezone.localtime(moment + timedelta(hours=1))
    if unit == "day":
        return (moment + timedelta(days=1, hours=2)).replace(hour=0)
    return next_month(moment)


def bucket_label(moment: datetime, unit: str) -> str:
    if unit == "hour":
        return formats.date_format(moment, "H:i")
    if unit == "day":
        return formats.date_format(moment, "SHORT_DATE_FORMAT")
    return formats.date_format(moment, "YEAR_MONTH_FORMAT")


def timeline_rows(
    unit: str, counts: dict[datetime, dict[str, int]], first: datetime, last: datetime
) -> list[Row]:
    """One row per bucket from the first to the last, empty ones included; ``counts`` is
    keyed by ``bucket_start``."""
    rows = []
    moment = bucket_start(first, unit)
    end = bucket_start(last, unit)
    while moment <= end:
        rows.append(Row(bucket_label(moment, unit), counts.get(moment, {}), start=moment))
        moment = _advance(moment, unit)
    return rows


def contributions_over_time(records: Iterable[Record]) -> tuple[str, list[Row]]:
    """Contributions per hour, day or month by kind of contributor, empty buckets
    included between the first and the last (the pages group in the database instead)."""
    records = list(records)
    if not records:
        return "day", []
    first = min(r.at for r in records)
    last = max(r.at for r in records)
    unit = bucket_unit(first, last)
    counts: dict[datetime, dict[str, int]] = {}
    for record in records:
        bucket = counts.setdefault(bucket_start(record.at, unit), {})
        bucket[record.kind] = bucket.get(record.kind, 0) + 1
    return unit, timeline_rows(unit, counts, first, last)


def kind_series() -> list[Series]:
    return [
        Series("member", _("Members"), "member"),
        Series("guest", _("Guests"), "guest"),
        Series("remote", _("Fediverse accounts"), "remote"),
    ]


def voice_series() -> list[Series]:
    return [
        Series("new", _("New voices"), "new"),
        Series("returning", _("Returning voices"), "returning"),
    ]
