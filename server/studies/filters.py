"""The Studies search's filters: a fixed allowlist of fields, each turned into a
parameterised condition. Nothing a client sends becomes SQL text."""

from __future__ import annotations

from django.db.models import Q, QuerySet, TextField, Value
from django.db.models.functions import StrIndex

from server.core.errors import InvalidParameter
from server.studies.search import SEPARATOR, fold

# Parameters that select studies whose field equals the given value exactly.
EXACT_FILTERS = ("exam_status", "exam_source", "exam_item")

# The search order; exam_id breaks ties so every match appears on exactly one page.
SEARCH_ORDER = ("-order_datetime", "exam_id")


def exact_condition(field: str, value: str) -> Q | None:
    """`field = value`, or None when the value is empty (no filter)."""
    if field not in EXACT_FILTERS:
        raise ValueError(f"{field} is not a filterable field")
    if value == "":
        return None
    return Q(**{field: value})


def text_needle(q: str) -> str | None:
    """The folded form of q to look for in search_text, or None for an empty q."""
    if q == "":
        return None
    if SEPARATOR in q:
        raise InvalidParameter("q", "must not contain the control character U+001F")
    return fold(q)


def filter_studies(queryset: QuerySet, *, q: str = "", **exact: str) -> QuerySet:
    for field, value in exact.items():
        condition = exact_condition(field, value)
        if condition is not None:
            queryset = queryset.filter(condition)
    needle = text_needle(q)
    if needle is not None:
        queryset = queryset.alias(
            q_position=StrIndex("search_text", Value(needle, output_field=TextField()))
        ).filter(q_position__gt=0)
    return queryset
