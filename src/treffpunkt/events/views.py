import io

import segno
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from treffpunkt.accounts.models import Role, User
from treffpunkt.accounts.permissions import role_required
from treffpunkt.blog.models import Blog
from treffpunkt.blog.queries import blogs_for_author
from treffpunkt.core import sse
from treffpunkt.core.links import absolute_url
from treffpunkt.core.participants import current_participant
from treffpunkt.core.ratelimits import flooding
from treffpunkt.events import actions, feeds, queries
from treffpunkt.events.forms import ContributionForm, EditContributionForm, EventForm
from treffpunkt.events.models import Contribution, Event, text_color_on, validate_accent_color
from treffpunkt.events.permissions import (
    can_create_events,
    can_moderate_wall,
    can_organize,
    moderates_every_wall,
)
from treffpunkt.events.recap import recap_markdown
from treffpunkt.moderation.models import Decision
from treffpunkt.moderation.submissions import Origin, Submission


def _event_or_404(hashtag: str) -> Event:
    event = queries.event_by_hashtag(hashtag)
    if event is None:
        raise Http404(_("There is no event with this hashtag."))
    return event


def short_link_url(event: Event) -> str:
    return absolute_url(reverse("short_link", args=[event.short_code]))


# --- organizing -----------------------------------------------------------------------


@login_required
def my_events(request: HttpRequest) -> HttpResponse:
    """The organizers' and moderators' home: their events, running, upcoming and past."""
    context = {
        "events": queries.events_of_member(request.user),
        "every_wall": moderates_every_wall(request.user),
        "can_create": can_create_events(request.user),
    }
    return render(request, "events/my_events.html", context)


