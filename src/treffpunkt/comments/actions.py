"""Writes for comments: taking a comment, moderating it, notifying by email, privacy tools.

Views, the queue, the fediverse inbox and commands call these; nothing saves a comment
elsewhere. Every comment passes the site's moderation check (``check_content``); the rules
WordPress applies come on top (first-time commenters and comments with links are held).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import URLValidator, validate_email
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from treffpunkt.blog.models import Blog, Post
from treffpunkt.core.models import Participant
from treffpunkt.core.text import clean_text
from treffpunkt.moderation.actions import (
    Reason,
    check_content,
    find_links,
    record_check,
    record_decision,
)
from treffpunkt.moderation.models import Decision, ItemKind, Verdict

from . import queries
from .models import MAX_BODY, MAX_NAME, Comment, Subscription

# WordPress holds a comment with this many links (its "comment_max_links" default).
LINKS_TO_HOLD = 2
# The same text from the same person within this time is a double submit, not a new comment.
DUPLICATE_WINDOW = timedelta(minutes=10)
UNSUBSCRIBE_SALT = "treffpunkt.comments.unsubscribe"
CONFIRM_SALT = "treffpunkt.comments.confirm"
CONFIRMATION_INTERVAL = timedelta(hours=1)
CONFIRMATION_MAX_AGE = 60 * 60 * 24 * 7
WEBSITE_VALIDATOR = URLValidator(schemes=["http", "https"])


class Refused(Exception):
    """A comment that cannot be taken; the message is for the visitor, in their language."""

    def __init__(self, message: str, status: int = 400, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


class Duplicate(Exception):
    """The same comment was sent a moment ago; ``comment`` is the first copy."""

    def __init__(self, comment: Comment) -> None:
        super().__init__(f"duplicate of comment {comment.pk}")
        self.comment = comment


# --- who may do what ------------------------------------------------------------------


def can_moderate_blog(user: Any, blog: Blog) -> bool:
    """Moderators and admins moderate every blog's comments, authors their own blogs'."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or user.is_moderator:
        return True
    return bool(user.is_author and blog.authors.filter(pk=user.pk).exists())


def can_moderate(user: Any, comment: Comment) -> bool:
    """Whoever moderates the blog; a former author of a post no longer does."""
    return can_moderate_blog(user, comment.post.blog)


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


def submit_comment(
    *,
    post: Post,
    participant: Participant,
    body: str,
    author_name: str = "",
    email: str = "",
    website: str = "",
    parent_id: int | None = None,
    subscribe: bool = False,
    ip_address: str = "",
) -> Comment:
    """Take a comment on a post: check it, decide its status, store it, notify after commit.

    Members write under their own name and address. Raises Refused (with a message for the
    visitor and an HTTP status) when the comment cannot be taken, and Duplicate when the
    same text came from the same person a moment ago.
    """
    if not post.is_visible:
        raise Refused(_("This post is not published, so it takes no comments."), 404)
    closed = closed_reason(post)
    if closed:
        raise Refused(closed, 403)
    if participant.is_blocked:
        raise Refused(_("You cannot comment here any more. Please contact the site."), 403)
    user = participant.user if participant.kind == Participant.Kind.MEMBER else None
    body = clean_body(body)
    if user is not None:
        author_name, email = user.public_name[:MAX_NAME], user.email.lower()
    else:
        author_name, email = clean_name(author_name), clean_email(email)
    website = clean_website(website)
    parent = _parent_for_reply(post, parent_id)
    staff = user is not None and (post.author_id == user.pk or can_moderate_blog(user, post.blog))

    # The check may take a moment (the model, or Akismet when it is on); it runs before the
    # write transaction, so it never holds up other writers.
    result = check_content(
        text=body,
        participant=participant,
        kind=ItemKind.COMMENT,
        ip_address=ip_address,
        words_to_hold=[],
    )
    with transaction.atomic():
        if connection.features.has_select_for_update:
            # One comment at a time per post, so a double click cannot slip in twice.
            Post.objects.select_for_update().filter(pk=post.pk).values_list("pk").first()
        standing = queries.sender_standing(
            post_id=post.pk,
            participant_id=participant.pk,
            email=email,
            author_name=author_name,
            body=body,
            since=timezone.now() - DUPLICATE_WINDOW,
        )
        if standing.duplicate_id is not None:
            raise Duplicate(Comment.objects.get(pk=standing.duplicate_id))
        status, reasons = _initial_status(
            result.verdict, staff=staff, body=body, returning=standing.returning
        )
        name_field = Participant._meta.get_field("display_name")
        guest_name = author_name[: name_field.max_length]
        if participant.pk is None:
            # A new device (core.actions.new_guest) is stored with its first comment.
            participant.display_name, participant.email = guest_name, email
            participant.save()
        elif user is None and (participant.display_name, participant.email) != (guest_name, email):
            # The guest's name and address as last given, kept only with a stored comment.
            participant.display_name, participant.email = guest_name, email
            participant.save(update_fields=["display_name", "email"])
        comment = Comment.objects.create(
            post=post,
            parent=parent,
            depth=parent.depth + 1 if parent else 1,
            participant=participant,
            author_name=author_name,
            email=email,
            website=website,
            body=body,
            status=status,
            by_staff=staff,
            moderation_score=round(result.score, 3),
            moderation_reasons=result.reasons_json + [reason.as_json() for reason in reasons],
        )
        held_by_rules = status == Comment.Status.PENDING and result.verdict == Verdict.PUBLISH
        record_check(result, comment.pk, reasons if held_by_rules else [])
        if subscribe and email:
            # A member's own address is known to be theirs; a guest confirms by email.
            subscription, _created = Subscription.objects.get_or_create(
                comment=comment,
                email=email,
                defaults={"confirmed_at": timezone.now() if user is not None else None},
            )
            if subscription.confirmed_at is None:
                transaction.on_commit(lambda: _enqueue_confirmation(subscription.pk))
        _thread_changed(post.pk)
        transaction.on_commit(lambda: _notify_new(comment, post.blog.notify_authors))
    return comment


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


