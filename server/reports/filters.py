"""The Reports search's filters and order: allowlisted fields, each turned into a
parameterised condition, as the studies' (server/studies/filters.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from server.core.querying import choose_order, exact_conditions
from server.core.text import text_needle
from server.core.trigram import TrigramIndex

# parameter -> field: the report's own status, and the linked study's.
EXACT_FILTERS = {"status": "status", "exam_status": "study__exam_status"}

# created_at descending (reports without one last, on every database), then report_id.
SEARCH_ORDER = (F("created_at").desc(nulls_last=True), "report_id")
SCAN_ORDER = (Coalesce("created_at", "created_at").desc(nulls_last=True), "report_id")

# On PostgreSQL, what serves q over the report's text (server/core/trigram.py); the
# patient's name is the studies' (server/studies/filters.py). Created by migration 0003.
TRIGRAM_INDEXES = (TrigramIndex(name="report_text_trgm", table="report", column="search_text"),)


def search_order(*, q: str, total: int, end: int) -> tuple:
    return choose_order(q=q, total=total, end=end, index_order=SEARCH_ORDER, scan_order=SCAN_ORDER)


@dataclass(frozen=True)
class ReportFilters:
    """What selects the reports; every field's empty value means "all"."""

    q: str = ""
    status: str = ""
    exam_status: str = ""

    def apply(self, queryset: QuerySet) -> QuerySet:
        exact = {name: getattr(self, name) for name in EXACT_FILTERS}
        for condition in exact_conditions(EXACT_FILTERS, exact):
            queryset = queryset.filter(condition)
        needle = text_needle(self.q)
        if needle is not None:
            queryset = queryset.filter(Q(search_text__instr=needle) | Q(study__name_text__instr=needle))
        return queryset
