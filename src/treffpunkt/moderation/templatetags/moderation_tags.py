from typing import Any

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def reason_text(reason: dict[str, Any]) -> str:
    """A stored filter reason in the reader's language."""
    try:
        return gettext(str(reason["message"])) % reason.get("values", {})
    except (KeyError, TypeError, ValueError):
        return str(reason)


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
