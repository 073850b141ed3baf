"""Discovery (WebFinger, host-meta, NodeInfo), the actors, objects and collections as JSON,
the inboxes, and the remote-follow form. Views parse and answer; the work is elsewhere."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

import treffpunkt
from treffpunkt.blog.models import Blog, Post
from treffpunkt.comments.models import Comment
from treffpunkt.core.links import absolute_url
from treffpunkt.federation import inbox as inbox_module
from treffpunkt.federation import objects
from treffpunkt.federation.actors import (
    actor_by_username,
    actor_document,
    actor_for_blog,
    actor_page,
    actor_url,
    domain,
    federation_url,
    instance_actor,
)
from treffpunkt.federation.models import Activity, Follower, LocalActor, Reaction, Tombstone

logger = logging.getLogger(__name__)

ACTIVITY_JSON = "application/activity+json"
JSON_TYPES = (
    "application/activity+json",
    "application/ld+json",
)


def wants_activity_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "").lower()
    return any(kind in accept for kind in JSON_TYPES)


def activity_response(document: dict[str, Any], status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False),
        content_type=f"{ACTIVITY_JSON}; charset=utf-8",
        status=status,
    )
    patch_vary_headers(response, ["Accept"])
    if settings.FEDERATION_AUTHORIZED_FETCH:
        patch_vary_headers(response, ["Signature"])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def federation_on(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """With TREFFPUNKT_FEDERATION=off there are no actor endpoints."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.FEDERATION:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _is_signed_fetch(request: HttpRequest) -> bool:
    """Authorized fetch: a GET signed by any fediverse server's actor."""
    if "Signature" not in request.headers and "Signature-Input" not in request.headers:
        return False
    from treffpunkt.federation import httpsig
    from treffpunkt.federation.remote import FetchError, key_for, public_key

    try:
        httpsig.verify_request(
            "GET",
            settings.BASE_URL + request.get_full_path(),
            dict(request.headers.items()),
            None,
            resolve_key=lambda key_id, refresh: public_key(key_for(key_id, refresh=refresh)[1]),
        )
    except (httpsig.SignatureError, FetchError):
        return False
    return True


def _page_number(request: HttpRequest) -> int | None:
    value = request.GET.get("page")
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 100_000:
        raise Http404
    return int(value)


# --- discovery -------------------------------------------------------------------------


@federation_on
@require_GET
def webfinger(request: HttpRequest) -> HttpResponse:
    resource = request.GET.get("resource", "").strip()
    if not resource:
        return HttpResponse("resource is missing", status=400, content_type="text/plain")
    actor = _actor_for_resource(resource)
    if actor is None:
        return HttpResponse("not found", status=404, content_type="text/plain")
    url = actor_url(actor)
    page = actor_page(actor)
    document = {
        "subject": f"acct:{actor.username}@{domain()}",
        "aliases": [url, page],
        "links": [
            {"rel": "self", "type": ACTIVITY_JSON, "href": url},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": page},
        ],
    }
    response = HttpResponse(json.dumps(document), content_type="application/jrd+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _actor_for_resource(resource: str) -> LocalActor | None:
    if resource.startswith("acct:"):
        name, _at, host = resource[5:].lstrip("@").rpartition("@")
        if host.lower() not in (domain().lower(), settings.BASE_HOST.lower()) or not name:
            return None
        return actor_by_username(name)
    if resource.startswith(absolute_url("/ap/actors/")):
        from treffpunkt.federation.actors import actor_from_url

        return actor_from_url(resource)
    if resource.startswith(absolute_url("/")):
        path = urlsplit(resource).path
        parts = [part for part in path.split("/") if part]
        if parts and len(parts[0]) == 2 and parts[0] != "ap":
            parts = parts[1:]  # /en/b/…
        if len(parts) == 2 and parts[0] == "b":
            return actor_by_username(parts[1])
        if len(parts) in (2, 3) and parts[0] == "e":
            from treffpunkt.federation.events import actor_by_hashtag

            return actor_by_hashtag(parts[1])
    return None


@federation_on
@require_GET
def host_meta(request: HttpRequest) -> HttpResponse:
    template = absolute_url("/.well-known/webfinger") + "?resource={uri}"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template="{template}"/>\n'
        "</XRD>\n"
    )
    return HttpResponse(body, content_type="application/xrd+xml")


@federation_on
@require_GET
def nodeinfo_links(request: HttpRequest) -> HttpResponse:
    document = {
        "links": [
            {
                "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                "href": absolute_url("/nodeinfo/2.1"),
            },
            {
                "rel": "https://www.w3.org/ns/activitystreams#Application",
                "href": actor_url(instance_actor()),
            },
        ]
    }
    return HttpResponse(json.dumps(document), content_type="application/json")


