"""The lossless DuckDB import (server/imports/services.py and engine.py), called as a library."""

import datetime as dt
import decimal
import hashlib

import pytest

from server.imports.errors import ImportFailed, ImportRefused
from server.imports.models import ImportRun, QuarantinedRow
from server.imports.services import import_duckdb
from server.studies.models import Study
from tests.support.sources import SOURCE_COLUMNS, SOURCE_NAMES, source_row, write_duckdb

pytestmark = pytest.mark.django_db

LONG_DESCRIPTION = ("  描述 Ünïcödé\tline\n" * 6000)[:100_000]

EDGE_ROWS = [
    source_row("E-PLAIN"),
    source_row(
        "E-TEXT", patient_name="  Zhang\tWei  ", exam_description=LONG_DESCRIPTION,
        exam_status="failed", exam_source=" X-ray", exam_item="Chest X-ray ",
        certified_physician="王医生",
    ),
    source_row(
        " E-SPACED\t", order_datetime=dt.datetime(2024, 2, 29, 23, 59, 59, 999999),
        check_in_datetime=dt.datetime(2024, 3, 1, 0, 0, 0, 1), report_certification_datetime=None,
    ),
    source_row(
        "E-NULLS", medical_record_no=None, application_order_no=None, patient_name=None,
        patient_gender=None, patient_age=None, exam_status=None, exam_source=None, exam_item=None,
        exam_description=None, check_in_datetime=None, report_certification_datetime=None,
        certified_physician=None,
    ),
    source_row("E-EMPTY-STRINGS", patient_name="", exam_status="", exam_item=""),
    source_row("E-DUP", patient_name="Émile"),
    source_row("E-DUP", patient_name="Émile"),
    source_row("E-DUP", patient_name="Émile"),
    source_row("E-CONFLICT", patient_name="First"),
    source_row("E-CONFLICT", patient_name="Second"),
    source_row(None),
    source_row("   "),
    source_row("E-NO-ORDER", order_datetime=None),
    source_row("E-OLD-AGE", patient_age=-1),  # stored as given: never rewritten
]

EXPECTED_ISSUES = {
    9: "E-CONFLICT", 10: "E-CONFLICT", 11: None, 12: "   ", 13: "E-NO-ORDER",
}


def stored(exam_id: str) -> dict:
    return Study.objects.filter(pk=exam_id).values(*SOURCE_NAMES, "extra").get()


def database_snapshot() -> list:
    return list(Study.objects.order_by("exam_id").values_list(*SOURCE_NAMES, "extra", "updated_at"))


@pytest.fixture
def edge_file(tmp_path):
    return write_duckdb(tmp_path / "edge.duckdb", EDGE_ROWS)


def test_every_source_row_is_accounted_for(edge_file):
    report = import_duckdb(path=edge_file)
    assert report["source_rows"] == len(EDGE_ROWS) == 14
    assert report["inserted"] == 7
    assert report["duplicates"] == 2
    assert report["quarantined"] == 5
    assert (report["updated"], report["unchanged"], report["not_in_source"]) == (0, 0, 0)
    assert (
        report["inserted"] + report["updated"] + report["unchanged"] + report["duplicates"] + report["quarantined"]
        == report["source_rows"]
    )
    assert list(report) == [
        "source_rows", "inserted", "updated", "unchanged", "duplicates", "quarantined",
        "not_in_source", "ignored_columns", "issues", "duration_s", "reports",
    ]
    assert report["reports"] is None  # this file has no reports table
    assert Study.objects.count() == 7


def test_every_stored_value_equals_the_source_value(edge_file):
    import_duckdb(path=edge_file)
    stored_rows = {r["exam_id"]: r for r in EDGE_ROWS[:6] + EDGE_ROWS[13:]}
    for exam_id, row in stored_rows.items():
        assert stored(exam_id) == {**row, "extra": {}}, exam_id
    assert stored("E-TEXT")["exam_description"] == LONG_DESCRIPTION
    assert len(LONG_DESCRIPTION) == 100_000


