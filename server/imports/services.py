"""The lossless DuckDB import, from a file's path to its report.

An import's life, the same from the command line, the API's jobs and the linked file:
1. import_queue: check the file (import_preflight), refuse if another import holds the
   database, and record the run as queued, so that it has an id to follow.
2. import_run: hold the import lock, run every table through the engine
   (server/imports/engine.py) in one transaction, and write the report with the data.
   Whatever stops it, the run ends failed with the reason, never left queued.
import_duckdb does both at once. At start, import_recover_interrupted fails the runs
a process that died left behind.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable
from pathlib import Path

from django.db import DatabaseError, connection, transaction

from server.clock import local_now
from server.core.errors import DomainError
from server.imports.auditing import import_audit_refused, import_audit_run
from server.imports.engine import ProgressFn, TableImporter, TableReport
from server.imports.errors import ImportBusy, ImportFailed
from server.imports.locking import import_lock, refuse_if_importing
from server.imports.models import RUN_COUNTS, ImportRun
from server.imports.progress import import_progress_clear
from server.imports.source import DuckDBSource, SourceTable, file_fingerprint
from server.imports.tables import STUDIES, TABLES, TableSpec

INTERRUPTED = "interrupted: the process stopped before the import finished; nothing of it was kept"


def _no_progress(phase: str, done: int, total: int) -> None:
    pass


def source_tables(source: DuckDBSource) -> list[tuple[TableSpec, SourceTable]]:
    """The file's tables to import, in order; refuses a file without a required one."""
    found = []
    for spec in TABLES:
        table = source.table(spec.layout.table, required=spec.layout.required, optional=not spec.required_table)
        if table is not None:
            found.append((spec, table))
    return found


def import_preflight(*, path: Path | str) -> Path:
    """Refuse, with the reason, a file that cannot be imported; touches nothing."""
    path = Path(path).expanduser().absolute()
    with DuckDBSource(path) as source:
        source_tables(source)
    return path


def import_queue(
    *,
    path: Path | str,
    kind: str = ImportRun.Kind.IMPORT,
    check: Callable[..., Path] = import_preflight,
    audit_refusal: bool = True,
) -> ImportRun:
    """Check the file and record its import as queued; run it with import_run.

    Raises ImportRefused (the file cannot be imported) or ImportBusy (another import
    holds the database, perhaps in another process), with nothing written: the queued
    run would otherwise wait on that import's write lock. `check` checks the file: the
    server does it in a child process (server/imports/worker.py). A refusal is recorded
    in the audit trail unless audit_refusal is False (the linked file's watcher, which
    tries again in 30 s, records only the refusals it does not retry).
    """
    try:
        checked = check(path=path)
        refuse_if_importing()
    except DomainError as exc:
        if audit_refusal:
            import_audit_refused(path=path, kind=kind, reason=exc.detail)
        raise
    return ImportRun.objects.create(kind=kind, source_path=str(checked))


def import_run(*, run: ImportRun, on_progress: ProgressFn | None = None) -> dict:
    """Import a queued run's file; returns the report.

    Raises ImportRefused (the file changed and cannot be imported now), ImportBusy
    (another import took the database meanwhile) or ImportFailed (stopped part-way and
    rolled back). Whatever stops the import, the run ends failed with the reason.
    """
    try:
        return _import(run, on_progress or _no_progress)
    except DomainError as exc:
        if run.state != ImportRun.State.FAILED:
            _fail_run(run, exc.detail)
        raise


def import_duckdb(
    *, path: Path | str, kind: str = ImportRun.Kind.IMPORT, on_progress: ProgressFn | None = None
) -> dict:
    """Import the clinic's DuckDB file now (queue and run); returns the report."""
    return import_run(run=import_queue(path=path, kind=kind), on_progress=on_progress)


def _import(run: ImportRun, progress: ProgressFn) -> dict:
    started = time.perf_counter()
    path = Path(run.source_path)
    with DuckDBSource(path) as source:
        tables = source_tables(source)
        with import_lock():
            mark_interrupted_runs(keep=run)
            progress("checking", 0, 0)
            run.source_size, run.source_sha256 = file_fingerprint(path)
            run.state, run.started_at = ImportRun.State.RUNNING, local_now()
            run.save()
            try:
                with transaction.atomic():
                    sections = _import_tables(source, tables, run, progress)
                    total = sum(section.source_rows for section in sections.values())
                    studies = sections[STUDIES.label]
                    # The studies' counts at the top (as the report was first defined),
                    # then a section per further table: null when the file has none.
                    report = {**studies.as_dict(), "duration_s": round(time.perf_counter() - started, 3)}
                    for spec in TABLES[1:]:
                        section = sections.get(spec.label)
                        report[spec.label] = None if section is None else section.as_dict()
                    progress("committing", total, total)
                    _finish(run, report, studies)
            except DomainError as exc:
                _fail_run(run, exc.detail)
                raise
            except Exception as exc:
                detail = f"The import stopped and nothing of it was kept: {_failure_words(exc)}"
                _fail_run(run, detail)
                raise ImportFailed(detail) from exc
    refresh_planner_statistics()
    progress("done", total, total)
    return report


def _import_tables(source, tables, run, progress) -> dict[str, TableReport]:
    """Each table in turn, with progress counted over the rows of all of them."""
    counts = [source.count(table) for _, table in tables]
    grand_total, offset, sections = sum(counts), 0, {}
    for (spec, table), rows_total in zip(tables, counts):
        def table_progress(phase, done, total, offset=offset):
            progress(phase, offset + done, grand_total)

        sections[spec.label] = TableImporter(spec, source, table, run, table_progress).run(rows_total=rows_total)
        offset += rows_total
    return sections


# SQLite's result codes for a write that found no room: SQLITE_FULL (the disk is
# full) and SQLITE_IOERR_WRITE (a write failed: EFBIG past a file-size limit, ENOSPC
# on some file systems, or a failing disk).
_SQLITE_FULL, _SQLITE_IOERR_WRITE = 13, 778
_NO_ROOM = (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC))


def _failure_words(exc: Exception) -> str:
    """Why an import stopped, in words for staff: the disk first, else the error itself."""
    cause = exc.__cause__ if isinstance(exc, DatabaseError) and exc.__cause__ is not None else exc
    code = getattr(cause, "sqlite_errorcode", None)
    if code == _SQLITE_FULL or (isinstance(cause, OSError) and cause.errno in _NO_ROOM):
        return (
            f"the disk holding the database ({_database_place()}) is full; free some space there "
            "and import again"
        )
    if code == _SQLITE_IOERR_WRITE:
        return (
            f"the database could not be written ({_database_place()}): the disk may be full, a file-size "
            "limit reached, or the disk failing; free some space there and import again"
        )
    return f"{type(exc).__name__}: {exc}"


def _database_place() -> str:
    if connection.vendor == "sqlite":
        return str(Path(connection.settings_dict["NAME"]).parent)
    return f"the PostgreSQL server {connection.settings_dict.get('HOST') or 'localhost'}"


def refresh_planner_statistics() -> None:
    """Tell the database's query planner what the tables now hold. Without it SQLite
    does not know that a status has a handful of values, and reads a million index
    entries for the filter options instead of skipping between them (300 ms, not
    0.1). A full ANALYZE (1.4 s for a million studies) rather than a sample: with a
    sample SQLite still chose table scans the indexes make ten times faster."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=0")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(s.model._meta.db_table) for s in TABLES))


def _fail_run(run: ImportRun, detail: str) -> None:
    """The run ends failed, with its entry in the audit trail (in one transaction)."""
    run.state, run.finished_at, run.error = ImportRun.State.FAILED, local_now(), detail
    with transaction.atomic():
        run.save(update_fields=["state", "finished_at", "error"])
        import_audit_run(run=run, outcome="failed", reason=detail)


def _finish(run: ImportRun, report: dict, section: TableReport) -> None:
    """Inside the import's transaction: the run, and its audit entry, commit with the data."""
    run.state = ImportRun.State.DONE
    run.finished_at = local_now()
    run.report = report
    for name in RUN_COUNTS:
        setattr(run, name, getattr(section, name))
    run.save()
    import_audit_run(run=run, outcome="done", report=report)


def mark_interrupted_runs(*, keep: ImportRun | None = None) -> int:
    """Runs left queued or running by a process that died. Call with the import lock
    held: then no other import can be running."""
    stale = ImportRun.objects.filter(state__in=[ImportRun.State.QUEUED, ImportRun.State.RUNNING])
    if keep is not None and keep.pk:
        stale = stale.exclude(pk=keep.pk)
    marked = 0
    for run in stale:
        with transaction.atomic():
            run.state, run.error, run.finished_at = ImportRun.State.FAILED, INTERRUPTED, local_now()
            run.save(update_fields=["state", "error", "finished_at"])
            import_audit_run(run=run, outcome="interrupted", reason=INTERRUPTED)
            import_progress_clear(run_id=run.pk)  # what its dead watcher last published
        marked += 1
    return marked


def import_recover_interrupted() -> int:
    """At server start: fail the runs a process that died left queued or running,
    unless an import really runs now (then it holds the lock, and they wait)."""
    try:
        with import_lock():
            return mark_interrupted_runs()
    except ImportBusy:
        return 0
