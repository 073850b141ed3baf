"""Writes of the fediverse app: followers, reactions, reports, blocks, an actor's settings,
following other accounts and answering them. Views, the command line, the admin, the inbox
handlers and the listeners call these; nothing else writes these rows.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from treffpunkt.blog.models import Blog
from treffpunkt.comments import actions as comment_actions
from treffpunkt.comments.models import Comment
from treffpunkt.core import changes
from treffpunkt.federation import delivery, objects
from treffpunkt.federation.actors import PUBLIC, actor_for_blog, actor_url, federation_url
from treffpunkt.federation.models import (
    Follower,
    Following,
    LocalActor,
    QuoteAuthorization,
    Reaction,
    RemoteActor,
    RemoteComment,
    Report,
    Server,
)
from treffpunkt.federation.permissions import can_block_servers, can_manage_followers_of
from treffpunkt.federation.remote import (
    FetchError,
    as_id,
    forget_blocked_hosts,
    host_of,
    remote_actor,
    server_for,
)

logger = logging.getLogger(__name__)


# --- followers -------------------------------------------------------------------------


def _answer_follow(follower: Follower, kind: str) -> None:
    """Send Accept or Reject of the follower's Follow to their own inbox."""
    local, remote = follower.actor, follower.remote
    follow = {
        "id": follower.follow_id or f"{remote.url}#follow",
        "type": "Follow",
        "actor": remote.url,
        "object": actor_url(local),
    }
    payload = objects.activity(kind, local, follow, activity_id="", to=[remote.url])
    payload.pop("id", None)
    delivery.send(local, payload, [remote.inbox or remote.delivery_inbox])


@transaction.atomic
def add_follower(local: LocalActor, remote: RemoteActor, *, follow_id: str = "") -> Follower:
    """A remote account asks to follow a blog: accepted at once (Accept sent), or held for
    the blog's authors when the blog approves each follower. Asking again re-sends Accept."""
    follower, created = Follower.objects.get_or_create(
        actor=local,
        remote=remote,
        defaults={
            "follow_id": follow_id[:500],
            "status": Follower.Status.PENDING
            if local.manually_approves_followers
            else Follower.Status.ACCEPTED,
        },
    )
    if not created and follow_id and follower.follow_id != follow_id:
        follower.follow_id = follow_id[:500]
        follower.save(update_fields=["follow_id"])
    if follower.status == Follower.Status.ACCEPTED:
        _answer_follow(follower, "Accept")
        changes.announce("follower", "added", follower.pk, public_pages=True, actor=local.pk)
    return follower


@transaction.atomic
def approve_follower(follower: Follower, *, user: Any) -> Follower:
    """An author lets a waiting follower follow (Accept sent)."""
    blog = follower.actor.blog
    if blog is None or not can_manage_followers_of(user, blog):
        raise PermissionDenied
    if follower.status != Follower.Status.ACCEPTED:
        Follower.objects.filter(pk=follower.pk).update(status=Follower.Status.ACCEPTED)
        follower.status = Follower.Status.ACCEPTED
        _answer_follow(follower, "Accept")
        changes.announce("follower", "added", follower.pk, actor=follower.actor_id)
    return follower


@transaction.atomic
def remove_follower(follower: Follower, *, user: Any) -> None:
    """An author rejects a waiting follower or removes one (Reject sent, as Mastodon does
    when a follower is removed): nothing more is delivered to them."""
    blog = follower.actor.blog
    if blog is None or not can_manage_followers_of(user, blog):
        raise PermissionDenied
    _answer_follow(follower, "Reject")
    follower.delete()
    changes.announce("follower", "removed", None, actor=follower.actor_id)


def remove_follower_by_url(
    actor_url_: str, *, local: LocalActor | None = None, follow_id: str = ""
) -> int:
    """The remote account stopped following (Undo Follow) or blocked us."""
    rows = Follower.objects.filter(remote__url=actor_url_)
    if local is not None:
        rows = rows.filter(actor=local)
    elif follow_id:
        rows = rows.filter(follow_id=follow_id)
    with transaction.atomic():
        count, _kinds = rows.delete()
        if count:
            changes.announce("follower", "removed", None)
    return int(count)


# --- reactions -------------------------------------------------------------------------


def add_reaction(post: Any, remote: RemoteActor, kind: str, *, activity_id: str) -> Reaction:
    with transaction.atomic():
        reaction, created = Reaction.objects.get_or_create(
            post=post, kind=kind, remote=remote, defaults={"activity_id": activity_id[:500]}
        )
        if created:
            changes.announce("post", "reacted", post.pk, blog=post.blog_id)
    return reaction


