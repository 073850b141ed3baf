#!/usr/bin/env python
"""Live-wall fan-out and ingest benchmark for Treffpunkt.

Starts the real server (``treffpunkt serve``, uvicorn, SQLite in a fresh temporary data
folder), opens N Server-Sent-Events viewers on loopback, posts contributions through the
real HTML form at a fixed rate and measures, per scenario:

- latency from sending the POST to each viewer receiving the event (p50, p95, p99, max);
- posts accepted (302 redirect) and the rate achieved;
- events lost and duplicated per viewer (a viewer applies events the way the browser's
  live.js does: an id not above the last applied id is ignored);
- server memory (VmRSS of the server process and its children) and CPU use of server and
  benchmark client.

Scenarios (all by default, under five minutes in total):
- fan-out with one server process for each N in --viewers (default 100, 1000, 2000);
- ``--redis``: two server processes sharing the SQLite database, REDIS_URL set, viewers
  split half/half between them, posts alternating between them (N = largest of --viewers);
- ``--ingest``: no viewers, --ingest-connections keep-alive connections posting as fast as
  the server takes them for --ingest-duration seconds.

Giving --redis and/or --ingest runs only those; add --fanout to run the fan-out too.

    .venv/bin/python benchmarks/wall_fanout.py
    .venv/bin/python benchmarks/wall_fanout.py --viewers 2000 --rate 20 --duration 15
    .venv/bin/python benchmarks/wall_fanout.py --redis
    .venv/bin/python benchmarks/wall_fanout.py --ingest

All traffic goes to 127.0.0.1. The servers are always stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import heapq
import math
import multiprocessing as mp
import os
import re
import resource
import select
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
HOST = "127.0.0.1"
REDIS_URL = "redis://127.0.0.1:6379/15"
MARK_RE = re.compile(rb"tpb(\d+)q")
CLOCK = time.monotonic  # CLOCK_MONOTONIC: one clock for every process on the machine

SERVER_ENV = {
    "TREFFPUNKT_WALL_RATE_DEVICE": "100000/m",
    "TREFFPUNKT_WALL_RATE_IP": "1000000/m",
    "TREFFPUNKT_POSTS_TO_HOLD": "100000",
    "TREFFPUNKT_LINKS_TO_HOLD": "100",
    "TREFFPUNKT_POSTS_PER_IP_TO_HOLD": "100000000",  # every benchmark post comes from 127.0.0.1
    "TREFFPUNKT_MIN_SECONDS_TO_SUBMIT": "0",
    "TREFFPUNKT_LANGUAGE": "en",
    "TREFFPUNKT_LOG_LEVEL": "WARNING",
}

SETUP_SNIPPET = """
import sys
from datetime import timedelta
from treffpunkt.cli import migrate, setup_django
setup_django()
migrate()
from django.utils import timezone
from treffpunkt.accounts.actions import create_admin
from treffpunkt.accounts.models import User
from treffpunkt.events.actions import create_event
user = User.objects.filter(email="bench@example.org").first() or create_admin(
    "bench@example.org", "Benchmark", "benchmark-password-7f3k"
)
now = timezone.now()
for tag in sys.argv[1:]:
    create_event(
        organizer=user, title="Benchmark " + tag, hashtag=tag,
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=5),
        moderation="post", visibility="unlisted",
    )
