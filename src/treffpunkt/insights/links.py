"""The links to the insights on other apps' pages (registered in ``InsightsConfig.ready``
with ``core.page_links``), so no app imports the insights."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from treffpunkt.core.page_links import Link
from treffpunkt.insights.permissions import can_see_event_insights, can_see_site_insights


def main_navigation(request: HttpRequest, subject: Any) -> list[Link]:
    if not can_see_site_insights(request.user):
        return []
    return [Link(reverse("insights:site"), _("Who speaks"))]


def event_tools(request: HttpRequest, event: Any) -> list[Link]:
    if event is None or not can_see_event_insights(request.user, event):
        return []
    return [Link(reverse("insights:event", args=[event.hashtag]), _("Who speaks"))]


def blog_dashboard(request: HttpRequest, blogs: Any) -> list[Link]:
    """One link per blog on the author's dashboard (the dashboard lists only the blogs
    this member writes in, which are the ones whose insights they may see)."""
    return [
        Link(
            reverse("insights:blog", args=[blog.slug]),
            _("Who speaks in “%(blog)s”") % {"blog": blog.title},
        )
        for blog in blogs or []
    ]
