"""What each received activity does here. Called by the worker for stored, verified rows
(``inbox.process_item``); every handler is idempotent and tolerant of arriving out of order.

Writes go through the apps' actions: a reply becomes a comment through the one submission
pipeline (``comments.actions.submit_comment`` with the source ``fediverse_reply``), its
Update and Delete through the comments' actions; followers and reactions are ours.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone, translation

from treffpunkt.blog.models import Post
from treffpunkt.comments import actions as comment_actions
from treffpunkt.comments.models import Comment
from treffpunkt.core.links import absolute_url
from treffpunkt.federation import actions
from treffpunkt.federation.actors import PUBLIC, actor_from_url, domain
from treffpunkt.federation.inbox import UNVERIFIED, Ignore, NotYet
from treffpunkt.federation.models import (
    DeletedObject,
    Follower,
    Following,
    LocalActor,
    Reaction,
    RemoteActor,
    RemoteComment,
)
from treffpunkt.federation.remote import (
    FetchError,
    as_id,
    as_ids,
    as_text,
    as_time,
    as_type,
    fetch_json,
    participant_of,
    remote_actor,
    same_host,
)
from treffpunkt.federation.text import html_to_text
from treffpunkt.moderation.models import Source
from treffpunkt.moderation.submissions import Origin, Refused, Submission

logger = logging.getLogger(__name__)

REPLY_TYPES = {"Note", "Article", "Page", "Question"}
# How far up a chain of unknown parents we fetch to find out whether it ends here.
MAX_CHAIN = 5
PUBLIC_IDS = {PUBLIC, "as:Public", "Public"}


def handle(kind: str, activity: dict[str, Any]) -> str:
    handler = HANDLERS.get(kind)
    if handler is None:
        raise Ignore(f"{kind} is not taken here")
    actor_url = as_id(activity.get("actor"))
    if RemoteActor.objects.filter(url=actor_url, blocked_at__isnull=False).exists():
        raise Ignore("the account is blocked")
    from treffpunkt.federation import wall_intake

    # Event walls first (mentions, follows of events, their posts' Update/Delete).
    taken = wall_intake.handle(kind, activity, actor_url)
    if taken is not None:
        return taken
    return handler(activity, actor_url)


# --- following -------------------------------------------------------------------------


def on_follow(activity: dict[str, Any], actor_url: str) -> str:
    local = actor_from_url(as_id(activity.get("object")))
    if local is None or local.kind != LocalActor.Kind.BLOG:
        raise Ignore("not one of our blogs")
    remote = remote_actor(actor_url)
    follower = actions.add_follower(local, remote, follow_id=as_id(activity.get("id")))
    return f"follower {follower.status}"


def on_undo(activity: dict[str, Any], actor_url: str) -> str:
    obj = activity.get("object")
    inner_type = as_type(obj.get("type")) if isinstance(obj, dict) else ""
    inner_id = as_id(obj)
    if inner_type == "Follow" or Follower.objects.filter(follow_id=inner_id).exists():
        target = as_id(obj.get("object")) if isinstance(obj, dict) else ""
        local = actor_from_url(target) if target else None
        removed = actions.remove_follower_by_url(actor_url, local=local, follow_id=inner_id)
        return f"{removed} follow(s) undone"
    if inner_type in ("Like", "Announce") or Reaction.objects.filter(activity_id=inner_id).exists():
        removed = actions.remove_reaction(actor_url, inner_id, obj)
        return f"{removed} reaction(s) undone"
    if inner_type in ("Create",) and isinstance(obj, dict):
        return on_delete({"object": obj.get("object")}, actor_url)
    raise Ignore(f"Undo of {inner_type or inner_id!r} is not taken here")


def on_accept(activity: dict[str, Any], actor_url: str) -> str:
    follow_id = as_id(activity.get("object"))
    changed = Following.objects.filter(follow_id=follow_id, remote__url=actor_url).update(
        accepted=True
    )
    if not changed:
        raise Ignore("no follow of ours")
    return "following"


def on_reject(activity: dict[str, Any], actor_url: str) -> str:
    follow_id = as_id(activity.get("object"))
    Following.objects.filter(follow_id=follow_id, remote__url=actor_url).delete()
    return "follow rejected"


def on_block(activity: dict[str, Any], actor_url: str) -> str:
    """A remote account blocks one of our blogs: it no longer follows nor gets anything."""
    local = actor_from_url(as_id(activity.get("object")))
    if local is None:
        raise Ignore("not one of ours")
    removed = actions.remove_follower_by_url(actor_url, local=local)
    return f"blocked by {actor_url}; {removed} follow(s) ended"


# --- likes and boosts ------------------------------------------------------------------


def _local_post(url: str) -> Post | None:
    """Our post behind an id or a permalink (visible ones only)."""
    if not url or not url.startswith(absolute_url("/")):
        return None
    path = url[len(absolute_url("")) :].split("#")[0].split("?")[0]
    # A page address in another language than the worker's (/en/b/…) resolves in it.
    language = next(
        (code for code, _name in settings.LANGUAGES if path.startswith(f"/{code}/")),
        settings.LANGUAGE_CODE,
    )
    try:
        with translation.override(language):
            match = resolve(path)
    except Resolver404:
        return None
    if match.view_name == "federation:post":
        post = Post.objects.select_related("blog").filter(pk=match.kwargs["pk"]).first()
    elif match.view_name == "blog:post":
        from treffpunkt.blog.queries import post_for_page

        post = post_for_page(match.kwargs["blog"], match.kwargs["slug"])
    else:
        return None
    return post if post is not None and post.is_visible else None


def _local_comment(url: str) -> Comment | None:
    if not url.startswith(absolute_url("/ap/comments/")):
        return None
    number = url[len(absolute_url("/ap/comments/")) :].split("#")[0].split("/")[0]
    if not number.isdigit() or not number.isascii():
        return None
    return Comment.objects.select_related("post__blog").filter(pk=int(number)).first()


def on_like(activity: dict[str, Any], actor_url: str) -> str:
    return _react(activity, actor_url, Reaction.Kind.LIKE)


def on_announce(activity: dict[str, Any], actor_url: str) -> str:
    return _react(activity, actor_url, Reaction.Kind.ANNOUNCE)


def _react(activity: dict[str, Any], actor_url: str, kind: str) -> str:
    post = _local_post(as_id(activity.get("object")))
    if post is None:
        raise Ignore("not one of our posts")
    remote = remote_actor(actor_url)
    actions.add_reaction(post, remote, kind, activity_id=as_id(activity.get("id")))
    return f"{kind} counted"


# --- replies ---------------------------------------------------------------------------


def visibility(obj: dict[str, Any]) -> str:
    """public, unlisted, or private (followers only, or direct)."""
    to = set(as_ids(obj.get("to"))) | set(_strings(obj.get("to")))
    cc = set(as_ids(obj.get("cc"))) | set(_strings(obj.get("cc")))
    if to & PUBLIC_IDS:
        return "public"
    if cc & PUBLIC_IDS:
        return "unlisted"
    return "private"


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items[:200] if isinstance(item, str)]


def on_create(activity: dict[str, Any], actor_url: str) -> str:
    obj = activity.get("object")
    if not isinstance(obj, dict):  # checked in inbox._object_problem already
        raise Ignore("no object")
    if as_type(obj.get("type")) not in REPLY_TYPES:
        raise Ignore(f"a {as_type(obj.get('type'))} is not taken here")
    object_id = as_id(obj.get("id"))
    if RemoteComment.objects.filter(object_id=object_id).exists():
        return "known already"
    if DeletedObject.objects.filter(object_id=object_id).exists():
        raise Ignore("deleted before it arrived")
    in_reply_to = as_id(obj.get("inReplyTo"))
    if not in_reply_to:
        if Following.objects.filter(remote__url=actor_url).exists():
            return "a post of an account we follow"
        raise Ignore("no reply to anything here")
    post, parent = _place_of(in_reply_to)
    if post is None:
        raise Ignore("a reply to something that is not here")
    if visibility(obj) == "private":
        # Followers-only and direct replies are not for the public comments; they are
        # dropped (logged), never shown. See docs/decisions.md.
        raise Ignore("followers-only or direct reply: not shown publicly")
    return _store_reply(obj, actor_url, post, parent)


def _place_of(in_reply_to: str, depth: int = 0) -> tuple[Post | None, Comment | None]:
    """The post (and comment) a reply answers; unknown parents are fetched up the chain."""
    post = _local_post(in_reply_to)
    if post is not None:
        return post, None
    comment = _local_comment(in_reply_to)
    if comment is None:
        remote = (
            RemoteComment.objects.select_related("comment__post__blog")
            .filter(object_id=in_reply_to)
            .first()
        )
        comment = remote.comment if remote else None
    if comment is not None:
        if comment.status in (Comment.Status.TRASH, Comment.Status.SPAM):
            raise Ignore("a reply to a removed comment")
        if comment.status != Comment.Status.APPROVED:
            raise NotYet("its parent waits for moderation")
        return comment.post, comment
    if in_reply_to.startswith(absolute_url("/")):
        return None, None  # ours, but gone or never there
    if depth >= MAX_CHAIN:
        return None, None
    try:
        parent = fetch_json(in_reply_to)
    except FetchError as error:
        if error.temporary:
            raise
        return None, None
    grandparent = as_id(parent.get("inReplyTo"))
    if not grandparent or as_id(parent.get("id")) != in_reply_to:
        return None, None
    post, _ancestor = _place_of(grandparent, depth + 1)
    if post is None:
        return None, None
    # The chain ends here, but its middle has not arrived yet: it may (its author's server
    # sends it to us when it mentions us, or the backfill finds it); wait for it.
    raise NotYet("a parent in the chain has not arrived yet")


def _store_reply(obj: dict[str, Any], actor_url: str, post: Post, parent: Comment | None) -> str:
    remote = remote_actor(actor_url)
    participant = participant_of(remote)
    text = html_to_text(as_text(obj.get("content"), 50_000), strip_mentions_of=domain())
    summary = as_text(obj.get("summary"), 500)
    if summary and obj.get("sensitive"):
        text = f"{summary}\n\n{text}"
    parent_id = parent.pk if parent else None
    if parent is not None and parent.depth >= post.blog.comment_depth:
        parent_id = parent.parent_id
    object_id = as_id(obj.get("id"))
    submission = Submission(
        participant=participant,
        text=text,
        source=Source.FEDIVERSE_REPLY,
        author_name=remote.name or remote.username,
        website=remote.profile_url if remote.profile_url.startswith("https://") else "",
        origin=Origin(user_agent=remote.host),
        context_url=absolute_url(post.get_absolute_url()),
        remote_id=object_id,
        published_at=min(as_time(obj.get("published")) or timezone.now(), timezone.now()),
        server=remote.host,
        account_created_at=remote.published,
    )
    try:
        with transaction.atomic():
            comment = comment_actions.submit_comment(post, submission, parent_id=parent_id)
            RemoteComment.objects.create(
                comment=comment,
                object_id=object_id,
                author=remote,
                url=as_id(obj.get("url")) or object_id,
                replies_url=as_id(obj.get("replies"))
                if same_host(as_id(obj.get("replies")), object_id)
                else "",
            )
    except comment_actions.Duplicate:
        return "a duplicate of a comment here"
    except Refused as refusal:
        raise Ignore(f"refused: {refusal.message}") from None
    return f"comment {comment.pk} ({comment.status})"


def on_update(activity: dict[str, Any], actor_url: str) -> str:
    obj = activity.get("object")
    if not isinstance(obj, dict):
        raise Ignore("no object")
    kind = as_type(obj.get("type"))
    if kind not in REPLY_TYPES:
        if as_id(obj.get("id")) == actor_url:
            remote_actor(actor_url, refresh=True)
            return "actor refreshed"
        raise Ignore(f"Update of a {kind} is not taken here")
    object_id = as_id(obj.get("id"))
    known = (
        RemoteComment.objects.select_related("comment", "author")
        .filter(object_id=object_id)
        .first()
    )
    if known is None:
        # An Update that overtook its Create counts as the Create.
        return on_create({"object": obj, "actor": actor_url}, actor_url)
    if known.author.url != actor_url:
        raise Ignore("not the author's")
    updated = as_time(obj.get("updated"))
    if updated and known.updated_at and updated <= known.updated_at:
        return "older than what we have"
    text = html_to_text(as_text(obj.get("content"), 50_000), strip_mentions_of=domain())
    comment_actions.revise_comment(
        known.comment,
        Submission(
            participant=participant_of(known.author),
            text=text,
            source=Source.FEDIVERSE_REPLY,
            author_name=known.comment.author_name,
            server=known.author.host,
            account_created_at=known.author.published,
            remote_id=object_id,
        ),
    )
    RemoteComment.objects.filter(pk=known.pk).update(updated_at=updated or timezone.now())
    return f"comment {known.comment_id} revised"


def on_delete(activity: dict[str, Any], actor_url: str) -> str:
    object_id = as_id(activity.get("object"))
    if object_id == actor_url:
        if activity.get(UNVERIFIED):
            try:
                fetch_json(actor_url)
            except FetchError as error:
                if not error.gone:
                    raise Ignore("unsigned, and the account is not gone") from None
            else:
                raise Ignore("unsigned, and the account is still there")
        return actions.remote_actor_deleted(actor_url)
    DeletedObject.objects.get_or_create(object_id=object_id[:500])
    known = (
        RemoteComment.objects.select_related("comment", "author")
        .filter(object_id=object_id)
        .first()
    )
    if known is None:
        return "nothing here"
    if known.author.url != actor_url:
        raise Ignore("not the author's")
    comment_actions.withdraw_comment(known.comment)
    return "comment removed"


def on_flag(activity: dict[str, Any], actor_url: str) -> str:
    objects = as_ids(activity.get("object"))
    content = html_to_text(as_text(activity.get("content"), 2000))
    report = actions.report_from_fediverse(actor_url, objects, content)
    if report is None:
        raise Ignore("the report is about nothing here")
    return f"report {report.pk}"


def on_quote_request(activity: dict[str, Any], actor_url: str) -> str:
    """Someone quotes one of our posts (FEP-044f): every post may be quoted (its
    ``interactionPolicy`` says so), so the request is accepted with an authorization."""
    post = _local_post(as_id(activity.get("object")))
    if post is None:
        raise Ignore("not one of our posts")
    quote_id = as_id(activity.get("instrument"))
    if not quote_id or not same_host(quote_id, actor_url):
        raise Ignore("the quoting post is missing or elsewhere")
    remote = remote_actor(actor_url)
    authorization = actions.authorize_quote(
        post, remote, quote_id=quote_id, request_id=as_id(activity.get("id"))
    )
    return f"quote {authorization.pk} authorized"


HANDLERS = {
    "Follow": on_follow,
    "Undo": on_undo,
    "Accept": on_accept,
    "Reject": on_reject,
    "Block": on_block,
    "Like": on_like,
    "Announce": on_announce,
    "Create": on_create,
    "Update": on_update,
    "Delete": on_delete,
    "Flag": on_flag,
    "QuoteRequest": on_quote_request,
}
