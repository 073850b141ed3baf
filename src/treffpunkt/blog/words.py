"""Words of a post or a query, as search and suggestions compare them: split, lower-cased,
common words dropped, reduced to their stem in the text's language (German or English).

Stemming uses the Snowball algorithms (snowballstemmer, which runs PyStemmer's C code when
it is installed, as the dependencies ask, and pure Python otherwise), the same family
PostgreSQL's 'german' and 'english' configurations use, so both databases find the same
forms:
"Gärten", "Garten" and "Gartens" all become "gart"; "gardens" and "gardening" "garden".
Compounds are not split ("Gemeinschaftsgarten" stays one word); that would need a
dictionary, which neither SQLite nor PostgreSQL's default configuration has.
"""

import re
import threading
from collections.abc import Iterator
from functools import lru_cache

import snowballstemmer

from treffpunkt.core.stopwords import STOP_WORDS

# Letters and digits, keeping inner apostrophes and hyphens out: "Ehrenamt-Tag" is two words,
# as PostgreSQL's parser also indexes the parts.
WORD = re.compile(r"\w+", re.UNICODE)

_STEMMER_NAMES = {"de": "german", "en": "english"}


def language_of(code: str) -> str:
    """The analysis language for a post's language code: German unless it is English."""
    return "en" if code == "en" else "de"


_local = threading.local()


def _stemmer(language: str) -> "snowballstemmer.Stemmer":
    # A Snowball stemmer keeps state while it works, so each thread has its own.
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(_STEMMER_NAMES[language])
    return stemmers[language]


# Texts repeat words a lot; a post's words are mostly known ones.
@lru_cache(maxsize=100_000)
def stem(word: str, language: str) -> str:
    """One lower-cased word's stem in the given language ("de" or "en")."""
    return str(_stemmer(language_of(language)).stemWord(word))


def tokens(text: str) -> Iterator[re.Match[str]]:
    """The words of a text with their positions."""
    return WORD.finditer(text)


def terms(text: str, language: str) -> list[str]:
    """The stems of a text's words that carry meaning, in order."""
    language = language_of(language)
    stop = STOP_WORDS[language]
    result = []
    for match in tokens(text):
        word = match.group().lower()
        if word in stop or (len(word) < 2 and not word.isdigit()):
            continue
        result.append(stem(word, language))
    return result
