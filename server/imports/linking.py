"""A linked source: a DuckDB file the clinic's old system still writes, followed by
the app. Each sync is an ordinary import job, with the same guarantees and a report
in the history."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from stat import S_ISREG

from django.db import close_old_connections, connection, transaction

from server.audit.services import audit_record
from server.imports.auditing import import_audit_refused
from server.imports.engine import ProgressFn
from server.imports.errors import ImportBusy, ImportFailed, ImportRefused, LinkNotFound, SourceLocked
from server.imports.jobs import JOBS, ImportJobs, Job
from server.imports.models import ImportRun, LinkedSource
from server.imports.source import file_fingerprint, source_path_check
from server.imports.worker import import_isolated, import_queue_isolated

logger = logging.getLogger("imaging_desk.linking")

DEFAULT_POLL_S = 30.0


def link_duckdb(*, path: Path | str, on_progress: ProgressFn | None = None) -> tuple[LinkedSource, dict]:
    """Import the file now and follow it from then on (replacing any earlier link).

    A file that cannot be imported is refused and not linked. The link appears only
    once the first sync has finished, so a running server's watcher never starts a
    second, redundant sync of it meanwhile.
    """
    run = import_queue_isolated(path=path, kind=ImportRun.Kind.SYNC)
    path = Path(run.source_path)
    stat = path.stat()
    try:
        report = import_isolated(run=run, on_progress=on_progress)
    except ImportFailed as exc:
        _link_synced(path, run_id=run.pk, stat=stat, error=exc.detail)
        raise
    return _link_synced(path, run_id=run.pk, stat=stat, error=None), report


def link_start(*, path: Path | str, jobs: ImportJobs = JOBS) -> Job:
    """link_duckdb as the app does it: the first sync runs as an import job, and the
    file is linked once that has run (failed part-way included, as link_duckdb does),
    not when it is refused or cancelled. Raises ImportRefused or ImportBusy at once."""
    path = Path(path).expanduser().absolute()
    try:
        source_path_check(path)
    except ImportRefused as exc:
        import_audit_refused(path=path, kind=ImportRun.Kind.SYNC, reason=exc.detail)
        raise
    stat = path.stat()  # the file as this sync reads it

    def finished(job: Job) -> None:
        if job.state in (ImportRun.State.DONE, ImportRun.State.FAILED):
            _link_synced(job.path, run_id=job.job_id, stat=stat,
                         error=None if job.state == ImportRun.State.DONE else job.error)

    return jobs.start(path=path, kind=ImportRun.Kind.SYNC, on_finish=finished)


def _link_synced(path: Path, *, run_id: int, stat: os.stat_result, error: str | None) -> LinkedSource:
    """The new link (replacing any earlier) with its first sync, in one transaction: a
    watcher that saw the link before its sync was recorded would sync it again."""
    with transaction.atomic():
        LinkedSource.objects.all().delete()
        link = LinkedSource.objects.create(path=str(path))
        record_sync(link_id=link.pk, run_id=run_id, stat=stat, error=error)
        audit_record(
            action="link", summary=f"Linked {path}: synced at start and whenever it changes",
            details={"file": str(path), "first_run_id": run_id},
        )
    return LinkedSource.objects.get(pk=link.pk)


def unlink() -> LinkedSource | None:
    """Stop following the linked file; its studies stay. Returns the link that was removed."""
    with transaction.atomic():
        link = LinkedSource.objects.first()
        LinkedSource.objects.all().delete()
        if link is not None:
            audit_record(
                action="unlink", summary=f"Unlinked {link.path}; its studies stay", details={"file": link.path}
            )
    return link


def link_remove() -> LinkedSource:
    """unlink, for the API: raises LinkNotFound when no file is linked."""
    link = unlink()
    if link is None:
        raise LinkNotFound()
    return link


def linked_source() -> LinkedSource | None:
    return LinkedSource.objects.first()


def record_sync(*, link_id: int, run_id: int, stat: os.stat_result, error: str | None) -> None:
    """Remember the outcome of a sync of the file as it was when the sync began."""
    link = LinkedSource.objects.filter(pk=link_id).first()
    if link is None:  # unlinked meanwhile
        return
    if error is None:
        run = ImportRun.objects.get(pk=run_id)
        link.synced_size, link.synced_mtime_ns = stat.st_size, stat.st_mtime_ns
        link.synced_sha256, link.last_sync_at, link.last_run, link.last_error = (
            run.source_sha256, run.finished_at, run, ""
        )
    else:
        # Still remember the file's state: the next change of the file tries again,
        # rather than the same failure every 30 seconds.
        link.synced_size, link.synced_mtime_ns, link.last_error = stat.st_size, stat.st_mtime_ns, error
    link.save()


def sync_linked_source(*, jobs: ImportJobs = JOBS, at_start: bool = False) -> Job | None:
    """Start a sync job if the linked file changed since its last sync; None if not.

    At start the file's content hash decides instead of its size and time, so a
    file copied back unchanged is not imported again, and one changed while the
    server was stopped is. A file another program holds open is left for later.
    """
    link = linked_source()
    if link is None or jobs.active() is not None:
        return None
    path = Path(link.path)
    try:
        stat = path.stat()
    except OSError:
        if link.last_error != f"File not found: {path}":
            link.last_error = f"File not found: {path}"
            link.save(update_fields=["last_error"])
        return None
    if at_start:
        # Hashed only if it is a regular file: reading a pipe would never end.
        regular = S_ISREG(stat.st_mode)
        if regular and link.synced_sha256 and file_fingerprint(path)[1] == link.synced_sha256:
            link.synced_size, link.synced_mtime_ns = stat.st_size, stat.st_mtime_ns
            link.save(update_fields=["synced_size", "synced_mtime_ns"])
            return None
    elif (stat.st_size, stat.st_mtime_ns) == (link.synced_size, link.synced_mtime_ns):
        return None

    def finished(job: Job) -> None:
        record_sync(link_id=link.pk, run_id=job.job_id, stat=stat,
                    error=None if job.state == ImportRun.State.DONE else job.error)

    try:
        return jobs.start(path=path, kind=ImportRun.Kind.SYNC, on_finish=finished, audit_refusal=False)
    except (SourceLocked, ImportBusy) as exc:
        logger.info("linked file not synced now, will retry: %s", exc.detail)
        return None
    except ImportRefused as exc:
        import_audit_refused(path=path, kind=ImportRun.Kind.SYNC, reason=exc.detail)  # not retried: recorded
        link.synced_size, link.synced_mtime_ns, link.last_error = stat.st_size, stat.st_mtime_ns, exc.detail
        link.save(update_fields=["synced_size", "synced_mtime_ns", "last_error"])
        logger.warning("linked file refused: %s", exc.detail)
        return None


class LinkWatcher(threading.Thread):
    """Checks the linked file at start and then every poll_s seconds while the server runs."""

    def __init__(self, *, poll_s: float = DEFAULT_POLL_S, jobs: ImportJobs = JOBS) -> None:
        super().__init__(name="link-watcher", daemon=True)
        self.poll_s, self.jobs = poll_s, jobs
        self.stopped = threading.Event()

    def run(self) -> None:
        at_start = True
        while not self.stopped.is_set():
            try:
                close_old_connections()
                sync_linked_source(jobs=self.jobs, at_start=at_start)
                at_start = False
            except Exception:  # the watcher must outlive a bad moment (database busy, ...)
                logger.exception("checking the linked file failed; will retry")
            finally:
                connection.close()
            self.stopped.wait(self.poll_s)

    def stop(self) -> None:
        self.stopped.set()


def link_detail() -> dict | None:
    """The linked file for the app: path, since when, last sync and its job, last problem."""
    link = linked_source()
    if link is None:
        return None
    return {
        "path": link.path, "linked_at": link.linked_at, "last_sync": link.last_sync_at,
        "last_error": link.last_error or None, "last_job_id": link.last_run_id,
    }


def link_status() -> dict | None:
    """The linked file for the health endpoint: path, last sync time, last problem."""
    link = linked_source()
    if link is None:
        return None
    return {"path": link.path, "last_sync": link.last_sync_at, "last_error": link.last_error or None}
