"""The audit trail's filters: a fixed allowlist, each turned into a parameterised
condition. Nothing a client sends becomes SQL text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from server.core.querying import exact_conditions

EXACT_FILTERS = {"action": "action", "user": "user"}


@dataclass(frozen=True)
class AuditFilters:
    """What selects the entries; every field's empty value means "all"."""

    action: str = ""
    user: str = ""
    since: dt.datetime | None = None  # at >= this
    before: dt.datetime | None = None  # at < this (the day after `until`)
    q: str = ""  # in the summary, case-insensitively

    def conditions(self) -> list[Q]:
        conditions = exact_conditions(EXACT_FILTERS, {"action": self.action, "user": self.user})
        if self.since is not None:
            conditions.append(Q(at__gte=self.since))
        if self.before is not None:
            conditions.append(Q(at__lt=self.before))
        if self.q:
            conditions.append(Q(summary__icontains=self.q))
        return conditions

    def apply(self, queryset: QuerySet) -> QuerySet:
        for condition in self.conditions():
            queryset = queryset.filter(condition)
        return queryset


# Newest first: by time, then by the order they were written (an entry kept pending
# while an import held the database is written later, with its own time).
AUDIT_ORDER = ("-at", "-id")
