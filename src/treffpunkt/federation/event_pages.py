"""What the fediverse adds to events' pages (``core.page_parts``): the event's handle on its
join page, and on the moderation page the state of each hashtag timeline and the
fediverse's share of the wall."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest
from django.template.loader import render_to_string


def register() -> None:
    """Called from the app's ``ready``."""
    from treffpunkt.core import changes, page_parts, schedule
    from treffpunkt.federation import events

    changes.listen(events.heard)
    schedule.every(60, "event-recaps", events.announce_recaps)
    schedule.every(60, "hashtag-relay", events.follow_relay)
    page_parts.register("event_join", "fediverse-event", join_box)
    page_parts.register("event_moderation", "fediverse-intake", moderation_box)


def join_box(request: HttpRequest | None, event: Any) -> str:
    if not settings.FEDERATION or event is None:
        return ""
    from treffpunkt.federation.actors import domain

    return render_to_string(
        "federation/_event_join.html",
        {"event": event, "handle": f"@{event.hashtag}@{domain()}"},
        request=request,
    )


def moderation_box(request: HttpRequest | None, event: Any) -> str:
    """For the event's moderators: is the intake working? One query per table."""
    if not settings.FEDERATION or event is None:
        return ""
    from treffpunkt.federation.actors import domain
    from treffpunkt.federation.models import Follower, HashtagFeed, WallPost

    feeds = list(HashtagFeed.objects.filter(event=event).order_by("base_url"))
    ways = dict(
        WallPost.objects.filter(event=event)
        .values_list("way")
        .annotate(n=Count("pk"))
        .values_list("way", "n")
    )
    authors = WallPost.objects.filter(event=event).values("author").distinct().count()
    followers = Follower.objects.filter(actor__event=event, status=Follower.Status.ACCEPTED).count()
    return render_to_string(
        "federation/_event_moderation.html",
        {
            "event": event,
            "handle": f"@{event.hashtag}@{domain()}",
            "feeds": feeds,
            "mentions": ways.get(WallPost.Way.MENTION, 0),
            "hashtag_posts": ways.get(WallPost.Way.HASHTAG, 0) + ways.get(WallPost.Way.RELAY, 0),
            "authors": authors,
            "followers": followers,
            "poll_seconds": settings.HASHTAG_POLL_SECONDS,
        },
        request=request,
    )
