"""Reads of studies. Plain functions with keyword-only arguments, so tests and
other services call them directly; the API only translates HTTP to these."""

from __future__ import annotations

from server.core.paging import page_envelope
from server.core.params import clean_text
from server.studies.errors import StudyNotFound
from server.studies.filters import DEFAULT_SORT, StudyFilters, search_order
from server.studies.models import Study
from server.studies.schemas import CONTRACT_FIELDS

# filters.options key -> Study field
FILTER_OPTION_FIELDS = {
    "exam_statuses": "exam_status",
    "exam_sources": "exam_source",
    "exam_items": "exam_item",
}


def study_filter_options() -> dict[str, list[str]]:
    """Distinct non-empty values of each filter field over all studies, by code point."""
    options = {}
    for key, field in FILTER_OPTION_FIELDS.items():
        values = (
            Study.objects.exclude(**{f"{field}__isnull": True})
            .exclude(**{field: ""})
            .values_list(field, flat=True)
            .distinct()
            .order_by()
        )
        # Sorted here, not by the database, whose collation may not be code-point order.
        options[key] = sorted(values)
    return options


def study_search(
    *,
    filters: StudyFilters = StudyFilters(),
    sort: str = DEFAULT_SORT,
    page: int = 1,
    page_size: int = 20,
) -> dict:
    matches = filters.apply(Study.objects.all())
    total = matches.count()

    def rows(window: slice) -> list[dict]:
        order = search_order(q=filters.q, total=total, end=window.stop, sort=sort)
        return list(matches.order_by(*order).values(*CONTRACT_FIELDS)[window])

    return {
        **page_envelope(total=total, page=page, page_size=page_size, rows=rows),
        "filters": study_filter_options(),
    }


def study_detail(*, exam_id: str) -> dict:
    exam_id = clean_text("exam_id", exam_id)
    row = Study.objects.filter(exam_id=exam_id).values(*CONTRACT_FIELDS).first()
    if row is None:
        raise StudyNotFound()
    return row


def study_count() -> int:
    return Study.objects.count()
