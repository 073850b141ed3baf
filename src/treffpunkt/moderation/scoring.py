"""Turn the signals about one submission into a score and reasons.

Pure functions without database access: ``check_content`` gathers the counts from the
database in one query and calls ``assess``; ``spam evaluate`` calls it with a model in
memory. Scores from 0.5 hold an item for a moderator, from 0.9 it is spam.

Two kinds of evidence. Rules that are sure on their own (a blocked person, the honeypot, a
blocked domain, a flood of the same text) set the score directly. Doubtful signals are
added up in log-odds: the text model's, a link on a wall from someone new, the same text
a few minutes ago, what the person's earlier items were, a fediverse account's age. Their
sum is the probability of spam; from ``MODEL_HOLD`` an item is held (the holding band),
from ``MODEL_SPAM`` (and the text model alone as sure) it is spam. The reasons show
each signal with its weight.
"""

import math
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils.translation import gettext_noop

from treffpunkt.moderation.models import ItemKind
from treffpunkt.moderation.textmodel import MAX_CHARS, TextModel, fold

HOLD_SCORE = 0.5
SPAM_SCORE = 0.9
# The probability of spam (all signals) at which an item is held, and at which it is spam.
# Chosen with benchmarks/spam_eval.py (leave one source and one domain out, --learn):
# losing a real person's comment is the worst error, publishing spam the next.
MODEL_HOLD = 0.35
MODEL_SPAM = 0.98
REPEAT_MINUTES = 10
# Weights of the doubtful signals, in log-odds added to the text model's (+1 roughly
# turns 35 % into 60 %). Wall posts come from people in the room, who scanned the poster:
# a link there is ordinary for members, doubtful from someone the site has never approved.
WALL_LINK_WEIGHT = 0.5
REPEAT_WEIGHT = 1.5  # the same text once before in REPEAT_MINUTES, not on walls (twice: a rule)
APPROVED_WEIGHT = -2.0  # earlier items of this person were approved
SPAM_BEFORE_WEIGHT = 2.0  # earlier items of this person were spam
NEW_ACCOUNT_WEIGHT = 1.0  # a fediverse account made less than NEW_ACCOUNT_DAYS ago
NEW_ACCOUNT_DAYS = 7

URL_PATTERN = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
NON_LATIN_LETTERS = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Reason:
    """A reason in the moderator's words: an untranslated message and its values."""

    message: str
    values: dict[str, object] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"message": self.message, "values": self.values}


@dataclass(frozen=True)
class History:
    """What the database knows around a submission (all zero for a first-time guest)."""

    same_text_recent: int = 0
    same_text_by_participant: int = 0
    by_participant_recent: int = 0
    by_ip_recent: int = 0
    approved_before: int = 0
    spam_before: int = 0


@dataclass(frozen=True)
class Rules:
    links_to_hold: int = 3
    posts_to_hold: int = 10
    posts_per_ip_to_hold: int = 300
    min_seconds_to_submit: float = 3.0
    words: tuple[str, ...] = ()
    blocked_domains: tuple[str, ...] = ()


@dataclass
class Assessment:
    score: float = 0.0
    reasons: list[Reason] = field(default_factory=list)
    spam_probability: float | None = None

    def add(self, score: float, message: str, **values: object) -> None:
        self.score = max(self.score, score)
        self.reasons.append(Reason(message, values))


def find_links(text: str) -> list[str]:
    return URL_PATTERN.findall(text)


def link_domain(link: str) -> str:
    if not link.lower().startswith(("http://", "https://")):
        link = f"http://{link}"
    try:
        host = (urlsplit(link).hostname or "").removeprefix("www.")
        # Compare as the blocklist stores names: "müll.example" as "xn--mll-hoa.example".
        return host.encode("idna").decode("ascii") if not host.isascii() else host
    except (ValueError, UnicodeError):
        return ""


def normalize_text(text: str) -> str:
    """The words of a text as the filter compares them (repeats, the word list)."""
    return " ".join(WORD.findall(fold(text)))


def calibrated(probability: float, hold: float | None = None) -> float:
    """Map the probability of spam onto the score scale (hold from 0.5, spam from 0.9)."""
    hold = MODEL_HOLD if hold is None else hold
    if probability < hold:
        return probability / hold * HOLD_SCORE
    if probability < MODEL_SPAM:
        return HOLD_SCORE + (probability - hold) / (MODEL_SPAM - hold) * 0.4
    return SPAM_SCORE + (probability - MODEL_SPAM) / (1 - MODEL_SPAM) * 0.1


def _unreadable_share(text: str) -> float:
    sample = text[:MAX_CHARS]
    visible = [char for char in sample if not char.isspace()]
    if not visible:
        return 0.0
    odd = sum(1 for char in visible if unicodedata.category(char) in {"Cc", "Co", "Cn", "Cs"})
    return odd / len(visible)


