"""Background work that several parts share, run by `treffpunkt worker`."""

from datetime import date

from django_tasks import task

from treffpunkt.core import backup, mail


@task()
def send_email(email_id: int) -> bool:
    """Send one email of the outbox (core.mail); True when it was sent now."""
    return mail.send_queued_email(email_id)


@task()
def make_daily_backup(day: str) -> str:
    """The day's backup into TREFFPUNKT_BACKUP_DIR (claimed by core.backup); its file name."""
    written = backup.make_daily_backup(date.fromisoformat(day))
    return written.name if written else ""
