"""Links that one app adds to another app's pages, without either importing the other.

A page names a place (``"nav"`` in the main navigation, ``"event_tools"`` among an event's
tools, ``"blog_dashboard"`` on an author's dashboard) and, where it has one, the thing it
is about; apps register a builder for a place in their ``AppConfig.ready``. A builder
returns the links this visitor may follow (an empty list for everyone else) and should
need no query of its own where the page is shown to many.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Link:
    url: str
    label: str


LinkBuilder = Callable[[HttpRequest, Any], list[Link]]

_builders: dict[str, dict[str, LinkBuilder]] = {}


def register(place: str, key: str, builder: LinkBuilder) -> None:
    """Add links to a place; registering the same key again replaces the builder."""
    _builders.setdefault(place, {})[key] = builder


def links_for(place: str, request: HttpRequest | None, subject: Any = None) -> list[Link]:
    """The links every registered builder offers this visitor at this place."""
    if request is None:
        return []
    found: list[Link] = []
    for builder in _builders.get(place, {}).values():
        found.extend(builder(request, subject))
    return found
