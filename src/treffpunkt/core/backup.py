"""Backups: one file holding everything a site needs to come back, and its restore.

A backup is an uncompressed tar file (most of its bytes are photos, compressed already):

    database/treffpunkt.sqlite3   a snapshot by SQLite's online backup API, or
    database/postgresql.dump      pg_dump's custom format (one consistent transaction)
    secret_key                    the key sessions and links are signed with (if in a file)
    spam-model.npz                the spam filter's trained model
    media/...                     every uploaded file
    manifest.json                 the SHA-256 and size of each part above, the versions

The database is copied first, then the files: a file uploaded meanwhile is in the backup
without its row (harmless), and only a file deleted in those seconds can be missing. The
backup is written under a hidden ``….partial`` name next to the target, flushed to disk,
and only then renamed: a backup that was killed never looks complete. ``restore`` checks
every part against the manifest before it writes anything.

Nothing here asks the site's apps anything: the database is copied as a whole.
"""

import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

import django
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_PART = "database/treffpunkt.sqlite3"
POSTGRESQL_PART = "database/postgresql.dump"
SECRET_KEY_PART = "secret_key"  # noqa: S105 - a name in the archive, not a key
SPAM_MODEL_PART = "spam-model.npz"
MEDIA_PREFIX = "media/"
SQLITE_FILE_NAME = "treffpunkt.sqlite3"
DAILY_PREFIX = "treffpunkt-backup-"
CHUNK = 1024 * 1024

# (step, done, total): a progress bar's line; steps are "database", "files", "checking",
# "restoring".
Progress = Callable[[str, int, int], None]


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class Part:
    name: str
    size: int
    sha256: str


@dataclass
class Summary:
    """What a backup holds (from its manifest)."""

    path: Path
    size: int
    created_at: str
    versions: dict[str, str]
    database: str  # "sqlite" or "postgresql"
    parts: list[Part] = field(default_factory=list)
    migrations: dict[str, str] = field(default_factory=dict)  # the latest one of each app

    @property
    def media(self) -> list[Part]:
        return [part for part in self.parts if part.name.startswith(MEDIA_PREFIX)]

    def has(self, name: str) -> bool:
        return any(part.name == name for part in self.parts)

    def describe(self) -> str:
        """One line: what is in it."""
        kind = "SQLite" if self.database == "sqlite" else "PostgreSQL"
        database = next(p for p in self.parts if p.name.startswith("database/"))
        things = [
            f"the database ({kind}, {human_size(database.size)})",
            f"{len(self.media)} uploaded {'file' if len(self.media) == 1 else 'files'} "
            f"({human_size(sum(p.size for p in self.media))})",
        ]
        if self.has(SECRET_KEY_PART):
            things.append("the secret key")
        if self.has(SPAM_MODEL_PART):
            things.append("the spam model")
        return ", ".join(things[:-1]) + " and " + things[-1]


