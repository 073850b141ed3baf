"""Backups (issue 16, item 22): `treffpunkt backup` and `restore` as a host runs them, on a
site that is serving and being written to, a damaged, incomplete or killed backup, the
worker's daily backups, and `treffpunkt migrate-to` onto a real PostgreSQL."""

import hashlib
import io
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from treffpunkt.core import backup
from treffpunkt.core.models import DailyBackup

from ..events.test_two_servers import wait_until_up
from ..test_cli import assert_one_plain_sentence, free_port, run_cli
from ..test_faults import post_to_demo_wall, serve

POSTGRES = "postgres://postgres@127.0.0.1:5432"
on_sqlite_only = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="the SQLite data folder of a subprocess"
)


def files_of(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path, with the SHA-256 of its content."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def add_media(data_dir: Path) -> dict[str, bytes]:
    media = {
        "wall/2026/12/photo.jpg": secrets.token_bytes(200_000),
        "avatars/a b ä.png": secrets.token_bytes(5_000),
        "empty.txt": b"",
    }
    for name, content in media.items():
        path = data_dir / "media" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return media


def contribution_texts(database: Path) -> set[str]:
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return {text for (text,) in db.execute("SELECT text FROM events_contribution")}


@pytest.fixture(scope="module")
def demo_backup(tmp_path_factory):
    """A demo site with a few uploaded files, and a backup of it."""
    site = tmp_path_factory.mktemp("site")
    assert run_cli("demo", data_dir=site).returncode == 0
    add_media(site)
    target = site.parent / f"{site.name}-backup.tar"
    result = run_cli("backup", str(target), data_dir=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar when the output is not a terminal
    return site, target


@on_sqlite_only
def test_a_backup_made_while_guests_post_restores_into_an_empty_folder(tmp_path):
    """A server answers guests' posts (through the join form and its actions) while the
    backup runs; the restored copy is a consistent database with every post answered as
    stored before the backup began, and the same files, key and model."""
    site = tmp_path / "site"
    assert run_cli("demo", data_dir=site).returncode == 0
    media = add_media(site)
    port = free_port()
    server = serve(site, port)
    answered: dict[str, tuple[float, int]] = {}
    stop = threading.Event()

    def post_until_stopped() -> None:
        number = 0
        while not stop.is_set():
            text = f"Beitrag {number} während der Sicherung."
            status, _body = post_to_demo_wall(port, text)
            answered[text] = (time.monotonic(), status)
            number += 1

    writer = threading.Thread(target=post_until_stopped)
    try:
        wait_until_up(port, time.monotonic() + 60)
        writer.start()
        while len(answered) < 10:
            time.sleep(0.05)
        backup_started = time.monotonic()
        result = run_cli("backup", str(tmp_path / "site.tar"), data_dir=site)
        backup_ended = time.monotonic()
        while not any(sent > backup_ended for sent, _status in answered.values()):
            time.sleep(0.05)  # the guests went on posting after the backup
    finally:
        stop.set()
        if writer.is_alive():
            writer.join(timeout=60)
        server.terminate()
        server.wait(timeout=30)
    assert result.returncode == 0, result.stderr
    assert "Backed up the database (SQLite" in result.stdout
    assert "3 uploaded files" in result.stdout
    assert {status for _sent, status in answered.values()} == {200}

    restored = tmp_path / "restored"
    result = run_cli("restore", str(tmp_path / "site.tar"), "--into", str(restored))
    assert result.returncode == 0, result.stderr
    assert f"into {restored}" in result.stdout
    assert "3 uploaded files" in result.stdout
    texts = {
        text for text in contribution_texts(restored / "treffpunkt.sqlite3") if "während" in text
    }
    before = {text for text, (sent, _status) in answered.items() if sent < backup_started}
    assert before <= texts <= set(answered)
    assert texts != set(answered)  # posts after the backup are not in it: a snapshot
    assert files_of(restored / "media") == {
        name: hashlib.sha256(content).hexdigest() for name, content in media.items()
    }
    assert (restored / "secret_key").read_bytes() == (site / "secret_key").read_bytes()
    assert (restored / "spam-model.npz").read_bytes() == (site / "spam-model.npz").read_bytes()
    # The restored folder is a site that starts.
    port = free_port()
    server = serve(restored, port)
    try:
        wait_until_up(port, time.monotonic() + 60)
        status, page = post_to_demo_wall(port, "Nach der Wiederherstellung.")
        assert status == 200
        assert "Nach der Wiederherstellung." in page
    finally:
        server.terminate()
        server.wait(timeout=30)


@on_sqlite_only
def test_a_restore_refuses_a_folder_that_is_not_empty_unless_forced(demo_backup, tmp_path):
    site, target = demo_backup
    restored = tmp_path / "restored"
    restored.mkdir()
    (restored / "media").mkdir()  # empty folders are fine
    assert run_cli("restore", str(target), "--into", str(restored)).returncode == 0

    (restored / "media" / "newer.jpg").write_bytes(b"a photo uploaded after the backup")
    result = run_cli("restore", str(target), "--into", str(restored))
    assert_one_plain_sentence(result, "not empty", "--force")
    assert (restored / "media" / "newer.jpg").exists()

    # The configured data folder (no --into) is refused the same way.
    result = run_cli("restore", str(target), data_dir=site)
    assert_one_plain_sentence(result, str(site), "not empty")

    result = run_cli("restore", str(target), "--into", str(restored), "--force")
    assert result.returncode == 0, result.stderr
    assert not (restored / "media" / "newer.jpg").exists()
    assert files_of(restored / "media") == files_of(site / "media")


@on_sqlite_only
def test_a_damaged_backup_is_refused_before_anything_is_written(demo_backup, tmp_path):
    _site, target = demo_backup
    damaged = tmp_path / "damaged.tar"
    data = bytearray(target.read_bytes())
    with tarfile.open(target) as tar:
        photo = tar.getmember("media/wall/2026/12/photo.jpg")
    data[photo.offset_data + 1000] ^= 0xFF
    damaged.write_bytes(bytes(data))
    restored = tmp_path / "restored"
    result = run_cli("restore", str(damaged), "--into", str(restored))
    assert_one_plain_sentence(result, "damaged", "media/wall/2026/12/photo.jpg", "checksum")
    assert not restored.exists() or files_of(restored) == {}

    # Half a file (a copy cut short) is refused too.
    half = tmp_path / "half.tar"
    half.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    result = run_cli("restore", str(half), "--into", str(restored))
    assert_one_plain_sentence(result, "nothing was restored")
    assert not restored.exists() or files_of(restored) == {}

    # A manifest that lists a part which is not there.
    missing = tmp_path / "missing.tar"
    with tarfile.open(target) as source, tarfile.open(missing, "w") as copy:
        for member in source.getmembers():
            if member.name != "spam-model.npz":
                copy.addfile(member, source.extractfile(member))
    result = run_cli("restore", str(missing), "--into", str(restored))
    assert_one_plain_sentence(result, "incomplete", "spam-model.npz")


@on_sqlite_only
def test_a_killed_backup_leaves_no_file_that_looks_complete(tmp_path):
    site = tmp_path / "site"
    assert run_cli("demo", data_dir=site).returncode == 0
    # Enough files that the backup is still writing them when it is killed (sparse: no
    # disk space for the originals).
    for number in range(6):
        with (site / "media" / f"big-{number}.bin").open("wb") as big:
            big.truncate(40 * 1024 * 1024)
    folder = tmp_path / "backups"
    folder.mkdir()
    target = folder / "site.tar"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["TREFFPUNKT_DATA_DIR"] = str(site)
    process = subprocess.Popen(
        [sys.executable, "-m", "treffpunkt", "backup", str(target)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            written = [p for p in folder.iterdir() if p.is_file() and p.stat().st_size > 5_000_000]
            if written or process.poll() is not None:
                break
            time.sleep(0.002)
        assert process.poll() is None, "the backup ended before it could be killed"
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert not target.exists()
    left = sorted(folder.iterdir())
    assert left, "the backup had not started writing"
    for path in left:
        assert path.name.startswith(".") and path.name.endswith(".partial"), path
        if path.is_file():
            result = run_cli("restore", str(path), "--into", str(tmp_path / "restored"))
            assert_one_plain_sentence(result, "nothing was restored")


def test_a_backup_of_a_postgresql_site_without_pg_dump_says_what_to_install(tmp_path):
    result = run_cli(
        "backup",
        str(tmp_path / "b.tar"),
        data_dir=tmp_path / "site",
        env_extra={"DATABASE_URL": f"{POSTGRES}/postgres", "PATH": str(tmp_path)},
    )
    if "does not answer" in result.stderr:
        pytest.skip(f"PostgreSQL at {POSTGRES} is not running: {result.stderr.strip()}")
    assert_one_plain_sentence(result, "pg_dump is not installed", "postgresql-client")
    assert list(tmp_path.glob("*.tar")) == []


# ---------------------------------------------------------------------------------------
# Daily backups by the worker


@pytest.fixture
def daily(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEEP = 7
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings.BACKUP_DIR


@on_sqlite_only
def test_two_real_workers_make_one_daily_backup(tmp_path):
    """`treffpunkt worker` looks for the daily backup by itself when it starts; of two
    started together, one makes it."""
    site, folder = tmp_path / "site", tmp_path / "backups"
    assert run_cli("demo", data_dir=site).returncode == 0
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update({"TREFFPUNKT_DATA_DIR": str(site), "TREFFPUNKT_BACKUP_DIR": str(folder)})
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "treffpunkt", "worker", "--interval", "0.2"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / f"worker-{n}.log").open("w"),
        )
        for n in range(2)
    ]
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not list(folder.glob("treffpunkt-backup-*.tar")):
            time.sleep(0.2)
        time.sleep(2)  # time for a second backup, if one were queued
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    backups = list(folder.glob("treffpunkt-backup-*.tar"))
    assert len(backups) == 1, sorted(folder.iterdir()) if folder.exists() else "no folder"
    with sqlite3.connect(site / "treffpunkt.sqlite3") as db:
        assert (
            db.execute("SELECT count(*), min(finished_at) FROM core_dailybackup").fetchone()[0] == 1
        )
        (tasks,) = db.execute(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult"
            " WHERE task_path LIKE '%make_daily_backup' AND status = 'SUCCESSFUL'"
        ).fetchone()
    assert tasks == 1
    result = run_cli("restore", str(backups[0]), "--into", str(tmp_path / "restored"))
    assert result.returncode == 0, result.stderr


def test_no_daily_backup_without_a_folder(settings, transactional_db):
    settings.BACKUP_DIR = None
    assert backup.start_daily_backup_if_due() is False
    assert not DailyBackup.objects.exists()


def test_the_daily_backup_is_made_once_a_day_by_one_worker(daily, transactional_db):
    today = timezone.localdate()
    assert backup.start_daily_backup_if_due() is True
    written = daily / f"treffpunkt-backup-{today.isoformat()}.tar"
    assert backup.verify(written).database in {"sqlite", "postgresql"}
    row = DailyBackup.objects.get(day=today)
    assert row.finished_at is not None
    assert row.file_name == written.name
    assert row.size == written.stat().st_size
    # Another worker (or the same one an hour later) finds the day claimed.
    assert backup.start_daily_backup_if_due() is False
    assert backup.start_daily_backup_if_due(today + timedelta(days=1)) is True
    assert len(list(daily.glob("*.tar"))) == 2


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"),
    reason="threads on the in-memory SQLite test database lock each other's tables",
)
def test_two_workers_at_once_queue_one_backup(daily, settings, transactional_db):
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    claims = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        try:
            claims.append(backup.start_daily_backup_if_due(date(2026, 12, 2)))
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claims) == [False, False, False, True]
    assert DailyBackup.objects.filter(day=date(2026, 12, 2)).count() == 1