def remove_reaction(actor_url_: str, activity_id: str, obj: Any) -> int:
    rows = Reaction.objects.filter(remote__url=actor_url_)
    if activity_id and rows.filter(activity_id=activity_id).exists():
        rows = rows.filter(activity_id=activity_id)
    elif isinstance(obj, dict):
        from treffpunkt.federation.handlers import _local_post

        post = _local_post(as_id(obj.get("object")))
        kind = {"Like": Reaction.Kind.LIKE, "Announce": Reaction.Kind.ANNOUNCE}.get(
            str(obj.get("type")), ""
        )
        if post is None or not kind:
            return 0
        rows = rows.filter(post=post, kind=kind)
    else:
        return 0
    with transaction.atomic():
        post_ids = list(rows.values_list("post_id", flat=True))
        count, _kinds = rows.delete()
        for post_id in set(post_ids):
            changes.announce("post", "reacted", post_id)
    return int(count)


# --- accounts and servers gone or blocked ----------------------------------------------


def _withdraw_comments_of(remote: RemoteActor) -> int:
    count = 0
    for known in RemoteComment.objects.filter(author=remote).select_related("comment"):
        comment_actions.withdraw_comment(known.comment)
        count += 1
    return count


def remote_actor_deleted(url: str) -> str:
    """An account was deleted on its server: its comments here go, it follows nothing."""
    remote = RemoteActor.objects.filter(url=url).first()
    if remote is None:
        return "unknown account"
    with transaction.atomic():
        count = _withdraw_comments_of(remote)
        Follower.objects.filter(remote=remote).delete()
        RemoteActor.objects.filter(pk=remote.pk).update(gone_at=timezone.now())
    return f"account deleted; {count} comment(s) removed"


def clean_domain(domain: str) -> str:
    domain = (domain or "").strip().lower().rstrip(".")
    if "://" in domain:
        domain = host_of(domain)
    if not domain or any(character.isspace() or character in "/@" for character in domain):
        raise ValidationError(_("“%(domain)s” is not a server name.") % {"domain": domain})
    return domain


def block_domain(domain: str, *, reason: str = "", user: Any = None) -> Server:
    """Block a server (and its subdomains): its activities are dropped at the door, its
    followers removed, nothing is delivered there. ``user`` None: the command line."""
    if user is not None and not can_block_servers(user):
        raise PermissionDenied
    domain = clean_domain(domain)
    with transaction.atomic():
        server = server_for(domain)
        Server.objects.filter(pk=server.pk).update(
            blocked_at=server.blocked_at or timezone.now(), block_reason=reason[:500]
        )
        followers = Follower.objects.filter(remote__host=domain) | Follower.objects.filter(
            remote__host__endswith=f".{domain}"
        )
        followers.delete()
        from treffpunkt.federation.models import Delivery

        Delivery.objects.filter(host=domain, status=Delivery.Status.WAITING).update(
            status=Delivery.Status.SKIPPED, last_error="the server is blocked"
        )
        changes.announce("server", "blocked", server.pk, public_pages=True)
    forget_blocked_hosts()
    server.refresh_from_db()
    return server


def unblock_domain(domain: str, *, user: Any = None) -> None:
    if user is not None and not can_block_servers(user):
        raise PermissionDenied
    Server.objects.filter(host=clean_domain(domain)).update(blocked_at=None, block_reason="")
    forget_blocked_hosts()


def import_blocks(text: str, *, user: Any = None) -> list[str]:
    """Block every server of a Mastodon domain-block CSV export (``#domain,#severity,…``;
    plain lists of domains work too). Rows with severity ``noop`` are skipped."""
    blocked = []
    reader = csv.reader(io.StringIO(text))
    header: list[str] = []
    for row in reader:
        if not row or not row[0].strip():
            continue
        if not header and row[0].strip().lstrip("#").lower() == "domain":
            header = [cell.strip().lstrip("#").lower() for cell in row]
            continue
        values = dict(zip(header or ["domain"], row, strict=False))
        if values.get("severity", "suspend").strip().lower() == "noop":
            continue
        try:
            server = block_domain(
                values["domain"], reason=values.get("public_comment", "").strip(), user=user
            )
        except ValidationError:
            logger.warning("Skipped %r: not a server name.", values.get("domain"))
            continue
        blocked.append(server.host)
    return blocked


def block_actor(url: str, *, user: Any = None) -> RemoteActor:
    """Block one remote account: its activities are ignored, it follows nothing here, and
    its comments cannot come in (its participant is blocked too)."""
    from treffpunkt.core.actions import block_participant

    if user is not None and not can_block_servers(user):
        raise PermissionDenied
    with transaction.atomic():
        remote, _created = RemoteActor.objects.get_or_create(
            url=url, defaults={"host": host_of(url)}
        )
        RemoteActor.objects.filter(pk=remote.pk).update(blocked_at=timezone.now())
        Follower.objects.filter(remote=remote).delete()
        if remote.participant is not None:
            block_participant(remote.participant, "blocked in the fediverse settings")
    return remote


