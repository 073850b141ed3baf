"""The chart geometry and the time buckets behind the bars."""

from datetime import UTC, datetime, timedelta

from django.utils import translation

from treffpunkt.insights import charts
from treffpunkt.insights.measures import Record

START = datetime(2026, 3, 14, 9, tzinfo=UTC)


def test_an_events_morning_is_counted_by_the_hour_with_empty_hours_kept():
    records = [
        Record(1, "guest", START),
        Record(2, "member", START + timedelta(minutes=20)),
        Record(3, "guest", START + timedelta(hours=2, minutes=5)),
    ]
    unit, rows = charts.contributions_over_time(records)
    assert unit == "hour"
    # Berlin is one hour ahead of UTC in March.
    assert [row.label for row in rows] == ["10:00", "11:00", "12:00"]
    assert [row.values for row in rows] == [{"guest": 1, "member": 1}, {}, {"guest": 1}]


def test_longer_spans_are_counted_by_day_and_by_month():
    days = [Record(1, "guest", START + timedelta(days=d)) for d in (0, 1, 30)]
    unit, rows = charts.contributions_over_time(days)
    assert unit == "day" and len(rows) == 31
    months = [Record(1, "guest", START + timedelta(days=d)) for d in (0, 200)]
    unit, rows = charts.contributions_over_time(months)
    assert unit == "month"
    assert [row.start.month for row in rows] == [3, 4, 5, 6, 7, 8, 9]
    assert charts.contributions_over_time([]) == ("day", [])


def test_bars_stack_and_stay_inside_the_chart():
    rows = [charts.Row("a", {"member": 3, "guest": 1}), charts.Row("b", {"guest": 8})]
    chart = charts.bar_chart(rows, charts.kind_series())
    assert len(chart.bars) == 3
    for bar in chart.bars:
        assert bar["y"] >= 0 and bar["y"] + bar["h"] <= chart.height
    # The largest bar reaches the top of the axis (10 for a maximum of 8).
    assert chart.ticks[-1]["label"] == "10"
    guest_b = chart.bars[-1]
    assert guest_b["h"] == round((charts.HEIGHT - charts.TOP - charts.BOTTOM) * 8 / 10, 1)


def test_tick_labels_follow_the_language_but_coordinates_never_do():
    rows = [charts.Row("a", {"guest": 25})]
    with translation.override("de"):
        chart = charts.bar_chart(rows, charts.kind_series())
    assert [t["label"] for t in chart.ticks] == ["0", "6,25", "12,5", "18,75", "25"]
    assert all(isinstance(t["y"], float) for t in chart.ticks)


def test_lorenz_chart_and_table():
    points = [(0.0, 0.0), (0.5, 0.25), (1.0, 1.0)]
    chart = charts.lorenz_chart(points)
    assert chart.line.split()[0] == f"{chart.margin:.1f},{12 + chart.plot:.1f}"
    assert "," in chart.line and ";" not in chart.line
    table = charts.lorenz_table(points)
    assert table[0] == (10, 25) and table[4] == (50, 25) and table[-1] == (90, 100)
    assert charts.lorenz_table([]) == []
