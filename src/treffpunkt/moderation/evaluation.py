"""`treffpunkt spam evaluate`: how the filter does on labeled messages.

Everything happens on a copy of the model in memory: the site's database and model file
are never touched. Each message is judged by its text and the text rules (links, blocked
domains, word list); there is no person, time or network behind it, so history, rate and
repeat rules do not apply.
"""

import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from treffpunkt.moderation.corpus import Example
from treffpunkt.moderation.models import ItemKind
from treffpunkt.moderation.scoring import Rules, assess, verdict_for
from treffpunkt.moderation.textmodel import LEARN_STEPS, TextModel

VERDICTS = ("publish", "hold", "spam")


@dataclass
class Figures:
    spam: Counter[str] = field(default_factory=Counter)
    ham: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)

    def add(self, is_spam: bool, verdict: str, seconds: float) -> None:
        (self.spam if is_spam else self.ham)[verdict] += 1
        self.seconds.append(seconds)

    def merge(self, other: "Figures") -> None:
        self.spam.update(other.spam)
        self.ham.update(other.ham)
        self.seconds.extend(other.seconds)

    def share(self, label: str, verdict: str) -> float:
        counts = self.spam if label == "spam" else self.ham
        total = sum(counts.values())
        return 100 * counts[verdict] / total if total else 0.0

    def lines(self) -> list[str]:
        lines = []
        for label, counts in (("spam", self.spam), ("ham", self.ham)):
            total = sum(counts.values())
            lines.append(
                f"{label:<4} ({total:>5} messages): "
                f"published {self.share(label, 'publish'):5.1f} %, "
                f"held {self.share(label, 'hold'):5.1f} %, "
                f"marked spam {self.share(label, 'spam'):5.1f} %"
            )
        if self.seconds:
            ordered = sorted(self.seconds)
            median = statistics.median(ordered) * 1000
            p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000
            lines.append(f"time per item: median {median:.2f} ms, 95th percentile {p95:.2f} ms")
        return lines


@dataclass
class Evaluation:
    whole: Figures
    last_half: Figures


def evaluate(
    examples: Sequence[Example],
    model: TextModel | None,
    *,
    learn: bool = False,
    rules: Rules | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Judge each message in order. With ``learn``, a simulated moderator decides every
    held or spam item by its true label and the model learns before the next message."""
    model = model.copy() if model is not None else None
    rules = rules or Rules()
    whole, last_half = Figures(), Figures()
    half = len(examples) // 2
    for number, example in enumerate(examples):
        started = time.perf_counter()
        result = assess(example.text, kind=ItemKind.COMMENT, model=model, rules=rules)
        verdict = verdict_for(result.score)
        elapsed = time.perf_counter() - started
        whole.add(example.is_spam, verdict, elapsed)
        if number >= half:
            last_half.add(example.is_spam, verdict, elapsed)
        if learn and model is not None and verdict != "publish":
            model.learn(example.text, example.is_spam, LEARN_STEPS)
        if progress:
            progress(number + 1, len(examples))
    return Evaluation(whole, last_half)