# --- reports ---------------------------------------------------------------------------


def report_from_fediverse(reporter_url: str, object_ids: Iterable[str], text: str) -> Report | None:
    """A Flag: a report about one of our posts or comments, for the moderators."""
    from treffpunkt.federation.handlers import _local_comment, _local_post

    post = comment = None
    for object_id in object_ids:
        comment = comment or _local_comment(object_id)
        if comment is None:
            known = (
                RemoteComment.objects.select_related("comment").filter(object_id=object_id).first()
            )
            comment = known.comment if known else None
        post = post or _local_post(object_id)
    if post is None and comment is None:
        return None
    reporter = RemoteActor.objects.filter(url=reporter_url).first()
    return Report.objects.create(
        reporter=reporter,
        server=host_of(reporter_url),
        post=post or (comment.post if comment else None),
        comment=comment,
        text=text[:5000],
    )


def authorize_quote(
    post: Any, remote: RemoteActor, *, quote_id: str, request_id: str
) -> QuoteAuthorization:
    """Accept a QuoteRequest with a dereferenceable QuoteAuthorization (FEP-044f)."""
    local = actor_for_blog(post.blog)
    with transaction.atomic():
        authorization, _created = QuoteAuthorization.objects.get_or_create(
            post=post, quote_id=quote_id[:500],
            defaults={"remote": remote, "request_id": request_id[:500]},
        )  # fmt: skip
        request = {
            "id": request_id or quote_id,
            "type": "QuoteRequest",
            "actor": remote.url,
            "object": objects.post_url(post),
            "instrument": quote_id,
        }
        payload = objects.activity("Accept", local, request, activity_id="", to=[remote.url])
        payload.pop("id")
        payload["result"] = federation_url("quote_authorization", authorization.pk)
        delivery.send(local, payload, [remote.inbox or remote.delivery_inbox])
    return authorization


def resolve_report(report: Report, *, user: Any) -> Report:
    if not can_block_servers(user):
        raise PermissionDenied
    Report.objects.filter(pk=report.pk).update(resolved_at=timezone.now())
    report.resolved_at = timezone.now()
    return report


# --- a blog's fediverse settings -------------------------------------------------------


def update_actor(
    blog: Blog, *, user: Any, actor_type: str, manually_approves_followers: bool,
    discoverable: bool, indexable: bool,
) -> LocalActor:  # fmt: skip
    """How a blog shows in the fediverse; followers hear of it (Update of the actor)."""
    if not can_manage_followers_of(user, blog):
        raise PermissionDenied
    if actor_type not in LocalActor.ActorType.values:
        raise ValidationError(_("Please choose person or organization."))
    actor = actor_for_blog(blog)
    with transaction.atomic():
        LocalActor.objects.filter(pk=actor.pk).update(
            actor_type=actor_type,
            manually_approves_followers=manually_approves_followers,
            discoverable=discoverable,
            indexable=indexable,
        )
        actor.refresh_from_db()
        send_actor_update(actor)
    return actor


def send_actor_update(actor: LocalActor) -> None:
    from treffpunkt.federation.actors import actor_document

    document = actor_document(actor)
    payload = objects.activity("Update", actor, document, activity_id="", to=[PUBLIC])
    payload.pop("id")
    delivery.send_to_followers(actor, payload)


# --- following others and answering them -----------------------------------------------


def lookup(handle_or_url: str) -> RemoteActor:
    """The remote account behind ``@name@server`` (through WebFinger) or an actor URL."""
    from treffpunkt.federation import client

    value = handle_or_url.strip()
    if value.startswith(("https://", "http://")):
        return remote_actor(value)
    name, _at, host = value.lstrip("@").partition("@")
    if not name or not host:
        raise ValidationError(_("Please give an account as @name@server."))
    document: dict[str, Any] = {}
    # https first; plain http only where TREFFPUNKT_FEDERATION_ALLOW_PRIVATE allows it.
    for scheme in ("https", "http"):
        try:
            document = client.fetch_json(
                f"{scheme}://{host}/.well-known/webfinger?resource=acct:{name}@{host}",
                accept="application/jrd+json",
            )
            break
        except client.FetchError as error:
            if scheme == "http":
                raise FetchError(f"WebFinger of {value} failed: {error}") from None
    links = document.get("links", [])
    for link in links if isinstance(links, list) else []:
        if (
            isinstance(link, dict)
            and link.get("rel") == "self"
            and "activity+json" in str(link.get("type", "")) + "ld+json"
            and isinstance(link.get("href"), str)
        ):
            return remote_actor(link["href"])
    raise FetchError(f"{value} has no ActivityPub actor")


