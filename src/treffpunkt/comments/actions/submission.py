"""Taking a comment: cleaning what was typed, the rules WordPress applies, storing it.

A comment arrives as a ``Submission`` (``moderation.submissions``) from the "Leave a reply"
form, from an author answering in the queue, or from the fediverse; ``submit_comment`` hands
it to the one pipeline with the post's comments as its destination (``CommentThread``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from treffpunkt.blog.models import Post
from treffpunkt.comments import queries
from treffpunkt.comments.actions.moderation import moderate_comment, thread_changed
from treffpunkt.comments.models import MAX_BODY, MAX_NAME, Comment, Subscription
from treffpunkt.comments.permissions import can_moderate_comments_of
from treffpunkt.core import changes
from treffpunkt.core.actions import participant_for_member
from treffpunkt.core.models import Participant
from treffpunkt.core.text import clean_text
from treffpunkt.moderation.actions import CheckResult, Reason, find_links
from treffpunkt.moderation.models import ItemKind, Verdict
from treffpunkt.moderation.submissions import Refused, Stored, Submission, submit

# WordPress holds a comment with this many links (its "comment_max_links" default).
LINKS_TO_HOLD = 2
# The same text from the same person within this time is a double submit, not a new comment.
DUPLICATE_WINDOW = timedelta(minutes=10)
WEBSITE_VALIDATOR = URLValidator(schemes=["http", "https"])


class Duplicate(Exception):
    """The same comment was sent a moment ago; ``comment`` is the first copy."""

    def __init__(self, comment: Comment) -> None:
        super().__init__(f"duplicate of comment {comment.pk}")
        self.comment = comment


def closed_reason(post: Post) -> str | None:
    """Why a post takes no comments (in the visitor's language), or None when it does."""
    if not post.comments_open:
        return _("Comments on this post are closed.")
    days = post.blog.close_comments_after_days
    if days and post.published_at and post.published_at < timezone.now() - timedelta(days=days):
        return _("Comments close %(days)s days after a post is published; this one is older.") % {
            "days": days
        }
    return None


# --- cleaning -------------------------------------------------------------------------


def clean_body(body: str) -> str:
    body = clean_text(body or "")
    if not body:
        raise Refused(_("Please write a comment first."), field="body")
    if len(body) > MAX_BODY:
        raise Refused(
            _("Your comment has %(length)s characters; at most %(max)s fit.")
            % {"length": len(body), "max": MAX_BODY},
            field="body",
        )
    return body


def clean_name(name: str) -> str:
    name = " ".join(clean_text(name or "").split())
    if not name:
        raise Refused(_("Please give your name."), field="author_name")
    if len(name) > MAX_NAME:
        raise Refused(
            _("Please shorten your name to at most %(max)s characters.") % {"max": MAX_NAME},
            field="author_name",
        )
    return name


def clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not email:
        raise Refused(_("Please give your email address."), field="email")
    try:
        validate_email(email)
    except ValidationError:
        raise Refused(
            _("Please check your email address; it should look like name@example.org."),
            field="email",
        ) from None
    return email


def clean_website(website: str) -> str:
    """An http(s) address, or empty. "example.org" becomes "https://example.org"."""
    website = (website or "").strip()
    if not website:
        return ""
    scheme, sep, _rest = website.partition(":")
    if sep and scheme.isascii() and scheme.replace("+", "").replace("-", "").isalnum():
        if scheme.lower() not in ("http", "https"):
            raise Refused(
                _("Your website must be an address starting with http:// or https://."),
                field="website",
            )
    elif "://" not in website:
        website = f"https://{website}"
    if len(website) > 200:
        raise Refused(
            _("Your website address is too long (at most 200 characters)."), field="website"
        )
    try:
        WEBSITE_VALIDATOR(website)
    except ValidationError:
        raise Refused(
            _("Your website must be an address starting with http:// or https://."),
            field="website",
        ) from None
    return website


# --- taking a comment -----------------------------------------------------------------


class CommentThread:
    """A post's comments as a destination of the submission pipeline: WordPress's rules
    (first-time commenters and comments with links wait), threading, notifications."""

    item_kind = ItemKind.COMMENT

    def __init__(
        self,
        post: Post,
        *,
        parent_id: int | None = None,
        subscribe: bool = False,
        federate: bool = False,
    ):
        self.post = post
        self.parent_id = parent_id
        self.subscribe = subscribe
        self.federate = federate
        self.parent: Comment | None = None
        self.staff = False

    @property
    def blocked_message(self) -> str:
        return _("You cannot comment here any more. Please contact the site.")

    def prepare(self, submission: Submission) -> Submission:
        post = self.post
        if not post.is_visible:
            raise Refused(_("This post is not published, so it takes no comments."), 404)
        closed = closed_reason(post)
        if closed:
            raise Refused(closed, 403)
        participant = submission.participant
        user = participant.user if participant.kind == Participant.Kind.MEMBER else None
        body = clean_body(submission.text)
        if user is not None:
            # Members write under their own name and address.
            author_name, email = user.public_name[:MAX_NAME], user.email.lower()
        elif participant.kind == Participant.Kind.REMOTE:
            # Fediverse accounts have a name and a handle, never an address.
            author_name = clean_name(submission.author_name or participant.public_name)
            email = ""
        else:
            author_name, email = clean_name(submission.author_name), clean_email(submission.email)
        self.parent = _parent_for_reply(post, self.parent_id)
        self.staff = user is not None and (
            post.author_id == user.pk or can_moderate_comments_of(user, post.blog)
        )
        return submission.replace(
            text=body,
            author_name=author_name,
            email=email,
            website=clean_website(submission.website),
        )

    def words_to_hold(self) -> list[str]:
        return []

    def store(self, submission: Submission, check: CheckResult) -> Stored[Comment]:
        post, participant = self.post, submission.participant
        if connection.features.has_select_for_update:
            # One comment at a time per post, so a double click cannot slip in twice.
            Post.objects.select_for_update().filter(pk=post.pk).values_list("pk").first()
        standing = queries.sender_standing(
            post_id=post.pk,
            participant_id=participant.pk,
            email=submission.email,
            author_name=submission.author_name,
            body=submission.text,
            since=timezone.now() - DUPLICATE_WINDOW,
            by_participant=participant.kind == Participant.Kind.REMOTE,
        )
        if standing.duplicate_id is not None:
            raise Duplicate(Comment.objects.get(pk=standing.duplicate_id))
        status, reasons = _initial_status(
            check.verdict, staff=self.staff, body=submission.text, returning=standing.returning
        )
        parent = self.parent
        comment = Comment.objects.create(
            post=post,
            parent=parent,
            depth=parent.depth + 1 if parent else 1,
            participant=participant,
            author_name=submission.author_name,
            email=submission.email,
            website=submission.website,
            body=submission.text,
            status=status,
            by_staff=self.staff,
            federate=self.federate,
            created_at=submission.published_at or timezone.now(),
            moderation_score=round(check.score, 3),
            moderation_reasons=check.reasons_json + [reason.as_json() for reason in reasons],
        )
        if self.subscribe and submission.email:
            _subscribe(comment, submission.email, confirmed=participant.user_id is not None)
        thread_changed(post.pk)
        if status == Comment.Status.APPROVED:
            changes.announce("comment", "approved", comment.pk, post=post.pk)
        transaction.on_commit(lambda: _notify_new(comment, post.blog.notify_authors))
        held_by_rules = status == Comment.Status.PENDING and check.verdict == Verdict.PUBLISH
        return Stored(comment, comment.pk, reasons if held_by_rules else [])


def submit_comment(
    post: Post,
    submission: Submission,
    *,
    parent_id: int | None = None,
    subscribe: bool = False,
    federate: bool = False,
) -> Comment:
    """Take a comment on a post: check it, decide its status, store it, notify after commit.
    ``federate``: the writer agreed that it also goes to the blog's fediverse followers.

    Raises Refused (with a message for the visitor and an HTTP status) when the comment
    cannot be taken, and Duplicate when the same text came from the same person a moment
    ago; nothing is stored then.
    """
    return submit(
        submission,
        CommentThread(post, parent_id=parent_id, subscribe=subscribe, federate=federate),
    )


def revise_comment(comment: Comment, submission: Submission) -> Comment:
    """The writer changed their comment (a fediverse ``Update``): the new text is cleaned
    and checked again like a new comment; one the filter now holds or calls spam leaves the
    public thread until a moderator looks at it."""
    from treffpunkt.moderation.submissions import check_submission

    body = clean_body(submission.text)
    check = check_submission(submission.replace(text=body), ItemKind.COMMENT)
    was_public = comment.status == Comment.Status.APPROVED
    if check.verdict == Verdict.SPAM:
        comment.status = Comment.Status.SPAM
    elif check.verdict == Verdict.HOLD and was_public:
        comment.status = Comment.Status.PENDING
    comment.body = body
    comment.edited_at = timezone.now()
    comment.moderation_score = round(check.score, 3)
    comment.moderation_reasons = check.reasons_json
    with transaction.atomic():
        comment.save(
            update_fields=["body", "edited_at", "status", "moderation_score", "moderation_reasons"]
        )
        thread_changed(comment.post_id)
        is_public = comment.status == Comment.Status.APPROVED
        verb = "edited" if is_public == was_public else "removed"
        changes.announce(
            "comment", verb, comment.pk, public_pages=was_public or is_public, post=comment.post_id
        )
    return comment


def reply_as_author(parent: Comment, *, user: object, body: str) -> Comment:
    """An author or moderator answers a comment from the queue: the reply shows at once,
    and a held comment they answer is approved with it (as WordPress does)."""
    body = clean_body(body)
    post = parent.post
    if parent.status != Comment.Status.APPROVED:
        moderate_comment(parent, "approve", user)
        parent.status = Comment.Status.APPROVED
    # At the deepest level the answer goes next to the comment rather than under it.
    if parent.depth < post.blog.comment_depth:
        target_id: int | None = parent.pk
    else:
        target_id = parent.parent_id
    participant = participant_for_member(user)  # type: ignore[arg-type]
    return submit_comment(post, Submission(participant=participant, text=body), parent_id=target_id)


def _parent_for_reply(post: Post, parent_id: int | None) -> Comment | None:
    if not parent_id:
        return None
    parent = Comment.objects.filter(pk=parent_id).only("pk", "post_id", "status", "depth").first()
    if parent is None or parent.status in (Comment.Status.TRASH, Comment.Status.SPAM):
        raise Refused(_("The comment you answered has been removed."), 410, field="parent")
    if parent.post_id != post.pk:
        raise Refused(_("The comment you answered belongs to another post."), 400, "parent")
    if parent.status != Comment.Status.APPROVED:
        raise Refused(
            _("The comment you answered is still waiting for moderation; please try later."),
            400,
            "parent",
        )
    if parent.depth >= post.blog.comment_depth:
        raise Refused(
            _("Replies cannot nest any deeper here. Please answer the comment above it."),
            400,
            "parent",
        )
    return parent


def _initial_status(
    verdict: str, *, staff: bool, body: str, returning: bool
) -> tuple[str, list[Reason]]:
    if verdict == Verdict.SPAM:
        return Comment.Status.SPAM, []
    if staff:
        return Comment.Status.APPROVED, []
    reasons: list[Reason] = []
    links = len(find_links(body))
    if links >= LINKS_TO_HOLD:
        reasons.append(Reason(gettext_noop("%(count)s links"), {"count": links}))
    # A returning commenter gives the same name and email as an approved comment (as in
    # WordPress): knowing someone's address alone does not let a stranger skip the queue.
    if not returning:
        reasons.append(Reason(gettext_noop("first comment under this name and email address")))
    if verdict == Verdict.HOLD or reasons:
        return Comment.Status.PENDING, reasons
    return Comment.Status.APPROVED, reasons


def _subscribe(comment: Comment, email: str, *, confirmed: bool) -> None:
    """Reply emails for this comment's writer; a member's own address is known to be
    theirs, a guest confirms by email first."""
    from treffpunkt.comments.actions.notifications import enqueue_confirmation

    subscription, _created = Subscription.objects.get_or_create(
        comment=comment,
        email=email,
        defaults={"confirmed_at": timezone.now() if confirmed else None},
    )
    if subscription.confirmed_at is None:
        transaction.on_commit(lambda: enqueue_confirmation(subscription.pk))


def _notify_new(comment: Comment, notify_authors: bool) -> None:
    from treffpunkt.comments import tasks

    if notify_authors and comment.status in (Comment.Status.PENDING, Comment.Status.APPROVED):
        schedule_author_digest(comment.post_id)
    if comment.status == Comment.Status.APPROVED:
        tasks.notify_subscribers.enqueue(comment.pk)


def schedule_author_digest(post_id: int) -> None:
    """Have the authors told about the post's new comments, several in one email.

    With a delay (``COMMENT_NOTIFY_DELAY_SECONDS``), the first comment schedules the email
    and the comments arriving in the next half of the delay ride along; a comment after
    that schedules the next one. The email task claims what is unannounced when it runs,
    so a second task finds nothing and sends nothing: no comment is announced twice or
    forgotten, also with several server processes each keeping its own cache.
    """
    from treffpunkt.comments import tasks

    task = tasks.notify_authors_of_post
    delay = settings.COMMENT_NOTIFY_DELAY_SECONDS
    if delay <= 0 or not task.get_backend().supports_defer:
        task.enqueue(post_id)
        return
    if cache.add(f"treffpunkt:comment-digest:{post_id}", True, timeout=max(1, delay // 2)):
        task.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(post_id)