def test_quarantined_rows_are_kept_verbatim_with_row_number_and_reason(edge_file):
    report = import_duckdb(path=edge_file)
    issues = {issue["source_row"]: issue for issue in report["issues"]}
    assert {row: issue["exam_id"] for row, issue in issues.items()} == EXPECTED_ISSUES
    assert "different contents" in issues[9]["reason"] and "different contents" in issues[10]["reason"]
    assert issues[11]["reason"] == issues[12]["reason"] == "exam_id is missing"
    assert issues[13]["reason"] == "order_datetime is missing"

    kept = QuarantinedRow.objects.get(source_row=10)
    assert kept.reason == issues[10]["reason"] and kept.source_table == "medical_examinations_fact"
    assert list(kept.raw) == SOURCE_NAMES
    assert kept.raw["patient_name"] == "Second"
    assert kept.raw["order_datetime"] == "2025-01-01T08:00:00"
    assert not Study.objects.filter(pk="E-CONFLICT").exists()


def test_importing_the_same_file_again_changes_nothing(edge_file):
    import_duckdb(path=edge_file)
    before = database_snapshot()
    report = import_duckdb(path=edge_file)
    assert (report["inserted"], report["updated"], report["unchanged"]) == (0, 0, 7)
    assert (report["duplicates"], report["quarantined"], report["not_in_source"]) == (2, 5, 0)
    assert database_snapshot() == before


def test_a_later_export_updates_changed_rows_inserts_new_ones_and_keeps_the_rest(tmp_path):
    import_duckdb(path=write_duckdb(tmp_path / "v1.duckdb", [source_row("A"), source_row("B"), source_row("C")]))
    corrected = source_row("B", patient_name="Corrected Name", exam_status="cancelled")
    report = import_duckdb(path=write_duckdb(tmp_path / "v2.duckdb", [source_row("A"), corrected, source_row("D")]))
    assert (report["inserted"], report["updated"], report["unchanged"], report["not_in_source"]) == (1, 1, 1, 1)
    assert stored("B")["patient_name"] == "Corrected Name"
    assert Study.objects.filter(pk="C").exists()  # no longer in the file, but never dropped
    assert sorted(Study.objects.values_list("pk", flat=True)) == ["A", "B", "C", "D"]


def test_a_study_remembers_which_import_stored_and_last_changed_it(tmp_path):
    import_duckdb(path=write_duckdb(tmp_path / "v1.duckdb", [source_row("A"), source_row("B")]))
    import_duckdb(path=write_duckdb(tmp_path / "v2.duckdb", [source_row("A"), source_row("B", patient_age=51)]))
    first, second = ImportRun.objects.order_by("id")
    a, b = Study.objects.get(pk="A"), Study.objects.get(pk="B")
    assert (a.first_import_id, a.last_import_id) == (first.pk, first.pk)
    assert (b.first_import_id, b.last_import_id) == (first.pk, second.pk)
    assert b.updated_at >= b.created_at


TEXT_COLUMNS = [(name, "VARCHAR") for name, _ in SOURCE_COLUMNS]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2025-11-06 10:30:00", dt.datetime(2025, 11, 6, 10, 30)),
        ("2025-11-06T10:30:00", dt.datetime(2025, 11, 6, 10, 30)),
        ("2025-11-06T10:30:00.123456", dt.datetime(2025, 11, 6, 10, 30, 0, 123456)),
        ("2025-11-06 10:30:00.5", dt.datetime(2025, 11, 6, 10, 30, 0, 500000)),
        ("2025-11-06 10:30", dt.datetime(2025, 11, 6, 10, 30)),
        ("2025-11-06", dt.datetime(2025, 11, 6)),
        (" 2025-11-06 10:30:00 ", dt.datetime(2025, 11, 6, 10, 30)),
        ("2025-11-06 10:30:00.123456000", dt.datetime(2025, 11, 6, 10, 30, 0, 123456)),
    ],
)
def test_text_datetimes_in_iso_forms_are_read_exactly(tmp_path, text, expected):
    path = write_duckdb(tmp_path / "t.duckdb", [source_row("T1", order_datetime=text)], columns=TEXT_COLUMNS)
    import_duckdb(path=path)
    assert stored("T1")["order_datetime"] == expected


