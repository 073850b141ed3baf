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
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.utils import timezone
from scipy import sparse
from sklearn.linear_model import SGDClassifier

from treffpunkt.core.stopwords import is_stop_word
from treffpunkt.moderation.corpus import Example, shipped_examples

logger = logging.getLogger(__name__)

FORMAT = "treffpunkt-spam-model"
FORMAT_VERSION = 3
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
LEARN_RATE = 2.0
RELOAD_CHECK_SECONDS = 1.0

WORD = re.compile(r"\w+")
HASH_MASK = N_FEATURES - 1
LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"']+")
SITE = re.compile(r"^(?:https?://)?(?:www\.)?([^/:?#]+)")


def _site_name(match: re.Match[str]) -> str:
    """The distinctive part of a link's host: "shop" for https://www.shop.example.com/x."""
    host = SITE.match(match.group(0))
    labels = host.group(1).split(".")[:-1] if host else []
    return " " + " ".join(label for label in labels if label not in {"m", "www"}) + " "


LINK_SHAPE = "\x03link"
SHAPES = [
    ("link", LINK),
    ("money", re.compile(r"\d[\d.,]*\s*(?:€|\$|£|euro|eur|usd|dollar)|[€$£]\s*\d")),
    ("percent", re.compile(r"\d\s*%")),
    ("big number", re.compile(r"\d{3,}|\d{1,3}[.,]\d{3}")),
    ("shouting", re.compile(r"[!?]{2,}")),
    ("contact", re.compile(r"whatsapp|telegram|e-?mail|@\w+\.\w+")),
]


def terms(text: str) -> set[str]:
    """Words, word pairs, and character 2- to 5-grams of each whitespace-separated chunk
    (with a space before and after, so beginnings and endings of words count)."""
    text = text[:MAX_CHARS].lower()
    # Signs of spam in any language, so that what the model learned from English comments
    # carries over to German ones.
    found = {f"\x03{name}" for name, pattern in SHAPES if pattern.search(text)}
    # A link counts once, by its site's name: in the shipped corpus nearly every link is
    # spam, on a club's wall people share links all the time. The rules count links.
    text = LINK.sub(_site_name, text)
    found.update(word_terms(text))
    for chunk in set(text.split()):
        padded = f" {chunk[:50]} "
        for size in range(2, min(5, len(padded)) + 1):
            found.update(padded[start : start + size] for start in range(len(padded) - size + 1))
    return found


def word_terms(text: str) -> dict[str, str]:
    """Words and word pairs by their term (marked so that they differ from n-grams)."""
    words = WORD.findall(text[:MAX_CHARS].lower())
    found = {f"\x01{word}": word for word in words}
    found.update(
        (f"\x02{first} {second}", f"{first} {second}")
        for first, second in itertools.pairwise(words)
    )
    return found


def term_index(term: str) -> int:
    return zlib.crc32(term.encode("utf-8", "surrogatepass")) & HASH_MASK


def indices(text: str) -> np.ndarray:
    return np.fromiter({term_index(term) for term in terms(text)}, dtype=np.int64)


def features(texts: Sequence[str]) -> sparse.csr_matrix:
    """Binary features, scaled to length 1 (a long text weighs no more than a short one)."""
    rows = [indices(text) for text in texts]
    lengths = [len(row) for row in rows]
    data = np.concatenate(
        [np.full(length, 1 / math.sqrt(max(length, 1))) for length in lengths] or [np.zeros(0)]
    )
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    columns = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    return sparse.csr_matrix((data, columns, indptr), shape=(len(texts), N_FEATURES))


ProgressCallback = Callable[[str, int, int], None]


def _sigmoid(margin: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, margin))))


class ModelFileError(Exception):
    """The model file is missing, unreadable or not a Treffpunkt spam model."""


class OutdatedModelError(ModelFileError):
    """The model file was written by an earlier version with other features."""


class TextModel:
    """How much a text resembles spam, from 0 to 1."""

    def __init__(self, coef: np.ndarray, intercept: float, info: dict[str, Any]) -> None:
        self.coef = coef
        self.intercept = intercept
        self.info = info

    @classmethod
    def train(
        cls, examples: Sequence[Example], progress: ProgressCallback | None = None
    ) -> "TextModel":
        """Fit a new model on labeled examples (both labels must be present)."""
        labels = np.array([1 if example.is_spam else 0 for example in examples])
        if len(set(labels.tolist())) < 2:
            raise ValueError("Training needs both spam and ham examples.")
        chunks = []
        step = 500
        for start in range(0, len(examples), step):
            chunks.append(features([example.text for example in examples[start : start + step]]))
            if progress:
                progress("features", min(start + step, len(examples)), len(examples))
        matrix = sparse.vstack(chunks).tocsr()
        classifier = SGDClassifier(loss="log_loss", alpha=1e-5, random_state=0)
        order = np.random.default_rng(0)
        for epoch in range(EPOCHS):
            shuffled = order.permutation(len(labels))
            classifier.partial_fit(matrix[shuffled], labels[shuffled], classes=[0, 1])
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
        return cls(coef, float(classifier.intercept_[0]), info)

    def probability(self, text: str, *, links_weigh: bool = True) -> float:
        """How much the text resembles spam; with ``links_weigh=False`` a link counts no
        more than any other word (for wall posts: people in the room share links)."""
        found = terms(text)
        if not found:
            return 0.0
        row = np.fromiter({term_index(term) for term in found}, dtype=np.int64)
        scale = 1 / math.sqrt(len(row))
        margin = float(self.coef[row].sum()) * scale + self.intercept
        if LINK_SHAPE in found and not links_weigh:
            margin -= float(self.coef[term_index(LINK_SHAPE)]) * scale
        return _sigmoid(margin)

    def spam_words(self, text: str, limit: int = 3) -> list[str]:
        """The words and word pairs of the text that weigh most towards spam."""
        weights: dict[str, float] = {}
        for term, shown in word_terms(LINK.sub(_site_name, text[:MAX_CHARS])).items():
            weight = float(self.coef[term_index(term)])
            # Words like "mit" or "the" occur in spam and in everything else alike; naming
            # them would explain nothing to a moderator.
            meaningful = not all(is_stop_word(word) for word in shown.split())
            if weight > 0.2 and len(shown) > 1 and meaningful:
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
        row = indices(text)
        if not len(row):
            return
        value = 1 / math.sqrt(len(row))
        target = 1.0 if is_spam else 0.0
        # The same probability as ``probability(text)``, from the features computed above.
        margin = float(self.coef[row].sum()) * value + self.intercept
        confident = is_spam and _sigmoid(margin) >= SPAM_LEARN_MARGIN
        if confident:
            steps = 1
        for _ in range(steps):
            margin = float(self.coef[row].sum()) * value + self.intercept
            error = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, margin)))) - target
            self.coef[row] -= LEARN_RATE * error * value
            if not confident:
                self.intercept -= 0.1 * LEARN_RATE * error
        self.info["learned"] = int(self.info.get("learned", 0)) + 1

    def copy(self) -> "TextModel":
        return TextModel(self.coef.copy(), self.intercept, dict(self.info))

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
        ):
            raise ModelFileError(f"The spam model file {path} is not a Treffpunkt spam model.")
        return cls(coef, intercept, info)


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
