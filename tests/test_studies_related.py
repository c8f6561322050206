"""GET /api/v1/studies/{exam_id}/related: the patient's other studies, newest first."""

import datetime as dt

import pytest

from server.studies.selectors import study_related

pytestmark = pytest.mark.django_db

RELATED = "/api/v1/studies/{}/related"
DAY = dt.datetime(2025, 3, 1, 9, 0)


@pytest.fixture
def patients(make_study):
    for i, exam_id in enumerate(["A1", "A2", "A3"]):  # one patient, by record number
        when = DAY + dt.timedelta(days=i)
        make_study(exam_id, medical_record_no="MR-1", patient_name=f"Name {i}", order_datetime=when)
    make_study("B1", medical_record_no="MR-2", patient_name="Name 0", order_datetime=DAY)
    # Without a record number: by name and age.
    make_study("C1", medical_record_no=None, patient_name="李娜", patient_age=62, order_datetime=DAY)
    later = DAY + dt.timedelta(days=2)
    make_study("C2", medical_record_no="", patient_name="李娜", patient_age=62, order_datetime=later)
    make_study("C3", medical_record_no=None, patient_name="李娜", patient_age=40, order_datetime=DAY)
    make_study("D1", medical_record_no=None, patient_name="Ann", patient_age=None, order_datetime=DAY)
    make_study("D2", medical_record_no=None, patient_name="Ann", patient_age=None, order_datetime=DAY)
    make_study("E1", medical_record_no=None, patient_name=None, order_datetime=DAY)
    make_study("E2", medical_record_no=None, patient_name=None, order_datetime=DAY)


@pytest.mark.parametrize(
    "exam_id,matched_by,others",
    [
        ("A1", "medical_record_no", ["A3", "A2"]),  # newest first, the study itself left out
        ("A3", "medical_record_no", ["A2", "A1"]),
        ("B1", "medical_record_no", []),  # the same name under another record number is someone else
        ("C1", "name_and_age", ["C2"]),  # an empty record number counts as none
        ("C2", "name_and_age", ["C1"]),
        ("D1", "name_and_age", ["D2"]),  # no age on either
        ("E1", None, []),  # neither a record number nor a name: nothing to match by
    ],
)
def test_other_studies_are_found_by_record_number_else_by_name_and_age(patients, exam_id, matched_by, others):
    page = study_related(exam_id=exam_id)
    assert page["matched_by"] == matched_by
    assert [row["exam_id"] for row in page["data"]] == others and page["total"] == len(others)


def test_the_answer_is_a_page_of_contract_studies(api, patients):
    response = api.get(RELATED.format("A1"), {"page": 2, "page_size": 1})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["data", "total", "page", "page_size", "matched_by"]
    assert (body["total"], body["page"], body["page_size"], body["matched_by"]) == (2, 2, 1, "medical_record_no")
    (row,) = body["data"]
    assert row == api.get("/api/v1/studies/A2").json()


def test_an_unknown_study_is_404(api, patients):
    response = api.get(RELATED.format("NOPE"))
    assert (response.status_code, response.json()) == (404, {"detail": "Study not found"})
