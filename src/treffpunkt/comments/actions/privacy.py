"""Privacy tools for comments: what is stored for an email address, a link for commenters
to see and erase their own data, and erasing it (as WordPress's exporter and eraser do)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from treffpunkt.comments.actions.moderation import thread_changed
from treffpunkt.comments.actions.submission import clean_email
from treffpunkt.comments.models import Comment, OwnDataLink, Subscription
from treffpunkt.core import changes
from treffpunkt.core.links import absolute_url
from treffpunkt.core.mail import queue_email
from treffpunkt.core.models import Participant
from treffpunkt.core.queries import site_settings
from treffpunkt.moderation.models import Decision, ItemKind

DATA_LINK_SALT = "treffpunkt.comments.own-data"
DATA_LINK_MAX_AGE = 60 * 60 * 24
# One link per address in this time, however often someone asks for it.
DATA_LINK_INTERVAL_SECONDS = 10 * 60


def request_own_data_link(email: str, language: str) -> None:
    """Someone asks for a link to the data stored under an address: queue the email.

    The request does nothing that depends on the address (no lookup, no sending), so its
    answer and its time are the same whether or not anything is stored, and a slow mail
    server delays nobody. The task decides (``send_own_data_link``).
    """
    from treffpunkt.comments import tasks

    email = clean_email(email)
    tasks.send_own_data_link.enqueue(email, language)


def send_own_data_link(email: str, language: str) -> bool:
    """Email an address a link to see, download or erase what is stored for it.

    Sent only when comments or reply subscriptions exist for the address, and at most once
    in ten minutes, so the form cannot be used to send mail to strangers. The email is in
    the language the visitor asked in.
    """
    has_data = (
        Comment.objects.filter(email=email).exists()
        or Subscription.objects.filter(email=email).exists()
    )
    key = "treffpunkt:own-data-link:" + signing.Signer(salt=DATA_LINK_SALT).signature(email)
    if not has_data or not cache.add(key, True, timeout=DATA_LINK_INTERVAL_SECONDS):
        return False
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    with translation.override(language):
        context = {
            # Only the random token: no address, nor anything derived from it, in the link
            # (links end up in access logs and browser histories).
            "data_url": absolute_url(reverse("comments:own_data", args=[token])),
            "site_name": site_settings().name,
            "site_url": absolute_url("/"),
        }
        subject = render_to_string("comments/email/own_data_subject.txt", context).strip()
        text = render_to_string("comments/email/own_data.txt", context)
    with transaction.atomic():
        OwnDataLink.objects.filter(expires_at__lt=now).delete()
        OwnDataLink.objects.create(
            token_hash=_token_hash(token),
            email=email,
            created_at=now,
            expires_at=now + timedelta(seconds=DATA_LINK_MAX_AGE),
        )
        queue_email(subject=subject, body=text, to=[email])
    return True


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class OwnDataAccess:
    """What an own-data link opens: ``status`` is "ok" (``email`` is the address, empty once
    the data was erased), "expired" or "unknown"."""

    status: str
    email: str = ""


def open_own_data_link(token: str) -> OwnDataAccess:
    """The address an own-data link stands for, or why it opens nothing.

    Links sent before links carried a random token (a signed, base64 address) keep working
    for their day; they contain a colon, which random tokens never do.
    """
    if ":" in token:
        try:
            value = signing.loads(token, salt=DATA_LINK_SALT, max_age=DATA_LINK_MAX_AGE)
        except signing.SignatureExpired:
            return OwnDataAccess("expired")
        except signing.BadSignature:
            return OwnDataAccess("unknown")
        return OwnDataAccess("ok", value) if isinstance(value, str) else OwnDataAccess("unknown")
    link = OwnDataLink.objects.filter(token_hash=_token_hash(token)).first()
    if link is None:
        return OwnDataAccess("unknown")
    if link.expires_at <= timezone.now():
        return OwnDataAccess("expired")
    return OwnDataAccess("ok", link.email)


def erase_personal_data(email: str, *, delete_comments: bool = False) -> dict[str, int]:
    """Remove everything personal stored for an email address, as WordPress's eraser does.

    Comments are anonymized (name, email, website and the link to the device removed; the
    text stays) or, with ``delete_comments``, deleted. Reply subscriptions are deleted, and
    guests with this address forget it and their name.
    """
    email = email.strip().lower()
    if not email:
        return {"comments": 0, "subscriptions": 0, "guests": 0}
    with transaction.atomic():
        comments = Comment.objects.filter(email=email)
        ids = list(comments.values_list("pk", flat=True))
        for post_id in set(comments.values_list("post_id", flat=True)):
            thread_changed(post_id)
        # The moderation log keeps who decided what, but not the words of erased comments
        # nor a link to the person.
        Decision.objects.filter(kind=ItemKind.COMMENT, object_id__in=ids).update(
            text="", participant=None
        )
        if delete_comments:
            Comment.objects.filter(parent_id__in=ids).update(parent=None)
            changed, _detail = Comment.objects.filter(pk__in=ids).delete()
            changed = len(ids)
        else:
            changed = comments.update(author_name="", email="", website="", participant=None)
        subscriptions, _detail = Subscription.objects.filter(email=email).delete()
        guests = Participant.objects.filter(
            kind=Participant.Kind.GUEST, email__iexact=email
        ).update(email="", display_name="")
        # Open own-data links forget the address too; they now say nothing is stored.
        OwnDataLink.objects.filter(email=email).update(email="")
        if ids:
            changes.announce("comment", "erased", None, ids=ids)
    return {"comments": changed, "subscriptions": subscriptions, "guests": guests}
