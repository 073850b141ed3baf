"""A small stand-in for another fediverse server on loopback, in the shape Mastodon's
documentation shows: an actor with an RSA key, WebFinger, objects, and an inbox that
records (and verifies) what it gets. Tests sign the activities it "sends" with its key."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from treffpunkt.federation import httpsig, keys

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def activity(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class FakeServer:
    host: str
    port: int
    key: Any = field(default_factory=keys.generate_rsa_key)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    answer_status: int = 202
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    server: Any = None

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def actor_url(self, name: str = "alice") -> str:
        return f"{self.base}/users/{name}"

    def actor_document(self, name: str = "alice") -> dict[str, Any]:
        url = self.actor_url(name)
        return {
            "@context": [
                "https://www.w3.org/ns/activitystreams",
                "https://w3id.org/security/v1",
            ],
            "id": url,
            "type": "Person",
            "preferredUsername": name,
            "name": f"{name.title()} <b>Beispiel</b>",
            "url": f"{self.base}/@{name}",
            "inbox": f"{url}/inbox",
            "outbox": f"{url}/outbox",
            "followers": f"{url}/followers",
            "endpoints": {"sharedInbox": f"{self.base}/inbox"},
            "published": "2023-04-01T00:00:00Z",
            "icon": {"type": "Image", "mediaType": "image/png", "url": f"{self.base}/a.png"},
            "publicKey": {
                "id": f"{url}#main-key",
                "owner": url,
                "publicKeyPem": keys.public_key_to_pem(self.key),
            },
        }

    def key_id(self, name: str = "alice") -> str:
        return f"{self.actor_url(name)}#main-key"

    def signed_post(
        self, client: Any, path: str, activity: dict[str, Any], *, base: str, name: str = "alice",
        key: Any = None, scheme: str = "cavage", **extra: Any,
    ) -> Any:  # fmt: skip
        """POST ``activity`` to our test server's ``path``, signed like Mastodon does."""
        body = json.dumps(activity).encode()
        headers = httpsig.sign_request(
            "POST",
            base + path,
            {"Content-Type": "application/activity+json"},
            body,
            key_id=self.key_id(name),
            private_key=key or self.key,
            scheme=scheme,  # type: ignore[arg-type]
        )
        meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        meta.pop("HTTP_HOST", None)
        meta.update(extra)
        return client.post(path, data=body, content_type="application/activity+json", **meta)

    def note(self, number: int, *, in_reply_to: str, content: str, name: str = "alice",
             to: list[str] | None = None, cc: list[str] | None = None, **more: Any
    ) -> dict[str, Any]:  # fmt: skip
        note = {
            "id": f"{self.actor_url(name)}/statuses/{number}",
            "type": "Note",
            "attributedTo": self.actor_url(name),
            "inReplyTo": in_reply_to,
            "content": content,
            "published": "2026-12-01T10:00:00Z",
            "url": f"{self.base}/@{name}/{number}",
            "to": to if to is not None else [PUBLIC],
            "cc": cc if cc is not None else [f"{self.actor_url(name)}/followers"],
            "replies": f"{self.actor_url(name)}/statuses/{number}/replies",
            **more,
        }
        self.objects[note["id"].removeprefix(self.base)] = note
        return note

    def create(self, note: dict[str, Any], name: str = "alice") -> dict[str, Any]:
        return {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{note['id']}/activity",
            "type": "Create",
            "actor": self.actor_url(name),
            "published": note.get("published"),
            "to": note.get("to"),
            "cc": note.get("cc"),
            "object": note,
        }

    def activities(self, kind: str) -> list[dict[str, Any]]:
        return [r.activity for r in self.received if r.activity.get("type") == kind]


def _handler(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, document: Any, kind: str = "application/activity+json"):
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path.startswith("/users/") and path.count("/") == 2:
                name = path.split("/")[2]
                if name in fake.users or name == "alice" or name == "bob":
                    self._json(200, fake.users.get(name) or fake.actor_document(name))
                    return
            if path in fake.objects:
                self._json(200, fake.objects[path])
                return
            if path == "/.well-known/webfinger":
                self._json(404, {})
                return
            self._json(404, {"error": "not found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            fake.received.append(Received(self.path, dict(self.headers.items()), body))
            self.send_response(fake.answer_status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


def start(host: str = "127.0.0.1") -> FakeServer:
    fake = FakeServer(host=host, port=0)
    server = ThreadingHTTPServer((host, 0), _handler(fake))
    fake.port = server.server_address[1]
    fake.server = server
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake
