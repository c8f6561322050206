"""How a Studies search is answered fast: the exact total and the page's rows, each
by the cheapest of several ways that all give what a plain scan would give.

The total:
- exact filters and whole days alone: summed from the rollup;
- q alone: counted in the text index (three characters or more: a phrase; two: a
  union of the trigrams they begin), or read from the per-character counts (one);
- q with filters: over the text index's candidates or over the filtered studies,
  whichever is smaller;
- anything else, and every database without the index: counted by the database.
Totals are kept in memory per version of the studies (search_index.py; on
PostgreSQL search_version.py), so the same search costs its count once until the
studies change.

The rows: by walking the sort's index while the matches are dense enough to fill
the page soon, from the end for pages past the middle; else by sorting the text
index's candidates; else by scanning and sorting every match. Whichever way, the
order is the sort's with exam_id as tie-breaker, and instr() checks the text.

A planner's mistake can only cost time: property tests (tests/test_studies_fast_paths.py)
compare every way with the plain scan.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

from django.db import connection
from django.db.models import QuerySet, Sum
from django.db.models.expressions import RawSQL

from server.core.text import SEPARATOR, text_needle
from server.studies import search_index
from server.studies.filters import DEFAULT_SORT, SORTS, StudyFilters
from server.studies.models import Study, StudyRollup
from server.studies.search_version import search_version

# What reading a page costs, per study read, relative to one step along an index
# (0.45 us at 1M studies, warm: q=léa lefèvre's first page walks 5,212 studies in
# 2.3 ms). A candidate of the text index costs ten (the phrase query, the row's
# lookup, the sort: its 3,837 candidates took 23 ms), four when its number is kept;
# a scan's study, a tenth (sequential, while a walk's rows lie anywhere: walking
# every study for one match took 2.7 s, scanning them 0.5 s).
WALK_COST, CANDIDATE_COST, KEPT_CANDIDATE_COST, SCAN_COST = 1.0, 10.0, 4.0, 0.1
MAX_UNION_TERMS = 5_000  # a two-character union of more trigrams is counted by a scan
CACHE_SIZE = 512
FEW = 1_000  # matches whose numbers a search keeps (see TextIndex.few)
MAX_SPARSE_CHAR = 50_000  # studies holding a character, to list the trigrams it begins
DEFERRED_PAGE_START = 1_000  # PostgreSQL: from this match on, a page's exam IDs first (_page)


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@dataclass(frozen=True)
class TextIndex:
    """The text index at one version of the studies."""

    version: int
    chars_current: bool

    def match(self, needle: str) -> str | None:
        """The MATCH expression of the studies whose text holds needle, if there is one."""
        if len(needle) >= 3:
            return _phrase(needle)
        if len(needle) == 1 and self.chars_current:
            # The trigrams a character begins, listed by the index itself: cheap for
            # a rare character (李: 2 ms), not for a common one (a: 120 ms).
            studies = self.count(needle)
            if studies <= MAX_SPARSE_CHAR:
                terms = cached(("terms", self.version, needle), lambda: _terms_beginning(needle))
                if 0 < len(terms) <= MAX_UNION_TERMS:
                    return " OR ".join(map(_phrase, terms))
        if len(needle) == 2 and self.chars_current:
            # Every pair of characters begins a trigram: the texts end with two U+001F.
            terms = [needle + c for c in self._alphabet()] + [needle + SEPARATOR]
            if len(terms) <= MAX_UNION_TERMS:
                return " OR ".join(map(_phrase, terms))
        return None

    def count(self, needle: str) -> int | None:
        """How many studies hold needle, or None when the index cannot say cheaply."""
        if len(needle) == 1:
            if not self.chars_current:
                return None
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT studies FROM {search_index.CHARS} WHERE ch = %s", [needle])
                found = cursor.fetchone()
            return found[0] if found else 0
        match = self.match(needle)
        if match is None:
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {search_index.TEXT_INDEX} WHERE {search_index.TEXT_INDEX} MATCH %s", [match]
            )
            return cursor.fetchone()[0]

    def few(self, needle: str) -> tuple[int, ...] | None:
        """The numbers (search_rowid) of the studies whose text holds needle, when
        there are at most FEW: kept with the total, they find a repeated search's
        page without asking the text index again (an order number: 24 ms)."""
        if len(needle) == 1 and (self.count(needle) or 0) > FEW:
            return None
        match = self.match(needle)
        if match is None:
            return None
        table = search_index.TEXT_INDEX
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH %s LIMIT %s", [match, FEW + 1])
            rowids = tuple(row[0] for row in cursor.fetchall())
        return rowids if len(rowids) <= FEW else None

    def candidates(self, queryset: QuerySet, needle: str, few: tuple[int, ...] | None = None) -> QuerySet | None:
        if few:  # none kept: the index is asked (an IN () would not compile to SQL)
            # One JSON parameter, not one per number: Django prepares each parameter in
            # Python, which took 5 ms of a request's 12 ms of CPU for 947 numbers (王伟).
            return queryset.filter(search_rowid__in=RawSQL("SELECT value FROM json_each(%s)", [json.dumps(few)]))
        match = self.match(needle)
        if match is None:
            return None
        table = search_index.TEXT_INDEX
        return queryset.filter(search_rowid__in=RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [match]))

    def _alphabet(self) -> list[str]:
        return cached(("alphabet", self.version), _read_alphabet)


def _terms_beginning(char: str) -> list[str]:
    # Terms (trigrams) compare as UTF-8 bytes, that is by code point: those that
    # begin with char lie between char and char followed by the last code points.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term FROM {search_index.TERMS} WHERE term >= %s AND term <= %s",
            [char, char + "\U0010ffff" * 2],
        )
        return [row[0] for row in cursor.fetchall()]


def _read_alphabet() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ch FROM {search_index.CHARS}")
        return [row[0] for row in cursor.fetchall()]


_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


def cached(key, compute):
    """compute() once per key; keys carry the studies' version, so a change of the
    studies makes every older entry unreachable (and the oldest are dropped)."""
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = compute()
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def text_index() -> TextIndex | None:
    if not search_index.available():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version, chars_version FROM {search_index.STATE}")
        version, chars_version = cursor.fetchone()
    return TextIndex(version=version, chars_current=chars_version == version)


def _rollup_count(filters: StudyFilters) -> int | None:
    """The number of studies the filters select, from the rollup, when it can say."""
    if filters.patient_age_min is not None or filters.patient_age_max is not None:
        return None
    bounds = [b for b in (filters.order_from, filters.order_before) if b is not None]
    if any(b.hour or b.minute or b.second or b.microsecond for b in bounds):
        return None  # a bound within a day: the rollup counts whole days
    rows = StudyRollup.objects.all()
    for condition in filters.exact_conditions():
        rows = rows.filter(condition)
    if filters.order_from is not None:
        rows = rows.filter(order_day__gte=filters.order_from.date().isoformat())
    if filters.order_before is not None:
        rows = rows.filter(order_day__lt=filters.order_before.date().isoformat())
    return rows.aggregate(n=Sum("studies"))["n"] or 0


@dataclass
class Search:
    """One search's plan: its total, and what the rows are read by."""

    filters: StudyFilters
    index: TextIndex | None
    total: int = 0
    selected: int = 0  # studies the filters other than q select
    text_matches: int | None = None  # studies whose text holds q (q alone)
    few: tuple[int, ...] | None = None  # their numbers (on PostgreSQL, exam IDs), when they are few
    version: int | None = None  # PostgreSQL: the studies' version counted at (search_version.py)

    @property
    def needle(self) -> str | None:
        return text_needle(self.filters.q)

    def matches(self) -> QuerySet:
        return self.filters.apply(Study.objects.all())

    def matching(self) -> QuerySet:
        """Every study the filters select, read through the text index's candidates
        when they are fewer than a scan would read (statistics, exports)."""
        matches, needle = self.matches(), self.needle
        if needle is None or self.index is None or self.text_matches is None:
            return matches
        if _candidate_cost(self.text_matches, self.few) < _scan_cost(self.filters, self.selected):
            candidates = self.index.candidates(matches, needle, self.few)
            if candidates is not None:
                return candidates
        return matches

    def rows(self, window: slice, *, sort: str, fields: tuple[str, ...]) -> list[dict]:
        index_order, scan_order = SORTS[sort]
        if self.index is None and self.few is not None and sort == DEFAULT_SORT:
            # PostgreSQL, few matches, kept in this order (_postgres_counts): the page's
            # exam IDs are known, and only its rows are read.
            page = Study.objects.filter(exam_id__in=RawSQL("SELECT unnest(%s::text[])", [list(self.few[window])]))
            return list(page.order_by(*scan_order).values(*fields))
        # A page past the middle is read from the end, in the opposite order.
        backwards = window.start > self.total - window.stop
        stop = self.total - window.start if backwards else window.stop
        queryset, order = self.filters.apply(Study.objects.all(), age_index=False), index_order
        needle = self.needle
        if needle is not None:
            walk = stop * self.selected / max(self.total, 1) * WALK_COST
            scan = _scan_cost(self.filters, self.selected)
            candidates = None
            if self.index is None and self.few is not None:  # PostgreSQL (_postgres_counts)
                # One array parameter, not one per exam ID (Django prepares each in Python).
                candidates = queryset.filter(exam_id__in=RawSQL("SELECT unnest(%s::text[])", [list(self.few)]))
            elif self.index is not None and self.text_matches is not None:
                if _candidate_cost(self.text_matches, self.few) < min(walk, scan):
                    candidates = self.index.candidates(queryset, needle, self.few)
            if candidates is not None:
                queryset, order = candidates, scan_order
            elif scan < walk:
                order = scan_order
        postgres = self.index is None
        if backwards:
            start = self.total - window.stop
            found = _page(queryset, order, slice(max(start, 0), stop), fields, postgres=postgres, reverse=True)
            return found[::-1]
        return _page(queryset, order, window, fields, postgres=postgres)


