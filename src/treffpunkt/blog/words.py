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

# Letters and digits, keeping inner apostrophes and hyphens out: "Ehrenamt-Tag" is two words,
# as PostgreSQL's parser also indexes the parts.
WORD = re.compile(r"\w+", re.UNICODE)

_STEMMER_NAMES = {"de": "german", "en": "english"}


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Small lists of the most common words, which say nothing about a post's topic. Kept short
# on purpose: a word missing here only costs a little precision.
STOP_WORDS = {
    "de": _word_set(
        """
        aber alle allem allen aller alles als also am an ander andere anderen anderer anderes
        auch auf aus bei beim bin bis bist da damit dann das dass dein deine dem den denn der
        des dessen deshalb die dies diese diesem diesen dieser dieses doch dort du durch ein
        eine einem einen einer eines einige einmal er es etwas euch euer eure für gegen gewesen
        hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren
        ihrer im in ist ja jede jedem jeden jeder jedes jetzt kann kein keine keinem keinen
        können könnte man manche mehr mein meine mich mir mit muss musste nach nicht nichts noch
        nun nur ob oder ohne schon sehr sein seine seinem seinen seiner sich sie sind so solche
        soll sollte sondern sonst um und uns unser unsere unter viel vom von vor war waren was
        weil welche welchem welchen welcher welches wenn wer werde werden wie wieder will wir
        wird wo wollen würde würden zu zum zur zwar zwischen über
        """
    ),
    "en": _word_set(
        """
        a about above after again against all am an and any are as at be because been before
        being below between both but by can could did do does doing down during each few for
        from further had has have having he her here hers herself him himself his how i if in
        into is it its itself just me more most my myself no nor not now of off on once only or
        other our ours ourselves out over own same she should so some such than that the their
        theirs them themselves then there these they this those through to too under until up
        very was we were what when where which while who whom why will with would you your
        yours yourself yourselves
        """
    ),
}


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
