"""Backups and restores of the database.

A backup is a consistent snapshot (SQLite's online backup API, see sqlitefile.py;
pg_dump on PostgreSQL), written under a temporary name in the backup folder,
verified (PRAGMA integrity_check, the study and report counts), then renamed into
place: a full disk or a file-size limit leaves no half-written backup, and the
database is only ever read.

Each backup's record is a JSON file beside it (`<backup>.json`): kind, time, size,
counts and the check's verdict. Records live with their backups rather than in the
database, so they survive a restore (which replaces the database) and travel with
a backup copied to a USB drive. A backup without its record is still listed
("unknown" kind, not verified) and never deleted by the retention.

Folders: automatic and manual backups go to the managed folder (<data-dir>/backups,
or the `backup_folder` setting); --to / "to" chooses another for one backup, and
the retention (retention.py) never looks there. Before-restore backups always go
to <data-dir>/backups, on the database's own disk, and are never deleted.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import os
import secrets
import shutil
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

from server import __version__
from server.backups import auditing
from server.backups.errors import (
    BackupError,
    BackupFailed,
    BackupFolderUnusable,
    BackupInvalid,
    BackupUnavailable,
    RestoreRefused,
)
from server.backups.integrity import integrity_at_start  # noqa: F401  (part of this module's interface)
from server.backups.retention import AUTOMATIC_KINDS, Dated, retention_expired
from server.backups.sqlitefile import (
    connect_live,
    connect_still,
    database_size,
    fsync_file,
    fsync_folder,
    header_problem,
    mb,
    row_counts,
    run_check,
    snapshot,
    table_names,
)
from server.clock import clinic_zone, local_now
from server.database import migrations_unknown, migrations_unknown_words
from server.datadir import DB_FILENAME, SERVER_INFO_FILENAME, pid_alive

logger = logging.getLogger("imaging_desk.backups")

KINDS = ("manual", "daily", "after-import", "before-restore")
PREFIX = "imaging-desk-"
SQLITE_SUFFIX = ".sqlite3"
DUMP_SUFFIX = ".dump"
RECORD_SUFFIX = ".json"
RECORD_FORMAT = "imaging-desk-backup/1"
LOCAL_FOLDER = "backups"
# Room left on a disk besides the backup itself (its record, the file system's own).
SPACE_MARGIN = 1_000_000
# Progress of a backup job: the copy takes it to 40 %, the check (slower) to 100 %.
COPIED = 40

# One backup at a time in a process: they would only compete for the same disk.
_ONE_AT_A_TIME = threading.Lock()


@dataclass(frozen=True)
class BackupInfo:
    """A backup, as listed and as the API answers it (the fields in this order)."""

    name: str
    path: Path
    kind: str
    created_at: dt.datetime
    size_bytes: int
    studies: int | None
    reports: int | None
    verified: bool
    integrity: str

    def as_dict(self) -> dict:
        return {
            "name": self.name, "path": str(self.path), "kind": self.kind, "created_at": self.created_at,
            "size_bytes": self.size_bytes, "studies": self.studies, "reports": self.reports,
            "verified": self.verified, "integrity": self.integrity,
        }

    def described(self) -> str:
        """For messages: 'E:\\Backups\\imaging-desk-...sqlite3 (taken 2026-12-01 17:45, 12 studies, 3 reports)'."""
        counts = "" if self.studies is None else f", {self.studies:,} studies, {self.reports:,} reports"
        return f"{self.path} (taken {self.created_at:%Y-%m-%d %H:%M}{counts})"


@dataclass(frozen=True)
class BackupListing:
    folder: Path
    backups: list[BackupInfo]


@dataclass(frozen=True)
class RestoreResult:
    backup: BackupInfo
    before: dict | None  # the replaced database's counts; None if it was missing or unreadable
    after: dict
    kept: BackupInfo | None  # the replaced database, kept as a before-restore backup
    audit_entries_carried: int
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "backup": self.backup.as_dict(), "before": self.before, "after": self.after,
            "kept": None if self.kept is None else self.kept.as_dict(),
            "audit_entries_carried": self.audit_entries_carried, "notes": self.notes,
        }


def counted_tables() -> dict[str, str]:
    """The tables a backup's record counts: {label: table}."""
    from server.reports.models import Report
    from server.studies.models import Study

    return {"studies": Study._meta.db_table, "reports": Report._meta.db_table}


