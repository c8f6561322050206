"""The analysis task list's filter: allowlisted fields, parameterised conditions, as
the studies' and the reports' (server/core/querying.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from server.core.querying import exact_conditions

EXACT_FILTERS = {"status": "status"}


@dataclass(frozen=True)
class TaskFilters:
    """What selects the tasks; an empty status means "all"."""

    status: str = ""

    def apply(self, queryset: QuerySet) -> QuerySet:
        exact = {name: getattr(self, name) for name in EXACT_FILTERS}
        for condition in exact_conditions(EXACT_FILTERS, exact):
            queryset = queryset.filter(condition)
        return queryset
