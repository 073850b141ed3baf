"""The insights pages: per event, per blog, for the whole site; each also as CSV."""

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from treffpunkt.blog.models import Blog
from treffpunkt.events import queries as event_queries
from treffpunkt.events.models import Event
from treffpunkt.insights import actions, charts, csv_export, hints, measures, queries
from treffpunkt.insights.forms import AttendanceForm, PeriodForm
from treffpunkt.insights.permissions import (
    can_count_attendees,
    can_see_blog_insights,
    can_see_event_insights,
    can_see_site_insights,
)
from treffpunkt.insights.queries import Period

View = Callable[..., HttpResponseBase]


def members_only(view: View) -> View:
    """Visitors go to the login page first; the view checks the rest."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _event_or_404(hashtag: str) -> Event:
    event = event_queries.event_by_hashtag(hashtag)
    if event is None:
        raise Http404(_("There is no event with this hashtag."))
    return event


def _period_form(request: HttpRequest) -> PeriodForm:
    # A bound form even without parameters, so the defaults (open ends) validate.
    return PeriodForm(request.GET)


def _presets(request: HttpRequest) -> list[dict[str, Any]]:
    """Quick choices next to the date fields: the last 30 days, the last 12 months, all."""
    today = timezone.localdate()
    team = {"team": "on"} if request.GET.get("team") else {}
    choices = [
        (_("Last 30 days"), {"start": (today - timedelta(days=29)).isoformat()}),
        (_("Last 12 months"), {"start": _twelve_months_back(today).isoformat()}),
        (_("All time"), {}),
    ]
    current = {k: v for k, v in request.GET.items() if k in ("start", "end") and v}
    return [
        {
            "label": label,
            "query": "?" + urlencode({**params, **team}) if params or team else "?",
            "current": current == params,
        }
        for label, params in choices
    ]


def _twelve_months_back(today: date) -> date:
    """The first day of the month eleven months before this one."""
    year, month = today.year - 1, today.month + 1
    if month == 13:
        year, month = year + 1, 1
    return date(year, month, 1)


def _common(request: HttpRequest, form: PeriodForm, csv_url: str) -> dict[str, Any]:
    query = request.GET.urlencode()
    return {
        "form": form,
        "presets": _presets(request),
        "csv_url": csv_url + (f"?{query}" if query else ""),
        "min_group": measures.MIN_GROUP,
        "kinds": charts.kind_series(),
    }


def _charts(summary: measures.Summary, timeline: queries.Timeline) -> dict[str, Any]:
    return {
        "time_unit": timeline.unit,
        "over_time": charts.bar_chart(timeline.rows, charts.kind_series()),
        "lorenz": charts.lorenz_chart(summary.lorenz) if summary.large_enough else None,
        "lorenz_rows": charts.lorenz_table(summary.lorenz) if summary.large_enough else [],
    }


# --- per event ------------------------------------------------------------------------


def _event_allowed(request: HttpRequest, hashtag: str) -> Event:
    event = _event_or_404(hashtag)
    if not can_see_event_insights(request.user, event):
        raise PermissionDenied
    return event


@require_GET
@members_only
def event_insights(request: HttpRequest, hashtag: str) -> HttpResponse:
    event = _event_allowed(request, hashtag)
    form = _period_form(request)
    context = {
        "event": event,
        **_common(request, form, reverse("insights:event_csv", args=[event.hashtag])),
    }
    if not form.is_valid():
        return render(request, "insights/event.html", context, status=400)
    insights = queries.event_insights(event, form.period(), form.cleaned_data["team"])
    context.update(
        insights=insights,
        summary=insights.summary,
        hint=hints.hint_for("event", insights.summary),
        can_count=can_count_attendees(request.user, event),
        attendance_form=AttendanceForm(initial={"attendees": insights.attendees}),
        **_charts(insights.summary, insights.timeline),
    )
    return render(request, "insights/event.html", context)


@require_POST
@members_only
def event_attendance(request: HttpRequest, hashtag: str) -> HttpResponse:
    event = _event_or_404(hashtag)
    if not can_count_attendees(request.user, event):
        raise PermissionDenied
    form = AttendanceForm(request.POST)
    back = reverse("insights:event", args=[event.hashtag])
    if not form.is_valid():
        for error in form.errors.get("attendees", []):
            messages.error(request, str(error))
        return redirect(back)
    try:
        actions.set_attendees(event, form.cleaned_data["attendees"])
    except ValidationError as error:  # pragma: no cover (the form checks the same range)
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Number of attendees saved."))
    return redirect(back)


@require_GET
@members_only
def event_insights_csv(request: HttpRequest, hashtag: str) -> HttpResponse:
    event = _event_allowed(request, hashtag)
    form = _period_form(request)
    if not form.is_valid():
        return _csv_refused(form)
    period = form.period()
    insights = queries.event_insights(event, period, form.cleaned_data["team"])
    rows = [
        csv_export.row(
            "event",
            f"#{event.hashtag}",
            period,
            insights.summary,
            attendees=insights.attendees,
            first_after_start=insights.first_after_start,
        )
    ]
    return csv_export.response(rows, f"insights-{event.hashtag}.csv")


# --- per blog -------------------------------------------------------------------------


def _blog_allowed(request: HttpRequest, slug: str) -> Blog:
    blog = get_object_or_404(Blog, slug=slug)
    if not can_see_blog_insights(request.user, blog):
        raise PermissionDenied
    return blog


@require_GET
@members_only
def blog_insights(request: HttpRequest, blog: str) -> HttpResponse:
    blog_obj = _blog_allowed(request, blog)
    form = _period_form(request)
    context = {
        "blog": blog_obj,
        **_common(request, form, reverse("insights:blog_csv", args=[blog_obj.slug])),
    }
    if not form.is_valid():
        return render(request, "insights/blog.html", context, status=400)
    insights = queries.blog_insights(blog_obj, form.period(), form.cleaned_data["team"])
    context.update(
        insights=insights,
        summary=insights.summary,
        hint=hints.hint_for("blog", insights.summary),
        **_charts(insights.summary, insights.timeline),
    )
    return render(request, "insights/blog.html", context)


@require_GET
@members_only
def blog_insights_csv(request: HttpRequest, blog: str) -> HttpResponse:
    blog_obj = _blog_allowed(request, blog)
    form = _period_form(request)
    if not form.is_valid():
        return _csv_refused(form)
    period = form.period()
    insights = queries.blog_insights(blog_obj, period, form.cleaned_data["team"])
    rows = [
        csv_export.row(
            "blog_comments",
            blog_obj.slug,
            period,
            insights.summary,
            posts=insights.posts,
            comments_per_post=insights.comments_per_post,
            answered_share=insights.answered_share,
            time_to_reply=insights.time_to_reply,
        ),
        csv_export.row("blog_posts", blog_obj.slug, period, insights.post_summary),
    ]
    return csv_export.response(rows, f"insights-{blog_obj.slug}.csv")


# --- the whole site -------------------------------------------------------------------


def _site_allowed(request: HttpRequest) -> None:
    if not can_see_site_insights(request.user):
        raise PermissionDenied


@require_GET
@members_only
def site_insights(request: HttpRequest) -> HttpResponse:
    _site_allowed(request)
    form = _period_form(request)
    context = _common(request, form, reverse("insights:site_csv"))
    if not form.is_valid():
        return render(request, "insights/site.html", context, status=400)
    insights = queries.site_insights(form.period(), form.cleaned_data["team"])
    months, events = insights.months, insights.events
    voices = charts.bar_chart(
        [
            charts.Row(
                row.label,
                {"new": row.summary.new_voices, "returning": row.summary.returning_voices},
            )
            for row in events
        ],
        charts.voice_series(),
    )
    context.update(
        insights=insights,
        summary=insights.summary,
        months=months,
        events=events,
        voices=voices,
        voice_series=charts.voice_series(),
        hint=hints.hint_for("site", insights.summary),
        **_charts(insights.summary, insights.timeline),
    )
    return render(request, "insights/site.html", context)


@require_GET
@members_only
def site_insights_csv(request: HttpRequest) -> HttpResponse:
    _site_allowed(request)
    form = _period_form(request)
    if not form.is_valid():
        return _csv_refused(form)
    period = form.period()
    insights = queries.site_insights(period, form.cleaned_data["team"])
    rows = [csv_export.row("site", "", period, insights.summary)]
    for month in insights.months:
        if month.start is None:  # pragma: no cover (months always have their start)
            continue
        # The month, cut to the chosen range.
        end = charts.next_month(month.start)
        cut = Period(
            max(month.start, period.start) if period.start else month.start,
            min(end, period.end) if period.end else end,
        )
        rows.append(csv_export.row("month", month.start.strftime("%Y-%m"), cut, month.summary))
    for row in insights.events:
        rows.append(csv_export.row("event", row.label, period, row.summary))
    return csv_export.response(rows, "insights.csv")


def _csv_refused(form: PeriodForm) -> HttpResponse:
    lines = [str(e) for errors in form.errors.values() for e in errors]
    return HttpResponse(
        "\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8"
    )
