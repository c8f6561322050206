"""Clinic statistics over the studies a filter selects.

On SQLite they come from the studies' statistics columns held in memory
(statistics_memory.py), except for a q search; otherwise, and on PostgreSQL, the
database computes them: GROUP BY for the counts, window functions for the
turnaround percentiles. Either way the same functions here order the groups, band
the ages, fill the days without studies with zeros and summarise the turnaround."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.db import connection
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber

from server.core.errors import InvalidParameter
from server.studies import statistics_memory
from server.studies.filters import StudyFilters
from server.studies.models import MatchedStudy, Study
from server.studies.schemas import StudyStatisticsOut
from server.studies.search_version import search_version
from server.studies.searching import cached, search_plan, text_index
from server.studies.statistics_memory import CATEGORIES, StudyColumns, study_columns

TOP_ITEMS = 20
# (label, lowest age, highest age); ages outside every band (none, negative) are "unknown".
AGE_BANDS = (("0-17", 0, 17), ("18-39", 18, 39), ("40-64", 40, 64), ("65+", 65, None))
MAX_DAYS = 36_600  # a daily series of more than a hundred years is a mistake, not a chart
TURNAROUND = {
    "order_to_check_in": "minutes_to_check_in",
    "check_in_to_certification": "minutes_to_certification",
    "order_to_certification": "minutes_order_to_certification",
}


def _by_count(groups) -> list[dict]:
    """Groups, largest first; ties by value in code-point order, no value last."""
    ordered = sorted(groups, key=lambda g: (-g[1], g[0] is None, g[0] or ""))
    return [{"value": value, "count": count} for value, count in ordered]


def _counts(matches: QuerySet, field: str) -> list[dict]:
    return _by_count(matches.order_by().values_list(field).annotate(n=Count("*")).values_list(field, "n"))


def _top(matches: QuerySet, field: str, limit: int) -> dict:
    return top_of(_counts(matches, field), limit)


def top_of(counts: list[dict], limit: int) -> dict:
    return {"top": counts[:limit], "other": sum(c["count"] for c in counts[limit:])}


def _age_bands(matches: QuerySet) -> list[dict]:
    """Counted per age by the database (an index walk), then summed per band here:
    a loop over the hundred-odd ages, not over studies."""
    per_age = matches.order_by().values_list("patient_age").annotate(n=Count("*"))
    return bands_of(per_age.values_list("patient_age", "n"))


def bands_of(per_age) -> list[dict]:
    """The age bands' counts from (age, count) pairs."""
    bands = dict.fromkeys([label for label, _, _ in AGE_BANDS] + ["unknown"], 0)
    for age, count in per_age:
        label = next(
            (label for label, low, high in AGE_BANDS
             if age is not None and age >= low and (high is None or age <= high)),
            "unknown",
        )
        bands[label] += count
    return [{"band": label, "count": count} for label, count in bands.items()]


def _daily(matches: QuerySet, filters: StudyFilters) -> list[dict]:
    return days_of(
        dict(matches.order_by().values_list("order_day").annotate(n=Count("*")).values_list("order_day", "n")),
        filters,
    )


def days_of(counts: dict[str, int], filters: StudyFilters) -> list[dict]:
    """Every day of the range (the filters', else the studies'), with its count or 0."""
    first = filters.order_from.date() if filters.order_from else None
    last = (filters.order_before - dt.timedelta(microseconds=1)).date() if filters.order_before else None
    if counts:
        first = first or dt.date.fromisoformat(min(counts))
        last = last or dt.date.fromisoformat(max(counts))
    if first is None or last is None:
        return []  # no studies and no range asked for
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise InvalidParameter(
            "date_from", f"gives a daily series of {days:,} days; narrow the dates to 100 years or less"
        )
    return [
        {"date": day.isoformat(), "count": counts.get(day.isoformat(), 0)}
        for day in (first + dt.timedelta(days=i) for i in range(days))
    ]


def _minutes(value) -> float | None:
    return None if value is None else round(value, 2)


def turnaround_summary(matches: QuerySet, column: str, *, every_study: bool = False) -> dict:
    """count, median, p90 (nearest rank) and max of a turnaround column, in minutes.

    The database finds the values at the ranks asked for (the median's one or two,
    ceil(0.9 n), and n). Over every study it walks the column's index to each rank;
    over a filtered set it ranks the matches with a window function, in one query.
    """
    present = matches.filter(**{f"{column}__isnull": False})
    n = present.count()
    if n == 0:
        return summary_of(0, {})
    ranks = turnaround_ranks(n)
    if every_study:
        ordered = present.order_by(column).values_list(column, flat=True)
        at = {rank: ordered[rank - 1] for rank in ranks}
    else:
        at = dict(
            present.annotate(rank=Window(RowNumber(), order_by=F(column).asc()))
            .filter(rank__in=ranks)
            .values_list("rank", column)
        )
    return summary_of(n, at)


