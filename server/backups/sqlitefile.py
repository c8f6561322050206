"""SQLite files as the backups see them, with plain sqlite3 (no Django): the consistent
snapshot, the checks, and the counts. The live database is only ever read through
SQLite, never copied as a file: with WAL a plain copy can be torn."""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from collections.abc import Callable
from pathlib import Path

MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
# How many problems of a check a message names; the check itself stops at this many.
PROBLEMS_SHOWN = 5


class CheckInterrupted(Exception):
    """A check that ran out of its time budget before it finished: no verdict."""


def mb(size: int) -> str:
    """A size for people: '12.3 MB'."""
    return f"{size / 1_000_000:,.1f} MB"


def _wal_has_frames(path: Path) -> bool:
    """Whether the database's write-ahead log holds anything (a WAL header alone is 32 bytes)."""
    try:
        return os.path.getsize(f"{path}-wal") > 32
    except OSError:
        return False


def header_problem(path: Path) -> str | None:
    """What the file's first 100 bytes and its size say is wrong with it, in words; None
    if nothing. Cheap (one read, however large the file): the check at every start.

    A file shorter than its header's page count was cut short (a disk that filled, a
    copy that stopped). With frames in the write-ahead log the file may lag its header
    for a moment (a checkpoint that a crash interrupted, which SQLite finishes), so the
    size is then left to SQLite's own check."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            header = f.read(HEADER_SIZE)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if size == 0:
        return "is empty (0 bytes)"
    if len(header) < HEADER_SIZE or not header.startswith(MAGIC):
        return f"is not an SQLite database ({size:,} bytes that do not start as one)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return f"has a damaged header (page size {page_size})"
    pages = int.from_bytes(header[28:32], "big")
    # The header's page count is valid when its "version valid for" matches the change counter.
    counted = pages > 0 and header[92:96] == header[24:28]
    if counted and size < pages * page_size and not _wal_has_frames(path):
        return (
            f"is cut short: it ends after {mb(size)}, but its header says it holds {mb(pages * page_size)}; "
            "part of it is missing (a full disk, or a copy that stopped)"
        )
    return None


def connect_live(path: Path, *, timeout: float = 60.0) -> sqlite3.Connection:
    """A connection to a database that others may be using; never creates the file."""
    return sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=rw", uri=True, timeout=timeout)


def connect_still(path: Path) -> sqlite3.Connection:
    """A read-only connection to a file no one writes (a backup): no lock, no -wal or
    -shm file appears beside it (on a USB drive or a share, too)."""
    return sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro&immutable=1", uri=True)


def _problems(rows: list[tuple]) -> str | None:
    found = [str(row[0]) for row in rows]
    if found == ["ok"]:
        return None
    shown = "; ".join(found[:PROBLEMS_SHOWN])
    more = f" (and {len(found) - PROBLEMS_SHOWN} more)" if len(found) > PROBLEMS_SHOWN else ""
    return f"SQLite's check found damage: {shown}{more}"


def run_check(conn: sqlite3.Connection, *, pragma: str, budget_s: float | None = None) -> str | None:
    """PRAGMA quick_check or integrity_check: None if the file is sound, else the words.

    With a budget, a check that has not finished in budget_s seconds is stopped and
    raises CheckInterrupted: the check reads every page (6 s on a cold 333 MB file), so
    a start cannot wait for it. It is one step of SQLite's VM, which a progress handler
    never interrupts; sqlite3_interrupt from a timer's thread does."""
    assert pragma in ("quick_check", "integrity_check")
    timer = None
    if budget_s is not None:
        timer = threading.Timer(budget_s, conn.interrupt)
        timer.daemon = True
        timer.start()
    try:
        return _problems(conn.execute(f"PRAGMA {pragma}({PROBLEMS_SHOWN})").fetchall())
    except sqlite3.OperationalError as exc:
        if timer is not None and "interrupt" in str(exc).lower():
            raise CheckInterrupted() from None
        raise
    finally:
        if timer is not None:
            timer.cancel()


def table_names(conn: sqlite3.Connection) -> set[str]:
    """The tables of the schema: reading it is the first thing a damaged file fails."""
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def row_counts(conn: sqlite3.Connection, tables: dict[str, str]) -> dict[str, int]:
    """{label: rows} for {label: table}, in the order given."""
    return {label: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for label, table in tables.items()}


def database_size(conn: sqlite3.Connection) -> int:
    """The bytes a snapshot of it writes (every page, free ones too)."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    return pages * conn.execute("PRAGMA page_size").fetchone()[0]


def snapshot(*, source: Path, target: Path, progress: Callable[[int, int], None] | None = None) -> int:
    """Write a consistent copy of the live database `source` to the new file `target`;
    returns its size. Raises sqlite3.Error or OSError (the caller removes `target`).

    One backup step copies every page inside one read transaction, so the copy holds
    one committed state: an import's transaction, still open or committed meanwhile,
    is in it wholly or not at all. (Steps of a few pages would let other writers
    restart the copy, for ever under steady writes.) Readers and the writer go on
    meanwhile (WAL). progress(bytes written, bytes in all) is called from a thread
    that watches the file grow. The copy leaves WAL mode: a backup is one file."""
    src = connect_live(source)
    try:
        total = database_size(src)
        dst = sqlite3.connect(target)
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.25):
                try:
                    progress(min(os.path.getsize(target), total), total)
                except OSError:
                    pass

        watcher = threading.Thread(target=watch, name="backup-progress", daemon=True) if progress else None
        try:
            if watcher is not None:
                watcher.start()
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            done.set()
            dst.close()
            if watcher is not None:
                watcher.join()
    finally:
        src.close()
    return os.path.getsize(target)


def background_priority() -> None:
    """Lower the calling thread's CPU priority (Linux, where a thread has its own nice
    value; elsewhere nothing): automatic checks and backups yield to the searches. SQLite
    releases the GIL while it reads, so the lowered thread competes less for the cores."""
    if not sys.platform.startswith("linux"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except OSError:
        pass


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(path: Path) -> None:
    """Make a rename in the folder durable (POSIX; Windows has no folder handles)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some network file systems refuse it; the rename itself has happened
    finally:
        os.close(fd)
