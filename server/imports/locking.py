"""One import at a time per database, across every process that uses it."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from server.imports.errors import ImportBusy

BUSY_MESSAGE = "Another import is running on this database; try again when it has finished"

# pg_advisory_lock key: any constant the app uses for nothing else.
POSTGRES_LOCK_KEY = 0x1D5E_1A9E


def busy_refusal() -> ImportBusy:
    """The refusal of an import while another holds the lock, naming the other (from any
    PC: its run is recorded as running, committed, before its transaction begins)."""
    from server.imports.models import ImportRun

    running = ImportRun.objects.filter(state=ImportRun.State.RUNNING).order_by("-started_at", "-pk").first()
    if running is None:
        return ImportBusy(BUSY_MESSAGE)
    return ImportBusy(
        f"Another import is running on this database: {running.source_path} (import {running.pk}, since "
        f"{running.started_at:%Y-%m-%d %H:%M}); try again when it has finished"
    )


@contextmanager
def import_lock():
    """Hold the database's import lock, or raise ImportBusy at once (never wait:
    the caller reports a clear refusal instead of hanging)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [POSTGRES_LOCK_KEY])
            if not cursor.fetchone()[0]:
                raise busy_refusal()
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [POSTGRES_LOCK_KEY])
        return

    # SQLite: a lock on a file beside the database. The OS drops it if the process dies.
    path = settings.DATA_DIR / "import.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not _try_lock(fd):
            raise busy_refusal()
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


if os.name == "nt":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def import_lock_held(*, data_dir: Path) -> bool:
    """Whether an import holds the import lock of a data folder's SQLite database, from
    any process (copy-database asks it of the folder it reads)."""
    path = Path(data_dir) / "import.lock"
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        if not _try_lock(fd):
            return True
        _unlock(fd)
        return False
    finally:
        os.close(fd)


def refuse_if_importing() -> None:
    """Raise ImportBusy now if another import holds the database: before a caller
    writes its queued run, which would otherwise wait on that import's write lock."""
    with import_lock():
        pass
