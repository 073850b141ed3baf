from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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