# --- folders ---------------------------------------------------------------------------


def local_folder(*, data_dir: Path) -> Path:
    return Path(data_dir) / LOCAL_FOLDER


def backups_folder(*, data_dir: Path) -> Path:
    """The managed folder: the `backup_folder` setting (relative to the data folder),
    else <data-dir>/backups."""
    configured = getattr(settings, "BACKUP_FOLDER", None)
    if not configured:
        return local_folder(data_dir=data_dir)
    folder = Path(configured).expanduser()
    return folder if folder.is_absolute() else Path(data_dir) / folder


def folder_ready(folder: Path | str) -> Path:
    """The folder, created if its parent exists, once a file could be written in it;
    else BackupFolderUnusable with the reason."""
    folder = Path(folder).expanduser()
    if not folder.is_absolute():
        raise BackupFolderUnusable(
            f"The backup folder must be a full path (such as E:\\Backups or /media/usb/backups), not {str(folder)!r}"
        )
    if folder.exists() and not folder.is_dir():
        raise BackupFolderUnusable(f"The backup folder {folder} is a file, not a folder")
    if not folder.exists():
        if not folder.parent.is_dir():
            raise BackupFolderUnusable(
                f"The backup folder {folder} does not exist, and neither does {folder.parent} "
                "(is the drive connected, or the network share reachable?)"
            )
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            raise BackupFolderUnusable(f"The backup folder {folder} cannot be created: {exc.strerror or exc}") from None
    probe = folder / f".{PREFIX}probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise BackupFolderUnusable(
            f"Imaging Desk cannot write to the backup folder {folder}: {exc.strerror or exc}"
        ) from None
    return folder


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


# --- records ---------------------------------------------------------------------------


def _record_path(file: Path) -> Path:
    return file.with_name(file.name + RECORD_SUFFIX)


