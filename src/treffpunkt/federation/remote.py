"""Other servers' actors and objects: fetched through the one guarded client (signed by the
instance actor, so servers in authorized-fetch mode answer), read defensively (JSON-LD comes
in many shapes), and cached in ``RemoteActor`` rows, refreshed lazily.
"""

from __future__ import annotations

import functools
import logging
import time
from datetime import UTC as datetime_utc
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from treffpunkt.core.actions import participant_for_actor
from treffpunkt.federation.models import RemoteActor, Server

logger = logging.getLogger(__name__)

# A cached actor is fetched again when it is older than this and someone needs it.
REFRESH_AFTER = timedelta(days=1)
# The cache keeps at most this many actors that nobody here needs (no follower, comment).
MAX_CACHED_ACTORS = 20_000


class FetchError(Exception):
    """A remote actor or object could not be fetched or made no sense; ``temporary`` says
    whether trying later may help (a timeout, a 5xx) or not (a 404, nonsense)."""

    def __init__(self, message: str, *, temporary: bool = False, gone: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary
        self.gone = gone


# --- reading JSON-LD defensively ------------------------------------------------------


def as_id(value: Any) -> str:
    """The id in ``value``: a string, an object with ``id`` (or ``href``), or the first of a
    list; "" when there is none."""
    for _depth in range(4):
        if isinstance(value, list):
            value = value[0] if value else ""
        elif isinstance(value, dict):
            value = value.get("id") or value.get("href") or ""
        else:
            break
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else ""


def as_text(value: Any, limit: int = 10_000) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):  # a contentMap / nameMap: the first language
        value = next(iter(value.values()), "") if value else ""
    return value[:limit] if isinstance(value, str) else ""


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def as_ids(value: Any) -> list[str]:
    return [i for i in (as_id(item) for item in as_list(value)[:200]) if i]


def as_type(value: Any) -> str:
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str)), "")
    return value if isinstance(value, str) else ""


def as_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime_utc)
    return parsed


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).netloc or "").lower()
    except ValueError:
        return ""


def same_host(first: str, second: str) -> bool:
    return bool(first) and host_of(first) == host_of(second)


# --- servers and blocks ----------------------------------------------------------------


def server_for(host: str) -> Server:
    """The row of a server, made when first needed."""
    try:
        with transaction.atomic():
            server, _created = Server.objects.get_or_create(host=host)
    except IntegrityError:
        server = Server.objects.get(host=host)
    return server


# The blocked servers, read again at most this often by each process (the inbox asks on
# every request); a block made in this process takes effect at once.
BLOCKS_FRESH_SECONDS = 10.0
_blocked_hosts: tuple[float, frozenset[str]] = (0.0, frozenset())


def forget_blocked_hosts() -> None:
    global _blocked_hosts
    _blocked_hosts = (0.0, frozenset())


def _blocked() -> frozenset[str]:
    global _blocked_hosts
    read_at, hosts = _blocked_hosts
    now = time.monotonic()
    if now - read_at > BLOCKS_FRESH_SECONDS or read_at == 0.0:
        hosts = frozenset(
            Server.objects.filter(blocked_at__isnull=False).values_list("host", flat=True)
        )
        _blocked_hosts = (now, hosts)
    return hosts


def is_blocked_host(host: str) -> bool:
    """A blocked domain or any of its subdomains."""
    blocked = _blocked()
    if not blocked:
        return False
    host = host.lower().split(":")[0]
    parts = host.split(".")
    return any(".".join(parts[i:]) in blocked for i in range(len(parts)))


# --- fetching --------------------------------------------------------------------------


def fetch_json(url: str) -> dict[str, Any]:
    """GET an ActivityPub document, signed by our instance actor. Raises FetchError."""
    from treffpunkt.federation import client
    from treffpunkt.federation.actors import instance_actor

    if not url or is_blocked_host(host_of(url)):
        raise FetchError(f"not fetched: {url!r} is blocked or empty")
    try:
        document = client.fetch_json(url, signer=signer_of(instance_actor()))
    except client.Gone as error:
        raise FetchError(str(error), gone=True) from None
    except client.FetchError as error:
        raise FetchError(str(error), temporary=error.temporary) from None
    return document


def signer_of(actor: Any, scheme: str = "cavage") -> Any:
    """How one of our actors signs: its RSA key for draft-cavage, Ed25519 for RFC 9421."""
    from treffpunkt.federation import httpsig, keys
    from treffpunkt.federation.actors import ed25519_key_id, key_id

    if scheme == "rfc9421":
        return httpsig.Signer(
            ed25519_key_id(actor), keys.load_private_key(actor.ed25519_private_pem), "rfc9421"
        )
    return httpsig.Signer(key_id(actor), keys.load_private_key(actor.private_key_pem), "cavage")


def remote_actor(url: str, *, refresh: bool = False) -> RemoteActor:
    """The actor behind ``url`` from the cache, fetched when unknown, old or ``refresh``."""
    url = url.split("#")[0]
    cached = RemoteActor.objects.filter(url=url).first()
    if cached is not None and not refresh and cached.fetched_at > timezone.now() - REFRESH_AFTER:
        return cached
    try:
        document = fetch_json(url)
    except FetchError:
        if cached is not None and not refresh:
            return cached  # stale is better than nothing
        raise
    return store_actor(document, expected_url=url)


