"""The one moderation check that everything guests and remote servers submit passes, and
the decisions of moderators that the filter learns from.

``check_content`` returns a verdict (publish, hold, spam) with a score and reasons a
moderator understands. It combines the trained text model (``textmodel``) with rules
(``scoring``): links and blocked domains, the word list, honeypot and time to submit,
repeated text, rate per person and network, and the person's history. It costs one
database query; the model and the filter settings are kept in memory per process.
"""

import hashlib
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from treffpunkt.core.models import Participant
from treffpunkt.moderation import akismet_signal, textmodel
from treffpunkt.moderation.corpus import Example, shipped_examples
from treffpunkt.moderation.models import (
    CheckedItem,
    Decision,
    FilterSettings,
    ItemKind,
    Verdict,
)
from treffpunkt.moderation.scoring import (
    HOLD_SCORE,
    REPEAT_MINUTES,
    SPAM_SCORE,
    URL_PATTERN,
    History,
    Reason,
    Rules,
    assess,
    find_links,
    normalize_text,
    verdict_for,
)

logger = logging.getLogger(__name__)

REPEAT_WINDOW = timedelta(minutes=REPEAT_MINUTES)
FILTER_SETTINGS_SECONDS = 10  # other processes see a changed word list within this time
HAM_DECISIONS = {Decision.Action.APPROVE, Decision.Action.NOT_SPAM, Decision.Action.PIN}
SPAM_DECISIONS = {Decision.Action.SPAM, Decision.Action.HIDE, Decision.Action.BLOCK}
# Hidden is not always spam (off topic, too personal): it teaches the model more gently.
LEARN_STEPS: dict[str, int] = {
    Decision.Action.SPAM: 3,
    Decision.Action.BLOCK: 3,
    Decision.Action.HIDE: 1,
}
RETRAIN_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class CheckResult:
    verdict: str
    score: float
    reasons: list[Reason]
    item: CheckedItem

    @property
    def reasons_json(self) -> list[dict[str, object]]:
        return [reason.as_json() for reason in self.reasons]


