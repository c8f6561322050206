"""Reads of the import history and the quarantine."""

from __future__ import annotations

from server.core.params import page_slice
from server.imports.errors import JobNotFound
from server.imports.models import ImportRun, QuarantinedRow

COUNTS = ("source_rows", "inserted", "updated", "unchanged", "duplicates", "quarantined", "not_in_source")


def import_history(*, page: int, page_size: int) -> dict:
    runs = ImportRun.objects.order_by("-id")
    return {
        "data": [
            {
                "job_id": run.pk, "kind": run.kind, "path": run.source_path, "size": run.source_size,
                "sha256": run.source_sha256, "started_at": run.started_at, "finished_at": run.finished_at,
                "outcome": run.state, **{name: getattr(run, name) for name in COUNTS},
                "error": run.error or None,
            }
            for run in runs[page_slice(page=page, page_size=page_size)]
        ],
        "total": runs.count(),
        "page": page,
        "page_size": page_size,
    }


def import_issues(*, job_id: int, page: int, page_size: int) -> dict:
    if not ImportRun.objects.filter(pk=job_id).exists():
        raise JobNotFound()
    rows = QuarantinedRow.objects.filter(run_id=job_id).order_by("source_table", "source_row")
    return {
        "data": [
            {"source_row": row.source_row, "exam_id": row.key, "reason": row.reason,
             "source_table": row.source_table, "raw": row.raw}
            for row in rows[page_slice(page=page, page_size=page_size)]
        ],
        "total": rows.count(),
        "page": page,
        "page_size": page_size,
    }
