"""Every event is an actor (issue 12): ``@<hashtag>@<domain>``, a ``Group``.

Its id is ``/ap/actors/<pk>`` like a blog's; WebFinger, the actor document and content
negotiation on the join and wall pages find it by the event's hashtag (case as Mastodon
compares it). People follow it (Follow, Accept, Undo as for blogs); what they send it
(mentions, replies) goes to the wall through ``wall_intake``. Its document says what and
when and where the event is, and follows the event's visibility: an unlisted event is
neither ``discoverable`` nor ``indexable``.

Why ``Group``: see docs/decisions.md ("Event actors are Groups").
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import override

from treffpunkt.core.links import absolute_url
from treffpunkt.events.models import Event
from treffpunkt.federation.models import LocalActor

ACTOR_TYPE = "Group"


def actor_for_event(event: Event) -> LocalActor:
    """The event's actor, made (with its keys) the first time it is needed."""
    from treffpunkt.federation.actors import _new_keys

    actor = LocalActor.objects.filter(event=event).first()
    if actor is None:
        try:
            with transaction.atomic():
                actor = LocalActor.objects.create(
                    kind=LocalActor.Kind.EVENT, event=event, **_new_keys()
                )
        except IntegrityError:  # made by another request a moment ago
            actor = LocalActor.objects.get(event=event)
    actor.event = event
    return actor


def actor_by_hashtag(name: str) -> LocalActor | None:
    """The actor of the event with this hashtag (compared as Mastodon compares tags)."""
    from treffpunkt.events.queries import event_by_hashtag

    name = name.lstrip("#")
    if not name or len(name) > 60:
        return None
    event = event_by_hashtag(name)
    return actor_for_event(event) if event is not None else None


def is_public(event: Event) -> bool:
    return event.visibility == Event.Visibility.PUBLIC


def summary_html(event: Event) -> str:
    """What, when and where, in the site's language: HTML as Mastodon shows it."""
    from django.conf import settings

    from treffpunkt.core.markdown import render_markdown

    with override(settings.LANGUAGE_CODE):
        start = timezone.localtime(event.starts_at)
        end = timezone.localtime(event.ends_at)
        when = formats.date_format(start, "DATETIME_FORMAT")
        if end.date() == start.date():
            until = formats.time_format(end, "TIME_FORMAT")
        else:
            until = formats.date_format(end, "DATETIME_FORMAT")
        parts = [f"<p>{escape(_('When:'))} {escape(when)} \u2013 {escape(until)}"]
        if event.place:
            parts.append(f"<br>{escape(_('Where:'))} {escape(event.place)}")
        parts.append("</p>")
        wall = absolute_url(event.get_absolute_url())
        parts.append(
            "<p>"
            + escape(_("Mention this account or use #%(tag)s: your post can appear on the wall."))
            % {"tag": event.hashtag}
            + f' <a href="{escape(wall)}">{escape(wall)}</a></p>'
        )
    description = str(render_markdown(event.description)) if event.description else ""
    return description + "".join(parts)


def event_actor_document(
    actor: LocalActor, document: dict[str, Any], *, minimal: bool = False
) -> dict[str, Any]:
    """Complete ``document`` (the parts every actor has) for an event's actor."""
    from treffpunkt.federation.actors import _image, _site_icon, domain

    event = actor.event
    if event is None:
        raise ValueError("an event actor without its event")
    document["type"] = ACTOR_TYPE
    document["webfinger"] = f"{actor.username}@{domain()}"
    if minimal:
        return document
    join = absolute_url(event.get_absolute_url())
    from django.urls import reverse

    wall = absolute_url(reverse("events:wall", args=[event.hashtag]))
    public = is_public(event)
    document.update(
        name=f"{event.title} #{event.hashtag}"[:200],
        summary=summary_html(event),
        url=join,
        manuallyApprovesFollowers=False,
        discoverable=public,
        indexable=public,
        published=event.created_at.isoformat(),
        tag=[
            {
                "type": "Hashtag",
                "href": absolute_url(event.get_absolute_url()),
                "name": f"#{event.hashtag}",
            }
        ],
        attachment=[
            {
                "type": "PropertyValue",
                "name": _("Wall"),
                "value": f'<a href="{escape(wall)}" rel="me">{escape(wall)}</a>',
            },
            {
                "type": "PropertyValue",
                "name": _("Join"),
                "value": f'<a href="{escape(join)}">{escape(join)}</a>',
            },
        ],
    )
    icon = _site_icon()
    if icon:
        document["icon"] = _image(icon, "image/png")
    return document