@federation_on
@require_GET
def nodeinfo(request: HttpRequest) -> HttpResponse:
    from treffpunkt.core.queries import site_settings

    site = site_settings()
    blogs = Blog.objects.count()
    document = {
        "version": "2.1",
        "software": {
            "name": "treffpunkt",
            "version": treffpunkt.__version__,
            "homepage": absolute_url("/"),
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]},
        "openRegistrations": bool(site.registration_open),
        "usage": {
            "users": {"total": blogs, "activeMonth": blogs, "activeHalfyear": blogs},
            "localPosts": Post.objects.visible().count(),
            "localComments": Comment.objects.filter(status=Comment.Status.APPROVED).count(),
        },
        "metadata": {"nodeName": str(site.name)},
    }
    return HttpResponse(
        json.dumps(document),
        content_type='application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"',
    )


# --- actors and collections -------------------------------------------------------------


def _local_actor(pk: int) -> LocalActor:
    return get_object_or_404(LocalActor.objects.select_related("blog", "event"), pk=pk)


@federation_on
@require_GET
def actor(request: HttpRequest, pk: int) -> HttpResponse:
    local = _local_actor(pk)
    if not wants_activity_json(request):
        response = HttpResponseRedirect(actor_page(local, absolute=False))
        patch_vary_headers(response, ["Accept"])
        return response
    return actor_json_response(request, local)


def actor_json_response(request: HttpRequest, local: LocalActor) -> HttpResponse:
    minimal = settings.FEDERATION_AUTHORIZED_FETCH and not _is_signed_fetch(request)
    return activity_response(actor_document(local, minimal=minimal))


@federation_on
@require_GET
def outbox(request: HttpRequest, pk: int) -> HttpResponse:
    local = _local_actor(pk)
    collection_id = federation_url("outbox", pk)
    posts = (
        Post.objects.visible()
        .filter(blog=local.blog)
        .select_related("blog")
        .order_by("-published_at", "-pk")
        if local.blog
        else Post.objects.none()
    )
    total = posts.count()
    page = _page_number(request)
    if page is None:
        return activity_response(objects.ordered_collection(collection_id, total, []))
    start = (page - 1) * objects.PAGE_SIZE
    items = []
    for post in posts.prefetch_related("tags")[start : start + objects.PAGE_SIZE]:
        document = objects.post_object(post, local)
        items.append(
            objects.activity(
                "Create",
                local,
                document,
                activity_id=f"{document['id']}#create",
                to=document["to"],
                cc=document["cc"],
            )
        )
    return activity_response(objects.ordered_collection(collection_id, total, items, page=page))


@federation_on
@require_GET
def followers(request: HttpRequest, pk: int) -> HttpResponse:
    """Only the count: who follows a blog is nobody else's business."""
    local = _local_actor(pk)
    total = local.followers.filter(status=Follower.Status.ACCEPTED).count()
    return activity_response(objects.ordered_collection(federation_url("followers", pk), total))


@federation_on
@require_GET
def following(request: HttpRequest, pk: int) -> HttpResponse:
    local = _local_actor(pk)
    total = local.following.filter(accepted=True).count()
    return activity_response(objects.ordered_collection(federation_url("following", pk), total))


@federation_on
@require_GET
def featured(request: HttpRequest, pk: int) -> HttpResponse:
    _local_actor(pk)
    document = objects.ordered_collection(federation_url("featured", pk), 0)
    document["orderedItems"] = []
    return activity_response(document)


# --- posts and comments ----------------------------------------------------------------


def _visible_post(pk: int) -> Post | None:
    return (
        Post.objects.visible().select_related("blog").prefetch_related("tags").filter(pk=pk).first()
    )


def _gone_or_missing(pk: int) -> HttpResponse:
    gone = Tombstone.objects.filter(post_id=pk).first()
    if gone is not None:
        return activity_response(objects.tombstone_for_post(gone), status=410)
    raise Http404


@federation_on
@require_GET
def post_object(request: HttpRequest, pk: int) -> HttpResponse:
    post = _visible_post(pk)
    if not wants_activity_json(request):
        if post is None:
            raise Http404
        response = HttpResponseRedirect(post.get_absolute_url())
        patch_vary_headers(response, ["Accept"])
        return response
    if post is None:
        return _gone_or_missing(pk)
    return post_json_response(request, post)


def post_json_response(request: HttpRequest, post: Post) -> HttpResponse:
    if settings.FEDERATION_AUTHORIZED_FETCH and not _is_signed_fetch(request):
        response = HttpResponse("signature required", status=401, content_type="text/plain")
        patch_vary_headers(response, ["Accept", "Signature"])
        return response
    return activity_response(objects.post_object(post))


@federation_on
@require_GET
def replies(request: HttpRequest, pk: int) -> HttpResponse:
    post = _visible_post(pk)
    if post is None:
        return _gone_or_missing(pk)
    collection_id = federation_url("replies", pk)
    page = _page_number(request)
    if page is None:
        total, _ids = objects.reply_ids(post, 0, 0)
        return activity_response(objects.ordered_collection(collection_id, total, []))
    total, ids = objects.reply_ids(post, (page - 1) * objects.PAGE_SIZE, objects.PAGE_SIZE)
    return activity_response(objects.ordered_collection(collection_id, total, ids, page=page))