def _page(
    queryset: QuerySet, order: tuple, window: slice, fields: tuple[str, ...], *, postgres: bool, reverse: bool = False
) -> list[dict]:
    """The rows of window. On PostgreSQL, far from both ends, the exam IDs are found
    first and then only the page's rows are read: past 10,000 studies of the order's
    index, that is 10,000 index entries (once VACUUM has marked the table's pages
    all-visible) rather than 10,000 rows (page 500 of 1M: 12.5 ms)."""
    def ordered(rows: QuerySet) -> QuerySet:
        rows = rows.order_by(*order)
        return rows.reverse() if reverse else rows

    if not postgres or window.start < DEFERRED_PAGE_START or connection.vendor != "postgresql":
        return list(ordered(queryset).values(*fields)[window])
    exam_ids = ordered(queryset).values("exam_id")[window]
    return list(ordered(Study.objects.filter(exam_id__in=exam_ids)).values(*fields))


def _scan_cost(filters: StudyFilters, selected: int) -> float:
    """Reading every study the other filters select, to check q: sequential over the
    whole table, but along a filter's index otherwise, row by row like a walk (q=李
    with one source: 2.7 s for its 240k studies, cold, against 0.1 s through the
    text index's 17,929 candidates)."""
    alone = replace(filters, q="") == StudyFilters()
    return selected * (SCAN_COST if alone else WALK_COST)


