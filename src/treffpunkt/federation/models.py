"""The fediverse's rows: our actors and their keys, remote actors, followers, the inbox,
deliveries, servers, blocks, and what remote objects became here.

Incoming activities are verified and stored as an ``InboxItem`` before anything else
happens; outgoing ones are an ``Activity`` with one ``Delivery`` per target inbox, sent
and signed by the worker (``federation.delivery``). Nothing is lost when a process dies:
every step is a row with a status.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treffpunkt.blog.models import Blog, Post
from treffpunkt.comments.models import Comment
from treffpunkt.core.models import Participant


class LocalActor(models.Model):
    """One of our actors: a blog, or the instance itself (the ``Application`` that signs
    fetches, FEP-2677). Its id (``/ap/actors/<pk>``) never changes, also when the blog is
    renamed: the old handle is looked up through the blog's old addresses."""

    class Kind(models.TextChoices):
        BLOG = "blog", _("blog")
        INSTANCE = "instance", _("instance")
        EVENT = "event", _("event")

    class ActorType(models.TextChoices):
        PERSON = "Person", _("person")
        ORGANIZATION = "Organization", _("organization")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BLOG)
    blog = models.OneToOneField(
        Blog,
        verbose_name=_("blog"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="actor",
    )
    # Events are actors too (issue 12, federation/events.py).
    event = models.OneToOneField(
        "events.Event",
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="actor",
    )
    actor_type = models.CharField(
        _("shown in the fediverse as"),
        max_length=20,
        choices=ActorType.choices,
        default=ActorType.ORGANIZATION,
    )
    manually_approves_followers = models.BooleanField(
        _("approve each follower"),
        default=False,
        help_text=_("When on, the blog's authors accept or reject each new follower."),
    )
    discoverable = models.BooleanField(
        _("may be suggested"),
        default=True,
        help_text=_("Fediverse servers may list the blog in their directories."),
    )
    indexable = models.BooleanField(
        _("posts may be found by search"),
        default=True,
        help_text=_("Fediverse servers may include the posts in their full-text search."),
    )
    private_key_pem = models.TextField(editable=False)
    public_key_pem = models.TextField(editable=False)
    ed25519_private_pem = models.TextField(editable=False)
    ed25519_public_multibase = models.CharField(max_length=100, editable=False)
    keys_rotated_at = models.DateTimeField(default=timezone.now, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("fediverse actor")
        verbose_name_plural = _("fediverse actors")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(kind="instance"), name="one_instance_actor"
            )
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def username(self) -> str:
        """The name before the @ of the handle: the blog's address; the instance's is its
        host (as Mastodon's instance actor)."""
        if self.blog is not None:
            return str(self.blog.slug)
        if self.event is not None:
            return str(self.event.hashtag)
        from django.conf import settings

        return str(settings.BASE_HOST)


class Server(models.Model):
    """What we know about another server: reachable or not, which signatures it takes,
    blocked or not. A server failing for two days is skipped until it answers again."""

    class Scheme(models.TextChoices):
        CAVAGE = "cavage", "draft-cavage"
        RFC9421 = "rfc9421", "RFC 9421"

    host = models.CharField(_("server"), max_length=255, unique=True)
    signature_scheme = models.CharField(
        max_length=10, choices=Scheme.choices, default=Scheme.CAVAGE
    )
    # Until then the remembered scheme holds; after that unknown again.
    scheme_until = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    unreachable = models.BooleanField(_("unreachable"), default=False)
    # An unreachable server is tried again from then on (weekly).
    retry_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    blocked_at = models.DateTimeField(_("blocked"), null=True, blank=True)
    block_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("fediverse server")
        verbose_name_plural = _("fediverse servers")
        ordering = ["host"]

    def __str__(self) -> str:
        return str(self.host)


class RemoteActor(models.Model):
    """An account on another server, as last fetched (a bounded cache, refreshed lazily).
    Its comments here belong to its ``participant``."""

    url = models.URLField(_("actor"), max_length=500, unique=True)
    host = models.CharField(max_length=255, db_index=True)
    actor_type = models.CharField(max_length=30, blank=True)
    username = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=200, blank=True)
    profile_url = models.URLField(max_length=500, blank=True)
    icon_url = models.URLField(max_length=500, blank=True)
    inbox = models.URLField(max_length=500, blank=True)
    shared_inbox = models.URLField(max_length=500, blank=True)
    published = models.DateTimeField(null=True, blank=True)
    # {key id: public key PEM or multibase}; the RSA key and any Ed25519 Multikeys.
    keys = models.JSONField(default=dict)
    # Servers that say they take RFC 9421 signatures (FEP-844e ``implements``).
    implements_rfc9421 = models.BooleanField(default=False)
    participant = models.OneToOneField(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    fetched_at = models.DateTimeField(default=timezone.now)
    blocked_at = models.DateTimeField(_("blocked"), null=True, blank=True)
    # The actor was deleted on its server (Delete of the actor, or 410).
    gone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("fediverse account")
        verbose_name_plural = _("fediverse accounts")

    def __str__(self) -> str:
        return self.handle or str(self.url)

    @property
    def handle(self) -> str:
        return f"@{self.username}@{self.host}" if self.username else ""

    @property
    def delivery_inbox(self) -> str:
        return str(self.shared_inbox or self.inbox)


class Follower(models.Model):
    """A remote account following one of our actors; ``pending`` waits for an author."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        ACCEPTED = "accepted", _("following")

    actor = models.ForeignKey(LocalActor, on_delete=models.CASCADE, related_name="followers")
    remote = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="follows")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    follow_id = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [models.UniqueConstraint(fields=["actor", "remote"], name="follower_unique")]

    def __str__(self) -> str:
        return f"{self.remote} → {self.actor}"


class Following(models.Model):
    """One of our actors follows a remote account (another Treffpunkt's blog, say)."""

    actor = models.ForeignKey(LocalActor, on_delete=models.CASCADE, related_name="following")
    remote = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="+")
    accepted = models.BooleanField(default=False)
    follow_id = models.URLField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "remote"], name="following_unique")]

    def __str__(self) -> str:
        return f"{self.actor} → {self.remote}"


