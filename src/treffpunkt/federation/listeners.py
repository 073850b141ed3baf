"""What the fediverse does when the site announces a change (``core.changes``).

Blogs and comments never import this app: they announce "post published", "comment
approved" and so on, and this listener writes the activities and their deliveries (rows,
sent by the worker). It runs after the commit of the change, in the thread that committed,
so it only writes rows: one ``Activity`` and one ``Delivery`` per server.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from treffpunkt.blog.models import Blog, Post
from treffpunkt.comments.models import Comment
from treffpunkt.core.changes import Change
from treffpunkt.federation import actions, delivery, objects
from treffpunkt.federation.actors import PUBLIC, actor_for_blog, federation_url
from treffpunkt.federation.models import Activity, LocalActor, Tombstone

logger = logging.getLogger(__name__)


def heard(change: Change) -> None:
    if not settings.FEDERATION:
        return
    handler = {
        ("post", "published"): post_published,
        ("post", "updated"): post_updated,
        ("post", "unpublished"): post_gone,
        ("post", "deleted"): post_gone,
        ("comment", "approved"): comment_approved,
        ("comment", "deleted"): comment_taken_back,
        ("comment", "removed"): comment_taken_back,
        ("comment", "erased"): comments_erased,
        ("blog", "updated"): blog_updated,
    }.get((change.subject, change.verb))
    if handler is not None and (change.object_id is not None or change.verb == "erased"):
        with transaction.atomic():
            handler(change)


def _has_audience(actor: LocalActor) -> bool:
    return actor.followers.exists()


def post_published(change: Change) -> None:
    post = Post.objects.select_related("blog").filter(pk=change.object_id or 0).first()
    if post is None or not post.is_visible:
        return
    Tombstone.objects.filter(post_id=post.pk).delete()
    actor = actor_for_blog(post.blog)
    if not _has_audience(actor):
        return
    document = objects.post_object(post, actor)
    payload = objects.activity(
        "Create", actor, document, activity_id="", to=document["to"], cc=document["cc"]
    )
    payload.pop("id")
    delivery.send_to_followers(actor, payload)


def post_updated(change: Change) -> None:
    post = Post.objects.select_related("blog").filter(pk=change.object_id or 0).first()
    if post is None or not post.is_visible:
        return
    actor = actor_for_blog(post.blog)
    if not _has_audience(actor):
        return
    document = objects.post_object(post, actor)
    payload = objects.activity(
        "Update", actor, document, activity_id="", to=document["to"], cc=document["cc"]
    )
    payload.pop("id")
    delivery.send_to_followers(actor, payload)


def post_gone(change: Change) -> None:
    """Unpublished or deleted: a Delete to the followers, and the id answers 410."""
    post_id = change.object_id
    if post_id is None:
        return
    post = Post.objects.select_related("blog").filter(pk=post_id).first()
    blog = (
        post.blog
        if post is not None
        else Blog.objects.filter(pk=change.data.get("blog") or 0).first()
    )
    if blog is None:
        return
    Tombstone.objects.update_or_create(post_id=post_id, defaults={"former_type": "Article"})
    actor = actor_for_blog(blog)
    if not _has_audience(actor):
        return
    object_id = federation_url("post", post_id)
    payload = objects.activity(
        "Delete",
        actor,
        {"id": object_id, "type": "Tombstone"},
        activity_id="",
        to=[PUBLIC],
        cc=[federation_url("followers", actor.pk)],
    )
    payload.pop("id")
    delivery.send_to_followers(actor, payload)


def comment_approved(change: Change) -> None:
    comment = Comment.objects.select_related("post__blog").filter(pk=change.object_id or 0).first()
    if comment is None or comment.status != Comment.Status.APPROVED:
        return
    if Activity.objects.filter(payload__object__id=federation_url("comment", comment.pk)).exists():
        return  # sent already (approved again after an unapproval)
    actions.answer_goes_back(comment)


def comment_taken_back(change: Change) -> None:
    """An answer that went to the fediverse was deleted or unapproved here: take it back."""
    note_id = federation_url("comment", change.object_id)
    sent = Activity.objects.filter(kind="Create", payload__object__id=note_id).first()
    if sent is not None:
        actions.delete_note(sent.actor, note_id)


def comments_erased(change: Change) -> None:
    """A writer's data was erased: what of it went to the fediverse is taken back."""
    for comment_id in change.data.get("ids", []):
        comment_taken_back(Change("comment", "deleted", comment_id))


def blog_updated(change: Change) -> None:
    blog = Blog.objects.filter(pk=change.object_id or 0).first()
    if blog is None:
        return
    actor = actor_for_blog(blog)
    if _has_audience(actor):
        actions.send_actor_update(actor)
