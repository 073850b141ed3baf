import hashlib
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a member may do. A member can hold several roles; admins may do everything."""

    ADMIN = "admin", _("Admin")
    ORGANIZER = "organizer", _("Organizer")
    AUTHOR = "author", _("Author")
    MODERATOR = "moderator", _("Moderator")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("Members need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A member: logs in with email and password. Guests and remote actors are not users."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80)
    bio = models.TextField(_("short bio"), max_length=500, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    is_organizer = models.BooleanField(_("organizer"), default=False)
    is_author = models.BooleanField(_("author"), default=False)
    is_moderator = models.BooleanField(_("moderator"), default=False)
    # Admins are Django staff superusers: they may use the admin and change everything.
    is_staff = models.BooleanField(_("admin"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return str(self.display_name) or str(_("Member"))

    @property
    def roles(self) -> list[str]:
        held = []
        if self.is_staff and self.is_superuser:
            held.append(Role.ADMIN.value)
        if self.is_organizer:
            held.append(Role.ORGANIZER.value)
        if self.is_author:
            held.append(Role.AUTHOR.value)
        if self.is_moderator:
            held.append(Role.MODERATOR.value)
        return held

    def has_role(self, role: str) -> bool:
        """Admins hold every role."""
        return self.is_active and (Role.ADMIN.value in self.roles or role in self.roles)

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in self.roles]

    def set_roles(self, roles: list[str]) -> None:
        admin = Role.ADMIN.value in roles
        self.is_staff = self.is_superuser = admin
        self.is_organizer = Role.ORGANIZER.value in roles
        self.is_author = Role.AUTHOR.value in roles
        self.is_moderator = Role.MODERATOR.value in roles


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def usable(self) -> "InvitationQuerySet":
        return self.pending().filter(expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An admin invites a member by email; the link in it works once, until it expires."""

    email = models.EmailField(_("email address"))
    roles = models.JSONField(_("roles"), default=list)
    # Only the hash is stored, so a leaked database does not leak working links.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.email)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in self.roles if role in Role.values]
