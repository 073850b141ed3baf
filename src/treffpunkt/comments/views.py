import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from treffpunkt.blog.models import Post
from treffpunkt.comments import actions, queries
from treffpunkt.comments.forms import (
    CommentForm,
    EditCommentForm,
    EraseForm,
    OwnDataEraseForm,
    OwnDataRequestForm,
    PrivacyLookupForm,
    ReplyForm,
)
from treffpunkt.comments.models import Comment
from treffpunkt.comments.permissions import (
    can_moderate_comment,
    may_use_queue,
    moderatable_comments,
    sees_commenter_emails,
)
from treffpunkt.core.inputs import parse_id
from treffpunkt.core.links import absolute_url
from treffpunkt.core.ratelimits import flooding
from treffpunkt.moderation.submissions import Submission

# --- leaving a comment ----------------------------------------------------------------


def _no_response(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def _from_another_site(request: HttpRequest) -> bool:
    """Whether the browser says this POST comes from another site's page.

    Browsers send ``Sec-Fetch-Site`` and ``Origin`` with every form POST; a guest's form
    has no CSRF token (its pages are cached), so these keep other sites from sending
    comments in a visitor's name from the visitor's browser.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site", "")
    if fetch_site and fetch_site not in {"same-origin", "none"}:
        return True
    origin = request.headers.get("Origin", "")
    if not origin or origin == "null":
        return False
    return origin not in {
        f"{request.scheme}://{request.get_host()}",
        *settings.CSRF_TRUSTED_ORIGINS,
    }


@csrf_exempt
@require_POST
def submit(request: HttpRequest, post_id: int) -> HttpResponseBase:
    """Take the "Leave a reply" form. Works without JavaScript: a plain POST, then a
    redirect to the comment on the post page; after an error the form comes back filled in.

    Guests' post pages are cached and carry no CSRF token (a token would set a cookie on
    every reader); the guest form needs none, as the cookies that tie a comment to a
    device or member are SameSite=Lax and never travel with another site's POST. For
    members the usual CSRF check still applies.
    """
    if request.user.is_authenticated:
        rejected = CsrfViewMiddleware(_no_response).process_view(request, _no_response, (), {})
        if rejected is not None:
            return rejected
    elif _from_another_site(request):
        raise PermissionDenied(_("Comments can only be sent with the form on this site."))
    try:
        post = Post.objects.select_related("blog").get(pk=post_id)
    except Post.DoesNotExist:
        post = None
    if post is None or not post.is_visible:
        raise Http404(_("This post is not published, so it takes no comments."))
    member = request.user.is_authenticated
    form = CommentForm(request.POST, member=member)
    status = 400
    if form.is_valid():
        result = _take_comment(request, post, form)
        if isinstance(result, HttpResponseBase):
            return result
        status = result
    context = {"post": post, "form": form, "closed": actions.closed_reason(post)}
    return render(request, "comments/form_page.html", context, status=status)


def _take_comment(request: HttpRequest, post: Post, form: CommentForm) -> HttpResponseBase | int:
    """Hand a valid comment form to the submission pipeline: the redirect to the comment,
    or the status to answer with (the form then carries the reason)."""
    if flooding(
        request,
        "comment",
        per_device=settings.COMMENT_RATE_PER_DEVICE,
        per_ip=settings.COMMENT_RATE_PER_IP,
    ):
        form.add_error(
            None, _("You are commenting very quickly. Please wait a minute, then send it again.")
        )
        return 429
    data = form.cleaned_data
    submission = Submission.from_form(
        request,
        data,
        text=data["body"],
        author_name=data.get("author_name", ""),
        email=data.get("email", ""),
        website=data["website"],
        context_url=absolute_url(post.get_absolute_url()),
    )
    try:
        comment = actions.submit_comment(
            post,
            submission,
            parent_id=data["parent"],
            subscribe=data["notify"],
            federate=bool(data.get("federate")),
        )
    except actions.Duplicate as duplicate:
        messages.info(request, _("You sent this comment already; here it is."))
        return redirect(duplicate.comment.get_absolute_url())
    except actions.Refused as refusal:
        field = refusal.field if refusal.field in form.fields else None
        form.add_error(field if field != "parent" else None, refusal.message)
        return refusal.status
    if data["notify"] and not request.user.is_authenticated:
        messages.info(
            request,
            _("We sent you an email: please confirm there that you want to hear about replies."),
        )
    if comment.status == Comment.Status.APPROVED:
        messages.success(request, _("Thank you! Your comment is published."))
    else:
        messages.info(
            request,
            _(
                "Thank you! Your comment is awaiting moderation and shows for everyone once "
                "it is approved."
            ),
        )
    return redirect(comment.get_absolute_url())


# --- the moderation queue -------------------------------------------------------------


def _require_queue(request: HttpRequest) -> None:
    if not may_use_queue(request.user):
        raise PermissionDenied


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Comments to moderate: filter by status, act on one or on several at once."""
    _require_queue(request)
    status = request.GET.get("status", Comment.Status.PENDING)
    if status not in Comment.Status.values:
        status = Comment.Status.PENDING
    if request.method == "POST":
        return _apply_queue_action(request, status)
    context = {
        "status": status,
        "statuses": Comment.Status.choices,
        "counts": queries.queue_counts(request.user),
        "comments": queries.queue(request.user, status),
        "show_email": sees_commenter_emails(request.user),
        "actions_for_status": _actions_for(status),
    }
    return render(request, "comments/queue.html", context)


