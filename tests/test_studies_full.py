"""GET /api/v1/studies/{exam_id}/full: every stored field, exactly as the source held it."""

import datetime as dt
import decimal
import json

import pytest

from server.imports.services import import_duckdb
from server.reports.models import Report
from server.studies.models import Study
from tests.support.contract import fixture_bytes
from tests.support.sources import REPORT_COLUMNS, SOURCE_COLUMNS, add_table, report_row, source_row, write_duckdb

pytestmark = pytest.mark.django_db


def test_the_full_record_answers_the_documented_bytes(api, contract_reports):
    study = Study.objects.get(pk="EXAM001")
    expected = (
        fixture_bytes("studies_full.json")
        .replace(b"__CREATED_AT__", study.created_at.isoformat().encode())
        .replace(b"__UPDATED_AT__", study.updated_at.isoformat().encode())
    )
    assert api.get("/api/v1/studies/EXAM001/full").content == expected


def test_the_contract_fields_come_first_then_everything_else(api, contract_reports):
    body = api.get("/api/v1/studies/EXAM002/full").json()
    assert list(body) == [
        "exam_id", "patient_name", "patient_gender", "patient_age", "exam_status", "exam_source",
        "exam_item", "order_datetime", "check_in_datetime", "report_certification_datetime",
        "medical_record_no", "application_order_no", "exam_description", "certified_physician",
        "extra", "reports", "import",
    ]
    detail = api.get("/api/v1/studies/EXAM002").json()
    assert {k: body[k] for k in detail} == detail


def test_a_missing_study_is_404(api, contract_reports):
    response = api.get("/api/v1/studies/NOPE/full")
    assert response.status_code == 404 and response.json() == {"detail": "Study not found"}


def test_awkward_values_come_back_exactly_from_an_import(api, tmp_path):
    description = ("  描述\tÜnïcödé line\n" * 6000)[:100_000]
    columns = [("Legacy Code", "VARCHAR"), *SOURCE_COLUMNS, ("dose", "DECIMAL(6,2)")]
    row = {**source_row(" X-1\t", patient_name="  Zhang\tWei  ", exam_description=description,
                        order_datetime=dt.datetime(2024, 2, 29, 23, 59, 59, 999999),
                        exam_status=" completed"),
           "Legacy Code": "=HYPERLINK(\"x\")", "dose": decimal.Decimal("1.50")}
    path = write_duckdb(tmp_path / "a.duckdb", [row], columns=columns)
    add_table(path, "reports", REPORT_COLUMNS, [
        report_row("R-old", " X-1\t", created_at=dt.datetime(2024, 3, 1, 9, 0)),
        report_row("R-new", " X-1\t", created_at=dt.datetime(2024, 3, 2, 9, 0), findings="  Trailing.  "),
        report_row("R-undated", " X-1\t", created_at=None),
        report_row("R-other", "Y", created_at=dt.datetime(2024, 3, 3)),
    ])
    import_duckdb(path=path)
    response = api.get("/api/v1/studies/%20X-1%09/full")
    body = json.loads(response.content)
    assert body["exam_id"] == " X-1\t" and body["patient_name"] == "  Zhang\tWei  "
    assert body["exam_description"] == description and body["exam_status"] == " completed"
    assert body["order_datetime"] == "2024-02-29T23:59:59.999999"
    assert list(body["extra"]) == ["Legacy Code", "dose"]
    assert body["extra"] == {"Legacy Code": "=HYPERLINK(\"x\")", "dose": "1.50"}
    assert [r["report_id"] for r in body["reports"]] == ["R-new", "R-old", "R-undated"]
    assert body["reports"][0]["findings"] == "  Trailing.  "
    run_id = body["import"]["first_job_id"]
    assert body["import"]["first_file"] == body["import"]["last_file"] == str(path)
    assert run_id is not None and body["import"]["last_job_id"] == run_id


def test_the_import_block_names_the_file_that_last_changed_the_study(api, tmp_path):
    first = write_duckdb(tmp_path / "first.duckdb", [source_row("A")])
    later = write_duckdb(tmp_path / "later.duckdb", [source_row("A", patient_age=51)])
    import_duckdb(path=first)
    import_duckdb(path=later)
    block = api.get("/api/v1/studies/A/full").json()["import"]
    assert (block["first_file"], block["last_file"]) == (str(first), str(later))
    assert block["first_imported_at"] <= block["last_changed_at"]
    assert Report.objects.count() == 0
