#!/usr/bin/env python
"""Soak test of the live wall: many viewers, steady posting, for a long time.

Starts `treffpunkt serve` as a host would (SQLite in a fresh temporary data folder, with
its background worker), opens --viewers Server-Sent-Events viewers on the public wall
stream, and posts through the real join form at --rate posts per second for --minutes.
Prints once a minute the memory (VmRSS) of the server process and of its worker, and at
the end, for every viewer, the posts it never received and the posts it received twice
(compared with every post the server accepted), and the memory after the viewers left.
Goal: 0 lost, 0 duplicated, memory flat after the first minutes (warm-up).

    .venv/bin/python benchmarks/soak.py                         # 2,000 viewers, 50/s, 10 min
    .venv/bin/python benchmarks/soak.py --viewers 200 --rate 20 --minutes 2

The server, viewers and posting come from benchmarks/wall_fanout.py (same setup, same
viewer semantics as the browser's live.js: an event whose id is not above the last one
applied is ignored; a stream the server ends is reopened with Last-Event-ID). Viewers here
remember which posts they got in a bit set rather than with arrival times, so 2,000
viewers times 30,000 posts fit in a few megabytes. All traffic stays on 127.0.0.1; the
server is stopped and the data folder removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import wall_fanout as wf

HASHTAG = "soak"
FIRST_SEQ = 100  # warm-up posts are 1 and 2


class Received:
    """The posts one viewer received, as a bit set (``seq in r``, ``r[seq] = when``)."""

    __slots__ = ("bits",)

    def __init__(self) -> None:
        self.bits = bytearray()

    def __contains__(self, seq: int) -> bool:
        byte = seq >> 3
        return byte < len(self.bits) and bool(self.bits[byte] >> (seq & 7) & 1)

    def __setitem__(self, seq: int, _when: float) -> None:
        byte = seq >> 3
        if byte >= len(self.bits):
            self.bits.extend(bytes(byte + 1024 - len(self.bits)))
        self.bits[byte] |= 1 << (seq & 7)

    def get(self, seq: int, default: Any = None) -> Any:
        return 0.0 if seq in self else default

    def as_int(self) -> int:
        return int.from_bytes(self.bits, "little")


class SoakViewerLoop(wf.ViewerLoop):
    def __init__(self, conn: Any, targets: list[tuple[int, str]], concurrency: int) -> None:
        super().__init__(conn, targets, concurrency)
        for viewer in self.viewers:
            viewer.arrivals = Received()  # type: ignore[assignment]


def soak_viewer_process(conn: Any, targets: list[tuple[int, str]], concurrency: int) -> None:
    wf.raise_open_files_limit()
    SoakViewerLoop(conn, targets, concurrency).run()


def own_rss_mb(pid: int) -> float:
    """VmRSS of this one process (not its children), in MB; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def worker_pid(server_pid: int) -> int:
    children = [pid for pid in wf.children_of(server_pid) if pid != server_pid]
    return children[0] if children else 0


