#!/usr/bin/env python
"""How fast and how cleanly `treffpunkt serve` stops, with and without open wall streams.

For each scenario (idle and N viewers, each stopped with SIGTERM and with SIGINT) it starts
the real server as a host would (`python -m treffpunkt serve --port P`, with its background
worker, SQLite in a temporary data folder), opens N Server-Sent-Events viewers on a wall's
`/e/<hashtag>/stream` (plain sockets, HTTP/1.1), waits until every viewer has the replayed
post (so every stream is attached to the wall's feed), sends the signal and measures:

- the time from the signal until the server process has exited, and its exit code;
- how each viewer's stream ended: *clean* (the chunked body's final empty chunk, then the
  connection closed), *cut* (closed without the final chunk), *reset* (connection reset)
  or *open* (still open when the server was gone or after the wait);
- the lines starting with "Traceback" in the server's log, and the processes the server
  had started (its background worker, server processes) still running after it exited.

SIGTERM goes to the server process only (`kill PID`, what systemd and Docker send first);
SIGINT goes to the whole process group, as Ctrl+C in a terminal does.

    .venv/bin/python benchmarks/stop_time.py
    .venv/bin/python benchmarks/stop_time.py --viewers 200 --keep
    .venv/bin/python benchmarks/stop_time.py --workers 2   # needs Redis on 127.0.0.1:6379

All traffic goes to 127.0.0.1. Every wait is bounded; servers still running at the end of a
scenario are killed with their whole process group.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"
HASHTAG = "stopbench"
REDIS_URL = "redis://127.0.0.1:6379/15"
SERVER_ENV = {"TREFFPUNKT_LANGUAGE": "en", "TREFFPUNKT_LOG_LEVEL": "INFO"}
WAIT_FOR_EXIT = 30  # seconds before a server that does not stop is killed

SETUP_SNIPPET = """
import sys
from datetime import timedelta
from treffpunkt.cli import migrate, setup_django
setup_django()
migrate()
from django.utils import timezone
from treffpunkt.accounts.actions import create_admin
from treffpunkt.core.actions import participant_for_guest
from treffpunkt.events.actions import create_event, submit_contribution
try:
    from treffpunkt.moderation.submissions import Submission
except ImportError:  # a checkout from before the submission pipeline, for a before/after run
    Submission = None
user = create_admin("bench@example.org", "Benchmark", "benchmark-password-7f3k")
now = timezone.now()
event = create_event(
    organizer=user, title="Stop benchmark", hashtag=sys.argv[1],
    starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=5),
    moderation="post", visibility="unlisted",
)
guest = participant_for_guest("b" * 32, display_name="Uta")
text = "Danke für den Vortrag, sehr hilfreich!"
if Submission is None:
    post = submit_contribution(event=event, participant=guest, text=text)
else:
    post = submit_contribution(event, Submission(participant=guest, text=text))
print("ok", post.state)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Viewer:
    """One SSE connection; parses the chunked body to tell a clean end from a cut one."""

    def __init__(self, port: int, path: str) -> None:
        self.sock = socket.create_connection((HOST, port), timeout=10)
        request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept: text/event-stream\r\n\r\n"
        self.sock.sendall(request.encode())
        self.raw = b""
        self.body = b""
        self.headers_done = False
        self.final_chunk = False
        self.outcome: str | None = None  # clean, cut, reset
        self.ended_at: float | None = None

    def feed(self, data: bytes) -> None:
        self.raw += data
        if not self.headers_done:
            head, found, rest = self.raw.partition(b"\r\n\r\n")
            if not found:
                return
            if b" 200 " not in head.split(b"\r\n", 1)[0] or b"chunked" not in head.lower():
                raise RuntimeError(f"unexpected stream response: {head[:200]!r}")
            self.headers_done, self.raw = True, rest
        while not self.final_chunk:
            line, found, rest = self.raw.partition(b"\r\n")
            if not found:
                return
            size = int(line.split(b";")[0], 16)
            if len(rest) < size + 2:
                return
            self.body += rest[:size]
            self.raw = rest[size + 2 :]
            self.final_chunk = size == 0

    def read(self) -> None:
        """Read what is there (the socket is non-blocking); note how the stream ended."""
        try:
            data = self.sock.recv(65536)
        except BlockingIOError:
            return
        except ConnectionResetError:
            self.finish("reset")
            return
        if data:
            self.feed(data)
        else:
            self.finish("clean" if self.final_chunk else "cut")

    def finish(self, outcome: str) -> None:
        self.outcome, self.ended_at = outcome, time.monotonic()
        self.sock.close()


def open_viewers(port: int, count: int, timeout: float = 60) -> list[Viewer]:
    """Open ``count`` streams and wait until each has the replayed post (attached)."""
    viewers = [Viewer(port, f"/e/{HASHTAG}/stream?after=0") for _ in range(count)]
    selector = selectors.DefaultSelector()
    for viewer in viewers:
        viewer.sock.setblocking(False)
        selector.register(viewer.sock, selectors.EVENT_READ, viewer)
    waiting = set(viewers)
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        for key, _mask in selector.select(timeout=0.5):
            viewer = key.data
            viewer.read()
            if viewer.outcome is not None:
                raise RuntimeError(f"a stream ended before the signal: {viewer.outcome}")
            if b"event: upsert" in viewer.body:
                waiting.discard(viewer)
    selector.close()
    if waiting:
        raise RuntimeError(f"{len(waiting)} of {count} viewers got no replay in {timeout} s")
    return viewers


def wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped while starting:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=2) as s:
            s.sendall(b"GET /healthz-none HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            if s.recv(64).startswith(b"HTTP/1.1"):
                return
        time.sleep(0.2)
    raise RuntimeError("the server did not start within 120 s")


def descendants(pid: int) -> list[int]:
    """The processes started by ``pid`` and by those (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], list(children.get(pid, []))
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def still_running(pids: list[int]) -> list[int]:
    running = []
    for pid in pids:
        with contextlib.suppress(OSError):
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z":
                running.append(pid)
    return running


def command_of(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    return " ".join(part.decode(errors="replace") for part in argv[1:4])


def run_scenario(
    data_dir: Path, viewers_wanted: int, signum: int, workers: int, extra_env: dict[str, str]
) -> str:
    port = free_port()
    name = signal.Signals(signum).name
    log = data_dir / f"server-{port}-{viewers_wanted}-{name}.log"
    env = {**os.environ, **SERVER_ENV, **extra_env, "TREFFPUNKT_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "treffpunkt", "serve", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    with open(log, "wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=str(data_dir),
            start_new_session=True,
        )
    started_by_server: list[int] = []
    viewers: list[Viewer] = []
    try:
        wait_until_up(port, process, log)
        viewers = open_viewers(port, viewers_wanted)
        time.sleep(0.5)  # let the access log and the worker settle
        started_by_server = descendants(process.pid)  # the background worker, …
        selector = selectors.DefaultSelector()
        for viewer in viewers:
            selector.register(viewer.sock, selectors.EVENT_READ, viewer)
        started = time.monotonic()
        if signum == signal.SIGINT:
            os.killpg(process.pid, signum)  # Ctrl+C: the terminal signals the whole group
        else:
            os.kill(process.pid, signum)  # kill PID, systemd, docker stop
        exited_at = None
        deadline = started + WAIT_FOR_EXIT
        while time.monotonic() < deadline:
            for key, _mask in selector.select(timeout=0.005):
                viewer = key.data
                viewer.read()
                if viewer.outcome is not None:
                    selector.unregister(viewer.sock)
            if exited_at is None and process.poll() is not None:
                exited_at = time.monotonic()
            if exited_at is not None and not selector.get_map():
                break
            if exited_at is not None and time.monotonic() > exited_at + 1:
                break  # streams still open a second after the server is gone
        selector.close()
        # What the server started has a second more to go (multiprocessing's resource
        # tracker, for one, leaves only once it sees the server gone).
        until = time.monotonic() + 1
        while still_running(started_by_server) and time.monotonic() < until:
            time.sleep(0.05)
        left = [command_of(pid) for pid in still_running(started_by_server)]
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # anything it left behind
        for pid in still_running(started_by_server):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    outcomes = {"clean": 0, "cut": 0, "reset": 0, "open": 0}
    for viewer in viewers:
        outcomes[viewer.outcome or "open"] += 1
        if viewer.outcome is None:
            viewer.sock.close()
    ended = [v.ended_at - started for v in viewers if v.ended_at is not None]
    text = log.read_text(errors="replace")
    tracebacks = sum(1 for line in text.splitlines() if line.startswith("Traceback"))
    label = f"[{'idle' if not viewers_wanted else f'{viewers_wanted} viewers'}, {name}]"
    took = f"{exited_at - started:.2f} s" if exited_at is not None else f"> {WAIT_FOR_EXIT} s"
    streams = ""
    if viewers_wanted:
        last = f" (last after {max(ended):.2f} s)" if ended else ""
        streams = (
            f" streams: clean {outcomes['clean']}, cut {outcomes['cut']}, reset "
            f"{outcomes['reset']}, open {outcomes['open']}{last};"
        )
    return (
        f"{label:<22} stopped after {took} (exit code {process.returncode});{streams} "
        f"tracebacks in log {tracebacks}, log lines {len(text.splitlines())}; "
        f"processes left running {len(left)} of {len(started_by_server)}"
        + (f" ({'; '.join(left)})" if left else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=50, help="open streams (default 50)")
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes; above 1 uses Redis"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data folder and logs")
    args = parser.parse_args()
    extra_env = {"REDIS_URL": REDIS_URL} if args.workers > 1 else {}
    base = Path(tempfile.mkdtemp(prefix="treffpunkt-stop-"))
    try:
        env = {**os.environ, **SERVER_ENV, **extra_env, "TREFFPUNKT_DATA_DIR": str(base)}
        env["DJANGO_SETTINGS_MODULE"] = "treffpunkt.settings"
        setup = subprocess.run(  # noqa: S603 - our own interpreter and snippet
            [sys.executable, "-c", SETUP_SNIPPET, HASHTAG],
            env=env,
            cwd=str(base),
            capture_output=True,
            text=True,
            timeout=180,
        )
        if setup.stdout.strip() != "ok visible":
            raise SystemExit(f"Could not set up: {setup.stdout}{setup.stderr[-3000:]}")
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        print(f"treffpunkt serve stop time; load average {load}", flush=True)
        for viewers in (0, args.viewers):
            for signum in (signal.SIGTERM, signal.SIGINT):
                print(run_scenario(base, viewers, signum, args.workers, extra_env), flush=True)
    finally:
        if args.keep:
            print(f"data folder and logs kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
