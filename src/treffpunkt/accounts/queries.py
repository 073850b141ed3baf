"""Reads about members and invitations."""

from django.core import signing

from treffpunkt.accounts.models import Invitation, User, hash_token

SETUP_SALT = "treffpunkt.first-admin"
SETUP_MAX_AGE = 60 * 60 * 24 * 7


def find_invitation(token: str) -> Invitation | None:
    """The invitation behind a link, if it can still be accepted."""
    if not token or len(token) > 100:
        return None
    return Invitation.objects.usable().filter(token_hash=hash_token(token)).first()


def admin_exists() -> bool:
    """Whether an active admin exists (the first-admin link works only until then)."""
    return User.objects.filter(is_superuser=True, is_active=True).exists()


def first_admin_token_is_valid(token: str) -> bool:
    """True while no admin exists and the token is ours and fresh."""
    try:
        value = signing.TimestampSigner(salt=SETUP_SALT).unsign(token, max_age=SETUP_MAX_AGE)
    except signing.BadSignature:
        return False
    return value == "first-admin" and not admin_exists()
