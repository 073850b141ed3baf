"""Fediverse usernames are unique on the whole site: a blog's address and an event's
hashtag both become ``@name@domain``, so a blog may not take a name an event has, nor the
other way round.

``core`` knows neither: each app registers who holds a name (``register`` in its
``AppConfig.ready``), and their actions ask ``check_free`` when a blog or an event is
created or renamed.
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# kind -> function(name) giving the ids of that kind's objects holding the name
_holders: dict[str, Callable[[str], Iterable[int]]] = {}


def register(kind: str, holders: Callable[[str], Iterable[int]]) -> None:
    """``holders(name)`` gives the ids of this kind's objects whose username is ``name``
    (compared without regard to case)."""
    _holders[kind] = holders


def check_free(name: str, *, kind: str, object_id: int | None = None) -> None:
    """Raise ValidationError when another blog, event (or the site itself) holds ``name``."""
    for other_kind, holders in _holders.items():
        ids = set(holders(name))
        if other_kind == kind and object_id is not None:
            ids.discard(object_id)
        if ids and other_kind != kind:
            raise ValidationError(
                _(
                    "“%(name)s” is already the fediverse name of another blog or event on "
                    "this site. Please choose another."
                )
                % {"name": name},
                code="taken",
            )
