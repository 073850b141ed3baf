"""Comments on blog posts, and the email subscriptions for replies to them.

A comment keeps the name, email address and website its writer gave; the email address
is never shown publicly (not in pages, feeds or JSON), only to moderators.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treffpunkt.blog.models import Post
from treffpunkt.core.models import Participant

MAX_BODY = 10_000
MAX_NAME = 100


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")
        TRASH = "trash", _("Trash")

    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="comments"
    )
    # A reply whose parent is deleted for good moves up to the top level.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
    )
    # 1 for a comment on the post, 2 for a reply to it, and so on.
    depth = models.PositiveSmallIntegerField(default=1, editable=False)
    # Empty after the writer's personal data was erased.
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    author_name = models.CharField(_("name"), max_length=MAX_NAME, blank=True)
    # Stored lowercased; never rendered publicly.
    email = models.EmailField(_("email (never shown)"), blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    body = models.TextField(_("comment"), max_length=MAX_BODY)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # The post's author or a blog author/moderator wrote it (shown as a badge).
    by_staff = models.BooleanField(_("written by the blog's team"), default=False)
    # The writer agreed that the comment (name, website and text) also goes to the blog's
    # followers in the fediverse; off unless ticked on the form.
    federate = models.BooleanField(_("also sent to the fediverse"), default=False)
    moderation_score = models.FloatField(default=0.0)
    moderation_reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    # Set once subscribers of the parent were told about this reply, so they hear it once.
    replies_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set once the post's authors were told about this comment (several arrive as one email).
    author_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["post", "status", "created_at"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["participant", "post", "created_at"]),
            # A returning commenter (same address, approved before) and a double submit
            # are found by address; both stay fast however many comments a post has.
            models.Index(fields=["email", "status"]),
            models.Index(fields=["email", "post", "created_at"]),
            models.Index(fields=["post", "author_notified_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#comment-{self.pk}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class Subscription(models.Model):
    """An email address that wants to hear about replies to one comment."""

    comment = models.ForeignKey(
        Comment,
        verbose_name=_("comment"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    email = models.EmailField(_("email"))
    created_at = models.DateTimeField(_("since"), default=timezone.now)
    # Replies are emailed only once the address confirmed it wants them (double opt-in), so
    # nobody can sign up someone else's address by typing it into the form.
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("reply subscription")
        verbose_name_plural = _("reply subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["comment", "email"], name="subscription_unique")
        ]

    def __str__(self) -> str:
        return f"{self.comment_id}"


class OwnDataLink(models.Model):
    """A link emailed to a commenter to see, download or erase their data.

    The link carries only a random token; the database keeps its SHA-256 (so a copy of the
    database opens no link) and the address it stands for. Erasing the data empties the
    address, and the link then says nothing is stored any more. Expired rows are removed
    when the next link is sent.
    """

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    email = models.EmailField(_("email"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("own-data link")
        verbose_name_plural = _("own-data links")

    def __str__(self) -> str:
        return f"{self.pk}"