def test_a_failed_daily_backup_is_tried_again_after_an_hour(daily, transactional_db):
    day = date(2026, 12, 2)
    DailyBackup.objects.create(
        day=day, started_at=timezone.now() - timedelta(minutes=30), error="disk full"
    )
    assert backup.start_daily_backup_if_due(day) is False
    DailyBackup.objects.filter(day=day).update(started_at=timezone.now() - timedelta(hours=2))
    assert backup.start_daily_backup_if_due(day) is True
    assert DailyBackup.objects.get(day=day).error == ""
    assert (daily / "treffpunkt-backup-2026-12-02.tar").exists()


def test_only_the_last_daily_backups_are_kept(daily, settings, transactional_db):
    settings.BACKUP_KEEP = 2
    daily.mkdir()
    (daily / "my-own-copy.tar").write_bytes(b"not ours")
    stale = daily / ".treffpunkt-backup-2026-11-01.tar.x1.partial"
    stale.write_bytes(b"a killed backup")
    old = time.time() - 2 * 24 * 3600
    os.utime(stale, (old, old))
    fresh = daily / ".treffpunkt-backup-2026-12-05.tar.x2.partial"
    fresh.write_bytes(b"a backup being written now")
    for day in range(1, 5):
        backup.make_daily_backup(date(2026, 12, day))
    assert sorted(path.name for path in daily.iterdir()) == [
        fresh.name,
        "my-own-copy.tar",
        "treffpunkt-backup-2026-12-03.tar",
        "treffpunkt-backup-2026-12-04.tar",
    ]


