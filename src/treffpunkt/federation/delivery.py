"""Sending activities: one ``Delivery`` row per activity and target inbox, sent by the worker.

``send`` writes the activity and its deliveries in the caller's transaction (a rolled-back
action sends nothing, a committed one is never lost) and queues a task per delivery after
the commit. Each delivery is signed when it is sent, not when it is queued, with the scheme
the server takes (``Server.signature_scheme``; draft-cavage for servers we do not know). A
failed attempt is tried again after 1, 2, 4 … minutes (at most 6 hours) for two days, then
it fails for good. A server failing for two days is marked unreachable: its deliveries are
skipped, and tried once a week, until it answers again.

A worker killed while sending leaves the delivery claimed for a minute; the sweep
(``queue_due_deliveries``) then sends it again. Servers take the same activity id twice
without harm, so "at least once" is the guarantee, and a delivery is marked sent only once
the server said so.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from treffpunkt.core import retries
from treffpunkt.federation.models import Activity, Delivery, Follower, LocalActor, Server
from treffpunkt.federation.remote import host_of, is_blocked_host, server_for

logger = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(days=2)
UNREACHABLE_AFTER = timedelta(days=2)
RETRY_UNREACHABLE = timedelta(days=7)
LONGEST_PAUSE = timedelta(hours=6)
# Longer than one attempt can take (10 s timeout, a second scheme, signing).
CLAIM = timedelta(minutes=1)
# After a scheme was refused and the other one worked, remember it this long.
REMEMBER_SCHEME = timedelta(days=30)


def follower_inboxes(actor: LocalActor) -> list[str]:
    """One inbox per server: the shared inbox where the follower's server has one."""
    inboxes: dict[str, str] = {}
    rows = (
        Follower.objects.filter(actor=actor, status=Follower.Status.ACCEPTED)
        .select_related("remote")
        .only("remote__inbox", "remote__shared_inbox", "remote__host")
    )
    for follower in rows:
        remote = follower.remote
        inbox = remote.delivery_inbox
        if remote.shared_inbox:
            inboxes[remote.host] = inbox
        else:
            inboxes.setdefault(f"{remote.host} {inbox}", inbox)
    return sorted(set(inboxes.values()))


def send(actor: LocalActor, payload: dict, inboxes: Iterable[str]) -> Activity:
    """Write an activity and one delivery per inbox; sent by the worker after the commit."""
    activity = Activity.objects.create(actor=actor, kind=str(payload.get("type", "")), payload={})
    if not payload.get("id"):
        from treffpunkt.federation.actors import federation_url

        payload["id"] = federation_url("activity", activity.pk)
    Activity.objects.filter(pk=activity.pk).update(payload=payload)
    activity.payload = payload
    blocked = set(Server.objects.filter(blocked_at__isnull=False).values_list("host", flat=True))
    rows = []
    for inbox in dict.fromkeys(inboxes):
        host = host_of(inbox)
        if not host or host in blocked or is_blocked_host(host):
            continue
        rows.append(Delivery(activity=activity, inbox=inbox, host=host))
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    activity_id = activity.pk
    transaction.on_commit(lambda: _enqueue_activity(activity_id))
    return activity


def send_to_followers(actor: LocalActor, payload: dict, extra: Iterable[str] = ()) -> Activity:
    return send(actor, payload, [*follower_inboxes(actor), *extra])


def _enqueue_activity(activity_id: int) -> None:
    ids = list(
        Delivery.objects.filter(
            activity_id=activity_id, status=Delivery.Status.WAITING
        ).values_list("pk", flat=True)
    )
    for delivery_id in ids:
        _enqueue(delivery_id)


def _enqueue(delivery_id: int, run_after: datetime | None = None) -> None:
    from treffpunkt.federation.tasks import deliver

    task = deliver
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    task.enqueue(delivery_id)


def pause_after(attempts: int) -> timedelta:
    return retries.pause_after(attempts, LONGEST_PAUSE)


