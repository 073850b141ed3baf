"""Rows the worker sends and retries: the email outbox (``core.mail``) and fediverse
deliveries (``federation.delivery``). One way to claim a row that is due, to find the due
rows a lost task left behind, and to pause between attempts.

A model using it has ``status`` (with ``Status.WAITING``), ``next_try_at`` and
``claimed_until``.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet


def waiting_and_due(model: Any, now: datetime) -> QuerySet[Any]:
    """Rows that wait, are due and that no worker holds (or whose worker's claim ran out)."""
    return model.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        status=model.Status.WAITING,
        next_try_at__lte=now,
    )


def claim(model: Any, pk: int, *, now: datetime, hold: timedelta) -> bool:
    """Take one row for ``hold`` if it is due and free; False if another worker has it, it
    was sent meanwhile or is not due yet. One UPDATE, so two workers never both take it."""
    return bool(waiting_and_due(model, now).filter(pk=pk).update(claimed_until=now + hold))


def due_ids(model: Any, now: datetime, limit: int) -> list[int]:
    """The ids of at most ``limit`` rows that are due and not being sent."""
    return list(waiting_and_due(model, now).values_list("pk", flat=True)[:limit])


def pause_after(attempts: int, longest: timedelta) -> timedelta:
    """How long to wait after ``attempts`` failed attempts: 1, 2, 4 … minutes, at most
    ``longest``."""
    return min(timedelta(minutes=2 ** min(max(0, attempts - 1), 20)), longest)
