"""Pages for authors (a blog's followers, how it shows in the fediverse) and moderators
(reports from other servers, blocked servers). Views parse and call actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from treffpunkt.blog.models import Blog
from treffpunkt.federation import actions
from treffpunkt.federation.actors import actor_for_blog, handle
from treffpunkt.federation.forms import ActorSettingsForm, BlockForm
from treffpunkt.federation.models import Follower, Report, Server
from treffpunkt.federation.permissions import can_block_servers, can_manage_followers_of


@login_required
def blog_followers(request: HttpRequest, blog: str) -> HttpResponse:
    blog_obj = get_object_or_404(Blog, slug=blog)
    if not can_manage_followers_of(request.user, blog_obj):
        raise PermissionDenied
    actor = actor_for_blog(blog_obj)
    initial = {
        "actor_type": actor.actor_type,
        "manually_approves_followers": actor.manually_approves_followers,
        "discoverable": actor.discoverable,
        "indexable": actor.indexable,
    }
    form = ActorSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.update_actor(blog_obj, user=request.user, **form.cleaned_data)
        messages.success(request, _("Changes saved."))
        return redirect("fediverse:blog", blog=blog_obj.slug)
    followers = list(Follower.objects.filter(actor=actor).select_related("remote").order_by(
        "status", "-created_at"
    ))  # fmt: skip
    return render(
        request,
        "federation/followers.html",
        {
            "blog": blog_obj,
            "handle": handle(actor),
            "form": form,
            "pending": [f for f in followers if f.status == Follower.Status.PENDING],
            "accepted": [f for f in followers if f.status == Follower.Status.ACCEPTED],
        },
        status=400 if form.errors else 200,
    )


def _follower(request: HttpRequest, pk: int) -> Follower:
    follower = Follower.objects.select_related("actor__blog", "remote").filter(pk=pk).first()
    if follower is None or follower.actor.blog is None:
        raise Http404
    if not can_manage_followers_of(request.user, follower.actor.blog):
        raise PermissionDenied
    return follower


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    follower = _follower(request, pk)
    actions.approve_follower(follower, user=request.user)
    messages.success(request, _("%(name)s follows the blog now.") % {"name": follower.remote})
    return redirect("fediverse:blog", blog=follower.actor.blog.slug)  # type: ignore[union-attr]


@login_required
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    follower = _follower(request, pk)
    actions.remove_follower(follower, user=request.user)
    messages.success(request, _("%(name)s no longer follows the blog.") % {"name": follower.remote})
    return redirect("fediverse:blog", blog=follower.actor.blog.slug)  # type: ignore[union-attr]


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    if not can_block_servers(request.user):
        raise PermissionDenied
    form = BlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            server = actions.block_domain(
                form.cleaned_data["domain"], reason=form.cleaned_data["reason"], user=request.user
            )
        except ValidationError as error:
            form.add_error("domain", error)
        else:
            messages.success(request, _("%(server)s is blocked.") % {"server": server.host})
            return redirect("fediverse:moderation")
    reports = list(
        Report.objects.filter(resolved_at__isnull=True)
        .select_related("post__blog", "comment", "reporter")
        .order_by("-created_at")[:100]
    )
    blocked = list(Server.objects.filter(blocked_at__isnull=False).order_by("host")[:500])
    return render(
        request,
        "federation/moderation.html",
        {"form": form, "reports": reports, "blocked": blocked},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(Report, pk=pk)
    actions.resolve_report(report, user=request.user)
    messages.success(request, _("The report is done."))
    return redirect("fediverse:moderation")


@login_required
@require_POST
def unblock(request: HttpRequest, pk: int) -> HttpResponse:
    server = get_object_or_404(Server, pk=pk)
    actions.unblock_domain(server.host, user=request.user)
    messages.success(request, _("%(server)s is no longer blocked.") % {"server": server.host})
    return redirect("fediverse:moderation")