def deliver(delivery_id: int) -> bool:
    """Send one delivery if it waits and is due; True once the server took it."""
    now = timezone.now()
    if not retries.claim(Delivery, delivery_id, now=now, hold=CLAIM):
        return False
    delivery = Delivery.objects.select_related("activity__actor__blog").get(pk=delivery_id)
    server = server_for(delivery.host)
    if server.blocked_at is not None:
        _finish(delivery, Delivery.Status.SKIPPED, "the server is blocked")
        return False
    if server.unreachable and server.retry_at and server.retry_at > now:
        # Unreachable servers get one try a week, until one works.
        _finish(delivery, Delivery.Status.SKIPPED, "the server has been unreachable")
        return False
    try:
        _post(delivery, server)
    except DeliveryFailed as error:
        _failed(delivery, server, error)
        return False
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), claimed_until=None
    )
    Server.objects.filter(pk=server.pk).update(
        failing_since=None, unreachable=False, retry_at=None, last_success_at=timezone.now()
    )
    return True


def _scheme_for(server: Server) -> str:
    if server.scheme_until and server.scheme_until > timezone.now():
        return str(server.signature_scheme)
    from treffpunkt.federation.models import RemoteActor

    if RemoteActor.objects.filter(host=server.host, implements_rfc9421=True).exists():
        return Server.Scheme.RFC9421
    return Server.Scheme.CAVAGE


class DeliveryFailed(Exception):
    """A delivery the server did not take; ``status`` is its HTTP answer (None: none)."""

    def __init__(self, message: str, status: int | None = None, *, permanent: bool = False):
        super().__init__(message)
        self.status = status
        self.permanent = permanent


def _post(delivery: Delivery, server: Server) -> None:
    """Sign (now) and send; on 401/400 with one scheme, try the other once and remember
    the one that worked. Never switch on 5xx or timeouts."""
    from treffpunkt.federation import client
    from treffpunkt.federation.remote import signer_of

    actor = delivery.activity.actor
    scheme = _scheme_for(server)

    def attempt(use: str) -> None:
        try:
            response = client.post_activity(
                delivery.inbox, delivery.activity.payload, signer=signer_of(actor, use)
            )
        except client.FetchError as error:
            raise DeliveryFailed(str(error), permanent=not error.temporary) from None
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed(
                f"{delivery.inbox} answered {response.status_code}", response.status_code
            )

    try:
        attempt(scheme)
    except DeliveryFailed as error:
        if error.status not in (400, 401):
            raise
        other = Server.Scheme.RFC9421 if scheme == Server.Scheme.CAVAGE else Server.Scheme.CAVAGE
        attempt(other)
        Server.objects.filter(pk=server.pk).update(
            signature_scheme=other, scheme_until=timezone.now() + REMEMBER_SCHEME
        )


def _failed(delivery: Delivery, server: Server, error: Exception) -> None:
    now = timezone.now()
    attempts = delivery.attempts + 1
    message = f"{type(error).__name__}: {error}"[:500]
    if server.failing_since is None:
        Server.objects.filter(pk=server.pk, failing_since__isnull=True).update(failing_since=now)
    elif now - server.failing_since >= UNREACHABLE_AFTER:
        if not server.unreachable:
            logger.warning("%s has failed for two days; marked unreachable.", server.host)
        Server.objects.filter(pk=server.pk).update(
            unreachable=True, retry_at=now + RETRY_UNREACHABLE
        )
        _finish(delivery, Delivery.Status.FAILED, message)
        return
    permanent = getattr(error, "permanent", False) or getattr(error, "status", None) in (
        400,
        403,
        404,
        410,
        422,
    )
    if permanent or now - delivery.created_at >= GIVE_UP_AFTER:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED, attempts=attempts, last_error=message,
            claimed_until=None,
        )  # fmt: skip
        logger.warning("Gave up delivering to %s: %s", delivery.inbox, message)
        return
    next_try = now + pause_after(attempts)
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts, last_error=message, next_try_at=next_try, claimed_until=None
    )
    logger.info("Delivery to %s failed (attempt %s): %s", delivery.inbox, attempts, message)
    _enqueue(delivery.pk, run_after=next_try)


def _finish(delivery: Delivery, status: str, message: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, last_error=message, claimed_until=None
    )


def queue_due_deliveries(limit: int = 500) -> int:
    """The worker's sweep: queue every waiting delivery that is due and not being sent (a
    worker died, a task was lost); returns how many were queued."""
    due = retries.due_ids(Delivery, timezone.now(), limit)
    for delivery_id in due:
        _enqueue(delivery_id)
    return len(due)
