"""One way in for every contribution: a wall post, a comment, a reply from the fediverse.

Each entry point (the join form, the comment form, later the fediverse inbox and the
hashtag intake) describes what arrived as one ``Submission`` and hands it to ``submit``
together with a ``Destination`` (the wall of an event, the comments of a post). ``submit``
then walks the same path for every source:

1. refuse a blocked participant, let the destination clean the submission and apply its
   own rules (``prepare``: length, an event that is over, a closed post, a photo to
   re-encode); a refusal is a ``Refused`` with a sentence for the sender;
2. check it with the moderation filter (``check_content``), outside any write transaction,
   so a slow check (Akismet, when it is on) never holds the database's write lock;
3. in one transaction: store a new guest's participant (only now, so a refused first
   contribution leaves nothing behind) and the name and address the guest gave, store the
   item (``Destination.store``), and record the check with the item's id;
4. the destination's side effects (live walls, emails, caches, the fediverse) run after
   the commit; ``store`` registers them with ``transaction.on_commit``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from django.db import DatabaseError, IntegrityError, transaction
from django.utils.translation import gettext as _

from treffpunkt.core.models import Participant
from treffpunkt.moderation.actions import CheckResult, check_content, record_check
from treffpunkt.moderation.models import Source
from treffpunkt.moderation.scoring import Reason

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile
    from django.http import HttpRequest

T = TypeVar("T", covariant=True)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Origin:
    """How a submission reached us: the network and, for our own forms, the form's signals.

    ``seconds_to_submit`` is the time between showing the form and sending it (None when
    unknown, e.g. from the fediverse); ``honeypot_filled`` says whether the field that
    people never see was filled in, as bots do.
    """

    ip_address: str = ""
    user_agent: str = ""
    seconds_to_submit: float | None = None
    honeypot_filled: bool = False

    @classmethod
    def from_request(
        cls,
        request: HttpRequest,
        *,
        seconds_to_submit: float | None = None,
        honeypot_filled: bool = False,
    ) -> Origin:
        return cls(
            ip_address=request.META.get("REMOTE_ADDR", ""),
            user_agent=request.headers.get("User-Agent", "")[:500],
            seconds_to_submit=seconds_to_submit,
            honeypot_filled=honeypot_filled,
        )


@dataclass(frozen=True)
class Submission:
    """Everything about one contribution that arrived, whoever sent it and however.

    ``participant`` is resolved once per request (``core.participants``); a guest seen for
    the first time is an unsaved Participant that ``submit`` stores with the first item it
    keeps. Name, email and website are what the sender typed (a member's come from their
    account). ``context_url`` is the public address of the place it was sent to (the post
    or the wall); ``remote_id`` the id of a fediverse object, so it is taken once;
    ``published_at`` when a fediverse post was written (None: now).
    """

    participant: Participant
    text: str
    source: str = Source.FORM
    author_name: str = ""
    email: str = ""
    website: str = ""
    photo: UploadedFile | None = None
    photo_alt: str = ""
    origin: Origin = field(default_factory=Origin)
    context_url: str = ""
    remote_id: str = ""
    published_at: datetime | None = None
    # Fediverse submissions: the remote account's server (host) and when the account was
    # made (its ``published``), signals the filter weighs instead of the form's.
    server: str = ""
    account_created_at: datetime | None = None
    # A fediverse post's content warning (its ``summary``): the place decides what it does
    # (a wall holds such posts for its moderators).
    content_warning: str = ""

    @classmethod
    def from_form(
        cls, request: HttpRequest, data: Mapping[str, Any], *, text: str, **fields: Any
    ) -> Submission:
        """What one of our forms sent: the participant behind the request, its origin with
        the form's two bot signals (``seconds_to_submit`` and ``honeypot_filled`` in the
        form's cleaned ``data``), and the given text and fields."""
        from treffpunkt.core.participants import submitting_participant

        origin = Origin.from_request(
            request,
            seconds_to_submit=data.get("seconds_to_submit"),
            honeypot_filled=bool(data.get("honeypot_filled")),
        )
        return cls(participant=submitting_participant(request), text=text, origin=origin, **fields)

    def replace(self, **changes: Any) -> Submission:
        return dataclasses.replace(self, **changes)

    @property
    def is_from_form(self) -> bool:
        return self.source == Source.FORM


