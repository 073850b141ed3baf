"""The trained text model: hashed word and character n-grams and a logistic regression.

Hashing needs no vocabulary, so the model is just a weight vector: it is stored as a plain
NumPy ``.npz`` file (loaded with ``allow_pickle=False``, so a tampered file cannot run
code), learns one message at a time, and scores a message in a fraction of a millisecond.
Word n-grams carry meaning; character n-grams catch German compounds, inflections and
spelling tricks ("fr33", "Gewinnspiel", "Gewinnspiele").

Each process keeps the model it loaded and reloads it when the file changes on disk.
A missing file is built from the shipped corpus on first use; a file that cannot be read
leaves the filter on rules alone (see ``model_problem``), which holds more for moderators.
"""

import contextlib
import fcntl
import itertools
import json
import logging
import math
import os
import re
import tempfile
import threading
import time
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.utils import timezone
from scipy import sparse
from sklearn.linear_model import SGDClassifier

from treffpunkt.core.stopwords import STOP_WORDS, is_stop_word
from treffpunkt.moderation.corpus import Example, shipped_examples

logger = logging.getLogger(__name__)

FORMAT = "treffpunkt-spam-model"
FORMAT_VERSION = 4
N_FEATURES = 2**18
MAX_CHARS = 5_000  # a longer text is judged by its beginning (and its links, by the rules)
EPOCHS = 30
LEARN_STEPS = 3  # gradient steps per moderator decision
# Train on or near error: a spam decision on a text the model already finds this spam-like
# is learned gently (one step, the model's overall bias left alone). Learning it in full
# drifts the model: the everyday words of a language, shared with its spam, start to look
# like spam. Ham decisions are always errors of the filter (it held them), so they are
# learned in full. The weekly full training uses every decision alike.
SPAM_LEARN_MARGIN = 0.7
LEARN_RATE = 5.0  # chosen with benchmarks/spam_eval.py --learn-rate 2,3,5 (see decisions)
RELOAD_CHECK_SECONDS = 1.0
# A word is common, and never evidence of spam, when it is one of the function words of
# German or English (core/stopwords.py) or occurs in at least COMMON_SHARE of the ham of
# COMMON_SOURCES sources (and in two ham messages of each): "danke", "video", "heute".
# One source was too few: "free", "money" and "check" became common, and spam published
# from an unseen domain doubled in benchmarks/spam_eval.py.
COMMON_SHARE = 0.01
COMMON_SOURCES = 3
# ... or when it occurs in this share of all ham messages ("please": 45 of 5,500).
COMMON_HAM_SHARE = 0.005
# A word may be named as a reason only when so few ham messages of all sources hold it,
# and at least TYPICAL_OF_SPAM spam messages (one stray spam mail is no reason).
RARE_IN_HAM = 2
TYPICAL_OF_SPAM = 3
# A short text has few features, and each of them would weigh as much as all features of a
# long text together: "Please register by Friday." looked like spam for two of its words.
# Scaling by at least this many features keeps a short text close to the model's prior.
MIN_SCALE_FEATURES = 40

WORD = re.compile(r"\w+")
HASH_MASK = N_FEATURES - 1
LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"']+")
SITE = re.compile(r"^(?:https?://)?(?:www\.)?([^/:?#]+)")
NON_LATIN = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")
# Cyrillic and Greek letters that look like Latin ones, as spammers mix them into words
# (a Cyrillic a in "casino") to dodge filters; replaced only inside words that also hold
# Latin letters.
CONFUSABLES = str.maketrans(
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458"
    "\u0455\u0501\u0261\u03bf\u03b1\u03bd\u03b9\u03ba\u03b5",
    "aeopcyxijsdgoavike",
)


def _latin_lookalikes(match: re.Match[str]) -> str:
    word = match.group(0)
    if NON_LATIN.search(word) and re.search(r"[a-z]", word):
        return word.translate(CONFUSABLES)
    return word


def fold(text: str) -> str:
    """The text as the filter reads it: NFKC (mathematical bold letters, full-width forms and
    ligatures become plain letters), case folded, combining marks that are not part of a
    letter dropped ("c̲a̲s̲i̲n̲o̲"), Latin look-alikes inside mixed words made Latin."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).casefold()
    if not text.isascii():
        text = "".join(char for char in text if unicodedata.category(char) != "Mn")
        text = unicodedata.normalize("NFC", text)
        if NON_LATIN.search(text):
            text = WORD.sub(_latin_lookalikes, text)
    return text


def _site_name(match: re.Match[str]) -> str:
    """The distinctive part of a link's host: "shop" for https://www.shop.example.com/x."""
    host = SITE.match(match.group(0))
    labels = host.group(1).split(".")[:-1] if host else []
    return " " + " ".join(label for label in labels if label not in {"m", "www"}) + " "


