"""Writes for events and their walls. Views, the fediverse inbox and commands call these.

Every change to a wall is recorded as a WallChange in the same transaction and published
to the live stream after the commit.
"""

import re
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from treffpunkt.accounts.models import User
from treffpunkt.blog import actions as blog_actions
from treffpunkt.blog.models import Blog, Post
from treffpunkt.core import live
from treffpunkt.core.actions import block_participant
from treffpunkt.core.images import reencode_image
from treffpunkt.core.models import Participant
from treffpunkt.core.text import clean_text, count_characters
from treffpunkt.events import feeds
from treffpunkt.events.models import Contribution, Event, WallChange, new_short_code
from treffpunkt.events.queries import recap_contributions
from treffpunkt.events.recap import recap_markdown
from treffpunkt.moderation.actions import Reason, check_content, record_check, record_decision
from treffpunkt.moderation.models import Decision, ItemKind, Verdict

HASHTAG_RE = re.compile(r"^\w{1,60}$", re.UNICODE)
MAX_CHARACTERS = 500


class Refused(Exception):
    """A submission that cannot be taken; the message is for the guest, in their language."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def validate_hashtag(value: str) -> str:
    """A hashtag as Mastodon takes it: letters (umlauts too), digits, underscore."""
    tag = value.strip().lstrip("#")
    if not HASHTAG_RE.match(tag) or not any(char.isalpha() for char in tag):
        raise ValidationError(
            _("Use letters, digits and underscores only (no spaces), with at least one letter."),
            code="invalid_hashtag",
        )
    return tag


# --- events ---------------------------------------------------------------------------


@transaction.atomic
def create_event(*, organizer: User, **fields: Any) -> Event:
    """Create an event with a fresh short-link code; the creator becomes its organizer."""
    fields["hashtag"] = validate_hashtag(fields["hashtag"])
    if Event.objects.filter(hashtag__iexact=fields["hashtag"]).exists():
        raise ValidationError(_("Another event uses this hashtag already."), code="taken")
    for _attempt in range(10):
        try:
            with transaction.atomic():
                event = Event.objects.create(short_code=new_short_code(), **fields)
            break
        except IntegrityError:
            if Event.objects.filter(hashtag__iexact=fields["hashtag"]).exists():
                raise ValidationError(
                    _("Another event uses this hashtag already."), code="taken"
                ) from None
    else:  # pragma: no cover - 32**6 codes make ten collisions in a row unthinkable
        raise RuntimeError("Could not find a free short code")
    event.organizers.add(organizer)
    return event


@transaction.atomic
def update_event(event: Event, **fields: Any) -> Event:
    """Change an event's details (the hashtag too, if no other event has it)."""
    if "hashtag" in fields:
        fields["hashtag"] = validate_hashtag(fields["hashtag"])
        if Event.objects.filter(hashtag__iexact=fields["hashtag"]).exclude(pk=event.pk).exists():
            raise ValidationError(_("Another event uses this hashtag already."), code="taken")
    for name, value in fields.items():
        setattr(event, name, value)
    event.full_clean(exclude=["short_code"])
    event.save()
    return event


def can_moderate(user: Any, event: Event) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (
        event.organizers.filter(pk=user.pk).exists() or event.moderators.filter(pk=user.pk).exists()
    )


def can_organize(user: Any, event: Event) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser or event.organizers.filter(pk=user.pk).exists())


# --- contributions --------------------------------------------------------------------


def clean_contribution_text(text: str) -> str:
    text = clean_text(text or "")
    if not text:
        raise Refused(_("Please write something first."))
    length = count_characters(text)
    if length > MAX_CHARACTERS:
        raise Refused(
            _("That is %(length)s characters; at most %(max)s fit on the wall.")
            % {"length": length, "max": MAX_CHARACTERS}
        )
    return text


