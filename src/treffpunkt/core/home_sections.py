"""The home page lists what each part of the site has to show: upcoming events, recent posts.

Each part contributes a section with its items and an empty state that says what to do next.
"""

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass
class HomeSection:
    key: str
    title: str
    items: list[Any] = field(default_factory=list)
    template: str = ""
    empty_text: str = ""
    action_url: str = ""
    action_label: str = ""


def home_sections(request: HttpRequest) -> list[HomeSection]:
    from django.urls import reverse
    from django.utils.translation import gettext as _

    user = request.user
    sections = []

    events_action = ""
    if user.is_authenticated and user.has_role("organizer"):
        events_action = reverse("events:create")
    sections.append(
        HomeSection(
            key="events",
            title=_("Upcoming events"),
            items=_upcoming_events(),
            template="events/_home_item.html",
            empty_text=_(
                "No events are planned yet. Organizers create an event, print its poster, "
                "and everyone in the room can post to the live wall from their phone."
            ),
            action_url=events_action,
            action_label=_("Create an event"),
        )
    )
    sections.append(
        HomeSection(
            key="posts",
            title=_("Recent blog posts"),
            items=_recent_posts(),
            template="blog/_home_item.html",
            empty_text=_(
                "Nothing has been published yet. Authors write posts here; readers answer "
                "with comments."
            ),
        )
    )
    return sections


def _upcoming_events() -> list[Any]:
    from treffpunkt.events.queries import upcoming_events

    return list(upcoming_events(limit=6))


def _recent_posts() -> list[Any]:
    try:
        from treffpunkt.blog.queries import recent_posts
    except ImportError:
        return []
    return list(recent_posts(limit=6))
