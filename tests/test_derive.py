"""Every way a study or a report is written stores the same derived columns: the ones
study_derive and report_derive compute from its source fields."""

import datetime as dt

import pytest

from server.imports.services import import_duckdb
from server.reports.derive import report_derive
from server.reports.models import Report
from server.reports.services import report_create
from server.studies.derive import study_derive
from server.studies.models import Study
from server.studies.services import study_create, study_update
from tests.support.sources import REPORT_COLUMNS, add_table, report_row, source_row, write_duckdb

pytestmark = pytest.mark.django_db

STUDY = source_row(
    "E-Ü1", patient_name="ÉVA Müller", exam_description="Straße 中文", medical_record_no=None,
    order_datetime=dt.datetime(2025, 3, 30, 23, 59, 59, 500000),
    check_in_datetime=dt.datetime(2025, 3, 31, 0, 14, 59, 500000), report_certification_datetime=None,
)
OLD_STUDY = source_row("E-Ü1", patient_name="Someone Else", exam_item=None)
REPORT = report_row("R-Ü1", "E-Ü1", findings="Nódulo de 6 mm.", radiologist="Dr. ÖZ")
OLD_REPORT = report_row("R-Ü1", "E-Ü1", findings="Old text", radiologist=None)
STUDY_DERIVED = tuple(study_derive(values=dict.fromkeys(STUDY)))
REPORT_DERIVED = tuple(report_derive(values=dict.fromkeys(REPORT)))


def import_file(tmp_path, name, studies, reports=()):
    path = write_duckdb(tmp_path / name, studies)
    if reports:
        add_table(path, "reports", REPORT_COLUMNS, list(reports))
    import_duckdb(path=path)


def report_fields(row: dict) -> dict:
    fields = dict(row)
    fields["study_id"] = fields.pop("exam_id")
    return fields


def write_study_by_import(tmp_path):
    import_file(tmp_path, "a.duckdb", [STUDY])


def write_study_by_import_update(tmp_path):
    import_file(tmp_path, "a.duckdb", [OLD_STUDY])
    import_file(tmp_path, "b.duckdb", [STUDY])


def write_study_by_create(tmp_path):
    study_create(**STUDY)


def write_study_by_update(tmp_path):
    study = study_create(**OLD_STUDY)
    changes = {name: value for name, value in STUDY.items() if OLD_STUDY[name] != value}
    study_update(study=study, **changes)


def write_report_by_import(tmp_path):
    import_file(tmp_path, "a.duckdb", [STUDY], [REPORT])


def write_report_by_import_update(tmp_path):
    import_file(tmp_path, "a.duckdb", [STUDY], [OLD_REPORT])
    import_file(tmp_path, "b.duckdb", [STUDY], [REPORT])


def write_report_by_create(tmp_path):
    report_create(**report_fields(REPORT))


@pytest.mark.parametrize(
    "write", [write_study_by_import, write_study_by_import_update, write_study_by_create, write_study_by_update]
)
def test_every_write_of_a_study_stores_what_study_derive_computes(tmp_path, write):
    write(tmp_path)
    stored = Study.objects.values(*STUDY_DERIVED).get(pk=STUDY["exam_id"])
    assert stored == study_derive(values=STUDY)
    assert stored["search_text"] and stored["name_text"] == "éva müller" and stored["order_day"] == "2025-03-30"
    assert stored["minutes_to_check_in"] == 15.0


@pytest.mark.parametrize("write", [write_report_by_import, write_report_by_import_update, write_report_by_create])
def test_every_write_of_a_report_stores_what_report_derive_computes(tmp_path, write):
    write(tmp_path)
    stored = Report.objects.values(*REPORT_DERIVED).get(pk=REPORT["report_id"])
    assert stored == report_derive(values=REPORT)
    assert "dr. öz" in stored["search_text"]


def test_a_study_update_changes_updated_at_but_never_created_at():
    study = study_create(**OLD_STUDY)
    created, updated = study.created_at, study.updated_at
    study_update(study=study, patient_name="New")
    stored = Study.objects.get(pk=study.pk)
    assert stored.created_at == created and stored.updated_at >= updated
    assert stored.name_text == "new"
