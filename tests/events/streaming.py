"""Helpers for the live-stream tests: parsing SSE frames, and a browser's EventSource
driven by hand against the ASGI application that `treffpunkt serve` runs."""

import asyncio
import json

from treffpunkt.asgi import application


def parse(chunks):
    frames = []
    for frame in "".join(chunks).split("\n\n"):
        fields = dict(line.split(": ", 1) for line in frame.splitlines() if ": " in line)
        if "event" in fields:
            frames.append((fields.get("id"), fields["event"], json.loads(fields["data"])))
    return frames


class Visitor:
    """Drives one ASGI request by hand: what a browser's EventSource does."""

    def __init__(self, path, headers=(), query=b""):
        self.scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "query_string": query,
            "headers": list(headers),
        }
        self.incoming = asyncio.Queue()
        self.sent = []
        self.task = None

    async def receive(self):
        return await self.incoming.get()

    async def send(self, message):
        self.sent.append(message)

    def start(self):
        self.task = asyncio.ensure_future(application(self.scope, self.receive, self.send))

    @property
    def status(self):
        return next(m["status"] for m in self.sent if m["type"] == "http.response.start")

    def frames(self):
        body = "".join(
            m.get("body", b"").decode() for m in self.sent if m["type"] == "http.response.body"
        )
        return [f for f in parse([body]) if f[1] in {"upsert", "remove"}]

    async def wait_for(self, count, timeout=5):
        async def enough():
            while len(self.frames()) < count:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(enough(), timeout)

    async def leave(self):
        await self.incoming.put({"type": "http.disconnect"})
        await asyncio.wait_for(self.task, 5)
