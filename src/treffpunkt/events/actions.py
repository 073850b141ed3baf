"""Writes for events and their walls. Views, the fediverse inbox and commands call these.

Every change to a wall is recorded as a WallChange in the same transaction and published
to the live stream after the commit.
"""

import logging
import re
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from treffpunkt.accounts.models import User
from treffpunkt.blog import actions as blog_actions
from treffpunkt.blog.models import Blog, Post
from treffpunkt.blog.permissions import can_write_in
from treffpunkt.core import changes, live, usernames
from treffpunkt.core.actions import block_participant
from treffpunkt.core.images import reencode_image
from treffpunkt.core.links import absolute_url
from treffpunkt.core.models import Participant
from treffpunkt.core.text import clean_text, count_characters, without_control_characters
from treffpunkt.events import feeds
from treffpunkt.events.models import (
    Contribution,
    Event,
    WallChange,
    hashtag_key,
    new_short_code,
    validate_accent_color,
)
from treffpunkt.events.permissions import can_organize
from treffpunkt.events.queries import recap_contributions
from treffpunkt.events.recap import recap_markdown
from treffpunkt.moderation.actions import CheckResult, Reason, record_check, record_decision
from treffpunkt.moderation.models import Decision, ItemKind, Source, Verdict
from treffpunkt.moderation.submissions import (
    Origin,
    Refused,
    Stored,
    Submission,
    check_submission,
    submit,
)

HASHTAG_RE = re.compile(r"^\w{1,60}$", re.UNICODE)
MAX_CHARACTERS = 500

__all__ = ["Refused", "Submission"]  # what views and the fediverse adapters take from here

logger = logging.getLogger(__name__)


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


