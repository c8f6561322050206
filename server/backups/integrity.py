"""The database's integrity at start, and the full check after it.

Measured on this project's machine, on a database of 300,000 studies (333 MB, made
with `demo-data --rows 300000 --seed 42 --no-reports` and imported), SQLite 3.40:
- the header and the file's size (header_problem): under 1 ms, whatever the size;
- opening it and reading the schema: 1 ms;
- PRAGMA quick_check: 0.46 s with the file in the page cache, 6.2 s cold;
- PRAGMA integrity_check: 6.2 s cached, 13.6 s cold.
At 1,000,000 studies (1.1 GB) quick_check alone would take about 2 s cached and
20 s cold, against the promise of a healthy answer within 1 s of a cold start. So
the start runs the cheap checks (the header, the page count against the file's
size, which finds a truncated file, and the schema), then quick_check for at most
START_BUDGET_S: enough to finish on a small database. A check that did not finish
runs in full in a background thread once the server serves, and GET
/api/v1/integrity reports it. Backups get the full integrity_check (services.py).
The start's check on that cold 333 MB file took 0.153 s with a budget of 0.15 s
(the full quick_check in the background: 5.5 s), a third of the second that a cold
start may take, so the budget is 0.05 s: a few MB checked, all of a small database.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shlex
import sqlite3
import subprocess
import threading
import time
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

from server.backups.sqlitefile import CheckInterrupted, background_priority, header_problem, run_check, table_names
from server.clock import local_now
from server.datadir import DB_FILENAME

logger = logging.getLogger("imaging_desk.backups")

START_BUDGET_S = 0.05
# The full check waits this long after the start, so that it never competes with the
# first requests (and the statistics' loading) for the disk.
FULL_CHECK_DELAY_S = 10.0


@dataclass(frozen=True)
class IntegrityReport:
    ok: bool
    message: str  # words for staff
    checked_at: dt.datetime
    newest_good_backup: object | None = None  # a services.BackupInfo
    restore_command: str | None = None  # the exact command that restores newest_good_backup
    # "done": the full quick_check has run; "pending": it runs in the background after
    # the start; "not needed": a new data folder, or PostgreSQL, which checks itself.
    full_check: str = "done"

    def as_dict(self) -> dict:
        backup = self.newest_good_backup
        return {
            "ok": self.ok, "message": self.message, "checked_at": self.checked_at,
            "newest_good_backup": None if backup is None else backup.as_dict(),
            "restore_command": self.restore_command, "full_check": self.full_check,
        }


def _quote(text: str) -> str:
    return subprocess.list2cmdline([text]) if os.name == "nt" else shlex.quote(text)


def restore_command(*, file: Path, data_dir: Path) -> str:
    return f"imaging-desk restore {_quote(str(file))} --data-dir {_quote(str(data_dir))}"


def _read_problem(database: Path, *, budget_s: float | None) -> tuple[str | None, bool]:
    """(what is wrong in words or None, whether quick_check finished)."""
    problem = header_problem(database)
    if problem is not None:
        return problem, True
    try:
        # Read-only: a check never writes to a database, damaged or not (no checkpoint).
        uri = f"{database.absolute().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=60)) as conn:
            table_names(conn)
            try:
                damage = run_check(conn, pragma="quick_check", budget_s=budget_s)
            except CheckInterrupted:
                return None, False
    except sqlite3.DatabaseError as exc:
        return f"cannot be read by SQLite ({exc})", True
    return (None if damage is None else f"fails SQLite's check ({damage})"), True


def _with_backup_offer(*, data_dir: Path, what: str, damaged: bool = True) -> IntegrityReport:
    from server.backups.services import backup_newest_good, backups_folder

    newest = backup_newest_good(data_dir=data_dir)
    if newest is None:
        offer = (
            f"There is no good backup of it in {backups_folder(data_dir=data_dir)}. Keep the file as it is "
            "(do not delete it) and ask for help: what it still holds may be recoverable."
        )
        command = None
    else:
        command = restore_command(file=newest.path, data_dir=data_dir)
        offer = (
            f"The newest good backup is {newest.described()}. To restore it, run (with Imaging Desk closed):\n"
            f"  {command}"
        )
        if damaged:
            offer += "\nThe damaged file is kept, as a before-restore backup."

    return IntegrityReport(
        ok=False, message=f"{what}\n{offer}", checked_at=local_now(), newest_good_backup=newest,
        restore_command=command,
    )


class _Latest:
    """The latest verdict of this process, for GET /api/v1/integrity."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.report: IntegrityReport | None = None
        self.data_dir: Path | None = None
        self.thread: threading.Thread | None = None

    def set(self, report: IntegrityReport, data_dir: Path) -> IntegrityReport:
        with self.lock:
            self.report, self.data_dir = report, Path(data_dir)
        return report


