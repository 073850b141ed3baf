"""Tasks that were running when their worker died run again.

django-tasks-db marks a task "running" when a worker takes it and never looks at it again,
so a worker killed mid-task (``kill -9``, a power cut) would leave it running for good:
an email never sent, a spam training that blocks the weekly rebuild. Each worker process
names itself (``worker_id``, passed to django-tasks-db's worker) and says it is alive every
few seconds (``WorkerHeartbeat``). A running task whose worker has not said so for
``DEAD_AFTER`` is put back in the queue, by whichever worker looks first. Every task is
written to be run twice without harm (the email outbox, claims in one transaction with the
work, rebuilds that replace), so "again" means "exactly once in effect".
"""

import logging
import secrets
from datetime import timedelta

from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from treffpunkt.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10
DEAD_AFTER = timedelta(seconds=60)


def new_worker_id() -> str:
    return f"treffpunkt-{secrets.token_hex(8)}"


def beat(worker_id: str) -> None:
    """This worker is alive."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"last_seen": timezone.now()}
    )


def forget_worker(worker_id: str) -> None:
    """A worker that stops cleanly says so."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def requeue_orphaned_tasks() -> int:
    """Put running tasks of dead workers back in the queue; returns how many."""
    alive = set(
        WorkerHeartbeat.objects.filter(last_seen__gte=timezone.now() - DEAD_AFTER).values_list(
            "worker_id", flat=True
        )
    )
    orphaned = [
        result.pk
        for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
            "pk", "worker_ids"
        )
        if not result.worker_ids or result.worker_ids[-1] not in alive
    ]
    if not orphaned:
        return 0
    count = DBTaskResult.objects.filter(pk__in=orphaned, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None
    )
    logger.warning("%s task(s) of a worker that stopped are queued again.", count)
    # Heartbeats of long-gone workers are of no use any more.
    WorkerHeartbeat.objects.filter(last_seen__lt=timezone.now() - DEAD_AFTER * 10).delete()
    return count
