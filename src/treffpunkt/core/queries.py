"""Reads that several parts of the site share."""

from django.core.cache import cache

from treffpunkt.core.models import LegalPage, SiteSettings

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
