"""What the fediverse adds to other apps' pages (``core.page_parts``): "Follow from the
fediverse" on a blog's page, the quiet count of likes and boosts under a post."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest
from django.template.loader import render_to_string

from treffpunkt.federation.models import Follower, Reaction


def follow_box(request: HttpRequest | None, blog: Any) -> str:
    if not settings.FEDERATION or blog is None:
        return ""
    from treffpunkt.federation.actors import domain

    count = Follower.objects.filter(actor__blog=blog, status=Follower.Status.ACCEPTED).count()
    return render_to_string(
        "federation/_follow.html",
        {"handle": f"@{blog.slug}@{domain()}", "blog": blog, "follower_count": count},
        request=request,
    )


def reaction_counts(request: HttpRequest | None, post: Any) -> str:
    if not settings.FEDERATION or post is None or not post.pk:
        return ""
    counts = dict(Reaction.objects.filter(post=post).values_list("kind").annotate(n=Count("pk")))
    likes, shares = counts.get(Reaction.Kind.LIKE, 0), counts.get(Reaction.Kind.ANNOUNCE, 0)
    if not likes and not shares:
        return ""
    return render_to_string(
        "federation/_reactions.html", {"likes": likes, "shares": shares}, request=request
    )
