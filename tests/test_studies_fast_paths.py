"""Every fast way of answering a Studies search (server/studies/searching.py: the
text index, the rollup, the per-character counts, the cached totals, walking an
index from either end) gives what a plain scan of every study gives.

The oracle here is Python over all the rows, not the database: the folded
substring, the filters and the order computed from the definitions."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.core.text import fold
from server.imports.services import import_duckdb
from server.studies import search_index, searching
from server.studies.derive import SEARCH_FIELDS
from server.studies.filters import StudyFilters
from server.studies.models import Study
from server.studies.schemas import CONTRACT_FIELDS
from server.studies.selectors import study_search
from server.studies.services import study_create, study_update
from tests.support.sources import source_row, write_duckdb

pytestmark = pytest.mark.django_db

NAMES = ["Léa Lefèvre", "LÉA LEFÈVRE", "李明", "李小明", "王芳", "Müller", "MÜLLER", "Straße", "strasse",
         "O'Brien", "50% off_", "a", "ab", None, "", "Zoë", "ΣΊΣΥΦΟΣ", "σίσυφος", "\ud7ff\U0010ffff"]
STATUSES = ["completed", "pending", "", None, "Completed"]
SOURCES = ["CT", "MRI", "X-ray", None]
ITEMS = ["Chest CT", "Head CT", "Knee MRI", None, ""]
GENDERS = ["F", "M", "U", None, ""]
DESCRIPTIONS = ["Routine.", "rule out bleeding", "李 follow-up", "100%_sure", None, "x" * 40]
DAY = dt.datetime(2025, 3, 1)
SORTS = ("order_datetime_desc", "order_datetime_asc", "patient_name_asc")


def random_studies(count: int, *, seed: int, prefix: str = "EX") -> list[dict]:
    rng = random.Random(seed)
    studies = []
    for i in range(count):
        ordered = DAY + dt.timedelta(minutes=rng.choice([0, 30, 24 * 60, 24 * 60 + 1, 3000, 5000]))
        checked_in = rng.choice([None, ordered + dt.timedelta(minutes=rng.randrange(0, 90))])
        certified = rng.choice([None, (checked_in or ordered) + dt.timedelta(minutes=rng.randrange(5, 3000))])
        studies.append({
            "exam_id": f"{prefix}{i:04d}",
            "medical_record_no": rng.choice([f"MR{rng.randrange(60):03d}", None, ""]),
            "application_order_no": rng.choice([f"AO{i:05d}", None]),
            "patient_name": rng.choice(NAMES),
            "patient_gender": rng.choice(GENDERS),
            "patient_age": rng.choice([None, *range(0, 100, 7)]),
            "exam_status": rng.choice(STATUSES),
            "exam_source": rng.choice(SOURCES),
            "exam_item": rng.choice(ITEMS),
            "exam_description": rng.choice(DESCRIPTIONS),
            # Several studies at the same minute and at midnight: ties and day edges.
            "order_datetime": ordered,
            "check_in_datetime": checked_in,
            "report_certification_datetime": certified,
            "certified_physician": rng.choice([None, "Dr. Lin", "Dr. Wu", ""]),
        })
    return studies


def plain_answer(filters: StudyFilters, *, sort: str, page: int, page_size: int) -> tuple[int, list[str]]:
    """(total, exam IDs of the page), from every study, by the definitions."""
    needle = fold(filters.q) if filters.q else None

    def selected(s) -> bool:
        if needle is not None and not any(
            s[f] is not None and needle in fold(str(s[f])) for f in SEARCH_FIELDS
        ):
            return False
        for name in ("exam_status", "exam_source", "exam_item"):
            wanted = [v for v in getattr(filters, name) if v != ""]
            if wanted and s[name] not in wanted:
                return False
        if filters.patient_gender and s["patient_gender"] != filters.patient_gender:
            return False
        age = s["patient_age"]
        if filters.patient_age_min is not None and (age is None or age < filters.patient_age_min):
            return False
        if filters.patient_age_max is not None and (age is None or age > filters.patient_age_max):
            return False
        if filters.order_from is not None and s["order_datetime"] < filters.order_from:
            return False
        if filters.order_before is not None and s["order_datetime"] >= filters.order_before:
            return False
        return True

    fields = {*CONTRACT_FIELDS, *SEARCH_FIELDS, "patient_gender", "patient_age"}
    rows = [s for s in Study.objects.values(*fields) if selected(s)]
    if sort == "patient_name_asc":
        rows.sort(key=lambda s: (s["patient_name"] is None, s["patient_name"] or "", s["exam_id"]))
    else:
        rows.sort(key=lambda s: s["exam_id"])
        rows.sort(key=lambda s: s["order_datetime"], reverse=sort == "order_datetime_desc")
    start = (page - 1) * page_size
    return len(rows), [s["exam_id"] for s in rows[start:start + page_size]]


def texts_of(studies: list[dict]) -> list[str]:
    return [str(s[f]) for s in studies for f in SEARCH_FIELDS if s.get(f)]


def searches(texts: list[str]):
    """Filters whose q is a piece of some stored text (one to five characters, in
    another case sometimes), or text that may match nothing."""
    def piece(draw):
        text = draw(st.sampled_from(texts))
        start = draw(st.integers(0, max(len(text) - 1, 0)))
        found = text[start:start + draw(st.integers(1, 5))]
        return draw(st.sampled_from([found, found.upper(), found.lower()]))

    @st.composite
    def build(draw):
        q = draw(st.one_of(st.just(""), st.just("zzq"), st.just("%"),
                           st.just("_"), st.text(alphabet="ab李%_ É", min_size=1, max_size=3)))
        if draw(st.integers(0, 3)) > 0:
            q = piece(draw)
        def sometimes(strategy, empty):
            # Each filter in about one search of four: q alone and none at all are common.
            return draw(st.one_of(st.just(empty), st.just(empty), st.just(empty), strategy))

        return StudyFilters(
            q=q,
            exam_status=tuple(sometimes(st.lists(st.sampled_from([s for s in STATUSES if s is not None]),
                                                 min_size=1, max_size=2), [])),
            exam_source=tuple(sometimes(st.lists(st.sampled_from(["CT", "MRI", "X-ray"]), min_size=1, max_size=2), [])),
            exam_item=tuple(sometimes(st.lists(st.sampled_from(["Chest CT", "Head CT", "Knee MRI"]), min_size=1,
                                               max_size=1), [])),
            patient_gender=sometimes(st.sampled_from(["F", "M"]), ""),
            patient_age_min=sometimes(st.just(20), None),
            patient_age_max=sometimes(st.just(60), None),
            order_from=sometimes(st.sampled_from([DAY, DAY + dt.timedelta(days=1), DAY + dt.timedelta(minutes=30)]),
                                 None),
            order_before=sometimes(st.just(DAY + dt.timedelta(days=2)), None),
        )

    return build()


def check(filters: StudyFilters, sort: str, page: int, page_size: int) -> None:
    answer = study_search(filters=filters, sort=sort, page=page, page_size=page_size)
    total, ids = plain_answer(filters, sort=sort, page=page, page_size=page_size)
    assert answer["total"] == total, filters
    assert [row["exam_id"] for row in answer["data"]] == ids, (filters, sort, page)


# Each way of reading the rows, forced by its cost: the planner's choice otherwise
# depends on the counts, and every way must give the same answer.
WAYS = {
    "as planned": {},
    "text index candidates": {"CANDIDATE_COST": 0.0, "KEPT_CANDIDATE_COST": 0.0},
    "text index candidates, none kept": {"CANDIDATE_COST": 0.0, "FEW": 0},
    "index walk": {"WALK_COST": 0.0, "CANDIDATE_COST": 1e9, "KEPT_CANDIDATE_COST": 1e9},
    "scan and sort": {"SCAN_COST": 0.0, "CANDIDATE_COST": 1e9, "KEPT_CANDIDATE_COST": 1e9},
}

STORED = random_studies(240, seed=7)
TEXTS = texts_of(STORED)
CHECKED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def stored_by_services(db):
    for values in STORED:
        study_create(**values)


@pytest.fixture(params=list(WAYS))
def way(request, monkeypatch):
    for name, value in WAYS[request.param].items():
        monkeypatch.setattr(searching, name, value)
    return request.param


@CHECKED
@given(filters=searches(TEXTS), sort=st.sampled_from(SORTS), page=st.integers(1, 40), size=st.sampled_from([1, 7, 20]))
def test_every_way_gives_the_plain_scans_answer_for_studies_written_one_by_one(
    stored_by_services, way, filters, sort, page, size
):
    check(filters, sort, page, size)


@pytest.fixture
def imported_then_changed(db, tmp_path):
    """A bulk import (indexes rebuilt once), a second import that updates and adds,
    then changes by the services (which leave the per-character counts stale)."""
    first = write_duckdb(tmp_path / "first.duckdb", [source_row(**s) for s in STORED])
    import_duckdb(path=first)
    changed = [{**s, "patient_name": "李四"} for s in STORED[:30]] + random_studies(40, seed=8, prefix="NEW")
    import_duckdb(path=write_duckdb(tmp_path / "second.duckdb", [source_row(**s) for s in changed]))
    study_update(study=Study.objects.get(exam_id="EX0031"), patient_name="Ωmega", exam_status="pending")
    Study.objects.filter(exam_id="EX0032").delete()
    return STORED + changed


@CHECKED
@given(filters=searches(TEXTS + ["李四", "Ωmega", "NEW00"]), sort=st.sampled_from(SORTS), page=st.integers(1, 40),
       size=st.sampled_from([1, 7, 20]))
def test_every_way_gives_the_plain_scans_answer_after_imports_and_changes(
    imported_then_changed, way, filters, sort, page, size
):
    check(filters, sort, page, size)


SWEEP_Q = ["", "léa", "LÉA LEF", "李", "李小", "ab", "a", "%", "_", "ex00", "zzq", "MÜLLER", "ss", "σ", "100%_",
           "\ud7ff", "\U0010ffff"]
SWEEP_FILTERS = [
    {},
    {"exam_status": ("completed",)},
    {"exam_status": ("completed", ""), "exam_source": ("CT", "MRI")},
    {"order_from": DAY + dt.timedelta(days=1), "order_before": DAY + dt.timedelta(days=2)},
    {"order_from": DAY + dt.timedelta(minutes=30)},
    {"patient_age_min": 20, "patient_age_max": 60},
    {"patient_gender": "F", "exam_item": ("Head CT",)},
]


def sweep() -> None:
    for q in SWEEP_Q:
        for extra in SWEEP_FILTERS:
            filters = StudyFilters(q=q, **extra)
            total = plain_answer(filters, sort="order_datetime_desc", page=1, page_size=1)[0]
            for sort in SORTS:
                for page, size in ((1, 20), (2, 3), (max(1, -(-total // 3)), 3), (total + 2, 1)):
                    check(filters, sort, page, size)


def test_a_table_of_searches_gives_the_plain_scans_answer_every_way(stored_by_services, way):
    sweep()


def test_a_table_of_searches_gives_the_plain_scans_answer_every_way_after_imports(imported_then_changed, way):
    sweep()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="versions are told by SQLite's triggers")
def test_a_rolled_back_change_never_lends_its_version_to_the_next(db):
    study_create(**STORED[0])
    assert study_search(filters=StudyFilters(q="EX0000"))["total"] == 1
    before = searching.text_index().version
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        study_create(**STORED[1])
        assert study_search(filters=StudyFilters())["total"] == 2
        raise RuntimeError
    assert searching.text_index().version == before
    study_create(**{**STORED[2], "exam_id": "OTHER"})
    assert searching.text_index().version != before
    assert study_search(filters=StudyFilters())["total"] == 2
    assert study_search(filters=StudyFilters(q="other"))["total"] == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the text index is SQLite's")
def test_the_text_index_rollup_and_counts_match_the_studies_after_imports_and_changes(imported_then_changed):
    with connection.cursor() as cursor:
        table = search_index.TEXT_INDEX
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH '\"ex0\"'")
        assert cursor.fetchone()[0] == Study.objects.filter(search_text__contains="ex0").count()
        cursor.execute(f"SELECT sum(studies) FROM {search_index.ROLLUP}")
        assert cursor.fetchone()[0] == Study.objects.count()
        cursor.execute(f"SELECT count(*) FROM {search_index.ROLLUP} WHERE studies <= 0")
        assert cursor.fetchone()[0] == 0
    # The services' change after the last import left the character counts stale:
    # one-character searches are counted by the database meanwhile.
    index = searching.text_index()
    assert index is not None and not index.chars_current
    search_index.search_chars_refresh()
    assert searching.text_index().chars_current
    check(StudyFilters(q="李"), "order_datetime_desc", 1, 20)


def test_statistics_read_through_the_text_index_equal_those_of_a_plain_scan(imported_then_changed, way):
    from server.studies.statistics import _narrowed, _statistics, study_statistics

    for q in SWEEP_Q:
        for extra in SWEEP_FILTERS[:4]:
            filters = StudyFilters(q=q, **extra)
            if filters == StudyFilters():
                continue
            with _narrowed(filters.apply(Study.objects.all())) as narrow:
                plain = _statistics(narrow, filters, every_study=False)
            assert study_statistics(filters=filters).model_dump() == plain, filters


STATISTICS_FILTERS = [
    *SWEEP_FILTERS,
    {"exam_status": ("no such status",)},
    {"exam_item": ("Chest CT", "Knee MRI"), "patient_age_min": 30},
    {"order_from": DAY + dt.timedelta(minutes=30, microseconds=1), "order_before": DAY + dt.timedelta(days=1)},
    {"patient_gender": "U", "order_before": DAY + dt.timedelta(minutes=1)},
]


@pytest.mark.parametrize("extra", STATISTICS_FILTERS, ids=repr)
def test_statistics_from_the_columns_in_memory_equal_the_databases(imported_then_changed, extra):
    from server.studies.statistics import _narrowed, _statistics, _statistics_of_columns
    from server.studies.statistics_memory import study_columns

    filters = StudyFilters(**extra)
    with _narrowed(filters.apply(Study.objects.all())) as narrow:
        expected = _statistics(narrow, filters, every_study=False)
    if filters == StudyFilters():
        expected = _statistics(Study.objects.all(), filters, every_study=True)
    index = searching.text_index()
    if index is None:
        pytest.skip("versions are told by SQLite's triggers only")
    columns = study_columns(version=index.version)
    assert _statistics_of_columns(columns, filters) == expected


def test_statistics_in_memory_follow_every_change_of_the_studies(imported_then_changed):
    from server.studies.statistics import study_statistics

    pending = StudyFilters(exam_status=("pending",))
    before = study_statistics(filters=pending).total
    study = Study.objects.exclude(exam_status="pending").first()
    study_update(study=study, exam_status="pending")
    after = study_statistics(filters=pending).total
    assert after == before + 1 == Study.objects.filter(exam_status="pending").count()


def test_a_csv_export_holds_what_the_plain_scan_selects_in_its_order(imported_then_changed, way):
    import csv
    import io

    from server.studies.export import study_export

    for q in SWEEP_Q:
        for extra in SWEEP_FILTERS[:3]:
            filters = StudyFilters(q=q, **extra)
            response = study_export(filters=filters, sort="patient_name_asc", format="csv")
            text = b"".join(response.streaming_content).decode("utf-8-sig")
            exported = [row["exam_id"] for row in csv.DictReader(io.StringIO(text))]
            total, ids = plain_answer(filters, sort="patient_name_asc", page=1, page_size=10_000)
            assert exported == ids and len(ids) == total, filters
