"""Change announcements: the parts of the site say what changed; others listen.

An action that changes something others care about (a post published, a comment
approved, an event renamed) calls ``announce`` inside its transaction. Once the transaction
commits, every listener hears it; a rolled-back change is never announced. Listeners are
registered in an ``AppConfig.ready``: the page cache forgets its pages when a public page
changed, and the fediverse (its own app) delivers posts and answers. ``core`` knows none of
the parts that announce or listen; the subjects and verbs are theirs.

Listeners run after the commit in the thread that committed; they must be quick (queue a
task for anything slow) and never raise into the action: an error is logged and the other
listeners still hear the change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    """``subject`` and ``verb`` name what happened ("post", "published"); ``object_id`` is
    the id of the thing; ``public_pages`` says whether a page that readers without an
    account see (the home page, a blog, a post and its comments, a feed) now looks
    different; ``data`` holds what listeners need besides the id (plain values only)."""

    subject: str
    verb: str
    object_id: int | None = None
    public_pages: bool = True
    data: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[Change], None]

_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    """Hear every change from now on (call it in ``AppConfig.ready``)."""
    if listener not in _listeners:
        _listeners.append(listener)


def announce(
    subject: str,
    verb: str,
    object_id: int | None = None,
    *,
    public_pages: bool = True,
    **data: Any,
) -> Change:
    """Tell every listener about a change once the current transaction commits (at once
    outside a transaction)."""
    change = Change(subject, verb, object_id, public_pages, data)
    transaction.on_commit(lambda: _tell_listeners(change))
    return change


def _tell_listeners(change: Change) -> None:
    for listener in list(_listeners):
        try:
            listener(change)
        except Exception:
            logger.exception(
                "A listener failed on %s %s %s", change.subject, change.verb, change.object_id
            )
