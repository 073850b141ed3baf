"""Reads that several parts of the site share."""

from django.core.cache import cache
from django.http import HttpRequest

from treffpunkt.core.devices import current_device_id
from treffpunkt.core.models import LegalPage, Participant, SiteSettings

SITE_SETTINGS_CACHE_KEY = "core:site-settings"


def site_settings() -> SiteSettings:
    """The site settings row, cached so that ordinary pages need no query for it."""
    cached = cache.get(SITE_SETTINGS_CACHE_KEY)
    if cached is None:
        cached = SiteSettings.load()
        cache.set(SITE_SETTINGS_CACHE_KEY, cached, 300)
    return cached


def legal_page(kind: str, language: str) -> LegalPage | None:
    """The imprint or privacy page in the visitor's language, else in any language."""
    pages = {page.language: page for page in LegalPage.objects.filter(kind=kind)}
    return pages.get(language) or next(iter(pages.values()), None)


def current_participant(request: HttpRequest) -> Participant | None:
    """The participant behind a request (member or guest device), if there is one yet."""
    if request.user.is_authenticated:
        return Participant.objects.filter(user=request.user).first()
    device_id = current_device_id(request)
    if device_id is None:
        return None
    return Participant.objects.filter(kind=Participant.Kind.GUEST, device_id=device_id).first()