# --- what the event's actor sends -------------------------------------------------------


def note_id(actor: LocalActor, name: str) -> str:
    """Ids of the event's notes live under its actor, so replies to them find the event."""
    from treffpunkt.federation.actors import actor_url

    return f"{actor_url(actor)}/notes/{name}"


def _send_note(actor: LocalActor, name: str, html: str, *, tags: list[dict[str, Any]]) -> bool:
    """A public Note by the event to its followers, once per ``name``."""
    from treffpunkt.federation import delivery, objects
    from treffpunkt.federation.actors import PUBLIC, actor_url, federation_url
    from treffpunkt.federation.models import Activity

    object_id = note_id(actor, name)
    if Activity.objects.filter(actor=actor, payload__object__id=object_id).exists():
        return False
    cc = [federation_url("followers", actor.pk)]
    note = {
        "id": object_id,
        "type": "Note",
        "attributedTo": actor_url(actor),
        "content": html,
        "to": [PUBLIC],
        "cc": cc,
        "tag": tags,
        "published": timezone.now().isoformat(),
    }
    payload = objects.activity("Create", actor, note, activity_id="", to=[PUBLIC], cc=cc)
    payload.pop("id")
    delivery.send_to_followers(actor, payload)
    return True


def _hashtag_tag(event: Event) -> dict[str, Any]:
    return {
        "type": "Hashtag",
        "href": absolute_url(event.get_absolute_url()),
        "name": f"#{event.hashtag}",
    }


def announce_recap(event: Event) -> bool:
    """The event is over: its followers hear how it went, with a link to the recap. Once."""
    from django.conf import settings
    from django.urls import reverse

    from treffpunkt.events.queries import recap_contributions

    actor = actor_for_event(event)
    if not actor.followers.exists():
        return False
    contributions = recap_contributions(event)
    people = len({c.participant_id for c in contributions})
    recap = absolute_url(reverse("events:recap", args=[event.hashtag]))
    with override(settings.LANGUAGE_CODE):
        sentence = _("%(title)s is over: %(posts)s posts from %(people)s people.") % {
            "title": event.title,
            "posts": len(contributions),
            "people": people,
        }
        html = (
            f"<p>{escape(sentence)}</p><p>{escape(_('The recap:'))} "
            f'<a href="{escape(recap)}">{escape(recap)}</a> #{escape(event.hashtag)}</p>'
        )
    return _send_note(actor, "recap", html, tags=[_hashtag_tag(event)])


def announce_recaps() -> int:
    """The worker's job: recaps of events whose posting closed in the last two days."""
    from datetime import timedelta

    from django.conf import settings

    if not settings.FEDERATION:
        return 0
    now = timezone.now()
    grace = timedelta(minutes=settings.EVENT_POSTING_GRACE_MINUTES)
    over = Event.objects.filter(
        ends_at__lt=now - grace, ends_at__gte=now - grace - timedelta(days=2), actor__isnull=False
    )[:50]
    return sum(1 for event in over if announce_recap(event))


