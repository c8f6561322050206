"""The audit trail as CSV: every matching entry, newest first, streamed; text cells
through the same formula guard as the studies' export (server/core/text.py)."""

from __future__ import annotations

import json

from django.http import StreamingHttpResponse

from server.audit.actor import actor_current
from server.audit.filters import AuditFilters
from server.audit.selectors import FIELDS, audit_entries
from server.audit.services import audit_record
from server.clock import local_now
from server.core.streaming import WatchedStream, csv_pieces
from server.core.text import neutralise


def audit_csv_cells(entry: dict) -> list[str]:
    """One entry's cells: its time as 2025-11-06 10:30:00[.ffffff], details as JSON."""
    cells = []
    for name in FIELDS:
        value = entry[name]
        if name == "at":
            value = value.isoformat(" ")
        elif name == "details":
            value = json.dumps(value, ensure_ascii=False, sort_keys=False)
        elif name == "id":
            value = str(value)
        cells.append(neutralise(value) if value else value)
    return cells


def audit_export(*, filters: AuditFilters, given_filters: dict, filename: str | None = None):
    """The CSV download; recorded in the trail (what: "audit") once sent or cut off."""
    user = actor_current()  # read now: the body is sent after the request's context has ended
    sent = [0]  # entries in the pieces handed to the server so far

    def note_sent(count: int) -> None:
        sent[0] = count

    def on_end(complete: bool) -> None:
        saved = f" as {filename}" if filename else ""
        how = "" if complete else f"; cut off after {sent[0]:,} entries"
        audit_record(
            action="export",
            summary=f"Exported {sent[0]:,} audit entries to CSV{saved}{how}",
            details={
                "what": "audit", "format": "csv", "filename": filename, "filters": given_filters,
                "rows": sent[0], "complete": complete,
            },
            user=user,
        )

    response = StreamingHttpResponse(
        WatchedStream(
            csv_pieces(
                header=FIELDS, rows=map(audit_csv_cells, audit_entries(filters=filters)),
                sent=note_sent,
            ),
            on_end,
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="audit_{local_now():%Y%m%d_%H%M%S}.csv"'
    return response
