"""The audit trail as CSV: every matching entry, newest first, streamed; text cells
through the same formula guard as the studies' export (server/core/text.py)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

from server.audit.actor import actor_current
from server.audit.filters import AuditFilters
from server.audit.selectors import FIELDS, audit_entries
from server.audit.services import audit_record
from server.clock import local_now
from server.core.streaming import WatchedStream
from server.core.text import neutralise

PIECE_CHARS = 2_048


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


def _pieces(entries: Iterable[dict], sent: list[int]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(FIELDS)
    for entry in entries:
        writer.writerow(audit_csv_cells(entry))
        sent[1] += 1
        if buffer.tell() >= PIECE_CHARS:
            sent[0] = sent[1]
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    sent[0] = sent[1]
    if text := buffer.getvalue():
        yield text.encode("utf-8")


def audit_export(*, filters: AuditFilters, given_filters: dict, filename: str | None = None):
    """The CSV download; recorded in the trail (what: "audit") once sent or cut off."""
    user = actor_current()  # read now: the body is sent after the request's context has ended
    sent = [0, 0]  # rows in pieces handed to the server, rows written

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
        WatchedStream(_pieces(audit_entries(filters=filters), sent), on_end), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="audit_{local_now():%Y%m%d_%H%M%S}.csv"'
    return response
