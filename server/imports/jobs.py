"""Import jobs run by the server: one at a time, each in a child process watched by a
thread of the server (server/imports/worker.py), with progress that a client can poll
cheaply (it is read from memory, not from the database), and a way to cancel it."""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import close_old_connections, connection

from server.core.errors import DomainError
from server.imports.auditing import import_audit_refused
from server.imports.errors import ImportBusy, ImportCancelled, JobFinished, JobNotFound
from server.imports.models import ImportRun
from server.imports.progress import import_progress_read
from server.imports.worker import STOP_GRACE_S, import_isolated, import_queue_isolated

logger = logging.getLogger("imaging_desk.imports")

KEEP_IN_MEMORY = 50


@dataclass
class Job:
    job_id: int
    path: Path
    kind: str
    state: str = ImportRun.State.QUEUED
    phase: str = "queued"
    rows_done: int = 0
    rows_total: int = 0
    report: dict | None = None
    error: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event)  # asked to stop
    ended: threading.Event = field(default_factory=threading.Event)  # its thread is done

    @property
    def active(self) -> bool:
        return self.state in (ImportRun.State.QUEUED, ImportRun.State.RUNNING)

    def status(self) -> dict:
        return {
            "state": str(self.state), "phase": self.phase, "rows_done": self.rows_done,
            "rows_total": self.rows_total, "report": self.report, "error": self.error,
        }


class ImportJobs:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[int, Job] = {}
        self._active: Job | None = None
        # Called after every job, as on_finish is: what other apps do once an import has
        # ended (server/composition/backups.py), without the importer knowing them.
        self._after_each: list[Callable[[Job], None]] = []

    def after_each(self, listener: Callable[[Job], None]) -> None:
        """Call listener(job) on the worker thread once each job has ended (added once)."""
        if listener not in self._after_each:
            self._after_each.append(listener)

    def start(
        self,
        *,
        path: Path | str,
        kind: str = ImportRun.Kind.IMPORT,
        on_finish: Callable[[Job], None] | None = None,
        audit_refusal: bool = True,
    ) -> Job:
        """Check the file and start importing it; raises ImportRefused or ImportBusy,
        recorded in the audit trail unless audit_refusal is False (see import_queue).
        on_finish(job) runs on the worker thread once the job is done or failed."""
        with self._lock:
            if self._active is not None and self._active.active:
                busy = ImportBusy(f"An import is already running (job {self._active.job_id}); wait for it to finish")
                if audit_refusal:
                    import_audit_refused(path=path, kind=kind, reason=busy.detail)
                raise busy
            # Another process may hold the database.
            run = import_queue_isolated(path=path, kind=kind, audit_refusal=audit_refusal)
            job = Job(job_id=run.pk, path=Path(run.source_path), kind=kind)
            self._jobs[job.job_id] = job
            self._active = job
            # Finished jobs answer from the history as well; keep only recent ones here.
            for old_id in sorted(self._jobs)[:-KEEP_IN_MEMORY]:
                if not self._jobs[old_id].active:
                    del self._jobs[old_id]
        # In the caller's context: the audit trail names the request's user (server/audit/actor.py).
        threading.Thread(
            target=contextvars.copy_context().run, args=(self._work, job, run, on_finish),
            name=f"import-{job.job_id}", daemon=True,
        ).start()
        return job

    def _work(self, job: Job, run: ImportRun, on_finish: Callable[[Job], None] | None) -> None:
        def progress(phase: str, done: int, total: int) -> None:
            job.state, job.phase, job.rows_done, job.rows_total = ImportRun.State.RUNNING, phase, done, total

        try:
            job.report = import_isolated(run=run, on_progress=progress, cancel=job.cancel)
            job.state, job.phase = ImportRun.State.DONE, "done"
        except ImportCancelled as exc:
            job.state, job.phase, job.error = ImportRun.State.CANCELLED, "cancelled", exc.detail
        except DomainError as exc:
            job.state, job.phase, job.error = ImportRun.State.FAILED, "failed", exc.detail
        except Exception as exc:  # never leave a job "running" for ever
            logger.exception("import job %s failed", job.job_id)
            job.state, job.phase, job.error = ImportRun.State.FAILED, "failed", f"Internal error: {exc}"
        try:
            for listener in [on_finish, *self._after_each]:
                try:
                    if listener is not None:
                        listener(job)
                except Exception:
                    logger.exception("after import job %s", job.job_id)
        finally:
            close_old_connections()
            connection.close()
            job.ended.set()

    def cancel(self, job_id: int) -> dict:
        """Stop a running or queued job; returns its status once its child has ended and
        rolled back (a few seconds at most). Raises JobNotFound or JobFinished."""
        job = self._jobs.get(job_id)
        if job is None:
            run = ImportRun.objects.filter(pk=job_id).first()
            if run is None:
                raise JobNotFound()
            if run.state in (ImportRun.State.QUEUED, ImportRun.State.RUNNING):
                raise JobFinished(
                    f"Import job {job_id} runs in another process (imaging-desk import-duckdb, or another PC); "
                    "stop it there"
                )
            raise JobFinished(f"Import job {job_id} has already ended ({run.state}); there is nothing to cancel")
        if not job.active:
            raise JobFinished(f"Import job {job_id} has already ended ({job.state}); there is nothing to cancel")
        job.cancel.set()
        job.ended.wait(STOP_GRACE_S + 30)
        return job.status()

    def active(self) -> Job | None:
        job = self._active
        return job if job is not None and job.active else None

    def status(self, job_id: int) -> dict:
        job = self._jobs.get(job_id)
        if job is not None:
            return job.status()
        # A job of an earlier server process (or the command line): its history entry.
        run = ImportRun.objects.filter(pk=job_id).first()
        if run is None:
            raise JobNotFound()
        rows = run.source_rows or 0
        status = {
            "state": run.state, "phase": "queued" if run.state == ImportRun.State.QUEUED else run.state,
            "rows_done": rows, "rows_total": rows, "report": run.report, "error": run.error or None,
        }
        if run.state == ImportRun.State.RUNNING and (published := import_progress_read(run_id=run.pk)):
            status.update(published)  # running in another process, or on another PC
        return status


JOBS = ImportJobs()