def test_a_text_typed_file_gives_the_same_studies_as_a_typed_one(tmp_path):
    def as_text(row):
        return {k: (v.isoformat(" ") if isinstance(v, dt.datetime) else None if v is None else str(v))
                for k, v in row.items()}

    rows = [r for r in EDGE_ROWS if r["exam_id"] not in (None, "   ")]
    import_duckdb(path=write_duckdb(tmp_path / "typed.duckdb", rows))
    typed = database_snapshot()
    typed_report = ImportRun.objects.get().report
    Study.objects.all().delete()
    report = import_duckdb(
        path=write_duckdb(tmp_path / "text.duckdb", [as_text(r) for r in rows], columns=TEXT_COLUMNS)
    )
    assert [row[:-1] for row in database_snapshot()] == [row[:-1] for row in typed]
    assert {k: report[k] for k in ("inserted", "duplicates", "quarantined")} == {
        k: typed_report[k] for k in ("inserted", "duplicates", "quarantined")
    }


@pytest.mark.parametrize(
    "column,value,reason",
    [
        ("order_datetime", "06/11/2025 10:30", "order_datetime is not a valid date and time"),
        ("order_datetime", "2025-02-30 10:00:00", "order_datetime is not a valid date and time"),
        ("order_datetime", "2025-11-06 10:30:00.1234567", "finer than a microsecond"),
        ("order_datetime", "", "order_datetime is missing"),
        ("check_in_datetime", "yesterday", "check_in_datetime is not a valid date and time"),
        ("patient_age", "45岁", "patient_age is not a whole number"),
        ("patient_age", "45.5", "patient_age is not a whole number"),
        ("patient_age", "99999999999999999999", "patient_age is out of range"),
        ("patient_name", "a\x00b", "patient_name contains a NUL character"),
    ],
)
def test_a_value_that_cannot_be_stored_quarantines_its_row(tmp_path, column, value, reason):
    rows = [source_row("OK"), {**source_row("BAD"), column: value}]
    path = write_duckdb(tmp_path / "t.duckdb", [
        {k: (v.isoformat(" ") if isinstance(v, dt.datetime) else None if v is None else str(v)) for k, v in r.items()}
        for r in rows
    ], columns=TEXT_COLUMNS)
    report = import_duckdb(path=path)
    assert report["quarantined"] == 1 and report["inserted"] == 1
    (issue,) = report["issues"]
    assert issue["source_row"] == 2 and issue["exam_id"] == "BAD"
    assert reason in issue["reason"]
    assert not Study.objects.filter(pk="BAD").exists()


@pytest.mark.parametrize("age_text,age", [("45", 45), (" 7 ", 7), ("", None), ("0", 0), ("+3", 3)])
def test_integer_text_ages_are_read(tmp_path, age_text, age):
    columns = [(n, "VARCHAR" if n == "patient_age" else t) for n, t in SOURCE_COLUMNS]
    import_duckdb(path=write_duckdb(tmp_path / "t.duckdb", [source_row("A1", patient_age=age_text)], columns=columns))
    assert stored("A1")["patient_age"] == age


def test_times_with_a_zone_become_the_clinics_wall_clock_time(tmp_path, settings):
    settings.CLINIC_TIME_ZONE = "Asia/Shanghai"
    columns = [(n, "TIMESTAMPTZ" if n == "order_datetime" else t) for n, t in SOURCE_COLUMNS]
    rows = [source_row("Z1", order_datetime="2025-11-06 02:30:00.000001+00")]
    import_duckdb(path=write_duckdb(tmp_path / "tz.duckdb", rows, columns=columns))
    assert stored("Z1")["order_datetime"] == dt.datetime(2025, 11, 6, 10, 30, 0, 1)


def test_text_times_with_an_offset_become_the_clinics_wall_clock_time(tmp_path, settings):
    settings.CLINIC_TIME_ZONE = "Europe/Berlin"
    rows = [source_row("Z1", order_datetime="2025-07-01T12:00:00Z"),
            source_row("Z2", order_datetime="2025-01-01 12:00:00+08:00")]
    import_duckdb(path=write_duckdb(tmp_path / "tz.duckdb", rows, columns=TEXT_COLUMNS))
    assert stored("Z1")["order_datetime"] == dt.datetime(2025, 7, 1, 14, 0)
    assert stored("Z2")["order_datetime"] == dt.datetime(2025, 1, 1, 5, 0)


