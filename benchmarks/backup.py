#!/usr/bin/env python
"""Backup and restore of a big site: time and size.

Builds a site in a temporary folder (SQLite) with --contributions wall posts (default
100,000, from 2,000 guests on 20 events, each with its change-log row, written in bulk
rather than through the form, which would take hours) and --media-mb of uploaded photos
(default 1,024 MB in files of --file-mb, random bytes so nothing compresses or reads
faster than real photos), then runs the commands a host runs, as subprocesses:

    treffpunkt backup FILE
    treffpunkt restore FILE --into DIR

and prints the time and size of each, and checks that the restored folder has every
contribution and every byte of the files. Everything is in one temporary folder, removed
at the end (it needs about 3.5 times --media-mb of free disk space; the script refuses to
start with less).

    .venv/bin/python benchmarks/backup.py
    .venv/bin/python benchmarks/backup.py --contributions 10000 --media-mb 100
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

SETUP_SNIPPET = """
import sys
from datetime import timedelta
from treffpunkt.cli import migrate, setup_django
setup_django()
migrate()
from django.utils import timezone
from treffpunkt.accounts.actions import create_admin
from treffpunkt.core.models import Participant
from treffpunkt.events.actions import create_event
from treffpunkt.events.models import Contribution, WallChange

contributions, photos = int(sys.argv[1]), int(sys.argv[2])
admin = create_admin("bench@example.org", "Benchmark", "benchmark-password-7f3k")
now = timezone.now()
events = [
    create_event(
        organizer=admin, title=f"Tagung {n}", hashtag=f"tagung{n}",
        starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=5),
        moderation="post", visibility="unlisted",
    )
    for n in range(20)
]
guests = Participant.objects.bulk_create(
    Participant(kind="guest", device_id=f"bench-device-{n}", display_name=f"Gast {n}")
    for n in range(2000)
)
text = (
    "Danke für den Vortrag! Besonders der Teil über die Zusammenarbeit zwischen den "
    "Abteilungen hat mir gefallen; das nehmen wir mit in unser Team. Nummer {}"
)
batch = []
for n in range(contributions):
    batch.append(Contribution(
        event=events[n % 20], participant=guests[n % 2000], author_name=f"Gast {n % 2000}",
        text=text.format(n), state="visible",
        photo=f"wall/2026/12/photo-{n}.jpg" if n < photos else "",
        created_at=now - timedelta(seconds=contributions - n),
    ))
    if len(batch) == 5000 or n == contributions - 1:
        created = Contribution.objects.bulk_create(batch)
        WallChange.objects.bulk_create(
            WallChange(event_id=c.event_id, contribution_id=c.pk, kind="add") for c in created
        )
        batch = []
print("ok")
"""


def python() -> str:
    return str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["TREFFPUNKT_DATA_DIR"] = str(data_dir)
    env["TREFFPUNKT_LOG_LEVEL"] = "WARNING"
    return env


def run(arguments: list[str], data_dir: Path, **extra: object) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [python(), *arguments],
        env=environment(data_dir),
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        **extra,  # type: ignore[call-overload]
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(arguments[:3])} failed:\n{result.stderr[-3000:]}")
    return elapsed, result.stdout.strip()


def write_media(media: Path, total_mb: int, file_mb: float) -> tuple[int, int]:
    """Random files (photos) under media/wall/2026/12/; their number and bytes."""
    folder = media / "wall" / "2026" / "12"
    folder.mkdir(parents=True, exist_ok=True)
    size = int(file_mb * 1024 * 1024)
    count = max(1, int(total_mb * 1024 * 1024 // size))
    block = os.urandom(size)
    for n in range(count):
        # Each file differs (a fresh prefix), without generating a gigabyte of randomness.
        (folder / f"photo-{n}.jpg").write_bytes(os.urandom(4096) + block[4096:])
    return count, count * size


def folder_bytes(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def mb(size: float) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contributions", type=int, default=100_000)
    parser.add_argument("--media-mb", type=int, default=1024)
    parser.add_argument("--file-mb", type=float, default=2.0, help="size of each photo")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="treffpunkt-backup-bench-"))
    free = shutil.disk_usage(work).free
    if free < 3.5 * args.media_mb * 1024 * 1024 + 500 * 1024 * 1024:
        shutil.rmtree(work)
        raise SystemExit(f"Not enough free disk space in {work.parent} ({mb(free)}).")
    try:
        site, restored, archive = work / "site", work / "restored", work / "site.tar"
        site.mkdir()
        print(f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f}", flush=True)
        started = time.perf_counter()
        photos, media_bytes = write_media(site / "media", args.media_mb, args.file_mb)
        setup = subprocess.run(  # noqa: S603 - our own interpreter and snippet
            [python(), "-c", SETUP_SNIPPET, str(args.contributions), str(photos)],
            env={**environment(site), "DJANGO_SETTINGS_MODULE": "treffpunkt.settings"},
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        if setup.returncode != 0 or "ok" not in setup.stdout:
            raise SystemExit(f"Setting up the site failed:\n{setup.stderr[-3000:]}")
        database = site / "treffpunkt.sqlite3"
        print(
            f"site: {args.contributions:,} contributions, database {mb(database.stat().st_size)}, "
            f"{photos:,} files {mb(media_bytes)}; built in {time.perf_counter() - started:.0f} s",
            flush=True,
        )

        seconds, output = run(["-m", "treffpunkt", "backup", str(archive)], site)
        size = archive.stat().st_size
        print(
            f"backup:  {seconds:6.1f} s with start-up  {mb(size)}",
            flush=True,
        )
        print(f"  {output}")

        seconds, output = run(
            ["-m", "treffpunkt", "restore", str(archive), "--into", str(restored)], site
        )
        print(
            f"restore: {seconds:6.1f} s with start-up  (every checksum checked before writing)",
            flush=True,
        )
        print(f"  {output}")

        with sqlite3.connect(restored / "treffpunkt.sqlite3") as db:
            (count,) = db.execute("SELECT count(*) FROM events_contribution").fetchone()
            (check,) = db.execute("PRAGMA quick_check").fetchone()
        files, restored_bytes = folder_bytes(restored / "media")
        same = count == args.contributions and (files, restored_bytes) == (photos, media_bytes)
        print(
            f"restored: {count:,} contributions, {files:,} files {mb(restored_bytes)}, "
            f"quick_check {check}: {'complete' if same and check == 'ok' else 'DIFFERENT'}"
        )
        print(f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f}")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
