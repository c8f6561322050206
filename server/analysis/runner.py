"""The server's small worker pool for analysis tasks (no Celery: one process, a few threads).

Progress lives in memory while a task runs, so that a client can watch it without
the task writing to the database at every step; the database gets each change of
status. A deleted task is cancelled at its next progress step and never written again.
"""

from __future__ import annotations

import contextvars
import logging
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import close_old_connections, connection

from server.analysis.base import AnalysisContext
from server.analysis.errors import AnalysisError, Cancelled
from server.analysis.models import AnalysisTask
from server.analysis.registry import ANALYSIS_TYPES
from server.clock import local_now

logger = logging.getLogger("imaging_desk.analysis")

INTERRUPTED = "interrupted"
WORKERS = 2


def this_worker() -> str:
    return f"{socket.gethostname()} {os.getpid()}"


@dataclass
class Live:
    status: str
    progress: int
    cancelled: bool = False


class TaskRunner:
    def __init__(self, workers: int = WORKERS) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="analysis")
        self._lock = threading.Lock()
        self._live: dict[int, Live] = {}

    def submit(self, task_id: int) -> None:
        with self._lock:
            self._live[task_id] = Live(AnalysisTask.Status.PENDING, 0)
        # In the caller's context: the audit trail names the request's user (server/audit/actor.py).
        self._pool.submit(contextvars.copy_context().run, self._run, task_id)

    def live(self, task_id: int) -> Live | None:
        return self._live.get(task_id)

    def cancel(self, task_id: int) -> None:
        with self._lock:
            if task_id in self._live:
                self._live[task_id].cancelled = True

    def _run(self, task_id: int) -> None:
        close_old_connections()
        live = self._live[task_id]
        task = None
        try:
            if live.cancelled:
                raise Cancelled()
            task = AnalysisTask.objects.select_related("study").filter(pk=task_id).first()
            if task is None:
                raise Cancelled()
            analysis = ANALYSIS_TYPES[task.analysis_type]
            live.status = AnalysisTask.Status.RUNNING
            AnalysisTask.objects.filter(pk=task_id).update(
                status=AnalysisTask.Status.RUNNING, started_at=local_now(), worker=this_worker()
            )

            def progress(percent: int) -> None:
                if live.cancelled:
                    raise Cancelled()
                live.progress = max(live.progress, min(int(percent), 99))

            progress(5)
            results = analysis.run(AnalysisContext(study=task.study, progress=progress))
            self._finish(task_id, AnalysisTask.Status.COMPLETED, results, 100)
            _audit(task, "completed")
        except Cancelled:
            # Its record is gone: nothing to write but the audit entry of one that ran.
            if task is not None and live.status == AnalysisTask.Status.RUNNING:
                _audit(task, "cancelled")
        except AnalysisError as exc:
            self._finish(task_id, AnalysisTask.Status.FAILED, {"error": exc.detail}, live.progress)
            _audit(task, "failed", exc.detail)
        except Exception as exc:
            logger.exception("analysis task %s failed", task_id)
            error = f"internal error: {type(exc).__name__}"
            self._finish(task_id, AnalysisTask.Status.FAILED, {"error": error}, live.progress)
            if task is not None:
                _audit(task, "failed", error)
        finally:
            with self._lock:
                self._live.pop(task_id, None)
            connection.close()

    @staticmethod
    def _finish(task_id: int, status: str, results: dict, progress: int) -> None:
        # update(), not save(): a task deleted meanwhile must stay deleted.
        AnalysisTask.objects.filter(pk=task_id).update(
            status=status, results=results, progress=progress, completed_at=local_now()
        )


def _audit(task: AnalysisTask, outcome: str, error: str | None = None) -> None:
    """The task's one entry in the audit trail, once it has run (or stopped)."""
    from server.audit.services import audit_record

    try:
        audit_record(
            action="analysis",
            summary=f"Analysis {task.analysis_type} of study {task.study_id} (task {task.pk}): {outcome}"
            + (f": {error}" if error else ""),
            details={
                "task_id": task.pk, "kind": task.analysis_type, "parameters": {"exam_id": task.study_id},
                "outcome": outcome, "error": error,
            },
        )
    except Exception:  # the task's own outcome is written; never let its entry undo that
        logger.exception("could not record analysis task %s in the audit trail", task.pk)


RUNNER = TaskRunner()


def recover_tasks() -> tuple[int, int]:
    """At server start: fail the tasks a previous server on this PC left running
    ("interrupted"), and queue again those it never started. Returns (failed, queued)."""
    host = socket.gethostname()
    mine = AnalysisTask.objects.filter(worker__startswith=f"{host} ")
    # Read before writing: on SQLite even an UPDATE of no row waits for the write lock,
    # and an import (`imaging-desk import-duckdb`) holds it for its whole transaction:
    # a server started beside one waited for its end (42 s for 300,000 studies).
    if not mine.filter(status__in=[AnalysisTask.Status.RUNNING, AnalysisTask.Status.PENDING]).exists():
        return 0, 0
    failed = mine.filter(status=AnalysisTask.Status.RUNNING).update(
        status=AnalysisTask.Status.FAILED, results={"error": INTERRUPTED}, completed_at=local_now()
    )
    pending = list(mine.filter(status=AnalysisTask.Status.PENDING).values_list("pk", flat=True))
    mine.filter(pk__in=pending).update(worker=this_worker())
    for task_id in pending:
        RUNNER.submit(task_id)
    return failed, len(pending)
