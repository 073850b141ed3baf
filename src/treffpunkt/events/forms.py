from datetime import timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from treffpunkt.accounts.models import User
from treffpunkt.core.formtiming import seconds_since_shown, started_value
from treffpunkt.events.models import (
    EARLIEST_DATE,
    LATEST_DATE,
    Event,
    validate_accent_color,
)

STARTED_SALT = "treffpunkt.events.form-started"
# Dates outside these years are typing mistakes (and the wall's grace time after the end
# must still be a date).
EARLIEST_YEAR = EARLIEST_DATE.year
LATEST_YEAR = LATEST_DATE.year - 1
MAX_DURATION = timedelta(days=31)


class MembersField(forms.ModelMultipleChoiceField):
    """Members by the name they chose (their email addresses stay private)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class EventForm(forms.ModelForm):
    moderators = MembersField(
        # Evaluated anew for each form (the field copies its queryset).
        queryset=User.objects.filter(is_active=True).order_by("display_name", "pk"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Moderators of this wall"),
        help_text=_(
            "They approve, hide and pin posts on this wall. Members with the moderator role "
            "moderate every wall anyway; the organizers always can."
        ),
    )

    logo = forms.FileField(
        label=_("Logo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_(
            "JPEG, PNG or WebP. Shown beside the title on the wall, the join page and the poster."
        ),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    # Longer than #rrggbb, so a typing mistake gets the message that explains the format.
    accent_color = forms.CharField(
        label=_("Accent colour (optional)"),
        max_length=40,
        required=False,
        help_text=_(
            "# and six hex digits, e.g. #1d6fa5: the wall's header, the QR code's frame and "
            "the pinned posts take it. Text on it turns black or white by itself, so it stays "
            "readable."
        ),
        widget=forms.TextInput(attrs={"placeholder": "#1d6fa5", "size": 8, "autocomplete": "off"}),
    )

    class Meta:
        model = Event
        fields = [
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
            "moderators",
            "announce_posts",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 5}),
            "blocked_words": forms.Textarea(attrs={"rows": 3}),
            "visibility": forms.RadioSelect,
            "moderation": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not (self.instance.pk and self.instance.logo):
            del self.fields["remove_logo"]

    def clean_accent_color(self) -> str:
        value = self.cleaned_data.get("accent_color", "").strip().lower()
        if value and not value.startswith("#"):
            value = f"#{value}"
        if value:
            validate_accent_color(value)
        return value

    def clean_hashtag(self) -> str:
        from treffpunkt.events.actions import validate_hashtag

        return validate_hashtag(self.cleaned_data["hashtag"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        for name, when in (("starts_at", starts), ("ends_at", ends)):
            if when is not None and not EARLIEST_YEAR <= when.year <= LATEST_YEAR:
                self.add_error(
                    name,
                    _("Please choose a date between %(first)s and %(last)s.")
                    % {"first": EARLIEST_YEAR, "last": LATEST_YEAR},
                )
                cleaned.pop(name, None)
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must come after the start."))
        elif starts and ends and ends - starts > MAX_DURATION:
            self.add_error(
                "ends_at",
                _("An event lasts at most %(days)s days; please split longer ones.")
                % {"days": MAX_DURATION.days},
            )
        return cleaned


def post_text_field() -> forms.CharField:
    # The real limit (500, links counted as 23) is applied by the action.
    return forms.CharField(
        label=_("Your post"),
        widget=forms.Textarea(attrs={"rows": 4, "data-counter": "500"}),
        max_length=5000,
        error_messages={"required": _("Please write something first.")},
    )


class ContributionForm(forms.Form):
    """A guest's post: one text field, optional name and photo, and two quiet bot checks."""

    text = post_text_field()
    author_name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=80,
        required=False,
        help_text=_("Leave it empty to post as “Guest”. This device remembers it."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, at most 10 MB. Location data is removed."),
    )
    photo_alt = forms.CharField(
        label=_("What does the photo show?"),
        max_length=500,
        required=False,
        help_text=_("A short description for people who cannot see the photo."),
    )
    # A refused post's photo, kept on the server for the next try (actions.keep_photo).
    kept_photo = forms.CharField(required=False, widget=forms.HiddenInput)
    forget_photo = forms.BooleanField(label=_("Do not use this photo"), required=False)
    # Bots fill every field; people never see this one.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, member: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if member:
            # Members post under their own name.
            del self.fields["author_name"]
        if not self.is_bound:
            self.initial["started"] = started_value(STARTED_SALT)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The two bot signals are not refusals: they go to the moderation check, which
        # holds or marks the post with the reason (moderation.scoring).
        cleaned["honeypot_filled"] = bool(cleaned.get("website"))
        try:
            cleaned["seconds_to_submit"] = seconds_since_shown(
                self.data.get("started", ""),
                salt=STARTED_SALT,
                max_age=86400,
                stale_message=_("This form is too old. Please reload the page and try again."),
            )
        except forms.ValidationError as error:
            self.add_error(None, error)
        from treffpunkt.events.actions import kept_photo_name

        kept = kept_photo_name(cleaned.get("kept_photo", ""))
        # A new photo replaces the kept one, and the guest may drop it.
        use_kept = kept and not cleaned.get("photo") and not cleaned.get("forget_photo")
        cleaned["kept_photo_name"] = kept if use_kept else None
        cleaned["dropped_photo_name"] = None if use_kept else kept
        has_photo = bool(cleaned.get("photo") or cleaned["kept_photo_name"])
        if has_photo and not cleaned.get("photo_alt", "").strip():
            self.add_error("photo_alt", _("Please describe the photo in a few words."))
        return cleaned


class EditContributionForm(forms.Form):
    text = post_text_field()
