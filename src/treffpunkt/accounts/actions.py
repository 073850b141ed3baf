"""Members: invitations, registration, the first admin and profiles."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from treffpunkt.accounts.models import Invitation, Role, User, hash_token
from treffpunkt.accounts.queries import SETUP_SALT
from treffpunkt.core import changes
from treffpunkt.core.actions import participant_for_member
from treffpunkt.core.images import reencode_image
from treffpunkt.core.links import absolute_url
from treffpunkt.core.mail import queue_email
from treffpunkt.core.queries import site_settings
from treffpunkt.core.text import clean_text, without_control_characters

logger = logging.getLogger(__name__)


def invitation_url(token: str) -> str:
    return absolute_url(reverse("accounts:accept_invitation", args=[token]))


@transaction.atomic
def invite_member(email: str, roles: list[str], invited_by: User | None) -> tuple[Invitation, str]:
    """Create an invitation and email its link; returns the invitation and the link.

    Earlier pending invitations for the same address are revoked, so only the newest works.
    """
    email = email.strip().lower()
    now = timezone.now()
    Invitation.objects.pending().filter(email__iexact=email).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        roles=[role for role in roles if role in Role.values],
        token_hash=hash_token(token),
        invited_by=invited_by,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    url = invitation_url(token)
    # The admin also sees the link on screen and can pass it on by hand.
    context = {
        "invitation": invitation,
        "url": url,
        "site_name": site_settings().name,
        "site_url": settings.BASE_URL,
        "inviter": invited_by.display_name if invited_by is not None else "",
        "roles": invitation.roles,
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/email/invitation.txt", context)
    queue_email(subject=subject, body=body, to=[invitation.email])
    return invitation, url


class InvitationUsed(Exception):
    """The invitation was accepted, revoked or expired meanwhile, or its address became a
    member's some other way; ``message`` says so in the visitor's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def accept_invitation(invitation: Invitation, display_name: str, password: str) -> User:
    """Create the member an invitation was for, with the roles it carries.

    Raises InvitationUsed when it can no longer be used (two clicks at once make one
    account; the second learns it exists)."""
    try:
        with transaction.atomic():
            invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if invitation.accepted_at or invitation.revoked_at or invitation.is_expired:
                raise InvitationUsed(
                    _("This invitation has been used already. Please log in instead.")
                )
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise InvitationUsed(
                    _("This address has an account already. Please log in instead.")
                )
            user = User(email=invitation.email, display_name=display_name.strip())
            user.set_roles(invitation.roles)
            user.set_password(password)
            user.save()
            return _finish_acceptance(invitation, user)
    except IntegrityError:  # the same address registered at the same moment
        raise InvitationUsed(
            _("This address has an account already. Please log in instead.")
        ) from None


def _finish_acceptance(invitation: Invitation, user: User) -> User:
    participant_for_member(user)
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    return user


def revoke_invitation(invitation: Invitation) -> None:
    """Make a pending invitation link stop working."""
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def register_member(email: str, display_name: str, password: str) -> User:
    """A member without roles: self-registration (only when the admin has opened it), or
    an admin adding someone in the Django admin (roles are given afterwards)."""
    user = User.objects.create_user(email, password, display_name=display_name.strip())
    participant_for_member(user)
    return user


@transaction.atomic
def create_admin(email: str, display_name: str, password: str) -> User:
    """An admin holds every role and may use the Django admin."""
    user = User.objects.create_superuser(
        email,
        password,
        display_name=display_name.strip(),
        is_organizer=True,
        is_author=True,
        is_moderator=True,
    )
    participant_for_member(user)
    return user


@transaction.atomic
def create_member(
    email: str, display_name: str, roles: list[str], *, bio: str = "", password: str | None = None
) -> User:
    """A member with these roles, made by the site itself (the demo, a command); without a
    password they log in after a password reset."""
    user = User(email=email.strip().lower(), display_name=display_name.strip(), bio=bio)
    user.set_roles(roles)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    participant_for_member(user)
    return user


def first_admin_token() -> str:
    """A signed token for the one-time link that creates the first admin."""
    return signing.TimestampSigner(salt=SETUP_SALT).sign("first-admin")


def first_admin_url() -> str:
    return absolute_url(reverse("accounts:setup", args=[first_admin_token()]))


@transaction.atomic
def update_profile(
    user: User,
    *,
    display_name: str,
    bio: str,
    avatar: UploadedFile | None = None,
    remove_avatar: bool = False,
) -> User:
    """Change a member's public profile; a new avatar is checked and re-encoded."""
    user.display_name = clean_text(display_name)
    user.bio = without_control_characters(bio).strip()
    old_avatar = user.avatar.name if user.avatar else ""
    if avatar is not None:
        user.avatar.save(
            "avatar.webp", reencode_image(avatar, max_side=256, square=True), save=False
        )
    elif remove_avatar:
        user.avatar = None
    user.save()
    new_avatar = user.avatar.name if user.avatar else ""
    if old_avatar and old_avatar != new_avatar:
        storage = user.avatar.storage
        transaction.on_commit(lambda: storage.delete(old_avatar))
    # Authors' names, bios and pictures show on their posts and author pages.
    changes.announce("member", "updated", user.pk)
    return user


def check_own_access(
    member: User, *, changed_by: User | None, roles: list[str] | None = None, active: bool = True
) -> None:
    """Raise ValidationError for a change that would lock out the admin who makes it: taking
    away their own admin role, or deactivating themselves. Forms call it to show the
    message; the actions call it again."""
    if changed_by is None or changed_by.pk != member.pk:
        return
    if roles is not None and Role.ADMIN.value not in roles:
        raise ValidationError(_("You cannot take away your own admin role."), code="own_admin")
    if not active:
        raise ValidationError(_("You cannot deactivate yourself."), code="own_account")


def change_roles(user: User, roles: list[str], *, changed_by: User | None = None) -> User:
    """Give a member exactly these roles (``changed_by``: the admin doing it, who cannot
    take away their own admin role)."""
    check_own_access(user, changed_by=changed_by, roles=roles)
    user.set_roles(roles)
    user.save(
        update_fields=["is_staff", "is_superuser", "is_organizer", "is_author", "is_moderator"]
    )
    return user


def set_member_active(user: User, active: bool, *, changed_by: User | None = None) -> User:
    """Let a member log in again, or deactivate them: they can no longer log in (a session
    they have ends with their next request), while what they wrote stays under their name.
    Members are deactivated, never deleted, so posts, wall posts and decisions keep their
    author."""
    check_own_access(user, changed_by=changed_by, active=active)
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


def clean_member_email(email: str, member: User | None = None) -> str:
    """A member's login address as stored (trimmed, lowercase); ValidationError if another
    member has it already."""
    email = email.strip().lower()
    others = User.objects.filter(email__iexact=email)
    if member is not None:
        others = others.exclude(pk=member.pk)
    if others.exists():
        raise ValidationError(_("This person is a member already."), code="taken")
    return email


@transaction.atomic
def change_email(user: User, email: str) -> User:
    """Give a member another login address (an admin corrects or updates it). Stored in
    lowercase, as login looks it up."""
    user.email = clean_member_email(email, user)
    user.save(update_fields=["email"])
    return user
