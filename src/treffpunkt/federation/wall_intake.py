"""Fediverse posts onto event walls: the one place a remote ``Note`` becomes a contribution.

Three ways bring posts (issue 12): mentions of and replies to an event's actor (its inbox,
``handle`` below, called by ``handlers.handle`` before the blog's handlers), hashtag
timelines read through the Mastodon API (``hashtags``), and a hashtag relay's ``Announce``
(``handle`` too). All of them end in ``take_post``, which hands the post to the events'
submission pipeline (``events.actions.submit_contribution`` → ``moderation.submissions``)
with a fediverse source: the moderation check, the event's word list, pre- or
post-moderation and blocks apply as to the join form. One post, once: a ``WallPost`` row
per wall and object id, whichever server and way brought it first.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from treffpunkt.core.links import absolute_url
from treffpunkt.events import actions as event_actions
from treffpunkt.events.models import Event
from treffpunkt.federation.actors import actor_from_url, domain
from treffpunkt.federation.inbox import Ignore
from treffpunkt.federation.models import (
    DeletedObject,
    Following,
    LocalActor,
    RemoteActor,
    WallPost,
)
from treffpunkt.federation.remote import (
    FetchError,
    as_id,
    as_ids,
    as_list,
    as_text,
    as_time,
    as_type,
    fetch_json,
    participant_of,
    remote_actor,
    same_host,
)
from treffpunkt.federation.text import html_to_text
from treffpunkt.moderation.models import Source
from treffpunkt.moderation.submissions import Origin, Refused, Submission

logger = logging.getLogger(__name__)

POST_TYPES = {"Note", "Article", "Page", "Question"}
BOT_TYPES = {"Service", "Application"}
# The wall's own limit (events.actions.MAX_CHARACTERS); longer posts are shortened.
WALL_CHARACTERS = 500
# How many of our actors one post may address before we stop looking.
MAX_ADDRESSED = 10


# --- the inbox's part ------------------------------------------------------------------


def handle(kind: str, activity: dict[str, Any], actor_url: str) -> str | None:
    """What an activity does for event walls; None when it is none of their business (the
    blog's handlers take it then)."""
    if kind == "Follow":
        return _on_follow(activity, actor_url)
    if kind == "Create":
        return _on_create(activity, actor_url)
    if kind == "Update":
        return _on_update(activity, actor_url)
    if kind == "Delete":
        return _on_delete(as_id(activity.get("object")), actor_url)
    if kind == "Undo":
        inner = activity.get("object")
        if isinstance(inner, dict) and as_type(inner.get("type")) == "Create":
            return _on_delete(as_id(inner.get("object")), actor_url)
        return None
    if kind == "Announce":
        return _on_announce(activity, actor_url)
    return None


def _on_follow(activity: dict[str, Any], actor_url: str) -> str | None:
    from treffpunkt.federation import actions

    local = actor_from_url(as_id(activity.get("object")))
    if local is None or local.kind != LocalActor.Kind.EVENT:
        return None
    remote = remote_actor(actor_url)
    follower = actions.add_follower(local, remote, follow_id=as_id(activity.get("id")))
    return f"event follower {follower.status}"


def addressed_events(obj: dict[str, Any]) -> list[Event]:
    """The events whose actor a post mentions, addresses, or answers."""
    prefix = absolute_url("/ap/actors/")
    candidates: list[str] = []
    for tag in as_list(obj.get("tag"))[:50]:
        if isinstance(tag, dict) and as_type(tag.get("type")) == "Mention":
            candidates.append(as_id(tag.get("href")))
    candidates += as_ids(obj.get("to")) + as_ids(obj.get("cc"))
    in_reply_to = as_id(obj.get("inReplyTo"))
    if in_reply_to:
        candidates.append(in_reply_to)
    seen: dict[int, Event] = {}
    for candidate in candidates:
        if not candidate.startswith(prefix) or len(seen) >= MAX_ADDRESSED:
            continue
        actor = actor_from_url(candidate)
        if actor is not None and actor.kind == LocalActor.Kind.EVENT and actor.event:
            seen[actor.event.pk] = actor.event
    return list(seen.values())


def _on_create(activity: dict[str, Any], actor_url: str) -> str | None:
    obj = activity.get("object")
    if not isinstance(obj, dict) or as_type(obj.get("type")) not in POST_TYPES:
        return None
    events = addressed_events(obj)
    if not events:
        return None
    remote = remote_actor(actor_url)
    results, ignored = [], []
    for event in events:
        try:
            results.append(
                take_post(event, obj, remote, way=WallPost.Way.MENTION, server=remote.host)
            )
        except Ignore as reason:
            ignored.append(f"#{event.hashtag}: {reason}")
    if not results:
        raise Ignore("; ".join(ignored))
    return "; ".join(results + ignored)


def _take_or_reason(
    event: Event, obj: dict[str, Any], remote: RemoteActor, way: str, server: str
) -> str:
    try:
        return take_post(event, obj, remote, way=way, server=server)
    except Ignore as reason:
        return f"#{event.hashtag}: {reason}"


def _on_update(activity: dict[str, Any], actor_url: str) -> str | None:
    obj = activity.get("object")
    if not isinstance(obj, dict) or as_type(obj.get("type")) not in POST_TYPES:
        return None
    object_id = as_id(obj.get("id"))
    known = list(
        WallPost.objects.select_related("contribution__event", "contribution__participant")
        .select_related("author")
        .filter(object_id=object_id)
    )
    if not known:
        if addressed_events(obj):  # an Update that overtook its Create counts as the Create
            return _on_create({"object": obj}, actor_url)
        return None
    results = []
    for wall_post in known:
        if wall_post.author.url != actor_url:
            raise Ignore("not the author's")
        results.append(revise(wall_post, obj))
    return "; ".join(results)


def revise(wall_post: WallPost, obj: dict[str, Any]) -> str:
    """The author changed the post: the wall shows the new text (checked again)."""
    updated = as_time(obj.get("updated"))
    if updated and wall_post.updated_at and updated <= wall_post.updated_at:
        return "older than what we have"
    text, _warning = post_text(obj)
    contribution = wall_post.contribution
    if text and text != contribution.text:
        try:
            event_actions.revise_contribution_from_fediverse(contribution, text)
        except Refused as refusal:
            raise Ignore(f"refused: {refusal.message}") from None
    WallPost.objects.filter(pk=wall_post.pk).update(updated_at=updated or timezone.now())
    return f"wall post {contribution.pk} revised"


def _on_delete(object_id: str, actor_url: str) -> str | None:
    """A deleted post leaves every wall it is on; a deleted account takes its posts along.
    Returns None so the blog's handler records the deletion too (a late Create stays away)."""
    if not object_id:
        return None
    if object_id == actor_url:
        rows = WallPost.objects.filter(author__url=actor_url)
    else:
        rows = WallPost.objects.filter(object_id=object_id, author__url=actor_url)
        DeletedObject.objects.get_or_create(object_id=object_id[:500])
    for wall_post in rows.select_related("contribution__event"):
        event_actions.delete_contribution(wall_post.contribution)
    return None


def _on_announce(activity: dict[str, Any], actor_url: str) -> str | None:
    """A hashtag relay we follow for a running event announces a post: fetched from its own
    server (signed) before it is trusted, then taken like a hashtag post."""
    if not Following.objects.filter(remote__url=actor_url, actor__kind="event").exists():
        return None
    from treffpunkt.federation import hashtags

    object_id = as_id(activity.get("object"))
    if not object_id:
        raise Ignore("an Announce of nothing")
    try:
        obj = fetch_json(object_id)
    except FetchError as error:
        if error.temporary:
            raise
        raise Ignore(f"the announced post cannot be fetched: {error}") from None
    if as_id(obj.get("id")) != object_id:
        raise Ignore("the announced post calls itself otherwise")
    author_url = as_id(obj.get("attributedTo"))
    if not same_host(author_url, object_id):
        raise Ignore("the announced post's author is on another server")
    events = [
        following.actor.event
        for following in Following.objects.filter(
            remote__url=actor_url, actor__kind="event"
        ).select_related("actor__event")
        if following.actor.event is not None
    ]
    remote = remote_actor(author_url)
    results = []
    for event in events:
        if not hashtags.has_tag(obj, event.hashtag) or not hashtags.in_window(event):
            continue
        results.append(_take_or_reason(event, obj, remote, WallPost.Way.RELAY, remote.host))
    return "; ".join(results) or "not for a running event"


# --- one post onto one wall ------------------------------------------------------------


def visibility(obj: dict[str, Any]) -> str:
    from treffpunkt.federation.handlers import visibility as note_visibility

    return note_visibility(obj)


def post_text(obj: dict[str, Any]) -> tuple[str, str]:
    """The post as the wall's plain text (mentions of us dropped, at most 500 characters),
    and its content warning."""
    text = html_to_text(as_text(obj.get("content"), 50_000), strip_mentions_of=domain())
    if len(text) > WALL_CHARACTERS:
        text = text[: WALL_CHARACTERS - 1].rstrip() + "…"
    warning = " ".join(as_text(obj.get("summary"), 300).split())
    return text, warning


def take_post(
    event: Event,
    obj: dict[str, Any],
    remote: RemoteActor,
    *,
    way: str,
    server: str,
    published: datetime | None = None,
) -> str:
    """Hand one remote post to the event's wall through the submission pipeline.

    Raises Ignore (with the reason, for the log) when it is not for the wall."""
    object_id = as_id(obj.get("id"))
    if not object_id:
        raise Ignore("a post without id")
    if WallPost.objects.filter(event=event, object_id=object_id).exists():
        return f"#{event.hashtag}: known already"
    if DeletedObject.objects.filter(object_id=object_id).exists():
        raise Ignore("deleted before it arrived")
    if remote.blocked_at is not None or remote.gone_at is not None:
        raise Ignore("the account is blocked or gone")
    shown = visibility(obj)
    allowed = ("public", "unlisted") if way == WallPost.Way.MENTION else ("public",)
    if shown not in allowed:
        raise Ignore(f"a {shown} post is not for the wall")
    if remote.actor_type in BOT_TYPES:
        raise Ignore("posts of bots are not taken")
    text, warning = post_text(obj)
    if not text:
        raise Ignore("a post without text")
    if warning:
        # The wall keeps the warning and the moderators decide (see docs/decisions.md).
        prefix = f"⚠ {warning[:200]}\n\n"
        room = WALL_CHARACTERS - len(prefix)
        text = prefix + (text if len(text) <= room else text[: room - 1].rstrip() + "…")
    now = timezone.now()
    written = published or as_time(obj.get("published")) or now
    participant = participant_of(remote)
    submission = Submission(
        participant=participant,
        text=text,
        source=Source.FEDIVERSE_REPLY if way == WallPost.Way.MENTION else Source.FEDIVERSE_HASHTAG,
        author_name=remote.name or remote.username,
        website=remote.profile_url if remote.profile_url.startswith("https://") else "",
        origin=Origin(user_agent=remote.host),
        context_url=absolute_url(reverse("events:wall", args=[event.hashtag])),
        remote_id=object_id,
        published_at=min(written, now),
        server=remote.host,
        account_created_at=remote.published,
        content_warning=warning,
    )
    try:
        with transaction.atomic():
            contribution = event_actions.submit_contribution(event, submission)
            WallPost.objects.create(
                event=event,
                contribution=contribution,
                object_id=object_id,
                url=as_id(obj.get("url")) or object_id,
                author=remote,
                way=way,
                server=server[:255],
            )
    except IntegrityError:  # the same post a moment ago, from another server or way
        return f"#{event.hashtag}: known already"
    except Refused as refusal:
        raise Ignore(f"refused: {refusal.message}") from None
    return f"#{event.hashtag}: wall post {contribution.pk} ({contribution.state})"