def _mixed_script_word(text: str) -> str:
    """A word that mixes Latin with Greek or Cyrillic letters, a spammer's trick to dodge
    word lists (a Cyrillic a inside "Casino")."""
    sample = text[:MAX_CHARS]
    if not NON_LATIN_LETTERS.search(sample):
        return ""
    for word in WORD.findall(sample):
        scripts = set()
        for char in word:
            if char.isalpha():
                scripts.add(unicodedata.name(char, "?").split(" ", 1)[0])
        if "LATIN" in scripts and scripts & {"CYRILLIC", "GREEK"}:
            return word[:40]
    return ""


def _matches_word(normalized: str, words: tuple[str, ...]) -> str:
    padded = f" {normalized} "
    for word in words:
        wanted = normalize_text(word)
        if wanted and f" {wanted} " in padded:  # whole words only: "Werbung", not "Bewerbung"
            return word
    return ""


def _blocked_domain(domains: list[str], blocked: tuple[str, ...]) -> str:
    for domain in domains:
        for entry in blocked:
            if domain == entry or domain.endswith(f".{entry}"):
                return domain
    return ""


def assess(
    text: str,
    *,
    kind: str,
    model: TextModel | None,
    rules: Rules,
    history: History | None = None,
    normalized: str | None = None,
    links: list[str] | None = None,
    author_url: str = "",
    seconds_to_submit: float | None = None,
    honeypot_filled: bool = False,
    participant_blocked: bool = False,
    external_spam: bool = False,
    from_form: bool = True,
    account_age_days: float | None = None,
) -> Assessment:
    """Score one submission from its text and context.

    ``from_form``: it was sent with one of our forms, so the honeypot and the time taken to
    fill it in count; fediverse posts never saw our form and are not judged on them, but on
    the age of the remote account (``account_age_days``), and a reply from an account that
    was approved before is not held for its words alone.
    """
    history = history or History()
    normalized = normalize_text(text) if normalized is None else normalized
    links = find_links(text) if links is None else links
    result = Assessment()

    if participant_blocked:
        result.add(1.0, gettext_noop("the participant is blocked"))
    if from_form and honeypot_filled:
        result.add(0.95, gettext_noop("the hidden form field was filled in, as bots do"))
    too_fast = seconds_to_submit is not None and seconds_to_submit < rules.min_seconds_to_submit
    if from_form and too_fast and seconds_to_submit is not None:
        result.add(
            0.6,
            gettext_noop("sent %(seconds)s seconds after the form was shown"),
            seconds=max(0, round(seconds_to_submit)),
        )

    if len(links) >= rules.links_to_hold:
        score = min(0.85, 0.6 + 0.05 * len(links))
        result.add(score, gettext_noop("%(count)s links"), count=len(links))
    domains = [domain for domain in map(link_domain, links) if domain]
    if author_url:
        domains.append(link_domain(author_url))
    blocked = _blocked_domain(domains, rules.blocked_domains)
    if blocked:
        result.add(
            0.95, gettext_noop("links to %(domain)s from the domain blocklist"), domain=blocked
        )
    word = _matches_word(normalized, rules.words)
    if word:
        result.add(0.6, gettext_noop("contains “%(word)s” from the word list"), word=word)
    if _unreadable_share(text) > 0.1:
        result.add(0.6, gettext_noop("contains unreadable characters"))
    mixed = _mixed_script_word(text)
    if mixed:
        result.add(0.6, gettext_noop("mixes alphabets within a word: %(word)s"), word=mixed)

    if history.same_text_recent >= 2 or (
        history.same_text_recent and history.same_text_by_participant
    ):
        result.add(
            0.7 if history.same_text_recent < 4 else 0.95,
            gettext_noop("same text posted %(count)s times in %(minutes)s minutes"),
            count=history.same_text_recent + 1,
            minutes=REPEAT_MINUTES,
        )
    if history.by_participant_recent >= rules.posts_to_hold:
        result.add(
            0.6,
            gettext_noop("%(count)s posts from the same person in %(minutes)s minutes"),
            count=history.by_participant_recent + 1,
            minutes=REPEAT_MINUTES,
        )
    if history.by_ip_recent >= rules.posts_per_ip_to_hold:
        result.add(
            0.6,
            gettext_noop("%(count)s posts from the same network in %(minutes)s minutes"),
            count=history.by_ip_recent + 1,
            minutes=REPEAT_MINUTES,
        )
    if history.spam_before:
        result.add(
            0.6,
            gettext_noop("%(count)s earlier items of this person were spam"),
            count=history.spam_before,
        )
    trusted = history.approved_before >= 1 and not history.spam_before

    if model is None:
        if not trusted:
            result.add(
                0.55, gettext_noop("the spam model is not available, so the filter is careful")
            )
    elif normalized:
        _weigh_signals(
            result,
            text,
            model=model,
            wall=kind == ItemKind.WALL_POST,
            links=links,
            history=history,
            trusted=trusted,
            from_form=from_form,
            account_age_days=account_age_days,
        )
    if external_spam:
        result.add(0.75, gettext_noop("Akismet considers this spam"))
    return result