LINK_SHAPE = "\x03link"
NUMBER_SHAPE = "\x03big number"
SHAPES = [
    ("link", LINK),
    ("money", re.compile(r"\d[\d.,]*\s*(?:€|\$|£|euro|eur|usd|dollar)|[€$£]\s*\d")),
    ("percent", re.compile(r"\d\s*%")),
    ("big number", re.compile(r"\d{3,}|\d{1,3}[.,]\d{3}")),
    ("shouting", re.compile(r"[!?]{2,}")),
    ("contact", re.compile(r"whatsapp|telegram|e-?mail|@\w+\.\w+")),
]


def words_of(text: str) -> list[str]:
    """The words of a folded text, links replaced by their site's name; numbers are not
    words (the shapes above say what matters about them: money, percent, a big number)."""
    return [word for word in WORD.findall(LINK.sub(_site_name, text)) if not word.isdigit()]


def word_index(word: str) -> int:
    return term_index(f"\x01{word}")


def _ngram_indices(word: str) -> list[int]:
    padded = f" {word[:50]} "
    found: set[str] = set()
    for size in range(2, min(5, len(padded)) + 1):
        found.update(padded[start : start + size] for start in range(len(padded) - size + 1))
    return [term_index(gram) for gram in found]


class Featurizer:
    """Text to hashed feature indices, with the common words of a model.

    A common word counts once as a word (its weight is kept at or below zero, so it can only
    speak for ham), never by its letters; a pair of two common words is not a feature.
    Character n-grams of the other words catch compounds, inflections and spelling tricks.
    """

    def __init__(self, common: set[int]) -> None:
        self.common = common
        self._ngrams: dict[str, list[int]] = {}

    def indices(self, text: str) -> np.ndarray:
        folded = fold(text)
        found = {term_index(f"\x03{name}") for name, pattern in SHAPES if pattern.search(folded)}
        words = words_of(folded)
        common = self.common
        ngrams = self._ngrams
        rare_words = []
        for word in set(words):
            index = word_index(word)
            found.add(index)
            if index not in common:
                rare_words.append(word)
        for word in rare_words:
            cached = ngrams.get(word)
            if cached is None:
                cached = _ngram_indices(word)
                if len(ngrams) < 200_000:
                    ngrams[word] = cached
            found.update(cached)
        for first, second in itertools.pairwise(words):
            # A pair says more than its words ("my channel", "please subscribe"); only a
            # pair of two function words ("von einem", "of the") says nothing.
            if not (is_stop_word(first) and is_stop_word(second)):
                found.add(term_index(f"\x02{first} {second}"))
        return np.fromiter(found, dtype=np.int64, count=len(found))

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Binary features, scaled to length 1 (a long text weighs no more than a short one)."""
        rows = [self.indices(text) for text in texts]
        lengths = [len(row) for row in rows]
        data = np.concatenate(
            [np.full(length, _scale(length)) for length in lengths] or [np.zeros(0)]
        )
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        columns = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        return sparse.csr_matrix((data, columns, indptr), shape=(len(texts), N_FEATURES))


def _scale(length: int) -> float:
    return 1 / math.sqrt(max(length, MIN_SCALE_FEATURES))


def term_index(term: str) -> int:
    return zlib.crc32(term.encode("utf-8", "surrogatepass")) & HASH_MASK


def word_counts(examples: Sequence[Example]) -> tuple[np.ndarray, set[int]]:
    """In how many ham and how many spam messages each word occurs (rows 0 and 1, by the
    word's index, up to 255), and the common words: function words, words in at least
    COMMON_SHARE of the ham of COMMON_SOURCES sources or COMMON_HAM_SHARE of all ham."""
    counts = np.zeros((2, N_FEATURES), dtype=np.uint8)
    total: Counter[int] = Counter()
    spam: Counter[int] = Counter()
    by_source: dict[str, Counter[int]] = {}
    for example in examples:
        seen = {word_index(word) for word in words_of(fold(example.text))}
        if example.is_spam:
            spam.update(seen)
            continue
        total.update(seen)
        by_source.setdefault(example.source, Counter()).update(seen)
    for row, counter in ((0, total), (1, spam)):
        for index, count in counter.items():
            counts[row, index] = min(count, 255)
    common = {word_index(word) for words in STOP_WORDS.values() for word in words}
    common.add(term_index(NUMBER_SHAPE))  # a year, a room, a phone number: not spam by itself
    hams = Counter(example.source for example in examples if not example.is_spam)
    frequent: Counter[int] = Counter()
    for source, counter in by_source.items():
        least = max(2, COMMON_SHARE * hams[source])
        frequent.update(index for index, count in counter.items() if count >= least)
    common.update(index for index, sources in frequent.items() if sources >= COMMON_SOURCES)
    least = max(3, COMMON_HAM_SHARE * sum(hams.values()))
    common.update(index for index, count in total.items() if count >= least)
    return counts, common


ProgressCallback = Callable[[str, int, int], None]


def _sigmoid(margin: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, margin))))


class ModelFileError(Exception):
    """The model file is missing, unreadable or not a Treffpunkt spam model."""


class OutdatedModelError(ModelFileError):
    """The model file was written by an earlier version with other features."""


class TextModel:
    """How much a text resembles spam, from 0 to 1.

    Besides the weights it keeps the common words (never evidence of spam) and in how many
    ham messages each word occurred (a reason names only words rare in ham)."""

    def __init__(
        self,
        coef: np.ndarray,
        intercept: float,
        info: dict[str, Any],
        common: np.ndarray | None = None,
        counts: np.ndarray | None = None,
    ) -> None:
        self.coef = coef
        self.intercept = intercept
        self.info = info
        self.common = np.zeros(0, dtype=np.int64) if common is None else common.astype(np.int64)
        # In how many ham (row 0) and spam (row 1) messages each word occurred.
        self.counts = np.zeros((2, N_FEATURES), dtype=np.uint8) if counts is None else counts
        self.featurizer = Featurizer(set(self.common.tolist()))
        self._clamp()

    def _clamp(self) -> None:
        """A common word may speak for ham, never for spam."""
        if len(self.common):
            self.coef[self.common] = np.minimum(self.coef[self.common], 0.0)

    @classmethod
    def train(
        cls, examples: Sequence[Example], progress: ProgressCallback | None = None
    ) -> "TextModel":
        """Fit a new model on labeled examples (both labels must be present)."""
        labels = np.array([1 if example.is_spam else 0 for example in examples])
        if len(set(labels.tolist())) < 2:
            raise ValueError("Training needs both spam and ham examples.")
        counts, common = word_counts(examples)
        featurizer = Featurizer(common)
        common_indices = np.fromiter(common, dtype=np.int64, count=len(common))
        chunks = []
        step = 500
        for start in range(0, len(examples), step):
            texts = [example.text for example in examples[start : start + step]]
            chunks.append(featurizer.features(texts))
            if progress:
                progress("features", min(start + step, len(examples)), len(examples))
        matrix = sparse.vstack(chunks).tocsr()
        classifier = SGDClassifier(loss="log_loss", alpha=1e-5, random_state=0)
        order = np.random.default_rng(0)
        for epoch in range(EPOCHS):
            shuffled = order.permutation(len(labels))
            classifier.partial_fit(matrix[shuffled], labels[shuffled], classes=[0, 1])
            weights = classifier.coef_[0]
            weights[common_indices] = np.minimum(weights[common_indices], 0.0)
            if progress:
                progress("training", epoch + 1, EPOCHS)
        info = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "trained_at": timezone.now().isoformat(),
            "examples": len(examples),
            "spam_examples": int(labels.sum()),
            "learned": 0,
        }
        coef = classifier.coef_[0].astype(np.float64)
        return cls(coef, float(classifier.intercept_[0]), info, common_indices, counts)

    def margin(self, text: str, *, links_weigh: bool = True) -> float:
        """The model's log-odds that the text is spam; with ``links_weigh=False`` a link
        counts no more than any other word."""
        row = self.featurizer.indices(text)
        if not len(row):
            return -math.inf
        scale = _scale(len(row))
        margin = float(self.coef[row].sum()) * scale + self.intercept
        if not links_weigh:
            link = term_index(LINK_SHAPE)
            if link in set(row.tolist()):
                margin -= float(self.coef[link]) * scale
        return margin

    def probability(self, text: str, *, links_weigh: bool = True) -> float:
        """How much the text resembles spam (see ``margin``)."""
        margin = self.margin(text, links_weigh=links_weigh)
        return 0.0 if margin == -math.inf else _sigmoid(margin)

    def typical_of_spam(self, word: str) -> bool:
        """Rare in the ham of all sources, seen in several spam messages, not common."""
        index = word_index(word)
        return (
            self.counts[0, index] <= RARE_IN_HAM
            and self.counts[1, index] >= TYPICAL_OF_SPAM
            and index not in self.featurizer.common
            and not is_stop_word(word)
        )

    def spam_words(self, text: str, limit: int = 3) -> list[str]:
        """The words and word pairs of the text that weigh most towards spam; only words
        that are rare in the ham of every source (never "nummer", "danke", "test")."""
        words = words_of(fold(text))
        candidates = {f"\x01{word}": word for word in words}
        candidates.update(
            (f"\x02{first} {second}", f"{first} {second}")
            for first, second in itertools.pairwise(words)
        )
        weights: dict[str, float] = {}
        for term, shown in candidates.items():
            weight = float(self.coef[term_index(term)])
            if weight > 0.2 and len(shown) > 2 and all(map(self.typical_of_spam, shown.split())):
                weights[shown] = weight
        ranked = sorted(weights, key=weights.__getitem__, reverse=True)
        chosen: list[str] = []
        for term in ranked:
            if not any(term in other or other in term for other in chosen):
                chosen.append(term)
            if len(chosen) == limit:
                break
        return chosen

    def learn(self, text: str, is_spam: bool, steps: int = LEARN_STEPS) -> None:
        """Move the model towards a moderator's decision on one text."""
        if not text.strip():
            return
        row = self.featurizer.indices(text)
        if not len(row):
            return
        value = _scale(len(row))
        target = 1.0 if is_spam else 0.0
        # The same probability as ``probability(text)``, from the features computed above.
        margin = float(self.coef[row].sum()) * value + self.intercept
        confident = is_spam and _sigmoid(margin) >= SPAM_LEARN_MARGIN
        if confident:
            steps = 1
        # Each step moves the text's margin by LEARN_RATE * error, however short the text
        # (its features are scaled by at least MIN_SCALE_FEATURES, see ``_scale``).
        step = 1 / (value * len(row))
        for _ in range(steps):
            margin = float(self.coef[row].sum()) * value + self.intercept
            error = _sigmoid(margin) - target
            self.coef[row] -= LEARN_RATE * error * step
            if not confident:
                self.intercept -= 0.1 * LEARN_RATE * error
        common = [index for index in row.tolist() if index in self.featurizer.common]
        if common:
            self.coef[common] = np.minimum(self.coef[common], 0.0)
        # An approved word is no longer rare in ham; a word of spam becomes more typical.
        label = 1 if is_spam else 0
        for word in set(words_of(fold(text))):
            index = word_index(word)
            self.counts[label, index] = min(int(self.counts[label, index]) + 1, 255)
        self.info["learned"] = int(self.info.get("learned", 0)) + 1

    def copy(self) -> "TextModel":
        return TextModel(
            self.coef.copy(), self.intercept, dict(self.info), self.common, self.counts.copy()
        )

    def save(self, path: Path) -> None:
        """Write the model atomically: readers see the old or the new file, never half."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".spam-model-", suffix=".npz")
        try:
            with os.fdopen(handle, "wb") as file:
                np.savez(
                    file,
                    coef=self.coef.astype(np.float32),
                    intercept=np.array([self.intercept]),
                    info=np.array(json.dumps(self.info)),
                    common=self.common.astype(np.int32),
                    counts=self.counts,
                )
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    @classmethod
    def load(cls, path: Path) -> "TextModel":
        try:
            with np.load(path, allow_pickle=False) as stored:
                coef = stored["coef"].astype(np.float64)
                intercept = float(stored["intercept"][0])
                info = json.loads(str(stored["info"]))
                version = info.get("version") if isinstance(info, dict) else None
                common = stored["common"] if version == FORMAT_VERSION else None
                counts = stored["counts"] if version == FORMAT_VERSION else None
        except FileNotFoundError:
            raise ModelFileError(f"The spam model file {path} is missing.") from None
        except Exception as error:  # a damaged file fails in many ways (zip, npy, JSON)
            raise ModelFileError(
                f"The spam model file {path} cannot be read ({type(error).__name__})."
            ) from None
        if (
            isinstance(info, dict)
            and info.get("format") == FORMAT
            and info.get("version") != FORMAT_VERSION
        ):
            raise OutdatedModelError(f"The spam model file {path} is from an earlier version.")
        if (
            not isinstance(info, dict)
            or info.get("format") != FORMAT
            or coef.shape != (N_FEATURES,)
            or not np.isfinite(coef).all()
            or not math.isfinite(intercept)
            or common is None
            or common.ndim != 1
            or not np.issubdtype(common.dtype, np.integer)
            or (len(common) and (common.min() < 0 or common.max() >= N_FEATURES))
            or counts is None
            or counts.shape != (2, N_FEATURES)
            or counts.dtype != np.uint8
        ):
            raise ModelFileError(f"The spam model file {path} is not a Treffpunkt spam model.")
        return cls(coef, intercept, info, common, counts)


def default_model(progress: ProgressCallback | None = None) -> TextModel:
    """A model trained on the corpus shipped with Treffpunkt alone."""
    return TextModel.train(shipped_examples(), progress)


# --- the process's model ----------------------------------------------------------------


class _Loaded:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.path: Path | None = None
        self.mtime_ns = 0
        self.checked = 0.0
        self.model: TextModel | None = None
        self.problem = ""
        self.build_failed_at = -math.inf


_loaded = _Loaded()


@contextlib.contextmanager
def model_file_lock(path: Path) -> Iterator[None]:
    """Serialize writers of the model file across processes on this machine."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _refresh(path: Path) -> None:
    try:
        mtime_ns = path.stat().st_mtime_ns
    except FileNotFoundError:
        if time.monotonic() - _loaded.build_failed_at > 60:
            _build_missing(path)
        return
    except OSError as error:
        _fail(f"The spam model file {path} cannot be read ({error.strerror}).")
        return
    if (
        _loaded.path == path
        and mtime_ns == _loaded.mtime_ns
        and (_loaded.model is not None or _loaded.problem)
    ):
        return
    try:
        model = TextModel.load(path)
    except OutdatedModelError:
        _build_missing(path, replace=True)
        return
    except ModelFileError as error:
        _fail(str(error))
        _loaded.path, _loaded.mtime_ns = path, mtime_ns
        return
    _loaded.path, _loaded.mtime_ns, _loaded.model, _loaded.problem = path, mtime_ns, model, ""


def _build_missing(path: Path, replace: bool = False) -> None:
    """Build the default model (after an upgrade too: `spam train` adds the decisions)."""
    try:
        with model_file_lock(path):
            if not path.exists() or (replace and _is_outdated(path)):
                # Another process may have built it meanwhile: checked under the lock.
                logger.info("Building the default spam model at %s", path)
                default_model().save(path)
    except OSError as error:
        _loaded.build_failed_at = time.monotonic()
        _fail(f"The spam model {path} cannot be built ({error.strerror}).")
        _loaded.path = path
        return
    _loaded.path = None
    _refresh(path)


def _is_outdated(path: Path) -> bool:
    try:
        TextModel.load(path)
    except OutdatedModelError:
        return True
    except ModelFileError:
        return False
    return False


def needs_rebuild() -> bool:
    """The model file is missing or from an earlier version."""
    path = Path(settings.SPAM_MODEL_PATH)
    return not path.exists() or _is_outdated(path)


def _fail(problem: str) -> None:
    if problem != _loaded.problem:
        logger.warning("%s The filter holds more until `treffpunkt spam train` runs.", problem)
    _loaded.model, _loaded.problem = None, problem


def current_model() -> TextModel | None:
    """The site's model, or None when it cannot be used (then the rules hold more)."""
    path = Path(settings.SPAM_MODEL_PATH)
    now = time.monotonic()
    if _loaded.path == path and now - _loaded.checked < RELOAD_CHECK_SECONDS:
        return _loaded.model
    with _loaded.lock:
        _refresh(path)
        _loaded.checked = now
        return _loaded.model


def model_problem() -> str:
    """Why the model cannot be used, in a sentence for the admin; empty when it is fine."""
    current_model()
    return _loaded.problem


def forget_loaded_model() -> None:
    """Make the next call read the file again (after writing it, and in tests)."""
    with _loaded.lock:
        _loaded.path, _loaded.model, _loaded.problem, _loaded.mtime_ns = None, None, "", 0


def update_model_file(change: Callable[[TextModel], None]) -> bool:
    """Apply a change to the model file under the writers' lock; False when there is no
    usable model to change."""
    path = Path(settings.SPAM_MODEL_PATH)
    with model_file_lock(path):
        try:
            model = TextModel.load(path)
        except ModelFileError:
            return False
        change(model)
        model.save(path)
    forget_loaded_model()
    return True


def install_model(model: TextModel) -> None:
    path = Path(settings.SPAM_MODEL_PATH)
    with model_file_lock(path):
        model.save(path)
    forget_loaded_model()
