import hashlib
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from treffpunkt.accounts.models import Role, User
from treffpunkt.core.mail import queue_email


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        "invalid_login": _(
            "This email address and password do not match. Please check both; the password "
            "is case-sensitive."
        ),
        "inactive": _("This account has been deactivated. Please ask an admin."),
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


class NewPasswordMixin(forms.Form):
    """Two password fields, checked against Django's password validators."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def password_user(self) -> User:
        """An unsaved user used by the similarity check."""
        return User(
            email=self.cleaned_data.get("email", ""),
            display_name=self.cleaned_data.get("display_name", ""),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            try:
                password_validation.validate_password(first, self.password_user())
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class DisplayNameField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Display name"))
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("help_text", _("Shown next to what you write, for example “Anna K.”."))
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "name"}))
        super().__init__(**kwargs)


class AcceptInvitationForm(NewPasswordMixin):
    display_name = DisplayNameField()

    field_order = ["display_name", "password1", "password2"]

    def __init__(self, *args: Any, email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def password_user(self) -> User:
        return User(email=self.email, display_name=self.cleaned_data.get("display_name", ""))


class RegistrationForm(NewPasswordMixin):
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    display_name = DisplayNameField()

    field_order = ["email", "display_name", "password1", "password2"]

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("A member with this email address exists already. Did you forget your password?")
            )
        return email


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Organizers run events, authors write blog posts, moderators keep order."),
    )

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("This person is a member already."))
        return email


class ProfileForm(forms.Form):
    display_name = DisplayNameField()
    bio = forms.CharField(
        label=_("Short bio"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few words about you, shown on your author page (at most 500 characters)."),
    )
    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("A JPEG, PNG or WebP image; it is cropped to a square."),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is None:
            return
        if not user.avatar:
            # Nothing to remove.
            del self.fields["remove_avatar"]
        if not (user.is_author or user.is_superuser):
            # Only authors have an author page.
            self.fields["bio"].help_text = _("A few words about you (at most 500 characters).")


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


RESET_EMAIL_INTERVAL_SECONDS = 10 * 60


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password reset form, with the email sent by the background worker (a slow
    mail server must not hold up the request; core.mail)."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # One email an address in ten minutes, however often someone asks for it.
        key = "treffpunkt:password-reset:" + hashlib.sha256(to_email.lower().encode()).hexdigest()
        if not cache.add(key, True, timeout=RESET_EMAIL_INTERVAL_SECONDS):
            return
        subject = render_to_string(subject_template_name, context)
        body = render_to_string(email_template_name, context)
        queue_email(subject=subject, body=body, to=[to_email])