def verdict_for(score: float) -> str:
    if score >= SPAM_SCORE:
        return "spam"
    if score >= HOLD_SCORE:
        return "hold"
    return "publish"


WALL_LINK_REASON = gettext_noop("a link in a wall post from someone new (weight %(weight)s)")
REPEAT_REASON = gettext_noop(
    "the same text was sent in the last %(minutes)s minutes (weight %(weight)s)"
)
SPAM_BEFORE_REASON = gettext_noop("earlier items of this person were spam (weight %(weight)s)")
APPROVED_REASON = gettext_noop("earlier items of this person were approved (weight %(weight)s)")
NEW_ACCOUNT_REASON = gettext_noop("the fediverse account is %(days)s days old (weight %(weight)s)")


def signal_weights() -> dict[str, str]:
    """The hold and spam points and the weight of each signal, for the Filter page."""
    return {
        "hold": f"{MODEL_HOLD * 100:.0f}",
        "spam": f"{MODEL_SPAM * 100:.0f}",
        "wall_link": _weight(WALL_LINK_WEIGHT),
        "repeat": _weight(REPEAT_WEIGHT),
        "spam_before": _weight(SPAM_BEFORE_WEIGHT),
        "approved": _weight(APPROVED_WEIGHT),
        "new_account": _weight(NEW_ACCOUNT_WEIGHT),
        "new_account_days": str(NEW_ACCOUNT_DAYS),
    }


def _weight(value: float) -> str:
    return f"{value:+.1f}"


def _weigh_signals(
    result: Assessment,
    text: str,
    *,
    model: TextModel,
    wall: bool,
    links: list[str],
    history: History,
    trusted: bool,
    from_form: bool,
    account_age_days: float | None,
) -> None:
    """Add the doubtful signals up in log-odds; hold from MODEL_HOLD, with each signal and
    its weight as a reason."""
    # On walls the link is weighed below, by who posts it, not by the text model.
    text_margin = model.margin(text, links_weigh=not wall)
    if text_margin == -math.inf:
        return
    text_margin = max(-30.0, min(30.0, text_margin))
    signals: list[tuple[float, str, dict[str, object]]] = []
    if wall and links and not trusted:
        signals.append((WALL_LINK_WEIGHT, WALL_LINK_REASON, {}))
    # On a wall people in the room echo each other ("Bravo!"); elsewhere the same text
    # from two people within minutes is doubtful.
    if not wall and history.same_text_recent == 1 and not history.same_text_by_participant:
        signals.append(
            (
                REPEAT_WEIGHT,
                REPEAT_REASON,
                {"minutes": REPEAT_MINUTES},
            )
        )
    if history.spam_before:
        signals.append((SPAM_BEFORE_WEIGHT, SPAM_BEFORE_REASON, {}))
    if trusted:
        signals.append((APPROVED_WEIGHT, APPROVED_REASON, {}))
    if not from_form and account_age_days is not None and account_age_days < NEW_ACCOUNT_DAYS:
        signals.append(
            (
                NEW_ACCOUNT_WEIGHT,
                NEW_ACCOUNT_REASON,
                {"days": max(0, int(account_age_days))},
            )
        )
    margin = text_margin + sum(weight for weight, _message, _values in signals)
    probability = 1.0 / (1.0 + math.exp(-margin))
    result.spam_probability = probability
    score = calibrated(probability)
    if probability >= MODEL_SPAM and 1.0 / (1.0 + math.exp(-text_margin)) < MODEL_SPAM:
        score = min(score, SPAM_SCORE - 0.01)  # only the text itself can make it spam
    if trusted:
        # Someone approved before: never spam for words alone; from the fediverse not even
        # held for them (the text model would have to be nearly sure).
        score = min(score, (HOLD_SCORE - 0.01) if not from_form else SPAM_SCORE - 0.01)
    if score < HOLD_SCORE:
        result.score = max(result.score, score)
        return
    percent = round(100 / (1.0 + math.exp(-text_margin)))
    words = model.spam_words(text)
    if words:
        result.add(
            score,
            gettext_noop(
                "resembles known spam: %(words)s (text model %(percent)s %%, weight %(weight)s)"
            ),
            words=words,
            percent=percent,
            weight=_weight(text_margin),
        )
    else:
        result.add(
            score,
            gettext_noop("resembles known spam (text model %(percent)s %%, weight %(weight)s)"),
            percent=percent,
            weight=_weight(text_margin),
        )
    for weight, message, values in signals:
        result.add(score, message, weight=_weight(weight), **values)
