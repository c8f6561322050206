"""Reads of the import history and the quarantine."""

from __future__ import annotations

import datetime as dt

from server.core.paging import page_envelope
from server.imports.errors import JobNotFound
from server.imports.models import RUN_COUNTS, ImportRun, QuarantinedRow
from server.reports.layout import REPORT_LAYOUT


def import_history(*, page: int, page_size: int) -> dict:
    runs = ImportRun.objects.order_by("-id")

    def rows(window: slice) -> list[dict]:
        return [
            {
                "job_id": run.pk, "kind": run.kind, "path": run.source_path, "size": run.source_size,
                "sha256": run.source_sha256, "started_at": run.started_at, "finished_at": run.finished_at,
                "outcome": run.state, **{name: getattr(run, name) for name in RUN_COUNTS},
                "error": run.error or None,
            }
            for run in runs[window]
        ]

    return page_envelope(total=runs.count(), page=page, page_size=page_size, rows=rows)


def import_changed_data(report: dict | None) -> bool:
    """Whether an import's report says it inserted or updated anything, in any table."""
    if not report:
        return False
    sections = [report, *(value for value in report.values() if isinstance(value, dict))]
    return any((section.get("inserted") or 0) + (section.get("updated") or 0) > 0 for section in sections)


def import_changed_data_since(when: dt.datetime | None) -> bool:
    """Whether an import that ended after `when` (None: ever) inserted or updated data,
    whoever ran it: the server's jobs or the commands `import-duckdb` and `link-duckdb`."""
    runs = ImportRun.objects.filter(state=ImportRun.State.DONE, finished_at__isnull=False)
    if when is not None:
        runs = runs.filter(finished_at__gt=when)
    return any(import_changed_data(report) for report in runs.values_list("report", flat=True).iterator())


def _raw_value(raw: dict, column: str):
    """A column of a quarantined row, found as DuckDB finds it: in any case."""
    return next((value for name, value in raw.items() if name.lower() == column), None)


def quarantined_item(row: QuarantinedRow) -> dict:
    """A quarantined row for the API: the exam_id it names (a report's too) and, for
    a report, its report_id."""
    is_report = row.source_table.lower() == REPORT_LAYOUT.table
    return {
        "source_row": row.source_row,
        "exam_id": _raw_value(row.raw, "exam_id") if is_report else row.key,
        "report_id": row.key if is_report else None,
        "reason": row.reason,
        "source_table": row.source_table,
        "raw": row.raw,
    }


def import_issues(*, job_id: int, page: int, page_size: int) -> dict:
    if not ImportRun.objects.filter(pk=job_id).exists():
        raise JobNotFound()
    # Examinations first, then reports: the order the import reads them.
    rows = QuarantinedRow.objects.filter(run_id=job_id).order_by("id")
    return page_envelope(
        total=rows.count(), page=page, page_size=page_size,
        rows=lambda window: [quarantined_item(row) for row in rows[window]],
    )
