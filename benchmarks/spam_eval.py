"""Leave-one-source-out evaluation of the spam filter on the corpus Treffpunkt ships.

For each source (the five YouTube videos and the German set): train a model on all other
sources, then judge the held-out source in its original order, once as is and once in
`--learn` mode (a simulated moderator decides every held or spam item by its true label
and the filter learns before the next item), exactly as `treffpunkt spam evaluate` does.
Prints the figures per source and summed, the scoring time, and the time of a full
`treffpunkt spam train` on the shipped corpus.

    .venv/bin/python benchmarks/spam_eval.py

Goals (issue 5), in --learn mode on unseen sources: ham marked spam <= 0.5 %,
spam published <= 5 %, ham held <= 10 %; scoring <= 2 ms per item (median);
full training <= 30 s. Touches no database and no model file.
"""

import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treffpunkt.settings")


def main() -> int:
    import django

    django.setup()
    from treffpunkt.moderation.corpus import shipped_examples, shipped_sources
    from treffpunkt.moderation.evaluation import Figures, evaluate
    from treffpunkt.moderation.textmodel import TextModel

    sources = shipped_sources()
    totals = {False: Figures(), True: Figures()}
    youtube = {False: Figures(), True: Figures()}
    german = {False: Figures(), True: Figures()}
    print(f"load average: {', '.join(f'{value:.2f}' for value in os.getloadavg())}")
    for held_out, test in sources.items():
        train = [example for name, rows in sources.items() if name != held_out for example in rows]
        model = TextModel.train(train)
        print(f"\n== {held_out}: train on {len(train)}, test on {len(test)}")
        for learn in (False, True):
            figures = evaluate(test, model, learn=learn).whole
            print(f"-- {'--learn' if learn else 'as trained'}")
            for line in figures.lines():
                print(f"   {line}")
            totals[learn].merge(figures)
            (youtube if held_out.startswith("Youtube") else german)[learn].merge(figures)

    groups_by_title = (
        ("all YouTube videos", youtube),
        ("all German sources", german),
        ("all sources", totals),
    )
    for title, groups in groups_by_title:
        for learn in (False, True):
            print(f"\n== {title}, {'--learn' if learn else 'as trained'}")
            for line in groups[learn].lines():
                print(f"   {line}")

    started = time.perf_counter()
    TextModel.train(shipped_examples())
    train_seconds = time.perf_counter() - started
    for title, learned in ((title, groups[True]) for title, groups in groups_by_title):
        goals = [
            ("ham marked spam <= 0.5 %", learned.share("ham", "spam") <= 0.5),
            ("spam published <= 5 %", learned.share("spam", "publish") <= 5),
            ("ham held <= 10 %", learned.share("ham", "hold") <= 10),
            ("scoring median <= 2 ms", statistics.median(learned.seconds) <= 0.002),
        ]
        print(f"\n== goals ({title}, --learn)")
        for goal, met in goals:
            print(f"   {'met    ' if met else 'MISSED '} {goal}")
    verdict = "met    " if train_seconds <= 30 else "MISSED "
    print(f"\n   {verdict} full training <= 30 s (took {train_seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
