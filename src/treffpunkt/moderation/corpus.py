"""Labeled messages: the corpus shipped with Treffpunkt, and files given to `spam evaluate`.

The shipped corpus is read from ``moderation/data`` inside the package (see the README there
for sources, licences and attribution); nothing is read from outside the package at run time.
"""

import csv
import html
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
YOUTUBE_FILES = [
    "Youtube01-Psy.csv",
    "Youtube02-KatyPerry.csv",
    "Youtube03-LMFAO.csv",
    "Youtube04-Eminem.csv",
    "Youtube05-Shakira.csv",
]
# Written for Treffpunkt (see data/README.md), German and a few short English notices: each
# file is a source of its own, so the leave-one-source-out benchmark also judges the
# project's own messages from a source it never saw; together they are one domain.
GERMAN_FILES = [
    "treffpunkt-de.tsv",
    "treffpunkt-de-walls.tsv",
    "treffpunkt-de-comments.tsv",
    "treffpunkt-de-everyday.tsv",
    "treffpunkt-de-short.tsv",
    "treffpunkt-en-short.tsv",
]
# Public corpora from other kinds of places (see data/README.md for licences): e-mail,
# group chat and social posts, so that the model has seen more than one kind of spam.
OTHER_FILES = [
    "spamassassin-email-short.tsv",
    "tds-spam-emails.tsv",
    "tg-spam-samples.tsv",
    "janitr-x-posts.tsv",
]
# The kind of place each source comes from: `benchmarks/spam_eval.py` also leaves out a
# whole domain at a time, to judge the filter on a kind of place it never saw.
DOMAINS = {
    **dict.fromkeys(YOUTUBE_FILES, "video comments"),
    **dict.fromkeys(GERMAN_FILES, "Treffpunkt own"),
    "spamassassin-email-short.tsv": "e-mail",
    "tds-spam-emails.tsv": "e-mail",
    "tg-spam-samples.tsv": "chat",
    "janitr-x-posts.tsv": "social posts",
}
SPAM_LABELS = {"spam", "1", "true", "yes"}
HAM_LABELS = {"ham", "0", "false", "no", "not_spam"}
TEXT_COLUMNS = ("text", "content", "comment", "message")
LABEL_COLUMNS = ("label", "class", "tag", "spam")
TAG = re.compile(r"<[^>]{0,200}>")


@dataclass(frozen=True)
class Example:
    text: str
    is_spam: bool
    source: str = ""


class LabeledFileError(Exception):
    """A labeled file cannot be read; the message names the file and line."""


def clean_platform_text(text: str) -> str:
    """Drop artefacts of the YouTube export that a filter for this site must not learn."""
    text = text.replace("\ufeff", "")
    text = html.unescape(TAG.sub(" ", text))
    return " ".join(text.split())


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def youtube_examples(name: str) -> list[Example]:
    """One video's comments, cleaned. Only CONTENT and CLASS are read, never DATE."""
    examples = []
    with (DATA_DIR / "youtube" / name).open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            text = clean_platform_text(row["CONTENT"])
            if text:
                examples.append(Example(text, row["CLASS"].strip() == "1", name))
    return examples


def tsv_examples(name: str) -> list[Example]:
    """A shipped ``spam|ham<TAB>text`` file."""
    with (DATA_DIR / name).open(encoding="utf-8") as file:
        return [
            Example(text.strip(), label == "spam", name)
            for label, text in (line.rstrip("\n").split("\t", 1) for line in file if line.strip())
        ]


def deduplicated(examples: Iterable[Example]) -> list[Example]:
    """Keep the first of each text (compared without case and extra spaces)."""
    seen: set[str] = set()
    unique = []
    for example in examples:
        key = _key(example.text)
        if key and key not in seen:
            seen.add(key)
            unique.append(example)
    return unique


def shipped_sources() -> dict[str, list[Example]]:
    """The shipped corpus by source, without duplicates across sources (first one wins)."""
    sources = {name: youtube_examples(name) for name in YOUTUBE_FILES}
    sources.update({name: tsv_examples(name) for name in GERMAN_FILES + OTHER_FILES})
    seen: set[str] = set()
    result = {}
    for name, examples in sources.items():
        unique = []
        for example in deduplicated(examples):
            key = _key(example.text)
            if key not in seen:
                seen.add(key)
                unique.append(example)
        result[name] = unique
    return result


def shipped_examples() -> list[Example]:
    return [example for examples in shipped_sources().values() for example in examples]


def _label(value: str, where: str) -> bool:
    label = value.strip().lower()
    if label in SPAM_LABELS:
        return True
    if label in HAM_LABELS:
        return False
    if not label:
        raise LabeledFileError(f"{where} has no label; it must start with spam or ham.")
    shown = value.strip()[:40]
    raise LabeledFileError(f"{where} has the unknown label {shown!r}; use spam or ham.")


def read_labeled_file(path: Path) -> list[Example]:
    """Read ``spam|ham<TAB>text`` lines, or a CSV file with a text and a label column."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise LabeledFileError(f"{path} cannot be read ({error.strerror}).") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise LabeledFileError(
            f"{path}, line {line} is not UTF-8 text; save the file as UTF-8."
        ) from None
    if "\x00" in content:
        line = content[: content.index("\x00")].count("\n") + 1
        raise LabeledFileError(f"{path}, line {line} contains binary data, not text.")
    if path.suffix.lower() == ".csv":
        examples = list(_read_csv(path, content))
    else:
        examples = list(_read_tsv(path, content))
    if not examples:
        raise LabeledFileError(f"{path} holds no labeled messages.")
    return examples


def _read_tsv(path: Path, content: str) -> Iterator[Example]:
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        if "\t" not in line:
            raise LabeledFileError(
                f"{where} has no tab; write the label (spam or ham), a tab, then the text."
            )
        label, text = line.split("\t", 1)
        yield Example(text.strip(), _label(label, where), path.name)


def _read_csv(path: Path, content: str) -> Iterator[Example]:
    reader = csv.DictReader(io.StringIO(content, newline=""))
    fields = {name.strip().lower(): name for name in reader.fieldnames or []}
    text_field = next((fields[n] for n in TEXT_COLUMNS if n in fields), None)
    label_field = next((fields[n] for n in LABEL_COLUMNS if n in fields), None)
    if text_field is None or label_field is None:
        raise LabeledFileError(
            f"{path}, line 1 must name a text column (text, content, comment or message) and "
            "a label column (label, class, tag or spam)."
        )
    try:
        for row in reader:
            where = f"{path}, line {reader.line_num}"
            text = clean_platform_text(row.get(text_field) or "")
            yield Example(text, _label(row.get(label_field) or "", where), path.name)
    except csv.Error as error:
        line = reader.line_num
        raise LabeledFileError(f"{path}, line {line} is not valid CSV ({error}).") from None
