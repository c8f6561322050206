"""The synthetic demo DuckDB file: layout, determinism, plausibility and refusals."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import duckdb
import pytest

from server.imports.demo import demo_data_write

ROWS = 2_000
COLUMNS = [
    ("exam_id", "VARCHAR"),
    ("medical_record_no", "VARCHAR"),
    ("application_order_no", "VARCHAR"),
    ("patient_name", "VARCHAR"),
    ("patient_gender", "VARCHAR"),
    ("patient_age", "INTEGER"),
    ("exam_status", "VARCHAR"),
    ("exam_source", "VARCHAR"),
    ("exam_item", "VARCHAR"),
    ("exam_description", "VARCHAR"),
    ("order_datetime", "TIMESTAMP"),
    ("check_in_datetime", "TIMESTAMP"),
    ("report_certification_datetime", "TIMESTAMP"),
    ("certified_physician", "VARCHAR"),
]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def read_rows(path) -> list[dict]:
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute("SELECT * FROM medical_examinations_fact ORDER BY exam_id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "source.duckdb"
    assert demo_data_write(path=path, rows=ROWS, seed=7) == ROWS
    return path


@pytest.fixture(scope="module")
def rows(demo_file) -> list[dict]:
    return read_rows(demo_file)


def test_the_same_seed_writes_the_same_rows(tmp_path, rows):
    demo_data_write(path=tmp_path / "again.duckdb", rows=ROWS, seed=7)
    assert read_rows(tmp_path / "again.duckdb") == rows


def test_a_different_seed_writes_different_rows(tmp_path, rows):
    demo_data_write(path=tmp_path / "other.duckdb", rows=ROWS, seed=8)
    other = read_rows(tmp_path / "other.duckdb")
    assert len(other) == len(rows)
    assert other != rows


def test_the_table_has_the_fourteen_source_columns_in_order(demo_file):
    with duckdb.connect(str(demo_file), read_only=True) as con:
        tables = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        columns = con.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = 'medical_examinations_fact' ORDER BY ordinal_position"
        ).fetchall()
    assert tables == [("medical_examinations_fact",)]
    assert columns == COLUMNS


def test_it_writes_and_returns_the_requested_number_of_rows(rows):
    assert len(rows) == ROWS


def test_nulls_chinese_text_and_microseconds_survive_exactly(rows):
    from server.imports.demo import _batches

    epoch = dt.datetime(1970, 1, 1)
    generated = [value for batch in _batches(ROWS, 7) for value in zip(*batch)]
    expected = [
        tuple(epoch + dt.timedelta(microseconds=v) if kind == "TIMESTAMP" and v is not None else v
              for v, (_, kind) in zip(row, COLUMNS))
        for row in generated
    ]
    assert [tuple(r.values()) for r in rows] == expected
    values = [v for row in expected for v in row]
    assert None in values
    assert any(isinstance(v, str) and CHINESE.search(v) for v in values)
    assert any(isinstance(v, dt.datetime) and v.microsecond for v in values)


def test_exam_ids_are_unique_and_numbered(rows):
    ids = [r["exam_id"] for r in rows]
    assert len(set(ids)) == ROWS
    assert all(re.fullmatch(r"EX\d{8}", i) for i in ids)
    assert all(re.fullmatch(r"MR\d+", r["medical_record_no"]) for r in rows)
    assert all(re.fullmatch(r"AO\d+", r["application_order_no"]) for r in rows)


def test_check_in_follows_the_order_and_certification_follows_check_in(rows):
    checked_in = [r for r in rows if r["check_in_datetime"] is not None]
    certified = [r for r in rows if r["report_certification_datetime"] is not None]
    assert checked_in and certified
    for r in checked_in:
        waited = r["check_in_datetime"] - r["order_datetime"]
        assert 60 <= waited.total_seconds() <= 4 * 3600
    for r in certified:
        waited = r["report_certification_datetime"] - r["check_in_datetime"]
        assert 30 * 60 <= waited.total_seconds() <= 3 * 24 * 3600


def test_exams_not_yet_started_or_cancelled_have_no_check_in(rows):
    for r in rows:
        if r["exam_status"] in ("scheduled", "pending", "cancelled"):
            assert r["check_in_datetime"] is None


def test_only_completed_exams_have_a_report_and_a_physician(rows):
    for r in rows:
        completed = r["exam_status"] == "completed"
        assert (r["report_certification_datetime"] is not None) == completed
        assert (r["certified_physician"] is not None) == completed


def test_names_come_in_latin_and_chinese_script(rows):
    names = [r["patient_name"] for r in rows]
    chinese = [n for n in names if CHINESE.search(n)]
    latin = [n for n in names if re.search(r"[A-Za-z]", n)]
    assert len(chinese) + len(latin) == ROWS
    assert 0.2 < len(chinese) / ROWS < 0.45
    assert any(re.search(r"[äöüßéèçñíóúá]", n) for n in latin)  # accents and umlauts survive


def test_several_modalities_and_statuses_appear(rows):
    sources = Counter(r["exam_source"] for r in rows)
    statuses = Counter(r["exam_status"] for r in rows)
    assert {"CT", "MRI", "X-ray", "US", "MG"} <= set(sources)
    assert sources.most_common(3)[0][0] in ("CT", "X-ray", "US")
    assert {"completed", "pending", "scheduled", "cancelled"} <= set(statuses)
    assert statuses.most_common(1)[0][0] == "completed"
    assert len({r["exam_item"] for r in rows}) >= 15


def test_ages_are_between_0_and_99_or_unknown(rows):
    ages = [r["patient_age"] for r in rows]
    assert all(a is None or 0 <= a <= 99 for a in ages)
    assert None in ages


def test_genders_are_mostly_m_or_f_with_a_few_unknown(rows):
    genders = Counter(r["patient_gender"] for r in rows)
    assert set(genders) <= {"M", "F", "U", None}
    assert genders["M"] + genders["F"] > 0.9 * ROWS
    assert genders["U"] and genders[None]


def test_a_medical_record_number_always_has_the_same_name_and_gender(rows):
    seen = {}
    for r in rows:
        patient = (r["patient_name"], r["patient_gender"])
        assert seen.setdefault(r["medical_record_no"], patient) == patient
    assert len(seen) < ROWS / 2  # patients come back for several exams


def test_orders_fall_in_clinic_hours_mostly_on_weekdays(rows):
    ordered = [r["order_datetime"] for r in rows]
    assert all(7 <= t.hour < 20 for t in ordered)
    assert sum(t.weekday() < 5 for t in ordered) > 0.9 * ROWS
    assert (max(ordered) - min(ordered)).days > 2 * 365
    assert any(t.microsecond for t in ordered)  # microseconds survive the round trip


def test_some_descriptions_are_missing_as_in_the_source(rows):
    descriptions = [r["exam_description"] for r in rows]
    assert None in descriptions
    assert sum(d is not None for d in descriptions) > ROWS / 2


def test_zero_rows_writes_an_empty_table(tmp_path):
    path = tmp_path / "empty.duckdb"
    assert demo_data_write(path=path, rows=0) == 0
    assert read_rows(path) == []


def test_an_existing_file_is_kept_without_force(tmp_path):
    path = tmp_path / "source.duckdb"
    path.write_bytes(b"keep me")
    with pytest.raises(FileExistsError, match="--force") as raised:
        demo_data_write(path=path, rows=10)
    assert str(path) in str(raised.value)
    assert path.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.duckdb"]


def test_force_replaces_an_existing_file(tmp_path):
    path = tmp_path / "source.duckdb"
    path.write_bytes(b"old")
    assert demo_data_write(path=path, rows=10, force=True) == 10
    assert len(read_rows(path)) == 10


def test_negative_rows_are_refused(tmp_path):
    with pytest.raises(ValueError, match="rows"):
        demo_data_write(path=tmp_path / "source.duckdb", rows=-1)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_refused(tmp_path):
    path = tmp_path / "missing" / "source.duckdb"
    with pytest.raises(FileNotFoundError, match="missing"):
        demo_data_write(path=path, rows=10)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    import server.imports.demo as demo

    original = demo._batches

    def interrupted(rows, seed):
        yield from original(rows, seed)
        raise KeyboardInterrupt

    monkeypatch.setattr(demo, "_batches", interrupted)
    with pytest.raises(KeyboardInterrupt):
        demo_data_write(path=tmp_path / "source.duckdb", rows=10)
    assert list(tmp_path.iterdir()) == []