def follow(blog: Blog, handle_or_url: str) -> Following:
    """The blog follows a remote account (another blog, an event's account)."""
    local = actor_for_blog(blog)
    remote = lookup(handle_or_url)
    with transaction.atomic():
        following, _created = Following.objects.get_or_create(
            actor=local, remote=remote, defaults={"follow_id": ""}
        )
        if not following.follow_id:
            following.follow_id = f"{actor_url(local)}#follows/{following.pk}"
            following.save(update_fields=["follow_id"])
        payload = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": following.follow_id,
            "type": "Follow",
            "actor": actor_url(local),
            "object": remote.url,
        }
        delivery.send(local, payload, [remote.inbox])
    return following


def unfollow(blog: Blog, handle_or_url: str) -> int:
    local = actor_for_blog(blog)
    remote = lookup(handle_or_url)
    with transaction.atomic():
        count = 0
        for following in Following.objects.filter(actor=local, remote=remote):
            payload = {
                "@context": "https://www.w3.org/ns/activitystreams",
                "type": "Undo",
                "actor": actor_url(local),
                "object": {
                    "id": following.follow_id,
                    "type": "Follow",
                    "actor": actor_url(local),
                    "object": remote.url,
                },
            }
            delivery.send(local, payload, [remote.inbox])
            following.delete()
            count += 1
    return count


def send_note(
    local: LocalActor, *, text_html: str, in_reply_to: str, mention: RemoteActor | None,
    note_id: str = "", published: Any = None,
) -> dict[str, Any]:  # fmt: skip
    """A public Note by one of our actors in reply to a remote object, mentioning its
    author, delivered to the author (and the blog's followers' servers)."""
    cc = [federation_url("followers", local.pk)]
    tags = []
    inboxes: list[str] = []
    if mention is not None:
        cc.append(mention.url)
        tags.append({"type": "Mention", "href": mention.url, "name": mention.handle})
        inboxes.append(mention.inbox or mention.delivery_inbox)
    note = {
        "id": note_id or f"{actor_url(local)}#notes/{timezone.now().timestamp()}",
        "type": "Note",
        "attributedTo": actor_url(local),
        "inReplyTo": in_reply_to,
        "content": text_html,
        "to": [PUBLIC],
        "cc": cc,
        "tag": tags,
        "published": (published or timezone.now()).isoformat(),
    }
    payload = objects.activity("Create", local, note, activity_id="", to=[PUBLIC], cc=cc)
    payload.pop("id")
    delivery.send_to_followers(local, payload, inboxes)
    return note


def answer_goes_back(comment: Comment) -> bool:
    """An approved comment goes to the fediverse when its writer agreed (the form's
    checkbox), and a member's answer to a fediverse comment always: a Note by the blog, in
    reply to the post or the comment, to the blog's followers; an answer to a fediverse
    comment also to its author, mentioned. Other comments stay here."""
    parent = (
        RemoteComment.objects.select_related("author").filter(comment_id=comment.parent_id).first()
        if comment.parent_id
        else None
    )
    if (parent is None or not comment.by_staff) and not comment.federate:
        return False
    local = actor_for_blog(comment.post.blog)
    note = objects.comment_object(comment)
    if parent is None or not comment.by_staff:
        payload = objects.activity(
            "Create", local, note, activity_id="", to=note["to"], cc=note["cc"]
        )
        payload.pop("id")
        extra = [parent.author.inbox] if parent is not None and parent.author.inbox else []
        delivery.send_to_followers(local, payload, extra)
        return True
    send_note(
        local,
        text_html=format_html(
            '<p><span class="h-card"><a href="{}" class="u-url mention">@<span>{}</span></a>'
            "</span></p>",
            parent.author.profile_url or parent.author.url,
            parent.author.username,
        )
        + note["content"],
        in_reply_to=parent.object_id,
        mention=parent.author,
        note_id=note["id"],
        published=comment.created_at,
    )
    return True


def delete_note(local: LocalActor, note_id: str) -> int:
    """Take back a Note one of our actors sent (an answer deleted here): a Delete goes to
    every inbox the Create went to. Returns how many inboxes hear of it."""
    from treffpunkt.federation.models import Activity, Delivery

    created = Activity.objects.filter(actor=local, kind="Create", payload__object__id=note_id)
    inboxes = sorted(
        set(Delivery.objects.filter(activity__in=created).values_list("inbox", flat=True))
    )
    if not inboxes:
        return 0
    payload = objects.activity(
        "Delete", local, {"id": note_id, "type": "Tombstone"}, activity_id="", to=[PUBLIC]
    )
    payload.pop("id")
    with transaction.atomic():
        delivery.send(local, payload, inboxes)
    return len(inboxes)
