#!/usr/bin/env python
"""Blog reading and commenting benchmark for Treffpunkt.

Starts the real server (``treffpunkt serve`` as shipped: uvicorn, SQLite, the background
worker, in a fresh temporary data folder), creates a blog with 30 posts and one post with
100 approved, threaded comments, then measures on loopback, 16 connections, for --duration
seconds each:

- the post page with 100 comments, the blog's front page and the site's Atom feed:
  requests per second and latency (p50, p99), with ``wrk`` when it is installed (Debian
  package ``wrk``), else with a small Python client;
- comments accepted per second through the real "Leave a reply" form: every comment from a
  new sender (its own loopback address, name and email, no cookie), so each is checked,
  held for moderation as a first-time commenter, and stored; printed per 5-second window
  to show whether it slows down as comments pile up;
- the time to accept one comment (one connection, one after the other): p50 and p99.

By default it runs twice: with the page cache as shipped, and with
TREFFPUNKT_PAGE_CACHE_SECONDS=0 (every request rendered by Django), so both figures show.

    .venv/bin/python benchmarks/blog_pages.py
    .venv/bin/python benchmarks/blog_pages.py --duration 5 --only shipped

All traffic goes to 127.0.0.x. The server is always stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
TREFFPUNKT = ROOT / ".venv" / "bin" / "treffpunkt"
PYTHON = ROOT / ".venv" / "bin" / "python"
HOST = "127.0.0.1"
CONNECTIONS = 16

SEED = r"""
import django
django.setup()
from django.utils import timezone
from treffpunkt.accounts.models import User
from treffpunkt.blog import actions as blog
from treffpunkt.comments import actions as comments
from treffpunkt.comments.models import Comment
from treffpunkt.core.actions import participant_for_guest
from treffpunkt.moderation.submissions import Origin, Submission

author = User.objects.create_user(email="autorin@example.org", password="bench-pass-123",
                                  display_name="Autorin", is_author=True)
b = blog.create_blog(title="Aus dem Verein", slug="verein", authors=[author])
words = ("Ehrenamt Verein Garten Versammlung Digitalisierung Treffen Projekt Zukunft "
         "Nachbarschaft Werkstatt Sommerfest Vorstand Kasse Mitglieder Ideen").split()
for n in range(30):
    text = "\n\n".join(
        " ".join(words[(n + i + j) % len(words)] for j in range(60)) + "." for i in range(6)
    )
    post = blog.save_post(editor=author, blog=b, title=f"Beitrag Nummer {n + 1}", body=text,
                          tags=["Verein", words[n % len(words)]])
    post = blog.publish_post(post, editor=author)
target = post
open_post = blog.save_post(editor=author, blog=b, title="Hier darf kommentiert werden",
                           body="Schreiben Sie uns, was Sie denken.")
open_post = blog.publish_post(open_post, editor=author)

made = []
for n in range(100):
    parent = None
    if n % 3 == 1 and made:
        parent = made[-1]
    elif n % 3 == 2 and made and made[-1].depth < 3:
        parent = made[-1]
    guest = participant_for_guest(f"benchdevice{n:05d}", display_name=f"Gast {n}")
    comment = comments.submit_comment(
        target,
        Submission(
            participant=guest,
            text=f"Das ist Kommentar {n}: ein freundlicher Gedanke zum Beitrag, mit etwas Text.",
            author_name=f"Gast {n}", email=f"gast{n}@example.org",
            origin=Origin(ip_address=f"127.0.9.{n % 250 + 1}"),
        ),
        parent_id=parent.pk if parent else None,
    )
    if comment.status != Comment.Status.APPROVED:
        comments.moderate_comment(comment, "approve", author)
    comment.refresh_from_db()
    made.append(comment)