@role_required(Role.ORGANIZER)
def create_event(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = actions.create_event(organizer=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            form.add_error(None if hasattr(error, "error_dict") else "hashtag", error)
        else:
            messages.success(request, _("The event is ready. Print the poster next."))
            return redirect("events:join", hashtag=event.hashtag)
    status = 400 if form.errors else 200
    return render(request, "events/event_form.html", {"form": form, "event": None}, status=status)


def edit_event(request: HttpRequest, hashtag: str) -> HttpResponse:
    event = _event_or_404(hashtag)
    if not can_organize(request.user, event):
        raise PermissionDenied
    form = EventForm(request.POST or None, request.FILES or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_event(event, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("hashtag" if getattr(error, "code", "") == "taken" else None, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("events:join", hashtag=event.hashtag)
    status = 400 if form.errors else 200
    return render(request, "events/event_form.html", {"form": form, "event": event}, status=status)


def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """The poster's short link: to the join page in the language the phone prefers (a
    chosen language's cookie first, then the browser's Accept-Language)."""
    event = get_object_or_404(Event, short_code=code.lower())
    with translation.override(translation.get_language_from_request(request)):
        response = redirect("events:join", hashtag=event.hashtag)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


# --- guests ---------------------------------------------------------------------------


def join(request: HttpRequest, hashtag: str) -> HttpResponse:
    """The page guests reach from the QR code: what the event is, the form, their posts."""
    event = _event_or_404(hashtag)
    if event.hashtag != hashtag:
        return redirect("events:join", hashtag=event.hashtag)
    status = 200
    kept: dict[str, str] | None = None
    if request.method == "POST":
        form = ContributionForm(request.POST, request.FILES, member=request.user.is_authenticated)
        if form.is_valid():
            status = _take_contribution(request, event, form)
            if status == 302:
                return redirect(f"{reverse('events:join', args=[event.hashtag])}#your-posts")
        if form.errors and status == 200:
            status = 400
        kept = _photo_for_next_try(request, form)
    else:
        current = current_participant(request)
        initial = {"author_name": current.display_name} if current else {}
        form = ContributionForm(initial=initial, member=request.user.is_authenticated)
    current = current_participant(request)
    context = {
        "event": event,
        "form": form,
        "kept_photo": kept,
        # Name and photo are tucked away, unless something there needs the guest's eye.
        "more_open": bool(kept)
        or any(name in form.errors for name in ("author_name", "photo", "photo_alt")),
        "own": queries.device_contributions(event, current.pk if current else None),
        "contributions": queries.wall_contributions(event, limit=50),
        "is_over": event.is_over(),
        "short_link": short_link_url(event),
        "can_moderate": can_moderate_wall(request.user, event),
    }
    return render(request, "events/join.html", context, status=status)


def _photo_for_next_try(request: HttpRequest, form: ContributionForm) -> dict[str, str] | None:
    """A refused form keeps its photo: the one just chosen (stored for the next try) or the
    one kept from before. Its token and address for the form, or None."""
    earlier = actions.kept_photo_name(request.POST.get("kept_photo", ""))
    if request.POST.get("forget_photo"):
        if earlier:
            actions.forget_kept_photo(earlier)
        return None
    upload = request.FILES.get("photo")
    if upload is not None and "photo" not in form.errors:
        token = actions.keep_photo(upload)
        if token is not None:
            if earlier:
                actions.forget_kept_photo(earlier)
            earlier = actions.kept_photo_name(token)
            return {"token": token, "url": default_storage.url(earlier)} if earlier else None
    if earlier:
        token = request.POST.get("kept_photo", "")
        return {"token": token, "url": default_storage.url(earlier)}
    return None


def _take_contribution(request: HttpRequest, event: Event, form: ContributionForm) -> int:
    """Hand a valid join form to the submission pipeline; the status to answer with (302
    after a stored post), with the form's errors set otherwise."""
    if flooding(
        request,
        "wall",
        per_device=settings.WALL_RATE_PER_DEVICE,
        per_ip=settings.WALL_RATE_PER_IP,
    ):
        form.add_error(
            None, _("You are posting very quickly. Please wait a minute, then send it again.")
        )
        return 429
    data = form.cleaned_data
    kept_name = data["kept_photo_name"]
    photo = data["photo"] or (actions.open_kept_photo(kept_name) if kept_name else None)
    submission = Submission.from_form(
        request,
        data,
        text=data["text"],
        author_name=data.get("author_name", ""),
        photo=photo,
        photo_alt=data["photo_alt"],
        context_url=absolute_url(event.get_absolute_url()),
    )
    try:
        contribution = actions.submit_contribution(event, submission)
    except actions.Refused as refusal:
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        return refusal.status
    finally:
        if kept_name and photo is not None:
            photo.close()
    for name in (kept_name, data["dropped_photo_name"]):
        if name:
            actions.forget_kept_photo(name)
    if contribution.state == Contribution.State.VISIBLE:
        messages.success(request, _("Thank you! Your post is on the wall now."))
    else:
        messages.info(
            request,
            _(
                "Thank you! Your post is waiting for the moderators and shows on the wall "
                "once approved."
            ),
        )
    return 302


def _own_contribution(request: HttpRequest, hashtag: str, pk: int) -> Contribution:
    event = _event_or_404(hashtag)
    contribution = get_object_or_404(
        Contribution.objects.select_related("event", "participant"), pk=pk, event=event
    )
    current = current_participant(request)
    if current is None or contribution.participant_id != current.pk:
        raise PermissionDenied
    return contribution


def edit_contribution(request: HttpRequest, hashtag: str, pk: int) -> HttpResponse:
    contribution = _own_contribution(request, hashtag, pk)
    form = EditContributionForm(request.POST or None, initial={"text": contribution.text})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_contribution(
                contribution, form.cleaned_data["text"], origin=Origin.from_request(request)
            )
        except actions.Refused as refusal:
            form.add_error("text", refusal.message)
            status = refusal.status
        else:
            messages.success(request, _("Your post is changed."))
            return redirect(
                f"{reverse('events:join', args=[contribution.event.hashtag])}#your-posts"
            )
    if form.errors and status == 200:
        status = 400
    context = {"form": form, "contribution": contribution, "event": contribution.event}
    return render(request, "events/contribution_edit.html", context, status=status)


def delete_contribution(request: HttpRequest, hashtag: str, pk: int) -> HttpResponse:
    """Asks first (a page of its own, so it works without JavaScript), deletes on POST."""
    contribution = _own_contribution(request, hashtag, pk)
    join_url = f"{reverse('events:join', args=[contribution.event.hashtag])}#your-posts"
    if not contribution.can_be_changed_by_author():
        messages.error(
            request,
            _(
                "Posts can be deleted by their author only in the first 24 hours. "
                "Please ask the moderators."
            ),
        )
        return redirect(join_url)
    if request.method != "POST":
        context = {"c": contribution, "event": contribution.event, "join_url": join_url}
        return render(request, "events/contribution_delete.html", context)
    actions.delete_contribution(contribution)
    messages.success(request, _("Your post is deleted."))
    return redirect(join_url)


# --- the wall -------------------------------------------------------------------------


def wall(request: HttpRequest, hashtag: str) -> HttpResponse:
    event = _event_or_404(hashtag)
    theme = request.GET.get("theme", "dark")
    short_path = reverse("short_link", args=[event.short_code])
    context = {
        "event": event,
        "contributions": queries.wall_contributions(event),
        "contributors": queries.contributor_count(event.pk),
        "after": queries.last_change_id(event),
        "short_link": short_link_url(event),
        # Shown in two lines if need be: the host, then /j/<code>.
        "short_link_host": short_link_url(event).split("://", 1)[1].removesuffix(short_path),
        "short_link_path": short_path,
        "theme": "light" if theme == "light" else "dark",
        "live_strings": _live_strings(),
    }
    return render(request, "events/wall.html", context)


def _live_strings() -> dict[str, str]:
    return {
        "offline": _("Connection lost. Reconnecting…"),
        "reconnected": _("Connected again."),
    }


def accent_css(request: HttpRequest, color: str) -> HttpResponse:
    """An event's accent colour as CSS custom properties. A stylesheet of its own (named by
    the colour, so cached for good) because the CSP allows no inline style attributes."""
    accent = f"#{color}"
    try:
        validate_accent_color(accent)
    except ValidationError:
        raise Http404 from None
    css = f":root {{ --event-accent: {accent}; --event-on-accent: {text_color_on(accent)}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def qr_code(request: HttpRequest, hashtag: str) -> HttpResponse:
    event = _event_or_404(hashtag)
    qr = segno.make(short_link_url(event), error="m")
    svg = io.BytesIO()
    # A standalone SVG (with its namespace): browsers show it in <img> and print it sharply.
    qr.save(svg, kind="svg", scale=10, dark="#000000", light="#ffffff", border=2, xmldecl=False)
    response = HttpResponse(svg.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def poster(request: HttpRequest, hashtag: str) -> HttpResponse:
    event = _event_or_404(hashtag)
    handout = request.GET.get("variant") == "handout"
    context = {
        "event": event,
        "short_link": short_link_url(event),
        "short_link_display": short_link_url(event).split("://", 1)[1],
        "handout": handout,
        "cards": range(4),
    }
    return render(request, "events/poster.html", context)


def recap(request: HttpRequest, hashtag: str) -> HttpResponse:
    event = _event_or_404(hashtag)
    contributions = queries.recap_contributions(event)
    fediverse = [c for c in contributions if c.source == Contribution.Source.FEDIVERSE]
    context = {
        "event": event,
        "highlights": [c for c in contributions if c.pinned],
        "timeline": [c for c in contributions if not c.pinned],
        "contribution_count": len(contributions),
        "contributor_count": len({c.participant_id for c in contributions}),
        # Fediverse contributions and contributors counted apart (their posts link them).
        "fediverse_count": len(fediverse),
        "fediverse_contributor_count": len({c.participant_id for c in fediverse}),
        "can_organize": can_organize(request.user, event),
        "draft_blogs": _draft_blogs(request, event),
    }
    return render(request, "events/recap.html", context)


def _draft_blogs(request: HttpRequest, event: Event) -> list[Blog]:
    """The blogs in which this organizer may turn the recap into a post."""
    if not can_organize(request.user, event):
        return []
    return blogs_for_author(request.user)


@require_POST
def recap_to_draft(request: HttpRequest, hashtag: str) -> HttpResponse:
    event = _event_or_404(hashtag)
    blog = next(
        (b for b in _draft_blogs(request, event) if str(b.pk) == request.POST.get("blog")), None
    )
    if blog is None or not isinstance(request.user, User):
        raise PermissionDenied(_("You cannot write this event's story in that blog."))
    post = actions.draft_post_from_recap(event, blog=blog, editor=request.user)
    messages.success(
        request,
        _("The recap is now a draft in “%(blog)s”. Edit it, then publish.") % {"blog": blog.title},
    )
    return redirect("blog:edit", pk=post.pk)


def recap_export(request: HttpRequest, hashtag: str) -> HttpResponse:
    event = _event_or_404(hashtag)
    response = HttpResponse(
        recap_markdown(event, queries.recap_contributions(event)),
        content_type="text/markdown; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{event.hashtag}-recap.md"'
    return response


# --- moderation -----------------------------------------------------------------------


def moderate(request: HttpRequest, hashtag: str) -> HttpResponse:
    event = _event_or_404(hashtag)
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not can_moderate_wall(request.user, event):
        raise PermissionDenied
    queue = queries.moderation_queue(event)
    context = {
        "event": event,
        "queue": queue,
        "held_count": sum(1 for c in queue if c.state == Contribution.State.HELD),
        "after": queries.last_change_id(event),
        "contributors": queries.contributor_count(event.pk),
        "live_strings": _live_strings(),
    }
    return render(request, "events/moderate.html", context)


def moderation_item(request: HttpRequest, hashtag: str, pk: int) -> HttpResponse:
    """One post as the moderation page shows it; fetched by the page after each change."""
    event = _event_or_404(hashtag)
    if not can_moderate_wall(request.user, event):
        raise PermissionDenied
    contribution = get_object_or_404(
        Contribution.objects.select_related("participant__user"), pk=pk, event=event
    )
    return render(request, "events/_moderation_item.html", {"c": contribution, "event": event})


MODERATION_ACTIONS = {"approve", "hide", "spam", "pin", "unpin", "delete", "block"}


@require_POST
def moderate_action(request: HttpRequest, hashtag: str, pk: int, action: str) -> HttpResponseBase:
    event = _event_or_404(hashtag)
    if not can_moderate_wall(request.user, event):
        raise PermissionDenied
    if action not in MODERATION_ACTIONS:
        raise Http404
    contribution = get_object_or_404(
        Contribution.objects.select_related("event", "participant__user"), pk=pk, event=event
    )
    reason = request.POST.get("reason", "")[:300]
    user = request.user
    if action == "delete":
        actions.delete_contribution(contribution, moderator=user, reason=reason)  # type: ignore[arg-type]
    elif action == "block":
        actions.block_author(contribution, user, reason)  # type: ignore[arg-type]
    else:
        actions.moderate_contribution(contribution, Decision.Action(action), user, reason)  # type: ignore[arg-type]
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": True})
    return redirect("events:moderate", hashtag=event.hashtag)


# --- live stream ----------------------------------------------------------------------


async def moderation_stream(request: HttpRequest, hashtag: str) -> HttpResponseBase:
    """The moderators' live stream (the public one is ``events.stream_app``)."""
    event = await sync_to_async(queries.event_by_hashtag, thread_sensitive=False)(hashtag)
    if event is None:
        raise Http404(_("There is no event with this hashtag."))
    user = await request.auser()
    if not await sync_to_async(can_moderate_wall, thread_sensitive=False)(user, event):
        raise PermissionDenied
    frames = feeds.follow(
        event.pk,
        feeds.MODERATE,
        sse.last_event_id(request.headers, request.GET),
        request.LANGUAGE_CODE,
    )
    return StreamingHttpResponse(frames, content_type=sse.CONTENT_TYPE, headers=sse.HEADERS)


def stream_outside_asgi(request: HttpRequest, hashtag: str) -> HttpResponse:
    """The public wall stream is served by ``events.stream_app`` in front of Django (see
    ``treffpunkt.asgi``); this view only names its address for ``{% url %}``. Reaching it
    means the site runs without ``treffpunkt serve`` (e.g. Django's runserver)."""
    return HttpResponse(
        _("The live stream needs `treffpunkt serve`."), status=503, content_type="text/plain"
    )