def _hash(value: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()


# --- filter settings, kept per process ------------------------------------------------

_settings_cache: dict[str, Any] = {"at": -1e9, "words": (), "domains": ()}
_settings_lock = threading.Lock()


def _filter_lists() -> tuple[tuple[str, ...], tuple[str, ...]]:
    now = time.monotonic()
    if now - _settings_cache["at"] > FILTER_SETTINGS_SECONDS:
        with _settings_lock:
            row = FilterSettings.objects.order_by("pk").first()
            if row is None:
                row = FilterSettings()  # the defaults, not stored until an admin saves
            _settings_cache.update(
                at=now, words=tuple(row.word_list()), domains=tuple(row.domain_list())
            )
    return _settings_cache["words"], _settings_cache["domains"]


def forget_filter_settings() -> None:
    _settings_cache["at"] = -1e9


def update_filter_settings(*, words: str, blocked_domains: str, admin: Any) -> FilterSettings:
    """An admin changes the word list or the domain blocklist."""
    with transaction.atomic():
        row = FilterSettings.objects.select_for_update().order_by("pk").first() or FilterSettings()
        row.words = "\n".join(line.strip() for line in words.splitlines() if line.strip())
        row.blocked_domains = "\n".join(
            line.strip().lower() for line in blocked_domains.splitlines() if line.strip()
        )
        row.updated_by = admin
        row.save()
    transaction.on_commit(forget_filter_settings)
    return row


def rules_for(words_to_hold: list[str] | None = None) -> Rules:
    words, domains = _filter_lists()
    return Rules(
        links_to_hold=settings.MODERATION_LINKS_TO_HOLD,
        posts_to_hold=settings.MODERATION_POSTS_TO_HOLD,
        posts_per_ip_to_hold=settings.MODERATION_POSTS_PER_IP_TO_HOLD,
        min_seconds_to_submit=settings.MODERATION_MIN_SECONDS_TO_SUBMIT,
        words=tuple(words) + tuple(words_to_hold or ()),
        blocked_domains=domains,
    )


# --- the check ------------------------------------------------------------------------


_NEVER = "-"  # matches no stored hash: stands in for a missing text or IP address


# Counts of recent items stop here: enough for every rule and for the reasons shown,
# and a busy venue network (hundreds of guests behind one address) costs no more.
HISTORY_COUNT_LIMIT = 1000


def _history(
    participant: Participant, text_hash: str, ip_hash: str, since: Any, has_text: bool
) -> History:
    """Everything the check needs from earlier checks, in one query.

    Each count reads one index range and stops at ``HISTORY_COUNT_LIMIT``, so a check
    costs the same on the thousandth post from a venue's network as on the first. Written
    as SQL because the ORM took longer to build these six counts than the database took to
    run them; walls take hundreds of posts a second.
    """
    if participant.pk is None:
        return History()
    text_hash = text_hash if has_text else _NEVER
    ip_hash = ip_hash or _NEVER
    since = connection.ops.adapt_datetimefield_value(since)
    ham = sorted(HAM_DECISIONS)
    ham_marks = ", ".join(["%s"] * len(ham))
    table = connection.ops.quote_name(CheckedItem._meta.db_table)

    def count(where: str) -> str:
        # Only the table name, our own conditions with placeholders and a constant go in.
        return (
            f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {where} "  # noqa: S608
            f"LIMIT {HISTORY_COUNT_LIMIT}) AS counted)"
        )

    sql = "SELECT " + ", ".join(
        [
            count("text_hash = %s AND created_at >= %s"),
            count("text_hash = %s AND created_at >= %s AND participant_id = %s"),
            count("participant_id = %s AND created_at >= %s"),
            count("ip_hash = %s AND created_at >= %s"),
            count(f"participant_id = %s AND decision IN ({ham_marks})"),
            count("participant_id = %s AND decision = %s"),
        ]
    )
    pk = participant.pk
    params = [
        *(text_hash, since),
        *(text_hash, since, pk),
        *(pk, since),
        *(ip_hash, since),
        *(pk, *ham),
        *(pk, Decision.Action.SPAM.value),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return History(*(int(value) for value in row))


def check_content(
    *,
    text: str,
    participant: Participant,
    kind: str,
    source: str = "form",
    ip_address: str = "",
    words_to_hold: list[str] | None = None,
    seconds_to_submit: float | None = None,
    honeypot_filled: bool = False,
    author_name: str = "",
    author_email: str = "",
    author_url: str = "",
    user_agent: str = "",
    context_url: str = "",
    server: str = "",
    account_created_at: datetime | None = None,
) -> CheckResult:
    """Score a submission and record the check; the caller stores the item with the verdict.

    ``seconds_to_submit`` (since the form was shown) and ``honeypot_filled`` are for items
    sent with one of our forms (``source="form"``); fediverse posts have neither and are not
    judged on them. Author name, email and URL, the user agent and the page's address
    only reach Akismet, when an admin configured it (``moderation.submissions`` passes them
    all). The check is recorded (unsaved) in
    ``result.item``; the caller saves it with ``record_check`` once the checked item has an
    id, in the same transaction.
    """
    now = timezone.now()
    normalized = normalize_text(text)
    text_hash = _hash(normalized)
    ip_hash = _hash(ip_address) if ip_address else ""
    history = _history(participant, text_hash, ip_hash, now - REPEAT_WINDOW, bool(normalized))
    external_spam = False
    if settings.AKISMET_API_KEY:
        external_spam = akismet_signal.is_spam(
            text=text,
            kind=kind,
            ip_address=ip_address,
            author_name=author_name,
            author_email=author_email,
            author_url=author_url,
            user_agent=user_agent,
            context_url=context_url,
        )
    assessment = assess(
        text,
        kind=kind,
        model=textmodel.current_model(),
        rules=rules_for(words_to_hold),
        history=history,
        normalized=normalized,
        # A fediverse reply's server is checked against the domain blocklist too.
        author_url=author_url or (f"https://{server}/" if server else ""),
        seconds_to_submit=seconds_to_submit,
        honeypot_filled=honeypot_filled,
        participant_blocked=participant.is_blocked,
        external_spam=external_spam,
        from_form=source == "form",
        account_age_days=(
            (now - account_created_at).total_seconds() / 86400 if account_created_at else None
        ),
    )
    verdict = verdict_for(assessment.score)
    reasons = assessment.reasons
    item = CheckedItem(
        kind=kind,
        source=source,
        participant=participant,
        text_hash=text_hash,
        ip_hash=ip_hash,
        verdict=verdict,
        score=round(assessment.score, 3),
        reasons=[reason.as_json() for reason in reasons],
        created_at=now,
    )
    return CheckResult(verdict=verdict, score=assessment.score, reasons=reasons, item=item)


def record_check(
    result: CheckResult, object_id: int | None, held_by: Iterable[Reason] = ()
) -> CheckedItem:
    """Store a check with the id of the item it was for; ``held_by`` are the reasons of the
    place's own rules when they held an item the filter would have published."""
    result.item.object_id = object_id
    result.item.held_by = [reason.as_json() for reason in held_by]
    result.item.save()
    return result.item


# --- decisions and learning -----------------------------------------------------------


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
    """Log a moderator's decision (who, when, what, why); the filter learns from it.

    The decision is noted on the item's checks (for the person's history and the overrule
    count) and, once the transaction commits, the site's model learns from the text.
    """
    decision = Decision.objects.create(
        kind=kind,
        object_id=object_id,
        action=action,
        moderator=moderator,
        participant=participant,
        text=text,
        reason=reason[:300],
    )
    if action in HAM_DECISIONS or action in SPAM_DECISIONS:
        CheckedItem.objects.filter(kind=kind, object_id=object_id).update(decision=action)
        if text.strip():
            is_spam = action in SPAM_DECISIONS
            steps = LEARN_STEPS.get(action, textmodel.LEARN_STEPS)
            transaction.on_commit(lambda: learn_from_decision(text, is_spam, steps))
    return decision


def learn_from_decision(text: str, is_spam: bool, steps: int = textmodel.LEARN_STEPS) -> None:
    """Teach the site's model one decided text, at once (a few milliseconds).

    Never raises: the decision is stored either way, and `treffpunkt spam train` learns
    from every stored decision.
    """
    model = textmodel.current_model()
    if model is None:
        return
    try:
        textmodel.update_model_file(lambda model: model.learn(text, is_spam, steps))
    except OSError as error:
        logger.warning("The spam model could not learn from a decision (%s).", error)
        return
    _retrain_when_old(model)


def _retrain_when_old(model: textmodel.TextModel) -> None:
    try:
        enqueue_training_if_due(model)
    except Exception:  # a full rebuild can wait for the worker's weekly look
        logger.exception("Could not enqueue the weekly spam model training.")


def enqueue_training_if_due(model: textmodel.TextModel | None = None) -> bool:
    """Queue a full rebuild of the site's model when it is a week old (or missing) and none
    is queued yet; ``treffpunkt worker`` looks every hour, a decision looks too."""
    from treffpunkt.moderation.tasks import train_spam_model

    model = model if model is not None else textmodel.current_model()
    if model is not None:
        try:
            age = timezone.now() - datetime.fromisoformat(model.info.get("trained_at", ""))
        except (TypeError, ValueError):
            age = RETRAIN_AFTER * 2  # unknown age: rebuild
        if age <= RETRAIN_AFTER:
            return False
    if _training_queued(train_spam_model.module_path):
        return False
    train_spam_model.enqueue()
    return True


def _training_queued(task_path: str) -> bool:
    """Whether a training waits or runs already (known only with the database backend)."""
    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return False
    waiting = [TaskResultStatus.READY, TaskResultStatus.RUNNING]
    return DBTaskResult.objects.filter(task_path=task_path, status__in=waiting).exists()


def decided_examples() -> list[Example]:
    """Every decided text, labeled by the latest decision on its item."""
    latest: dict[tuple[str, int], Example] = {}
    for kind, object_id, action, text in (
        Decision.objects.filter(action__in=HAM_DECISIONS | SPAM_DECISIONS)
        .exclude(text="")
        .order_by("created_at", "pk")
        .values_list("kind", "object_id", "action", "text")
        .iterator()
    ):
        latest[(kind, object_id)] = Example(text, action in SPAM_DECISIONS, "decisions")
    return list(latest.values())


def train_site_model(progress: textmodel.ProgressCallback | None = None) -> textmodel.TextModel:
    """Rebuild the site's model from the shipped corpus and all moderator decisions, and
    put it in place for every process."""
    examples = shipped_examples() + decided_examples()
    model = textmodel.TextModel.train(examples, progress)
    model.info["decisions"] = len(examples) - len(shipped_examples())
    textmodel.install_model(model)
    return model


__all__ = [
    "HOLD_SCORE",
    "SPAM_SCORE",
    "URL_PATTERN",
    "CheckResult",
    "ItemKind",
    "Reason",
    "Verdict",
    "check_content",
    "find_links",
    "normalize_text",
    "record_check",
    "record_decision",
]