class InboxItem(models.Model):
    """A verified activity as it arrived, processed by the worker in order per object."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        DONE = "done", _("done")
        IGNORED = "ignored", _("ignored")
        FAILED = "failed", _("failed")

    activity_id = models.CharField(max_length=500, blank=True)
    actor_url = models.URLField(max_length=500)
    kind = models.CharField(max_length=40)
    # The object the activity is about; items about one object are processed in order.
    object_key = models.CharField(max_length=500, blank=True, db_index=True)
    activity = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    attempts = models.PositiveIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("received activity")
        verbose_name_plural = _("received activities")
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["activity_id"],
                condition=~models.Q(activity_id=""),
                name="inbox_activity_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.activity_id}"


class Activity(models.Model):
    """An activity one of our actors sends; signed per delivery when it is sent."""

    actor = models.ForeignKey(LocalActor, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sent activity")
        verbose_name_plural = _("sent activities")

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class Delivery(models.Model):
    """One activity to one inbox (a server's shared inbox where it has one): retried with
    growing pauses for two days, then failed for good."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed for good")
        SKIPPED = "skipped", _("skipped")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="deliveries")
    inbox = models.URLField(max_length=500)
    host = models.CharField(max_length=255, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    attempts = models.PositiveIntegerField(default=0)
    next_try_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["status", "next_try_at"])]
        constraints = [
            models.UniqueConstraint(fields=["activity", "inbox"], name="delivery_once_per_inbox")
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} → {self.inbox}"


class RemoteComment(models.Model):
    """A comment that came from the fediverse: the remote object it stands for."""

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="remote")
    object_id = models.URLField(max_length=500, unique=True)
    author = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="comments")
    url = models.URLField(max_length=500, blank=True)
    replies_url = models.URLField(max_length=500, blank=True)
    # Followers-only or direct: kept for the authors, never shown publicly.
    public = models.BooleanField(default=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return str(self.object_id)


class DeletedObject(models.Model):
    """A remote object deleted before (or while) it arrived: a late Create stays away."""

    object_id = models.CharField(max_length=500, unique=True)
    deleted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.object_id)


class Tombstone(models.Model):
    """A post that was federated and is gone: its id answers 410 with a Tombstone."""

    post_id = models.PositiveBigIntegerField(unique=True)
    path = models.CharField(max_length=500, blank=True, db_index=True)
    former_type = models.CharField(max_length=20, default="Article")
    deleted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"post {self.post_id}"


class Reaction(models.Model):
    """A Like or an Announce (boost) of a post from the fediverse; counted, never listed."""

    class Kind(models.TextChoices):
        LIKE = "like", _("like")
        ANNOUNCE = "announce", _("boost")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="fediverse_reactions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    remote = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="+")
    activity_id = models.URLField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "kind", "remote"], name="reaction_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.post_id}"


class Report(models.Model):
    """A ``Flag`` from another server: someone there reports a post or a comment here."""

    reporter = models.ForeignKey(
        RemoteActor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    server = models.CharField(_("server"), max_length=255)
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("their comment"), blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("report from the fediverse")
        verbose_name_plural = _("reports from the fediverse")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.server}: {self.text[:40]}"


class QuoteAuthorization(models.Model):
    """A remote post may quote one of ours (FEP-044f): the stamp it links to."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    remote = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="+")
    quote_id = models.URLField(max_length=500)
    request_id = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "quote_id"], name="quote_once")]

    def __str__(self) -> str:
        return f"{self.quote_id} → {self.post_id}"


# The fediverse's part of events (issue 12): posts that reached a wall, hashtag timelines.
from treffpunkt.federation.event_models import (  # noqa: E402, F401
    HashtagFeed,
    HashtagHost,
    WallPost,
)