def _cleaned_text_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Text fields without control characters (feeds and the database cannot carry some)."""
    return {
        name: without_control_characters(value) if isinstance(value, str) else value
        for name, value in fields.items()
    }


# A logo is shown small (the wall's header, the poster's top): this many pixels at most.
LOGO_MAX_SIDE = 512


def _logo_file(upload: UploadedFile) -> ContentFile[bytes]:
    """An uploaded logo checked and re-encoded (or a ValidationError for the logo field)."""
    try:
        return reencode_image(upload, max_side=LOGO_MAX_SIDE)
    except ValidationError as error:
        raise ValidationError({"logo": error.messages}) from None


def _set_logo(event: Event, logo: UploadedFile | None, remove_logo: bool) -> str:
    """Put a new logo on the event (or take it off); the old file's name to delete after
    the commit, or ""."""
    old = event.logo.name if event.logo else ""
    if logo is not None:
        event.logo.save("logo.webp", _logo_file(logo), save=False)
    elif remove_logo:
        event.logo = None
    new = event.logo.name if event.logo else ""
    return old if old and old != new else ""


def _delete_after_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def create_event(
    *,
    organizer: User | None = None,
    organizers: Iterable[User] = (),
    moderators: Iterable[User] = (),
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
    **fields: Any,
) -> Event:
    """Create an event with a fresh short-link code. The creator (``organizer``, on the
    site's form) becomes its organizer; the admin names ``organizers`` instead. At least
    one is needed. ``moderators`` help moderate its wall. A ``logo`` upload is checked
    and re-encoded; an ``accent_color`` is ``#rrggbb``."""
    organizers = [*organizers, *([organizer] if organizer is not None else [])]
    if not organizers:
        raise ValueError("An event needs an organizer")
    fields = _cleaned_text_fields(fields)
    logo_file = _logo_file(logo) if logo is not None else None
    if fields.get("accent_color"):
        try:
            validate_accent_color(fields["accent_color"])
        except ValidationError as error:
            raise ValidationError({"accent_color": error.messages}) from None
    fields["hashtag"] = validate_hashtag(fields["hashtag"])
    if Event.objects.filter(hashtag_key=hashtag_key(fields["hashtag"])).exists():
        raise ValidationError(_("Another event uses this hashtag already."), code="taken")
    usernames.check_free(fields["hashtag"], kind="event")
    for _attempt in range(10):
        try:
            with transaction.atomic():
                event = Event.objects.create(short_code=new_short_code(), **fields)
            break
        except IntegrityError:
            if Event.objects.filter(hashtag_key=hashtag_key(fields["hashtag"])).exists():
                raise ValidationError(
                    _("Another event uses this hashtag already."), code="taken"
                ) from None
    else:  # pragma: no cover - 32**6 codes make ten collisions in a row unthinkable
        raise RuntimeError("Could not find a free short code")
    if logo_file is not None:
        event.logo.save("logo.webp", logo_file, save=True)
    event.organizers.add(*organizers)
    event.moderators.add(*moderators)
    changes.announce("event", "created", event.pk)
    return event


@transaction.atomic
def update_event(
    event: Event,
    *,
    organizers: Iterable[User] | None = None,
    moderators: Iterable[User] | None = None,
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
    **fields: Any,
) -> Event:
    """Change an event's details (the hashtag too, if no other event has it) and, if given,
    its organizers and moderators, its logo (a new upload, or ``remove_logo``)."""
    fields = _cleaned_text_fields(fields)
    if "hashtag" in fields:
        fields["hashtag"] = validate_hashtag(fields["hashtag"])
        if (
            Event.objects.filter(hashtag_key=hashtag_key(fields["hashtag"]))
            .exclude(pk=event.pk)
            .exists()
        ):
            raise ValidationError(_("Another event uses this hashtag already."), code="taken")
        usernames.check_free(fields["hashtag"], kind="event", object_id=event.pk)
    for name, value in fields.items():
        setattr(event, name, value)
    event.full_clean(exclude=["short_code", "logo"])
    old_logo = _set_logo(event, logo, remove_logo)
    event.save()
    _delete_after_commit(old_logo)
    if organizers is not None:
        organizers = list(organizers)
        if not organizers:
            raise ValidationError(_("An event needs at least one organizer."), code="required")
        event.organizers.set(organizers)
    if moderators is not None:
        event.moderators.set(moderators)
    changes.announce("event", "updated", event.pk)
    return event


def delete_event(event: Event) -> None:
    """Delete an event with its wall: every post, its photo files (after the commit) and
    the wall's change log. Open walls of the event end when they next reconnect."""
    with transaction.atomic():
        photos = [
            (contribution.photo.storage, contribution.photo.name)
            for contribution in event.contributions.exclude(photo="").only("photo")
        ]
        if event.logo:
            photos.append((event.logo.storage, event.logo.name))
        event_id = event.pk
        event.delete()
        changes.announce("event", "deleted", event_id)
        transaction.on_commit(lambda: _delete_files(photos))


def _delete_files(files: list[tuple[Any, str]]) -> None:
    for storage, name in files:
        storage.delete(name)


# --- contributions ---------------------------------------------------------------------


def clean_contribution_text(text: str) -> str:
    text = clean_text(text or "")
    if not text:
        raise Refused(_("Please write something first."), field="text")
    length = count_characters(text)
    if length > MAX_CHARACTERS:
        raise Refused(
            _("That is %(length)s characters; at most %(max)s fit on the wall.")
            % {"length": length, "max": MAX_CHARACTERS},
            field="text",
        )
    return text


class Wall:
    """An event's wall as a destination of the submission pipeline
    (``moderation.submissions``): its rules, and how a post is stored and goes live."""

    item_kind = ItemKind.WALL_POST

    def __init__(self, event: Event) -> None:
        self.event = event
        self.photo_file: ContentFile[bytes] | None = None
        self.saved_photo: tuple[Any, str] | None = None

    @property
    def blocked_message(self) -> str:
        return _("You cannot post here any more. Please talk to the organizers.")

    def prepare(self, submission: Submission) -> Submission:
        text = clean_contribution_text(submission.text)
        if self.event.is_over():
            raise Refused(
                _("This event is over; its wall can still be read but takes no new posts."), 403
            )
        if submission.photo is not None:
            # Decoded and re-encoded before the write transaction: a large image never
            # holds up other guests' posts.
            try:
                self.photo_file = reencode_image(submission.photo, max_side=1600)
            except ValidationError as error:
                raise Refused(" ".join(error.messages), field="photo") from None
        return submission.replace(
            text=text,
            author_name=" ".join(clean_text(submission.author_name).split())[:80],
            photo_alt=clean_text(submission.photo_alt)[:500] if self.photo_file else "",
        )

    def words_to_hold(self) -> list[str]:
        return self.event.blocked_word_list()

    def discard_photo(self) -> None:
        """The post was not stored after all (a rollback, a failed commit): its photo goes."""
        if self.saved_photo is not None:
            storage, name = self.saved_photo
            storage.delete(name)
            self.saved_photo = None

    def store(self, submission: Submission, check: CheckResult) -> Stored[Contribution]:
        contribution = Contribution(
            event=self.event,
            participant=submission.participant,
            author_name=submission.author_name,
            text=submission.text,
            photo_alt=submission.photo_alt,
            state=_initial_state(self.event, check.verdict),
            source=Contribution.Source.WEB
            if submission.is_from_form
            else Contribution.Source.FEDIVERSE,
            remote_url=submission.remote_id,
            moderation_score=round(check.score, 3),
            moderation_reasons=check.reasons_json,
            created_at=submission.published_at or timezone.now(),
        )
        # A fediverse post with a content warning waits: the moderators decide whether the
        # projector shows it (the warning stays on top of its text).
        warned = bool(submission.content_warning) and contribution.state == "visible"
        if warned:
            contribution.state = Contribution.State.HELD
        if self.photo_file is not None:
            contribution.photo.save(
                self.photo_file.name or "photo.webp", self.photo_file, save=False
            )
            self.saved_photo = (contribution.photo.storage, contribution.photo.name)
        contribution.save()
        if warned:
            held_by = [Reason(gettext_noop("a content warning: the moderators decide"))]
        else:
            held_by = (
                [Reason(gettext_noop("the event's moderators approve every post first"))]
                if check.verdict == Verdict.PUBLISH
                and contribution.state == Contribution.State.HELD
                else []
            )
        _record_change(contribution, WallChange.Kind.CREATED)
        return Stored(contribution, contribution.pk, held_by)


def submit_contribution(event: Event, submission: Submission) -> Contribution:
    """Take a post for the wall: check it, store it, and put it live after the commit.

    Raises Refused with a message for the guest when it cannot be taken.
    """
    wall = Wall(event)
    try:
        return submit(submission, wall)
    except BaseException:
        wall.discard_photo()
        raise


def _initial_state(event: Event, verdict: str) -> str:
    if verdict == Verdict.SPAM:
        return Contribution.State.SPAM
    if verdict == Verdict.HOLD or event.is_pre_moderated:
        return Contribution.State.HELD
    return Contribution.State.VISIBLE


def edit_contribution(
    contribution: Contribution,
    text: str,
    photo_alt: str | None = None,
    origin: Origin | None = None,
) -> Contribution:
    """The author changes their post (within the edit window); a changed text is checked
    again (before the write transaction) and a visible post the filter now doubts waits."""
    text = clean_contribution_text(text)
    if not contribution.can_be_changed_by_author():
        raise Refused(_("Posts can be changed only in the first 24 hours."), 403)
    check = None
    if text != contribution.text:
        edited = Submission(
            participant=contribution.participant,
            text=text,
            source=Source.FORM
            if contribution.source == Contribution.Source.WEB
            else Source.FEDIVERSE_REPLY,
            origin=origin or Origin(),
            context_url=absolute_url(contribution.event.get_absolute_url()),
        )
        check = check_submission(edited, ItemKind.WALL_POST, contribution.event.blocked_word_list())
    with transaction.atomic():
        contribution = (
            Contribution.objects.select_for_update(of=("self",))
            .select_related("event", "participant")
            .get(pk=contribution.pk)
        )
        if check is not None:
            record_check(check, contribution.pk)
            contribution.moderation_score = round(check.score, 3)
            contribution.moderation_reasons = check.reasons_json
            if (
                contribution.state == Contribution.State.VISIBLE
                and check.verdict != Verdict.PUBLISH
            ):
                contribution.state = Contribution.State.HELD
        contribution.text = text
        if photo_alt is not None and contribution.photo:
            contribution.photo_alt = clean_text(photo_alt)[:500]
        contribution.edited_at = timezone.now()
        contribution.save()
        _record_change(contribution, WallChange.Kind.EDITED)
    return contribution


def revise_contribution_from_fediverse(contribution: Contribution, text: str) -> Contribution:
    """The fediverse author changed their post (a remote ``Update``): the wall shows the new
    text, checked again like an edit; a visible post the filter now doubts waits. No edit
    window: the post is theirs on their server."""
    text = clean_contribution_text(text)
    edited = Submission(
        participant=contribution.participant,
        text=text,
        source=Source.FEDIVERSE_REPLY,
        context_url=absolute_url(contribution.event.get_absolute_url()),
    )
    check = check_submission(edited, ItemKind.WALL_POST, contribution.event.blocked_word_list())
    with transaction.atomic():
        contribution = (
            Contribution.objects.select_for_update(of=("self",))
            .select_related("event", "participant")
            .get(pk=contribution.pk)
        )
        record_check(check, contribution.pk)
        contribution.moderation_score = round(check.score, 3)
        contribution.moderation_reasons = check.reasons_json
        if contribution.state == Contribution.State.VISIBLE and check.verdict != Verdict.PUBLISH:
            contribution.state = Contribution.State.HELD
        contribution.text = text
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
        kind=ItemKind.WALL_POST,
        object_id=contribution.pk,
        action=action,
        moderator=moderator,
        participant=contribution.participant,
        text=contribution.text,
        reason=reason,
    )


