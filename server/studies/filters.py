"""The Studies search's filters: a fixed allowlist of fields, each turned into a
parameterised condition. Nothing a client sends becomes SQL text."""

from __future__ import annotations

from django.db.models import Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, StrIndex

from server.core.errors import InvalidParameter
from server.studies.search import SEPARATOR, fold

# Parameters that select studies whose field equals the given value exactly.
EXACT_FILTERS = ("exam_status", "exam_source", "exam_item")

# The search order; exam_id breaks ties so every match appears on exactly one page.
SEARCH_ORDER = ("-order_datetime", "exam_id")

# The same order, written so that no index can serve it. When few studies match q,
# walking the order index means visiting nearly every study by random access until
# a page fills (seconds on a million); a sequential scan and a sort of the few
# matches is many times faster. COALESCE of a NOT NULL column changes no value.
SCAN_ORDER = (Coalesce("order_datetime", "order_datetime").desc(), "exam_id")


def search_order(*, q: str, total: int, end: int) -> tuple:
    """The ORDER BY for a page ending at match number `end` of `total`.

    Exact filters are served by their (field, order) indexes. A q filter is not:
    walking the order index pays off only when the page ends within the first
    tenth of the matches (matches spread evenly in time reach it within a tenth of
    the table); otherwise scan and sort. Both give identical results.
    """
    if q and end * 10 > total:
        return SCAN_ORDER
    return SEARCH_ORDER


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
