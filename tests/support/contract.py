"""The data behind the committed contract fixtures (tests/fixtures/contract/), which
hold the locked responses byte for byte."""

import datetime as dt

from tests.support.paths import FIXTURES

# The studies behind the committed contract fixtures (tests/fixtures/contract/).
CONTRACT_STUDIES = [
    dict(
        exam_id="EXAM001", patient_name="Zhang Wei", patient_gender="M", patient_age=45,
        exam_status="completed", exam_source="CT", exam_item="Chest CT",
        order_datetime=dt.datetime(2025, 11, 6, 10, 30),
        check_in_datetime=dt.datetime(2025, 11, 6, 10, 45),
        report_certification_datetime=dt.datetime(2025, 11, 6, 14, 30),
        medical_record_no="MR-0001", application_order_no="AO-0001",
        exam_description="Low-dose chest CT", certified_physician="Dr. Chen",
    ),
    dict(
        exam_id="EXAM002", patient_name="李娜", patient_gender="F", patient_age=62,
        exam_status="pending", exam_source="MRI", exam_item="Abdominal CT",
        order_datetime=dt.datetime(2025, 11, 7, 9, 5, 12, 250000),
        check_in_datetime=None, report_certification_datetime=None,
    ),
    dict(
        exam_id="EXAM003", patient_name="Émile Durand", patient_gender=None, patient_age=None,
        exam_status="cancelled", exam_source="X-ray", exam_item=None,
        order_datetime=dt.datetime(2025, 11, 5, 16, 0),
        check_in_datetime=None, report_certification_datetime=None,
    ),
]

# The reports behind the committed reports contract fixtures.
CONTRACT_REPORTS = [
    dict(report_id="RPT001", study_id="EXAM001", findings="A 6 mm solid nodule in the right upper lobe.",
         radiologist="Dr. Chen", created_at=dt.datetime(2025, 11, 6, 14, 30), status="final"),
    dict(report_id="RPT002", study_id="EXAM002", findings="未见明显结节。",
         radiologist="王医生", created_at=dt.datetime(2025, 11, 7, 11, 15, 0, 500000), status="preliminary"),
    dict(report_id="RPT003", study_id="OLD-0042", findings="No pulmonary nodules.",
         radiologist=None, created_at=None, status="final"),
]

CONTRACT_RESULTS = {
    "nodules_found": 1, "confidence": 1.0,
    "details": [{"report_id": "RPT001", "sentence": "A 6 mm solid nodule in the right upper lobe",
                 "size_mm": 6.0, "count": 1}],
    "largest_size_mm": 6.0,
    "recommendation": {"guideline": "Fleischner Society 2017", "category": "6-8 mm"},
    "reports_read": 1,
}


def fixture_bytes(name: str) -> bytes:
    """A committed contract response, without the file's trailing newline."""
    return (FIXTURES / "contract" / name).read_bytes().rstrip(b"\n")
