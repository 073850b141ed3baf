from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from treffpunkt.core.admin import ThroughActionsAdmin
from treffpunkt.events import actions
from treffpunkt.events.models import Contribution, Event

EVENT_FIELDS = [
    "title",
    "hashtag",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "visibility",
    "moderation",
    "guiding_question",
    "blocked_words",
    "accent_color",
]


class EventAdminForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [*EVENT_FIELDS, "organizers", "moderators"]

    def clean_hashtag(self) -> str:
        try:
            return actions.validate_hashtag(self.cleaned_data["hashtag"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


@admin.register(Event)
class EventAdmin(ThroughActionsAdmin):
    form = EventAdminForm
    list_display = ["title", "hashtag", "starts_at", "ends_at", "visibility", "moderation"]
    list_filter = ["visibility", "moderation"]
    search_fields = ["title", "hashtag"]
    filter_horizontal = ["organizers", "moderators"]
    readonly_fields = ["short_code", "created_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        fields = {name: data[name] for name in EVENT_FIELDS}
        people = {"organizers": data["organizers"], "moderators": data["moderators"]}
        if change:
            actions.update_event(self.stored(obj), **people, **fields)
        else:
            obj.pk = actions.create_event(**people, **fields).pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        actions.delete_event(obj)


@admin.register(Contribution)
class ContributionAdmin(ThroughActionsAdmin):
    # Changes go through the moderation page, which logs them and updates the walls live;
    # here admins find, inspect and delete posts (logged, and gone from live walls too).
    list_display = ["__str__", "event", "state", "pinned", "created_at"]
    list_filter = ["state", "pinned", "event"]
    list_select_related = ["event", "participant__user"]
    search_fields = ["text"]
    readonly_fields = [field.name for field in Contribution._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        actions.delete_contribution(
            obj,
            moderator=request.user,  # type: ignore[arg-type]
            reason=_("Deleted in the admin"),
        )