print(target.get_absolute_url())
print(open_post.pk)
print(open_post.get_absolute_url())
print(Comment.objects.filter(post=target, status="approved").count())
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class Server:
    def __init__(self, data_dir: Path, port: int, env: dict[str, str]) -> None:
        self.port = port
        self.log = (data_dir / "server.log").open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own command and arguments
            [str(TREFFPUNKT), "serve", "--host", HOST, "--port", str(port), "--quiet"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped (exit {self.process.returncode})")
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), 1):
                return
            time.sleep(0.2)
        raise SystemExit("the server did not start within 90 s")

    def pids(self) -> list[int]:
        """The server process and its children (the background worker)."""
        found = [self.process.pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:
                    found.append(int(stat.parent.name))
        return found

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of one process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_profiles(pids: list[int], folder: str | None, seconds: int) -> list[subprocess.Popen]:
    """py-spy (from the venv) on each server process for the measured window, if asked."""
    spy = PYTHON.parent / "py-spy"
    if not folder:
        return []
    if not spy.exists():
        print("  (--profile: py-spy is not installed in the venv)")
        return []
    Path(folder).mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(  # noqa: S603 - py-spy with our own arguments
            [
                str(spy),
                "record",
                "--nonblocking",
                "--gil",
                "-f",
                "raw",
                "-d",
                str(seconds),
                "-p",
                str(pid),
                "-o",
                f"{folder}/comments-{pid}.txt",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]


# --- reading pages -----------------------------------------------------------------------


def run_wrk(url: str, duration: int) -> tuple[float, float, float, str]:
    output = subprocess.run(  # noqa: S603 - wrk with our own arguments
        [
            shutil.which("wrk") or "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{duration}s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]

    def latency(pct: str) -> float:
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if match is None:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    note = f"non-2xx={errors.group(1)}" if errors else "all 2xx"
    return rate, latency("50"), latency("99"), note


async def python_get_load(port: int, path: str, duration: int) -> tuple[float, float, float, str]:
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    latencies: list[float] = []
    bad = 0
    stop_at = time.monotonic() + duration

    async def worker() -> None:
        nonlocal bad
        reader, writer = await asyncio.open_connection(HOST, port)
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            writer.write(request)
            status, _body = await read_response(reader)
            latencies.append((time.perf_counter() - started) * 1000)
            bad += status != 200
        writer.close()

    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    rate = len(latencies) / duration
    return rate, percentile(latencies, 50), percentile(latencies, 99), f"non-200={bad}"


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = re.search(rb"(?i)content-length:\s*(\d+)", head)
    if length:
        body = await reader.readexactly(int(length.group(1)))
    elif re.search(rb"(?i)transfer-encoding:\s*chunked", head):
        chunks = []
        while True:
            size = int((await reader.readline()).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            chunks.append(chunk[:-2])
        body = b"".join(chunks)
    else:
        body = b""
    return status, body


async def fetch(port: int, path: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n".encode()
    )
    result = await read_response(reader)
    writer.close()
    return result


# --- comments ----------------------------------------------------------------------------


def sender_address(n: int) -> str:
    """A loopback address of its own for sender n (127.1.0.1 upwards)."""
    n += 1
    return f"127.{1 + n // 65024}.{(n // 254) % 256}.{n % 254 + 1}"


async def post_comment(port: int, post_id: int, started: str, n: int) -> tuple[int, float]:
    body = urlencode(
        {
            "body": f"Danke für den Beitrag! Gedanke Nummer {n}: Wir sollten öfter so reden.",
            "author_name": f"Leserin {n}",
            "email": f"leserin{n}@example.org",
            "website": "",
            "url": "",
            "started": started,
        }
    ).encode()
    head = (
        f"POST /comments/post/{post_id}/ HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    began = time.perf_counter()
    reader, writer = await asyncio.open_connection(HOST, port, local_addr=(sender_address(n), 0))
    writer.write(head + body)
    status, _ = await read_response(reader)
    writer.close()
    return status, (time.perf_counter() - began) * 1000


async def comment_load(
    port: int, post_id: int, started: str, duration: int, connections: int, first: int
) -> tuple[list[tuple[float, int, float]], int]:
    results: list[tuple[float, int, float]] = []
    counter = first
    begin = time.monotonic()
    stop_at = begin + duration

    async def worker() -> None:
        nonlocal counter
        while time.monotonic() < stop_at:
            n = counter
            counter += 1
            status, ms = await post_comment(port, post_id, started, n)
            results.append((time.monotonic() - begin, status, ms))

    await asyncio.gather(*(worker() for _ in range(connections)))
    return results, counter


def report_comments(results: list[tuple[float, int, float]], duration: int, label: str) -> None:
    accepted = [r for r in results if r[1] == 302]
    statuses: dict[int, int] = {}
    for _t, status, _ms in results:
        statuses[status] = statuses.get(status, 0) + 1
    latencies = [r[2] for r in accepted]
    print(
        f"  {label}: accepted={len(accepted)} ({len(accepted) / duration:.0f}/s) "
        f"p50={percentile(latencies, 50):.1f} ms p99={percentile(latencies, 99):.1f} ms "
        f"statuses={statuses}"
    )


def report_windows(results: list[tuple[float, int, float]], duration: int) -> None:
    windows = []
    for start in range(0, duration, 5):
        count = sum(1 for t, status, _ in results if start <= t < start + 5 and status == 302)
        windows.append(f"{count / 5:.0f}/s")
    print(f"  accepted per 5 s window: {' '.join(windows)}")


# --- scenario ----------------------------------------------------------------------------


def run(label: str, cache_seconds: int, args: argparse.Namespace) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="treffpunkt-blogbench-"))
    port = free_port()
    env = {
        **os.environ,
        "TREFFPUNKT_DATA_DIR": str(data_dir),
        "TREFFPUNKT_BASE_URL": f"http://{HOST}:{port}",
        "TREFFPUNKT_PAGE_CACHE_SECONDS": str(cache_seconds),
        "DJANGO_SETTINGS_MODULE": "treffpunkt.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    server = None
    try:
        subprocess.run([str(TREFFPUNKT), "manage", "migrate", "-v0"], env=env, check=True)  # noqa: S603
        seeded = subprocess.run(  # noqa: S603 - our own interpreter and script
            [str(PYTHON), "-c", SEED], env=env, check=True, stdout=subprocess.PIPE, text=True
        ).stdout.split()
        post_path, open_post_id, open_post_path, approved = seeded[-4:]
        server = Server(data_dir, port, env)
        server.wait_ready()
        print(f"== {label} (TREFFPUNKT_PAGE_CACHE_SECONDS={cache_seconds}), {approved} comments")
        pages = [
            ("post page, 100 comments", post_path),
            ("blog front page", "/b/verein/"),
            ("Atom feed", "/b/feed/atom/"),
        ]
        tool = "wrk" if shutil.which("wrk") else "python client"
        for name, path in [] if args.skip_pages else pages:
            status, _body = asyncio.run(fetch(port, path))
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            if shutil.which("wrk"):
                rate, p50, p99, note = run_wrk(f"http://{HOST}:{port}{path}", args.duration)
            else:
                rate, p50, p99, note = asyncio.run(python_get_load(port, path, args.duration))
            print(
                f"  {name:<24} {rate:8.0f} requests/s  p50={p50:.1f} ms  p99={p99:.1f} ms"
                f"  ({tool}, {CONNECTIONS} connections, {args.duration} s, {note})"
            )

        status, page = asyncio.run(fetch(port, open_post_path))
        match = re.search(rb'name="started" value="([^"]+)"', page)
        if status != 200 or match is None:
            raise SystemExit("the comment form was not found on the post page")
        started = match.group(1).decode()
        time.sleep(2.5)  # the form's minimum time to submit
        single, next_n = asyncio.run(
            comment_load(port, int(open_post_id), started, min(args.duration, 5), 1, 0)
        )
        report_comments(single, min(args.duration, 5), "one connection, one after the other")
        pids = server.pids()
        before = [cpu_seconds(pid) for pid in pids]
        client_before, wall_before = time.process_time(), time.monotonic()
        spies = start_profiles(pids, args.profile, args.duration)
        results, _ = asyncio.run(
            comment_load(port, int(open_post_id), started, args.duration, CONNECTIONS, next_n)
        )
        elapsed = time.monotonic() - wall_before
        used = [cpu_seconds(pid) - start for pid, start in zip(pids, before, strict=True)]
        client = time.process_time() - client_before
        for spy in spies:
            spy.wait()
        report_comments(results, args.duration, f"{CONNECTIONS} connections, new sender each")
        report_windows(results, args.duration)
        shares = ", ".join(
            f"{'server' if i == 0 else 'worker'} {100 * value / elapsed:.0f}%"
            for i, value in enumerate(used)
        )
        print(f"  cpu (% of one core): {shares}, client {100 * client / elapsed:.0f}%")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds per measurement")
    parser.add_argument(
        "--only", choices=["shipped", "uncached"], help="run one of the two configurations"
    )
    parser.add_argument("--skip-pages", action="store_true", help="measure only the comments")
    parser.add_argument(
        "--profile", metavar="DIR", help="py-spy profiles of the server while comments arrive"
    )
    args = parser.parse_args()
    if not TREFFPUNKT.exists():
        sys.exit("create .venv first (the README's quick start or Development section)")
    if args.only in (None, "shipped"):
        run("as shipped", int(os.environ.get("TREFFPUNKT_PAGE_CACHE_SECONDS", "10")), args)
    if args.only in (None, "uncached"):
        run("page cache off", 0, args)


if __name__ == "__main__":
    main()