def test_date_and_nanosecond_columns_are_read_without_loss(tmp_path):
    columns = [
        (n, {"order_datetime": "DATE", "check_in_datetime": "TIMESTAMP_NS"}.get(n, t)) for n, t in SOURCE_COLUMNS
    ]
    rows = [source_row("D1", order_datetime=dt.date(2025, 3, 4), check_in_datetime="2025-03-04 08:00:00.123456"),
            source_row("D2", order_datetime=dt.date(2025, 3, 4), check_in_datetime="2025-03-04 08:00:00.123456789")]
    report = import_duckdb(path=write_duckdb(tmp_path / "d.duckdb", rows, columns=columns))
    assert stored("D1")["order_datetime"] == dt.datetime(2025, 3, 4)
    assert stored("D1")["check_in_datetime"] == dt.datetime(2025, 3, 4, 8, 0, 0, 123456)
    (issue,) = report["issues"]
    assert issue["exam_id"] == "D2" and "finer than a microsecond" in issue["reason"]


def test_columns_the_model_does_not_name_are_kept_in_extra(tmp_path):
    columns = [("Modality_Code", "VARCHAR"), *SOURCE_COLUMNS, ("dose", "DECIMAL(8,3)"), ("tags", "VARCHAR[]"),
               ("scanned_at", "TIMESTAMP"), ("raw", "BLOB")]
    row = {**source_row("X1"), "Modality_Code": "CT01", "dose": decimal.Decimal("12.340"),
           "tags": ["urgent", "外院"], "scanned_at": dt.datetime(2025, 1, 1, 9, 0, 0, 5), "raw": b"\x00\xff"}
    report = import_duckdb(path=write_duckdb(tmp_path / "x.duckdb", [row], columns=columns))
    assert report["ignored_columns"] == ["Modality_Code", "dose", "tags", "scanned_at", "raw"]
    extra = stored("X1")["extra"]
    assert list(extra) == ["Modality_Code", "dose", "tags", "scanned_at", "raw"]
    assert extra == {
        "Modality_Code": "CT01", "dose": "12.340", "tags": ["urgent", "外院"],
        "scanned_at": "2025-01-01T09:00:00.000005", "raw": {"base64": "AP8="},
    }


def test_source_column_names_match_in_any_case(tmp_path):
    columns = [(name.upper(), type_) for name, type_ in SOURCE_COLUMNS]
    rows = [tuple(source_row("C1").values())]
    path = write_duckdb(tmp_path / "c.duckdb", rows, columns=columns, table="Medical_Examinations_FACT")
    report = import_duckdb(path=path)
    assert report["inserted"] == 1 and report["ignored_columns"] == []
    assert stored("C1")["patient_name"] == "Test Patient"


def test_optional_columns_may_be_absent(tmp_path):
    columns = [("exam_id", "VARCHAR"), ("order_datetime", "TIMESTAMP")]
    report = import_duckdb(path=write_duckdb(tmp_path / "m.duckdb", [("M1", dt.datetime(2025, 1, 1))], columns=columns))
    assert report["inserted"] == 1
    assert stored("M1")["patient_name"] is None


# --- refusals -----------------------------------------------------------------------------


def refused(path) -> str:
    with pytest.raises(ImportRefused) as error:
        import_duckdb(path=path)
    assert Study.objects.count() == 0 and ImportRun.objects.count() == 0
    return error.value.detail


def test_a_missing_file_is_refused(tmp_path):
    assert refused(tmp_path / "nope.duckdb") == f"File not found: {tmp_path / 'nope.duckdb'}"
    assert not (tmp_path / "nope.duckdb").exists()  # not created by opening it


def test_a_file_that_is_not_duckdb_is_refused(tmp_path):
    path = tmp_path / "export.duckdb"
    path.write_text("exam_id,order_datetime\nE1,2025-01-01\n")
    assert refused(path) == f"{path} is not a DuckDB database file"


def test_a_folder_is_refused(tmp_path):
    assert refused(tmp_path) == f"{tmp_path} is a folder, not a DuckDB file"


def test_a_file_without_the_table_is_refused_naming_the_tables_it_has(tmp_path):
    path = write_duckdb(tmp_path / "other.duckdb", [], table="patients")
    assert refused(path) == f"{path} has no table medical_examinations_fact; its tables are: patients"


