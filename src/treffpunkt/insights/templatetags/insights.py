"""Numbers as people read them: shares in per cent, durations in words."""

from datetime import timedelta

from django import template
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

NO_VALUE = "\N{EN DASH}"


@register.filter
def percent(value: float | None) -> str:
    """0.284 -> "28 %" (German) / "28%" (English); nothing for no value."""
    if value is None:
        return NO_VALUE
    rounded = round(value * 100)
    return _("%(percent)s %%") % {"percent": formats.number_format(rounded)}


@register.filter
def decimal(value: float | None, places: int = 2) -> str:
    if value is None:
        return NO_VALUE
    return formats.number_format(round(value, places), places)


@register.filter
def duration(value: timedelta | None) -> str:
    """A duration in at most two units: "3 hours 5 minutes", "45 seconds"."""
    if value is None:
        return NO_VALUE
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [
        ngettext("%(n)s day", "%(n)s days", days) % {"n": days} if days else "",
        ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours} if hours else "",
        ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes} if minutes else "",
    ]
    words = [part for part in parts if part][:2]
    if not words:
        return ngettext("%(n)s second", "%(n)s seconds", seconds) % {"n": seconds}
    return " ".join(words)


@register.filter
def get_item(mapping: dict[str, int] | None, key: str) -> int:
    return (mapping or {}).get(key, 0)
