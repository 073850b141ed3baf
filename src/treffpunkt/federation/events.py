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
