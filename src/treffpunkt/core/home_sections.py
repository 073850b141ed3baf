"""The home page lists what each part of the site has to show: upcoming events, recent posts.

``core`` knows none of those parts: each app registers a function that builds its section
for a request (``register`` in its ``AppConfig.ready``), with an order number that places
it on the page. A section has its items and an empty state that says what to do next.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass
class HomeSection:
    key: str
    title: str
    items: list[Any] = field(default_factory=list)
    template: str = ""
    empty_text: str = ""
    action_url: str = ""
    action_label: str = ""


SectionBuilder = Callable[[HttpRequest], HomeSection | None]

_builders: dict[str, tuple[int, SectionBuilder]] = {}


def register(key: str, builder: SectionBuilder, order: int = 100) -> None:
    """Add a section to the home page (lower ``order`` comes first); registering the same
    key again replaces it."""
    _builders[key] = (order, builder)


def home_sections(request: HttpRequest) -> list[HomeSection]:
    """The sections for this visitor, in order; a builder may return None to show nothing."""
    sections = []
    for _order, builder in sorted(_builders.values(), key=lambda entry: entry[0]):
        section = builder(request)
        if section is not None:
            sections.append(section)
    return sections