# --- moderation -----------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    status: str
    decision: str


MOVES = {
    "approve": Move(Comment.Status.APPROVED, Decision.Action.APPROVE),
    "unapprove": Move(Comment.Status.PENDING, Decision.Action.HIDE),
    "spam": Move(Comment.Status.SPAM, Decision.Action.SPAM),
    "not_spam": Move(Comment.Status.APPROVED, Decision.Action.NOT_SPAM),
    "trash": Move(Comment.Status.TRASH, Decision.Action.HIDE),
}
ACTIONS = [*MOVES, "delete"]


def moderate_comment(comment: Comment, action: str, moderator: Any, reason: str = "") -> Comment:
    """Approve, unapprove, mark as spam or not, or trash a comment; the decision is logged.

    Subscribers of the parent hear about a reply the first time it is approved.
    """
    if action == "delete":
        delete_comment(comment, moderator, reason)
        return comment
    if action not in MOVES:
        raise ValueError(f"Unknown comment action {action!r}")
    move = MOVES[action]
    with transaction.atomic():
        changed = (
            Comment.objects.filter(pk=comment.pk)
            .exclude(status=move.status)
            .update(status=move.status)
        )
        comment.status = move.status
        if not changed:  # a double click: logged (and learned from) once
            return comment
        _log(comment, move.decision, moderator, reason)
        if move.status == Comment.Status.APPROVED and comment.replies_notified_at is None:
            comment_id = comment.pk
            transaction.on_commit(lambda: _enqueue_reply_notice(comment_id))
    return comment


def delete_comment(comment: Comment, moderator: Any, reason: str = "") -> None:
    """Delete a comment for good (its replies move up a level); the decision is logged."""
    with transaction.atomic():
        _log(comment, Decision.Action.DELETE, moderator, reason)
        Comment.objects.filter(parent=comment).update(parent=comment.parent_id)
        comment.delete()


def bulk_moderate(comments: Iterable[Comment], action: str, moderator: Any) -> int:
    """Apply one action to several comments (already filtered to those the moderator may
    moderate); returns how many were changed."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown comment action {action!r}")
    count = 0
    with transaction.atomic():
        for comment in comments:
            moderate_comment(comment, action, moderator)
            count += 1
    return count


def edit_comment(
    comment: Comment, *, editor: Any, body: str, author_name: str, website: str = ""
) -> Comment:
    """A moderator corrects a comment's text, name or website."""
    comment.body = clean_body(body)
    comment.author_name = clean_name(author_name)
    comment.website = clean_website(website)
    comment.edited_at = timezone.now()
    with transaction.atomic():
        comment.save(update_fields=["body", "author_name", "website", "edited_at"])
        _thread_changed(comment.post_id)
    return comment


