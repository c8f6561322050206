"""Clinic statistics from the studies' statistics columns, held in memory as numpy
arrays, one copy per version of the studies (server/studies/search_index.py).

The database answers the statistics of one source of 1M studies in 1.1 s (it
copies the 240k matches, then groups and ranks them a dozen times); the arrays
answer any combination of the exact filters, ages and dates in tens of
milliseconds, because each filter is one comparison over an array and each count
one bincount. Loading them reads the eleven columns once (3-4 s for 1M studies,
in the background; 64 MB), in one read transaction with the version, so they are
exactly the studies of that version. Only SQLite tells versions; a q search, which needs
the text, is answered by the database.

The figures are assembled by the same functions as the database's
(server/studies/statistics.py), and the percentiles are the values at the same
ranks (numpy.partition, exact): tests/test_studies_fast_paths.py compares both.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction

from server.studies import search_index
from server.studies.filters import StudyFilters

logger = logging.getLogger("imaging_desk.statistics")
CATEGORIES = ("exam_status", "exam_source", "exam_item", "patient_gender", "certified_physician")
MINUTES = ("minutes_to_check_in", "minutes_to_certification", "minutes_order_to_certification")
NO_AGE = np.iinfo(np.int64).min  # an age nobody has: null


@dataclass(frozen=True)
class StudyColumns:
    version: int
    codes: dict[str, np.ndarray]  # per category: each study's index into values[category]
    values: dict[str, list]  # per category: the distinct values (None among them)
    age: np.ndarray  # int64, NO_AGE where null
    day: np.ndarray  # each study's index into days
    days: list[str]
    ordered: np.ndarray  # order_datetime, datetime64[us]
    minutes: dict[str, np.ndarray]  # float64, NaN where null

    def select(self, filters: StudyFilters) -> np.ndarray:
        """A boolean mask of the studies the filters (other than q) select."""
        chosen = np.ones(len(self.age), dtype=bool)
        for name in ("exam_status", "exam_source", "exam_item"):
            wanted = [v for v in getattr(filters, name) if v != ""]
            if wanted:
                chosen &= np.isin(self.codes[name], self._codes_of(name, wanted))
        if filters.patient_gender:
            chosen &= np.isin(self.codes["patient_gender"], self._codes_of("patient_gender", [filters.patient_gender]))
        if filters.patient_age_min is not None:
            chosen &= (self.age != NO_AGE) & (self.age >= filters.patient_age_min)
        if filters.patient_age_max is not None:
            chosen &= (self.age != NO_AGE) & (self.age <= filters.patient_age_max)
        if filters.order_from is not None:
            chosen &= self.ordered >= np.datetime64(filters.order_from, "us")
        if filters.order_before is not None:
            chosen &= self.ordered < np.datetime64(filters.order_before, "us")
        return chosen

    def _codes_of(self, name: str, wanted: list[str]) -> np.ndarray:
        index = {value: code for code, value in enumerate(self.values[name])}
        return np.array([index[v] for v in wanted if v in index], dtype=np.int64)

    def counts(self, name: str, chosen: np.ndarray) -> list[tuple[object, int]]:
        """(value, count) of the chosen studies, for the values that have any."""
        tally = np.bincount(self.codes[name][chosen], minlength=len(self.values[name]))
        return [(self.values[name][code], int(tally[code])) for code in np.flatnonzero(tally)]

    def per_age(self, chosen: np.ndarray) -> list[tuple[int | None, int]]:
        ages = self.age[chosen]
        known = ages[ages != NO_AGE]
        pairs: list[tuple[int | None, int]] = []
        if len(known):
            low, high = int(known.min()), int(known.max())
            if high - low <= 100_000:  # a bincount, 10x faster than sorting them
                tally = np.bincount(known - low)
                pairs = [(low + int(i), int(tally[i])) for i in np.flatnonzero(tally)]
            else:  # ages no person has: counted all the same
                values, counts = np.unique(known, return_counts=True)
                pairs = [(int(a), int(n)) for a, n in zip(values, counts)]
        if len(known) < len(ages):
            pairs.append((None, len(ages) - len(known)))
        return pairs

    def per_day(self, chosen: np.ndarray) -> dict[str, int]:
        tally = np.bincount(self.day[chosen], minlength=len(self.days))
        return {self.days[code]: int(tally[code]) for code in np.flatnonzero(tally)}

    def at_ranks(self, column: str, chosen: np.ndarray, ranks) -> tuple[int, dict[int, float]]:
        """How many chosen studies have the column, and its values at the ranks (from 1)."""
        values = self.minutes[column][chosen]
        values = values[~np.isnan(values)]
        n = len(values)
        if n == 0:
            return 0, {}
        wanted = sorted(ranks(n))
        parted = np.partition(values, [r - 1 for r in wanted])
        return n, {r: float(parted[r - 1]) for r in wanted}


# Loading takes seconds (3-4 s for 1M studies), so a server loads in the background
# and the database answers meanwhile; tests load in the request, since a test's
# rows are in its open transaction, which another connection cannot see.
LOAD_IN_BACKGROUND = True

_lock = threading.Lock()
_loaded: StudyColumns | None = None
_loading = False


def study_columns(*, version: int, load: bool = True) -> StudyColumns | None:
    """The columns at this version if they are loaded, else None (also where versions
    are not told). With load, they are loaded: in the background on a server, so None
    meanwhile; now in a test."""
    global _loaded, _loading
    if not search_index.available():
        return None
    with _lock:
        if _loaded is not None and _loaded.version == version:
            return _loaded
        if not load:
            return None
        if LOAD_IN_BACKGROUND:
            if not _loading:
                _loading = True
                threading.Thread(target=_load_in_background, name="statistics-columns", daemon=True).start()
            return None
    loaded = _load()
    with _lock:
        _loaded = loaded
    return loaded if loaded.version == version else None  # else the studies changed meanwhile


def _load_in_background() -> None:
    global _loaded, _loading
    try:
        started = time.perf_counter()
        loaded = _load()
        with _lock:
            _loaded = loaded
        logger.info("statistics columns loaded: %d studies in %.1f s", len(loaded.age), time.perf_counter() - started)
    except Exception as exc:  # the database answers instead; nothing is lost
        logger.warning("statistics columns not loaded: %s: %s", type(exc).__name__, exc)
    finally:
        with _lock:
            _loading = False
        connection.close()  # this thread's own connection


CHUNK = 50_000  # rows converted at a time: never a million rows of Python objects at once


class _Coder:
    """Codes a column's values as they come: value -> its index among the distinct ones."""

    def __init__(self) -> None:
        self.index: dict = {}
        self.parts: list[np.ndarray] = []

    def add(self, values) -> None:
        index = self.index
        for value in set(values) - index.keys():
            index[value] = len(index)
        self.parts.append(np.fromiter(map(index.__getitem__, values), dtype=np.int32, count=len(values)))

    def codes(self) -> np.ndarray:
        return np.concatenate(self.parts) if self.parts else np.zeros(0, dtype=np.int32)


