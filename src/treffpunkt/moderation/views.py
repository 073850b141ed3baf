"""The moderators' Filter page: recent verdicts, how often moderators overruled the
filter, the state of the model, and (for admins) the word list and domain blocklist."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from treffpunkt.moderation import actions, queries, scoring
from treffpunkt.moderation.forms import FilterListsForm


def _may_see(user: Any) -> bool:
    return user.is_active and (user.is_superuser or user.is_moderator)


@login_required
def filter_page(request: HttpRequest) -> HttpResponse:
    if not _may_see(request.user):
        raise PermissionDenied
    lists = queries.filter_settings()
    form = FilterListsForm(instance=lists)
    status = 200
    if request.method == "POST":
        if not request.user.is_superuser:
            raise PermissionDenied
        form = FilterListsForm(request.POST, instance=lists)
        if form.is_valid():
            actions.update_filter_settings(
                words=form.cleaned_data["words"],
                blocked_domains=form.cleaned_data["blocked_domains"],
                admin=request.user,
            )
            messages.success(request, _("The word list and the domain blocklist are saved."))
            return redirect("moderation:filter")
        status = 400
    context = {
        "checks": queries.recent_checks(),
        "stats": queries.overrule_stats(),
        "status": queries.model_status(),
        "lists": lists,
        "form": form,
        "can_edit": request.user.is_superuser,
        "weights": scoring.signal_weights(),
    }
    return render(request, "moderation/filter.html", context, status=status)


@require_POST
@login_required
def train_model(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied
    from treffpunkt.moderation.tasks import train_spam_model

    train_spam_model.enqueue()
    messages.success(
        request,
        _("The model is being rebuilt in the background; this takes a few seconds."),
    )
    return redirect("moderation:filter")
