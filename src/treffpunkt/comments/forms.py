from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from treffpunkt.comments import actions
from treffpunkt.comments.models import MAX_BODY, MAX_NAME
from treffpunkt.core.formtiming import seconds_since_shown, started_value

STARTED_SALT = "treffpunkt.comments.form-started"


def _checked(clean: Callable[[str], str], value: str) -> str:
    try:
        return clean(value)
    except actions.Refused as refusal:
        raise forms.ValidationError(refusal.message) from None


def body_field() -> forms.CharField:
    # A little room above the limit, so the action's message (with the count) is shown.
    return forms.CharField(
        label=_("Comment"),
        max_length=MAX_BODY * 2,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_BODY}),
        error_messages={"required": _("Please write a comment first.")},
    )


class CommentForm(forms.Form):
    """ "Leave a reply": the comment, name and email (guests only), website, and two quiet
    bot checks (a field people never see, and the time since the form was shown)."""

    body = body_field()
    author_name = forms.CharField(
        label=_("Name"),
        max_length=MAX_NAME * 2,
        widget=forms.TextInput(attrs={"autocomplete": "name", "maxlength": MAX_NAME}),
        error_messages={"required": _("Please give your name.")},
    )
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Your email address will not be published."),
        error_messages={"required": _("Please give your email address.")},
    )
    website = forms.CharField(
        label=_("Website"),
        max_length=400,
        required=False,
        widget=forms.URLInput(attrs={"autocomplete": "url", "placeholder": "https://"}),
    )
    notify = forms.BooleanField(label=_("Notify me of replies by email"), required=False)
    federate = forms.BooleanField(
        label=_("Also show my comment in the fediverse"),
        required=False,
        help_text=_(
            "Your name, website and comment (never your email address) then also go to the "
            "servers of this blog's followers on Mastodon and elsewhere, where we cannot "
            "erase them later."
        ),
    )
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # Bots fill every field; people never see this one (comments.css hides it).
    url = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, member: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if member:
            # Members comment under their own name and address.
            del self.fields["author_name"]
            del self.fields["email"]
        if not settings.FEDERATION:
            del self.fields["federate"]
        if not self.is_bound:
            self.initial["started"] = started_value(STARTED_SALT)

    def clean_body(self) -> str:
        return _checked(actions.clean_body, self.cleaned_data["body"])

    def clean_author_name(self) -> str:
        return _checked(actions.clean_name, self.cleaned_data["author_name"])

    def clean_email(self) -> str:
        return _checked(actions.clean_email, self.cleaned_data["email"])

    def clean_website(self) -> str:
        return _checked(actions.clean_website, self.cleaned_data["website"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The two bot signals are not refusals: they go to the moderation check, which
        # holds or marks the comment with the reason (moderation.scoring).
        cleaned["honeypot_filled"] = bool(cleaned.get("url"))
        try:
            cleaned["seconds_to_submit"] = seconds_since_shown(
                self.data.get("started", ""),
                salt=STARTED_SALT,
                max_age=86400 * 7,
                stale_message=_(
                    "This form is too old. Please copy your comment, reload the page and try again."
                ),
            )
        except forms.ValidationError as error:
            self.add_error(None, error)
        return cleaned


class EditCommentForm(forms.Form):
    author_name = forms.CharField(label=_("Name"), max_length=MAX_NAME * 2)
    website = forms.CharField(label=_("Website"), max_length=400, required=False)
    body = body_field()

    def clean_body(self) -> str:
        return _checked(actions.clean_body, self.cleaned_data["body"])

    def clean_author_name(self) -> str:
        return _checked(actions.clean_name, self.cleaned_data["author_name"])

    def clean_website(self) -> str:
        return _checked(actions.clean_website, self.cleaned_data["website"])


class ReplyForm(forms.Form):
    body = body_field()

    def clean_body(self) -> str:
        return _checked(actions.clean_body, self.cleaned_data["body"])


class PrivacyLookupForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        error_messages={"required": _("Please give the email address to look up.")},
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class EraseForm(PrivacyLookupForm):
    mode = forms.ChoiceField(
        label=_("What happens to the comments"),
        choices=[
            ("anonymize", _("Anonymize: keep the text, remove name, email and website")),
            ("delete", _("Delete the comments")),
        ],
        initial="anonymize",
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("Yes, erase this person's data. This cannot be undone."),
        error_messages={"required": _("Please confirm that the data should be erased.")},
    )


class OwnDataRequestForm(PrivacyLookupForm):
    """A commenter asks for a link to their own data (no account needed)."""

    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("The address you gave with your comments."),
        error_messages={
            "required": _("Please give your email address."),
            "invalid": _("Please check your email address; it should look like name@example.org."),
        },
    )


class OwnDataEraseForm(forms.Form):
    mode = EraseForm.base_fields["mode"]
    confirm = forms.BooleanField(
        label=_("Yes, erase my data. This cannot be undone."),
        error_messages={"required": _("Please confirm that your data should be erased.")},
    )
