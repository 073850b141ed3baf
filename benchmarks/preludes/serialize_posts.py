"""Experiment (not production code): handle wall POSTs one at a time per process.

A lock around the POST branch of events.views.join makes commit and publish happen in
the same order (no skipped live events in one process) and lets request threads wait on
a Python lock instead of sleeping in SQLite's busy handler.
"""

import threading

import treffpunkt.cli as cli

_original_setup = cli.setup_django
_lock = threading.Lock()


def _setup():
    settings = _original_setup()
    from treffpunkt.events import views

    original_join = views.join

    def join(request, hashtag):
        if request.method == "POST":
            with _lock:
                return original_join(request, hashtag)
        return original_join(request, hashtag)

    views.join = join
    return settings


cli.setup_django = _setup
