"""The daily backup while `serve` or the window runs: one thread per process, which
takes an "after-import" backup when an import changed data after the newest backup
(one the server ran has its own already; this catches the commands `import-duckdb`
and `link-duckdb`, whose imports run outside the server), else a "daily" backup
unless the managed folder already has a verified backup of today (manual, daily or
after an import). SQLite only: a shared PostgreSQL server is backed up by its
administrator (or with `imaging-desk backup`), not by every PC that uses it."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.db import close_old_connections, connection

from server.backups.jobs import BACKUP_JOBS, BackupJobs
from server.backups.services import backup_list
from server.clock import local_now
from server.datadir import DB_FILENAME
from server.imports.selectors import import_changed_data_since

logger = logging.getLogger("imaging_desk.backups")

# The first look waits ten minutes, so as not to compete with the start and the first
# searches for the disk (a backup of 1,000,000 studies reads and checks 1.1 GB); then
# once an hour, so a window left open overnight takes the next day's backup.
FIRST_CHECK_S = 600.0
CHECK_EVERY_S = 3600.0
# The backups that make today's daily one unneeded (not a before-restore backup, nor a
# file without its record).
TAKEN_HERE = ("manual", "daily", "after-import")


def _taken_here(*, data_dir: Path) -> list:
    """The verified backups of the managed folder that this schedule counts, newest first."""
    listing = backup_list(data_dir=data_dir)
    return [b for b in listing.backups if b.kind in TAKEN_HERE and b.verified and b.path.parent == listing.folder]


def daily_backup_due(*, data_dir: Path, jobs: BackupJobs = BACKUP_JOBS):
    """Start the backup that is due, after an import or today's daily one; the job, or None."""
    if connection.vendor != "sqlite" or not (Path(data_dir) / DB_FILENAME).exists():
        return None
    taken = _taken_here(data_dir=data_dir)
    if import_changed_data_since(max((b.created_at for b in taken), default=None)):
        return jobs.start(data_dir=data_dir, kind="after-import", queue=True)
    today = local_now().date()
    if any(b.created_at.date() == today for b in taken):
        return None
    return jobs.start(data_dir=data_dir, kind="daily", queue=True)


class DailyBackups(threading.Thread):
    def __init__(
        self, *, data_dir: Path, first_check_s: float = FIRST_CHECK_S, every_s: float = CHECK_EVERY_S,
        jobs: BackupJobs = BACKUP_JOBS,
    ) -> None:
        super().__init__(name="daily-backups", daemon=True)
        self.data_dir, self.first_check_s, self.every_s, self.jobs = Path(data_dir), first_check_s, every_s, jobs
        self.stopped = threading.Event()

    def run(self) -> None:
        wait = self.first_check_s
        while not self.stopped.wait(wait):
            wait = self.every_s
            try:
                close_old_connections()
                job = daily_backup_due(data_dir=self.data_dir, jobs=self.jobs)
                if job is not None:
                    self.jobs.wait(job.job_id)
            except Exception:  # the thread must outlive a bad moment (a folder unplugged, ...)
                logger.exception("the daily backup check failed; will retry")
            finally:
                connection.close()

    def stop(self) -> None:
        self.stopped.set()


_started: DailyBackups | None = None
_started_lock = threading.Lock()


def daily_backups_start(*, data_dir: Path) -> DailyBackups:
    """The process's daily-backup thread, started once (later calls return it)."""
    global _started
    with _started_lock:
        if _started is None or not _started.is_alive():
            _started = DailyBackups(data_dir=data_dir)
            _started.start()
        return _started


def daily_backups_stop() -> None:
    global _started
    with _started_lock:
        if _started is not None:
            _started.stop()
            _started = None