LATEST = _Latest()


def integrity_at_start(*, data_dir: Path) -> IntegrityReport:
    """The check every start runs before it serves: ok, or what is wrong in words with
    the newest good backup and the command that restores it. Never changes a file.

    A database that is missing while backups exist is not ok either: starting would
    create an empty database in its place. A new data folder (no database, no
    backup) is ok."""
    from django.db import connection

    data_dir = Path(data_dir)
    if connection.vendor == "postgresql":
        return LATEST.set(IntegrityReport(
            ok=True, message="The database is a shared PostgreSQL database; its server checks its own integrity.",
            checked_at=local_now(), full_check="not needed",
        ), data_dir)
    database = data_dir / DB_FILENAME
    if not database.exists():
        from server.backups.services import backup_newest_good

        if backup_newest_good(data_dir=data_dir) is None:
            return LATEST.set(IntegrityReport(
                ok=True, message="A new data folder: the database will be created.", checked_at=local_now(),
                full_check="not needed",
            ), data_dir)
        report = _with_backup_offer(
            data_dir=data_dir,
            what=f"The database {database} is missing, but this data folder has backups. Imaging Desk does not "
            "start with an empty database in its place.",
            damaged=False,
        )
        return LATEST.set(replace(report, message=report.message + (
            f"\nTo start with an empty database instead, move the backups out of {data_dir} first."
        )), data_dir)
    started = time.perf_counter()
    problem, finished = _read_problem(database, budget_s=START_BUDGET_S)
    logger.info("integrity at start: %s in %.3f s", problem or "no damage found", time.perf_counter() - started)
    if problem is not None:
        return LATEST.set(_with_backup_offer(
            data_dir=data_dir,
            what=f"The database {database} is damaged: it {problem}. Imaging Desk has not changed it, "
            "and does not start on it.",
        ), data_dir)
    if finished:
        return LATEST.set(IntegrityReport(
            ok=True, message="SQLite's quick check found no damage.", checked_at=local_now(),
        ), data_dir)
    return LATEST.set(IntegrityReport(
        ok=True, message="The quick checks at start found no damage; SQLite's full quick check runs in the "
        "background.", checked_at=local_now(), full_check="pending",
    ), data_dir)


def integrity_full_check(*, data_dir: Path) -> IntegrityReport:
    """PRAGMA quick_check of the whole database, however long it takes; the verdict
    replaces the start's."""
    data_dir = Path(data_dir)
    database = data_dir / DB_FILENAME
    started = time.perf_counter()
    problem, _ = _read_problem(database, budget_s=None)
    logger.info("full integrity check: %s in %.1f s", problem or "no damage found", time.perf_counter() - started)
    if problem is None:
        return LATEST.set(IntegrityReport(
            ok=True, message="SQLite's quick check of the whole database found no damage.", checked_at=local_now(),
        ), data_dir)
    logger.error("the database %s is damaged: %s", database, problem)
    return LATEST.set(_with_backup_offer(
        data_dir=data_dir,
        what=f"The database {database} is damaged: it {problem}. Searches may fail or miss studies; "
        "do not import into it.",
    ), data_dir)


def integrity_full_check_start(*, data_dir: Path, delay_s: float = FULL_CHECK_DELAY_S) -> threading.Thread | None:
    """The full check in a background thread, once per process, if the start's check
    left it pending."""
    with LATEST.lock:
        report = LATEST.report
        if report is None or report.full_check != "pending" or LATEST.thread is not None:
            return None

        def run() -> None:
            background_priority()
            time.sleep(delay_s)
            try:
                integrity_full_check(data_dir=data_dir)
            except Exception:  # the check must never take the server down
                logger.exception("the full integrity check failed to run")

        LATEST.thread = threading.Thread(target=run, name="integrity-check", daemon=True)
    LATEST.thread.start()
    return LATEST.thread


def integrity_status(*, data_dir: Path) -> IntegrityReport:
    """The latest verdict, with the newest good backup named (read now: the start's
    check leaves it out when all is well, to be quick). Checks now if nothing has."""
    from server.backups.services import backup_newest_good

    with LATEST.lock:
        report = LATEST.report if LATEST.data_dir == Path(data_dir) else None
    if report is None:
        report = integrity_at_start(data_dir=data_dir)
    if report.newest_good_backup is None:
        newest = backup_newest_good(data_dir=data_dir)
        if newest is not None:
            command = restore_command(file=newest.path, data_dir=Path(data_dir))
            report = replace(report, newest_good_backup=newest, restore_command=command)
    return report