def store_actor(document: dict[str, Any], *, expected_url: str) -> RemoteActor:
    """Keep what we need of an actor document. Its id must be the address it came from."""
    actor_id = as_id(document.get("id"))
    if not actor_id or actor_id != expected_url:
        raise FetchError(f"the actor at {expected_url} calls itself {actor_id!r}")
    inbox = as_id(document.get("inbox"))
    if not same_host(inbox, actor_id):
        raise FetchError(f"the actor {actor_id} has its inbox elsewhere: {inbox!r}")
    endpoints = document.get("endpoints")
    shared = as_id(endpoints.get("sharedInbox")) if isinstance(endpoints, dict) else ""
    if shared and not same_host(shared, actor_id):
        shared = ""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from treffpunkt.federation import keys as key_library

    keys: dict[str, str] = {}
    for kid, key in list(key_library.actor_public_keys(document).items())[:10]:
        if isinstance(key, ed25519.Ed25519PublicKey):
            keys[kid] = key_library.encode_multikey(key)
        else:
            keys[kid] = key_library.public_key_to_pem(key)
    implements = []
    generator = document.get("generator")
    if isinstance(generator, dict):
        implements = [as_id(item) for item in as_list(generator.get("implements"))]
    icon = document.get("icon")
    values = {
        "host": host_of(actor_id),
        "actor_type": as_type(document.get("type"))[:30],
        "username": as_text(document.get("preferredUsername"), 255),
        "name": " ".join(as_text(document.get("name"), 200).split()),
        "profile_url": as_id(document.get("url")) or actor_id,
        "icon_url": as_id(icon.get("url") if isinstance(icon, dict) else icon),
        "inbox": inbox,
        "shared_inbox": shared,
        "published": as_time(document.get("published")),
        "keys": keys,
        "implements_rfc9421": any("rfc9421" in item for item in implements),
        "fetched_at": timezone.now(),
    }
    if not values["host"] or not inbox:
        raise FetchError(f"the actor {actor_id} has no inbox")
    try:
        with transaction.atomic():
            actor, _created = RemoteActor.objects.update_or_create(url=actor_id, defaults=values)
    except IntegrityError:
        actor = RemoteActor.objects.get(url=actor_id)
    return actor


def participant_of(actor: RemoteActor) -> Any:
    """The Participant standing for a remote actor, with its current name and handle."""
    if actor.participant_id is not None:
        from treffpunkt.core.models import Participant

        known = Participant.objects.filter(pk=actor.participant_id).first()
        if (
            known is not None
            and known.handle == actor.handle
            and known.display_name == _safe_name(actor)
        ):
            return known
    participant = participant_for_actor(
        actor.url, handle=actor.handle, display_name=_safe_name(actor)
    )
    if actor.participant_id != participant.pk:
        actor.participant = participant
        RemoteActor.objects.filter(pk=actor.pk).update(participant=participant)
    return participant


def _safe_name(actor: RemoteActor) -> str:
    from treffpunkt.core.text import clean_text

    return clean_text(actor.name or actor.username)[:80]


@functools.lru_cache(maxsize=2048)
def public_key(stored: str) -> Any:
    """A key as ``RemoteActor.keys`` keeps it (PEM, or an Ed25519 Multikey) as a key
    (parsed once per process: the same text is the same key)."""
    from treffpunkt.federation import keys as key_library

    if stored.startswith("-----"):
        return key_library.load_public_key(stored)
    return key_library.decode_multikey(stored)


def key_for(key_id: str, *, refresh: bool = False) -> tuple[RemoteActor, str]:
    """The remote actor owning ``key_id`` and the key; fetched when unknown or ``refresh``
    (a key that fails to verify may have been rotated: fetched once more)."""
    actor_url = key_id.split("#")[0]
    actor = (
        RemoteActor.objects.filter(url=actor_url, gone_at__isnull=True)
        .only("pk", "url", "keys", "fetched_at")
        .first()
    )
    if actor is None or refresh or key_id not in actor.keys:
        try:
            actor = remote_actor(actor_url, refresh=True)
        except FetchError:
            # The key id may be a document of its own (some servers: /users/x/main-key).
            document = fetch_json(key_id)
            owner = as_id(document.get("owner")) or as_id(document.get("controller"))
            if not owner:
                raise
            actor = remote_actor(owner, refresh=True)
    if key_id not in actor.keys:
        raise FetchError(f"{actor.url} has no key {key_id}")
    return actor, actor.keys[key_id]


def forget_unneeded_actors() -> int:
    """Keep the cache bounded: drop the oldest actors nobody here needs."""
    unneeded = RemoteActor.objects.filter(
        follows__isnull=True, comments__isnull=True, blocked_at__isnull=True
    ).order_by("-fetched_at")
    ids = list(unneeded.values_list("pk", flat=True)[MAX_CACHED_ACTORS : MAX_CACHED_ACTORS + 1000])
    if ids:
        RemoteActor.objects.filter(pk__in=ids).delete()
    return len(ids)
