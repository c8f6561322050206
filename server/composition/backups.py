"""Backups that follow imports (server/backups after server/imports): composed here,
so that neither app knows the other."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import connection

from server.backups.jobs import BACKUP_JOBS
from server.imports.jobs import JOBS, Job
from server.imports.models import ImportRun
from server.imports.selectors import import_changed_data


def backup_after_import(job: Job) -> None:
    """After an import job that changed data, an "after-import" backup (as a backup job,
    queued behind any backup being written). SQLite only, as the daily backups."""
    if job.state == ImportRun.State.DONE and connection.vendor == "sqlite" and import_changed_data(job.report):
        BACKUP_JOBS.start(data_dir=Path(settings.DATA_DIR), kind="after-import", queue=True)


def backups_after_imports() -> None:
    """Hook the backups into the import jobs of this process (once; more calls add nothing)."""
    JOBS.after_each(backup_after_import)
