from datetime import datetime

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from treffpunkt.core.models import LegalPage, Participant, SiteSettings

admin.site.site_header = _("Treffpunkt administration")
admin.site.site_title = _("Treffpunkt")


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ["name", "registration_open"]

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegalPage)
class LegalPageAdmin(admin.ModelAdmin):
    list_display = ["kind", "language", "updated_at"]
    list_filter = ["kind", "language"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "handle", "created_at", "blocked_at"]
    list_filter = ["kind", "blocked_at"]
    list_select_related = ["user"]
    search_fields = ["display_name", "handle", "actor_url", "user__display_name"]
    readonly_fields = ["kind", "user", "device_id", "actor_url", "created_at"]
    exclude = ["email"]
    actions = ["block", "unblock"]

    @admin.action(description=_("Block the selected participants"))
    def block(self, request, queryset):
        from treffpunkt.core.actions import block_participant

        for participant in queryset:
            block_participant(participant, reason=str(_("Blocked in the admin")))

    @admin.action(description=_("Unblock the selected participants"))
    def unblock(self, request, queryset):
        from treffpunkt.core.actions import unblock_participant

        for participant in queryset:
            unblock_participant(participant)


class BackgroundTaskAdmin(DBTaskResultAdmin):
    """django-tasks-db's read-only task list, with column names in the admin's language."""

    list_display = (
        "id",
        "task",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )

    @admin.display(description=_("task"))
    def task(self, obj: DBTaskResult) -> str:
        return obj.task_name

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description=_("run after"))
    def display_run_after(self, obj: DBTaskResult) -> datetime | str:
        return super().display_run_after(obj)


if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, BackgroundTaskAdmin)
