"""Writes that concern participants and the site as a whole."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from treffpunkt.core import changes
from treffpunkt.core.models import LegalPage, Participant, SiteSettings
from treffpunkt.core.text import clean_text, without_control_characters


def participant_for_member(user: AbstractBaseUser) -> Participant:
    """The Participant of a member, created on first use."""
    participant, _created = Participant.objects.get_or_create(
        user=user, defaults={"kind": Participant.Kind.MEMBER}
    )
    return participant


def new_guest(device_id: str) -> Participant:
    """The Participant of a device seen for the first time, not saved yet.

    The action that stores the guest's first item saves it in its own transaction, so a
    refused first attempt leaves nothing behind (and saves a write).
    """
    return Participant(kind=Participant.Kind.GUEST, device_id=device_id)


def participant_for_guest(
    device_id: str, display_name: str = "", email: str = "", *, new_device: bool = False
) -> Participant:
    """The Participant of the guest on this device; the name and email are updated if given.

    ``new_device``: the id was made just now, so there is nothing to look up.
    """
    if new_device:
        return Participant.objects.create(
            kind=Participant.Kind.GUEST, device_id=device_id, display_name=display_name, email=email
        )
    try:
        with transaction.atomic():
            participant, created = Participant.objects.get_or_create(
                kind=Participant.Kind.GUEST,
                device_id=device_id,
                defaults={"display_name": display_name, "email": email},
            )
    except IntegrityError:  # two first requests from one device at once
        participant = Participant.objects.get(kind=Participant.Kind.GUEST, device_id=device_id)
        created = False
    if not created:
        changed = []
        if display_name and display_name != participant.display_name:
            participant.display_name = display_name
            changed.append("display_name")
        if email and email != participant.email:
            participant.email = email
            changed.append("email")
        if changed:
            participant.save(update_fields=changed)
    return participant


def participant_for_actor(actor_url: str, handle: str = "", display_name: str = "") -> Participant:
    """The Participant of a remote fediverse actor, keyed by its actor URL."""
    participant, _created = Participant.objects.update_or_create(
        kind=Participant.Kind.REMOTE,
        actor_url=actor_url,
        defaults={"handle": handle, "display_name": display_name},
    )
    return participant


def block_participant(participant: Participant, reason: str = "") -> Participant:
    """Stop a participant from contributing anywhere on this site."""
    participant.blocked_at = timezone.now()
    participant.blocked_reason = reason[:300]
    participant.save(update_fields=["blocked_at", "blocked_reason"])
    return participant


def unblock_participant(participant: Participant) -> Participant:
    """Let a blocked participant contribute again."""
    participant.blocked_at = None
    participant.blocked_reason = ""
    participant.save(update_fields=["blocked_at", "blocked_reason"])
    return participant


@transaction.atomic
def save_legal_page(kind: str, language: str, body: str) -> LegalPage:
    """Create or replace the imprint or privacy text for one language."""
    page, _created = LegalPage.objects.update_or_create(
        kind=kind, language=language, defaults={"body": without_control_characters(body)}
    )
    changes.announce("legal_page", "updated", page.pk)
    return page


@transaction.atomic
def delete_legal_page(page: LegalPage) -> None:
    """Remove the imprint or privacy text of one language (the default note shows again)."""
    page_id = page.pk
    page.delete()
    changes.announce("legal_page", "deleted", page_id)


@transaction.atomic
def update_site_settings(**fields: object) -> SiteSettings:
    """Change the site's name, tagline or registration setting (every page shows them)."""
    row = SiteSettings.load()
    for name, value in fields.items():
        setattr(row, name, clean_text(value) if isinstance(value, str) else value)
    row.full_clean()
    row.save()
    changes.announce("site", "updated", row.pk)
    return row
