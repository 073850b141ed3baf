"""Content negotiation: the addresses people share (a blog, a post) answer fediverse
servers with ActivityPub JSON and browsers with the page, with ``Vary: Accept``.

A middleware rather than a change to the blog's views: the blog app knows nothing of the
fediverse. It looks at the view a request resolved to and, when the request asks for
``application/activity+json`` or ``application/ld+json``, answers in its place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_vary_headers

NEGOTIATED_VIEWS = {"blog:blog", "blog:post", "events:join", "events:wall"}


class ActivityPubMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if settings.FEDERATION and match is not None and match.view_name in NEGOTIATED_VIEWS:
            patch_vary_headers(response, ["Accept"])
        return response

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> HttpResponseBase | None:
        if not settings.FEDERATION or request.method not in ("GET", "HEAD"):
            return None
        from treffpunkt.federation.views import wants_activity_json

        match = request.resolver_match
        if match is None or match.view_name not in NEGOTIATED_VIEWS:
            return None
        if not wants_activity_json(request):
            return None
        from treffpunkt.federation import views
        from treffpunkt.federation.actors import actor_by_username

        if match.view_name in ("events:join", "events:wall"):
            from treffpunkt.federation.events import actor_by_hashtag

            event_actor = actor_by_hashtag(kwargs["hashtag"])
            return views.actor_json_response(request, event_actor) if event_actor else None
        if match.view_name == "blog:blog":
            actor = actor_by_username(kwargs["blog"])
            return views.actor_json_response(request, actor) if actor and actor.blog else None
        from treffpunkt.blog.queries import post_for_page

        post = post_for_page(kwargs["blog"], kwargs["slug"])
        if post is None or not post.is_visible:
            return None  # the page's own 404 (or redirect after a new address)
        return views.post_json_response(request, post)