@federation_on
@require_GET
def reactions(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """How many liked or boosted a post; no names."""
    post = _visible_post(pk)
    if post is None:
        return _gone_or_missing(pk)
    total = Reaction.objects.filter(post=post, kind=kind).count()
    name = "likes" if kind == Reaction.Kind.LIKE else "shares"
    return activity_response(
        {
            "@context": objects.AS_CONTEXT,
            "id": federation_url(name, pk),
            "type": "Collection",
            "totalItems": total,
        }
    )


@federation_on
@require_GET
def comment_object(request: HttpRequest, pk: int) -> HttpResponse:
    comment = (
        Comment.objects.select_related("post__blog", "parent")
        .filter(pk=pk, status=Comment.Status.APPROVED)
        .first()
    )
    if comment is None or not comment.post.is_visible:
        raise Http404
    remote = getattr(comment, "remote", None) if hasattr(comment, "remote") else None
    if remote is not None:
        return HttpResponseRedirect(remote.url or remote.object_id)
    if not wants_activity_json(request):
        response = HttpResponseRedirect(comment.get_absolute_url())
        patch_vary_headers(response, ["Accept"])
        return response
    return comment_json_response(request, comment)


def comment_json_response(request: HttpRequest, comment: Comment) -> HttpResponse:
    if settings.FEDERATION_AUTHORIZED_FETCH and not _is_signed_fetch(request):
        return HttpResponse("signature required", status=401, content_type="text/plain")
    return activity_response(objects.comment_object(comment))


@federation_on
@require_GET
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    sent = get_object_or_404(Activity, pk=pk)
    audience = json.dumps([sent.payload.get("to"), sent.payload.get("cc")])
    if objects.PUBLIC not in audience:
        raise Http404  # Accept, Follow and the like are for their addressee only
    return activity_response({"@context": objects.AS_CONTEXT, **sent.payload})


@federation_on
@require_GET
def quote_authorization(request: HttpRequest, pk: int) -> HttpResponse:
    from treffpunkt.federation.models import QuoteAuthorization

    stamp = get_object_or_404(QuoteAuthorization.objects.select_related("post__blog"), pk=pk)
    if not stamp.post.is_visible:
        raise Http404
    return activity_response(
        {
            "@context": [
                objects.AS_CONTEXT,
                {
                    "QuoteAuthorization": "https://w3id.org/fep/044f#QuoteAuthorization",
                    "gts": "https://gotosocial.org/ns#",
                    "interactingObject": {"@id": "gts:interactingObject", "@type": "@id"},
                    "interactionTarget": {"@id": "gts:interactionTarget", "@type": "@id"},
                },
            ],
            "id": federation_url("quote_authorization", pk),
            "type": "QuoteAuthorization",
            "attributedTo": actor_url(actor_for_blog(stamp.post.blog)),
            "interactingObject": stamp.quote_id,
            "interactionTarget": objects.post_url(stamp.post),
        }
    )


# --- the inbox ---------------------------------------------------------------------------


@csrf_exempt
@federation_on
def inbox(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    local = _local_actor(pk) if pk is not None else None
    answer = inbox_module.receive(request, local)
    if answer.status != 202:
        logger.info("Inbox refused a request (%s): %s", answer.status, answer.message)
    return HttpResponse(answer.message, status=answer.status, content_type="text/plain")


# --- following from another server -----------------------------------------------------


@federation_on
def remote_follow(request: HttpRequest, blog: str) -> HttpResponse:
    """ "Follow from the fediverse": the reader names their server and gets a link to its
    authorize-interaction page (Mastodon's, which most servers offer too). A link, not a
    redirect: the site's Content-Security-Policy lets forms lead only to this site."""
    blog_obj = get_object_or_404(Blog, slug=blog)
    back = blog_obj.get_absolute_url()
    server = request.GET.get("server", "").strip().lstrip("@")
    if "@" in server:
        server = server.rpartition("@")[2]
    if "://" in server:
        server = urlsplit(server).netloc
    server = server.strip("/").lower()
    if not server or not _looks_like_host(server):
        messages.error(
            request, _("Please enter the address of your server, for example mastodon.social.")
        )
        return redirect(f"{back}#follow")
    account = f"{blog_obj.slug}@{domain()}"
    target = f"https://{server}/authorize_interaction?uri={quote(account)}"
    return render(
        request,
        "federation/remote_follow.html",
        {"blog": blog_obj, "server": server, "target": target, "handle": f"@{account}"},
    )


def _looks_like_host(value: str) -> bool:
    import re

    return bool(
        len(value) <= 253
        and re.fullmatch(
            r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?::\d{1,5})?",
            value,
        )
    )
