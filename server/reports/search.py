"""The reports' q: findings, radiologist and report_id folded here; the linked
study's patient name is matched through its own folded column (Study.name_text)."""

from __future__ import annotations

from collections.abc import Mapping

from server.core.text import folded_fields

SEARCH_FIELDS = ("report_id", "findings", "radiologist")


def report_search_text(values: Mapping[str, object]) -> str:
    return folded_fields(values, SEARCH_FIELDS)
