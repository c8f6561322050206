"""The importer's second table: reports, with the same guarantees as studies."""

import datetime as dt

import pytest

from server.imports.errors import ImportRefused
from server.imports.models import QuarantinedRow
from server.imports.services import import_duckdb
from server.reports.models import Report
from tests.support.sources import REPORT_COLUMNS, add_table, report_row, source_row, write_duckdb

pytestmark = pytest.mark.django_db


def studies_file(tmp_path, name="s.duckdb", exam_ids=("E1", "E2")):
    return write_duckdb(tmp_path / name, [source_row(e) for e in exam_ids])


def stored_report(report_id) -> dict:
    names = [n for n, _ in REPORT_COLUMNS if n != "exam_id"]
    row = Report.objects.filter(pk=report_id).values(*names, "study_id").get()
    row["exam_id"] = row.pop("study_id")
    return row


def test_reports_are_imported_with_their_own_section_of_the_report(tmp_path):
    path = add_table(studies_file(tmp_path), "reports", REPORT_COLUMNS, [
        report_row("R1", "E1", findings="  A 6 mm nodule.\tRUL  "),
        report_row("R2", "E2", created_at=dt.datetime(2025, 1, 2, 3, 4, 5, 6)),
        report_row("R3", "OLD-9"),  # its study is not in the file: kept, orphaned
        report_row("R4", None),  # no exam_id at all: kept, orphaned
        report_row("R5", "E1"), report_row("R5", "E1"),  # identical: counted once
        report_row("R6", "E1", status="final"), report_row("R6", "E1", status="amended"),
        report_row(None, "E1"),
        report_row("R7", "E2", created_at=None),
    ])
    report = import_duckdb(path=path)
    section = report["reports"]
    assert list(section) == [
        "source_rows", "inserted", "updated", "unchanged", "duplicates", "quarantined",
        "not_in_source", "orphaned", "ignored_columns", "issues",
    ]
    assert (section["source_rows"], section["inserted"], section["duplicates"], section["quarantined"]) == (10, 6, 1, 3)
    assert section["orphaned"] == 2
    assert {i["report_id"] for i in section["issues"]} == {"R6", None}
    assert report["inserted"] == 2  # the studies' own counts stay at the top

    for row in (report_row("R1", "E1", findings="  A 6 mm nodule.\tRUL  "),
                report_row("R2", "E2", created_at=dt.datetime(2025, 1, 2, 3, 4, 5, 6)),
                report_row("R3", "OLD-9"), report_row("R4", None), report_row("R7", "E2", created_at=None)):
        assert stored_report(row["report_id"]) == row

    kept = QuarantinedRow.objects.filter(source_table="reports").order_by("source_row")
    assert [(q.source_row, q.key) for q in kept] == [(7, "R6"), (8, "R6"), (9, None)]
    assert list(kept[0].raw) == [n for n, _ in REPORT_COLUMNS]


def test_a_report_stops_being_an_orphan_once_its_study_arrives(tmp_path):
    first = add_table(studies_file(tmp_path, "v1.duckdb", ["E1"]), "reports", REPORT_COLUMNS,
                      [report_row("R1", "E2")])
    assert import_duckdb(path=first)["reports"]["orphaned"] == 1
    later = add_table(studies_file(tmp_path, "v2.duckdb", ["E1", "E2"]), "reports", REPORT_COLUMNS,
                      [report_row("R1", "E2")])
    section = import_duckdb(path=later)["reports"]
    assert (section["unchanged"], section["orphaned"]) == (1, 0)
    assert Report.objects.get(pk="R1").study.patient_name == "Test Patient"


def test_reimporting_reports_changes_nothing_and_corrections_update(tmp_path):
    rows = [report_row("R1", "E1"), report_row("R2", "E2")]
    import_duckdb(path=add_table(studies_file(tmp_path, "a.duckdb"), "reports", REPORT_COLUMNS, rows))
    again = import_duckdb(path=add_table(studies_file(tmp_path, "b.duckdb"), "reports", REPORT_COLUMNS, rows))
    assert (again["reports"]["unchanged"], again["reports"]["inserted"]) == (2, 0)
    corrected = [report_row("R1", "E1", findings="Corrected."), report_row("R3", "E1")]
    later = import_duckdb(path=add_table(studies_file(tmp_path, "c.duckdb"), "reports", REPORT_COLUMNS, corrected))
    section = later["reports"]
    assert (section["updated"], section["inserted"], section["not_in_source"]) == (1, 1, 1)
    assert Report.objects.get(pk="R1").findings == "Corrected."
    assert Report.objects.filter(pk="R2").exists()


def test_a_file_without_a_reports_table_has_no_reports_section(tmp_path):
    assert import_duckdb(path=studies_file(tmp_path))["reports"] is None


def test_a_reports_table_without_report_id_is_refused_naming_it(tmp_path):
    path = add_table(studies_file(tmp_path), "reports", [c for c in REPORT_COLUMNS if c[0] != "report_id"], [])
    with pytest.raises(ImportRefused, match="The table reports in .* has no column report_id"):
        import_duckdb(path=path)


def test_progress_counts_the_rows_of_both_tables(tmp_path):
    path = add_table(studies_file(tmp_path), "reports", REPORT_COLUMNS, [report_row("R1", "E1")])
    seen = []
    import_duckdb(path=path, on_progress=lambda phase, done, total: seen.append((phase, done, total)))
    assert seen[-1] == ("done", 3, 3)
    assert ("importing", 2, 3) in seen
