"""What the fediverse adds to events' pages (``core.page_parts``): the event's handle on its
join page, and on the moderation page the state of each hashtag timeline and the
fediverse's share of the wall."""

from __future__ import annotations


def register() -> None:
    """Called from the app's ``ready``."""
    from treffpunkt.core import changes, schedule
    from treffpunkt.federation import events

    changes.listen(events.heard)
    schedule.every(60, "event-recaps", events.announce_recaps)
    schedule.every(60, "hashtag-relay", events.follow_relay)
