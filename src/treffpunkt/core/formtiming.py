"""When a form was shown: a signed time in a hidden field ``started``.

A form sent back sooner than a person could fill it in is most likely a bot; one older than
its ``max_age`` is refused so a copied form cannot be replayed for ever. The wall's join
form and the comment form both use this.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.core import signing

if TYPE_CHECKING:  # django-stubs is a development tool, not installed with the site
    from django_stubs_ext import StrOrPromise


def started_value(salt: str) -> str:
    """The hidden field's value for a form shown now."""
    return signing.TimestampSigner(salt=salt).sign(str(int(time.time())))


def check_started(
    value: str,
    *,
    salt: str,
    max_age: int,
    stale_message: StrOrPromise,
    too_fast_message: StrOrPromise,
) -> None:
    """Raise ValidationError (codes ``stale`` and ``too_fast``) unless a person could have
    filled in the form shown at ``value``."""
    try:
        shown = signing.TimestampSigner(salt=salt).unsign(value, max_age=max_age)
        elapsed = time.time() - int(shown)
    except (signing.BadSignature, ValueError):
        raise forms.ValidationError(stale_message, code="stale") from None
    if elapsed < settings.WALL_MIN_SECONDS_TO_SUBMIT:
        raise forms.ValidationError(too_fast_message, code="too_fast")
