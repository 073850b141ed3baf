"""Parts that other apps add to a page of another app, without that app knowing them.

A page template marks a place with ``{% page_parts "blog_aside" blog %}``; an app that has
something to show there registers a function in its ``AppConfig.ready`` (``register``)
that returns the HTML for that place (or an empty string). So the blog page can show "Follow
from the fediverse" while the blog app knows nothing of the fediverse.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

PartBuilder = Callable[[HttpRequest | None, Any], str]

_parts: dict[str, dict[str, tuple[int, PartBuilder]]] = {}


def register(place: str, key: str, builder: PartBuilder, order: int = 100) -> None:
    """Show what ``builder(request, obj)`` returns at ``place`` (lower ``order`` first);
    registering the same key again replaces it."""
    _parts.setdefault(place, {})[key] = (order, builder)


def render_parts(place: str, request: HttpRequest | None, obj: Any) -> str:
    """The HTML of every part registered for ``place``, in order."""
    builders = sorted(_parts.get(place, {}).values(), key=lambda entry: entry[0])
    return "".join(builder(request, obj) for _order, builder in builders)
