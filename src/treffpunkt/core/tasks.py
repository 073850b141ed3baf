"""Background work that several parts share, run by `treffpunkt worker`."""

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email(subject: str, body: str, to: list[str], headers: dict[str, str]) -> int:
    """Send one queued email (core.mail.queue_email); returns the number sent."""
    return EmailMultiAlternatives(subject, body, to=to, headers=headers or None).send()
