from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from treffpunkt.comments import actions
from treffpunkt.comments.forms import _checked
from treffpunkt.comments.models import Comment, Subscription
from treffpunkt.core.admin import ThroughActionsAdmin

TEXT_FIELDS = ("body", "author_name", "website")


class CommentAdminForm(forms.ModelForm):
    """What a moderator may change: the status (a decision the filter learns from) and the
    text, name and website (corrected as in the comment queue)."""

    author_name = forms.CharField(
        label=Comment._meta.get_field("author_name").verbose_name, required=False
    )
    website = forms.CharField(label=Comment._meta.get_field("website").verbose_name, required=False)

    class Meta:
        model = Comment
        fields = ["author_name", "website", "body", "status"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if set(TEXT_FIELDS) & set(self.changed_data):
            cleaners = {
                "body": actions.clean_body,
                "author_name": actions.clean_name,
                "website": actions.clean_website,
            }
            for name, clean in cleaners.items():
                if name in cleaned:
                    try:
                        cleaned[name] = _checked(clean, cleaned[name])
                    except forms.ValidationError as error:
                        self.add_error(name, error)
        return cleaned


@admin.register(Comment)
class CommentAdmin(ThroughActionsAdmin):
    # Comments come from readers through the comment form (and from authors' replies on the
    # site), so there is no adding here; where a comment belongs and who wrote it stay as
    # they are. The email is shown to admins, never edited (commenters erase their data on
    # the own-data page, admins on the privacy page).
    form = CommentAdminForm
    list_display = ["author_name", "post", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["author_name", "email", "body"]
    list_select_related = ["post"]
    readonly_fields = [
        "post",
        "parent",
        "participant",
        "email",
        "by_staff",
        "depth",
        "moderation_score",
        "moderation_reasons",
        "created_at",
        "edited_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        comment = self.stored(obj)
        data, changed = form.cleaned_data, set(form.changed_data)
        # The decision first: it records the text the filter judged, before a correction.
        if "status" in changed:
            actions.set_comment_status(
                comment, data["status"], request.user, reason=_("Changed in the admin")
            )
        if changed & set(TEXT_FIELDS):
            actions.edit_comment(
                comment,
                editor=request.user,
                body=data["body"],
                author_name=data["author_name"],
                website=data["website"],
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        actions.delete_comment(obj, request.user, reason=_("Deleted in the admin"))


@admin.register(Subscription)
class SubscriptionAdmin(ThroughActionsAdmin):
    # Subscriptions are made by the comment form and confirmed by the address itself
    # (double opt-in), so none is added or confirmed here; ending one is unsubscribing.
    list_display = ["email", "comment", "created_at", "confirmed_at"]
    search_fields = ["email"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        actions.unsubscribe(obj.pk)
