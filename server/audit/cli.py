"""`imaging-desk audit`: the trail listed in a terminal, as JSON, or written to CSV."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from server.audit.export import audit_csv_cells
from server.audit.schemas import AuditFilterQuery
from server.audit.selectors import FIELDS, audit_entries
from server.audit.services import audit_record
from server.core.errors import DomainError
from server.core.renderers import dumps


def audit_command(args, *, fail) -> int:
    """List (or write) the entries the options select; fail(message) -> exit code."""
    try:
        query = AuditFilterQuery(action=args.action, user=args.user, since=args.since, until=args.until, q=args.q)
    except DomainError as exc:
        return fail(exc.detail.replace("Invalid parameter: ", "invalid option --"))
    except ValueError as exc:  # pydantic wraps the validators' errors
        cause = next((e.get("ctx", {}).get("error") for e in getattr(exc, "errors", lambda: [])()), None)
        detail = cause.detail if isinstance(cause, DomainError) else str(exc)
        return fail(detail.replace("Invalid parameter: ", "invalid option --"))
    entries = audit_entries(filters=query.to_filters())
    if args.csv:
        return _write_csv(Path(args.csv), entries, query, fail=fail)
    if args.json:
        print(dumps(list(entries)))
        return 0
    shown = 0
    for entry in entries:
        print(f"{entry['at']:%Y-%m-%d %H:%M:%S}  {entry['action']:<11}  {entry['user']}  {entry['summary']}")
        shown += 1
    if shown == 0:
        print("No audit entries match.", file=sys.stderr)
    return 0


def _write_csv(path: Path, entries, query: AuditFilterQuery, *, fail) -> int:
    rows = 0
    try:
        with open(path, "w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(FIELDS)
            for entry in entries:
                writer.writerow(audit_csv_cells(entry))
                rows += 1
    except OSError as exc:
        return fail(f"could not write {path}: {exc.strerror or exc}")
    given = {name: getattr(query, name) for name in AuditFilterQuery.model_fields if getattr(query, name)}
    audit_record(
        action="export",
        summary=f"Exported {rows:,} audit entries to CSV as {path}",
        details={"what": "audit", "format": "csv", "filename": str(path), "filters": given, "rows": rows,
                 "complete": True},
    )
    print(f"Wrote {rows:,} audit entries to {path}")
    return 0