def _actions_for(status: str) -> list[tuple[str, str]]:
    labels = {
        "approve": _("Approve"),
        "unapprove": _("Unapprove"),
        "spam": _("Spam"),
        "not_spam": _("Not spam"),
        "trash": _("Trash"),
        "delete": _("Delete permanently"),
    }
    by_status = {
        Comment.Status.PENDING: ["approve", "spam", "trash"],
        Comment.Status.APPROVED: ["unapprove", "spam", "trash"],
        Comment.Status.SPAM: ["not_spam", "delete"],
        Comment.Status.TRASH: ["approve", "delete"],
    }
    return [(name, labels[name]) for name in by_status[Comment.Status(status)]]


def _apply_queue_action(request: HttpRequest, status: str) -> HttpResponse:
    back = f"{reverse('comments:queue')}?status={status}"
    one = request.POST.get("one", "")
    if one:
        action, _sep, raw_id = one.partition(":")
        ids = [raw_id]
    else:
        action = request.POST.get("bulk_action", "")
        ids = request.POST.getlist("selected")
    if action not in actions.ACTIONS:
        messages.error(request, _("Please choose what to do with the selected comments."))
        return redirect(back)
    parsed = [parse_id(value) for value in ids]
    # Anything but plain ids (letters, "²", numbers beyond a database column) selects none.
    wanted = set() if None in parsed else {value for value in parsed if value is not None}
    if not wanted:
        messages.error(request, _("Please select at least one comment."))
        return redirect(back)
    comments = list(
        moderatable_comments(request.user).filter(pk__in=wanted).select_related("participant")
    )
    if len(comments) != len(wanted):
        raise PermissionDenied
    count = actions.bulk_moderate(comments, action, request.user)
    messages.success(
        request,
        ngettext("%(count)s comment changed.", "%(count)s comments changed.", count)
        % {"count": count},
    )
    return redirect(back)


def _moderatable_comment(request: HttpRequest, pk: int) -> Comment:
    comment = get_object_or_404(
        Comment.objects.select_related("post__blog", "post__author", "participant"), pk=pk
    )
    if not can_moderate_comment(request.user, comment):
        raise PermissionDenied
    return comment


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _moderatable_comment(request, pk)
    initial = {"body": comment.body, "author_name": comment.author_name, "website": comment.website}
    form = EditCommentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.edit_comment(comment, editor=request.user, **form.cleaned_data)
        messages.success(request, _("The comment is changed."))
        return redirect(f"{reverse('comments:queue')}?status={comment.status}#c{comment.pk}")
    status = 400 if form.errors else 200
    return render(request, "comments/edit.html", {"form": form, "comment": comment}, status=status)


@login_required
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _moderatable_comment(request, pk)
    form = ReplyForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if comment.status in (Comment.Status.SPAM, Comment.Status.TRASH):
            form.add_error(None, _("Spam and deleted comments cannot be answered."))
            status = 400
        else:
            body = form.cleaned_data["body"]
            answer = actions.reply_as_author(comment, user=request.user, body=body)
            messages.success(request, _("Your reply is published."))
            return redirect(answer.get_absolute_url())
    if form.errors and status == 200:
        status = 400
    return render(request, "comments/reply.html", {"form": form, "comment": comment}, status=status)


# --- reply notifications --------------------------------------------------------------


