"""Emails leave from the background worker, never from a request.

A request that sends an email would wait for the mail server; on SQLite every POST runs on
the one writer thread, so one slow mail server would stall every guest at a live event.
Callers render the message (in the reader's language) and queue it here; the task sends
it once the transaction commits (so a rolled-back action sends nothing).
"""

from django.db import transaction


def queue_email(
    *, subject: str, body: str, to: list[str], headers: dict[str, str] | None = None
) -> None:
    """Send a plain-text email from the worker after the current transaction commits."""
    from treffpunkt.core.tasks import send_email

    # A subject is one line (a title with a line break would make the message invalid).
    subject = " ".join(subject.split())
    arguments = (subject, body, list(to), dict(headers or {}))
    transaction.on_commit(lambda: send_email.enqueue(*arguments))
