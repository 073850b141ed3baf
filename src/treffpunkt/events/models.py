import re
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treffpunkt.core.models import Participant

# Short-link alphabet without characters people confuse when typing (0/O, 1/l/I).
SHORT_CODE_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyz"
SHORT_CODE_LENGTH = 6


# Events happen between these moments (see the event form's EARLIEST_YEAR, LATEST_YEAR).
EARLIEST_DATE = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_DATE = datetime(2101, 1, 1, tzinfo=UTC)


ACCENT_RE = re.compile(r"^#[0-9a-f]{6}$")


def validate_accent_color(value: str) -> None:
    if not ACCENT_RE.match(value):
        raise ValidationError(
            _("Please give the colour as # and six hex digits, e.g. #1d6fa5."),
            code="invalid_color",
        )


def _luminance(color: str) -> float:
    """Relative luminance of ``#rrggbb`` (WCAG 2.x)."""
    channels = []
    for start in (1, 3, 5):
        value = int(color[start : start + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_color_on(accent: str) -> str:
    """Black or white, whichever reads better on the accent (always at least 4.5:1)."""
    on_black = contrast_ratio(accent, "#000000")
    return "#000000" if on_black >= contrast_ratio(accent, "#ffffff") else "#ffffff"


def new_short_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def hashtag_key(tag: str) -> str:
    """A hashtag as Mastodon compares it: NFKC, lower case, ASCII folding (accents off), so
    ``#Köln``, ``#KÖLN`` and ``#koln`` are one tag, on SQLite as on PostgreSQL."""
    text = unicodedata.normalize("NFKC", tag.strip().lstrip("#")).lower()
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(char for char in folded if not unicodedata.combining(char))


class Event(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: listed on the home page")
        UNLISTED = "unlisted", _("Unlisted: only people with the link find it")

    class Moderation(models.TextChoices):
        PRE = "pre", _("Pre-moderation: posts show only after approval")
        POST = "post", _("Post-moderation: posts show at once and can be hidden")

    title = models.CharField(_("title"), max_length=200)
    hashtag = models.CharField(
        _("hashtag"),
        max_length=60,
        help_text=_("Letters, digits and underscores, without the #. Example: Jahrestreffen2026"),
    )
    # The hashtag as compared (``hashtag_key``): unique, set on every save.
    hashtag_key = models.CharField(max_length=120, editable=False, default="")
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    moderation = models.CharField(
        _("moderation"), max_length=10, choices=Moderation.choices, default=Moderation.POST
    )
    guiding_question = models.CharField(
        _("guiding question"),
        max_length=200,
        blank=True,
        help_text=_("Shown to guests above the text field, e.g. “What was your key insight?”"),
    )
    blocked_words = models.TextField(
        _("words to hold for review"),
        blank=True,
        help_text=_("One word or phrase per line. Posts containing one wait for a moderator."),
    )
    announce_posts = models.BooleanField(
        _("pass approved posts on to the event's fediverse followers"),
        default=False,
        help_text=_(
            "Posts from the fediverse are boosted; guests' posts go out as text only, without "
            "their name or photo."
        ),
    )
    logo = models.ImageField(_("logo"), upload_to="events/logos/", blank=True)
    accent_color = models.CharField(
        _("accent colour"),
        max_length=7,
        blank=True,
        validators=[validate_accent_color],
        help_text=_("For the wall, the join page and the poster, e.g. #1d6fa5."),
    )
    short_code = models.CharField(_("short link code"), max_length=12, unique=True, editable=False)
    organizers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("organizers"), related_name="organized_events"
    )
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderators"),
        related_name="moderated_events",
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("hashtag"),
                name="event_hashtag_unique_ci",
                violation_error_message=_("Another event uses this hashtag already."),
            ),
            models.UniqueConstraint(
                fields=["hashtag_key"],
                name="event_hashtag_key_unique",
                violation_error_message=_("Another event uses this hashtag already."),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            # Typing mistakes like the year 0001 or 9999 cannot be shown or computed with
            # (the forms say so in plain words; this keeps every other way in honest).
            models.CheckConstraint(
                condition=models.Q(starts_at__gte=EARLIEST_DATE, ends_at__lt=LATEST_DATE),
                name="event_dates_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (#{self.hashtag})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.hashtag_key = hashtag_key(self.hashtag)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "hashtag" in update_fields:  # type: ignore[operator]
            kwargs["update_fields"] = {*update_fields, "hashtag_key"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("events:join", args=[self.hashtag])

    @property
    def is_pre_moderated(self) -> bool:
        return self.moderation == self.Moderation.PRE

    def is_over(self, now: "datetime | None" = None) -> bool:
        """Posting closes some time after the end, so late thoughts still fit."""
        try:
            closes = self.ends_at + timedelta(minutes=settings.EVENT_POSTING_GRACE_MINUTES)
        except OverflowError:  # an end in the year 9999 (forms refuse it; old rows may have it)
            return False
        return (now or timezone.now()) > closes

    def is_running(self, now: "datetime | None" = None) -> bool:
        """Between its start and its end: guests are in the room now."""
        return self.starts_at <= (now or timezone.now()) <= self.ends_at

    @property
    def accent_text_color(self) -> str:
        return text_color_on(self.accent_color) if self.accent_color else ""

    def blocked_word_list(self) -> list[str]:
        return [line.strip().lower() for line in self.blocked_words.splitlines() if line.strip()]


class ContributionQuerySet(models.QuerySet["Contribution"]):
    def visible(self) -> "ContributionQuerySet":
        return self.filter(state=Contribution.State.VISIBLE)


class Contribution(models.Model):
    """One post on an event's wall, from a guest, a member or a fediverse account."""

    class State(models.TextChoices):
        VISIBLE = "visible", _("visible")
        HELD = "held", _("waiting for the moderators")
        HIDDEN = "hidden", _("hidden")
        SPAM = "spam", _("spam")

    class Source(models.TextChoices):
        WEB = "web", _("this site")
        FEDIVERSE = "fediverse", _("fediverse")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="contributions"
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="contributions",
    )
    author_name = models.CharField(_("name shown"), max_length=80, blank=True)
    text = models.TextField(_("text"))
    photo = models.ImageField(_("photo"), upload_to="wall/%Y/%m/", blank=True)
    photo_alt = models.CharField(_("photo description"), max_length=500, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    pinned = models.BooleanField(_("pinned"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default="web")
    remote_url = models.URLField(_("original post"), max_length=500, blank=True)
    moderation_score = models.FloatField(_("filter score"), default=0)
    moderation_reasons = models.JSONField(_("filter reasons"), default=list, blank=True)
    created_at = models.DateTimeField(_("posted"), default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["event", "state", "created_at"])]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def public_name(self) -> str:
        return str(self.author_name) or self.participant.public_name

    def can_be_changed_by_author(self, now: "datetime | None" = None) -> bool:
        return (now or timezone.now()) - self.created_at < timedelta(
            hours=settings.GUEST_EDIT_HOURS
        )


class WallChange(models.Model):
    """Every change to a wall, in order: the live stream's ids, replayed on reconnect."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        EDITED = "edited", _("edited")
        APPROVED = "approved", _("approved")
        HIDDEN = "hidden", _("hidden")
        DELETED = "deleted", _("deleted")
        PINNED = "pinned", _("pinned")
        UNPINNED = "unpinned", _("unpinned")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="changes")
    # Not a foreign key: the change outlives a deleted contribution.
    contribution_id = models.BigIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["event", "id"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.contribution_id}"