def test_check_reports_daily_backups_that_fail_or_stopped(daily, settings, transactional_db):
    from treffpunkt.core.checks import configuration_problems

    def backup_problems() -> list[tuple[str, str]]:
        return [p for p in configuration_problems(settings) if "backup" in p[1].lower()]

    assert backup_problems() == []
    today = timezone.localdate()
    DailyBackup.objects.create(
        day=today - timedelta(days=5), finished_at=timezone.now() - timedelta(days=5)
    )
    assert backup_problems() == [
        (
            "warning",
            f"The last daily backup is of {today - timedelta(days=5)}: "
            "is a background worker running?",
        )
    ]
    DailyBackup.objects.create(day=today, error="No space left on device")
    assert ("warning", f"The daily backup of {today} failed: No space left on device") in (
        backup_problems()
    )
    blocker = daily.parent / "a-file"
    blocker.write_text("not a folder")
    settings.BACKUP_DIR = blocker / "backups"
    assert backup_problems()[0][0] == "error"
    assert "cannot be written" in backup_problems()[0][1]


def test_the_worker_looks_for_the_daily_backup():
    from treffpunkt.core import schedule

    assert schedule._jobs["daily backup"].run is backup.start_daily_backup_if_due


# ---------------------------------------------------------------------------------------
# Moving to PostgreSQL


