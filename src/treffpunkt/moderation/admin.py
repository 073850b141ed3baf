from django.contrib import admin

from treffpunkt.moderation.models import CheckedItem, Decision


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: to read, never to edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "kind", "object_id", "moderator", "reason"]
    list_filter = ["action", "kind"]
    list_select_related = ["moderator"]
    search_fields = ["reason", "text"]
    date_hierarchy = "created_at"


@admin.register(CheckedItem)
class CheckedItemAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "verdict", "score", "object_id"]
    list_filter = ["verdict", "kind"]
    exclude = ["text_hash", "ip_hash"]
    date_hierarchy = "created_at"
