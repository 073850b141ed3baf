"""A stand-in Mastodon API server on loopback: the tag timeline (newest first, ``min_id``,
``limit``), ``/api/v2/instance`` with ``configuration.timelines_access``, rate-limit headers,
401 without a token when feeds need sign-in, an empty 200 when they are off, 429 with an
ISO 8601 reset time. Statuses in the shape of Mastodon's documentation."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


def status(
    number: int, *, host: str, tag: str = "Ökofest26", text: str = "", username: str = "bea",
    created_at: datetime | None = None, **more: Any,
) -> dict[str, Any]:  # fmt: skip
    """A status as GET /api/v1/timelines/tag/:hashtag lists it (Mastodon 4.x)."""
    created = (created_at or datetime.now(UTC)).isoformat().replace("+00:00", "Z")
    account = {
        "id": "1",
        "username": username,
        "acct": username,
        "display_name": f"{username.title()} Beispiel",
        "locked": False,
        "bot": False,
        "discoverable": True,
        "indexable": True,
        "group": False,
        "created_at": "2023-01-01T00:00:00.000Z",
        "note": "<p>Hallo</p>",
        "url": f"{host}/@{username}",
        "uri": f"{host}/users/{username}",
        "avatar": f"{host}/avatars/{username}.png",
        "avatar_static": f"{host}/avatars/{username}.png",
        "followers_count": 1,
        "following_count": 1,
        "statuses_count": 1,
        "emojis": [],
        "fields": [],
    }
    account.update(more.pop("account", {}))
    document = {
        "id": str(100000 + number),
        "created_at": created,
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "de",
        "uri": f"{host}/users/{username}/statuses/{100000 + number}",
        "url": f"{host}/@{username}/{100000 + number}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "content": f"<p>{text or f'Beitrag {number}'} "
        f'<a href="{host}/tags/{tag}" class="mention hashtag" rel="tag">'
        f"#<span>{tag}</span></a></p>",
        "reblog": None,
        "account": account,
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": tag.lower(), "url": f"{host}/tags/{tag.lower()}"}],
        "emojis": [],
        "card": None,
        "poll": None,
    }
    document.update(more)
    return document


@dataclass
class FakeMastodon:
    host: str
    port: int
    statuses: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    hashtag_feeds: str = "public"  # public / authenticated / disabled
    token: str = ""
    rate_limit: int = 300
    limit_reset: datetime | None = None
    too_many: bool = False
    requests: list[str] = field(default_factory=list)
    server: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def add(self, number: int, **kwargs: Any) -> dict[str, Any]:
        document = status(number, host=self.base, **kwargs)
        with self.lock:
            self.statuses.append(document)
        return document


def _listed(document: dict[str, Any], tag: str) -> bool:
    """Tagged with ``tag``; garbage (tests' broken statuses) is listed too."""
    tags = document.get("tags")
    if not isinstance(tags, list):
        return True
    return any(isinstance(t, dict) and t.get("name") == tag for t in tags)


def _handler(fake: FakeMastodon) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, document: Any) -> None:
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            with fake.lock:
                fake.rate_limit = max(0, fake.rate_limit - 1)
                remaining = fake.rate_limit
            reset = fake.limit_reset or datetime.now(UTC) + timedelta(minutes=5)
            self.send_header("X-RateLimit-Limit", "300")
            self.send_header("X-RateLimit-Remaining", str(remaining))
            self.send_header("X-RateLimit-Reset", reset.isoformat().replace("+00:00", "Z"))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            fake.requests.append(self.path)
            if fake.too_many:
                self._answer(429, {"error": "Too many requests"})
                return
            if parts.path == "/api/v2/instance":
                access = {"local": fake.hashtag_feeds, "remote": fake.hashtag_feeds}
                self._answer(
                    200,
                    {
                        "domain": fake.host,
                        "configuration": {
                            "timelines_access": {
                                "live_feeds": access,
                                "hashtag_feeds": access,
                                "trending_link_feeds": access,
                            }
                        },
                    },
                )
                return
            if parts.path.startswith("/api/v1/timelines/tag/"):
                tag = unquote(parts.path.rsplit("/", 1)[1]).lower()
                authorized = self.headers.get("Authorization") == f"Bearer {fake.token}"
                if fake.hashtag_feeds == "authenticated" and not (fake.token and authorized):
                    self._answer(401, {"error": "This API requires an authenticated user"})
                    return
                if fake.hashtag_feeds == "disabled":
                    self._answer(200, [])
                    return
                query = parse_qs(parts.query)
                limit = min(int(query.get("limit", ["20"])[0]), 40)
                min_id = query.get("min_id", [""])[0]
                with fake.lock:
                    matching = [s for s in fake.statuses if _listed(s, tag)]
                if min_id:
                    newer = [s for s in matching if int(s.get("id", 0)) > int(min_id)]
                    page = newer[:limit]  # the ones just after min_id
                else:
                    page = matching[-limit:]
                self._answer(200, list(reversed(page)))  # newest first
                return
            self._answer(404, {"error": "Record not found"})

    return Handler


def start(host: str = "127.0.0.1") -> FakeMastodon:
    fake = FakeMastodon(host=host, port=0)
    server = ThreadingHTTPServer((host, 0), _handler(fake))
    fake.port = server.server_address[1]
    fake.server = server
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake
