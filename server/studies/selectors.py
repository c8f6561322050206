"""Reads of studies. Plain functions with keyword-only arguments, so tests and
other services call them directly; the API only translates HTTP to these."""

from __future__ import annotations

from server.core.paging import page_envelope
from server.core.params import clean_text
from server.studies.errors import StudyNotFound
from server.studies.filters import DEFAULT_SORT, StudyFilters
from server.studies.models import Study
from server.studies.schemas import CONTRACT_FIELDS
from server.studies.search_version import search_version
from server.studies.searching import TextIndex, cached, search_plan, text_index

# filters.options key -> Study field
FILTER_OPTION_FIELDS = {
    "exam_statuses": "exam_status",
    "exam_sources": "exam_source",
    "exam_items": "exam_item",
}


def study_filter_options() -> dict[str, list[str]]:
    """Distinct non-empty values of each filter field over all studies, by code point;
    kept in memory until the studies change (where the database tells when)."""
    index = text_index()
    return _filter_options_at(index, None if index is not None else search_version())


def _filter_options_at(index: TextIndex | None, postgres_version: int | None = None) -> dict[str, list[str]]:
    if index is None and postgres_version is None:
        return _filter_options()
    if index is None:  # PostgreSQL (search_version.py): 1M studies took 0.1-0.2 s
        kept = cached(("filter options", "postgresql", postgres_version), _filter_options)
    else:
        kept = cached(("filter options", index.version), _filter_options)
    return {key: list(values) for key, values in kept.items()}  # copies: the kept lists stay as they are


def _filter_options() -> dict[str, list[str]]:
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
    search = search_plan(filters=filters)
    return {
        **page_envelope(
            total=search.total, page=page, page_size=page_size,
            rows=lambda window: search.rows(window, sort=sort, fields=CONTRACT_FIELDS),
        ),
        "filters": _filter_options_at(search.index, search.version),  # the version the search read
    }


def study_detail(*, exam_id: str) -> dict:
    exam_id = clean_text("exam_id", exam_id)
    row = Study.objects.filter(exam_id=exam_id).values(*CONTRACT_FIELDS).first()
    if row is None:
        raise StudyNotFound()
    return row


def study_related(*, exam_id: str, page: int = 1, page_size: int = 20) -> dict:
    """The patient's other studies, newest first: those with the same medical record
    number, or, for a study without one, the same name and age (a weaker match, said
    in matched_by); none when the study has neither."""
    exam_id = clean_text("exam_id", exam_id)
    study = Study.objects.filter(exam_id=exam_id).values("medical_record_no", "patient_name", "patient_age").first()
    if study is None:
        raise StudyNotFound()
    if (study["medical_record_no"] or "").strip():
        matched_by, same = "medical_record_no", {"medical_record_no": study["medical_record_no"]}
    elif (study["patient_name"] or "").strip():
        matched_by = "name_and_age"
        same = {"patient_name": study["patient_name"], "patient_age": study["patient_age"]}
        if study["patient_age"] is None:
            same = {"patient_name": study["patient_name"], "patient_age__isnull": True}
    else:
        matched_by, same = None, None
    others = Study.objects.filter(**same).exclude(exam_id=exam_id) if same else Study.objects.none()
    page_of = page_envelope(
        total=others.count(), page=page, page_size=page_size,
        rows=lambda window: list(others.order_by("-order_datetime", "exam_id").values(*CONTRACT_FIELDS)[window]),
    )
    return {**page_of, "matched_by": matched_by}


def study_count() -> int:
    version = search_version()  # PostgreSQL: kept per version (1M studies: 0.1-0.3 s a count)
    if version is None:
        return Study.objects.count()
    return cached(("study count", "postgresql", version), Study.objects.count)
