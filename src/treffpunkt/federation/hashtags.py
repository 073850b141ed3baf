"""Hashtag timelines (issue 12, the second way): posts with an event's hashtag read from
configured Mastodon-API servers and put on its wall through ``wall_intake.take_post``.

Per event and server a ``HashtagFeed`` row, per server a ``HashtagHost`` row (shared by
every event reading it). The worker's schedule (``queue_due_feeds``, every second) makes the
rows for running events, and queues one task per feed whose time has come; the task
(``read_feed``) sends one request. Politeness, per server:

- only during the event's window: from its start minus 30 minutes to its end plus the
  posting grace time (``TREFFPUNKT_EVENT_GRACE_MINUTES``);
- first ``/api/v2/instance``: hashtag feeds disabled, or behind a sign-in without a token
  given, is said on the moderation page and nothing is polled in vain;
- then ``/api/v1/timelines/tag/<tag>?limit=40[&min_id=…]`` every
  ``TREFFPUNKT_HASHTAG_POLL_SECONDS`` (at least 2, default 10) with ±10 % jitter; the first
  read takes the posts already there (within the window);
- ``X-RateLimit-Remaining: 0`` and ``429`` stop every request to that server (the instance
  endpoint too) until ``X-RateLimit-Reset``; at most 290 requests per 5 minutes per server
  whatever it says (Mastodon allows 300); errors back off (the interval doubled per
  error, at most 15 minutes);
- no redirects (a token never goes to another host), 10 s, 1 MB, JSON only, through the
  guarded client's transport (``client``), so no private address is ever asked.

Mastodon statuses are read defensively (``status_object``): only public posts, not from
bots, suspended or limited accounts, nor from accounts that opt out of search
(``indexable: false``, ``noindex``, ``#nobot`` / ``#noindex`` in their bio); the tag must
be one of the post's own tags (compared as Mastodon compares tags).
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from treffpunkt.events.models import Event, hashtag_key
from treffpunkt.federation.inbox import Ignore
from treffpunkt.federation.models import HashtagFeed, HashtagHost, RemoteActor, WallPost
from treffpunkt.federation.remote import as_list, as_text, as_time, host_of

logger = logging.getLogger(__name__)

BEFORE_START = timedelta(minutes=30)
WINDOW = timedelta(minutes=5)
MAX_PER_WINDOW = 290
PAGE = 40
LONGEST_BACKOFF = timedelta(minutes=15)
CLAIM = timedelta(seconds=60)
# What one read takes in at most (a timeline flooding 1,000 posts a second is read a page
# at a time; the rest waits for the next read).
MAX_NEW_PER_READ = PAGE
OPT_OUT_WORDS = ("#nobot", "#noindex")


def poll_seconds() -> float:
    return max(2.0, float(getattr(settings, "HASHTAG_POLL_SECONDS", 10)))


def window(event: Event) -> tuple[datetime, datetime]:
    grace = timedelta(minutes=settings.EVENT_POSTING_GRACE_MINUTES)
    return event.starts_at - BEFORE_START, event.ends_at + grace


def in_window(event: Event, now: datetime | None = None) -> bool:
    start, end = window(event)
    return start <= (now or timezone.now()) <= end


def has_tag(obj: dict[str, Any], hashtag: str) -> bool:
    """Whether an ActivityPub object or a Mastodon status carries the tag (as its own tag,
    not merely somewhere in its text)."""
    wanted = hashtag_key(hashtag)
    for tag in as_list(obj.get("tags") if "tags" in obj else obj.get("tag"))[:100]:
        if not isinstance(tag, dict):
            continue
        kind = tag.get("type")
        if kind not in (None, "Hashtag"):
            continue
        name = as_text(tag.get("name"), 200)
        if name and hashtag_key(name) == wanted:
            return True
    return False


# --- the site's and the event's servers ------------------------------------------------


def clean_base_url(value: str) -> str:
    value = value.strip().rstrip("/")
    if "://" not in value:
        value = f"https://{value}"
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.path or parts.query:
        raise ValueError(f"{value!r} is no server address")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def site_servers() -> list[str]:
    servers = []
    for value in getattr(settings, "HASHTAG_SERVERS", []):
        try:
            servers.append(clean_base_url(value))
        except ValueError:
            logger.warning("TREFFPUNKT_HASHTAG_SERVERS: %r is no server address.", value)
    return servers


@transaction.atomic
def set_event_servers(event: Event, servers: list[tuple[str, str]]) -> list[HashtagFeed]:
    """The event's own servers, each with an optional access token ("" keeps a stored
    one). Servers no longer named are dropped (the site's stay)."""
    feeds = []
    for base_url, token in servers:
        base_url = clean_base_url(base_url)
        feed, _created = HashtagFeed.objects.get_or_create(
            event=event, base_url=base_url, defaults={"from_site": False}
        )
        changes: dict[str, Any] = {"from_site": False}
        if token:
            changes["access_token"] = token.strip()[:500]
            changes["state"] = HashtagFeed.State.UNKNOWN
            changes["instance_checked_at"] = None
        HashtagFeed.objects.filter(pk=feed.pk).update(**changes)
        feeds.append(feed)
    HashtagFeed.objects.filter(event=event, from_site=False).exclude(
        pk__in=[feed.pk for feed in feeds]
    ).delete()
    return feeds


def ensure_feeds(now: datetime | None = None) -> int:
    """Rows for the site's servers and every event inside its window."""
    servers = site_servers()
    if not servers:
        return 0
    now = now or timezone.now()
    grace = timedelta(minutes=settings.EVENT_POSTING_GRACE_MINUTES)
    running = Event.objects.filter(
        starts_at__lte=now + BEFORE_START, ends_at__gte=now - grace
    ).values_list("pk", flat=True)[:200]
    made = 0
    for event_id in running:
        for base_url in servers:
            try:
                with transaction.atomic():
                    _feed, created = HashtagFeed.objects.get_or_create(
                        event_id=event_id, base_url=base_url, defaults={"from_site": True}
                    )
            except IntegrityError:
                continue
            made += int(created)
    return made


# --- the schedule's part ----------------------------------------------------------------


def queue_due_feeds() -> int:
    """Queue a read for every feed whose time has come (running events only)."""
    if not settings.FEDERATION:
        return 0
    ensure_feeds()
    now = timezone.now()
    grace = timedelta(minutes=settings.EVENT_POSTING_GRACE_MINUTES)
    due = list(
        HashtagFeed.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            next_read_at__lte=now,
            event__starts_at__lte=now + BEFORE_START,
            event__ends_at__gte=now - grace,
        )
        .exclude(state__in=[HashtagFeed.State.CLOSED, HashtagFeed.State.NEEDS_TOKEN])
        .order_by("next_read_at")
        .values_list("pk", flat=True)[:100]
    )
    from treffpunkt.federation.tasks import read_hashtag_feed

    queued = 0
    for feed_id in due:
        claimed = HashtagFeed.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), pk=feed_id
        ).update(claimed_until=now + CLAIM)
        if claimed:
            read_hashtag_feed.enqueue(feed_id)
            queued += 1
    return queued


