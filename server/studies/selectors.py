"""Reads of studies. Plain functions with keyword-only arguments, so tests and
other services call them directly; the API only translates HTTP to these."""

from __future__ import annotations

from server.core.params import clean_text, page_slice
from server.studies.errors import StudyNotFound
from server.reports.filters import SEARCH_ORDER as REPORT_ORDER
from server.reports.models import Report
from server.reports.selectors import report_rows
from server.studies.filters import DEFAULT_SORT, StudyFilters, search_order
from server.studies.models import Study
from server.studies.schemas import CONTRACT_FIELDS, FULL_FIELDS

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
    window = page_slice(page=page, page_size=page_size)
    rows = []
    if window.start < total:  # past the end: no query with an absurd OFFSET
        order = search_order(q=filters.q, total=total, end=window.stop, sort=sort)
        rows = list(matches.order_by(*order).values(*CONTRACT_FIELDS)[window])
    return {
        "data": rows,
        "total": total,
        "page": page,
        "page_size": page_size,
        "filters": study_filter_options(),
    }


def study_detail(*, exam_id: str) -> dict:
    exam_id = clean_text("exam_id", exam_id)
    row = Study.objects.filter(exam_id=exam_id).values(*CONTRACT_FIELDS).first()
    if row is None:
        raise StudyNotFound()
    return row


def study_full(*, exam_id: str) -> dict:
    """Every stored field of a study: the contract's ten, the four others, the source's
    unnamed columns, its reports (newest first) and where its data came from."""
    exam_id = clean_text("exam_id", exam_id)
    study = (
        Study.objects.filter(exam_id=exam_id)
        .select_related("first_import", "last_import")
        .first()
    )
    if study is None:
        raise StudyNotFound()
    return {
        **{name: getattr(study, name) for name in (*CONTRACT_FIELDS, *FULL_FIELDS)},
        "extra": study.extra,
        "reports": report_rows(Report.objects.filter(study_id=exam_id).order_by(*REPORT_ORDER)),
        "import": {
            "first_imported_at": study.created_at,
            "first_job_id": study.first_import_id,
            "first_file": study.first_import.source_path if study.first_import else None,
            "last_changed_at": study.updated_at,
            "last_job_id": study.last_import_id,
            "last_file": study.last_import.source_path if study.last_import else None,
        },
    }


def study_count() -> int:
    return Study.objects.count()
