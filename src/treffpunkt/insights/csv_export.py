"""The CSV download: the measures per event, blog or month, never a person."""

import csv
import io
from datetime import timedelta
from typing import Any

from django.http import HttpResponse

from treffpunkt.insights.measures import Summary
from treffpunkt.insights.queries import Period

COLUMNS = [
    "scope",
    "name",
    "from",
    "until",
    "contributions",
    "contributors",
    "contributions_members",
    "contributions_guests",
    "contributions_fediverse",
    "contributors_members",
    "contributors_guests",
    "contributors_fediverse",
    "new_voices",
    "returning_voices",
    "new_voices_share",
    "top10_size",
    "top10_share",
    "gini",
    "absence_factor",
    "attendees",
    "contributors_per_attendee",
    "minutes_to_first_contribution",
    "posts",
    "comments_per_post",
    "posts_answered_by_others_share",
    "median_minutes_to_first_reply",
]


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _minutes(value: timedelta | None) -> str:
    return "" if value is None else f"{value.total_seconds() / 60:.1f}"


def _text(value: str) -> str:
    # A spreadsheet runs a cell that starts with one of these as a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def row(scope: str, name: str, period: Period, summary: Summary, **extra: Any) -> dict[str, str]:
    """One line of the export. Groups under the minimum size keep their counts only, as on
    the pages: no shares, Gini or factor that could point at a person."""
    large = summary.large_enough
    attendees = extra.get("attendees")
    values = {
        "scope": scope,
        "name": _text(name),
        "from": period.start.isoformat() if period.start else "",
        "until": period.end.isoformat() if period.end else "",
        "contributions": str(summary.contributions),
        "contributors": str(summary.contributors),
        "contributions_members": str(summary.contributions_by_kind.get("member", 0)),
        "contributions_guests": str(summary.contributions_by_kind.get("guest", 0)),
        "contributions_fediverse": str(summary.contributions_by_kind.get("remote", 0)),
        "contributors_members": str(summary.contributors_by_kind.get("member", 0)),
        "contributors_guests": str(summary.contributors_by_kind.get("guest", 0)),
        "contributors_fediverse": str(summary.contributors_by_kind.get("remote", 0)),
        "new_voices": str(summary.new_voices),
        "returning_voices": str(summary.returning_voices),
        "new_voices_share": _number(summary.new_share) if large else "",
        "top10_size": str(summary.top_size) if large else "",
        "top10_share": _number(summary.top_share) if large else "",
        "gini": _number(summary.gini) if large else "",
        "absence_factor": str(summary.absence_factor) if large else "",
        "attendees": str(attendees) if attendees else "",
        "contributors_per_attendee": (
            _number(summary.contributors / attendees) if attendees and large else ""
        ),
        "minutes_to_first_contribution": _minutes(extra.get("first_after_start")),
        "posts": str(extra["posts"]) if "posts" in extra else "",
        "comments_per_post": _number(extra.get("comments_per_post")),
        "posts_answered_by_others_share": _number(extra.get("answered_share")),
        "median_minutes_to_first_reply": _minutes(extra.get("time_to_reply")),
    }
    return values


def response(rows: list[dict[str, str]], filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    result = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    result["Content-Disposition"] = f'attachment; filename="{filename}"'
    return result
