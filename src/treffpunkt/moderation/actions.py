"""The one moderation check that everything guests and remote servers submit passes.

``check_content`` returns a verdict (publish, hold, spam) with a score and reasons a
moderator understands. For now it applies rules (links, repeated text, rate, word list);
the spam-filter work adds a trained model behind the same call.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop

from treffpunkt.core.models import Participant
from treffpunkt.moderation.models import CheckedItem, Decision, ItemKind, Verdict

URL_PATTERN = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
REPEAT_WINDOW = timedelta(minutes=10)
HOLD_SCORE = 0.5
SPAM_SCORE = 0.9


@dataclass(frozen=True)
class Reason:
    """A reason in the moderator's words: an untranslated message and its values."""

    message: str
    values: dict[str, object] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"message": self.message, "values": self.values}


@dataclass(frozen=True)
class CheckResult:
    verdict: str
    score: float
    reasons: list[Reason]
    item: CheckedItem

    @property
    def reasons_json(self) -> list[dict[str, object]]:
        return [reason.as_json() for reason in self.reasons]


def normalize_text(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"\w+", folded))


def _hash(value: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()


def find_links(text: str) -> list[str]:
    return URL_PATTERN.findall(text)


def check_content(
    *,
    text: str,
    participant: Participant,
    kind: str,
    ip_address: str = "",
    words_to_hold: list[str] | None = None,
) -> CheckResult:
    """Score a submission and record the check; the caller stores the item with the verdict.

    The check is recorded (unsaved) in ``result.item``; the caller saves it with
    ``record_check`` once the checked item has an id, in the same transaction.
    """
    now = timezone.now()
    normalized = normalize_text(text)
    text_hash = _hash(normalized)
    ip_hash = _hash(ip_address) if ip_address else ""
    reasons: list[Reason] = []
    score = 0.0

    if participant.is_blocked:
        reasons.append(Reason(gettext_noop("the participant is blocked")))
        score = 1.0

    links = find_links(text)
    if len(links) >= settings.MODERATION_LINKS_TO_HOLD:
        reasons.append(Reason(gettext_noop("%(count)s links"), {"count": len(links)}))
        score = max(score, 0.6 + 0.05 * len(links))

    recent = CheckedItem.objects.filter(created_at__gte=now - REPEAT_WINDOW)
    repeats = recent.filter(text_hash=text_hash).count() if normalized else 0
    if repeats >= 2 or (
        repeats and recent.filter(text_hash=text_hash, participant=participant).exists()
    ):
        reasons.append(
            Reason(
                gettext_noop("same text posted %(count)s times in %(minutes)s minutes"),
                {"count": repeats + 1, "minutes": int(REPEAT_WINDOW.total_seconds() // 60)},
            )
        )
        score = max(score, 0.7 if repeats < 4 else 0.95)

    by_participant = recent.filter(participant=participant).count()
    if by_participant >= settings.MODERATION_POSTS_TO_HOLD:
        reasons.append(
            Reason(
                gettext_noop("%(count)s posts from the same person in %(minutes)s minutes"),
                {"count": by_participant + 1, "minutes": int(REPEAT_WINDOW.total_seconds() // 60)},
            )
        )
        score = max(score, 0.6)

    padded = f" {normalized} "
    for word in words_to_hold or []:
        wanted = normalize_text(word)
        if wanted and f" {wanted} " in padded:  # whole words only: "Werbung", not "Bewerbung"
            reasons.append(
                Reason(gettext_noop("contains “%(word)s” from the word list"), {"word": word})
            )
            score = max(score, 0.6)
            break

    if score >= SPAM_SCORE:
        verdict = Verdict.SPAM
    elif score >= HOLD_SCORE:
        verdict = Verdict.HOLD
    else:
        verdict = Verdict.PUBLISH
    item = CheckedItem(
        kind=kind,
        participant=participant,
        text_hash=text_hash,
        ip_hash=ip_hash,
        verdict=verdict,
        score=round(score, 3),
        reasons=[reason.as_json() for reason in reasons],
        created_at=now,
    )
    return CheckResult(verdict=verdict, score=score, reasons=reasons, item=item)


def record_check(result: CheckResult, object_id: int | None) -> CheckedItem:
    """Store a check with the id of the item it was for."""
    result.item.object_id = object_id
    result.item.save()
    return result.item


def record_decision(
    *,
    kind: str,
    object_id: int,
    action: str,
    moderator: Any,
    participant: Participant | None,
    text: str = "",
    reason: str = "",
) -> Decision:
    """Log a moderator's decision (who, when, what, why); the filter learns from it."""
    return Decision.objects.create(
        kind=kind,
        object_id=object_id,
        action=action,
        moderator=moderator,
        participant=participant,
        text=text,
        reason=reason[:300],
    )


__all__ = ["CheckResult", "ItemKind", "Verdict", "check_content", "record_decision"]
