"""When a form was shown: a signed time in a hidden field ``started``.

The seconds between showing a form and sending it go to the moderation check as a signal
(a form sent back sooner than a person could fill it in is most likely a bot, and is held
for a moderator; see ``TREFFPUNKT_MIN_SECONDS_TO_SUBMIT``). A value that is forged, missing
or older than its ``max_age`` is refused, so a copied form cannot be replayed for ever. The
wall's join form and the comment form both use this.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django import forms
from django.core import signing

if TYPE_CHECKING:  # django-stubs is a development tool, not installed with the site
    from django_stubs_ext import StrOrPromise


def started_value(salt: str) -> str:
    """The hidden field's value for a form shown now."""
    return signing.TimestampSigner(salt=salt).sign(str(int(time.time())))


def seconds_since_shown(
    value: str, *, salt: str, max_age: int, stale_message: StrOrPromise
) -> float:
    """Seconds since the form shown at ``value`` was rendered; ValidationError (code
    ``stale``) for a forged, missing or too old value."""
    try:
        shown = signing.TimestampSigner(salt=salt).unsign(value, max_age=max_age)
        return max(0.0, time.time() - int(shown))
    except (signing.BadSignature, ValueError):
        raise forms.ValidationError(stale_message, code="stale") from None
