"""Writes that need several apps: demo data (server/demo) imported as an ordinary job
(server/imports), for the app's first run."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from server.demo import demo_data_write
from server.imports.auditing import import_audit_refused
from server.imports.errors import ImportBusy
from server.imports.jobs import JOBS, Job
from server.imports.models import ImportRun

DEMO_ROWS_MAX = 100_000  # written while the request waits (100,000 rows: about 4 s); more with demo-data


def demo_import_start(*, rows: int, seed: int = 0) -> Job:
    """Write a demo DuckDB file into the data folder and start importing it as a job.
    Refused at once (ImportBusy) while an import runs: its file must not change under it."""
    folder = Path(settings.DATA_DIR) / "demo"
    path = folder / f"demo-{rows}-{seed}.duckdb"
    running = JOBS.active()
    if running is not None:
        busy = ImportBusy(f"An import is already running (job {running.job_id}); wait for it to finish")
        import_audit_refused(path=path, kind=ImportRun.Kind.IMPORT, reason=busy.detail)
        raise busy
    folder.mkdir(mode=0o700, exist_ok=True)
    demo_data_write(path=path, rows=rows, seed=seed, force=True)
    return JOBS.start(path=path)
