"""One linkifier for wall posts and comments: ours (core.text.linkify) or Django's urlize?

Measures both on realistic guest texts (German wall posts and comments, a third with a
link) and shows where their output differs. No server, no database.

    .venv/bin/python benchmarks/linkify.py
"""

import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treffpunkt.settings")
django.setup()

from django.utils.html import urlize  # noqa: E402

from treffpunkt.core.text import linkify  # noqa: E402

TEXTS = [
    "Danke für den tollen Vortrag! Die Folien gibt es unter https://verein.example/folien.",
    "Wir sollten die Neuen im Verein viel früher einbinden, nicht erst nach einem Jahr.",
    "Mehr dazu: https://de.wikipedia.org/wiki/Ehrenamt (Abschnitt „Motivation“).",
    "Frage an alle: Wer kommt nächste Woche zum Gartentag? Bitte bis Freitag melden.",
    "Kontakt: lena@example.org oder verein.example/kontakt",
    "Super Stimmung hier!!! #Jahrestreffen",
] * 50
ROUNDS = 20


def measure(function) -> float:
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for text in TEXTS:
            function(text)
        timings.append((time.perf_counter() - started) / len(TEXTS))
    return statistics.median(timings) * 1e6


def main() -> None:
    ours = measure(linkify)
    django_urlize = measure(lambda text: urlize(text, nofollow=True, autoescape=True))
    print(f"core.text.linkify: {ours:.1f} µs per text (median of {ROUNDS} rounds)")
    print(f"django urlize:     {django_urlize:.1f} µs per text ({django_urlize / ours:.1f} times)")
    for text in TEXTS[:6]:
        a, b = linkify(text), urlize(text, nofollow=True, autoescape=True)
        if a != b:
            print(f"differs on {text!r}:\n  ours:   {a}\n  urlize: {b}")


if __name__ == "__main__":
    main()
