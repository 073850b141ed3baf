"""Work the background worker does by itself from time to time, registered by each app.

An app registers a job with its interval in its ``AppConfig.ready`` (``every``); the
worker runs ``run_forever`` in a thread of its own. Jobs must be quick and idempotent
(queue a task for anything long); a failing job is logged and tried again next time.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections, connection

logger = logging.getLogger("treffpunkt.worker")


@dataclass
class Job:
    name: str
    seconds: float
    run: Callable[[], object]
    due: float = 0.0


_jobs: dict[str, Job] = {}


def every(seconds: float, name: str, job: Callable[[], object]) -> None:
    """Run ``job`` in the worker every ``seconds`` (and once when it starts)."""
    _jobs[name] = Job(name, seconds, job)


def run_due_jobs(now: float | None = None) -> list[str]:
    """Run the jobs whose time has come; the names of those that ran."""
    now = time.monotonic() if now is None else now
    ran = []
    for job in list(_jobs.values()):
        if job.due > now:
            continue
        job.due = now + job.seconds
        try:
            job.run()
        except Exception:
            logger.exception("Scheduled work %s failed.", job.name)
        finally:
            close_old_connections()
        ran.append(job.name)
    return ran


def run_forever(stop: threading.Event, tick: float = 1.0) -> None:
    """The worker's schedule thread: run due jobs until ``stop`` is set."""
    try:
        while not stop.is_set():
            run_due_jobs()
            stop.wait(tick)
    finally:
        connection.close()
