"""Each import's one entry in the audit trail (server/audit): what file, its sha256,
what came of it and the counts, or why nothing was kept.

Written where a run's end is written, in the same transaction: a run that ends
done, failed, cancelled or interrupted has exactly one entry, and one refused before
it had a run (the file could not be imported, another import held the database)
has one too.
"""

from __future__ import annotations

from pathlib import Path

from server.audit.services import audit_record
from server.imports.models import RUN_COUNTS, ImportRun
from server.imports.tables import TABLES

_OUTCOME_WORDS = {
    "done": "Imported",
    "failed": "Import failed",
    "cancelled": "Import cancelled",
    "refused": "Import refused",
    "interrupted": "Import interrupted",
}


def _what(kind: str) -> str:
    return "sync of the linked file" if kind == ImportRun.Kind.SYNC else "import"


def import_audit_run(*, run: ImportRun, outcome: str, report: dict | None = None, reason: str | None = None) -> None:
    """The entry of a run that ended: outcome "done" (with its report), "failed",
    "cancelled" or "interrupted" (with the reason)."""
    file = run.source_path
    details = {
        "outcome": outcome, "run_id": run.pk, "kind": run.kind, "file": file,
        "size_bytes": run.source_size, "sha256": run.source_sha256 or None,
    }
    if outcome == "done" and report is not None:
        counts = {name: report.get(name) for name in RUN_COUNTS}
        details["counts"] = counts
        for spec in TABLES[1:]:
            section = report.get(spec.label)
            details[f"{spec.label}_counts"] = (
                None if section is None else {name: section.get(name) for name in RUN_COUNTS if name in section}
            )
        summary = (
            f"{_OUTCOME_WORDS[outcome]} {Path(file).name} ({_what(run.kind)} {run.pk}): "
            f"{counts['source_rows'] or 0:,} rows read, {counts['inserted'] or 0:,} inserted, "
            f"{counts['updated'] or 0:,} updated, {counts['unchanged'] or 0:,} unchanged, "
            f"{counts['quarantined'] or 0:,} quarantined"
        )
    else:
        details["reason"] = reason
        summary = f"{_OUTCOME_WORDS[outcome]}: {Path(file).name} ({_what(run.kind)} {run.pk}): {reason}"
    audit_record(action="import", summary=summary, details=details)


def import_audit_refused(*, path: Path | str, kind: str, reason: str) -> None:
    """The entry of an import refused before it had a run: nothing was read or written."""
    file = str(Path(path).expanduser().absolute())
    details = {
        "outcome": "refused", "run_id": None, "kind": kind, "file": file,
        "size_bytes": None, "sha256": None, "reason": reason,
    }
    audit_record(action="import", summary=f"Import refused: {Path(file).name}: {reason}", details=details)
