from django.contrib import admin

from treffpunkt.events.models import Contribution, Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "hashtag", "starts_at", "ends_at", "visibility", "moderation"]
    list_filter = ["visibility", "moderation"]
    search_fields = ["title", "hashtag"]
    filter_horizontal = ["organizers", "moderators"]
    readonly_fields = ["short_code", "created_at"]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    # Changes go through the moderation page, which logs them and updates the walls live.
    list_display = ["__str__", "event", "state", "pinned", "created_at"]
    list_filter = ["state", "pinned", "event"]
    list_select_related = ["event", "participant__user"]
    search_fields = ["text"]
    readonly_fields = [field.name for field in Contribution._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
