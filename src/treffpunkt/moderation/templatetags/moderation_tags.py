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
