from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from treffpunkt.accounts import actions
from treffpunkt.accounts.forms import DisplayNameField, NewPasswordMixin
from treffpunkt.accounts.models import Invitation, Role, User
from treffpunkt.core.admin import ThroughActionsAdmin
from treffpunkt.core.images import reencode_image

# What a member may do is given by their roles (User.set_roles), never by Django's groups
# or permissions, so the admin does not offer groups: they would look like a second way of
# giving rights that does nothing on the site.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class MemberAddForm(NewPasswordMixin, forms.ModelForm):
    """Adding a member in the admin: as registering on the site (actions.register_member)."""

    display_name = DisplayNameField()

    class Meta:
        model = User
        fields = ["email", "display_name"]

    def clean_email(self) -> str:
        try:
            return actions.clean_member_email(self.cleaned_data["email"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


class MemberChangeForm(UserChangeForm):
    """A member's address, profile, roles and access, each saved through its action.

    The roles are one choice, as on the Members page: the admin role is Django's staff and
    superuser flags together, so the two cannot drift apart here.
    """

    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    # Set by UserAdmin.get_form: the admin using the form, who must not lock themselves out.
    changed_by: User | None = None

    class Meta:
        model = User
        fields = ["email", "display_name", "bio", "avatar", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "roles" in self.fields:
            self.fields["roles"].initial = self.instance.roles

    def clean_email(self) -> str:
        try:
            return actions.clean_member_email(self.cleaned_data["email"], self.instance)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean_avatar(self) -> Any:
        avatar = self.cleaned_data.get("avatar")
        if isinstance(avatar, UploadedFile):
            # update_profile re-encodes it; a picture it would refuse is refused here, where
            # the form can say so.
            try:
                reencode_image(avatar, max_side=256, square=True)
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from None
            avatar.seek(0)
        return avatar

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            actions.check_own_access(
                self.instance,
                changed_by=self.changed_by,
                roles=cleaned.get("roles"),
                active=cleaned.get("is_active", self.instance.is_active),
            )
        except ValidationError as error:
            self.add_error("roles" if error.code == "own_admin" else "is_active", error)
        return cleaned


@admin.register(User)
class UserAdmin(ThroughActionsAdmin, DjangoUserAdmin):
    # Members are deactivated, never deleted (actions.set_member_active): their posts,
    # wall posts and moderators' decisions keep their author, and deleting the member would
    # take their wall posts without telling the live walls. The password page is Django's
    # own, as the site's password reset.
    form = MemberChangeForm
    add_form = MemberAddForm
    ordering = ["display_name"]
    list_display = [
        "display_name",
        "email",
        "is_staff",
        "is_organizer",
        "is_author",
        "is_moderator",
        "is_active",
    ]
    list_filter = ["is_staff", "is_organizer", "is_author", "is_moderator", "is_active"]
    search_fields = ["display_name", "email"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "bio", "avatar")}),
        (_("Roles"), {"fields": ("roles", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "display_name", "password1", "password2")},
        ),
    )

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.changed_by = request.user  # type: ignore[attr-defined]
        return form

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            member = actions.register_member(data["email"], data["display_name"], data["password1"])
            obj.pk = member.pk
            return
        member = self.stored(obj)
        changed = set(form.changed_data)
        if "email" in changed:
            actions.change_email(member, data["email"])
        if changed & {"display_name", "bio", "avatar"}:
            avatar = data.get("avatar")
            actions.update_profile(
                member,
                display_name=data["display_name"],
                bio=data["bio"],
                avatar=avatar if isinstance(avatar, UploadedFile) else None,
                remove_avatar=avatar is False,
            )
        if "roles" in changed:
            actions.change_roles(member, data["roles"], changed_by=request.user)  # type: ignore[arg-type]
        if "is_active" in changed:
            actions.set_member_active(member, data["is_active"], changed_by=request.user)  # type: ignore[arg-type]


@admin.register(Invitation)
class InvitationAdmin(ThroughActionsAdmin):
    # To read and to revoke. Invitations are made on the Members page, which also sends the
    # email; they are kept (not deleted) as the record of who invited whom.
    list_display = ["email", "created_at", "expires_at", "accepted_at", "revoked_at", "invited_by"]
    list_select_related = ["invited_by"]
    search_fields = ["email"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.change_invitation")

    @admin.action(description=_("Revoke the selected invitations"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: models.QuerySet[Invitation]) -> None:
        with transaction.atomic():
            for invitation in queryset:
                actions.revoke_invitation(invitation)
