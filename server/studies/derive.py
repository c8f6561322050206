"""The columns a study derives from its source fields, computed in one place: every
write calls study_derive (the importer for its rows, server/studies/services.py for
the model's own writes), so a stored study never disagrees with its fields.

search_text: the fields the q search looks in, folded (see server/core/text.py).
name_text: the patient's name alone, folded, which the reports search matches too.
minutes_*: the turnaround intervals, so that statistics find medians through an index.
order_day: the calendar day of order_datetime, for the daily volume series.
"""

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

# Turnaround intervals: derived column, start time, end time.
INTERVALS = (
    ("minutes_to_check_in", "order_datetime", "check_in_datetime"),
    ("minutes_to_certification", "check_in_datetime", "report_certification_datetime"),
    ("minutes_order_to_certification", "order_datetime", "report_certification_datetime"),
)


def minutes_between(start, end) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60


def study_derive(*, values: Mapping[str, object]) -> dict:
    """The derived columns of a study whose source fields are `values` (absent ones are null)."""
    name = values.get("patient_name")
    ordered = values.get("order_datetime")
    return {
        "search_text": folded_fields(values, SEARCH_FIELDS),
        "name_text": "" if name is None else fold(str(name)),
        **{column: minutes_between(values.get(start), values.get(end)) for column, start, end in INTERVALS},
        "order_day": ordered.date().isoformat() if ordered else "",
    }