def _load() -> StudyColumns:
    # CAST: the text itself, not Django's datetime objects (parsed one by one).
    select = (*CATEGORIES, "order_day", "patient_age", "CAST(order_datetime AS TEXT)", *MINUTES)
    coders = {name: _Coder() for name in (*CATEGORIES, "order_day")}
    ages, ordered, minutes = [], [], {name: [] for name in MINUTES}
    with transaction.atomic(), connection.cursor() as cursor:
        # One read transaction: the version and the rows are of the same moment.
        cursor.execute(f"SELECT version FROM {search_index.STATE}")
        version = cursor.fetchone()[0]
        cursor.execute(f"SELECT {', '.join(select)} FROM study")
        while rows := cursor.fetchmany(CHUNK):
            columns = list(zip(*rows))
            for position, name in enumerate((*CATEGORIES, "order_day")):
                coders[name].add(columns[position])
            ages.append(np.array([NO_AGE if a is None else a for a in columns[6]], dtype=np.int64))
            ordered.append(np.array(columns[7], dtype="datetime64[us]"))
            for offset, name in enumerate(MINUTES, start=8):
                minutes[name].append(np.array([np.nan if v is None else v for v in columns[offset]], dtype=np.float64))
            time.sleep(0.001)  # the requests waiting for Python's lock run between chunks

    def joined(parts, dtype):
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    return StudyColumns(
        version=version,
        codes={name: coders[name].codes() for name in CATEGORIES},
        values={name: list(coders[name].index) for name in CATEGORIES},
        age=joined(ages, np.int64),
        day=coders["order_day"].codes(),
        days=list(coders["order_day"].index),
        ordered=joined(ordered, "datetime64[us]"),
        minutes={name: joined(parts, np.float64) for name, parts in minutes.items()},
    )
