"""The events' section of the home page (registered in ``EventsConfig.ready``)."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from treffpunkt.core.home_sections import HomeSection
from treffpunkt.events.permissions import can_create_events
from treffpunkt.events.queries import upcoming_events


def upcoming_events_section(request: HttpRequest) -> HomeSection:
    events = list(upcoming_events(limit=6))
    running = any(event.is_running() for event in events)
    return HomeSection(
        key="events",
        title=_("Events now and coming up") if running else _("Upcoming events"),
        items=events,
        template="events/_home_item.html",
        empty_text=_(
            "No events are planned yet. Organizers create an event, print its poster, "
            "and everyone in the room can post to the live wall from their phone."
        ),
        action_url=reverse("events:create") if can_create_events(request.user) else "",
        action_label=_("Create an event"),
    )