def submit_contribution(
    *,
    event: Event,
    participant: Participant,
    text: str,
    author_name: str = "",
    photo: UploadedFile | None = None,
    photo_alt: str = "",
    ip_address: str = "",
    source: str = Contribution.Source.WEB,
    remote_url: str = "",
    created_at: datetime | None = None,
) -> Contribution:
    """Take a post for the wall: check it, store it, and put it live after the commit.

    Raises Refused with a message for the guest when it cannot be taken.
    """
    text = clean_contribution_text(text)
    if event.is_over():
        raise Refused(
            _("This event is over; its wall can still be read but takes no new posts."), 403
        )
    if participant.is_blocked:
        raise Refused(_("You cannot post here any more. Please talk to the organizers."), 403)
    photo_file = None
    if photo is not None:
        try:
            photo_file = reencode_image(photo, max_side=1600)
        except ValidationError as error:
            raise Refused(" ".join(error.messages)) from None
    with transaction.atomic():
        result = check_content(
            text=text,
            participant=participant,
            kind=ItemKind.WALL_POST if source == "web" else ItemKind.REMOTE_REPLY,
            ip_address=ip_address,
            words_to_hold=event.blocked_word_list(),
        )
        contribution = Contribution(
            event=event,
            participant=participant,
            author_name=clean_text(author_name)[:80],
            text=text,
            photo_alt=clean_text(photo_alt)[:500] if photo_file else "",
            state=_initial_state(event, result.verdict),
            source=source,
            remote_url=remote_url,
            moderation_score=round(result.score, 3),
            moderation_reasons=result.reasons_json,
            created_at=created_at or timezone.now(),
        )
        if photo_file is not None:
            contribution.photo.save(photo_file.name or "photo.webp", photo_file, save=False)
        contribution.save()
        held_by = (
            [Reason(gettext_noop("the event's moderators approve every post first"))]
            if result.verdict == Verdict.PUBLISH and contribution.state == Contribution.State.HELD
            else []
        )
        record_check(result, contribution.pk, held_by)
        _record_change(contribution, WallChange.Kind.CREATED)
    return contribution


def _initial_state(event: Event, verdict: str) -> str:
    if verdict == Verdict.SPAM:
        return Contribution.State.SPAM
    if verdict == Verdict.HOLD or event.is_pre_moderated:
        return Contribution.State.HELD
    return Contribution.State.VISIBLE


def edit_contribution(
    contribution: Contribution, text: str, photo_alt: str | None = None
) -> Contribution:
    """The author changes their post (within the edit window); it is checked again."""
    text = clean_contribution_text(text)
    if not contribution.can_be_changed_by_author():
        raise Refused(_("Posts can be changed only in the first 24 hours."), 403)
    with transaction.atomic():
        contribution = (
            Contribution.objects.select_for_update(of=("self",))
            .select_related("event", "participant")
            .get(pk=contribution.pk)
        )
        event = contribution.event
        if text != contribution.text:
            result = check_content(
                text=text,
                participant=contribution.participant,
                kind=ItemKind.WALL_POST,
                words_to_hold=event.blocked_word_list(),
            )
            record_check(result, contribution.pk)
            contribution.moderation_score = round(result.score, 3)
            contribution.moderation_reasons = result.reasons_json
            if (
                contribution.state == Contribution.State.VISIBLE
                and result.verdict != Verdict.PUBLISH
            ):
                contribution.state = Contribution.State.HELD
        contribution.text = text
        if photo_alt is not None and contribution.photo:
            contribution.photo_alt = clean_text(photo_alt)[:500]
        contribution.edited_at = timezone.now()
        contribution.save()
        _record_change(contribution, WallChange.Kind.EDITED)
    return contribution


def delete_contribution(
    contribution: Contribution, *, moderator: User | None = None, reason: str = ""
) -> None:
    """Remove a post and its photo; moderators' deletions are logged."""
    with transaction.atomic():
        if moderator is not None:
            _log_decision(contribution, Decision.Action.DELETE, moderator, reason)
        _record(contribution.event_id, contribution.pk, WallChange.Kind.DELETED)
        photo = contribution.photo
        storage, photo_name = (photo.storage, photo.name) if photo else (None, "")
        contribution.delete()
        if storage is not None:
            transaction.on_commit(lambda: storage.delete(photo_name))


