"""Fediverse posts onto a live wall, on loopback (issue 12).

    .venv/bin/python benchmarks/event_intake.py                      # both, about 2 minutes
    .venv/bin/python benchmarks/event_intake.py --mentions --viewers 2000 --count 40
    .venv/bin/python benchmarks/event_intake.py --hashtags --rate 20 --seconds 30

The server runs as a host runs it (``benchmarks/federation.py``'s ``Site``: ``treffpunkt
serve --no-worker`` plus one ``treffpunkt worker --interval 0.1``, SQLite, no Redis), so
the worker that writes fediverse posts is another process than the one serving the wall.

Mentions: ``--viewers`` Server-Sent-Events viewers watch the wall; a stand-in fediverse
server (tests/federation/fake_remote.py, in this process) serves the author's actor and
key; ``--count`` signed mentions of the event's actor are POSTed to the shared inbox, one
every ``--every`` seconds. Printed: p50/p95/p99/max from the start of each inbox POST
(signature verification included) to each viewer's receipt, and frames missing.

Hashtags: five stand-in Mastodon servers (tests/federation/fake_mastodon.py: tag timeline
with min_id and limit, instance endpoint, rate-limit headers) get ``--rate`` new posts a
second in total for ``--seconds``, 30 % of them listed by two servers; the site reads them
(TREFFPUNKT_HASHTAG_SERVERS, TREFFPUNKT_HASHTAG_POLL_SECONDS=``--poll``). Printed: posts on
the wall against posts made (each exactly once?), p50/p99/max from a post's appearance in a
timeline to a viewer's receipt, and the most requests one server got in any 5 minutes.
Every run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

_spec = importlib.util.spec_from_file_location("fedbench", ROOT / "benchmarks" / "federation.py")
fedbench = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(fedbench)  # type: ignore[union-attr]

SETUP = """
import json
from datetime import timedelta
from django.utils import timezone
from treffpunkt.accounts.models import User
from treffpunkt.events.actions import create_event
from treffpunkt.federation.events import actor_for_event
u = User.objects.create_user('orga@example.org', 'a-long-bench-pass-42', display_name='Orga')
e = create_event(organizer=u, title='Ökofest', hashtag='Oekofest26',
                 starts_at=timezone.now() - timedelta(hours=1),
                 ends_at=timezone.now() + timedelta(hours=3))
