"""The Reports search's filters: allowlisted fields, parameterised conditions."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from server.core.querying import choose_order, exact_conditions
from server.core.text import text_needle

# parameter -> field: the report's own status, and the linked study's.
EXACT_FILTERS = {"status": "status", "exam_status": "study__exam_status"}

# created_at descending (reports without one last, on every database), then report_id.
SEARCH_ORDER = (F("created_at").desc(nulls_last=True), "report_id")
SCAN_ORDER = (Coalesce("created_at", "created_at").desc(nulls_last=True), "report_id")


def search_order(*, q: str, total: int, end: int) -> tuple:
    return choose_order(q=q, total=total, end=end, index_order=SEARCH_ORDER, scan_order=SCAN_ORDER)


def filter_reports(queryset: QuerySet, *, q: str = "", **exact: str) -> QuerySet:
    for condition in exact_conditions(EXACT_FILTERS, exact):
        queryset = queryset.filter(condition)
    needle = text_needle(q)
    if needle is not None:
        queryset = queryset.filter(Q(search_text__instr=needle) | Q(study__name_text__instr=needle))
    return queryset
