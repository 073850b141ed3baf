import re
from typing import Any

from django import template
from django.utils.translation import gettext, pgettext

QUOTED = re.compile(r"“([^”]*)”")

register = template.Library()


@register.filter
def reason_text(reason: dict[str, Any]) -> str:
    """A stored filter reason in the reader's language."""
    try:
        values = {name: _requoted(value) for name, value in reason.get("values", {}).items()}
        return gettext(str(reason["message"])) % values
    except (KeyError, TypeError, ValueError, AttributeError):
        return str(reason)


def quoted(words: list[Any]) -> str:
    """Words in the quotation marks of the reader's language: „Casino“ in German."""
    # Translators: quotation marks around a word the spam filter found; %(text)s is the word.
    quote = pgettext("quoted word", "“%(text)s”")
    return ", ".join(quote % {"text": word} for word in words)


def _requoted(value: Any) -> Any:
    """A list of words the filter names, quoted; or a text in which older reasons quoted
    words (“spam”): those in the reader's quotation marks („spam“ in German)."""
    if isinstance(value, list):
        return quoted(value)
    if not isinstance(value, str):
        return value
    return QUOTED.sub(lambda match: quoted([match.group(1)]), value)


@register.filter
def overruled(item: Any) -> bool:
    """A moderator decided against the filter's verdict on this checked item."""
    from treffpunkt.moderation.actions import HAM_DECISIONS, SPAM_DECISIONS

    if item.verdict == "publish":
        return item.decision in SPAM_DECISIONS
    return item.decision in HAM_DECISIONS


@register.filter
def decision_label(action: str) -> str:
    from treffpunkt.moderation.models import Decision

    try:
        return str(Decision.Action(action).label)
    except ValueError:
        return action


@register.simple_tag
def akismet_enabled() -> bool:
    """Whether checked items are also sent to Akismet (the privacy page must say so)."""
    from django.conf import settings

    return bool(settings.AKISMET_API_KEY)