def reply_as_author(parent: Comment, *, user: Any, body: str) -> Comment:
    """An author or moderator answers a comment from the queue: the reply shows at once,
    and a held comment they answer is approved with it (as WordPress does)."""
    from treffpunkt.core.actions import participant_for_member

    body = clean_body(body)
    post = parent.post
    # At the deepest level the answer goes next to the comment rather than under it.
    target = parent if parent.depth < post.blog.comment_depth else parent.parent or parent
    participant = participant_for_member(user)
    with transaction.atomic():
        if parent.status != Comment.Status.APPROVED:
            moderate_comment(parent, "approve", user)
        result = check_content(
            text=body, participant=participant, kind=ItemKind.COMMENT, words_to_hold=[]
        )
        reply = Comment.objects.create(
            post=post,
            parent=target,
            depth=min(target.depth + 1, post.blog.comment_depth),
            participant=participant,
            author_name=user.public_name[:MAX_NAME],
            email=user.email.lower(),
            body=body,
            status=Comment.Status.APPROVED,
            by_staff=True,
            moderation_score=round(result.score, 3),
            moderation_reasons=result.reasons_json,
        )
        record_check(result, reply.pk)
        _thread_changed(post.pk)
        reply_id = reply.pk
        transaction.on_commit(lambda: _enqueue_reply_notice(reply_id))
    return reply


def _thread_changed(post_id: int) -> None:
    """Rendered copies of the post's public thread are no longer used: at once, and again
    after the commit (a reader in between may have stored the thread as it was)."""
    queries.forget_thread(post_id)
    transaction.on_commit(lambda: queries.forget_thread(post_id))


def _log(comment: Comment, action: str, moderator: Any, reason: str) -> None:
    _thread_changed(comment.post_id)
    record_decision(
        kind=ItemKind.COMMENT,
        object_id=comment.pk,
        action=action,
        moderator=moderator,
        participant=comment.participant,
        text=comment.body,
        reason=reason,
    )


def _enqueue_reply_notice(comment_id: int) -> None:
    from treffpunkt.comments import tasks

    tasks.notify_subscribers.enqueue(comment_id)


# --- emails ---------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def unsubscribe_token(subscription: Subscription) -> str:
    return signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def _enqueue_confirmation(subscription_id: int) -> None:
    from treffpunkt.comments import tasks

    tasks.confirm_subscription.enqueue(subscription_id)


def confirmation_token(email: str) -> str:
    return signing.dumps(email, salt=CONFIRM_SALT, compress=True)


def send_subscription_confirmation(subscription_id: int) -> int:
    """Ask an address whether it wants reply emails; at most one such email an hour."""
    subscription = (
        Subscription.objects.select_related("comment__post__blog")
        .filter(pk=subscription_id, confirmed_at__isnull=True)
        .first()
    )
    if subscription is None:
        return 0
    recently = Subscription.objects.filter(
        email=subscription.email,
        confirmation_sent_at__gte=timezone.now() - CONFIRMATION_INTERVAL,
    )
    if recently.exists():
        return 0  # the link in that email confirms this one too
    Subscription.objects.filter(pk=subscription.pk).update(confirmation_sent_at=timezone.now())
    post = subscription.comment.post
    context = {
        "post": post,
        "confirm_url": absolute_url(
            reverse("comments:confirm", args=[confirmation_token(subscription.email)])
        ),
    }
    with translation.override(post.blog.language):
        subject = render_to_string("comments/email/confirm_subject.txt", context).strip()
        text = render_to_string("comments/email/confirm.txt", context)
    EmailMultiAlternatives(subject, text, to=[subscription.email]).send()
    return 1


def email_for_confirmation(token: str) -> str | None:
    """The address a confirmation link stands for, or None for a forged or old link."""
    try:
        value = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) else None


def confirm_subscriptions(email: str) -> int:
    """The address confirmed it wants reply emails: all its waiting subscriptions start."""
    return Subscription.objects.filter(email=email, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )


def subscription_for_token(token: str) -> int | None:
    """The subscription id a token stands for, or None for a forged or broken token."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe(subscription_id: int) -> bool:
    """End one reply subscription; False if it had ended already."""
    deleted, _detail = Subscription.objects.filter(pk=subscription_id).delete()
    return bool(deleted)


def send_author_notification(post_id: int) -> int:
    """Email the post's author about its comments not announced yet; returns mails sent.

    One email for one comment or several; the author's own comments and comments that
    were removed meanwhile are not announced.
    """
    with transaction.atomic():
        # Claimed by whichever task comes first: rows another task has locked are skipped
        # (SQLite runs one write transaction at a time anyway).
        waiting = Comment.objects.select_for_update(skip_locked=True).filter(
            post_id=post_id, author_notified_at__isnull=True
        )
        ids = list(waiting.values_list("pk", flat=True))
        Comment.objects.filter(pk__in=ids).update(author_notified_at=timezone.now())
    if not ids:
        return 0
    post = Post.objects.select_related("blog", "author").get(pk=post_id)
    author = post.author
    if not author.is_active or not author.email:
        return 0
    comments = list(
        Comment.objects.filter(
            pk__in=ids, status__in=[Comment.Status.PENDING, Comment.Status.APPROVED]
        )
        .exclude(email=author.email.lower())
        .order_by("created_at", "pk")
    )
    if not comments:
        return 0
    with translation.override(post.blog.language):
        context = {
            "comments": [
                {"comment": comment, "url": absolute_url(comment.get_absolute_url())}
                for comment in comments
            ],
            "count": len(comments),
            "pending": sum(comment.status == Comment.Status.PENDING for comment in comments),
            "post": post,
            "post_url": absolute_url(post.get_absolute_url()),
            "queue_url": absolute_url(reverse("comments:queue") + "?status=pending"),
        }
        subject = render_to_string("comments/email/new_comment_subject.txt", context).strip()
        text = render_to_string("comments/email/new_comment.txt", context)
    EmailMultiAlternatives(subject, text, to=[author.email]).send()
    return 1


def send_reply_notifications(comment_id: int) -> int:
    """Email the subscribers of a comment's parent about this approved reply, once."""
    with transaction.atomic():
        claimed = Comment.objects.filter(
            pk=comment_id,
            status=Comment.Status.APPROVED,
            parent__isnull=False,
            replies_notified_at__isnull=True,
        ).update(replies_notified_at=timezone.now())
    if not claimed:
        return 0
    reply = Comment.objects.select_related("post__blog", "parent").get(pk=comment_id)
    assert reply.parent is not None  # noqa: S101 - filtered above
    subscriptions = Subscription.objects.filter(
        comment=reply.parent, confirmed_at__isnull=False
    ).exclude(email=reply.email)
    sent = 0
    with translation.override(reply.post.blog.language):
        for subscription in subscriptions:
            unsubscribe_url = absolute_url(
                reverse("comments:unsubscribe", args=[unsubscribe_token(subscription)])
            )
            context = {
                "reply": reply,
                "parent": reply.parent,
                "post": reply.post,
                "reply_url": absolute_url(reply.get_absolute_url()),
                "unsubscribe_url": unsubscribe_url,
            }
            subject = render_to_string("comments/email/reply_subject.txt", context).strip()
            text = render_to_string("comments/email/reply.txt", context)
            message = EmailMultiAlternatives(
                subject,
                text,
                to=[subscription.email],
                headers={
                    "List-Unsubscribe": f"<{unsubscribe_url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
            message.send()
            sent += 1
    return sent


# --- privacy --------------------------------------------------------------------------


DATA_LINK_SALT = "treffpunkt.comments.own-data"
DATA_LINK_MAX_AGE = 60 * 60 * 24
# One link per address in this time, however often someone asks for it.
DATA_LINK_INTERVAL_SECONDS = 10 * 60


def send_own_data_link(email: str) -> bool:
    """Email an address a link to see, download or erase what is stored for it.

    Sent only when comments or reply subscriptions exist for the address, and at most once
    in ten minutes, so the form cannot be used to send mail to strangers; the visitor sees
    the same answer either way. The email is in the visitor's current language.
    """
    email = clean_email(email)
    has_data = (
        Comment.objects.filter(email=email).exists()
        or Subscription.objects.filter(email=email).exists()
    )
    key = "treffpunkt:own-data-link:" + signing.Signer(salt=DATA_LINK_SALT).signature(email)
    if not has_data or not cache.add(key, True, timeout=DATA_LINK_INTERVAL_SECONDS):
        return False
    token = signing.dumps(email, salt=DATA_LINK_SALT, compress=True)
    context = {"data_url": absolute_url(reverse("comments:own_data", args=[token]))}
    subject = render_to_string("comments/email/own_data_subject.txt", context).strip()
    text = render_to_string("comments/email/own_data.txt", context)
    EmailMultiAlternatives(subject, text, to=[email]).send()
    return True


def email_for_own_data(token: str) -> str | None:
    """The address an own-data link stands for, or None for a forged or day-old link."""
    try:
        value = signing.loads(token, salt=DATA_LINK_SALT, max_age=DATA_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) else None


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
            _thread_changed(post_id)
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
    return {"comments": changed, "subscriptions": subscriptions, "guests": guests}
