from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SiteSettings(models.Model):
    """The few settings an admin changes in the browser; a single row (pk=1)."""

    name = models.CharField(_("site name"), max_length=80, default="Treffpunkt")
    tagline = models.CharField(
        _("tagline"),
        max_length=200,
        blank=True,
        help_text=_("One sentence under the site name on the home page."),
    )
    registration_open = models.BooleanField(
        _("anyone may register"),
        default=False,
        help_text=_("When off, new members join only through an invitation from an admin."),
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self) -> str:
        return str(self.name)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
        # Pages read these settings from the cache (core.queries.site_settings).
        cache.delete("core:site-settings")

    @classmethod
    def load(cls) -> "SiteSettings":
        """The settings row, or the defaults while an admin has not saved any (no write)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class LegalPage(models.Model):
    """Imprint and privacy policy: German organizations must publish both."""

    class Kind(models.TextChoices):
        IMPRINT = "imprint", _("Imprint")
        PRIVACY = "privacy", _("Privacy policy")

    kind = models.CharField(_("page"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    body = models.TextField(_("text"), help_text=_("Markdown: **bold**, *italic*, [link](url)."))
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("legal page")
        verbose_name_plural = _("legal pages")
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="legalpage_one_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"

    def get_absolute_url(self) -> str:
        return reverse(f"core:{self.kind}")


class Participant(models.Model):
    """Everyone who contributes: a member, a guest on a device, or a remote fediverse actor.

    Contributions, comments and insights all point here, so moderation and blocking treat
    every kind of contributor alike.
    """

    class Kind(models.TextChoices):
        MEMBER = "member", _("Member")
        GUEST = "guest", _("Guest")
        REMOTE = "remote", _("Fediverse account")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="participant",
    )
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    # Never rendered publicly; used for replies by email and for privacy exports.
    email = models.EmailField(_("email (never shown)"), blank=True)
    # Guests: the random id kept in their signed device cookie.
    device_id = models.CharField(_("device"), max_length=64, blank=True, db_index=True)
    actor_url = models.URLField(_("actor URL"), max_length=500, blank=True)
    handle = models.CharField(_("handle"), max_length=255, blank=True)
    blocked_at = models.DateTimeField(_("blocked at"), null=True, blank=True)
    blocked_reason = models.CharField(_("reason for the block"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("first seen"), default=timezone.now)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["device_id"],
                condition=models.Q(kind="guest"),
                name="participant_one_guest_per_device",
            ),
            models.UniqueConstraint(
                fields=["actor_url"],
                condition=models.Q(kind="remote"),
                name="participant_one_per_actor",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="member") | models.Q(user__isnull=False),
                name="participant_member_has_user",
            ),
        ]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        """The name shown next to contributions; never the email."""
        if self.kind == self.Kind.MEMBER and self.user is not None:
            return self.user.public_name
        if self.display_name:
            return str(self.display_name)
        if self.kind == self.Kind.REMOTE and self.handle:
            return str(self.handle)
        return str(_("Guest"))

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None


class OutgoingEmail(models.Model):
    """An email waiting to be sent, sent, or given up on: the outbox.

    Written in the same transaction as what it is about (an invitation, a claimed comment
    digest), so a rolled-back action sends nothing and a committed one is never lost; the
    worker sends it and marks it sent only afterwards, retrying with growing pauses for a
    day (``core.mail``). Admins see the ones that failed for good.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed for good")

    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    to = models.JSONField(_("to"), default=list)
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_try_at = models.DateTimeField(_("next try"), default=timezone.now)
    # A worker that took the email sends it until then; after that (it died) another may.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_try_at"])]

    def __str__(self) -> str:
        return str(self.subject)


class WorkerHeartbeat(models.Model):
    """A background worker that is alive says so every few seconds; tasks that were
    running in a worker that stopped saying so are run again (``core.recovery``)."""

    worker_id = models.CharField(max_length=64, unique=True)
    last_seen = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.worker_id


class DailyBackup(models.Model):
    """The worker's backup of one day (``core.backup``): the row is the claim, so of two
    workers only the one that wrote it makes that day's backup."""

    day = models.DateField(unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    size = models.BigIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"backup of {self.day}"
