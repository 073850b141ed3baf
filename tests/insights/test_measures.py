"""The measures on cases computed by hand."""

from datetime import UTC, datetime, timedelta

import pytest

from treffpunkt.insights import measures
from treffpunkt.insights.measures import Record


def test_absence_factor_golden_case():
    # 2475 contributions; the top two made 1433, more than half; the top one alone 1000.
    assert measures.absence_factor([1000, 433, 343, 332, 202, 90, 42, 33]) == 2
    assert measures.absence_factor([33, 90, 1000, 42, 433, 343, 202, 332]) == 2


def test_absence_factor_counts_exactly_half_as_half():
    assert measures.absence_factor([2, 1, 1]) == 1
    assert measures.absence_factor([1, 1, 1, 1]) == 2
    assert measures.absence_factor([5]) == 1
    assert measures.absence_factor([]) == 0


def test_gini_of_equal_counts_is_zero():
    assert measures.gini([4, 4, 4, 4, 4]) == 0
    assert measures.gini([1]) == 0


def test_gini_one_contributor_among_silent_ones_is_near_one():
    # Silent people are zeros in the group: (n - 1) / n.
    assert measures.gini([10] + [0] * 99) == pytest.approx(0.99)
    assert measures.gini([7, 0, 0, 0]) == pytest.approx(0.75)


def test_gini_by_hand():
    # x = 1, 2, 3: ((2-4)·1 + 0·2 + (6-4)·3) / (3 · 6) = 4/18
    assert measures.gini([3, 1, 2]) == pytest.approx(4 / 18)
    # x = 1, 1, 1, 5: (-3 - 1 + 1 + 3·5) / (4 · 8) = 12/32
    assert measures.gini([1, 5, 1, 1]) == pytest.approx(12 / 32)


def test_gini_without_anyone_is_none():
    assert measures.gini([]) is None
    assert measures.gini([0, 0]) is None


def test_top_share_with_ten_contributors_is_the_top_ones_share():
    counts = [10, 5, 5, 5, 5, 5, 5, 5, 5, 5]
    assert measures.top_size(10) == 1
    assert measures.top_share(counts) == pytest.approx(10 / 55)


def test_top_share_rounds_the_tenth_up():
    assert measures.top_size(11) == 2
    assert measures.top_share([9, 8] + [1] * 9) == pytest.approx(17 / 26)
    assert measures.top_size(1) == 1
    assert measures.top_share([3]) == 1.0
    assert measures.top_size(0) == 0
    assert measures.top_share([]) is None


def test_lorenz_points_by_hand():
    assert measures.lorenz_points([3, 1]) == [(0.0, 0.0), (0.5, 0.25), (1.0, 1.0)]
    assert measures.lorenz_points([2]) == [(0.0, 0.0), (1.0, 1.0)]
    assert measures.lorenz_points([]) == []
    assert measures.lorenz_points([0, 0]) == []


def test_lorenz_points_of_a_large_group_are_thinned_keeping_both_ends():
    points = measures.lorenz_points(list(range(1, 1001)), max_points=11)
    assert len(points) == 11
    assert points[0] == (0.0, 0.0)
    assert points[-1] == (1.0, 1.0)
    assert points[5][0] == pytest.approx(0.5)
    # Below the line of equality, rising.
    assert all(y <= x for x, y in points)
    assert [y for _, y in points] == sorted(y for _, y in points)


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        measures.gini([1, -1])


def test_median_of_durations():
    minutes = [timedelta(minutes=m) for m in (9, 1, 5)]
    assert measures.median(minutes) == timedelta(minutes=5)
    assert measures.median(minutes[:2]) == timedelta(minutes=5)
    assert measures.median([]) is None


START = datetime(2026, 3, 1, 10, tzinfo=UTC)


def at(minutes):
    return START + timedelta(minutes=minutes)


def test_summary_counts_kinds_new_and_returning_voices():
    records = [
        Record(1, "member", at(0)),
        Record(1, "member", at(5)),
        Record(1, "member", at(6)),
        Record(2, "guest", at(1)),
        Record(3, "guest", at(2)),
        Record(4, "remote", at(3)),
    ]
    # 1 wrote somewhere before; 2 first wrote here; 3 and 4 are not known elsewhere.
    first_seen = {1: at(-60 * 24), 2: at(1)}
    summary = measures.summarize(measures.voices_of(records), first_seen)
    assert summary.contributions == 6
    assert summary.contributors == 4
    assert summary.contributions_by_kind == {"member": 3, "guest": 2, "remote": 1}
    assert summary.contributors_by_kind == {"member": 1, "guest": 2, "remote": 1}
    assert summary.new_voices == 3
    assert summary.returning_voices == 1
    assert summary.new_share == pytest.approx(0.75)
    assert summary.absence_factor == 1  # 3 of 6 is half
    assert summary.top_size == 1
    assert summary.top_share == pytest.approx(0.5)
    assert not summary.large_enough  # four people: counts only on the pages


def test_summary_of_nothing_and_of_one():
    empty = measures.summarize(measures.voices_of([]), {})
    assert (empty.contributors, empty.contributions, empty.new_voices) == (0, 0, 0)
    assert empty.gini is None and empty.top_share is None and empty.lorenz == []
    assert empty.new_share is None
    assert not empty.concentrated
    one = measures.summarize(measures.voices_of([Record(7, "guest", at(0))]), {7: at(0)})
    assert (one.contributors, one.new_voices, one.gini, one.top_share) == (1, 1, 0.0, 1.0)
    assert one.absence_factor == 1


def test_summary_flags_concentration_only_for_large_groups():
    loud = [Record(1, "member", at(m)) for m in range(20)]
    quiet = [Record(p, "guest", at(p)) for p in range(2, 7)]
    summary = measures.summarize(measures.voices_of(loud + quiet), {})
    assert summary.contributors == 6
    assert summary.top_share == pytest.approx(20 / 25)
    assert summary.concentrated
    even = measures.summarize(
        measures.voices_of([Record(p, "guest", at(p)) for p in range(1, 7)]), {}
    )
    assert not even.concentrated


def test_voices_of_several_sets_merge_per_participant():
    wall = measures.voices_of([Record(1, "member", at(5)), Record(2, "guest", at(1))])
    comments = measures.voices_of([Record(1, "member", at(2)), Record(1, "member", at(9))])
    merged = {v.participant: v for v in measures.merge_voices(wall, comments)}
    assert merged[1].count == 3 and merged[1].first == at(2)
    assert merged[2].count == 1
