"""Emails leave from the background worker, never from a request, through an outbox.

A request that sends an email would wait for the mail server; on SQLite every POST runs on
the one writer thread, so one slow mail server would stall every guest at a live event.
``queue_email`` writes the message as an ``OutgoingEmail`` row in the caller's transaction
(a rolled-back action sends nothing; a committed one is never lost) and has the worker
send it after the commit. The worker marks it sent only once the mail server took it; when
sending fails it tries again after growing pauses (1, 2, 4 … minutes, at most an hour) for
a day, then marks it failed for good, which admins see. A worker killed while sending
leaves the email claimed for a few minutes, after which the next sweep sends it (an email
may then arrive twice, never not at all).
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from treffpunkt.core import retries
from treffpunkt.core.models import OutgoingEmail

logger = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(days=1)
LONGEST_PAUSE = timedelta(hours=1)
CLAIM = timedelta(minutes=5)


def queue_email(
    *, subject: str, body: str, to: list[str], headers: dict[str, str] | None = None
) -> OutgoingEmail:
    """Send a plain-text email from the worker once the current transaction commits."""
    # Header values are one line: a title with a line break would make the message invalid.
    email = OutgoingEmail.objects.create(
        subject=" ".join(subject.split())[:300],
        body=body,
        to=[address.strip() for address in to],
        headers={name: " ".join(value.split()) for name, value in (headers or {}).items()},
    )
    email_id = email.pk
    transaction.on_commit(lambda: _enqueue(email_id))
    return email


def _enqueue(email_id: int, run_after: datetime | None = None) -> None:
    from treffpunkt.core.tasks import send_email

    task = send_email
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    task.enqueue(email_id)


def pause_after(attempts: int) -> timedelta:
    """How long to wait after ``attempts`` failed attempts: 1, 2, 4 … minutes, at most an hour."""
    return retries.pause_after(attempts, LONGEST_PAUSE)


def send_queued_email(email_id: int) -> bool:
    """Send one email of the outbox if it waits and is due; True once it is sent."""
    now = timezone.now()
    if not retries.claim(OutgoingEmail, email_id, now=now, hold=CLAIM):
        return False
    email = OutgoingEmail.objects.get(pk=email_id)
    try:
        EmailMultiAlternatives(
            email.subject, email.body, to=email.to, headers=email.headers or None
        ).send()
    except (OSError, smtplib.SMTPException, BadHeaderError, ValueError) as error:
        _failed(email, error)
        return False
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.SENT, sent_at=timezone.now(), claimed_until=None
    )
    return True


def _failed(email: OutgoingEmail, error: Exception) -> None:
    now = timezone.now()
    attempts = email.attempts + 1
    message = f"{type(error).__name__}: {error}"[:500]
    if now - email.created_at >= GIVE_UP_AFTER or isinstance(error, BadHeaderError):
        OutgoingEmail.objects.filter(pk=email.pk).update(
            status=OutgoingEmail.Status.FAILED, attempts=attempts, last_error=message,
            claimed_until=None,
        )  # fmt: skip
        logger.error("Gave up on an email to %s: %s", ", ".join(email.to), message)
        return
    next_try = now + pause_after(attempts)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        attempts=attempts, last_error=message, next_try_at=next_try, claimed_until=None
    )
    logger.warning(
        "Could not send an email (attempt %s), trying again later: %s", attempts, message
    )
    _enqueue(email.pk, run_after=next_try)


def send_due_emails(limit: int = 200) -> int:
    """The worker's sweep: queue every waiting email that is due and not being sent (a
    worker died, a task was lost); returns how many were queued."""
    due = retries.due_ids(OutgoingEmail, timezone.now(), limit)
    for email_id in due:
        _enqueue(email_id)
    return len(due)


def send_again(email: OutgoingEmail) -> None:
    """An admin sends an email that failed for good (or still waits) once more, with a new
    day of attempts."""
    now = timezone.now()
    OutgoingEmail.objects.filter(pk=email.pk).exclude(status=OutgoingEmail.Status.SENT).update(
        status=OutgoingEmail.Status.WAITING,
        attempts=0,
        next_try_at=now,
        created_at=now,
        claimed_until=None,
    )
    email_id = email.pk
    transaction.on_commit(lambda: _enqueue(email_id))