def pass_on_post(contribution_id: int) -> str:
    """An approved post of an event that passes posts on: a fediverse post is boosted
    (Announce of its own id); a guest's or member's post goes out as a Note of the event
    with its text only: never a guest's name or photo (they did not agree to that)."""
    from treffpunkt.events.models import Contribution
    from treffpunkt.events.text import render_post_text
    from treffpunkt.federation import delivery, objects
    from treffpunkt.federation.actors import PUBLIC, federation_url
    from treffpunkt.federation.models import Activity, WallPost

    contribution = (
        Contribution.objects.select_related("event")
        .filter(pk=contribution_id, state=Contribution.State.VISIBLE)
        .first()
    )
    if contribution is None or not contribution.event.announce_posts:
        return "not passed on"
    actor = actor_for_event(contribution.event)
    if not actor.followers.exists():
        return "nobody follows"
    remote = WallPost.objects.filter(contribution=contribution).first()
    if remote is not None:
        if Activity.objects.filter(
            actor=actor, kind="Announce", payload__object=remote.object_id
        ).exists():
            return "boosted already"
        cc = [federation_url("followers", actor.pk), remote.author.url]
        payload = objects.activity(
            "Announce", actor, remote.object_id, activity_id="", to=[PUBLIC], cc=cc
        )
        payload.pop("id")
        payload["published"] = timezone.now().isoformat()
        delivery.send_to_followers(actor, payload)
        return "boosted"
    html = f"<p>{render_post_text(contribution.text)}</p>"
    sent = _send_note(
        actor, f"posts/{contribution.pk}", html, tags=[_hashtag_tag(contribution.event)]
    )
    return "sent" if sent else "sent already"


def heard(change: Any) -> None:
    """Announcements of the events app: an event changed (its followers get the new actor),
    a post was shown on a wall that passes posts on."""
    from django.conf import settings

    if not settings.FEDERATION or change.object_id is None:
        return
    if (change.subject, change.verb) == ("event", "updated"):
        event = Event.objects.filter(pk=change.object_id).first()
        actor = LocalActor.objects.filter(event=event).first() if event else None
        if actor is not None and actor.followers.exists():
            from treffpunkt.federation.actions import send_actor_update

            with transaction.atomic():
                send_actor_update(actor)
    elif (change.subject, change.verb) == ("contribution", "shown"):
        with transaction.atomic():
            pass_on_post(change.object_id)


# --- the hashtag relay ------------------------------------------------------------------


def follow_relay() -> str:
    """The worker's job: while an event runs (its window as for hashtag timelines), its
    actor follows ``TREFFPUNKT_HASHTAG_RELAY``'s tag actor, and stops afterwards (Undo).
    The relay then sends ``Announce`` of posts with tags; ``wall_intake`` fetches each
    from its own server before trusting it."""
    from datetime import timedelta

    from django.conf import settings

    from treffpunkt.federation import delivery, hashtags
    from treffpunkt.federation.actors import actor_url
    from treffpunkt.federation.models import Following
    from treffpunkt.federation.remote import FetchError, remote_actor

    relay_url = getattr(settings, "HASHTAG_RELAY", "")
    if not settings.FEDERATION or not relay_url:
        return "no relay"
    try:
        relay = remote_actor(relay_url)
    except FetchError as error:
        return f"relay unreachable: {error}"
    started = ended = 0
    running = [
        event
        for event in Event.objects.filter(
            ends_at__gte=timezone.now() - timedelta(days=1),
            starts_at__lte=timezone.now() + hashtags.BEFORE_START,
        )[:200]
        if hashtags.in_window(event)
    ]
    running_ids = {event.pk for event in running}
    with transaction.atomic():
        for event in running:
            local = actor_for_event(event)
            following, created = Following.objects.get_or_create(
                actor=local, remote=relay, defaults={"follow_id": ""}
            )
            if created:
                following.follow_id = f"{actor_url(local)}#follows/{following.pk}"
                following.save(update_fields=["follow_id"])
                delivery.send(
                    local,
                    {
                        "@context": "https://www.w3.org/ns/activitystreams",
                        "id": following.follow_id,
                        "type": "Follow",
                        "actor": actor_url(local),
                        "object": relay.url,
                    },
                    [relay.inbox],
                )
                started += 1
        for following in (
            Following.objects.filter(remote=relay, actor__kind="event")
            .exclude(actor__event_id__in=running_ids)
            .select_related("actor")
        ):
            delivery.send(
                following.actor,
                {
                    "@context": "https://www.w3.org/ns/activitystreams",
                    "type": "Undo",
                    "actor": actor_url(following.actor),
                    "object": {
                        "id": following.follow_id,
                        "type": "Follow",
                        "actor": actor_url(following.actor),
                        "object": relay.url,
                    },
                },
                [relay.inbox],
            )
            following.delete()
            ended += 1
    return f"{started} followed, {ended} ended"
