"""Absolute links to this site, for emails, feeds, QR codes and the fediverse."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` on the site's public address (``TREFFPUNKT_BASE_URL``)."""
    return f"{settings.BASE_URL}{path}"
