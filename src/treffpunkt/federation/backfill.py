"""Replies to replies that never mentioned the blog still arrive: from time to time the
worker reads the ``replies`` collections of recent fediverse comments and takes the ones it
does not know, as if they had been sent (bounded: a few collections and fetches per run).

A fetched object is believed only from its own server: its id must be on the host it was
fetched from, and its author on the same host.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.utils import timezone

from treffpunkt.federation.inbox import Ignore, NotYet
from treffpunkt.federation.models import DeletedObject, RemoteComment
from treffpunkt.federation.remote import FetchError, as_id, as_list, fetch_json, same_host

logger = logging.getLogger(__name__)

RECENT = timedelta(days=7)
MAX_COLLECTIONS = 20
MAX_FETCHES = 60


def backfill_replies() -> int:
    """Take unknown replies from the ``replies`` of recent fediverse comments; how many."""
    from treffpunkt.federation.handlers import on_create

    since = timezone.now() - RECENT
    sources = list(
        RemoteComment.objects.filter(comment__created_at__gte=since)
        .exclude(replies_url="")
        .order_by("-pk")
        .values_list("replies_url", flat=True)[:MAX_COLLECTIONS]
    )
    fetches, taken = 0, 0
    for collection_url in sources:
        if fetches >= MAX_FETCHES:
            break
        try:
            items, used = _collection_items(collection_url)
        except FetchError as error:
            logger.info("Backfill: %s: %s", collection_url, error)
            continue
        fetches += used
        for item in items:
            if fetches >= MAX_FETCHES:
                break
            object_id = as_id(item)
            if (
                not object_id
                or not same_host(object_id, collection_url)
                or RemoteComment.objects.filter(object_id=object_id).exists()
                or DeletedObject.objects.filter(object_id=object_id).exists()
            ):
                continue
            try:
                if not (isinstance(item, dict) and item.get("content")):
                    item = fetch_json(object_id)
                    fetches += 1
                if as_id(item.get("id")) != object_id:
                    continue
                author = as_id(item.get("attributedTo"))
                if not same_host(author, object_id):
                    continue
                on_create({"object": item, "actor": author}, author)
                taken += 1
            except (Ignore, NotYet, FetchError) as reason:
                logger.info("Backfill: %s not taken: %s", object_id, reason)
    return taken


def _collection_items(url: str) -> tuple[list[Any], int]:
    """The items of a collection's first page (Mastodon puts them in ``first.items``)."""
    document = fetch_json(url)
    used = 1
    for key in ("orderedItems", "items"):
        if document.get(key):
            return as_list(document[key])[:50], used
    first = document.get("first")
    if isinstance(first, str):
        if not same_host(first, url):
            return [], used
        first = fetch_json(first)
        used += 1
    if isinstance(first, dict):
        items = first.get("orderedItems") or first.get("items") or []
        page_items = as_list(items)[:50]
        if not page_items and isinstance(first.get("next"), str) and same_host(first["next"], url):
            following = fetch_json(first["next"])
            used += 1
            page_items = as_list(following.get("orderedItems") or following.get("items"))[:50]
        return page_items, used
    return [], used
