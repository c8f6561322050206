"""An import's progress, published where another process or PC can read it.

The process that watches an import (the server's job thread, or `imaging-desk
import-duckdb`) hears its child's progress and publishes it at most once a second:
on PostgreSQL as a row of import_progress, on SQLite as a small file in the data
folder (see ImportProgress). Whoever is refused because that import holds the lock
reads it through the job's status (GET /api/v1/import/jobs/N), which the Import
screen polls. Publishing is best effort: it never fails or slows the import.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

from server.clock import local_now
from server.imports.engine import ProgressFn
from server.imports.models import ImportProgress

logger = logging.getLogger("imaging_desk.imports")

# At most one write a second: 1M rows report about 200 steps, and a reader polls each second.
PUBLISH_EVERY_S = 1.0
PROGRESS_FILE = "import-progress.json"


def _file() -> Path:
    return Path(settings.DATA_DIR) / PROGRESS_FILE


def import_progress_publish(*, run_id: int, phase: str, rows_done: int, rows_total: int) -> None:
    values = {"phase": phase, "rows_done": rows_done, "rows_total": rows_total, "updated_at": local_now()}
    if connection.vendor == "postgresql":
        ImportProgress.objects.update_or_create(run_id=run_id, defaults=values)
        return
    path = _file()
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps({"run_id": run_id, **values}, default=str), encoding="utf-8")
    os.replace(partial, path)


def import_progress_read(*, run_id: int) -> dict | None:
    """{"phase", "rows_done", "rows_total"} last published for the run, or None."""
    if connection.vendor == "postgresql":
        found = ImportProgress.objects.filter(run_id=run_id).values("phase", "rows_done", "rows_total").first()
        return found
    try:
        stored = json.loads(_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("run_id") != run_id:
        return None
    return {name: stored.get(name) for name in ("phase", "rows_done", "rows_total")}


def import_progress_clear(*, run_id: int) -> None:
    if connection.vendor == "postgresql":
        ImportProgress.objects.filter(run_id=run_id).delete()
        return
    try:
        if json.loads(_file().read_text(encoding="utf-8")).get("run_id") == run_id:
            _file().unlink()
    except (OSError, ValueError, AttributeError):
        pass


class ProgressPublisher:
    """on_progress for import_isolated that also publishes (throttled); call end() after."""

    def __init__(self, *, run_id: int, forward: ProgressFn) -> None:
        self.run_id, self.forward = run_id, forward
        self.phase: str | None = None
        self.last = 0.0
        self.failed = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        self.forward(phase, done, total)
        now = time.monotonic()
        if self.failed or (phase == self.phase and now - self.last < PUBLISH_EVERY_S):
            return
        self.phase, self.last = phase, now
        self._quietly(import_progress_publish, phase=phase, rows_done=done, rows_total=total)

    def end(self) -> None:
        if self.phase is not None:
            self._quietly(import_progress_clear)

    def _quietly(self, action, **values) -> None:
        try:
            action(run_id=self.run_id, **values)
        except (OSError, DatabaseError):
            # Once: a full disk or a lost connection must not fail the import it describes.
            self.failed = True
            logger.warning("could not publish the progress of import %s", self.run_id, exc_info=True)