def _candidate_cost(matches: int, few: tuple[int, ...] | None) -> float:
    return matches * (KEPT_CANDIDATE_COST if few else CANDIDATE_COST)


def search_plan(*, filters: StudyFilters) -> Search:
    index = text_index()
    search = Search(filters=filters, index=index)
    if index is None:
        # PostgreSQL: counted by the database (the trigram index serves q), once per
        # version of the studies (search_version.py); 1M studies took 45-60 ms.
        search.version = version = search_version()
        if version is None:
            search.total = search.selected = search.matches().count()
        else:
            search.total, search.few = cached(("count", version, filters), lambda: _postgres_counts(search))
            search.selected = search.total
        return search
    plan = cached(("plan", index.version, filters), lambda: _plan_counts(search))
    search.total, search.selected, search.text_matches, search.few = plan
    return search


def _postgres_counts(search: Search) -> tuple[int, tuple[str, ...] | None]:
    """PostgreSQL: the total and, for a q with at most FEW matches, their exam IDs,
    from which a repeated search's page is read (an exam ID: the trigram index
    reads long lists for its common trigrams, "000", "ex0"; two Chinese characters:
    no trigram, and the order's index walked over 20,000 studies for a page)."""
    matches = search.matches()
    if search.needle is None:
        return matches.count(), None
    few = list(matches.order_by().values_list("exam_id", flat=True)[: FEW + 1])
    if len(few) <= FEW:
        # In the default order, whose pages are then read by exam ID (Search.rows).
        kept = Study.objects.filter(exam_id__in=RawSQL("SELECT unnest(%s::text[])", [few]))
        return len(few), tuple(kept.order_by(*SORTS[DEFAULT_SORT][1]).values_list("exam_id", flat=True))
    return matches.count(), None


def _plan_counts(search: Search) -> tuple[int, int, int | None, tuple[int, ...] | None]:
    filters, index, needle = search.filters, search.index, search.needle
    rest = replace(filters, q="")
    selected = _rollup_count(rest) if rest != StudyFilters() else Study.objects.count()
    if selected is None:
        selected = rest.apply(Study.objects.all()).count()
    if needle is None:
        return selected, selected, None, None
    few = index.few(needle)
    text_matches = len(few) if few is not None else index.count(needle)
    if rest == StudyFilters() and text_matches is not None:
        return text_matches, selected, text_matches, few
    matches = search.matches()
    if text_matches is not None and _candidate_cost(text_matches, few) < _scan_cost(filters, selected):
        candidates = index.candidates(matches, needle, few)
        if candidates is not None:
            return candidates.count(), selected, text_matches, few
    return matches.count(), selected, text_matches, few
