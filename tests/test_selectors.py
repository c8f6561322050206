"""The searches' filters and selectors, called directly as services and tests may
(server/*/filters.py and selectors.py), each on a small table of cases."""

import datetime as dt

import pytest

from server.analysis.filters import TaskFilters
from server.analysis.models import AnalysisTask
from server.analysis.selectors import task_list
from server.reports.filters import ReportFilters
from server.reports.selectors import report_search
from server.reports.services import report_create
from server.studies.filters import StudyFilters
from server.studies.selectors import study_search

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2025, 3, 1, 9, 0)


@pytest.fixture
def clinic(make_study):
    make_study("S1", patient_name="Zhang Wei", exam_status="completed", exam_source="CT", patient_age=30,
               patient_gender="M", order_datetime=DAY)
    make_study("S2", patient_name="李娜", exam_status="pending", exam_source="MRI", patient_age=70,
               order_datetime=DAY + dt.timedelta(days=1))
    make_study("S3", patient_name="Émile 100%", exam_status="completed", exam_source="X-ray", patient_age=None,
               order_datetime=DAY - dt.timedelta(days=1))
    report_create(report_id="R1", study_id="S1", findings="A 6 mm nodule.", status="final", created_at=DAY)
    report_create(report_id="R2", study_id="S2", findings="未见结节。", status="preliminary",
                  created_at=DAY + dt.timedelta(hours=1))
    report_create(report_id="R3", study_id="GONE", findings="Old_report.", status="final", created_at=None)
    for exam_id, status in (("S1", "completed"), ("S2", "failed"), ("S3", "completed")):
        AnalysisTask.objects.create(study_id=exam_id, analysis_type="turnaround_review", status=status)


# (selector, filters, the rows it returns, named by their key), for every search.
CASES = [
    *[(study_search, filters, ids) for filters, ids in [
        (StudyFilters(), ["S2", "S1", "S3"]),
        (StudyFilters(q="zhang"), ["S1"]),
        (StudyFilters(q="100%"), ["S3"]),
        (StudyFilters(q="%"), ["S3"]),
        (StudyFilters(q="李"), ["S2"]),
        (StudyFilters(exam_status=("completed",)), ["S1", "S3"]),
        (StudyFilters(exam_source=("CT", "MRI")), ["S2", "S1"]),
        (StudyFilters(exam_status=("completed",), exam_source=("MRI",)), []),
        (StudyFilters(patient_gender="M"), ["S1"]),
        (StudyFilters(patient_age_min=60), ["S2"]),
        (StudyFilters(patient_age_max=60), ["S1"]),
        (StudyFilters(order_from=DAY), ["S2", "S1"]),
        (StudyFilters(order_before=DAY), ["S3"]),
    ]],
    *[(report_search, filters, ids) for filters, ids in [
        (ReportFilters(), ["R2", "R1", "R3"]),
        (ReportFilters(q="nodule"), ["R1"]),
        (ReportFilters(q="zhang"), ["R1"]),  # the linked study's patient name
        (ReportFilters(q="_"), ["R3"]),
        (ReportFilters(status="final"), ["R1", "R3"]),
        (ReportFilters(exam_status="pending"), ["R2"]),
        (ReportFilters(status="final", exam_status="pending"), []),
    ]],
    *[(task_list, filters, ids) for filters, ids in [
        (TaskFilters(), ["S3", "S2", "S1"]),  # the tasks' studies, newest task first
        (TaskFilters(status="completed"), ["S3", "S1"]),
        (TaskFilters(status="running"), []),
    ]],
]
KEY = {study_search: "exam_id", report_search: "report_id", task_list: "exam_id"}


@pytest.mark.parametrize("search,filters,keys", CASES)
def test_each_search_selects_what_its_filters_say(clinic, search, filters, keys):
    page = search(filters=filters)
    assert [row[KEY[search]] for row in page["data"]] == keys
    assert page["total"] == len(keys)


@pytest.mark.parametrize(
    "sort,exam_ids",
    [("order_datetime_desc", ["S2", "S1", "S3"]), ("order_datetime_asc", ["S3", "S1", "S2"]),
     ("patient_name_asc", ["S1", "S3", "S2"])],
)
def test_study_search_orders_by_the_sort_asked_for(clinic, sort, exam_ids):
    assert [row["exam_id"] for row in study_search(sort=sort)["data"]] == exam_ids