# --- a refused post's photo, kept for the next try -------------------------------------

KEPT_PHOTO_DIR = "kept"
KEPT_PHOTO_SALT = "treffpunkt.events.kept-photo"
KEPT_PHOTO_LIFETIME = timedelta(hours=2)


def keep_photo(upload: UploadedFile) -> str | None:
    """Keep the photo of a post that was refused (too long, no description, too fast…), so
    the guest need not choose it again: stored re-encoded (no location data) under a random
    name, and a signed token naming it for the form's next try. None if it is no image."""
    try:
        image = reencode_image(upload, max_side=1600)
    except ValidationError:
        return None
    try:
        name = default_storage.save(f"{KEPT_PHOTO_DIR}/{secrets.token_urlsafe(18)}.webp", image)
    except OSError:
        # The uploads folder is full or unwritable: the guest chooses the photo again, the
        # form still keeps the text and says why nothing was stored.
        logger.warning("A refused post's photo could not be kept", exc_info=True)
        return None
    return signing.dumps(name, salt=KEPT_PHOTO_SALT)


def kept_photo_name(token: str) -> str | None:
    """The stored name of a kept photo from its token; None if the token is forged, too old
    or its file is gone."""
    try:
        name = signing.loads(token, salt=KEPT_PHOTO_SALT, max_age=KEPT_PHOTO_LIFETIME)
    except signing.BadSignature:
        return None
    if not isinstance(name, str) or not name.startswith(f"{KEPT_PHOTO_DIR}/"):
        return None
    return name if default_storage.exists(name) else None