def test_a_table_without_a_required_column_is_refused_naming_it(tmp_path):
    columns = [c for c in SOURCE_COLUMNS if c[0] != "order_datetime"]
    path = write_duckdb(tmp_path / "t.duckdb", [], columns=columns)
    detail = refused(path)
    assert detail.startswith(f"The table medical_examinations_fact in {path} has no column order_datetime")


def test_a_refused_file_leaves_existing_studies_alone(tmp_path):
    import_duckdb(path=write_duckdb(tmp_path / "good.duckdb", [source_row("A")]))
    before = database_snapshot()
    with pytest.raises(ImportRefused):
        import_duckdb(path=write_duckdb(tmp_path / "bad.duckdb", [], table="nothing_here"))
    assert database_snapshot() == before


def test_the_source_file_is_never_changed(edge_file):
    digest = hashlib.sha256(edge_file.read_bytes()).hexdigest()
    mtime = edge_file.stat().st_mtime_ns
    import_duckdb(path=edge_file)
    assert hashlib.sha256(edge_file.read_bytes()).hexdigest() == digest
    assert edge_file.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in edge_file.parent.iterdir()) == ["edge.duckdb"]


# --- the checks before commit --------------------------------------------------------------


def test_a_failed_read_back_rolls_everything_back(tmp_path, monkeypatch):
    from server.imports import engine

    import_duckdb(path=write_duckdb(tmp_path / "v1.duckdb", [source_row("A")]))
    before = database_snapshot()
    original = engine.TableImporter._existing

    def corrupted(self, keys):
        found = original(self, keys)
        return {k: (row[0], "tampered", *row[2:]) for k, row in found.items()}

    monkeypatch.setattr(engine.TableImporter, "_existing", corrupted)
    with pytest.raises(ImportFailed, match="Verification failed"):
        import_duckdb(path=write_duckdb(tmp_path / "v2.duckdb", [source_row("B"), source_row("C")]))
    assert database_snapshot() == before
    failed = ImportRun.objects.latest("id")
    assert failed.state == "failed" and "Verification failed" in failed.error
    assert not QuarantinedRow.objects.filter(run=failed).exists()


def test_a_short_read_of_the_source_rolls_everything_back(tmp_path, monkeypatch):
    from server.imports.source import DuckDBSource

    original = DuckDBSource.rows

    def drops_last_batch(self, table, *, batch_size):
        yield from list(original(self, table, batch_size=2))[:-1]

    monkeypatch.setattr(DuckDBSource, "rows", drops_last_batch)
    with pytest.raises(ImportFailed, match="the source has 5 rows, 4 were read"):
        import_duckdb(path=write_duckdb(tmp_path / "s.duckdb", [source_row(f"S{i}") for i in range(5)]))
    assert Study.objects.count() == 0


def test_the_history_records_file_size_hash_times_and_counts(edge_file):
    report = import_duckdb(path=edge_file)
    run = ImportRun.objects.get()
    assert run.state == "done" and run.kind == "import"
    assert run.source_path == str(edge_file)
    assert run.source_size == edge_file.stat().st_size
    assert run.source_sha256 == hashlib.sha256(edge_file.read_bytes()).hexdigest()
    assert run.started_at <= run.finished_at
    assert (run.source_rows, run.inserted, run.quarantined) == (14, 7, 5)
    assert run.report == report


def test_progress_rises_to_the_row_count(tmp_path, monkeypatch):
    from server.imports import engine

    monkeypatch.setattr(engine, "BATCH_SIZE", 3)
    seen = []
    import_duckdb(
        path=write_duckdb(tmp_path / "p.duckdb", [source_row(f"P{i}") for i in range(10)]),
        on_progress=lambda phase, done, total: seen.append((phase, done, total)),
    )
    importing = [done for phase, done, total in seen if phase == "importing"]
    assert importing == [0, 3, 6, 9, 10]
    assert seen[-1] == ("done", 10, 10)


def test_an_import_refreshes_the_query_planners_statistics(edge_file):
    from django.db import connection

    import_duckdb(path=edge_file)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'study'")
        else:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'study'")
        assert cursor.fetchone()[0] > 0