def moderate_contribution(
    contribution: Contribution, action: str, moderator: User, reason: str = ""
) -> Contribution:
    """Approve, hide, pin or unpin a post; the decision is logged and goes live."""
    transitions: dict[str, tuple[dict[str, Any], str]] = {
        Decision.Action.APPROVE: ({"state": Contribution.State.VISIBLE}, WallChange.Kind.APPROVED),
        Decision.Action.HIDE: ({"state": Contribution.State.HIDDEN}, WallChange.Kind.HIDDEN),
        Decision.Action.SPAM: ({"state": Contribution.State.SPAM}, WallChange.Kind.HIDDEN),
        Decision.Action.PIN: (
            {"pinned": True, "state": Contribution.State.VISIBLE},
            WallChange.Kind.PINNED,
        ),
        Decision.Action.UNPIN: ({"pinned": False}, WallChange.Kind.UNPINNED),
    }
    if action not in transitions:
        raise ValueError(f"Unknown moderation action {action!r}")
    changes, kind = transitions[action]
    with transaction.atomic():
        contribution = (
            Contribution.objects.select_for_update(of=("self",))
            .select_related("event", "participant__user")
            .get(pk=contribution.pk)
        )
        for name, value in changes.items():
            setattr(contribution, name, value)
        contribution.save(update_fields=list(changes))
        _log_decision(contribution, action, moderator, reason)
        _record_change(contribution, kind)
    return contribution


def block_author(contribution: Contribution, moderator: User, reason: str = "") -> Participant:
    """Block the participant behind a post and hide everything they posted on this wall."""
    with transaction.atomic():
        participant = block_participant(contribution.participant, reason=reason)
        _log_decision(contribution, Decision.Action.BLOCK, moderator, reason)
        for other in (
            Contribution.objects.filter(event_id=contribution.event_id, participant=participant)
            .exclude(state__in=[Contribution.State.HIDDEN, Contribution.State.SPAM])
            .select_related("event", "participant__user")
        ):
            other.state = Contribution.State.HIDDEN
            other.pinned = False
            other.save(update_fields=["state", "pinned"])
            _record_change(other, WallChange.Kind.HIDDEN)
    return participant


def _log_decision(
    contribution: Contribution, action: str, moderator: User | None, reason: str
) -> None:
    record_decision(
        kind=ItemKind.WALL_POST if contribution.source == "web" else ItemKind.REMOTE_REPLY,
        object_id=contribution.pk,
        action=action,
        moderator=moderator,
        participant=contribution.participant,
        text=contribution.text,
        reason=reason,
    )


# --- live updates ---------------------------------------------------------------------


def _record_change(contribution: Contribution, kind: str) -> WallChange:
    return _record(contribution.event_id, contribution.pk, kind)


def _record(event_id: int, contribution_id: int, kind: str) -> WallChange:
    """Log a change of a wall and wake its live feeds once the transaction commits.

    The event row is locked first, so on PostgreSQL the changes of one wall are committed
    in the order of their ids, which is the order the feeds read them in.
    """
    if connection.features.has_select_for_update:  # SQLite serializes writes anyway
        Event.objects.select_for_update().filter(pk=event_id).values_list("pk").first()
    change = WallChange.objects.create(
        event_id=event_id, contribution_id=contribution_id, kind=kind
    )
    transaction.on_commit(lambda: live.publish(feeds.channel(event_id), {"id": change.pk}))
    return change


def draft_post_from_recap(event: Event, *, blog: Blog, editor: User) -> Post:
    """Start a blog post that tells the event: its recap as a draft in ``blog``.

    The organizer edits and publishes it like any other post; the hashtag becomes a tag.
    While that draft is unpublished, asking again returns it instead of making another.
    """
    if not can_organize(editor, event) or not blog_actions.can_write_in(editor, blog):
        raise PermissionDenied(_("You cannot write this event's story in that blog."))
    earlier = Post.objects.filter(
        blog=blog,
        author=editor,
        title=event.title,
        status=Post.Status.DRAFT,
        tags__name__iexact=event.hashtag,
    ).first()
    if earlier is not None:  # a second click opens the draft made before
        return earlier
    markdown = recap_markdown(event, recap_contributions(event))
    # The recap's first line is the title, which a post keeps in its own field.
    body = markdown.split("\n", 1)[1].lstrip("\n")
    return blog_actions.save_post(
        editor=editor, blog=blog, title=event.title, body=body, tags=[event.hashtag]
    )
