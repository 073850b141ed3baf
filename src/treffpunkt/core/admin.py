"""The admin for the site as a whole, and the base of every model admin that writes.

The admin is a caller like the site's pages: what it saves or deletes goes through the
app's actions (``ThroughActionsAdmin``), so decisions are logged, live walls and caches
hear of it and files go with their rows; what no action covers is shown read-only.
"""

from datetime import datetime
from typing import Any, TypeVar

from django.contrib import admin
from django.db import models, transaction
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from treffpunkt.core import actions
from treffpunkt.core.models import LegalPage, Participant, SiteSettings

M = TypeVar("M", bound=models.Model)

admin.site.site_header = _("Treffpunkt administration")
admin.site.site_title = _("Treffpunkt")


class ThroughActionsAdmin(admin.ModelAdmin):
    """A model admin whose writes go through the app's actions.

    Subclasses call the action in ``save_model`` and ``delete_model``. By then the admin's
    form has already copied its values onto ``obj``, so an action that compares old and new
    (a blog's address) is given the stored row (``stored``). The relations the form edits are
    passed to the action too, so they are not saved again behind it (``save_related``), and a
    bulk deletion goes through ``delete_model`` one by one, in one transaction.
    """

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list[BaseFormSet], change: bool
    ) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        with transaction.atomic():
            # Each row is read just before its deletion: deleting one may change another
            # (a deleted comment's replies move up a level).
            for pk in list(queryset.values_list("pk", flat=True)):
                obj = queryset.model._default_manager.filter(pk=pk).first()
                if obj is not None:
                    self.delete_model(request, obj)

    @staticmethod
    def stored(obj: M) -> M:
        """The row as it is in the database, before the admin's form changed ``obj``."""
        return type(obj)._default_manager.get(pk=obj.pk)


@admin.register(SiteSettings)
class SiteSettingsAdmin(ThroughActionsAdmin):
    list_display = ["name", "registration_open"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        row = actions.update_site_settings(**form.cleaned_data)
        obj.pk = row.pk


@admin.register(LegalPage)
class LegalPageAdmin(ThroughActionsAdmin):
    list_display = ["kind", "language", "updated_at"]
    list_filter = ["kind", "language"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A page is the imprint or privacy text of one language; another language is another
        # page (save_legal_page finds the page by both).
        return ["kind", "language"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        page = actions.save_legal_page(obj.kind, obj.language, form.cleaned_data["body"])
        obj.pk = page.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        actions.delete_legal_page(obj)


@admin.register(Participant)
class ParticipantAdmin(ThroughActionsAdmin):
    # To read and to block. Participants are made by the actions that take what they post;
    # their names are theirs (guests choose one, fediverse accounts bring one), and the email
    # is never shown. Deleting one would take their wall posts without telling the live
    # walls and leave their comments behind: wall posts are deleted as contributions, comment
    # data is erased on the comments' privacy page.
    list_display = ["__str__", "kind", "handle", "created_at", "blocked_at"]
    list_filter = ["kind", "blocked_at"]
    list_select_related = ["user"]
    search_fields = ["display_name", "handle", "actor_url", "user__display_name"]
    exclude = ["email"]
    readonly_fields = [field.name for field in Participant._meta.fields if field.name != "email"]
    actions = ["block", "unblock"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_block_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("core.change_participant")

    @admin.action(description=_("Block the selected participants"), permissions=["block"])
    def block(self, request: HttpRequest, queryset: models.QuerySet[Participant]) -> None:
        with transaction.atomic():
            for participant in queryset:
                actions.block_participant(participant, reason=str(_("Blocked in the admin")))

    @admin.action(description=_("Unblock the selected participants"), permissions=["block"])
    def unblock(self, request: HttpRequest, queryset: models.QuerySet[Participant]) -> None:
        with transaction.atomic():
            for participant in queryset:
                actions.unblock_participant(participant)


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