# --- one request ------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    data: Any


class Closed(Exception):
    """The server may not be asked (paused by its rate limit, or our own window is full)."""


def host_for(base_url: str) -> HashtagHost:
    host = host_of(base_url)
    try:
        with transaction.atomic():
            row, _created = HashtagHost.objects.get_or_create(host=host)
    except IntegrityError:
        row = HashtagHost.objects.get(host=host)
    return row


def _may_ask(host: HashtagHost, now: datetime) -> None:
    """Count one request against the server's window, or raise Closed."""
    if host.paused_until and host.paused_until > now:
        raise Closed(f"paused until {host.paused_until.isoformat()}")
    if host.window_started_at <= now - WINDOW:
        HashtagHost.objects.filter(pk=host.pk).update(window_started_at=now, requests_in_window=1)
        return
    counted = HashtagHost.objects.filter(pk=host.pk, requests_in_window__lt=MAX_PER_WINDOW).update(
        requests_in_window=F("requests_in_window") + 1
    )
    if not counted:
        HashtagHost.objects.filter(pk=host.pk).update(paused_until=host.window_started_at + WINDOW)
        raise Closed("our own limit of requests in five minutes is reached")


def _reset_time(headers: dict[str, str], now: datetime) -> datetime | None:
    value = headers.get("x-ratelimit-reset", "")
    try:
        parsed = parse_datetime(value.strip()) if value else None
    except ValueError:
        parsed = None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    # A reset far in the future is a broken server's; wait at most an hour.
    return min(max(parsed, now), now + timedelta(hours=1))


