from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treffpunkt.core.models import Participant


class ItemKind(models.TextChoices):
    """What was submitted; the filter weighs signals differently for each."""

    WALL_POST = "wall_post", _("wall post")
    COMMENT = "comment", _("comment")


class Source(models.TextChoices):
    """Where a submission came from; the filter weighs its signals by this."""

    FORM = "form", _("form on this site")
    FEDIVERSE_REPLY = "fediverse_reply", _("reply or mention from the fediverse")
    FEDIVERSE_HASHTAG = "fediverse_hashtag", _("fediverse post with the hashtag")


class Verdict(models.TextChoices):
    PUBLISH = "publish", _("publish")
    HOLD = "hold", _("hold for a moderator")
    SPAM = "spam", _("spam")


class CheckedItem(models.Model):
    """One run of the moderation check: the filter's verdict with its reasons.

    Stores a hash of the text (to find repeats) and of the IP address (to count a flood),
    never the address itself.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    # Where it came from (moderation.submissions.Source): our form or the fediverse.
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.FORM
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="+"
    )
    text_hash = models.CharField(max_length=64)
    ip_hash = models.CharField(max_length=64, blank=True)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)
    object_id = models.BigIntegerField(null=True, blank=True)
    # Where the filter let an item through but the place's own rules held it (a first
    # comment, an event with pre-moderation): those rules' reasons, as ``reasons``.
    held_by = models.JSONField(_("held by the rules"), default=list, blank=True)
    created_at = models.DateTimeField(_("checked"), default=timezone.now, db_index=True)
    # The latest moderator decision on the item: shows where moderators overruled the
    # filter, and is the participant's history for the next check.
    decision = models.CharField(_("moderator's decision"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("checked item")
        verbose_name_plural = _("checked items")
        indexes = [
            # The check's history reads recent items by person, text and network, and a
            # person's earlier decisions; each through its own index (moderation.actions).
            models.Index(fields=["participant", "created_at"]),
            models.Index(fields=["text_hash", "created_at"]),
            models.Index(fields=["ip_hash", "created_at"]),
            models.Index(fields=["participant", "decision"]),
            models.Index(fields=["kind", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.verdict}"


class Decision(models.Model):
    """A moderator's decision: who, when, what and why. The spam filter learns from these."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("approved")
        HIDE = "hide", _("hidden")
        SPAM = "spam", _("marked as spam")
        NOT_SPAM = "not_spam", _("marked as not spam")
        PIN = "pin", _("pinned")
        UNPIN = "unpin", _("unpinned")
        DELETE = "delete", _("deleted")
        BLOCK = "block", _("participant blocked")

    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    object_id = models.BigIntegerField(_("item"))
    action = models.CharField(_("decision"), max_length=10, choices=Action.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("text at the time"), blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.kind} {self.object_id}"


DEFAULT_BLOCKED_DOMAINS = "\n".join(
    # Pay-per-click link shorteners: people sharing a link have no reason to use them.
    ["adf.ly", "shorte.st", "bc.vc", "ouo.io", "linkvertise.com", "sh.st"]
)


class FilterSettings(models.Model):
    """The admin's word list and domain blocklist for the spam filter: one row per site."""

    words = models.TextField(
        _("word list"),
        blank=True,
        help_text=_("One word or phrase per line. Posts and comments containing one are held."),
    )
    blocked_domains = models.TextField(
        _("domain blocklist"),
        blank=True,
        default=DEFAULT_BLOCKED_DOMAINS,
        help_text=_(
            "One domain per line, e.g. spam.example; its subdomains count too. "
            "Items linking there are marked as spam."
        ),
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("filter settings")
        verbose_name_plural = _("filter settings")

    def __str__(self) -> str:
        return str(_("filter settings"))

    def word_list(self) -> list[str]:
        return _lines(self.words)

    def domain_list(self) -> list[str]:
        return [line.lower().removeprefix("www.") for line in _lines(self.blocked_domains)]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]
