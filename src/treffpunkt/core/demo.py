"""`treffpunkt demo`: realistic German demo content for every part of the site.

Each app may have a ``demo.py`` with a ``load()`` that returns lines to print. Loading twice
changes nothing: everything is looked up by a fixed key before it is created.
"""

from collections.abc import Iterator
from importlib import import_module

from django.apps import apps
from django.db import transaction

from treffpunkt.core.actions import save_legal_page, update_site_settings
from treffpunkt.core.models import LegalPage, SiteSettings

DEMO_IMPRINT = """**Verein Treffpunkt Demo e. V.**
Musterstraße 12
10115 Berlin

Vertreten durch den Vorstand: Anna Beispiel
E-Mail: kontakt@example.org

Dies ist eine Demo-Installation. Alle Namen und Beiträge sind erfunden.
"""


def load() -> list[str]:
    if not SiteSettings.load().tagline:
        update_site_settings(
            tagline=(
                "Hier sprechen wir über unsere Arbeit: bei Veranstaltungen, in Blogs "
                "und im offenen Fediverse."
            )
        )
    if not LegalPage.objects.filter(kind=LegalPage.Kind.IMPRINT, language="de").exists():
        save_legal_page(LegalPage.Kind.IMPRINT, "de", DEMO_IMPRINT)
    return ["Site: Untertitel und Impressum gesetzt."]


def _demo_modules() -> Iterator[object]:
    for config in apps.get_app_configs():
        if config.name.startswith("treffpunkt."):
            try:
                yield import_module(f"{config.name}.demo")
            except ModuleNotFoundError:
                continue


@transaction.atomic
def load_demo() -> list[str]:
    lines: list[str] = []
    for module in _demo_modules():
        lines.extend(module.load())  # type: ignore[attr-defined]
    lines.append("Demo-Inhalte geladen.")
    return lines
