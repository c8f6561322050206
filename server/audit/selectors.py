"""Reads of the audit trail."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import OperationalError

from server.audit import pending
from server.audit.filters import AUDIT_ORDER, AuditFilters
from server.audit.models import ACTIONS, AuditEntry
from server.core.paging import page_envelope

FIELDS = ("id", "at", "action", "user", "summary", "details")


def _written_pending() -> None:
    """Entries kept while the database was busy, written first where it can be now."""
    try:
        with pending.short_busy_timeout():  # never the 60 s wait of an import's lock
            pending.pending_flush()
    except OperationalError:
        pass  # still busy: they are written later, and listed then


def audit_entries(*, filters: AuditFilters) -> Iterator[dict]:
    """Every matching entry, newest first, as dicts of FIELDS (read in chunks)."""
    _written_pending()
    return filters.apply(AuditEntry.objects.all()).order_by(*AUDIT_ORDER).values(*FIELDS).iterator(chunk_size=2000)


def audit_page(*, filters: AuditFilters, page: int, page_size: int) -> dict:
    """One page of matching entries, newest first, in the project's page envelope."""
    _written_pending()
    matching = filters.apply(AuditEntry.objects.all())
    return page_envelope(
        total=matching.count(), page=page, page_size=page_size,
        rows=lambda window: list(matching.order_by(*AUDIT_ORDER).values(*FIELDS)[window]),
    )


def audit_options() -> dict:
    """The actions an entry can have, and the users the trail names, for the filters."""
    users = sorted(AuditEntry.objects.order_by().values_list("user", flat=True).distinct())
    return {"actions": list(ACTIONS), "users": users}
