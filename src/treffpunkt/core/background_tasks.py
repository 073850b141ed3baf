"""The background tasks' part of the admin, in the admin's language.

django-tasks-db ships its admin and field names in English only and its app name without
gettext. Treffpunkt names the app itself (``BackgroundTasksConfig``, used in
INSTALLED_APPS), shows the task list with translated column names (``core.admin``), and
lists the package's own strings below so that they are in Treffpunkt's catalogs.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tasks_db.apps import TasksAppConfig


class BackgroundTasksConfig(TasksAppConfig):
    verbose_name = _("Background tasks")  # type: ignore[assignment]  # lazy, as Django's own


# Strings of django-tasks and django-tasks-db (field names, the model, the task states);
# never used here, only collected by makemessages and translated in our catalogs.
PACKAGE_STRINGS = (
    _("Task Result"),
    _("Task Results"),
    _("status"),
    _("enqueued at"),
    _("started at"),
    _("finished at"),
    _("args kwargs"),
    _("priority"),
    _("task path"),
    _("worker id"),
    _("queue name"),
    _("backend name"),
    _("run after"),
    _("return value"),
    _("exception class path"),
    _("traceback"),
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
)