print("ok")
"""


def python() -> str:
    return str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable


def raise_open_files_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return math.nan
    index = max(0, min(len(sorted_values) - 1, math.ceil(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def fmt_ms(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds * 1000:.0f}"


# --- processes: server, memory, CPU ------------------------------------------------------


def children_of(pid: int) -> list[int]:
    """pid and all its descendants (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def rss_mb(pid: int) -> float:
    total = 0
    for proc in children_of(pid):
        try:
            with open(f"/proc/{proc}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def thread_count(pid: int) -> int:
    total = 0
    for proc in children_of(pid):
        with contextlib.suppress(OSError):
            total += len(os.listdir(f"/proc/{proc}/task"))
    return total


def open_db_files(pid: int) -> int:
    """File descriptors the server holds on its SQLite files (database and WAL)."""
    total = 0
    for proc in children_of(pid):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{proc}/fd"):
                with contextlib.suppress(OSError):
                    if ".sqlite3" in os.readlink(f"/proc/{proc}/fd/{fd}"):
                        total += 1
    return total


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def cpu_seconds(pid: int) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in children_of(pid):
        try:
            with open(f"/proc/{proc}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except OSError:
            pass
    return total


class Server:
    """One `treffpunkt serve` subprocess."""

    prelude: str | None = None  # --server-prelude: a Python file run before the CLI

    def __init__(
        self, data_dir: Path, port: int, extra_env: dict[str, str], worker: bool = False
    ) -> None:
        self.port = port
        self.log_path = data_dir / f"server-{port}.log"
        env = {**os.environ, **SERVER_ENV, **extra_env, "TREFFPUNKT_DATA_DIR": str(data_dir)}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                *self.launcher(),
                "serve",
                "--port",
                str(port),
                "--quiet",
                *([] if worker else ["--no-worker"]),
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=str(data_dir),
            start_new_session=True,
        )

    def launcher(self) -> list[str]:
        if not self.prelude:
            return [python(), "-m", "treffpunkt"]
        # Try a change without editing src: run the file, then the real command line.
        code = (
            "import runpy, sys; runpy.run_path(sys.argv.pop(1)); "
            "from treffpunkt.cli import main; main(sys.argv[1:])"
        )
        return [python(), "-c", code, str(Path(self.prelude).resolve())]

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def errors_logged(self) -> int:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return 0
        return sum(1 for line in text.splitlines() if "Traceback" in line)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


def start_profiler(args: argparse.Namespace, server: Server, name: str, seconds: float) -> Any:
    """py-spy (if --profile and it is installed) on a server for the measured window."""
    if not args.profile:
        return None
    spy = shutil.which("py-spy") or str(Path(python()).parent / "py-spy")
    if not Path(spy).exists():
        print("  (--profile: py-spy is not installed)", flush=True)
        return None
    Path(args.profile).mkdir(parents=True, exist_ok=True)
    out = Path(args.profile) / f"{name}-{server.port}.folded"
    with open(out.with_suffix(".log"), "wb") as log:  # the child keeps its own copy
        return subprocess.Popen(  # noqa: S603 - py-spy with our own arguments
            [
                spy,
                "record",
                "-p",
                str(server.pid),
                "-r",
                "100",
                "-f",
                "raw",
                "-o",
                str(out),
                "-d",
                str(max(1, int(seconds))),
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


def stop_profilers(profilers: list[Any]) -> None:
    for profiler in profilers:
        if profiler is None:
            continue
        try:
            profiler.wait(timeout=60)
        except subprocess.TimeoutExpired:
            profiler.kill()
            profiler.wait(timeout=5)


def setup_data(data_dir: Path, hashtags: list[str], extra_env: dict[str, str]) -> None:
    env = {**os.environ, **SERVER_ENV, **extra_env, "TREFFPUNKT_DATA_DIR": str(data_dir)}
    env["DJANGO_SETTINGS_MODULE"] = "treffpunkt.settings"
    result = subprocess.run(  # noqa: S603 - our own interpreter and snippet
        [python(), "-c", SETUP_SNIPPET, *hashtags],
        env=env,
        cwd=str(data_dir),
        capture_output=True,
        text=True,
        timeout=180,
    )
    if result.returncode != 0 or "ok" not in result.stdout:
        raise RuntimeError(f"Could not set up the benchmark data:\n{result.stderr[-3000:]}")


async def wait_ready(server: Server, hashtag: str, timeout: float = 90) -> None:
    deadline = CLOCK() + timeout
    while CLOCK() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"The server on port {server.port} stopped:\n{server.log_tail()}")
        try:
            conn = HttpConnection(server.port)
            await conn.open()
            try:
                status, _headers, _body = await conn.request("GET", f"/e/{hashtag}/")
            finally:
                conn.close()
            if status == 200:
                return
        except (OSError, asyncio.IncompleteReadError, ConnectionError):
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"The server on port {server.port} did not answer:\n{server.log_tail()}")


# --- a small HTTP/1.1 client -------------------------------------------------------------


class HttpConnection:
    """One keep-alive HTTP/1.1 connection; enough HTTP for this benchmark."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.closed = True
        self.last_used = 0.0

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.wait_for(
            asyncio.open_connection(HOST, self.port), 10
        )
        self.closed = False

    def close(self) -> None:
        self.closed = True
        if self.writer is not None:
            self.writer.close()

    def send(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> None:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        assert self.writer is not None
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    async def response(self) -> tuple[int, list[tuple[str, str]], bytes]:
        assert self.reader is not None
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = []
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers.append((name.strip().lower(), value.strip()))
        values = dict(headers)
        if "content-length" in values:
            body = await self.reader.readexactly(int(values["content-length"]))
        elif values.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(part[:-2] for part in parts)
        else:
            body = await self.reader.read()
            self.closed = True
        if values.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        self.send(method, path, headers or {}, body)
        return await asyncio.wait_for(self.response(), 60)


@dataclass
class FormTokens:
    csrf_cookie: str
    csrf_field: str
    started: str


async def fetch_form(port: int, hashtag: str) -> FormTokens:
    """GET the join page like a phone does: the CSRF cookie and the form's hidden fields."""
    conn = HttpConnection(port)
    await conn.open()
    try:
        status, headers, body = await conn.request("GET", f"/e/{hashtag}/")
    finally:
        conn.close()
    if status != 200:
        raise RuntimeError(f"GET /e/{hashtag}/ answered {status}")
    cookie = ""
    for name, value in headers:
        if name == "set-cookie" and value.startswith("csrftoken="):
            cookie = value.split(";", 1)[0].split("=", 1)[1]
    html = body.decode("utf-8", "replace")

    def hidden(name: str) -> str:
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
        value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
        if not value:
            raise RuntimeError(f"The join page has no {name} field")
        return value.group(1)

    if not cookie:
        raise RuntimeError("The join page set no csrftoken cookie")
    return FormTokens(cookie, hidden("csrfmiddlewaretoken"), hidden("started"))


def post_request(tokens: FormTokens, text: str) -> tuple[dict[str, str], bytes]:
    """The form as a browser sends it: multipart/form-data, the empty file input included.

    No tp_device cookie: every post comes from a new guest device.
    """
    boundary = "----treffpunktbench" + uuid.uuid4().hex
    fields = [
        ("csrfmiddlewaretoken", tokens.csrf_field),
        ("started", tokens.started),
        ("text", text),
        ("author_name", ""),
    ]
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    parts += [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n\r\n'
        for name in ("photo_alt", "website")
    ]
    parts.append(f"--{boundary}--\r\n")
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Cookie": f"csrftoken={tokens.csrf_cookie}",
        "Accept": "text/html",
    }
    return headers, "".join(parts).encode()


def post_text(seq: int) -> str:
    # An ordinary guest post (the spam filter's text model must not hold it).
    return f"Danke für den Vortrag tpb{seq}q, das nehme ich mit ins Team #{seq % 7}"


class Poster:
    """Sends posts over a pool of keep-alive connections to one server port."""

    def __init__(self, port: int, path: str, tokens: FormTokens) -> None:
        self.port = port
        self.path = path
        self.tokens = tokens
        self.idle: list[HttpConnection] = []

    async def post(self, seq: int) -> tuple[float, float, int]:
        """(send time, response time, status); status 0 for a transport error."""
        conn = self.idle.pop() if self.idle else None
        # uvicorn closes keep-alive connections idle for 5 s: do not race it.
        if conn is not None and CLOCK() - conn.last_used > 4:
            conn.close()
            conn = None
        if conn is None or conn.closed:
            conn = HttpConnection(self.port)
            await conn.open()
        headers, body = post_request(self.tokens, post_text(seq))
        sent = CLOCK()
        try:
            conn.send("POST", self.path, headers, body)
            status, response_headers, _body = await asyncio.wait_for(conn.response(), 60)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            conn.close()
            return sent, CLOCK(), 0
        done = CLOCK()
        conn.last_used = done
        location = dict(response_headers).get("location", "")
        if status == 302 and "#your-posts" not in location:
            status = -302  # a redirect somewhere else: not an accepted post
        if not conn.closed:
            self.idle.append(conn)
        return sent, done, status

    def close(self) -> None:
        for conn in self.idle:
            conn.close()
        self.idle.clear()


# --- viewers (run in child processes) ----------------------------------------------------


# The viewers run in child processes with a plain epoll loop: far less CPU per received
# frame than asyncio protocols, so the client disturbs the server (same two cores) less.
# Each frame the server sends is "id: N\nevent: NAME\ndata: JSON\n\n"; one regular
# expression pass over what a recv() returned finds them all.
FRAME_RE = re.compile(rb"id: (\d+)\nevent: (\w+)\ndata: (?:[^\n]*?tpb(\d+)q)?[^\n]*\n\n")
STREAM_END = b"\r\n0\r\n\r\n"


class Viewer:
    """One SSE client, applying events the way live.js does (ids must increase)."""

    __slots__ = (
        "arrivals",
        "duplicates",
        "ended",
        "failed",
        "head",
        "ignored",
        "in_body",
        "last_id",
        "live",
        "path",
        "port",
        "reconnects",
        "reloads",
        "removes",
        "retry_s",
        "sock",
        "tail",
    )

    def __init__(self, port: int, path: str) -> None:
        self.port = port
        self.path = path
        self.sock: socket.socket | None = None
        self.last_id = 0
        self.arrivals: dict[int, float] = {}
        self.duplicates = 0
        self.ignored = 0  # events whose id was not above the last applied id (live.js drops)
        self.removes = 0
        self.reloads = 0
        self.reconnects = 0
        self.ended = 0  # streams the server ended (a too slow subscriber is dropped)
        self.retry_s = 2.0
        self.live = False
        self.failed = ""
        self.in_body = False
        self.head = b""
        self.tail = b""

    def request(self) -> bytes:
        last = f"Last-Event-ID: {self.last_id}\r\n" if self.last_id else ""
        return (
            f"GET {self.path}?after={self.last_id} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
            f"Accept: text/event-stream\r\nCache-Control: no-cache\r\n{last}\r\n"
        ).encode()


class ViewerLoop:
    """All viewers of one child process, driven by epoll; commands come over a pipe."""

    def __init__(self, conn: Any, targets: list[tuple[int, str]], concurrency: int) -> None:
        self.conn = conn
        self.viewers = [Viewer(port, path) for port, path in targets]
        self.concurrency = concurrency
        self.poll = select.epoll()
        self.by_fd: dict[int, Viewer] = {}
        self.connecting: set[int] = set()
        self.to_connect: list[Viewer] = list(self.viewers)
        self.timers: list[tuple[float, int, Viewer]] = []
        self.live_count = 0
        self.counts: dict[int, int] = {}
        self.waiting: set[int] | None = None
        self.wait_deadline = 0.0
        self.stopping = False
        self.started = CLOCK()
        self.reported_connected = False
        self.rusage_start = resource.getrusage(resource.RUSAGE_SELF)
        self.poll.register(conn.fileno(), select.EPOLLIN)

    # connections

    def open(self, viewer: Viewer) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        viewer.sock = sock
        viewer.in_body = False
        viewer.head = b""
        viewer.tail = b""
        fd = sock.fileno()
        self.by_fd[fd] = viewer
        self.connecting.add(fd)
        sock.connect_ex((HOST, viewer.port))
        self.poll.register(fd, select.EPOLLOUT)

    def close(self, viewer: Viewer, reconnect: bool) -> None:
        sock = viewer.sock
        if sock is None:
            return
        fd = sock.fileno()
        with contextlib.suppress(OSError, ValueError):
            self.poll.unregister(fd)
        self.by_fd.pop(fd, None)
        self.connecting.discard(fd)
        sock.close()
        viewer.sock = None
        if reconnect and not self.stopping:
            # Like the browser: come back after the server's retry pause, with the last id.
            viewer.reconnects += 1
            if viewer.reconnects > 50:
                viewer.failed = viewer.failed or "gave up after 50 reconnects"
                return
            heapq.heappush(self.timers, (CLOCK() + viewer.retry_s, id(viewer), viewer))

    def writable(self, fd: int, viewer: Viewer) -> None:
        sock = viewer.sock
        assert sock is not None
        self.connecting.discard(fd)
        error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if error:
            viewer.failed = f"connect: {os.strerror(error)}"
            self.close(viewer, reconnect=True)
            return
        try:
            sock.send(viewer.request())
        except OSError as exc:
            viewer.failed = f"send: {exc}"
            self.close(viewer, reconnect=True)
            return
        self.poll.modify(fd, select.EPOLLIN)

    def readable(self, viewer: Viewer, now: float) -> None:
        sock = viewer.sock
        assert sock is not None
        try:
            data = sock.recv(1 << 18)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.close(viewer, reconnect=True)
            return
        if not viewer.in_body:
            head = viewer.head + data
            end = head.find(b"\r\n\r\n")
            if end < 0:
                viewer.head = head
                return
            status = head[:end].split(b" ", 2)[1]
            if status != b"200":
                viewer.failed = f"status {status.decode()}"
                self.close(viewer, reconnect=True)
                return
            viewer.in_body = True
            viewer.head = b""
            data = head[end + 4 :]
            retry = re.search(rb"retry: (\d+)", data)
            if retry:
                viewer.retry_s = int(retry.group(1)) / 1000
            if not viewer.live:
                viewer.live = True
                self.live_count += 1
        buffer = viewer.tail + data if viewer.tail else data
        cut = buffer.rfind(b"\n\n")
        if cut < 0:
            viewer.tail = buffer
            self.check_end(viewer, buffer)
            return
        viewer.tail = buffer[cut + 2 :]
        last_id = viewer.last_id
        arrivals = viewer.arrivals
        for match in FRAME_RE.finditer(buffer, 0, cut + 2):
            event_id = int(match.group(1))
            if event_id <= last_id:
                viewer.ignored += 1
                continue
            last_id = event_id
            event = match.group(2)
            if event == b"upsert":
                seq_bytes = match.group(3)
                if seq_bytes is not None:
                    seq = int(seq_bytes)
                    if seq in arrivals:
                        viewer.duplicates += 1
                    else:
                        arrivals[seq] = now
                        self.counts[seq] = self.counts.get(seq, 0) + 1
            elif event == b"remove":
                viewer.removes += 1
            elif event == b"reload":
                viewer.reloads += 1
        viewer.last_id = last_id
        self.check_end(viewer, buffer)

    def check_end(self, viewer: Viewer, buffer: bytes) -> None:
        if buffer.endswith(STREAM_END):
            viewer.ended += 1  # the server ended the stream: reconnect like EventSource
            self.close(viewer, reconnect=True)

    # commands from the orchestrator

    def command(self) -> bool:
        message = self.conn.recv()
        name, *args = message
        if name == "wait":
            seqs, timeout = args
            total = len(self.viewers)
            self.waiting = {seq for seq in seqs if self.counts.get(seq, 0) < total}
            self.wait_deadline = CLOCK() + timeout
        elif name == "mark":
            self.rusage_start = resource.getrusage(resource.RUSAGE_SELF)
            self.conn.send(("marked",))
        elif name == "results":
            usage = resource.getrusage(resource.RUSAGE_SELF)
            cpu = (usage.ru_utime - self.rusage_start.ru_utime) + (
                usage.ru_stime - self.rusage_start.ru_stime
            )
            viewers = self.viewers
            self.conn.send(
                (
                    "results",
                    {
                        "arrivals": [v.arrivals for v in viewers],
                        "last_ids": [v.last_id for v in viewers],
                        "duplicates": [v.duplicates for v in viewers],
                        "ignored": [v.ignored for v in viewers],
                        "removes": sum(v.removes for v in viewers),
                        "reloads": sum(v.reloads for v in viewers),
                        "reconnects": sum(v.reconnects for v in viewers),
                        "ended": sum(v.ended for v in viewers),
                        "failed": [v.failed for v in viewers if v.failed],
                        "cpu": cpu,
                    },
                )
            )
        elif name == "stop":
            self.stopping = True
            for viewer in self.viewers:
                self.close(viewer, reconnect=False)
            self.conn.send(("stopped",))
            return False
        return True

    def check_wait(self, now: float) -> None:
        if self.waiting is None:
            return
        total = len(self.viewers)
        if self.waiting:
            self.waiting = {seq for seq in self.waiting if self.counts.get(seq, 0) < total}
        if not self.waiting or now >= self.wait_deadline:
            self.conn.send(("waited", len(self.waiting)))
            self.waiting = None

    def run(self) -> None:
        conn_fd = self.conn.fileno()
        connect_deadline = CLOCK() + 60  # viewers not live by then are reported missing
        while True:
            now = CLOCK()
            while self.to_connect and len(self.connecting) < self.concurrency:
                self.open(self.to_connect.pop(0))
            while self.timers and self.timers[0][0] <= now:
                _at, _key, viewer = heapq.heappop(self.timers)
                if viewer.sock is None and not self.stopping:
                    self.open(viewer)
            if not self.reported_connected and (
                (
                    not self.to_connect
                    and not self.connecting
                    and self.live_count + sum(1 for v in self.viewers if v.failed and not v.live)
                    >= len(self.viewers)
                )
                or now > connect_deadline
            ):
                self.reported_connected = True
                self.conn.send(("connected", self.live_count, now - self.started))
            events = self.poll.poll(0.05)
            now = CLOCK()
            for fd, mask in events:
                if fd == conn_fd:
                    if not self.command():
                        return
                    continue
                viewer = self.by_fd.get(fd)
                if viewer is None:
                    continue
                if fd in self.connecting:
                    if mask & (select.EPOLLOUT | select.EPOLLERR | select.EPOLLHUP):
                        self.writable(fd, viewer)
                    continue
                self.readable(viewer, now)
            self.check_wait(now)


def viewer_process(conn: Any, targets: list[tuple[int, str]], concurrency: int) -> None:
    raise_open_files_limit()
    ViewerLoop(conn, targets, concurrency).run()


class ViewerProcesses:
    """Viewer child processes, driven over pipes."""

    def __init__(
        self,
        targets: list[tuple[int, str]],
        processes: int,
        concurrency: int,
        target: Any = None,
    ) -> None:
        target = target or viewer_process
        context = mp.get_context("spawn")
        processes = max(1, min(processes, len(targets)))
        self.pipes = []
        self.processes = []
        for index in range(processes):
            share = targets[index::processes]
            parent, child = context.Pipe()
            process = context.Process(target=target, args=(child, share, concurrency), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    async def receive_all(self, timeout: float) -> list[Any]:
        async def one(pipe: Any) -> Any:
            deadline = CLOCK() + timeout
            while CLOCK() < deadline:
                if pipe.poll():
                    return pipe.recv()
                await asyncio.sleep(0.02)
            raise TimeoutError("a viewer process did not answer")

        return await asyncio.gather(*(one(pipe) for pipe in self.pipes))

    async def ask(self, message: tuple[Any, ...], timeout: float) -> list[Any]:
        for pipe in self.pipes:
            pipe.send(message)
        return await self.receive_all(timeout)

    def stop(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError, BrokenPipeError):
                pipe.send(("stop",))
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)


# --- scenarios ---------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    viewers: int
    servers: int
    rate: float
    duration: float
    lines: list[str] = field(default_factory=list)


def new_data_dir(base: Path, name: str) -> Path:
    path = base / name
    path.mkdir(parents=True)
    return path


async def start_servers(
    data_dir: Path, count: int, hashtag: str, extra_env: dict[str, str]
) -> list[Server]:
    servers: list[Server] = []
    # One after the other: the first migrates and collects static files.
    for _index in range(count):
        server = Server(data_dir, free_port(), extra_env)
        servers.append(server)
        await wait_ready(server, hashtag)
    return servers


def stop_servers(servers: list[Server]) -> None:
    for server in servers:
        with contextlib.suppress(Exception):
            server.stop()


async def run_fanout(scenario: Scenario, base: Path, args: argparse.Namespace) -> str:
    hashtag = f"bench{scenario.viewers}{'r' if scenario.servers > 1 else ''}"
    extra_env = {"REDIS_URL": REDIS_URL} if scenario.servers > 1 else {}
    data_dir = new_data_dir(base, hashtag)
    setup_data(data_dir, [hashtag], extra_env)
    servers: list[Server] = []
    viewers: ViewerProcesses | None = None
    posters: list[Poster] = []
    try:
        servers = await start_servers(data_dir, scenario.servers, hashtag, extra_env)
        stream_path = f"/e/{hashtag}/stream"
        targets = [(servers[i % len(servers)].port, stream_path) for i in range(scenario.viewers)]
        viewers = ViewerProcesses(targets, args.viewer_procs, args.connect_concurrency)
        connected = await viewers.receive_all(timeout=120)
        live = sum(reply[1] for reply in connected)
        connect_seconds = max(reply[2] for reply in connected)
        if live < scenario.viewers:
            print(f"  warning: only {live} of {scenario.viewers} viewers connected", flush=True)

        posters = [
            Poster(server.port, f"/e/{hashtag}/", await fetch_form(server.port, hashtag))
            for server in servers
        ]
        # Warm-up: one post every viewer must receive before measuring (all subscribed).
        warm_ok = True
        for warm_seq in range(1, 3):
            _sent, _done, status = await posters[warm_seq % len(posters)].post(warm_seq)
            if status != 302:
                raise RuntimeError(f"Warm-up post answered {status}:\n{servers[0].log_tail()}")
        waited = await viewers.ask(("wait", [1, 2], 60), timeout=90)
        warm_ok = all(reply[1] == 0 for reply in waited)
        if not warm_ok:
            print("  warning: not every viewer received the warm-up posts", flush=True)
        await asyncio.sleep(0.5)

        await viewers.ask(("mark",), timeout=30)
        profilers = [start_profiler(args, server, hashtag, scenario.duration) for server in servers]
        cpu_before = {s.pid: cpu_seconds(s.pid) for s in servers}
        client_usage = resource.getrusage(resource.RUSAGE_SELF)
        total = round(scenario.rate * scenario.duration)
        first_seq = 100
        results: dict[int, tuple[float, float, int]] = {}
        tasks = []

        async def one(seq: int, poster: Poster) -> None:
            results[seq] = await poster.post(seq)

        window_start = CLOCK()
        for index in range(total):
            at = window_start + index / scenario.rate
            delay = at - CLOCK()
            if delay > 0:
                await asyncio.sleep(delay)
            seq = first_seq + index
            tasks.append(asyncio.create_task(one(seq, posters[index % len(posters)])))
        # Bounded: posts without an answer by then count as not accepted ("timeout").
        _done, pending = await asyncio.wait(tasks, timeout=max(30.0, scenario.duration * 2))
        for task in pending:
            task.cancel()
        post_window = CLOCK() - window_start
        for index in range(total):
            results.setdefault(first_seq + index, (window_start, CLOCK(), -1))
        accepted = sorted(seq for seq, (_s, _d, status) in results.items() if status == 302)
        statuses: dict[int, int] = {}
        for _s, _d, status in results.values():
            statuses[status] = statuses.get(status, 0) + 1

        # Drain: every viewer should have every accepted post (bounded wait).
        waited = await viewers.ask(("wait", accepted, args.drain), timeout=args.drain + 60)
        window = CLOCK() - window_start
        server_cpu = sum(cpu_seconds(s.pid) - cpu_before[s.pid] for s in servers)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        poster_cpu = (usage.ru_utime - client_usage.ru_utime) + (
            usage.ru_stime - client_usage.ru_stime
        )
        replies = await viewers.ask(("results",), timeout=120)
        memory = sum(rss_mb(s.pid) for s in servers)
        threads = sum(thread_count(s.pid) for s in servers)
        db_files = sum(open_db_files(s.pid) for s in servers)
        tracebacks = sum(s.errors_logged() for s in servers)
        stop_profilers(profilers)
    finally:
        for poster in posters:
            poster.close()
        if viewers is not None:
            viewers.stop()
        stop_servers(servers)
    change_ids = change_ids_by_seq(data_dir)

    latencies: list[float] = []
    lost_per_viewer: list[int] = []
    dups_per_viewer: list[int] = []
    skipped = undelivered = ignored = reconnects = removes = reloads = ended = 0
    viewer_cpu = 0.0
    failed: list[str] = []
    lost_seqs: dict[int, int] = {}
    per_post: dict[int, list[float]] = {seq: [] for seq in accepted}
    for _kind, data in replies:
        ended += data["ended"]
        viewer_cpu += data["cpu"]
        failed += data["failed"]
        reconnects += data["reconnects"]
        removes += data["removes"]
        reloads += data["reloads"]
        ignored += sum(data["ignored"])
        dups_per_viewer += data["duplicates"]
        for arrivals, last_id in zip(data["arrivals"], data["last_ids"], strict=True):
            lost = 0
            for seq in accepted:
                arrived = arrivals.get(seq)
                if arrived is None:
                    lost += 1
                    lost_seqs[seq] = lost_seqs.get(seq, 0) + 1
                    # A later change reached this viewer: this one was skipped, not late.
                    if change_ids.get(seq, 0) < last_id:
                        skipped += 1
                    else:
                        undelivered += 1
                else:
                    latency = arrived - results[seq][0]
                    latencies.append(latency)
                    per_post[seq].append(latency)
            lost_per_viewer.append(lost)
    if args.dump:
        write_dump(Path(args.dump) / f"{hashtag}.csv", results, per_post, change_ids, window_start)
    latencies.sort()
    post_times = sorted(done - sent for sent, done, status in results.values() if status == 302)
    label = "redis x2" if scenario.servers > 1 else "1 process"
    line = (
        f"[{label}] viewers={live}/{scenario.viewers} rate={scenario.rate:g}/s "
        f"posts={total} accepted={len(accepted)} ({len(accepted) / post_window:.1f}/s) "
        f"p50={fmt_ms(percentile(latencies, 50))} p95={fmt_ms(percentile(latencies, 95))} "
        f"p99={fmt_ms(percentile(latencies, 99))} max={fmt_ms(percentile(latencies, 100))} ms "
        f"lost={sum(lost_per_viewer)} (max/viewer {max(lost_per_viewer, default=0)}) "
        f"dup={sum(dups_per_viewer)} (max/viewer {max(dups_per_viewer, default=0)}) "
        f"server_rss={memory:.0f} MB"
    )
    detail = (
        f"    post response p50={fmt_ms(percentile(post_times, 50))} "
        f"p99={fmt_ms(percentile(post_times, 99))} ms; statuses={statuses}; "
        f"connect {live} viewers in {connect_seconds:.1f} s; server threads={threads}, "
        f"open SQLite files={db_files}\n"
        f"    cpu over {window:.1f} s (% of one core): "
        f"server {server_cpu / window * 100:.0f}%, "
        f"viewer clients {viewer_cpu / window * 100:.0f}%, "
        f"poster {poster_cpu / window * 100:.0f}%; "
        f"load average {load_average()}; streams ended by server={ended} "
        f"reconnects={reconnects} out-of-order ignored={ignored} removes={removes} "
        f"reloads={reloads} server tracebacks={tracebacks}"
    )
    if lost_seqs:
        first = sorted(lost_seqs.items())[:6]
        detail += (
            f"\n    lost: {skipped} skipped (a later change reached the viewer first), "
            f"{undelivered} not delivered within {args.drain:g} s after the last post; "
            f"{len(lost_seqs)} of {len(accepted)} posts missed by some viewer, first "
            "(seq: viewers): " + ", ".join(f"{seq}: {count}" for seq, count in first)
        )
    if failed:
        detail += f"\n    viewer failures: {len(failed)} (first: {failed[0]})"
    return line + "\n" + detail


def change_ids_by_seq(data_dir: Path) -> dict[int, int]:
    """The WallChange id that created each benchmark post (read-only, after the run)."""
    path = data_dir / "treffpunkt.sqlite3"
    found: dict[int, int] = {}
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            rows = db.execute(
                "SELECT w.id, c.text FROM events_wallchange w JOIN events_contribution c "
                "ON c.id = w.contribution_id WHERE w.kind = 'created'"
            ).fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return found
    for change_id, text in rows:
        match = MARK_RE.search(text.encode())
        if match:
            found[int(match.group(1))] = change_id
    return found


def write_dump(
    path: Path,
    results: dict[int, tuple[float, float, int]],
    per_post: dict[int, list[float]],
    change_ids: dict[int, int],
    window_start: float,
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as out:
        out.write("seq,change_id,sent_s,response_ms,status,received_by,p50_ms,max_ms\n")
        for seq in sorted(results):
            sent, done, status = results[seq]
            values = sorted(per_post.get(seq, []))
            out.write(
                f"{seq},{change_ids.get(seq, '')},{sent - window_start:.3f},"
                f"{(done - sent) * 1000:.1f},{status},{len(values)},"
                f"{fmt_ms(percentile(values, 50))},{fmt_ms(percentile(values, 100))}\n"
            )


async def run_ingest(base: Path, args: argparse.Namespace) -> str:
    hashtag = "benchingest"
    data_dir = new_data_dir(base, hashtag)
    setup_data(data_dir, [hashtag], {})
    servers: list[Server] = []
    try:
        servers = await start_servers(data_dir, 1, hashtag, {})
        server = servers[0]
        tokens = await fetch_form(server.port, hashtag)
        path = f"/e/{hashtag}/"
        times: list[float] = []
        statuses: dict[int, int] = {}
        counter = iter(range(1_000_000, 10_000_000))
        stop_at = 0.0

        async def worker() -> None:
            poster = Poster(server.port, path, tokens)
            try:
                while CLOCK() < stop_at:
                    sent, done, status = await poster.post(next(counter))
                    if done <= stop_at:
                        statuses[status] = statuses.get(status, 0) + 1
                        if status == 302:
                            times.append(done - sent)
            finally:
                poster.close()

        # A short warm-up, then the measured window.
        stop_at = CLOCK() + 1.0
        await asyncio.gather(*(worker() for _ in range(args.ingest_connections)))
        times.clear()
        statuses.clear()
        cpu_before = cpu_seconds(server.pid)
        client_before = resource.getrusage(resource.RUSAGE_SELF)
        profiler = start_profiler(args, server, hashtag, args.ingest_duration)
        start = CLOCK()
        stop_at = start + args.ingest_duration
        await asyncio.wait_for(
            asyncio.gather(*(worker() for _ in range(args.ingest_connections))),
            args.ingest_duration + 120,
        )
        elapsed = args.ingest_duration
        server_cpu = cpu_seconds(server.pid) - cpu_before
        usage = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (usage.ru_utime - client_before.ru_utime) + (
            usage.ru_stime - client_before.ru_stime
        )
        memory = rss_mb(server.pid)
        tracebacks = server.errors_logged()
        stop_profilers([profiler])
    finally:
        stop_servers(servers)
    times.sort()
    accepted = statuses.get(302, 0)
    return (
        f"[ingest] connections={args.ingest_connections} duration={elapsed:g}s "
        f"accepted={accepted} ({accepted / elapsed:.0f} posts/s) "
        f"p50={fmt_ms(percentile(times, 50))} p99={fmt_ms(percentile(times, 99))} "
        f"max={fmt_ms(percentile(times, 100))} ms statuses={statuses} "
        f"server_rss={memory:.0f} MB\n"
        f"    cpu: server {server_cpu / elapsed * 100:.0f}%, client "
        f"{client_cpu / elapsed * 100:.0f}% (of one core); "
        f"mean {statistics.fmean(times) * 1000 if times else math.nan:.1f} ms; "
        f"server tracebacks={tracebacks}"
    )


def redis_available() -> bool:
    try:
        with socket.create_connection((HOST, 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


async def main_async(args: argparse.Namespace) -> int:
    base = Path(tempfile.mkdtemp(prefix="treffpunkt-bench-"))
    failures = 0
    try:
        plan: list[tuple[str, Any]] = []
        if args.fanout:
            for count in args.viewers:
                plan.append(("fanout", Scenario("fanout", count, 1, args.rate, args.duration)))
        if args.redis:
            plan.append(
                ("fanout", Scenario("redis", max(args.viewers), 2, args.rate, args.duration))
            )
        if args.ingest:
            plan.append(("ingest", None))
        print(
            f"wall_fanout: {os.cpu_count()} CPUs, python {python()}, data in {base}, "
            f"open files limit {resource.getrlimit(resource.RLIMIT_NOFILE)[0]}",
            flush=True,
        )
        for kind, scenario in plan:
            started = CLOCK()
            try:
                if kind == "ingest":
                    output = await run_ingest(base, args)
                else:
                    if scenario.servers > 1 and not redis_available():
                        print("[redis x2] skipped: no Redis answers on 127.0.0.1:6379", flush=True)
                        continue
                    output = await run_fanout(scenario, base, args)
            except Exception as error:  # report and go on with the next scenario
                failures += 1
                output = f"[{kind}] FAILED: {type(error).__name__}: {error}"
            print(output, f"    ({CLOCK() - started:.0f} s)", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
        else:
            print(f"data kept in {base}")
    return 1 if failures else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--viewers",
        default="100,1000,2000",
        help="comma-separated viewer counts for the fan-out runs (default 100,1000,2000)",
    )
    parser.add_argument("--rate", type=float, default=20, help="posts per second (default 20)")
    parser.add_argument(
        "--duration", type=float, default=15, help="seconds of posting (default 15)"
    )
    parser.add_argument("--fanout", action="store_true", help="run the one-process fan-out runs")
    parser.add_argument("--redis", action="store_true", help="run the two-process Redis run")
    parser.add_argument("--ingest", action="store_true", help="run the ingest run")
    parser.add_argument(
        "--drain", type=float, default=10, help="seconds to wait for late events (default 10)"
    )
    parser.add_argument(
        "--viewer-procs", type=int, default=1, help="processes for the SSE viewers (default 1)"
    )
    parser.add_argument(
        "--connect-concurrency",
        type=int,
        default=100,
        help="viewers connecting at once (default 100)",
    )
    parser.add_argument(
        "--ingest-connections", type=int, default=16, help="concurrent posters (default 16)"
    )
    parser.add_argument(
        "--ingest-duration", type=float, default=10, help="seconds of ingest (default 10)"
    )
    parser.add_argument("--dump", help="write one CSV line per post into this folder")
    parser.add_argument(
        "--profile", help="record py-spy profiles (folded stacks) of the servers into this folder"
    )
    parser.add_argument(
        "--server-prelude",
        help="a Python file each server runs before `treffpunkt serve` (to try a fix)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folders")
    args = parser.parse_args(argv)
    args.viewers = [int(v) for v in str(args.viewers).split(",") if v.strip()]
    if not (args.fanout or args.redis or args.ingest):
        args.fanout = args.redis = args.ingest = True
    return args


def main() -> int:
    args = parse_args()
    Server.prelude = args.server_prelude
    raise_open_files_limit()  # the servers inherit it
    try:
        return asyncio.run(main_async(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
