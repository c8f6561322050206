"""Every import the app runs, runs in a child process that it starts and watches.

A hostile or broken file can crash DuckDB itself (a table of 65,000 columns ended the
whole server with a divide trap) or make it read for ever (a view over an endless
table function). In a child process such a crash ends only the child: its run is
failed with the reason and the server goes on serving. Cancelling ends the child,
whose transaction the database then rolls back: the same guarantee that makes a
kill -9 in any phase of an import safe. The parent records what became of the run.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from pathlib import Path

from django.db import connection, transaction

from server.audit.actor import actor_current
from server.clock import local_now
from server.imports import errors
from server.imports.auditing import import_audit_run
from server.imports.engine import ProgressFn
from server.imports.models import ImportRun
from server.imports.progress import ProgressPublisher
from server.imports.services import import_queue
from server.imports.source import source_path_check

logger = logging.getLogger("imaging_desk.imports")

# How long a cancelled child may take to end on SIGTERM before it is killed.
STOP_GRACE_S = 5.0
# How long checking a file may take: opening it and reading its tables' columns takes
# well under a second, however large the file.
PREFLIGHT_TIMEOUT_S = 30.0
CANCELLED = "cancelled: the import was stopped before it finished; nothing of it was kept"


def _no_progress(phase: str, done: int, total: int) -> None:
    pass


def import_isolated(
    *, run: ImportRun, on_progress: ProgressFn | None = None, cancel: threading.Event | None = None
) -> dict:
    """Run a queued import (import_queue) in a child process; returns its report.

    Raises what import_run raises (ImportRefused, SourceLocked, ImportBusy, ImportFailed),
    ImportFailed when the child crashes, and ImportCancelled once `cancel` is set (or
    on Ctrl-C) and the child has ended. The run ends done, failed or cancelled.
    """
    # Published too, for whoever else shares the database (server/imports/progress.py).
    progress = ProgressPublisher(run_id=run.pk, forward=on_progress or _no_progress)
    from server.imports.child import child_main

    child, receive, alive = _spawn(
        child_main, run.pk, connection.settings_dict["NAME"], actor_current(), name=f"import-{run.pk}"
    )
    outcome, cancelled = None, False
    try:
        while outcome is None:
            if cancel is not None and cancel.is_set():
                cancelled = True
                break
            if not receive.poll(0.2):
                continue
            try:
                message = receive.recv()
            except EOFError:  # the child ended without a word: it crashed or was killed
                break
            if message[0] == "progress":
                progress(*message[1:])
            else:
                outcome = message
    except KeyboardInterrupt:
        cancelled = True
    finally:
        _end(child, stop=cancelled or outcome is None)
        receive.close()
        alive.close()
        progress.end()
    try:
        if outcome is not None and outcome[0] == "done":
            vacuum_after_import()
            return outcome[1]
        if outcome is not None:  # the child ran the import and it was refused or failed
            _, name, detail = outcome
            raise getattr(errors, name, errors.ImportFailed)(detail)
        if cancelled:
            _record(run, ImportRun.State.CANCELLED, CANCELLED)
            raise errors.ImportCancelled(CANCELLED)
        detail = _crash_detail(child)
        logger.error("import %s: %s", run.pk, detail)
        _record(run, ImportRun.State.FAILED, detail)
        raise errors.ImportFailed(detail)
    finally:
        truncate_wal()


def _spawn(target, *args, name: str):
    """Start target(*args, send, parent) in a child; (process, its messages, the pipe
    whose closing, when this process ends, ends the child too)."""
    context = multiprocessing.get_context("spawn")  # never fork a process with threads and connections
    receive, send = context.Pipe(duplex=False)
    watched, alive = context.Pipe(duplex=False)
    child = context.Process(target=target, args=(*args, send, watched), name=name, daemon=True)
    child.start()
    send.close()  # only the child holds these ends now: its exit ends the pipe
    watched.close()
    return child, receive, alive


def preflight_isolated(*, path: Path | str) -> Path:
    """import_preflight in a child process: the server never opens a file with DuckDB
    itself, so no file can crash it. The path's own checks come first, in this process
    (no DuckDB): a pipe or a device is refused at once. Raises ImportRefused."""
    path = Path(path).expanduser().absolute()
    source_path_check(path)
    from server.imports.child import preflight_main

    child, receive, alive = _spawn(preflight_main, str(path), name="import-check")
    try:
        if not receive.poll(PREFLIGHT_TIMEOUT_S):
            raise errors.ImportRefused(
                f"Checking {path} took longer than {PREFLIGHT_TIMEOUT_S:.0f} s; "
                "it is not a file Imaging Desk can import"
            )
        try:
            message = receive.recv()
        except EOFError:
            raise errors.ImportRefused(
                f"{path} crashed the DuckDB reader while it was checked ({_how_it_ended(child)}); "
                "it is not a file Imaging Desk can import"
            ) from None
    finally:
        _end(child, stop=True)
        receive.close()
        alive.close()
    if message[0] == "error":
        _, name, detail = message
        raise getattr(errors, name, errors.ImportRefused)(detail)
    return Path(message[1])


def import_queue_isolated(
    *, path: Path | str, kind: str = ImportRun.Kind.IMPORT, audit_refusal: bool = True
) -> ImportRun:
    """import_queue with the file checked in a child process: how the server, the
    command line and the linked file start every import."""
    return import_queue(path=path, kind=kind, check=preflight_isolated, audit_refusal=audit_refusal)


def _end(child, *, stop: bool) -> None:
    """Wait for the child to end; if it must stop, SIGTERM it, then kill it after a grace."""
    if stop and child.is_alive():
        child.terminate()
    child.join(STOP_GRACE_S if stop else None)
    if child.is_alive():
        child.kill()
        child.join()


def _how_it_ended(child) -> str:
    child.join(STOP_GRACE_S)
    code = child.exitcode
    if code is not None and code < 0:
        try:
            return f"its process ended with {signal.Signals(-code).name}"
        except ValueError:
            return f"its process ended with signal {-code}"
    return f"its process ended with exit code {code}"


def _crash_detail(child) -> str:
    if child.exitcode is not None and child.exitcode < 0:
        return f"The file crashed the DuckDB reader ({_how_it_ended(child)}); nothing of the import was kept"
    return f"The import's process stopped unexpectedly ({_how_it_ended(child)}); nothing of the import was kept"


def _record(run: ImportRun, state: str, detail: str) -> None:
    """The end of a run whose child could not record it itself (it was stopped or
    crashed), with its audit entry; nothing if the child did record it after all."""
    with transaction.atomic():
        ended = ImportRun.objects.filter(
            pk=run.pk, state__in=[ImportRun.State.QUEUED, ImportRun.State.RUNNING]
        ).update(state=state, error=detail, finished_at=local_now())
        run.refresh_from_db()
        if ended:
            import_audit_run(run=run, outcome=str(state), reason=detail)


def vacuum_after_import() -> None:
    """On PostgreSQL, what autovacuum would do after an import, at once: the visibility
    map lets the searches' counts read indexes alone, and fresh statistics choose the
    trigram indexes. At 1M studies without it, the statistics took 30 s instead of 1.9 s
    (VACUUM itself: 1.6 s). Best effort, and never inside a transaction (tests)."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        _housekeeping("VACUUM (ANALYZE) study, report", failed="could not vacuum the studies after an import")


def truncate_wal() -> None:
    """Give the disk back after an import: the write-ahead log grows to the size of the
    import's transaction (126 MB after one killed part-way) and SQLite keeps the file at
    that size until told otherwise. Best effort: a busy database tries again next time."""
    if connection.vendor == "sqlite":
        _housekeeping(
            "PRAGMA wal_checkpoint(TRUNCATE)", failed="could not truncate the write-ahead log after an import"
        )


def _housekeeping(sql: str, *, failed: str) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    except Exception:  # never let housekeeping hide the import's own outcome
        logger.warning(failed, exc_info=True)
