"""The columns a report derives from its source fields, computed in one place: every
write calls report_derive (the importer and server/reports/services.py).

search_text: findings, radiologist and report_id, folded; the linked study's patient
name is matched through its own folded column (Study.name_text).
"""

from __future__ import annotations

from collections.abc import Mapping

from server.core.text import folded_fields

SEARCH_FIELDS = ("report_id", "findings", "radiologist")


def report_derive(*, values: Mapping[str, object]) -> dict:
    """The derived columns of a report whose source fields are `values`."""
    return {"search_text": folded_fields(values, SEARCH_FIELDS)}
