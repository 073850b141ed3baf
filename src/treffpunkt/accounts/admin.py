from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from treffpunkt.accounts.models import Invitation, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "bio", "avatar")}),
        (
            _("Roles"),
            {
                "fields": (
                    "is_staff",
                    "is_superuser",
                    "is_organizer",
                    "is_author",
                    "is_moderator",
                    "is_active",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "display_name", "password1", "password2")},
        ),
    )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "created_at", "expires_at", "accepted_at", "revoked_at", "invited_by"]
    list_select_related = ["invited_by"]
    readonly_fields = [
        "email",
        "roles",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "user",
    ]
    search_fields = ["email"]

    def has_add_permission(self, request):
        # Invitations are made on the Members page, which also sends the email.
        return False
