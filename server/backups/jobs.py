"""Backups the server takes as jobs (POST /api/v1/backups, after an import, daily):
each in a thread, with progress a client polls from memory. Jobs are kept until the
server stops; the backups themselves are listed from their folder."""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from server.backups import auditing
from server.backups.errors import BackupBusy, BackupJobNotFound
from server.backups.retention import AUTOMATIC_KINDS
from server.backups.services import BackupInfo, backup_create, backup_possible, backups_folder, folder_ready
from server.backups.sqlitefile import background_priority
from server.core.errors import DomainError

logger = logging.getLogger("imaging_desk.backups")

KEEP_IN_MEMORY = 50


@dataclass
class BackupJob:
    job_id: int
    kind: str
    status: str = "running"
    progress: int = 0
    backup: BackupInfo | None = None
    error: str | None = None

    def as_dict(self) -> dict:
        return {
            "job_id": self.job_id, "status": self.status, "progress": self.progress,
            "backup": None if self.backup is None else self.backup.as_dict(), "error": self.error,
        }


class BackupJobs:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._jobs: dict[int, BackupJob] = {}

    def running(self) -> BackupJob | None:
        return next((job for job in self._jobs.values() if job.status == "running"), None)

    def start(
        self, *, data_dir: Path, to: Path | str | None = None, kind: str = "manual", queue: bool = False
    ) -> BackupJob:
        """Check the folder (BackupFolderUnusable at once) and take the backup in a thread.
        Before-restore backups are not taken as jobs (backup_restore takes its own).

        A second backup while one runs is refused (BackupBusy), unless queue=True (the
        automatic ones): it then waits for the first to finish."""
        backup_possible()
        # Checked now, so that a folder that cannot take it is refused with the reason.
        folder = folder_ready(backups_folder(data_dir=data_dir) if to is None else to)
        user = auditing.actor()  # the request's user, for the entry the thread writes
        with self._lock:
            running = self.running()
            if running is not None and not queue:
                raise BackupBusy(f"A backup is being written (job {running.job_id}); wait for it to finish")
            job = BackupJob(job_id=next(self._ids), kind=kind)
            self._jobs[job.job_id] = job
            for old_id in sorted(self._jobs)[:-KEEP_IN_MEMORY]:
                if self._jobs[old_id].status != "running":
                    del self._jobs[old_id]
        threading.Thread(
            target=self._work, args=(job, Path(data_dir), folder, user), name=f"backup-{job.job_id}", daemon=True
        ).start()
        return job

    def _work(self, job: BackupJob, data_dir: Path, folder: Path | None, user: str) -> None:
        def progress(percent: int) -> None:
            job.progress = max(job.progress, min(int(percent), 99))

        if job.kind in AUTOMATIC_KINDS:
            background_priority()  # nobody waits for it: the searches go first
        try:
            with auditing.acting(user):
                job.backup = backup_create(data_dir=data_dir, to=folder, kind=job.kind, progress=progress)
            job.progress, job.status = 100, "done"
        except DomainError as exc:
            job.status, job.error = "failed", exc.detail
            logger.warning("backup job %s (%s) failed: %s", job.job_id, job.kind, exc.detail)
        except Exception as exc:  # never leave a job "running" for ever
            logger.exception("backup job %s failed", job.job_id)
            job.status, job.error = "failed", f"Internal error: {exc}"
        finally:
            connection.close()

    def status(self, job_id: int) -> dict:
        job = self._jobs.get(job_id)
        if job is None:
            raise BackupJobNotFound()
        return job.as_dict()

    def wait(self, job_id: int, timeout: float | None = None) -> dict:
        """For tests and the command line: poll until the job ends."""
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self._jobs[job_id].status == "running":
            if deadline is not None and time.monotonic() > deadline:
                break
            time.sleep(0.05)
        return self.status(job_id)


BACKUP_JOBS = BackupJobs()