class Refused(Exception):
    """A submission that cannot be taken. ``message`` is for the sender, in their language;
    ``status`` the HTTP status to answer with; ``field`` the form field it concerns."""

    def __init__(self, message: str, status: int = 400, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


@dataclass(frozen=True)
class Stored(Generic[T]):
    """What a destination stored: the item, its id, and the reasons of the place's own
    rules when they held an item the filter would have published."""

    item: T
    object_id: int
    held_by: Sequence[Reason] = ()


class Destination(Protocol[T]):
    """Where submissions go: an event's wall, a post's comments."""

    @property
    def item_kind(self) -> str:
        """The ItemKind recorded with each check (wall_post, comment)."""

    @property
    def blocked_message(self) -> str:
        """The sentence a blocked participant reads."""

    def prepare(self, submission: Submission) -> Submission:
        """Clean the submission and apply the place's rules; raise Refused to refuse.

        Runs before the check and outside any transaction."""

    def words_to_hold(self) -> Sequence[str]:
        """The place's own word list, on top of the site's."""

    def store(self, submission: Submission, check: CheckResult) -> Stored[T]:
        """Store the item with the check's verdict, inside the pipeline's transaction;
        register side effects with ``transaction.on_commit``."""


def submit(submission: Submission, destination: Destination[T]) -> T:
    """Check, store and announce one submission; see the module docstring.

    Raises Refused (nothing stored) when it cannot be taken; a destination may raise its
    own exceptions from ``store`` (a double submit), which roll everything back.
    """
    if submission.participant.is_blocked:
        raise Refused(str(destination.blocked_message), 403)
    submission = destination.prepare(submission)
    check = check_submission(submission, destination.item_kind, destination.words_to_hold())
    try:
        with transaction.atomic():
            remember_sender(submission)
            stored = destination.store(submission, check)
            record_check(check, stored.object_id, stored.held_by)
    except (DatabaseError, OSError) as error:
        # A full disk, a file-size limit, an unwritable uploads folder: the transaction
        # rolled back and nothing was stored, so the sender may simply send it again
        # (tests/test_faults.py fills a real disk and compares answers with rows).
        logger.error("Could not store a %s: %s", destination.item_kind, error)
        if isinstance(error, IntegrityError):
            raise
        raise Refused(
            str(
                _(
                    "We could not store this just now. Nothing was saved; please send it "
                    "again in a minute."
                )
            ),
            503,
        ) from None
    return stored.item


def check_submission(
    submission: Submission, item_kind: str, words_to_hold: Sequence[str] = ()
) -> CheckResult:
    """The moderation check with every signal the submission carries."""
    origin = submission.origin
    return check_content(
        text=submission.text,
        participant=submission.participant,
        kind=item_kind,
        source=submission.source,
        ip_address=origin.ip_address,
        words_to_hold=list(words_to_hold),
        seconds_to_submit=origin.seconds_to_submit,
        honeypot_filled=origin.honeypot_filled,
        author_name=submission.author_name,
        author_email=submission.email,
        author_url=submission.website,
        user_agent=origin.user_agent,
        context_url=submission.context_url,
        server=submission.server,
        account_created_at=submission.account_created_at,
    )


def remember_sender(submission: Submission) -> None:
    """Store a new guest, and the name and address a guest gave (a device remembers them).

    Called inside the transaction that stores the item, so nothing of a refused submission
    is kept. Members' names come from their account; remote actors' from their server.
    """
    participant = submission.participant
    if participant.kind != Participant.Kind.GUEST:
        return
    name_length = Participant._meta.get_field("display_name").max_length or 80
    changes: dict[str, str] = {}
    if submission.author_name:
        changes["display_name"] = submission.author_name[:name_length]
    if submission.email:
        changes["email"] = submission.email
    if participant.pk is None:
        stored = _store_new_guest(participant, changes)
        if stored:
            return
    changed = [name for name, value in changes.items() if getattr(participant, name) != value]
    if changed:
        for name in changed:
            setattr(participant, name, changes[name])
        participant.save(update_fields=changed)


def _store_new_guest(participant: Participant, details: dict[str, str]) -> bool:
    """Save a guest seen for the first time; False if another request from the same device
    stored it a moment ago (``participant`` then stands for that row)."""
    for name, value in details.items():
        setattr(participant, name, value)
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError:
        existing = Participant.objects.get(
            kind=Participant.Kind.GUEST, device_id=participant.device_id
        )
        participant.pk = existing.pk
        participant._state.adding = False
        for name in ("display_name", "email", "created_at", "blocked_at"):
            setattr(participant, name, getattr(existing, name))
        return False
    return True