@pytest.fixture
def postgres_databases():
    """Two empty databases of this test's own on the local PostgreSQL, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"NO POSTGRESQL at {POSTGRES}: migrate-to is not tested ({error})")
    names = [f"treffpunkt_move_{secrets.token_hex(4)}_{n}" for n in (1, 2)]
    for name in names:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield [f"{POSTGRES}/{name}" for name in names]
    finally:
        for name in names:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [name],
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def table_counts_sqlite(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith("sqlite_") and name != "django_migrations"
        ]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608  # noqa: S608


def table_counts_postgres(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
            if name != "django_migrations"
        ]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


@on_sqlite_only
def test_migrate_to_moves_a_sqlite_site_to_postgresql(postgres_databases, tmp_path):
    import psycopg

    first, second = postgres_databases
    site = tmp_path / "site"
    assert run_cli("demo", data_dir=site).returncode == 0
    with sqlite3.connect(site / "treffpunkt.sqlite3") as db:
        assert db.execute("UPDATE core_legalpage SET updated_at = '2020-01-01 10:00:00'").rowcount
    result = run_cli("migrate-to", first, data_dir=site, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "the row counts match" in result.stdout
    counts = table_counts_sqlite(site / "treffpunkt.sqlite3")
    assert counts["events_contribution"] > 0
    on_postgresql = table_counts_postgres(first)
    # The search index is each database's own structure, built afresh there.
    assert on_postgresql.pop("blog_search_entry") == counts["blog_post"] > 0
    assert on_postgresql == {t: n for t, n in counts.items() if not t.startswith("blog_search")}
    with psycopg.connect(first) as db:
        # New rows get new ids (the sequences were moved on past the copied ones).
        fresh, highest = db.execute(
            "SELECT nextval(pg_get_serial_sequence('events_contribution', 'id')),"
            " (SELECT max(id) FROM events_contribution)"
        ).fetchone()
        assert fresh > highest
        # Stamps are the stored ones, not the time of the copy (auto_now fields included).
        (updated,) = db.execute("SELECT max(updated_at) FROM core_legalpage").fetchone()
        assert updated.year == 2020

    # Once filled, the target is refused.
    result = run_cli("migrate-to", first, data_dir=site)
    assert_one_plain_sentence(result, "not empty")

    # The site now runs on PostgreSQL: its backup restores into another empty database.
    on_postgres = {"DATABASE_URL": first}
    result = run_cli("backup", str(tmp_path / "pg.tar"), data_dir=site, env_extra=on_postgres)
    assert result.returncode == 0, result.stderr
    assert "(PostgreSQL" in result.stdout
    restored = tmp_path / "restored"
    result = run_cli(
        "restore",
        str(tmp_path / "pg.tar"),
        "--into",
        str(restored),
        env_extra={"DATABASE_URL": second},
    )
    assert result.returncode == 0, result.stderr
    assert table_counts_postgres(second) == table_counts_postgres(first)
    assert (restored / "secret_key").read_bytes() == (site / "secret_key").read_bytes()
    result = run_cli(
        "restore",
        str(tmp_path / "pg.tar"),
        "--into",
        str(tmp_path / "again"),
        env_extra={"DATABASE_URL": second},
    )
    assert_one_plain_sentence(result, "not empty", "--force")


@on_sqlite_only
def test_a_backup_of_a_newer_version_is_refused(demo_backup, tmp_path):
    """A database that has migrations this code does not know could not be migrated back."""
    import json

    _site, target = demo_backup
    newer = tmp_path / "newer.tar"
    with tarfile.open(target) as source, tarfile.open(newer, "w") as copy:
        for member in source.getmembers():
            data = source.extractfile(member)
            if member.name == "manifest.json":
                manifest = json.load(data)
                manifest["migrations"]["core"] = "0999_from_the_future"
                manifest["versions"]["treffpunkt"] = "9.0"
                content = json.dumps(manifest).encode()
                member.size = len(content)
                data = io.BytesIO(content)
            copy.addfile(member, data)
    restored = tmp_path / "restored"
    result = run_cli("restore", str(newer), "--into", str(restored))
    assert_one_plain_sentence(result, "newer Treffpunkt (9.0", "core.0999_from_the_future")
    assert not restored.exists()


@on_sqlite_only
def test_the_progress_bar_shows_in_a_terminal(demo_backup, tmp_path):
    import pty

    site, _target = demo_backup
    controller, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["TREFFPUNKT_DATA_DIR"] = str(site)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "treffpunkt", "backup", str(tmp_path / "b.tar")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=terminal,
            stdin=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    assert result.returncode == 0
    assert b"Backup files     [##############################]" in shown
    assert b"Backed up" in result.stdout
