"""Reads for the moderators' Filter page."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from treffpunkt.moderation import textmodel
from treffpunkt.moderation.actions import HAM_DECISIONS, SPAM_DECISIONS
from treffpunkt.moderation.models import CheckedItem, FilterSettings, Verdict

STATS_DAYS = 30


def filter_settings() -> FilterSettings:
    """The site's word list and blocklist (the defaults, unsaved, until an admin saves)."""
    return FilterSettings.objects.order_by("pk").first() or FilterSettings()


def recent_checks(limit: int = 50) -> QuerySet[CheckedItem]:
    """The latest verdicts with their participant, newest first."""
    return CheckedItem.objects.select_related("participant").order_by("-created_at", "-pk")[:limit]


@dataclass(frozen=True)
class OverruleStats:
    days: int
    checked: int
    published: int
    held: int
    spam: int
    decided: int
    confirmed: int
    false_alarms: int  # held or marked spam, then approved by a moderator
    missed: int  # published, then hidden or marked spam by a moderator

    @property
    def overruled(self) -> int:
        return self.false_alarms + self.missed

    @property
    def overruled_percent(self) -> float:
        return round(100 * self.overruled / self.decided, 1) if self.decided else 0.0


def overrule_stats(days: int = STATS_DAYS) -> OverruleStats:
    """How often moderators agreed with the filter and how often they overruled it, in one
    grouped query over the last ``days`` days."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        CheckedItem.objects.filter(created_at__gte=since)
        .values("verdict", "decision")
        .annotate(count=Count("pk"))
        .order_by()
    )
    totals = {"checked": 0, "decided": 0, "confirmed": 0, "false_alarms": 0, "missed": 0}
    verdicts = {Verdict.PUBLISH: 0, Verdict.HOLD: 0, Verdict.SPAM: 0}
    for row in rows:
        count, verdict, decision = row["count"], row["verdict"], row["decision"]
        totals["checked"] += count
        verdicts[verdict] = verdicts.get(verdict, 0) + count
        if decision not in HAM_DECISIONS and decision not in SPAM_DECISIONS:
            continue
        totals["decided"] += count
        flagged = verdict != Verdict.PUBLISH
        if flagged and decision in HAM_DECISIONS:
            totals["false_alarms"] += count
        elif not flagged and decision in SPAM_DECISIONS:
            totals["missed"] += count
        else:
            totals["confirmed"] += count
    return OverruleStats(
        days=days,
        published=verdicts[Verdict.PUBLISH],
        held=verdicts[Verdict.HOLD],
        spam=verdicts[Verdict.SPAM],
        **totals,
    )


def model_status() -> dict[str, Any]:
    """What the Filter page says about the trained model."""
    model = textmodel.current_model()
    info = dict(model.info) if model is not None else {}
    trained_at = info.get("trained_at")
    if trained_at:
        try:
            info["trained_at"] = datetime.fromisoformat(trained_at)
        except ValueError:
            info.pop("trained_at")
    return {"model": model is not None, "problem": textmodel.model_problem(), "info": info}