def open_kept_photo(name: str) -> File[bytes]:
    """A kept photo as an upload for ``Submission.photo``."""
    file = default_storage.open(name, "rb")
    return File(file, name=name.rsplit("/", 1)[-1])


def forget_kept_photo(name: str) -> None:
    """The kept photo was used (or dropped by the guest): its file goes."""
    default_storage.delete(name)


def delete_old_kept_photos() -> int:
    """Kept photos nobody came back for (the worker runs this every hour); how many went."""
    try:
        _folders, files = default_storage.listdir(KEPT_PHOTO_DIR)
    except FileNotFoundError:
        return 0
    too_old = timezone.now() - KEPT_PHOTO_LIFETIME
    deleted = 0
    for file_name in files:
        name = f"{KEPT_PHOTO_DIR}/{file_name}"
        if default_storage.get_modified_time(name) < too_old:
            default_storage.delete(name)
            deleted += 1
    return deleted


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
    if kind in (WallChange.Kind.CREATED, WallChange.Kind.APPROVED, WallChange.Kind.PINNED):
        _announce_if_shown(event_id, contribution_id)
    transaction.on_commit(lambda: live.publish(feeds.channel(event_id), {"id": change.pk}))
    return change


def _announce_if_shown(event_id: int, contribution_id: int) -> None:
    """A post now on the wall of an event whose organizers pass posts on: announced, so the
    fediverse (which listens) can boost or send it. Nothing for other events."""
    shown = Contribution.objects.filter(
        pk=contribution_id, state=Contribution.State.VISIBLE, event__announce_posts=True
    ).exists()
    if shown:
        changes.announce("contribution", "shown", contribution_id, event=event_id)


def draft_post_from_recap(event: Event, *, blog: Blog, editor: User) -> Post:
    """Start a blog post that tells the event: its recap as a draft in ``blog``.

    The organizer edits and publishes it like any other post; the hashtag becomes a tag.
    While that draft is unpublished, asking again returns it instead of making another.
    """
    if not can_organize(editor, event) or not can_write_in(editor, blog):
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
