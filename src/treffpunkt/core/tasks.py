"""Background work that several parts share, run by `treffpunkt worker`."""

from django_tasks import task

from treffpunkt.core import mail


@task()
def send_email(email_id: int) -> bool:
    """Send one email of the outbox (core.mail); True when it was sent now."""
    return mail.send_queued_email(email_id)