async def soak(args: argparse.Namespace, base: Path) -> int:
    data_dir = base / HASHTAG
    data_dir.mkdir()
    wf.setup_data(data_dir, [HASHTAG], {})
    server = wf.Server(data_dir, wf.free_port(), {}, worker=True)
    viewers: wf.ViewerProcesses | None = None
    poster: wf.Poster | None = None
    try:
        await wf.wait_ready(server, HASHTAG)
        worker = worker_pid(server.pid)
        print(
            f"server pid {server.pid} rss {own_rss_mb(server.pid):.0f} MB, worker pid {worker} "
            f"rss {own_rss_mb(worker):.0f} MB before viewers",
            flush=True,
        )
        path = f"/e/{HASHTAG}/stream"
        viewers = wf.ViewerProcesses(
            [(server.port, path)] * args.viewers,
            args.viewer_procs,
            args.connect_concurrency,
            # From the module imported by name (not __main__), so what the viewer processes
            # send back unpickles here.
            target=importlib.import_module("soak").soak_viewer_process,
        )
        connected = await viewers.receive_all(timeout=180)
        live = sum(reply[1] for reply in connected)
        print(
            f"{live} of {args.viewers} viewers connected in "
            f"{max(reply[2] for reply in connected):.1f} s; server rss "
            f"{own_rss_mb(server.pid):.0f} MB",
            flush=True,
        )
        poster = wf.Poster(server.port, f"/e/{HASHTAG}/", await wf.fetch_form(server.port, HASHTAG))
        for seq in (1, 2):
            _sent, _done, status = await poster.post(seq)
            if status != 302:
                raise RuntimeError(f"warm-up post answered {status}:\n{server.log_tail()}")
        waited = await viewers.ask(("wait", [1, 2], 60), timeout=90)
        if any(reply[1] for reply in waited):
            print("warning: not every viewer received the warm-up posts", flush=True)

        seconds = args.minutes * 60
        total = round(args.rate * seconds)
        results: dict[int, tuple[float, float, int]] = {}
        samples: list[tuple[float, float]] = []  # one a minute
        tasks: list[asyncio.Task[None]] = []

        async def one(seq: int) -> None:
            assert poster is not None
            results[seq] = await poster.post(seq)

        def sample(label: str, per_minute: bool = True) -> None:
            answered = [status for _s, _d, status in results.values()]
            times = sorted(d - s for s, d, status in results.values() if status == 302)
            server_rss, worker_rss = own_rss_mb(server.pid), own_rss_mb(worker)
            if per_minute:
                samples.append((server_rss, worker_rss))
            print(
                f"{label:>9}  server rss {server_rss:6.1f} MB  worker rss {worker_rss:6.1f} MB  "
                f"posts answered {len(answered):6d} accepted {answered.count(302):6d}  "
                f"response p50 {wf.fmt_ms(wf.percentile(times, 50))} ms "
                f"p99 {wf.fmt_ms(wf.percentile(times, 99))} ms  load {wf.load_average()}",
                flush=True,
            )

        start = wf.CLOCK()
        next_sample = start + 60
        minute = 0
        for index in range(total):
            at = start + index / args.rate
            while True:
                now = wf.CLOCK()
                if now >= next_sample:
                    minute += 1
                    sample(f"minute {minute}")
                    next_sample += 60
                if at - now <= 0:
                    break
                await asyncio.sleep(min(at - now, next_sample - now))
            tasks.append(asyncio.create_task(one(FIRST_SEQ + index)))
        _done, pending = await asyncio.wait(tasks, timeout=120)
        for task in pending:
            task.cancel()
        if wf.CLOCK() >= next_sample - 1:
            minute += 1
            sample(f"minute {minute}")
        accepted = sorted(seq for seq, (_s, _d, status) in results.items() if status == 302)
        statuses: dict[int, int] = {}
        for _s, _d, status in results.values():
            statuses[status] = statuses.get(status, 0) + 1
        if len(results) < total:
            statuses[-1] = total - len(results)  # no answer within two minutes

        drained = await viewers.ask(("wait", accepted, args.drain), timeout=args.drain + 120)
        late = sum(reply[1] for reply in drained)
        replies = await viewers.ask(("results",), timeout=300)
        sample("end", per_minute=False)
        viewers.stop()
        viewers = None
        await asyncio.sleep(10)
        sample("viewers gone 10 s", per_minute=False)
        tracebacks = server.errors_logged()
    finally:
        if poster is not None:
            poster.close()
        if viewers is not None:
            viewers.stop()
        server.stop()

    wanted = 0
    for seq in accepted:
        wanted |= 1 << seq
    lost_per_viewer: list[int] = []
    dups_per_viewer: list[int] = []
    failed: list[str] = []
    reconnects = ended = ignored = 0
    for _kind, data in replies:
        lost_per_viewer += [(wanted & ~r.as_int()).bit_count() for r in data["arrivals"]]
        dups_per_viewer += data["duplicates"]
        failed += data["failed"]
        reconnects += data["reconnects"]
        ended += data["ended"]
        ignored += sum(data["ignored"])
    print(
        f"posts: {total} sent at {args.rate:g}/s over {args.minutes:g} min, "
        f"{len(accepted)} accepted; answers {dict(sorted(statuses.items()))}"
    )
    print(
        f"viewers: {len(lost_per_viewer)}; lost {sum(lost_per_viewer)} in all, "
        f"{sum(1 for n in lost_per_viewer if n)} viewers missed any "
        f"(max {max(lost_per_viewer, default=0)} for one); duplicated {sum(dups_per_viewer)} (max "
        f"{max(dups_per_viewer, default=0)} for one); posts not yet seen by someone "
        f"{args.drain:g} s after the last: {late}"
    )
    print(
        f"streams ended by the server {ended}, reconnects {reconnects}, out-of-order events "
        f"ignored {ignored}, viewer failures {len(failed)}"
        + (f" (first: {failed[0]})" if failed else "")
        + f", server tracebacks {tracebacks}"
    )
    # Memory after warm-up: from the first minute after it to the last one.
    steady = samples[1:] if len(samples) > 2 else samples
    if len(steady) >= 2:
        growth = steady[-1][0] - steady[0][0]
        spread = statistics.pstdev(server for server, _worker in steady)
        print(
            f"server rss after warm-up: {steady[0][0]:.1f} -> {steady[-1][0]:.1f} MB "
            f"({growth:+.1f} MB over {len(steady) - 1} min, spread {spread:.1f} MB); "
            f"worker {steady[0][1]:.1f} -> {steady[-1][1]:.1f} MB"
        )
    ok = not sum(lost_per_viewer) and not sum(dups_per_viewer) and live == args.viewers
    print("result:", "0 lost, 0 duplicated" if ok else "LOST OR DUPLICATED EVENTS (see above)")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=2000, help="SSE viewers (default 2000)")
    parser.add_argument("--rate", type=float, default=50, help="posts per second (default 50)")
    parser.add_argument("--minutes", type=float, default=10, help="minutes of posting (10)")
    parser.add_argument(
        "--drain", type=float, default=30, help="seconds to wait for late events (default 30)"
    )
    parser.add_argument(
        "--viewer-procs", type=int, default=2, help="processes for the viewers (default 2)"
    )
    parser.add_argument(
        "--connect-concurrency", type=int, default=100, help="viewers connecting at once"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    args = parser.parse_args()
    wf.raise_open_files_limit()
    base = Path(tempfile.mkdtemp(prefix="treffpunkt-soak-"))
    print(
        f"soak: {args.viewers} viewers, {args.rate:g} posts/s, {args.minutes:g} min; "
        f"{os.cpu_count()} CPUs, load {wf.load_average()}, started "
        f"{time.strftime('%H:%M:%S')}",
        flush=True,
    )
    try:
        return asyncio.run(soak(args, base))
    except KeyboardInterrupt:
        return 130
    finally:
        if args.keep:
            print(f"data kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
