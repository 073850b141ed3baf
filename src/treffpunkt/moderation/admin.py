from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from treffpunkt.moderation.models import CheckedItem, Decision


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: to read, never to edit or delete. It is the record of who decided what and
    the history the filter weighs a person by; erasing a commenter's data blanks their
    entries through the comments' privacy tools."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
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