def api_get(base_url: str, path: str, *, token: str = "", timeout: float = 10.0) -> Answer:
    """One GET to a server's API through the guarded client's transport: no redirects (a
    token never goes to another host), 1 MB, JSON only. Rate-limit headers are honoured
    for the whole server. Raises Closed, or client.FetchError for network trouble."""
    from treffpunkt.federation import client

    host = host_for(base_url)
    now = timezone.now()
    _may_ask(host, now)
    url = f"{base_url}{path}"
    networks = client.allowed_private_networks()
    parsed = client._check_url(url, networks)
    headers = {
        "Accept": "application/json",
        "User-Agent": client.user_agent(),
        "Accept-Encoding": "identity",
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = client._client().build_request("GET", parsed, headers=headers, timeout=timeout)
    deadline = time.monotonic() + timeout
    response = client._send(request)
    status = response.status_code
    answer_headers = {name.lower(): value for name, value in response.headers.items()}
    if status in client.REDIRECT_STATUSES:
        response.close()
        raise client.Refused(f"{url} redirects; API requests follow no redirects", url=url)
    body = client._read(response, deadline)
    _note_rate_limit(host, status, answer_headers, now)
    data: Any = None
    if 200 <= status < 300:
        if client._media_type(response) not in ("application/json", *client.JSON_TYPES):
            raise client.BadContentType(f"{url} answered no JSON", url=url)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise client.BadJSON(f"{url} answered no valid JSON", url=url) from None
    return Answer(status, answer_headers, data)


def _note_rate_limit(
    host: HashtagHost, status: int, headers: dict[str, str], now: datetime
) -> None:
    remaining_text = headers.get("x-ratelimit-remaining", "")
    remaining = int(remaining_text) if remaining_text.strip().isdigit() else None
    reset = _reset_time(headers, now)
    changes: dict[str, Any] = {"rate_limit_remaining": remaining, "rate_limit_reset": reset}
    if status == 429 or remaining == 0:
        changes["paused_until"] = reset or now + timedelta(minutes=5)
    HashtagHost.objects.filter(pk=host.pk).update(**changes)


# --- reading one feed -------------------------------------------------------------------


def _schedule(feed: HashtagFeed, *, after: timedelta | None = None, **changes: Any) -> None:
    interval = poll_seconds()
    pause = after if after is not None else timedelta(seconds=interval)
    jitter = pause.total_seconds() * random.uniform(-0.1, 0.1)  # noqa: S311 - not for secrets
    HashtagFeed.objects.filter(pk=feed.pk).update(
        next_read_at=timezone.now() + pause + timedelta(seconds=jitter),
        claimed_until=None,
        **changes,
    )


def _backoff(feed: HashtagFeed) -> timedelta:
    seconds = poll_seconds() * 2 ** min(feed.errors + 1, 10)
    return min(timedelta(seconds=seconds), LONGEST_BACKOFF)


def _instance_state(feed: HashtagFeed) -> tuple[str, str]:
    """What the instance endpoint says about its hashtag feeds (Mastodon 4.5's
    ``configuration.timelines_access``); older servers say nothing: open."""
    answer = api_get(feed.base_url, "/api/v2/instance", token=feed.access_token)
    if answer.status == 429:
        return HashtagFeed.State.RATE_LIMITED, "rate limited"
    if answer.status != 200 or not isinstance(answer.data, dict):
        return HashtagFeed.State.OPEN, f"instance endpoint answered {answer.status}"
    configuration = answer.data.get("configuration")
    access = configuration.get("timelines_access") if isinstance(configuration, dict) else None
    feeds = access.get("hashtag_feeds") if isinstance(access, dict) else None
    if isinstance(feeds, dict):
        values = {str(feeds.get("local", "")), str(feeds.get("remote", ""))}
        if values <= {"disabled"}:
            return HashtagFeed.State.CLOSED, "the server has turned hashtag feeds off"
        if "public" not in values and not feed.access_token:
            return HashtagFeed.State.NEEDS_TOKEN, "the server shows hashtag feeds only signed in"
    return HashtagFeed.State.OPEN, ""


def read_feed(feed_id: int) -> str:
    """One request for one feed (the instance endpoint first, then the timeline)."""
    from treffpunkt.federation import client

    feed = HashtagFeed.objects.select_related("event").filter(pk=feed_id).first()
    if feed is None:
        return "gone"
    event = feed.event
    if not in_window(event):
        _schedule(feed, after=timedelta(minutes=5))
        return "outside the event's window"
    try:
        if feed.instance_checked_at is None:
            state, message = _instance_state(feed)
            if state == HashtagFeed.State.RATE_LIMITED:
                _schedule(feed, after=_pause_of(feed), state=state, message=message)
                return message
            _schedule(
                feed,
                after=timedelta(0),
                state=state,
                message=message,
                instance_checked_at=timezone.now(),
            )
            return message or "instance read"
        return _read_timeline(feed)
    except Closed as closed:
        _schedule(feed, after=_pause_of(feed), message=str(closed)[:500])
        return str(closed)
    except client.FetchError as error:
        logger.info("Hashtag feed %s of #%s: %s", feed.base_url, event.hashtag, error)
        _schedule(
            feed,
            after=_backoff(feed),
            errors=feed.errors + 1,
            state=HashtagFeed.State.UNREACHABLE,
            message=str(error)[:500],
        )
        return str(error)


def _pause_of(feed: HashtagFeed) -> timedelta:
    host = HashtagHost.objects.filter(host=host_of(feed.base_url)).first()
    if host and host.paused_until:
        return max(host.paused_until - timezone.now(), timedelta(seconds=1))
    return timedelta(seconds=poll_seconds())


def _id_order(value: str) -> tuple[int, str]:
    return (len(value), value)  # Mastodon's ids are numbers in strings


def _read_timeline(feed: HashtagFeed) -> str:
    event = feed.event
    path = f"/api/v1/timelines/tag/{quote(event.hashtag, safe='')}?limit={PAGE}"
    if feed.min_id:
        path += f"&min_id={quote(feed.min_id, safe='')}"
    answer = api_get(feed.base_url, path, token=feed.access_token)
    if answer.status in (401, 403):
        state = HashtagFeed.State.CLOSED if feed.access_token else HashtagFeed.State.NEEDS_TOKEN
        message = (
            "the server refused the access token"
            if feed.access_token
            else "the server shows hashtag feeds only signed in"
        )
        _schedule(feed, state=state, message=message, last_read_at=timezone.now())
        return message
    if answer.status == 429:
        _schedule(feed, after=_pause_of(feed), state=HashtagFeed.State.RATE_LIMITED)
        return "rate limited"
    if answer.status == 404 or answer.status >= 500 or not isinstance(answer.data, list):
        message = f"the timeline answered {answer.status}" + (
            "" if isinstance(answer.data, list) or answer.status != 200 else " but no list"
        )
        _schedule(feed, after=_backoff(feed), errors=feed.errors + 1, message=message)
        return message
    statuses = [status for status in answer.data[: PAGE * 2] if isinstance(status, dict)]
    taken, newest = 0, feed.min_id
    for status in statuses:
        status_id = as_text(status.get("id"), 100)
        if status_id and (not newest or _id_order(status_id) > _id_order(newest)):
            newest = status_id
    for status in reversed(statuses[:MAX_NEW_PER_READ]):  # oldest first
        try:
            result = take_status(event, status, feed.base_url)
        except Ignore as reason:
            logger.debug("Hashtag post skipped: %s", reason)
            continue
        if "known already" not in result:
            taken += 1
    message = "" if statuses else "no posts with the tag yet"
    _schedule(
        feed,
        state=HashtagFeed.State.OPEN,
        message=message,
        min_id=newest or "",
        last_read_at=timezone.now(),
        posts_found=feed.posts_found + taken,
        errors=0,
    )
    return f"{len(statuses)} statuses, {taken} new"


# --- one Mastodon status ----------------------------------------------------------------


def _https_or_private(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    return text[:500] if text.startswith(("https://", "http://")) else ""


def status_object(status: dict[str, Any]) -> dict[str, Any]:
    """A Mastodon status as the ActivityPub-shaped object ``take_post`` reads."""
    from treffpunkt.federation.actors import PUBLIC

    shown = status.get("visibility")
    return {
        "id": _https_or_private(status.get("uri")),
        "type": "Note",
        "url": _https_or_private(status.get("url")),
        "content": as_text(status.get("content"), 50_000),
        "summary": as_text(status.get("spoiler_text"), 500),
        "sensitive": bool(status.get("sensitive")),
        "published": status.get("created_at") if isinstance(status.get("created_at"), str) else "",
        "to": [PUBLIC] if shown == "public" else [],
        "cc": [PUBLIC] if shown == "unlisted" else [],
    }


def _account_author(account: dict[str, Any], origin: str) -> RemoteActor:
    """The author as the API describes them, kept like a fetched actor (no keys: they are
    fetched when the account ever signs something here)."""
    from treffpunkt.federation.remote import REFRESH_AFTER

    url = _https_or_private(account.get("uri")) or _https_or_private(account.get("url"))
    if not url:
        raise Ignore("an account without address")
    acct = as_text(account.get("acct"), 255)
    username = as_text(account.get("username"), 255) or acct.split("@")[0]
    known = RemoteActor.objects.filter(url=url).first()
    if known is not None and known.fetched_at > timezone.now() - REFRESH_AFTER:
        return known
    values = {
        "host": host_of(url),
        "actor_type": "Service" if account.get("bot") else "Person",
        "username": username[:255],
        "name": " ".join(as_text(account.get("display_name"), 200).split()),
        "profile_url": _https_or_private(account.get("url")) or url,
        "icon_url": _https_or_private(account.get("avatar_static") or account.get("avatar")),
        "published": as_time(account.get("created_at")),
    }
    try:
        with transaction.atomic():
            if known is None:
                return RemoteActor.objects.create(url=url, **values)
            RemoteActor.objects.filter(pk=known.pk).update(**values)
            known.refresh_from_db()
            return known
    except IntegrityError:
        return RemoteActor.objects.get(url=url)


def opted_out(account: dict[str, Any]) -> str:
    """Why an account's posts are not taken from hashtag timelines ("" if they are)."""
    if account.get("bot"):
        return "a bot"
    if account.get("suspended") or account.get("limited"):
        return "a suspended or limited account"
    if account.get("indexable") is False or account.get("noindex") is True:
        return "the account does not want to be found"
    note = as_text(account.get("note"), 5000).lower()
    if any(word in note for word in OPT_OUT_WORDS):
        return "the account says #nobot or #noindex"
    return ""


def take_status(event: Event, status: dict[str, Any], base_url: str) -> str:
    """One status of a hashtag timeline onto the wall (Ignore when it is not for it)."""
    from treffpunkt.federation import wall_intake

    obj = status_object(status)
    if not obj["id"]:
        raise Ignore("a status without uri")
    if WallPost.objects.filter(event=event, object_id=obj["id"]).exists():
        return "known already"
    if status.get("visibility") != "public":
        raise Ignore("not public")
    if not has_tag(status, event.hashtag):
        raise Ignore("without the tag")
    account = status.get("account")
    if not isinstance(account, dict):
        raise Ignore("a status without account")
    reason = opted_out(account)
    if reason:
        raise Ignore(reason)
    published = as_time(status.get("created_at"))
    start, end = window(event)
    if published is None or not start <= published <= max(end, start):
        raise Ignore("written outside the event's window")
    if published > timezone.now() + timedelta(minutes=5):
        raise Ignore("written in the future")
    author = _account_author(account, base_url)
    if host_of(obj["id"]) != author.host:
        raise Ignore("the post and its author are on different servers")
    if author.blocked_at is not None:
        raise Ignore("the account is blocked")
    from treffpunkt.federation.remote import is_blocked_host

    if is_blocked_host(author.host):
        raise Ignore("the server is blocked")
    return wall_intake.take_post(
        event,
        obj,
        author,
        way=WallPost.Way.HASHTAG,
        server=host_of(base_url),
        published=published,
    )
