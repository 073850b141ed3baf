"""The fediverse's rows for events (issue 12): what became of a remote post on a wall, and
the state of each hashtag timeline we read.

Imported by ``federation.models`` (Django finds models there); kept apart so the blog
federation's module stays as it is.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WallPost(models.Model):
    """A fediverse post that became a contribution on an event's wall. One post, once per
    wall: keyed by the object's id, however many servers and ways brought it."""

    class Way(models.TextChoices):
        MENTION = "mention", _("mention or reply")
        HASHTAG = "hashtag", _("hashtag timeline")
        RELAY = "relay", _("hashtag relay")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    contribution = models.OneToOneField(
        "events.Contribution", on_delete=models.CASCADE, related_name="fediverse"
    )
    object_id = models.URLField(_("post"), max_length=500)
    url = models.URLField(_("link"), max_length=500, blank=True)
    author = models.ForeignKey(
        "federation.RemoteActor", on_delete=models.CASCADE, related_name="wall_posts"
    )
    way = models.CharField(_("way"), max_length=10, choices=Way.choices)
    server = models.CharField(_("server"), max_length=255, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("fediverse post on a wall")
        verbose_name_plural = _("fediverse posts on walls")
        constraints = [
            models.UniqueConstraint(fields=["event", "object_id"], name="wall_post_once")
        ]

    def __str__(self) -> str:
        return str(self.object_id)


class HashtagHost(models.Model):
    """Politeness towards one server's API, shared by every event reading it: when we may
    ask next (rate limits, backoff) and how many requests went out in the current window."""

    host = models.CharField(max_length=255, unique=True)
    # Nothing at all is sent before this moment (429, X-RateLimit-Remaining 0, backoff).
    paused_until = models.DateTimeField(null=True, blank=True)
    window_started_at = models.DateTimeField(default=timezone.now)
    requests_in_window = models.PositiveIntegerField(default=0)
    rate_limit_remaining = models.IntegerField(null=True, blank=True)
    rate_limit_reset = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.host)


class HashtagFeed(models.Model):
    """One server's hashtag timeline read for one event: where we are (``min_id``) and what
    the organizer sees on the moderation page."""

    class State(models.TextChoices):
        UNKNOWN = "unknown", _("not read yet")
        OPEN = "open", _("readable")
        NEEDS_TOKEN = "needs_token", _("needs an access token")
        CLOSED = "closed", _("hashtag feeds are closed")
        UNREACHABLE = "unreachable", _("unreachable")
        RATE_LIMITED = "rate_limited", _("rate limited")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    base_url = models.URLField(_("server"), max_length=300)
    # Never shown again once saved.
    access_token = models.CharField(max_length=500, blank=True)
    # Our own (the event's) list or the site's TREFFPUNKT_HASHTAG_SERVERS.
    from_site = models.BooleanField(default=False)
    min_id = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=15, choices=State.choices, default=State.UNKNOWN)
    message = models.CharField(max_length=500, blank=True)
    instance_checked_at = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(_("last read"), null=True, blank=True)
    next_read_at = models.DateTimeField(default=timezone.now)
    posts_found = models.PositiveIntegerField(_("posts found"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hashtag timeline")
        verbose_name_plural = _("hashtag timelines")
        ordering = ["base_url"]
        constraints = [
            models.UniqueConstraint(fields=["event", "base_url"], name="hashtag_feed_once")
        ]

    def __str__(self) -> str:
        return str(self.base_url)
