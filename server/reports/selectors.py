"""Reads of reports, joined to their study for patient_name and exam_item (null for
an orphan, whose study is not stored)."""

from __future__ import annotations

from django.db.models import QuerySet

from server.core.paging import page_envelope
from server.core.params import clean_text
from server.reports.errors import ReportNotFound
from server.reports.filters import SEARCH_ORDER, ReportFilters, search_order
from server.reports.models import Report

# Contract field -> the column it is read from.
COLUMNS = {
    "report_id": "report_id",
    "exam_id": "study_id",
    "patient_name": "study__patient_name",
    "exam_item": "study__exam_item",
    "findings": "findings",
    "radiologist": "radiologist",
    "created_at": "created_at",
    "status": "status",
}


def report_rows(queryset: QuerySet) -> list[dict]:
    """Reports as the search shows them, with their study's patient_name and exam_item."""
    return [dict(zip(COLUMNS, row)) for row in queryset.values_list(*COLUMNS.values())]


def report_filter_options() -> dict[str, list[str]]:
    values = Report.objects.exclude(status__isnull=True).exclude(status="").values_list("status", flat=True)
    return {"statuses": sorted(values.distinct().order_by())}


def report_search(*, filters: ReportFilters = ReportFilters(), page: int = 1, page_size: int = 20) -> dict:
    matches = filters.apply(Report.objects.all())
    total = matches.count()

    def rows(window: slice) -> list[dict]:
        order = search_order(q=filters.q, total=total, end=window.stop)
        return report_rows(matches.order_by(*order)[window])

    return {
        **page_envelope(total=total, page=page, page_size=page_size, rows=rows),
        "filters": report_filter_options(),
    }


def report_rows_of_study(*, exam_id: str) -> list[dict]:
    """A study's reports, in the search's order (newest first)."""
    return report_rows(Report.objects.filter(study_id=exam_id).order_by(*SEARCH_ORDER))


def report_detail(*, report_id: str) -> dict:
    rows = report_rows(Report.objects.filter(report_id=clean_text("report_id", report_id)))
    if not rows:
        raise ReportNotFound()
    return rows[0]