@csrf_exempt  # one-click unsubscribe from mail programs (RFC 8058); the signed token is the key
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscription_id = actions.subscription_for_token(token)
    if subscription_id is None:
        return render(request, "comments/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        actions.unsubscribe(subscription_id)
        return render(request, "comments/unsubscribe.html", {"done": True})
    from treffpunkt.comments.models import Subscription

    subscription = (
        Subscription.objects.select_related("comment__post").filter(pk=subscription_id).first()
    )
    if subscription is None:
        return render(request, "comments/unsubscribe.html", {"done": True})
    return render(
        request, "comments/unsubscribe.html", {"subscription": subscription, "token": token}
    )


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation email. Mail programs open links to check them, so the
    page asks for a click (a POST) before anything is switched on."""
    email = actions.email_for_confirmation(token)
    if email is None:
        return render(request, "comments/confirm.html", {"invalid": True}, status=404)
    if request.method == "POST":
        actions.confirm_subscriptions(email)
        return render(request, "comments/confirm.html", {"done": True})
    return render(request, "comments/confirm.html", {})


# --- privacy tools --------------------------------------------------------------------


@login_required
def privacy_tools(request: HttpRequest) -> HttpResponse:
    """Export or erase the personal data of one email address (admins only)."""
    if not request.user.is_superuser:
        raise PermissionDenied
    # Everything is a POST, so an email address never ends up in an address bar or a log.
    action = request.POST.get("action", "") if request.method == "POST" else ""
    looking_up = action in {"lookup", "download"}
    lookup = PrivacyLookupForm(request.POST if looking_up else None)
    erase_form = EraseForm(
        request.POST if action == "erase" else None,
        initial={"email": request.POST.get("email", ""), "mode": "anonymize"},
        prefix="erase",
    )
    status = 200
    found = None
    if action == "erase":
        if erase_form.is_valid():
            email = erase_form.cleaned_data["email"]
            counts = actions.erase_personal_data(
                email, delete_comments=erase_form.cleaned_data["mode"] == "delete"
            )
            messages.success(
                request,
                _(
                    "Erased: %(comments)s comments, %(subscriptions)s reply subscriptions, "
                    "%(guests)s guest profiles."
                )
                % counts,
            )
            return redirect("comments:privacy")
        status = 400
    elif looking_up:
        if lookup.is_valid():
            found = queries.personal_data(lookup.cleaned_data["email"])
            if action == "download":
                return _json_download(found)
        else:
            status = 400
    context = {"lookup": lookup, "erase_form": erase_form, "found": found}
    return render(request, "comments/privacy_tools.html", context, status=status)


def _json_download(found: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(
        json.dumps(found, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{stamp}.json"'
    return response


# --- a commenter's own data ---------------------------------------------------------


def own_data_request(request: HttpRequest) -> HttpResponse:
    """Anyone who commented asks for a link to see, download or erase their data.

    The answer is the same whether or not anything is stored for the address.
    """
    form = OwnDataRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if is_ratelimited(request, group="own-data", key="ip", rate="10/h", increment=True):
            form.add_error(None, _("Please wait a while before asking again."))
            status = 429
        elif form.is_valid():
            actions.request_own_data_link(form.cleaned_data["email"], get_language())
            messages.info(
                request,
                _(
                    "If we store comments under this address, an email with a link is on its "
                    "way. The link works for one day."
                ),
            )
            return redirect("comments:own_data_request")
        else:
            status = 400
    return render(request, "comments/own_data_request.html", {"form": form}, status=status)


def own_data(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind the emailed link: what is stored, as a download, and erasing it.

    Reading is a GET (mail programs open links to check them); erasing needs a POST.
    """
    access = actions.open_own_data_link(token)
    if access.status != "ok":
        # Unknown: 404; a link that was real but is older than a day: 410 Gone.
        status = 410 if access.status == "expired" else 404
        return render(request, "comments/own_data.html", {"invalid": access.status}, status=status)
    email = access.email
    erase_form = OwnDataEraseForm(
        request.POST if request.POST.get("action") == "erase" else None,
        initial={"mode": "anonymize"},
    )
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "download":
            return _json_download(queries.personal_data(email))
        if erase_form.is_valid():
            actions.erase_personal_data(
                email, delete_comments=erase_form.cleaned_data["mode"] == "delete"
            )
            messages.success(request, _("Your data is erased."))
            return redirect("comments:own_data", token=token)
        status = 400
    found = queries.personal_data(email)
    context = {"found": found, "erase_form": erase_form, "token": token}
    response = render(request, "comments/own_data.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    # The link holds the token: it never goes to another site in a Referer header (and
    # "same-origin" still lets the browser name our own origin for the CSRF check).
    response["Referrer-Policy"] = "same-origin"
    return response