def turnaround_ranks(n: int) -> set[int]:
    """The ranks (from 1, smallest first) of the values a summary of n values needs."""
    return {(n + 1) // 2, (n + 2) // 2, (9 * n + 9) // 10, n}


def summary_of(n: int, at: dict[int, float]) -> dict:
    """count, median, p90 (nearest rank) and max of n values, from those at their ranks."""
    if n == 0:
        return {"count": 0, "median": None, "p90": None, "max": None}
    return {
        "count": n,
        "median": _minutes((at[(n + 1) // 2] + at[(n + 2) // 2]) / 2),
        "p90": _minutes(at[(9 * n + 9) // 10]),
        "max": _minutes(at[n]),
    }


@contextmanager
def _narrowed(matches: QuerySet):
    """The matches' statistics columns in a temporary table, as a queryset; dropped after."""
    columns = [field.name for field in MatchedStudy._meta.fields]
    sql, params = matches.values(*columns).query.sql_with_params()
    table = connection.ops.quote_name(MatchedStudy._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")  # left by a request that died
        cursor.execute(f"CREATE TEMPORARY TABLE {table} AS {sql}", params)
    try:
        yield MatchedStudy.objects.all()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _statistics(matches: QuerySet, filters: StudyFilters, *, every_study: bool) -> dict:
    return {
        "total": matches.count(),
        "by_status": _counts(matches, "exam_status"),
        "by_source": _counts(matches, "exam_source"),
        "by_item": _top(matches, "exam_item", TOP_ITEMS),
        "by_gender": _counts(matches, "patient_gender"),
        "by_age_band": _age_bands(matches),
        "daily_volume": _daily(matches, filters),
        "turnaround_minutes": {
            name: turnaround_summary(matches, column, every_study=every_study)
            for name, column in TURNAROUND.items()
        },
        "by_physician": _counts(matches, "certified_physician"),
    }


def study_statistics(*, filters: StudyFilters = StudyFilters()) -> StudyStatisticsOut:
    """The statistics of the studies the filters select, kept in memory, validated,
    until the studies change (where the database tells when): a dashboard opened
    again costs nothing. Kept as the response schema, which Django Ninja sends without
    validating again: copying and validating the kept dict took 10 of each request's
    12 ms of CPU (1M studies). Shared between requests: never change it. Computed from
    the columns in memory where they are loaded, else by the database
    (_study_statistics)."""
    index = text_index()
    if index is None:
        version = search_version()  # PostgreSQL: kept per version of the studies too
        if version is None:
            return StudyStatisticsOut.model_validate(_study_statistics(filters))
        return cached(
            ("statistics", "postgresql", version, filters),
            lambda: StudyStatisticsOut.model_validate(_study_statistics(filters)),
        )
    return cached(
        ("statistics", index.version, filters),
        lambda: StudyStatisticsOut.model_validate(_statistics_now(filters, index.version)),
    )


def _statistics_now(filters: StudyFilters, version: int) -> dict:
    """From the columns in memory (server/studies/statistics_memory.py) unless q
    needs the texts. Until they are loaded the database answers, and only then are
    they loaded, in the background: loading beside the database's answer made that
    take 2.0 s instead of 1.1 (one source of 1M studies)."""
    if filters.q:
        return _study_statistics(filters)
    columns = study_columns(version=version, load=not statistics_memory.LOAD_IN_BACKGROUND)
    if columns is not None:
        return _statistics_of_columns(columns, filters)
    answer = _study_statistics(filters)
    study_columns(version=version)  # for the next filters
    return answer


def _statistics_of_columns(columns: StudyColumns, filters: StudyFilters) -> dict:
    chosen = columns.select(filters)
    counts = {name: _by_count(columns.counts(name, chosen)) for name in CATEGORIES}
    return {
        "total": int(chosen.sum()),
        "by_status": counts["exam_status"],
        "by_source": counts["exam_source"],
        "by_item": top_of(counts["exam_item"], TOP_ITEMS),
        "by_gender": counts["patient_gender"],
        "by_age_band": bands_of(columns.per_age(chosen)),
        "daily_volume": days_of(columns.per_day(chosen), filters),
        "turnaround_minutes": {
            name: summary_of(*columns.at_ranks(column, chosen, turnaround_ranks))
            for name, column in TURNAROUND.items()
        },
        "by_physician": counts["certified_physician"],
    }


def _study_statistics(filters: StudyFilters) -> dict:
    """By the database. Over every study, each statistic walks its own index. A filter
    would make each of them re-read the matching studies, so the matches are first
    copied, narrow, into a temporary table, and the statistics read that instead
    (0.6 s over all of 1M studies, 1.1 s for one source)."""
    if filters == StudyFilters():
        return _statistics(Study.objects.all(), filters, every_study=True)
    with _narrowed(search_plan(filters=filters).matching()) as narrow:
        return _statistics(narrow, filters, every_study=False)
