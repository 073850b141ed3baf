"""ActivityPub shapes of our things: posts, comments, collections, activities, tombstones.

Data first: these functions only read and build JSON; what is sent and stored is decided in
``delivery`` and ``listeners``.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.html import escape

from treffpunkt.blog.models import Post
from treffpunkt.comments.models import Comment
from treffpunkt.comments.text import render_comment_text
from treffpunkt.core.links import absolute_url
from treffpunkt.federation.actors import (
    AS_CONTEXT,
    PUBLIC,
    actor_for_blog,
    actor_url,
    federation_url,
)
from treffpunkt.federation.models import LocalActor, Reaction, RemoteComment, Tombstone

OBJECT_CONTEXT: list[Any] = [
    AS_CONTEXT,
    {
        "Hashtag": "as:Hashtag",
        "sensitive": "as:sensitive",
        "toot": "http://joinmastodon.org/ns#",
        "gts": "https://gotosocial.org/ns#",
        "interactionPolicy": {"@id": "gts:interactionPolicy", "@type": "@id"},
        "canQuote": {"@id": "gts:canQuote", "@type": "@id"},
        "automaticApproval": {"@id": "gts:automaticApproval", "@type": "@id"},
    },
]
# Mastodon shows an Article's summary; longer ones are cut.
SUMMARY_LENGTH = 500
MAX_ATTACHMENTS = 4
PAGE_SIZE = 20
IMAGE_IN_HTML = re.compile(r'<img\s[^>]*?src="(?P<src>[^"]+)"[^>]*?>', re.IGNORECASE)
ALT_IN_TAG = re.compile(r'alt="(?P<alt>[^"]*)"', re.IGNORECASE)


def post_url(post: Post) -> str:
    return federation_url("post", post.pk)


def comment_url(comment: Comment) -> str:
    """The id of a comment in the fediverse: the remote object for fediverse comments."""
    remote = getattr(comment, "remote", None) if hasattr(comment, "remote") else None
    if remote is not None:
        return str(remote.object_id)
    return federation_url("comment", comment.pk)


def _plain_summary(post: Post) -> str:
    summary = " ".join((post.summary or "").split())
    if len(summary) > SUMMARY_LENGTH:
        summary = summary[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    return summary


def _attachments(post: Post) -> list[dict[str, Any]]:
    images: list[tuple[str, str]] = []
    if post.cover_image:
        images.append((absolute_url(post.cover_image.url), post.cover_alt))
    for match in IMAGE_IN_HTML.finditer(post.body_html or ""):
        src = match.group("src")
        if src.startswith("/"):
            src = absolute_url(src)
        if not src.startswith(settings.BASE_URL):
            continue  # other sites' images are theirs to federate
        found = ALT_IN_TAG.search(match.group(0))
        images.append((src, found.group("alt") if found else ""))
    attachments = []
    for url, alt in images[:MAX_ATTACHMENTS]:
        attachments.append(
            {
                "type": "Image",
                "mediaType": _media_type(url),
                "url": url,
                "name": alt,
                "summary": alt,
            }
        )
    return attachments


def _media_type(url: str) -> str:
    ending = url.rsplit(".", 1)[-1].lower()
    return {
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "gif": "image/gif",
        "webp": "image/webp",
    }.get(ending, "image/jpeg")


def post_object(post: Post, actor: LocalActor | None = None) -> dict[str, Any]:
    """A published post as an ``Article`` (title, plain summary, full content), or as a
    ``Note`` with the warning as ``summary`` when it has a content warning (Mastodon
    ignores warnings on Articles)."""
    actor = actor or actor_for_blog(post.blog)
    author = actor_url(actor)
    object_id = post_url(post)
    tags = list(post.tags.all())
    warning = getattr(post, "content_warning", "") or ""
    document: dict[str, Any] = {
        "@context": OBJECT_CONTEXT,
        "id": object_id,
        "type": "Note" if warning else "Article",
        "attributedTo": author,
        "url": absolute_url(post.get_absolute_url()),
        "to": [PUBLIC],
        "cc": [federation_url("followers", actor.pk)],
        "published": (post.published_at or post.created_at).isoformat(),
        "updated": post.updated_at.isoformat(),
        "contentMap": {post.language: post.body_html},
        "content": post.body_html,
        "mediaType": "text/html",
        "tag": [
            {
                "type": "Hashtag",
                "href": absolute_url(tag.get_absolute_url()),
                "name": "#" + re.sub(r"\W", "", tag.name) if re.sub(r"\W", "", tag.name) else "#",
            }
            for tag in tags
        ],
        "attachment": _attachments(post),
        "replies": federation_url("replies", post.pk),
        "likes": {
            "id": federation_url("likes", post.pk),
            "type": "Collection",
            "totalItems": _count(post, Reaction.Kind.LIKE),
        },
        "shares": {
            "id": federation_url("shares", post.pk),
            "type": "Collection",
            "totalItems": _count(post, Reaction.Kind.ANNOUNCE),
        },
        "interactionPolicy": {
            "canQuote": {"automaticApproval": [PUBLIC]},
        },
    }
    if warning:
        document["summary"] = warning
        document["sensitive"] = True
        # A Note has no title of its own: the title leads, with the link.
        link = absolute_url(post.get_absolute_url())
        document["content"] = (
            f"<p><strong>{escape(post.title)}</strong></p>{post.body_html}"
            f'<p><a href="{escape(link)}">{escape(link)}</a></p>'
        )
        document["contentMap"] = {post.language: document["content"]}
    else:
        document["name"] = post.title
        document["summary"] = _plain_summary(post)
    return document


def _count(post: Post, kind: str) -> int:
    counts = getattr(post, "_reaction_counts", None)
    if counts is None:
        counts = {}
        for row in Reaction.objects.filter(post=post).values_list("kind", flat=True):
            counts[row] = counts.get(row, 0) + 1
        post._reaction_counts = counts  # type: ignore[attr-defined]
    return int(counts.get(kind, 0))


def comment_object(comment: Comment) -> dict[str, Any]:
    """A local approved comment as a ``Note``, in reply to its parent or its post."""
    post = comment.post
    actor = actor_for_blog(post.blog)
    if comment.parent_id:
        parent = comment.parent
        in_reply_to = comment_url(parent) if parent is not None else post_url(post)
    else:
        in_reply_to = post_url(post)
    content = str(render_comment_text(comment.body))
    document = {
        "@context": OBJECT_CONTEXT,
        "id": federation_url("comment", comment.pk),
        "type": "Note",
        # Comments by the blog's team speak as the blog; a guest's as the blog too, with
        # their name, since guests have no actor of their own.
        "attributedTo": actor_url(actor),
        "inReplyTo": in_reply_to,
        "url": absolute_url(comment.get_absolute_url()),
        "to": [PUBLIC],
        "cc": [federation_url("followers", actor.pk)],
        "published": comment.created_at.isoformat(),
        "content": content
        if comment.by_staff
        else f"<p>{escape(comment.author_name)}:</p>{content}",
        "context": post_url(post),
    }
    if comment.edited_at:
        document["updated"] = comment.edited_at.isoformat()
    return document


def tombstone(object_id: str, former_type: str, deleted: Any = None) -> dict[str, Any]:
    return {
        "@context": AS_CONTEXT,
        "id": object_id,
        "type": "Tombstone",
        "formerType": former_type,
        "deleted": (deleted or timezone.now()).isoformat(),
    }


def tombstone_for_post(tombstone_row: Tombstone) -> dict[str, Any]:
    return tombstone(
        federation_url("post", tombstone_row.post_id),
        tombstone_row.former_type,
        tombstone_row.deleted_at,
    )


def ordered_collection(
    collection_id: str, total: int, items: list[Any] | None = None, *, page: int | None = None
) -> dict[str, Any]:
    """A collection (``page`` None: its summary with the first page's link) or one page."""
    if page is None:
        document: dict[str, Any] = {
            "@context": AS_CONTEXT,
            "id": collection_id,
            "type": "OrderedCollection",
            "totalItems": total,
        }
        if items is not None:
            document["first"] = f"{collection_id}?page=1"
        return document
    document = {
        "@context": AS_CONTEXT,
        "id": f"{collection_id}?page={page}",
        "type": "OrderedCollectionPage",
        "partOf": collection_id,
        "totalItems": total,
        "orderedItems": items or [],
    }
    if page * PAGE_SIZE < total:
        document["next"] = f"{collection_id}?page={page + 1}"
    if page > 1:
        document["prev"] = f"{collection_id}?page={page - 1}"
    return document


def reply_ids(post: Post, offset: int, limit: int) -> tuple[int, list[str]]:
    """The approved comments of a post as ids, in order, and how many there are."""
    comments = Comment.objects.filter(post=post, status=Comment.Status.APPROVED).order_by(
        "created_at", "pk"
    )
    total = comments.count()
    page = list(comments.values_list("pk", flat=True)[offset : offset + limit])
    remote = dict(
        RemoteComment.objects.filter(comment_id__in=page, public=True).values_list(
            "comment_id", "object_id"
        )
    )
    return total, [remote.get(pk) or federation_url("comment", pk) for pk in page]


def activity(
    kind: str, actor: LocalActor, obj: Any, *, activity_id: str, to: list[str] | None = None,
    cc: list[str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    document: dict[str, Any] = {
        "@context": OBJECT_CONTEXT if isinstance(obj, dict) else AS_CONTEXT,
        "id": activity_id,
        "type": kind,
        "actor": actor_url(actor),
        "object": obj,
    }
    if to is not None:
        document["to"] = to
    if cc is not None:
        document["cc"] = cc
    if isinstance(obj, dict):
        obj.pop("@context", None)
        document.setdefault("published", obj.get("updated") or timezone.now().isoformat())
    return document
