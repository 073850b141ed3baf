"""Everyday German and English must never look like spam on a fresh install.

The 200 sentences in ``everyday_sentences.txt`` were written for these tests (wall posts,
thanks, questions, test posts) and are not part of the training corpus. The model is the
default one a fresh install trains at ``migrate`` (tests/conftest.py builds it once).
"""

from pathlib import Path

import pytest
from django.utils import translation

from treffpunkt.moderation.corpus import shipped_examples
from treffpunkt.moderation.models import ItemKind
from treffpunkt.moderation.scoring import Rules, assess, verdict_for
from treffpunkt.moderation.templatetags.moderation_tags import reason_text
from treffpunkt.moderation.textmodel import current_model, fold, words_of

SENTENCES = [
    line.strip()
    for line in (Path(__file__).parent / "everyday_sentences.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]


def test_the_list_holds_200_sentences_none_of_them_trained_on():
    assert len(SENTENCES) == len(set(SENTENCES)) == 200
    trained = {" ".join(example.text.casefold().split()) for example in shipped_examples()}
    assert not trained & {" ".join(sentence.casefold().split()) for sentence in SENTENCES}


@pytest.mark.parametrize("kind", [ItemKind.WALL_POST, ItemKind.COMMENT])
def test_every_everyday_sentence_is_published(kind):
    model = current_model()
    assert model is not None
    held = {}
    for sentence in SENTENCES:
        result = assess(sentence, kind=kind, model=model, rules=Rules())
        if verdict_for(result.score) != "publish":
            held[sentence] = (round(result.spam_probability or 0, 2), result.reasons)
    assert not held


def test_a_reason_never_names_a_word_of_the_everyday_list():
    model = current_model()
    everyday = {word for sentence in SENTENCES for word in words_of(fold(sentence))}
    named = set()
    for example in shipped_examples():
        if example.is_spam:
            for term in model.spam_words(example.text):
                named.update(term.split())
    assert named, "the spam of the corpus is explained with words"
    assert not named & everyday


def test_the_reported_post_is_published_and_german_reasons_use_german_quotes():
    model = current_model()
    result = assess(
        "Test Nummer 1 von einem eifrigen Gast", kind=ItemKind.WALL_POST, model=model, rules=Rules()
    )
    assert verdict_for(result.score) == "publish"
    spam = assess(
        "Online Casino: 500 Freispiele ohne Einzahlung, jetzt Bonus sichern auf casino-bonus.ru",
        kind=ItemKind.COMMENT,
        model=model,
        rules=Rules(),
    )
    named = next(r for r in spam.reasons if "words" in r.values)
    with translation.override("de"):
        german = reason_text(named.as_json())
    with translation.override("en"):
        english = reason_text(named.as_json())
    assert "„" in german and "“" in german and "”" not in german
    assert "“" in english and "”" in english and "„" not in english


@pytest.mark.parametrize(
    ("obfuscated", "plain"),
    [
        ("\U0001d402\U0001d41a\U0001d42c\U0001d422\U0001d427\U0001d428", "casino"),  # math bold
        ("c\u0332a\u0332s\u0332i\u0332n\u0332o\u0332", "casino"),  # combining low lines
        ("\u0441\u0430sino", "casino"),  # Cyrillic es and a inside a Latin word
        ("\uff26\uff32\uff25\uff25", "free"),  # full-width letters
        ("Grüße aus Köln", "grüsse aus köln"),  # umlauts stay (ß is folded to ss)
        ("Привет всем", "привет всем"),  # a Russian text stays Russian
    ],
)
def test_obfuscated_unicode_is_folded_before_scoring(obfuscated, plain):
    assert fold(obfuscated) == plain
    model = current_model()
    assert model.probability(obfuscated) == pytest.approx(model.probability(plain))
