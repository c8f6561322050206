"""The `backup` and `restore` commands: wired into desktop/cli.py, wrapping
server/backups/services.py."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def add_backup_commands(commands, add_data_dir: Callable[[argparse.ArgumentParser], None]) -> None:
    backup = commands.add_parser(
        "backup",
        help="take a backup of the database now",
        description="Write a consistent snapshot of the database (safe while people search and while an "
        "import runs: it holds the state from before the import or after it, never between), check it "
        "with SQLite's integrity check, and record it with its size and counts beside it. It goes to the "
        "backup folder (<data folder>/backups, or the backup_folder setting) unless --to names another. "
        "A full disk leaves no partial file and the database unchanged. On PostgreSQL it runs pg_dump. "
        "Exit code 0 when the backup was written and verified, 1 if not (the reason is on stderr).",
        epilog="example: imaging-desk backup --to E:\\ImagingDesk-backups",
    )
    backup.add_argument("--to", metavar="DIR", help="the folder for this backup (a USB drive, a network share)")
    backup.add_argument("--json", action="store_true", help="print the backup's record as one JSON object")
    add_data_dir(backup)

    restore = commands.add_parser(
        "restore",
        help="replace the database with a backup",
        description="Restore a backup in four steps: verify the file, keep the current database as a "
        "before-restore backup (in <data folder>/backups; never deleted), replace the database, and report "
        "the counts before and after. The audit trail of the replaced database is carried over. Refused "
        "while the app's window or a server runs on the data folder, or an import runs. Asks first unless "
        "--yes is given.",
        epilog="example: imaging-desk restore E:\\ImagingDesk-backups\\imaging-desk-20261201-174500-daily.sqlite3",
    )
    restore.add_argument("file", help="the backup file (.sqlite3)")
    restore.add_argument("--yes", action="store_true", help="restore without asking")
    restore.add_argument("--json", action="store_true", help="print the outcome as one JSON object")
    add_data_dir(restore)


class _Percent:
    """A one-line percentage on a terminal; silent on a pipe or a log."""

    def __init__(self, stream, label: str) -> None:
        self.stream, self.label, self.shown = stream, label, -1
        self.active = stream is not None and stream.isatty()

    def update(self, percent: int) -> None:
        if self.active and percent != self.shown:
            self.shown = percent
            self.stream.write(f"\r{self.label} {percent:3d}%")
            self.stream.flush()

    def clear(self) -> None:
        if self.active:
            self.stream.write("\r" + " " * 40 + "\r")
            self.stream.flush()


def _counts(counts: dict | None) -> str:
    if counts is None:
        return "none (no readable database)"
    return f"{counts['studies']:,} studies, {counts['reports']:,} reports"


def cmd_backup(args) -> int:
    from desktop.cli import _fail, _setup

    data_dir = _setup(args.data_dir)
    from django.db import DatabaseError, connection

    from server.backups.errors import BackupError
    from server.backups.services import backup_create
    from server.core.renderers import dumps
    from server.datadir import DB_FILENAME
    from server.serving import migrate

    # The audit trail's table, in a database from before it; never a new, empty
    # database where there is none (the backup then says there is nothing to back up).
    if connection.vendor != "sqlite" or (data_dir / DB_FILENAME).exists():
        try:
            migrate()
        except DatabaseError:
            pass  # a damaged database: the backup says what is wrong with it
    bar = _Percent(sys.stderr, "Backing up")
    try:
        info = backup_create(
            data_dir=data_dir, to=Path(args.to).expanduser().absolute() if args.to else None, progress=bar.update
        )
    except BackupError as exc:
        bar.clear()
        return _fail(exc.detail)
    bar.clear()
    if args.json:
        print(dumps(info.as_dict()))
    else:
        print(
            f"Backed up {info.studies:,} studies and {info.reports:,} reports to {info.path} "
            f"({info.size_bytes / 1_000_000:,.1f} MB); SQLite's check of the backup found no damage."
        )
    return 0


def _confirm(data_dir: Path, file: Path) -> bool:
    from server.backups.services import database_counts

    print(
        f"This replaces the database in {data_dir} ({_counts(database_counts(data_dir=data_dir))}) with the "
        f"backup {file}.\nThe current database is kept first, as a before-restore backup in {data_dir / 'backups'}."
    )
    try:
        return input("Restore it? [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def cmd_restore(args) -> int:
    from desktop.cli import _fail, _setup

    data_dir = _setup(args.data_dir)
    from server.backups.errors import BackupError
    from server.backups.services import backup_restore
    from server.core.renderers import dumps

    file = Path(args.file).expanduser().absolute()
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            return _fail("restore replaces the database; add --yes to restore without being asked")
        if not _confirm(data_dir, file):
            print("Nothing was changed.")
            return 1
    try:
        result = backup_restore(data_dir=data_dir, file=file)
    except BackupError as exc:
        return _fail(exc.detail)
    if args.json:
        print(dumps(result.as_dict()))
        return 0
    backup = result.backup
    kept = f"Kept the current database as {result.kept.path}" if result.kept else "There was no database to keep"
    print("\n".join([
        f"1. Verified {backup.path}: {_counts(backup.as_dict())}; SQLite's integrity check found no damage.",
        f"2. {kept}.",
        f"3. Replaced the database in {data_dir}; audit entries carried over: {result.audit_entries_carried:,}.",
        f"4. Before: {_counts(result.before)}. After: {_counts(result.after)}.",
        *result.notes,
    ]))
    return 0


BACKUP_COMMANDS = {"backup": cmd_backup, "restore": cmd_restore}
