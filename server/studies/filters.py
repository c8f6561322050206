"""The Studies search's filters: a fixed allowlist of fields, each turned into a
parameterised condition. Nothing a client sends becomes SQL text."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from server.core.querying import choose_order, exact_conditions
from server.core.text import text_needle

# Parameters that select studies whose field equals the given value exactly.
EXACT_FILTERS = {"exam_status": "exam_status", "exam_source": "exam_source", "exam_item": "exam_item"}

# The search order; exam_id breaks ties so every match appears on exactly one page.
SEARCH_ORDER = ("-order_datetime", "exam_id")

# The same order, written so that no index can serve it (see choose_order).
# COALESCE of a NOT NULL column changes no value.
SCAN_ORDER = (Coalesce("order_datetime", "order_datetime").desc(), "exam_id")


def search_order(*, q: str, total: int, end: int) -> tuple:
    return choose_order(q=q, total=total, end=end, index_order=SEARCH_ORDER, scan_order=SCAN_ORDER)


def filter_studies(queryset: QuerySet, *, q: str = "", **exact: str) -> QuerySet:
    for condition in exact_conditions(EXACT_FILTERS, exact):
        queryset = queryset.filter(condition)
    needle = text_needle(q)
    if needle is not None:
        queryset = queryset.filter(search_text__instr=needle)
    return queryset