def _record_write(file: Path, info: BackupInfo, *, database: str) -> None:
    """The backup's record beside it, written aside and renamed: whole or absent."""
    record = {
        "format": RECORD_FORMAT, **info.as_dict(), "created_at": info.created_at.isoformat(),
        "database": database, "app_version": __version__,
    }
    del record["path"]  # where the file lies is where it is found, wherever it was moved
    path = _record_path(file)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _record_read(file: Path) -> BackupInfo:
    """The backup's record, or what can be said of a file without one."""
    try:
        record = json.loads(_record_path(file).read_text(encoding="utf-8"))
        if record.get("format") != RECORD_FORMAT:
            raise ValueError("not a backup record")
        return BackupInfo(
            name=file.name, path=file, kind=str(record["kind"]),
            created_at=dt.datetime.fromisoformat(record["created_at"]), size_bytes=int(record["size_bytes"]),
            studies=record.get("studies"), reports=record.get("reports"), verified=bool(record["verified"]),
            integrity=str(record["integrity"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        stat = file.stat()
        size, taken = stat.st_size, dt.datetime.fromtimestamp(stat.st_mtime, clinic_zone()).replace(tzinfo=None)
    except OSError:
        size, taken = 0, local_now()
    return BackupInfo(
        name=file.name, path=file, kind="unknown", created_at=taken, size_bytes=size,
        studies=None, reports=None, verified=False, integrity="not checked: the file has no record beside it",
    )


def _backup_files(folder: Path) -> list[Path]:
    try:
        return [
            p for p in folder.iterdir()
            if p.name.startswith(PREFIX) and p.suffix in (SQLITE_SUFFIX, DUMP_SUFFIX) and p.is_file()
        ]
    except OSError:  # a folder that is gone (a USB drive unplugged) holds nothing now
        return []


def _newest_first(backups: list[BackupInfo]) -> list[BackupInfo]:
    return sorted(backups, key=lambda b: (b.created_at, b.name), reverse=True)


def backup_list(*, data_dir: Path) -> BackupListing:
    """The backups in the managed folder and in <data-dir>/backups, newest first."""
    folder = backups_folder(data_dir=data_dir)
    folders = [folder]
    if not _same_folder(folder, local_folder(data_dir=data_dir)):
        folders.append(local_folder(data_dir=data_dir))
    found = [_record_read(file) for place in folders for file in _backup_files(place)]
    return BackupListing(folder=folder, backups=_newest_first(found))


def backup_newest_good(*, data_dir: Path) -> BackupInfo | None:
    """The newest backup that was verified when it was taken and still looks whole
    (its header, its recorded size); restore verifies it fully before using it."""
    for info in backup_list(data_dir=data_dir).backups:
        if not (info.verified and info.integrity == "ok" and info.path.suffix == SQLITE_SUFFIX):
            continue
        try:
            whole = info.path.stat().st_size == info.size_bytes and header_problem(info.path) is None
        except OSError:
            whole = False
        if whole:
            return info
    return None


def backup_retention_apply(*, folder: Path) -> list[Path]:
    """Delete the automatic backups of the managed folder that retention.py does not
    keep; returns the files deleted."""
    backups = {b.name: b for b in (_record_read(f) for f in _backup_files(folder))}
    expired = retention_expired(Dated(b.name, b.created_at, b.kind) for b in backups.values())
    deleted = []
    for name in sorted(expired):
        path = backups[name].path
        try:
            path.unlink()
            _record_path(path).unlink(missing_ok=True)
            deleted.append(path)
            logger.info("retention: deleted the backup %s", path)
        except OSError as exc:
            logger.warning("retention: could not delete the backup %s: %s", path, exc)
    return deleted


# --- taking a backup -----------------------------------------------------------------


def _new_name(folder: Path, *, created: dt.datetime, kind: str, suffix: str) -> str:
    base = f"{PREFIX}{created:%Y%m%d-%H%M%S}-{kind}"
    for n in itertools.count(1):
        name = f"{base}{'' if n == 1 else f'-{n}'}{suffix}"
        if not (folder / name).exists() and not _record_path(folder / name).exists():
            return name
    raise AssertionError("unreachable")


def _partials_remove(folder: Path) -> None:
    """Remove what backups of processes that died left half-written: `.name.PID.partial`."""
    for path in folder.glob(f".{PREFIX}*.partial"):
        try:
            pid = int(path.name.rsplit(".", 2)[-2])
        except ValueError:
            continue
        if pid == os.getpid() or not pid_alive(pid):
            path.unlink(missing_ok=True)


def _write_failed(folder: Path, *, needed: int, exc: BaseException) -> str:
    try:
        free = f"{mb(shutil.disk_usage(folder).free)} is free there"
    except OSError:
        free = "its free space cannot be read"
    return (
        f"The backup folder {folder} is full, or will not take a file this large: the backup needed "
        f"about {mb(needed)}, and {free} ({_cause(exc)}). Nothing of the backup was kept, and the "
        "database is unchanged. Free some space, or choose another folder."
    )


def _cause(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    name = getattr(exc, "sqlite_errorname", "")
    return f"SQLite: {exc}" + (f", {name}" if name else "")


class _SourceUnreadable(BackupFailed):
    """The database itself could not be read whole: it is damaged."""


# SQLite's answers that say the database, not the backup's file, is at fault.
_SOURCE_ERRORS = ("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_IOERR_READ", "SQLITE_IOERR_SHORT_READ")


def _sqlite_check(file: Path) -> tuple[dict[str, int], str]:
    """(counts, "ok") of an Imaging Desk SQLite file no one writes; BackupInvalid with
    the words if it is not one or is damaged (PRAGMA integrity_check)."""
    problem = header_problem(file)
    if problem is not None:
        raise BackupInvalid(f"{file} {problem}")
    tables = counted_tables()
    try:
        with closing(connect_still(file)) as conn:
            missing = sorted(set(tables.values()) - table_names(conn))
            if missing:
                raise BackupInvalid(
                    f"{file} is an SQLite database, but not one of Imaging Desk's "
                    f"(it has no {', '.join(missing)} table)"
                )
            damage = run_check(conn, pragma="integrity_check")
            if damage is not None:
                raise BackupInvalid(f"{file} is damaged: {damage}")
            return row_counts(conn, tables), "ok"
    except sqlite3.DatabaseError as exc:
        raise BackupInvalid(f"{file} cannot be read as a database: {exc}") from None


def _sqlite_backup(*, database: Path, folder: Path, kind: str, progress: Callable[[int], None]) -> BackupInfo:
    if not database.exists():
        raise BackupError(f"There is no database to back up yet: {database} does not exist")
    _partials_remove(folder)
    created = local_now()
    name = _new_name(folder, created=created, kind=kind, suffix=SQLITE_SUFFIX)
    final = folder / name
    partial = folder / f".{name}.{os.getpid()}.partial"
    needed = 0
    try:
        with closing(connect_live(database)) as conn:
            needed = database_size(conn)
        free = shutil.disk_usage(folder).free
        if free < needed + SPACE_MARGIN:
            raise BackupFailed(
                f"The backup folder {folder} is full: the backup needs about {mb(needed)}, and only "
                f"{mb(free)} is free there. Nothing was written, and the database is unchanged. "
                "Free some space, or choose another folder."
            )
        _private_file(partial)
        snapshot(
            source=database, target=partial,
            progress=lambda done, total: progress(COPIED * done // max(total, 1)),
        )
        progress(COPIED)
        fsync_file(partial)
        try:
            counts, integrity = _sqlite_check(partial)
        except BackupInvalid as exc:
            raise _SourceUnreadable(
                f"The database {database} could not be backed up whole: the copy of it is damaged "
                f"({exc.detail.removeprefix(str(partial) + ' ')}), so the database itself is probably damaged. "
                "Nothing of the backup was kept."
            ) from None
        info = BackupInfo(
            name=name, path=final, kind=kind, created_at=created, size_bytes=partial.stat().st_size,
            verified=True, integrity=integrity, **counts,
        )
        _record_write(final, info, database="sqlite")
        os.replace(partial, final)
        fsync_folder(folder)
    except BackupError:
        _orphan_record_remove(final)
        raise
    except sqlite3.DatabaseError as exc:
        _orphan_record_remove(final)
        if getattr(exc, "sqlite_errorname", "") in _SOURCE_ERRORS:
            raise _SourceUnreadable(
                f"The database {database} could not be read for the backup ({_cause(exc)}): it is probably "
                "damaged. Nothing of the backup was kept."
            ) from None
        raise BackupFailed(_write_failed(folder, needed=needed, exc=exc)) from None
    except OSError as exc:
        _orphan_record_remove(final)
        raise BackupFailed(_write_failed(folder, needed=needed, exc=exc)) from None
    finally:
        partial.unlink(missing_ok=True)
    progress(100)
    return info


def _private_file(path: Path) -> None:
    """Create the file empty, readable by its owner only: a backup holds patient data."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _orphan_record_remove(final: Path) -> None:
    """A record written before its backup's rename failed describes nothing."""
    if not final.exists():
        _record_path(final).unlink(missing_ok=True)


def _pg_backup(*, folder: Path, kind: str, progress: Callable[[int], None]) -> BackupInfo:
    """pg_dump in its custom format, as of one snapshot that the counts read too."""
    from django.db import transaction

    from server.backups.postgres import pg_dump, pg_dump_available, pg_dump_verify

    pg_dump_available()
    created = local_now()
    name = _new_name(folder, created=created, kind=kind, suffix=DUMP_SUFFIX)
    final = folder / name
    partial = folder / f".{name}.{os.getpid()}.partial"
    tables = counted_tables()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            counts = {}
            for label, table in tables.items():
                cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
                counts[label] = cursor.fetchone()[0]
            progress(10)
            _private_file(partial)
            pg_dump(db=connection.settings_dict, target=partial, snapshot=snapshot_id)
        progress(90)
        problem = pg_dump_verify(partial)
        if problem is not None:
            raise BackupFailed(f"The dump was written but cannot be read back ({problem}); it was not kept")
        info = BackupInfo(
            name=name, path=final, kind=kind, created_at=created, size_bytes=partial.stat().st_size,
            verified=True, integrity="ok", **counts,
        )
        _record_write(final, info, database="postgresql")
        os.replace(partial, final)
        fsync_folder(folder)
    except OSError as exc:
        raise BackupFailed(_write_failed(folder, needed=0, exc=exc)) from None
    finally:
        partial.unlink(missing_ok=True)
    progress(100)
    return info


def backup_possible() -> None:
    """Raise BackupUnavailable, with the words, if this installation cannot take one."""
    if connection.vendor == "postgresql":
        from server.backups.postgres import pg_dump_available

        pg_dump_available()


def backup_create(
    *, data_dir: Path, to: Path | None = None, kind: str = "manual", progress: Callable[[int], None] | None = None
) -> BackupInfo:
    """Take a backup now, verify it and record it (and in the audit trail); returns it.

    to: another folder for this one backup (a USB drive); else the managed folder
    (before-restore backups: <data-dir>/backups). After an automatic backup ("daily",
    "after-import") in the managed folder, the retention deletes what it no longer
    keeps. progress(percent) is called as it goes. Raises BackupFolderUnusable,
    BackupFailed (nothing kept, database unchanged) or BackupUnavailable.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown backup kind {kind!r}")
    data_dir = Path(data_dir)
    progress = progress or (lambda percent: None)
    managed = backups_folder(data_dir=data_dir)
    if to is not None:
        folder = folder_ready(to)
    elif kind == "before-restore":
        folder = folder_ready(local_folder(data_dir=data_dir))
    else:
        folder = folder_ready(managed)
    with _ONE_AT_A_TIME:
        if connection.vendor == "postgresql":
            info = _pg_backup(folder=folder, kind=kind, progress=progress)
        else:
            info = _sqlite_backup(database=data_dir / DB_FILENAME, folder=folder, kind=kind, progress=progress)
    logger.info("backup %s taken: %s", kind, info.described())
    if kind != "before-restore":
        summary = f"Backup ({kind}) of {info.studies:,} studies and {info.reports:,} reports to {info.path}"
        auditing.record_backup(info=info, summary=summary)
    if kind in AUTOMATIC_KINDS and _same_folder(folder, managed):
        backup_retention_apply(folder=folder)
    return info


def backup_verify(*, file: Path) -> BackupInfo:
    """Check a backup file fully (PRAGMA integrity_check, its counts against its record);
    returns what it holds, or raises BackupInvalid with the words."""
    file = Path(file).expanduser().absolute()
    if not file.exists():
        raise BackupInvalid(f"The backup file {file} does not exist")
    if not file.is_file():
        raise BackupInvalid(f"{file} is not a file")
    if file.suffix == DUMP_SUFFIX:
        from server.backups.postgres import pg_dump_verify

        problem = pg_dump_verify(file)
        if problem is not None:
            raise BackupInvalid(f"{file} is not a usable dump: {problem}")
        return replace(_record_read(file), verified=True, integrity="ok")
    counts, integrity = _sqlite_check(file)
    with closing(connect_still(file)) as db:
        has_migrations = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
        ).fetchone()
        unknown = migrations_unknown(db.execute("SELECT app, name FROM django_migrations").fetchall()
                                     if has_migrations else [])
    if unknown:
        raise BackupInvalid(
            f"{file} was taken by a newer version of Imaging Desk: {migrations_unknown_words(unknown)}. "
            "Install the newer version to restore it; nothing was changed"
        )
    record = _record_read(file)
    if record.studies is not None and (record.studies, record.reports) != (counts["studies"], counts["reports"]):
        raise BackupInvalid(
            f"{file} holds {counts['studies']:,} studies and {counts['reports']:,} reports, but its record says "
            f"{record.studies:,} and {record.reports:,}: it was changed after it was taken"
        )
    return replace(record, size_bytes=file.stat().st_size, verified=True, integrity=integrity, **counts)


# --- restoring ---------------------------------------------------------------------------


WINDOW_LOCK = "window.lock"  # desktop/instance.py's lock: held while the window is open


def _window_open(data_dir: Path) -> bool:
    try:
        pid = int(json.loads((data_dir / WINDOW_LOCK).read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return pid != os.getpid() and pid_alive(pid)


def _server_running(data_dir: Path) -> str | None:
    """The URL of a server (`serve`, or the window's) that serves data_dir, by the
    server.json it writes while it runs (server/serving.py), if its process lives."""
    try:
        info = json.loads((data_dir / SERVER_INFO_FILENAME).read_text(encoding="utf-8"))
        url, pid = str(info["url"]), int(info["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return url if pid_alive(pid) else None


def _refuse_if_in_use(data_dir: Path, *, own_server_stopped: bool) -> None:
    url = _server_running(data_dir)
    if url is not None:
        raise RestoreRefused(
            f"Imaging Desk is running on this data folder ({url}): close its window, or stop `imaging-desk serve`, "
            "then restore. Nothing was changed."
        )
    if not own_server_stopped and _window_open(data_dir):
        raise RestoreRefused(
            "The Imaging Desk window is open on this data folder: close it (or restore from its File menu), "
            "then restore. Nothing was changed."
        )


def _counts_of(database: Path) -> tuple[dict | None, str | None]:
    """(counts, None) of the live database, or (None, the reason it has none)."""
    if not database.exists():
        return None, "there was no database"
    problem = header_problem(database)
    if problem is not None:
        return None, f"the database {problem}"
    try:
        with closing(connect_live(database)) as conn:
            return row_counts(conn, counted_tables()), None
    except sqlite3.DatabaseError as exc:
        return None, f"the database cannot be read ({exc})"


def database_counts(*, data_dir: Path) -> dict | None:
    """The studies and reports in the data folder's database now; None if it has none
    or cannot be read."""
    return _counts_of(Path(data_dir) / DB_FILENAME)[0]


def _keep_damaged(*, database: Path, folder: Path, problem: str) -> BackupInfo:
    """A database that cannot be backed up through SQLite is kept byte for byte (with
    its write-ahead log), for whoever may yet recover it."""
    created = local_now()
    name = _new_name(folder, created=created, kind="before-restore", suffix=SQLITE_SUFFIX)
    final = folder / name
    copies = [(database, final)]
    if Path(f"{database}-wal").exists():
        copies.append((Path(f"{database}-wal"), Path(f"{final}-wal")))
    for source, target in copies:
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        try:
            _private_file(partial)
            shutil.copyfile(source, partial)
            fsync_file(partial)
            os.replace(partial, target)
        except OSError as exc:
            raise RestoreRefused(
                f"The current database could not be kept before the restore: "
                f"{_write_failed(folder, needed=source.stat().st_size, exc=exc)}"
            ) from None
        finally:
            partial.unlink(missing_ok=True)
    info = BackupInfo(
        name=name, path=final, kind="before-restore", created_at=created, size_bytes=final.stat().st_size,
        studies=None, reports=None, verified=False, integrity=f"not usable: {problem}",
    )
    _record_write(final, info, database="sqlite")
    fsync_folder(folder)
    return info


def _keep_current(*, data_dir: Path, database: Path, problem: str | None) -> BackupInfo | None:
    if not database.exists():
        return None
    folder = folder_ready(local_folder(data_dir=data_dir))
    if problem is None:
        try:
            with _ONE_AT_A_TIME:
                return _sqlite_backup(database=database, folder=folder, kind="before-restore", progress=lambda p: None)
        except _SourceUnreadable as exc:
            problem = exc.detail
        except BackupFailed as exc:
            raise RestoreRefused(f"The current database could not be kept before the restore: {exc.detail}") from None
    return _keep_damaged(database=database, folder=folder, problem=problem)


def _stage(file: Path, staged: Path) -> None:
    """A private copy of the verified backup, through SQLite, for the audit carry-over."""
    with closing(connect_still(file)) as src, closing(sqlite3.connect(staged)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")


def _replace(*, database: Path, staged: Path) -> None:
    """Make the database hold what `staged` holds.

    Through SQLite's backup API into the database itself: one write transaction in its
    own write-ahead log, so a failure part-way rolls back to the database as it was,
    and no stale -wal is ever applied over restored pages (any connection still open
    in this process sees the restored data). A file SQLite cannot open as a database
    at all (or none) is replaced as a file instead, with its -wal and -shm removed first."""
    try:
        if not database.exists():
            raise FileNotFoundError(database)
        with closing(sqlite3.connect(staged)) as src, closing(connect_live(database)) as dst:
            if dst.execute("PRAGMA page_size").fetchone()[0] != src.execute("PRAGMA page_size").fetchone()[0]:
                dst.execute("PRAGMA journal_mode=DELETE")  # WAL cannot change a database's page size
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    except FileNotFoundError:
        pass
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "") not in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
            raise
        logger.warning("restore: %s cannot be opened (%s); replacing it as a file", database, exc)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.replace(staged, database)
    fsync_folder(database.parent)


def _migrate() -> None:
    """A backup of an older version gets this version's tables (the audit trail's too)."""
    import io

    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())


def backup_restore(*, data_dir: Path, file: Path, own_server_stopped: bool = False) -> RestoreResult:
    """Replace the database with a backup, in four steps: verify the file, keep the
    current database as a before-restore backup, replace it, report the counts before
    and after. The audit trail of the replaced database is carried into the restored
    one, and the restore is recorded.

    Refuses (RestoreRefused) while a server or the window runs on data_dir (the
    window passes own_server_stopped=True once it has stopped its own server) or an
    import runs; BackupInvalid if the file is not a sound backup. Nothing is changed
    by a refusal."""
    if connection.vendor == "postgresql":
        raise BackupUnavailable(
            "A PostgreSQL database is restored on its server, with pg_restore: "
            "pg_restore --clean --if-exists --dbname=DATABASE FILE.dump. Stop every Imaging Desk that uses it first."
        )
    from server.imports.errors import ImportBusy
    from server.imports.locking import import_lock

    data_dir = Path(data_dir)
    file = Path(file).expanduser().absolute()
    database = data_dir / DB_FILENAME
    _refuse_if_in_use(data_dir, own_server_stopped=own_server_stopped)
    try:
        with import_lock():
            restored, before, kept, carried, notes = _restore_locked(data_dir=data_dir, file=file, database=database)
    except ImportBusy:
        raise RestoreRefused(
            "An import is running on this data folder; restore when it has finished. Nothing was changed."
        ) from None
    connections.close_all()
    _migrate()
    after, _ = _counts_of(database)
    result = RestoreResult(
        backup=restored, before=before, after=after, kept=kept, audit_entries_carried=carried, notes=notes
    )
    held = "" if after is None else f" ({after['studies']:,} studies, {after['reports']:,} reports)"
    auditing.record_restore(
        summary=f"Restored {restored.path}{held}",
        details={
            "file": str(restored.path), "backup_taken_at": restored.created_at.isoformat(),
            "before": before, "after": after, "kept_as": None if kept is None else str(kept.path),
            "audit_entries_carried": carried,
        },
    )
    logger.info("restored %s; the replaced database is kept as %s", restored.path, kept and kept.path)
    return result


def _restore_locked(*, data_dir: Path, file: Path, database: Path):
    if file.suffix == DUMP_SUFFIX:
        raise BackupInvalid(
            f"{file} is a PostgreSQL dump; this data folder keeps its data in SQLite, so it cannot be restored here"
        )
    restored = backup_verify(file=file)  # 1. the file is sound, or nothing happens
    before, problem = _counts_of(database)
    notes = [] if problem is None or before is not None else [f"Before the restore, {problem}."]
    try:
        needed = restored.size_bytes * 2 + (database.stat().st_size if database.exists() else 0)
        free = shutil.disk_usage(data_dir).free
    except OSError:
        needed, free = 0, 1
    if free < needed + SPACE_MARGIN:
        raise RestoreRefused(
            f"The data folder's disk is too full to restore: it needs about {mb(needed)} (a copy of the backup, "
            f"the current database kept, and the write-ahead log), and {mb(free)} is free. Nothing was changed."
        )
    kept = _keep_current(data_dir=data_dir, database=database, problem=problem)  # 2.
    staged = data_dir / f".{DB_FILENAME}.restoring-{os.getpid()}"
    carried = 0
    try:
        staged.unlink(missing_ok=True)  # left by a restore of this pid that died
        _private_file(staged)
        _stage(file, staged)
        if database.exists():
            try:
                carried = auditing.carry_over(source=database, target=staged)
            except Exception as exc:  # a damaged database's trail stays in the kept copy
                logger.warning("restore: the audit trail could not be carried over: %s", exc)
                notes.append(
                    f"The audit trail of the replaced database could not be carried over ({exc}); "
                    f"it is still in the kept copy {kept.path if kept else ''}."
                )
        connections.close_all()
        _replace(database=database, staged=staged)  # 3.
    except sqlite3.Error as exc:
        raise BackupFailed(
            f"The restore stopped part-way ({_cause(exc)}); the database is as it was before it. "
            f"{f'A copy of it is also kept as {kept.path}.' if kept else ''}"
        ) from None
    except OSError as exc:
        raise BackupFailed(
            f"The restore could not write to {data_dir} ({_cause(exc)}); it needs about {mb(restored.size_bytes * 2)} "
            "there. The database is as it was before it."
        ) from None
    finally:
        staged.unlink(missing_ok=True)
        Path(f"{staged}-journal").unlink(missing_ok=True)
    return restored, before, kept, carried, notes
