"""Audit entries that could not be written yet, kept in a file until they can.

An import holds SQLite's write lock for its whole transaction (minutes). An export
or a refused import that ends meanwhile must neither wait for it nor lose its entry
(nor one written when the database's disk is full, while this small file still fits):
the entry, with its own uid and time, is appended to <data-dir>/audit-pending.jsonl
(flushed to disk), and written to the database by a thread of this process as soon
as the lock is free, or else by the next entry any process writes, by the audit
list, or by `imaging-desk audit`. An entry already in the database (by its uid) is
never written twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import threading
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection, transaction

logger = logging.getLogger("imaging_desk.audit")

PENDING_FILENAME = "audit-pending.jsonl"
BUSY_TIMEOUT_MS = 2_000  # how long an entry waits for the write lock before it goes pending
RETRY_S = 5.0

_lock = threading.Lock()
_retrying: threading.Thread | None = None


def pending_path() -> Path:
    return Path(settings.DATA_DIR) / PENDING_FILENAME


def is_busy(exc: OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


def is_no_room(exc: OperationalError) -> bool:
    """SQLite could not write: the disk is full, or a file-size limit was reached."""
    message = str(exc).lower()
    return "disk is full" in message or "disk i/o error" in message


@contextmanager
def short_busy_timeout():
    """SQLite waits at most BUSY_TIMEOUT_MS for the write lock, then says it is locked
    (PostgreSQL: nothing changes)."""
    from server.database import SQLITE_BUSY_TIMEOUT_S

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000:d}")


def pending_add(fields: dict) -> None:
    """Keep an entry for later (one JSON line, on disk before this returns), and make
    sure this process tries again soon."""
    line = json.dumps({**fields, "at": fields["at"].isoformat()}, ensure_ascii=False) + "\n"
    with _lock:
        fd = os.open(pending_path(), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
    _retry_soon()


def _retry_soon() -> None:
    global _retrying
    with _lock:
        if _retrying is not None and _retrying.is_alive():
            return
        _retrying = threading.Thread(target=_retry, name="audit-pending", daemon=True)
        _retrying.start()


def _retry() -> None:
    while True:
        threading.Event().wait(RETRY_S)
        try:
            close_old_connections()
            if pending_flush() is not None or not pending_path().exists():
                return
        except Exception:  # the database is still busy, or gone for a moment: try again
            logger.info("pending audit entries not written yet; will retry", exc_info=True)
        finally:
            connection.close()


def pending_flush() -> int | None:
    """Write the pending entries to the database (those it lacks, by uid, in the order
    they were kept); how many, or None when there were none. Raises OperationalError
    while the database is busy (the entries stay pending)."""
    from server.audit.models import AuditEntry

    path = pending_path()
    if not path.exists():
        return None
    # Claim the file: entries kept from now on go to a new one.
    claimed = path.with_name(f".{PENDING_FILENAME}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        os.replace(path, claimed)
    except FileNotFoundError:  # another process claimed it first
        return None
    try:
        entries = _read(claimed)
        with transaction.atomic():
            known = set(AuditEntry.objects.filter(uid__in=[e["uid"] for e in entries]).values_list("uid", flat=True))
            fresh = [AuditEntry(**e) for e in entries if e["uid"] not in known]
            AuditEntry.objects.bulk_create(fresh)
    except BaseException:
        _give_back(claimed, path)
        raise
    claimed.unlink()
    return len(fresh)


def _read(path: Path) -> list[dict]:
    entries, seen = [], set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:  # a line cut by a crash while it was written
            logger.warning("a pending audit entry could not be read: %r", line[:200])
            continue
        if entry["uid"] in seen:
            continue
        seen.add(entry["uid"])
        entry["at"] = dt.datetime.fromisoformat(entry["at"])
        entries.append(entry)
    return entries


def _give_back(claimed: Path, path: Path) -> None:
    """Put claimed entries back for the next try (after any kept meanwhile)."""
    with _lock:
        data = claimed.read_bytes()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        claimed.unlink()