a = actor_for_event(e)
print(json.dumps({'actor': a.pk}))
"""


WORDS = [
    "Tolle Stimmung im Saal",
    "Der Vortrag über Gärten war stark",
    "Wo gibt es Kaffee?",
    "Grüße aus der dritten Reihe",
    "Die Musik ist großartig",
    "Danke an das Team",
    "Spannende Fragen am Stand",
    "Wann beginnt der Workshop?",
    "Schöne Bilder draußen",
    "Das Buffet ist eröffnet",
    "Ich nehme viel mit",
    "Bis nächstes Jahr",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ms(value: float) -> str:
    return f"{value * 1000:.0f} ms"


class Viewers:
    """N SSE connections to the wall's stream in one asyncio loop (a thread of its own);
    ``seen[marker]`` collects the receipt times of frames whose text carries a marker."""

    def __init__(self, port: int, path: str, count: int) -> None:
        self.port, self.path, self.count = port, path, count
        self.seen: dict[str, list[float]] = {}
        self.connected = 0
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 120
        while self.connected < self.count and time.monotonic() < deadline:
            time.sleep(0.2)

    def _run(self) -> None:
        self.loop.run_until_complete(self._all())

    async def _all(self) -> None:
        tasks = []
        for number in range(self.count):
            tasks.append(asyncio.ensure_future(self._one()))
            if number % 100 == 99:
                await asyncio.sleep(0.05)
        while not self.stop:
            await asyncio.sleep(0.2)
        for task in tasks:
            task.cancel()

    async def _one(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port, limit=2**20)
        request = (
            f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        writer.write(request.encode())
        await writer.drain()
        with self.lock:
            self.connected += 1
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                if line.startswith(b"data: ") and b"MARK" in line:
                    now = time.monotonic()
                    try:
                        data = json.loads(line[6:])
                    except ValueError:
                        continue
                    html = str(data.get("html", ""))
                    start = html.find("MARK")
                    marker = html[start : start + 12].split()[0] if start >= 0 else ""
                    with self.lock:
                        self.seen.setdefault(marker, []).append(now)
        finally:
            writer.close()

    def close(self) -> None:
        self.stop = True
        self.thread.join(timeout=10)


def site_with_event(extra_env: dict[str, str]) -> tuple[object, dict]:
    site = fedbench.Site(1)
    site.env.update(extra_env)
    site.run("manage", "migrate", "-v", "0")
    setup = json.loads(site.shell(SETUP))
    return site, setup


def mentions_scenario(options: argparse.Namespace) -> None:
    from tests.federation import fake_remote

    from treffpunkt.federation import httpsig

    print(f"== mentions: {options.count} signed mentions, {options.viewers} SSE viewers ==")
    remote = fake_remote.start()
    site, setup = site_with_event({})
    viewers = None
    try:
        site.start()
        event_actor = f"{site.base}/ap/actors/{setup['actor']}"
        viewers = Viewers(site.port, "/e/Oekofest26/stream", options.viewers)
        viewers.start()
        print(f"viewers connected: {viewers.connected}")
        sent: dict[str, float] = {}
        import http.client

        def post(number: int) -> None:
            marker = f"MARK{number:05d}"
            note = remote.note(
                number,
                in_reply_to=None,
                content=f"<p>@Oekofest26 {marker} {WORDS[number % len(WORDS)]}</p>",
                cc=[event_actor],
                tag=[{"type": "Mention", "href": event_actor, "name": "@Oekofest26"}],
            )
            body = json.dumps(remote.create(note)).encode()
            headers = httpsig.sign_request(
                "POST",
                f"{site.base}/ap/inbox",
                {"Content-Type": "application/activity+json"},
                body,
                key_id=remote.key_id(),
                private_key=remote.key,
                scheme="cavage",
            )
            headers.pop("Host", None)
            connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=30)
            sent[marker] = time.monotonic()
            connection.request("POST", "/ap/inbox", body=body, headers=headers)
            status = connection.getresponse().status
            if status != 202:
                print(f"inbox answered {status}")

        post(99999)  # warm-up: the author's key is fetched once
        time.sleep(2)
        for number in range(options.count):
            post(number)
            time.sleep(options.every)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with viewers.lock:
                done = sum(len(viewers.seen.get(m, [])) for m in sent)
            if done >= len(sent) * viewers.connected:
                break
            time.sleep(0.5)
        latencies = []
        missing = 0
        with viewers.lock:
            for marker, started in sent.items():
                if marker == "MARK99999":
                    continue
                times = viewers.seen.get(marker, [])
                missing += viewers.connected - len(times)
                latencies += [t - started for t in times]
        print(f"load average {os.getloadavg()[0]:.2f}")
        print(
            f"inbox POST to viewer: p50 {ms(percentile(latencies, 0.5))}, "
            f"p95 {ms(percentile(latencies, 0.95))}, p99 {ms(percentile(latencies, 0.99))}, "
            f"max {ms(max(latencies) if latencies else float('nan'))}; "
            f"{len(latencies)} receipts, {missing} missing"
        )
    finally:
        if viewers is not None:
            viewers.close()
        site.stop()
        remote.server.shutdown()


def hashtags_scenario(options: argparse.Namespace) -> None:
    from tests.federation import fake_mastodon

    print(
        f"== hashtags: 5 stand-in Mastodon servers, {options.rate} posts/s for "
        f"{options.seconds} s, 30 % on two servers, read every {options.poll} s =="
    )
    servers = [fake_mastodon.start() for _ in range(5)]
    site, _setup = site_with_event(
        {
            "TREFFPUNKT_HASHTAG_SERVERS": ",".join(server.base for server in servers),
            "TREFFPUNKT_HASHTAG_POLL_SECONDS": str(options.poll),
        }
    )
    viewers = None
    appeared: dict[str, float] = {}
    try:
        site.start()
        viewers = Viewers(site.port, "/e/Oekofest26/stream", 1)
        viewers.start()
        started = time.monotonic()
        number = 0
        rng = random.Random(26)
        while time.monotonic() - started < options.seconds:
            number += 1
            marker = f"MARK{number:05d}"
            home = rng.choice(servers)
            status = home.add(number, tag="Oekofest26", text=marker)
            appeared[marker] = time.monotonic()
            if rng.random() < 0.3:
                other = rng.choice([s for s in servers if s is not home])
                with other.lock:
                    other.statuses.append(status)
            time.sleep(1 / options.rate)
        deadline = time.monotonic() + options.poll * 3 + 10
        while time.monotonic() < deadline:
            with viewers.lock:
                if len(viewers.seen) >= len(appeared):
                    break
            time.sleep(0.5)
        with viewers.lock:
            seen = {marker: times[0] for marker, times in viewers.seen.items()}
            twice = sum(1 for times in viewers.seen.values() if len(times) > 1)
        latencies = [seen[m] - t for m, t in appeared.items() if m in seen]
        rows = site.rows("SELECT count(*), count(DISTINCT object_id) FROM federation_wallpost")[0]
        states = dict(site.rows("SELECT state, count(*) FROM events_contribution GROUP BY state"))
        print(f"load average {os.getloadavg()[0]:.2f}")
        print(f"contributions by state: {states}")
        print(
            f"posts made {len(appeared)}, on the wall {rows[0]} ({rows[1]} distinct), "
            f"seen by the viewer {len(seen)}, shown twice {twice}"
        )
        print(
            f"timeline to viewer: p50 {ms(percentile(latencies, 0.5))}, "
            f"p99 {ms(percentile(latencies, 0.99))}, "
            f"max {ms(max(latencies) if latencies else float('nan'))} "
            f"(target: poll interval + 1 s = {options.poll + 1} s)"
        )
        # Requests per server in any 5 minutes: the run is shorter, so all of them.
        counts = [len(server.requests) for server in servers]
        print(
            f"requests per server in the run: {counts} (limit 300 per 5 minutes; "
            f"remaining allowance as answered: {[s.rate_limit for s in servers]})"
        )
    finally:
        if viewers is not None:
            viewers.close()
        site.stop()
        for server in servers:
            server.server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentions", action="store_true")
    parser.add_argument("--hashtags", action="store_true")
    parser.add_argument("--viewers", type=int, default=2000)
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--every", type=float, default=0.5)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--poll", type=int, default=2)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treffpunkt.settings")
    import tempfile

    os.environ.setdefault("TREFFPUNKT_DATA_DIR", tempfile.mkdtemp(prefix="treffpunkt-intake-"))
    both = not options.mentions and not options.hashtags
    if options.mentions or both:
        mentions_scenario(options)
    if options.hashtags or both:
        hashtags_scenario(options)


if __name__ == "__main__":
    main()
