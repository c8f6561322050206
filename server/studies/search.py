"""What the Studies search folds (see server/core/text.py for how)."""

from __future__ import annotations

from collections.abc import Mapping

from server.core.text import fold, folded_fields

SEARCH_FIELDS = (
    "exam_id",
    "medical_record_no",
    "application_order_no",
    "patient_name",
    "exam_item",
    "exam_description",
)


def search_text(values: Mapping[str, object]) -> str:
    """The search_text column for a study given its field values."""
    return folded_fields(values, SEARCH_FIELDS)


def name_text(values: Mapping[str, object]) -> str:
    """The patient's name alone, folded: the reports search matches it too."""
    name = values.get("patient_name")
    return "" if name is None else fold(str(name))
