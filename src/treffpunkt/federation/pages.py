"""What the fediverse adds to other apps' pages (``core.page_parts``): "Follow from the
fediverse" on a blog's page, the quiet count of likes and boosts under a post."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.loader import render_to_string

from treffpunkt.federation.models import Follower, Reaction


def follow_box(request: HttpRequest | None, blog: Any) -> str:
    if not settings.FEDERATION or blog is None:
        return ""
    from treffpunkt.federation.actors import domain
    from treffpunkt.federation.permissions import can_manage_followers_of

    count = Follower.objects.filter(actor__blog=blog, status=Follower.Status.ACCEPTED).count()
    user = getattr(request, "user", None)
    return render_to_string(
        "federation/_follow.html",
        {
            "handle": f"@{blog.slug}@{domain()}",
            "blog": blog,
            "follower_count": count,
            "can_manage": user is not None and can_manage_followers_of(user, blog),
        },
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


def author_dashboard(request: HttpRequest | None, blogs: Any) -> str:
    """Followers per blog on the author's dashboard, in one query."""
    if not settings.FEDERATION or not blogs:
        return ""
    from treffpunkt.blog.models import Blog

    rows = (
        Blog.objects.filter(pk__in=[blog.pk for blog in blogs])
        .annotate(
            followers=Count(
                "actor__followers", filter=Q(actor__followers__status=Follower.Status.ACCEPTED)
            ),
            pending=Count(
                "actor__followers", filter=Q(actor__followers__status=Follower.Status.PENDING)
            ),
        )
        .order_by("title")
        .values("slug", "title", "followers", "pending")
    )
    return render_to_string("federation/_dashboard.html", {"rows": rows}, request=request)


def filter_page(request: HttpRequest | None, _obj: Any) -> str:
    """On the Filter page: the latest comments from the fediverse, apart from the form's,
    with their servers, and the way to reports and blocks."""
    if not settings.FEDERATION:
        return ""
    from treffpunkt.federation.models import RemoteComment, Report

    recent = list(
        RemoteComment.objects.select_related("comment__post", "author").order_by("-pk")[:20]
    )
    open_reports = Report.objects.filter(resolved_at__isnull=True).count()
    return render_to_string(
        "federation/_filter.html",
        {"recent": recent, "open_reports": open_reports},
        request=request,
    )


def privacy_note(request: HttpRequest | None, _obj: Any) -> str:
    """What goes to the fediverse, for the privacy policy."""
    if not settings.FEDERATION:
        return ""
    return render_to_string("federation/_privacy_note.html", request=request)
