"""The inbox: verify, store, answer at once; the worker processes the rows afterwards.

``receive`` runs on the request: it refuses what is too big or malformed (400/413), drops a
blocked server's activities before any fetch or signature work, verifies the HTTP signature
(draft-cavage or RFC 9421; ``federation.httpsig``) against the key of the activity's actor,
and stores the activity as an ``InboxItem``: exactly 202 once stored, 401 for a bad or
missing signature, 503 when the key cannot be fetched right now. Nothing else happens on
the request.

``process_item`` runs in the worker, one row at a time and in order per object (an Update
never overtakes its Create): it calls ``handlers`` for the activity's type.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from treffpunkt.federation.models import InboxItem, LocalActor
from treffpunkt.federation.remote import (
    FetchError,
    as_id,
    as_type,
    host_of,
    is_blocked_host,
    key_for,
    same_host,
)

logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
MAX_DEPTH = 20
CLAIM = timedelta(minutes=5)
# A reply whose parent is not here yet (or still held) is tried again for this long.
KEEP_WAITING = timedelta(days=2)
# Marks a stored activity whose signature could not be checked (see ``receive``).
UNVERIFIED = "_treffpunkt_unverified"
# Activities whose object must come from the actor's own server.
OWN_OBJECT_TYPES = {"Create", "Update"}


@dataclass
class Answer:
    status: int
    message: str


def receive(request: HttpRequest, actor: LocalActor | None = None) -> Answer:
    """Take one POST to an inbox; see the module docstring."""
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return Answer(400, "bad Content-Length")
    if length > MAX_BODY:
        return Answer(413, "body too large (at most 1 MB)")
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return Answer(413, "body too large (at most 1 MB)")
    try:
        activity = json.loads(body)
    except (ValueError, RecursionError):
        return Answer(400, "the body is not JSON")
    if not isinstance(activity, dict):
        return Answer(400, "the body is no JSON object")
    if _depth(activity) > MAX_DEPTH:
        return Answer(400, "the activity is nested too deeply")
    kind = as_type(activity.get("type"))
    actor_url = as_id(activity.get("actor"))
    if not kind or not actor_url:
        return Answer(400, "an activity needs a type and an actor")
    if is_blocked_host(host_of(actor_url)):
        logger.info("Dropped a %s from blocked %s.", kind, host_of(actor_url))
        return Answer(202, "")
    activity_id = as_id(activity.get("id"))
    if activity_id and not same_host(activity_id, actor_url):
        return Answer(400, "the activity's id is on another server than its actor")
    problem = _object_problem(kind, activity, actor_url)
    if problem:
        return Answer(400, problem)

    verified = _verify(request, body, actor_url)
    if verified is not None:
        if verified.status != 401 or not _is_gone_actor_delete(kind, activity, actor_url):
            return verified
        # A deleted account's Delete often cannot be verified: its key is gone with it. It
        # is taken quietly and acted on only once the worker saw the actor answer 410.
        activity[UNVERIFIED] = True
    try:
        with transaction.atomic():
            item = InboxItem.objects.create(
                activity_id=activity_id[:500],
                actor_url=actor_url[:500],
                kind=kind[:40],
                object_key=object_key(activity)[:500],
                activity=activity,
            )
    except IntegrityError:  # the same activity a moment ago
        return Answer(202, "")
    item_id = item.pk
    transaction.on_commit(lambda: _enqueue(item_id))
    return Answer(202, "")


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(item, level + 1) for item in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(item, level + 1) for item in value[:1000]), default=level)
    return level


def _object_problem(kind: str, activity: dict[str, Any], actor_url: str) -> str:
    obj = activity.get("object")
    if kind in OWN_OBJECT_TYPES:
        if not isinstance(obj, dict):
            return f"a {kind} carries its object"
        object_id = as_id(obj.get("id"))
        if not object_id:
            return "the object has no id"
        if not same_host(object_id, actor_url):
            return "the object is on another server than the actor"
        author = as_id(obj.get("attributedTo"))
        if author and author != actor_url and as_type(obj.get("type")) not in ("Person", "Service"):
            return "the object belongs to someone else"
    elif kind == "Delete":
        object_id = as_id(obj)
        if not object_id:
            return "a Delete names its object"
        if not same_host(object_id, actor_url):
            return "the object is on another server than the actor"
    elif kind in (
        "Follow",
        "Like",
        "Announce",
        "Undo",
        "Accept",
        "Reject",
        "Block",
        "Flag",
        "QuoteRequest",
    ) and (not as_id(obj) and not isinstance(obj, (dict, list))):
        return f"a {kind} names its object"
    return ""


def object_key(activity: dict[str, Any]) -> str:
    """What the activity is about, so items about one thing are processed in order."""
    obj = activity.get("object")
    if as_type(activity.get("type")) == "Undo" and isinstance(obj, dict):
        return as_id(obj.get("object")) or as_id(obj)
    return as_id(obj) or as_id(activity.get("actor"))


def _is_gone_actor_delete(kind: str, activity: dict[str, Any], actor_url: str) -> bool:
    return kind == "Delete" and as_id(activity.get("object")) == actor_url


def _verify(request: HttpRequest, body: bytes, actor_url: str) -> Answer | None:
    """None when the request carries a good signature by a key of ``actor_url``."""
    from treffpunkt.federation import httpsig
    from treffpunkt.federation.remote import public_key

    url = settings.BASE_URL + request.get_full_path()
    owners: dict[str, str] = {}

    def resolve(key_id: str, refresh: bool) -> Any:
        actor, stored = key_for(key_id, refresh=refresh)
        owners[key_id] = actor.url
        return public_key(stored)

    try:
        key_id = httpsig.verify_request(
            request.method or "POST", url, dict(request.headers.items()), body,
            resolve_key=resolve,
        )  # fmt: skip
    except FetchError as error:
        if error.temporary:
            return Answer(503, "the signing key cannot be fetched right now")
        return Answer(401, f"the signing key cannot be had: {error}")
    except httpsig.SignatureError as error:
        return Answer(401, f"bad signature: {error.reason}")
    if owners.get(key_id) != actor_url:
        return Answer(401, "the signature is by another actor than the activity's")
    return None


def _enqueue(item_id: int) -> None:
    from treffpunkt.federation.tasks import process_inbox_item

    process_inbox_item.enqueue(item_id)


# --- processing ------------------------------------------------------------------------


class NotYet(Exception):
    """The item cannot be processed yet (a parent to come, a held parent); try again."""


class Ignore(Exception):
    """Nothing to do for this item (not for us, followers-only, from a blocked account)."""


def process_item(item_id: int) -> str:
    """Process one waiting item, unless an earlier item about the same object still waits
    (that one goes first and then takes this one along)."""
    from treffpunkt.federation import handlers

    now = timezone.now()
    item = InboxItem.objects.filter(pk=item_id, status=InboxItem.Status.WAITING).first()
    if item is None:
        return "gone"
    if (
        item.object_key
        and InboxItem.objects.filter(
            object_key=item.object_key, status=InboxItem.Status.WAITING, pk__lt=item.pk
        ).exists()
    ):
        return "after an earlier one"
    claimed = InboxItem.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=item_id,
        status=InboxItem.Status.WAITING,
    ).update(claimed_until=now + CLAIM, attempts=item.attempts + 1)
    if not claimed:
        return "claimed"
    status, result = InboxItem.Status.DONE, "done"
    try:
        result = handlers.handle(item.kind, item.activity) or "done"
    except Ignore as reason:
        status, result = InboxItem.Status.IGNORED, str(reason)
    except NotYet as reason:
        if now - item.received_at < KEEP_WAITING:
            InboxItem.objects.filter(pk=item.pk).update(
                claimed_until=now + timedelta(minutes=min(60, 2**item.attempts)),
                result=str(reason)[:500],
            )
            return f"later: {reason}"
        status, result = InboxItem.Status.FAILED, f"gave up: {reason}"
    except FetchError as error:
        if error.temporary and now - item.received_at < KEEP_WAITING:
            InboxItem.objects.filter(pk=item.pk).update(
                claimed_until=now + timedelta(minutes=min(60, 2**item.attempts)),
                result=str(error)[:500],
            )
            return f"later: {error}"
        status, result = InboxItem.Status.FAILED, str(error)
    except Exception as error:
        logger.exception("Processing received activity %s failed.", item.pk)
        status, result = InboxItem.Status.FAILED, f"{type(error).__name__}: {error}"
    InboxItem.objects.filter(pk=item.pk).update(
        status=status, result=result[:500], processed_at=timezone.now(), claimed_until=None
    )
    if status != InboxItem.Status.DONE:
        logger.info("Received %s %s: %s", item.kind, item.activity_id, result)
    _take_next_along(item)
    return result


def _take_next_along(item: InboxItem) -> None:
    if not item.object_key:
        return
    following = (
        InboxItem.objects.filter(
            object_key=item.object_key, status=InboxItem.Status.WAITING, pk__gt=item.pk
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if following is not None:
        transaction.on_commit(lambda: _enqueue(following))


def queue_waiting_items(limit: int = 500) -> int:
    """The worker's sweep: queue waiting items nobody is working on (a worker died, a
    reply waited for its parent)."""
    now = timezone.now()
    waiting = list(
        InboxItem.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            status=InboxItem.Status.WAITING,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for item_id in waiting:
        _enqueue(item_id)
    return len(waiting)
