"""The most common German and English words, which say nothing about a text's topic.

Search and "You may also like" leave them out, and the spam filter never names them as the
reason a text resembles spam.
"""


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Small lists of the most common words, which say nothing about a post's topic. Kept short
# on purpose: a word missing here only costs a little precision.
STOP_WORDS = {
    "de": _word_set(
        """
        aber alle allem allen aller alles als also am an ander andere anderen anderer anderes
        auch auf aus bei beim bin bis bist da damit dann das dass dein deine dem den denn der
        dich dir
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


def is_stop_word(word: str) -> bool:
    """Whether a lower-cased word is one of the common words of German or English."""
    return word in STOP_WORDS["de"] or word in STOP_WORDS["en"]
