from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "treffpunkt.core"
    label = "core"
    verbose_name = _("Site")

    def ready(self) -> None:
        from treffpunkt.core import changes, schedule
        from treffpunkt.core.backup import start_daily_backup_if_due
        from treffpunkt.core.mail import send_due_emails
        from treffpunkt.core.pagecache import forget_public_pages
        from treffpunkt.core.recovery import requeue_orphaned_tasks

        changes.listen(forget_public_pages)
        schedule.every(60, "send due emails", send_due_emails)
        schedule.every(30, "requeue tasks of stopped workers", requeue_orphaned_tasks)
        # Every hour the worker looks whether today's backup is due (TREFFPUNKT_BACKUP_DIR).
        schedule.every(3600, "daily backup", start_daily_backup_if_due)