def human_size(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError  # pragma: no cover


def default_file_name(now: datetime | None = None) -> str:
    now = timezone.localtime(now)
    return f"{DAILY_PREFIX}{now:%Y-%m-%d-%H%M%S}.tar"


# ---------------------------------------------------------------------------------------
# Making a backup


def create_backup(target: Path, progress: Progress | None = None) -> Summary:
    """Write a backup of this site to ``target`` (replaced if it exists)."""
    report = progress or (lambda step, done, total: None)
    target = Path(target).absolute()
    if target.is_dir():
        raise BackupError(f"{target} is a folder: name the backup file to write.")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    try:
        fd, partial_name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
        )
    except OSError as error:
        raise BackupError(f"Cannot write in {target.parent} ({error.strerror}).") from None
    partial = Path(partial_name)
    try:
        with (
            os.fdopen(fd, "wb") as raw,
            tempfile.TemporaryDirectory(
                dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
            ) as work,
        ):
            parts: list[Part] = []
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                database_kind, snapshot, database_part = _snapshot_database(Path(work))
                database = _add_file(tar, snapshot, database_part)
                if database is None:
                    raise BackupError("The database snapshot went missing while it was copied.")
                parts.append(database)
                snapshot.unlink()
                report("database", database.size, database.size)
                for source, name in _single_files():
                    added = _add_file(tar, source, name, missing_ok=True)
                    if added:
                        parts.append(added)
                parts.extend(_add_media(tar, report))
                manifest = _manifest(database_kind, parts)
                data = json.dumps(manifest, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
                tar.addfile(info, _BytesReader(data))
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(partial, 0o600)  # it holds the secret key and every email address
        os.replace(partial, target)
        _fsync_folder(target.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Summary(
        path=target,
        size=target.stat().st_size,
        created_at=manifest["created_at"],
        versions=manifest["versions"],
        database=database_kind,
        parts=parts,
    )


def _single_files() -> list[tuple[Path, str]]:
    files = [(Path(settings.SPAM_MODEL_PATH), SPAM_MODEL_PART)]
    if not settings.SECRET_KEY_FROM_ENVIRONMENT:
        files.insert(0, (Path(settings.SECRET_KEY_FILE), SECRET_KEY_PART))
    return files


def _snapshot_database(work: Path) -> tuple[str, Path, str]:
    """A consistent copy of the whole database in ``work``: (kind, file, part name)."""
    if connection.vendor == "sqlite":
        snapshot = work / SQLITE_FILE_NAME
        name = str(connection.settings_dict["NAME"])
        source = sqlite3.connect(name, uri=name.startswith("file:"), timeout=60)
        destination = sqlite3.connect(snapshot)
        try:
            # All pages in one step: one read transaction, a consistent snapshot. In WAL
            # mode writers go on meanwhile (copying in steps would start over after every
            # write by another connection, and never end on a busy site).
            source.backup(destination)
        except sqlite3.Error as error:
            raise BackupError(f"The SQLite database could not be copied ({error}).") from None
        finally:
            destination.close()
            source.close()
        return "sqlite", snapshot, SQLITE_PART
    if connection.vendor == "postgresql":
        snapshot = work / "postgresql.dump"
        _run_postgresql_tool(
            "pg_dump",
            ["--format=custom", "--no-owner", "--no-privileges", f"--file={snapshot}"],
            connection.settings_dict,
        )
        return "postgresql", snapshot, POSTGRESQL_PART
    raise BackupError(f"Backups of a {connection.vendor} database are not supported.")


def _add_media(tar: tarfile.TarFile, report: Progress) -> list[Part]:
    root = Path(settings.MEDIA_ROOT)
    files = sorted(_files_under(root))
    total = sum(size for _path, size in files)
    done = 0
    last_shown = -1.0
    parts = []

    def advance(count: int) -> None:
        nonlocal done, last_shown
        done += count
        if done - last_shown >= total / 200 or done >= total:
            last_shown = done
            report("files", min(done, total), total)

    report("files", 0, total)
    for path, _size in files:
        name = MEDIA_PREFIX + path.relative_to(root).as_posix()
        added = _add_file(tar, path, name, missing_ok=True, on_read=advance)
        if added:
            parts.append(added)
    report("files", total, total)
    return parts


def _files_under(root: Path) -> Iterator[tuple[Path, int]]:
    if not root.is_dir():
        return
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if name.endswith(".partial") or not path.is_file() or path.is_symlink():
                continue
            try:
                yield path, path.stat().st_size
            except FileNotFoundError:
                continue  # removed meanwhile


def _add_file(
    tar: tarfile.TarFile,
    path: Path,
    name: str,
    missing_ok: bool = False,
    on_read: Callable[[int], None] | None = None,
) -> Part | None:
    """Add one file under ``name``, hashing it as it is read (read once)."""
    try:
        source = path.open("rb")
    except FileNotFoundError:
        if missing_ok:
            return None
        raise
    with source:
        stat = os.fstat(source.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
        reader = _HashingReader(source, on_read)
        tar.addfile(info, reader)
    return Part(name=name, size=info.size, sha256=reader.hexdigest())


class _HashingReader:
    def __init__(self, source: IO[bytes], on_read: Callable[[int], None] | None) -> None:
        self.source = source
        self.hash = hashlib.sha256()
        self.on_read = on_read

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.hash.update(data)
        if self.on_read:
            self.on_read(len(data))
        return data

    def hexdigest(self) -> str:
        return self.hash.hexdigest()


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.position + size
        chunk = self.data[self.position : end]
        self.position += len(chunk)
        return bytes(chunk)


def _manifest(database_kind: str, parts: list[Part]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database_kind,
        "versions": versions(),
        "migrations": _latest_migrations(),
        "parts": [{"name": p.name, "size": p.size, "sha256": p.sha256} for p in parts],
    }


def versions() -> dict[str, str]:
    found = {
        "treffpunkt": metadata.version("treffpunkt"),
        "django": django.get_version(),
        "python": platform.python_version(),
    }
    if connection.vendor == "sqlite":
        found["sqlite"] = sqlite3.sqlite_version
    else:
        server = connection.cursor().connection.info.server_version  # e.g. 150020
        found["postgresql"] = f"{server // 10000}.{server % 10000}"
    return found


def _latest_migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        latest[app] = max(latest.get(app, ""), name)
    return latest


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _run_postgresql_tool(tool: str, arguments: list[str], database: Mapping[str, Any]) -> None:
    """Run pg_dump or pg_restore against ``database`` (Django's settings for it)."""
    program = shutil.which(tool)
    if program is None:
        raise BackupError(
            f"{tool} is not installed, and it is needed for a PostgreSQL database: install "
            "the PostgreSQL client tools of your server's version (on Debian and Ubuntu: "
            "apt install postgresql-client)."
        )
    environment = {**os.environ, "PGDATABASE": str(database["NAME"])}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if database.get(key):
            environment[variable] = str(database[key])
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = str(database["PASSWORD"])
    if (database.get("OPTIONS") or {}).get("sslmode"):
        environment["PGSSLMODE"] = str(database["OPTIONS"]["sslmode"])
    result = subprocess.run(  # noqa: S603 - the tool found on PATH, arguments of our own
        [program, *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupError(f"{tool} failed: {lines[-1] if lines else 'no message'}")


# ---------------------------------------------------------------------------------------
# Checking and restoring


def verify(path: Path, progress: Progress | None = None) -> Summary:
    """Read the whole backup and check every part against its manifest."""
    report = progress or (lambda step, done, total: None)
    path = Path(path)
    try:
        with tarfile.open(path, mode="r:") as tar:
            members = tar.getmembers()
            manifest = _read_manifest(tar, members, path)
            expected = {part["name"]: part for part in manifest["parts"]}
            total = sum(part["size"] for part in manifest["parts"])
            done = 0
            found = set()
            for member in members:
                if member.name == MANIFEST:
                    continue
                part = expected.get(member.name)
                if part is None or not member.isfile():
                    raise BackupError(
                        f"{path} holds {member.name!r}, which its manifest does not list: "
                        "it is not a backup this version made, or it was altered."
                    )
                digest = hashlib.sha256()
                source = tar.extractfile(member)
                while source is not None and (chunk := source.read(CHUNK)):
                    digest.update(chunk)
                    done += len(chunk)
                    report("checking", done, total)
                if digest.hexdigest() != part["sha256"] or member.size != part["size"]:
                    raise BackupError(
                        f"{path} is damaged: {member.name} does not match its checksum. "
                        "Nothing was restored; use another backup."
                    )
                found.add(member.name)
            missing = sorted(set(expected) - found)
            if missing:
                raise BackupError(
                    f"{path} is incomplete: {missing[0]} is missing "
                    f"({len(missing)} parts in all). Nothing was restored."
                )
    except (tarfile.TarError, EOFError, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise BackupError(f"There is no file {path}.") from None
        raise BackupError(
            f"{path} cannot be read as a Treffpunkt backup ({error}). It may be incomplete "
            "or damaged; nothing was restored."
        ) from None
    report("checking", total, total)
    database_parts = [p for p in manifest["parts"] if p["name"].startswith("database/")]
    if len(database_parts) != 1:
        raise BackupError(f"{path} holds no database. Nothing was restored.")
    return Summary(
        path=path,
        size=path.stat().st_size,
        created_at=manifest["created_at"],
        versions=manifest.get("versions", {}),
        migrations=manifest.get("migrations", {}),
        database=manifest["database"],
        parts=[Part(p["name"], p["size"], p["sha256"]) for p in manifest["parts"]],
    )


def _read_manifest(
    tar: tarfile.TarFile, members: list[tarfile.TarInfo], path: Path
) -> dict[str, Any]:
    member = next((m for m in members if m.name == MANIFEST), None)
    if member is None:
        raise BackupError(
            f"{path} has no manifest: it is not a Treffpunkt backup, or an incomplete one. "
            "Nothing was restored."
        )
    source = tar.extractfile(member)
    try:
        manifest = json.loads(source.read() if source else b"")
        if manifest["format"] != FORMAT:
            raise BackupError(
                f"{path} was written in backup format {manifest['format']}; this version of "
                f"Treffpunkt reads format {FORMAT}. Restore it with the version that made it."
            )
        for part in manifest["parts"]:
            _safe_part_name(part["name"])
            int(part["size"])
            str(part["sha256"])
        if manifest["database"] not in {"sqlite", "postgresql"}:
            raise ValueError(manifest["database"])
        migrations = manifest.setdefault("migrations", {})
        if not all(isinstance(name, str) for name in dict(migrations).values()):
            raise ValueError(migrations)
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{path} has a damaged manifest. Nothing was restored.") from None
    return manifest


def _safe_part_name(name: str) -> PurePosixPath:
    """Only names this module writes; never a path leading out of the data folder."""
    relative = PurePosixPath(name)
    if (
        relative.is_absolute()
        or ".." in relative.parts
        or name != relative.as_posix()
        or not (
            name in {SQLITE_PART, POSTGRESQL_PART, SECRET_KEY_PART, SPAM_MODEL_PART}
            or (name.startswith(MEDIA_PREFIX) and len(relative.parts) > 1)
        )
    ):
        raise ValueError(name)
    return relative


@dataclass
class Destination:
    """Where each part of a backup goes."""

    data_dir: Path
    media_root: Path
    secret_key_file: Path
    spam_model: Path
    sqlite_file: Path | None  # None: the database is the PostgreSQL one of DATABASE_URL

    @classmethod
    def for_site(cls, into: Path | None) -> "Destination":
        """The configured site's places, or a fresh data folder ``into`` in the default
        layout (to be used with ``TREFFPUNKT_DATA_DIR``)."""
        database = settings.DATABASES["default"]
        uses_sqlite = database["ENGINE"] == "django.db.backends.sqlite3"
        if into is not None:
            into = Path(into).absolute()
            return cls(
                data_dir=into,
                media_root=into / "media",
                secret_key_file=into / "secret_key",
                spam_model=into / "spam-model.npz",
                sqlite_file=into / SQLITE_FILE_NAME if uses_sqlite else None,
            )
        return cls(
            data_dir=Path(settings.DATA_DIR),
            media_root=Path(settings.MEDIA_ROOT),
            secret_key_file=Path(settings.SECRET_KEY_FILE),
            spam_model=Path(settings.SPAM_MODEL_PATH),
            sqlite_file=Path(database["NAME"]) if uses_sqlite else None,
        )

    def files_already_there(self) -> list[Path]:
        places = [self.data_dir, self.media_root, self.secret_key_file, self.spam_model]
        if self.sqlite_file is not None:
            places.append(self.sqlite_file)
        found: set[Path] = set()
        for place in places:
            if place.is_file():
                found.add(place)
            elif place.is_dir():
                found.update(path for path, _size in _files_under(place))
        return sorted(found)


def restore(
    path: Path, into: Path | None = None, force: bool = False, progress: Progress | None = None
) -> tuple[Summary, Destination]:
    """Check the backup at ``path``, then restore it into an empty data folder (``into``,
    or the configured one); ``force`` replaces what is there."""
    summary = verify(path, progress)
    unknown = _unknown_migrations(summary.migrations)
    if unknown:
        raise BackupError(
            f"This backup was made by a newer Treffpunkt "
            f"({summary.versions.get('treffpunkt', '?')}; its database has the migration "
            f"{unknown[0]}, which this version does not know). Install that version or a "
            "newer one, then restore. Nothing was restored."
        )
    destination = Destination.for_site(into)
    if summary.database == "sqlite" and destination.sqlite_file is None:
        raise BackupError(
            "This backup holds a SQLite database, but DATABASE_URL names a PostgreSQL one. "
            "Restore it without DATABASE_URL, then move it with `treffpunkt migrate-to`."
        )
    if summary.database == "postgresql" and destination.sqlite_file is not None:
        raise BackupError(
            "This backup holds a PostgreSQL database: set DATABASE_URL to an empty "
            "PostgreSQL database and restore again."
        )
    if not force:
        there = destination.files_already_there()
        if there:
            raise BackupError(
                f"{destination.data_dir} is not empty ({len(there)} files, e.g. {there[0]}). "
                "Restore into an empty folder with --into, or add --force to replace what "
                "is there."
            )
        if summary.database == "postgresql" and _postgresql_tables():
            raise BackupError(
                f"The PostgreSQL database {settings.DATABASES['default']['NAME']} is not "
                "empty. Restore into an empty database, or add --force to replace its tables."
            )
    try:
        destination.data_dir.mkdir(parents=True, exist_ok=True)
        if force and destination.media_root.is_dir():
            shutil.rmtree(destination.media_root)
        _write_parts(Path(path), summary, destination, force, progress)
    except OSError as error:
        raise BackupError(
            f"Restoring into {destination.data_dir} failed ({error.strerror or error})."
        ) from None
    return summary, destination


def _write_parts(
    path: Path, summary: Summary, destination: Destination, force: bool, progress: Progress | None
) -> None:
    report = progress or (lambda step, done, total: None)
    total = sum(part.size for part in summary.parts)
    done = 0
    with tarfile.open(path, mode="r:") as tar, tempfile.TemporaryDirectory() as work:
        for member in tar.getmembers():
            if member.name == MANIFEST:
                continue
            source = tar.extractfile(member)
            if source is None:  # verify() let only regular files through
                continue
            name = member.name
            if name == POSTGRESQL_PART:
                dump = Path(work) / "postgresql.dump"
                _copy_to(source, dump)
                arguments = ["--no-owner", "--no-privileges", "--exit-on-error"]
                if force:
                    arguments += ["--clean", "--if-exists"]
                _run_postgresql_tool(
                    "pg_restore",
                    [
                        *arguments,
                        "--single-transaction",
                        f"--dbname={settings.DATABASES['default']['NAME']}",
                        str(dump),
                    ],
                    settings.DATABASES["default"],
                )
                dump.unlink()
            elif name == SQLITE_PART and destination.sqlite_file is not None:
                for leftover in ("-wal", "-shm"):
                    Path(f"{destination.sqlite_file}{leftover}").unlink(missing_ok=True)
                _copy_to(source, destination.sqlite_file)
            elif name == SECRET_KEY_PART:
                _copy_to(source, destination.secret_key_file)
            elif name == SPAM_MODEL_PART:
                _copy_to(source, destination.spam_model)
            else:
                relative = _safe_part_name(name).relative_to(MEDIA_PREFIX.rstrip("/"))
                _copy_to(source, destination.media_root / relative, mode=0o644)
            done += member.size
            report("restoring", done, total)
    report("restoring", total, total)


def _copy_to(source: IO[bytes], target: Path, mode: int = 0o600) -> None:
    """Write a file under a temporary name and rename it when it is complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(partial, mode)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _unknown_migrations(latest: dict[str, str]) -> list[str]:
    """Migrations of the backup's database that this code does not have (a newer version
    made it: its database could not be migrated back)."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, name in sorted(latest.items()) if (app, name) not in known]


def _postgresql_tables() -> list[str]:
    return connection.introspection.table_names()


# ---------------------------------------------------------------------------------------
# Daily backups by the worker


def start_daily_backup_if_due(today: date | None = None) -> bool:
    """The worker's hourly look (core.schedule): when ``TREFFPUNKT_BACKUP_DIR`` is set and
    today has no backup yet, claim the day and queue the backup. The claim is a row with a
    unique day, so of several workers exactly one queues it."""
    if not settings.BACKUP_DIR:
        return False
    from treffpunkt.core.models import DailyBackup
    from treffpunkt.core.tasks import make_daily_backup

    today = today or timezone.localdate()
    # A backup that failed may be tried again after an hour.
    failed = DailyBackup.objects.filter(
        day=today,
        finished_at__isnull=True,
        started_at__lt=timezone.now() - timedelta(hours=1),
    ).exclude(error="")
    if failed.update(started_at=timezone.now(), error="") == 0:
        try:
            with transaction.atomic():
                DailyBackup.objects.create(day=today)
        except IntegrityError:
            return False
    transaction.on_commit(lambda: make_daily_backup.enqueue(today.isoformat()))
    return True


def make_daily_backup(day: date) -> Path | None:
    """Write the day's backup into ``TREFFPUNKT_BACKUP_DIR`` and keep the last
    ``TREFFPUNKT_BACKUP_KEEP``; run again, it replaces that day's file."""
    from treffpunkt.core.models import DailyBackup

    folder = settings.BACKUP_DIR
    if not folder:
        return None
    target = Path(folder) / f"{DAILY_PREFIX}{day.isoformat()}.tar"
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        summary = create_backup(target)
    except (BackupError, OSError) as error:
        DailyBackup.objects.filter(day=day).update(error=str(error)[:500])
        raise
    DailyBackup.objects.update_or_create(
        day=day,
        defaults={
            "finished_at": timezone.now(),
            "file_name": target.name,
            "size": summary.size,
            "error": "",
        },
    )
    remove_old_backups(Path(folder), settings.BACKUP_KEEP)
    return target


def daily_backup_problems() -> list[tuple[str, str]]:
    """For `treffpunkt check`: (level, message) about the daily backups, if they are on."""
    from treffpunkt.core.models import DailyBackup

    folder = settings.BACKUP_DIR
    if not folder:
        return []
    problems = []
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        problems.append(
            ("error", f"TREFFPUNKT_BACKUP_DIR {folder} cannot be written ({error.strerror}).")
        )
    if connection.vendor == "postgresql" and shutil.which("pg_dump") is None:
        problems.append(
            (
                "error",
                "Daily backups of a PostgreSQL database need pg_dump: install the PostgreSQL "
                "client tools (apt install postgresql-client).",
            )
        )
    latest = DailyBackup.objects.order_by("-day").first()
    if latest is not None and latest.error:
        problems.append(("warning", f"The daily backup of {latest.day} failed: {latest.error}"))
    finished = DailyBackup.objects.filter(finished_at__isnull=False).order_by("-day").first()
    if finished is not None and finished.day < timezone.localdate() - timedelta(days=2):
        problems.append(
            (
                "warning",
                f"The last daily backup is of {finished.day}: is a background worker running?",
            )
        )
    return problems


def remove_old_backups(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` daily backups, and pieces of killed backups older
    than a day; files of other names are left alone."""
    daily = sorted(
        path
        for path in folder.glob(f"{DAILY_PREFIX}*.tar")
        if path.is_file() and not path.name.startswith(".")
    )
    removed = daily[: max(len(daily) - max(keep, 1), 0)]
    day_ago = time.time() - 24 * 3600
    for leftover in folder.glob(f".{DAILY_PREFIX}*.partial"):
        if leftover.stat().st_mtime < day_ago:
            removed.append(leftover)
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return removed
