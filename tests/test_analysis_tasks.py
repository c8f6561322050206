"""Analysis tasks through the API, run by the real worker pool on real threads."""

import datetime as dt
import threading
import time

import pytest

from server.analysis.base import AnalysisType
from server.analysis.models import AnalysisTask
from server.analysis.registry import ANALYSIS_TYPES
from server.reports.services import report_create

pytestmark = pytest.mark.django_db(transaction=True)

TASKS = "/api/v1/analysis/tasks"


def wait_until(api, task_id, *statuses, timeout=30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = api.get(f"{TASKS}/{task_id}").json()
        if task["status"] in statuses:
            return task
        time.sleep(0.02)
    raise AssertionError(f"task {task_id} never reached {statuses}: {task}")


@pytest.fixture
def controlled(monkeypatch):
    """An analysis type whose steps the test releases one at a time."""
    gate = threading.Semaphore(0)
    started = threading.Event()

    def run(context):
        started.set()
        for percent in (20, 40, 60, 80):
            assert gate.acquire(timeout=30)
            context.progress(percent)
        return {"steps": 4}

    monkeypatch.setitem(ANALYSIS_TYPES, "controlled", AnalysisType("controlled", "for tests", (), run))
    return gate, started


def test_a_task_runs_from_pending_to_completed_with_progress_rising_to_100(api, make_study, controlled):
    gate, started = controlled
    make_study("E1")
    created = api.post(TASKS, {"exam_id": "E1", "analysis_type": "controlled"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert list(body) == ["task_id", "exam_id", "analysis_type", "status", "progress", "created_at"]
    assert (body["status"], body["progress"]) == ("pending", 0)

    assert started.wait(10)
    seen = []
    for _ in range(4):
        gate.release()
        time.sleep(0.05)
        seen.append(api.get(f"{TASKS}/{body['task_id']}").json()["progress"])
    task = wait_until(api, body["task_id"], "completed")
    assert seen == sorted(seen) and seen[0] > 0
    assert (task["progress"], task["results"]) == (100, {"steps": 4})
    assert task["completed_at"] is not None
    assert list(task) == ["task_id", "exam_id", "analysis_type", "status", "progress", "results",
                          "created_at", "completed_at"]


def test_deleting_a_running_task_cancels_it_and_it_never_comes_back(api, make_study, controlled):
    gate, started = controlled
    make_study("E1")
    task_id = api.post(TASKS, {"exam_id": "E1", "analysis_type": "controlled"},
                       content_type="application/json").json()["task_id"]
    assert started.wait(10)
    assert wait_until(api, task_id, "running")["status"] == "running"
    response = api.delete(f"{TASKS}/{task_id}")
    assert response.status_code == 204 and response.content == b""
    for _ in range(4):
        gate.release()
    time.sleep(0.3)  # the worker reaches its next step, sees the cancel, and stops
    assert not AnalysisTask.objects.filter(pk=task_id).exists()
    assert api.get(f"{TASKS}/{task_id}").json() == {"detail": "Task not found"}
    assert api.delete(f"{TASKS}/{task_id}").status_code == 404


def test_real_analyses_complete_through_the_pool(api, make_study):
    make_study("E1", exam_source="CT", check_in_datetime=dt.datetime(2025, 1, 1, 8, 30))
    report_create(report_id="R1", study_id="E1", findings="A 7 mm nodule in the RUL.")
    ids = [
        api.post(TASKS, {"exam_id": "E1", "analysis_type": kind}, content_type="application/json").json()["task_id"]
        for kind in ("lung_nodule_detection", "turnaround_review")
    ]
    lung, turnaround = (wait_until(api, task_id, "completed", "failed") for task_id in ids)
    assert lung["status"] == "completed" and lung["results"]["largest_size_mm"] == 7.0
    assert turnaround["status"] == "completed"
    assert turnaround["results"]["order_to_check_in"]["minutes"] == 30.0


def test_an_analysis_that_cannot_read_anything_fails_with_its_reason(api, make_study):
    make_study("E1")
    task_id = api.post(TASKS, {"exam_id": "E1", "analysis_type": "lung_nodule_detection"},
                       content_type="application/json").json()["task_id"]
    task = wait_until(api, task_id, "failed")
    assert "has no report findings to read" in task["results"]["error"]


def test_tasks_are_listed_newest_first_with_the_patient_and_filtered_by_status(api, make_study):
    make_study("E1", patient_name="李娜")
    make_study("E2", patient_name="Émile")
    for i, (exam_id, status) in enumerate([("E1", "completed"), ("E2", "failed"), ("E1", "running")]):
        AnalysisTask.objects.create(study_id=exam_id, analysis_type="turnaround_review", status=status,
                                    created_at=dt.datetime(2025, 1, 1, 9, i))
    body = api.get(TASKS).json()
    statuses = [(t["exam_id"], t["status"]) for t in body["data"]]
    assert statuses == [("E1", "running"), ("E2", "failed"), ("E1", "completed")]
    assert body["data"][1]["patient_name"] == "Émile"
    assert body["filters"] == {"statuses": ["pending", "running", "completed", "failed"]}
    assert body["total"] == 3
    failed = api.get(TASKS, {"status": "failed"}).json()
    assert [t["exam_id"] for t in failed["data"]] == ["E2"] and failed["total"] == 1
    assert api.get(TASKS, {"page": 2, "page_size": 2}).json()["data"][0]["status"] == "completed"


def test_statistics_count_by_status_and_average_completed_durations(api, make_study):
    make_study("E1")
    start = dt.datetime(2025, 1, 1, 9, 0)
    for status, seconds in [("completed", 2), ("completed", 4.5), ("failed", 1), ("running", None), ("pending", None)]:
        AnalysisTask.objects.create(
            study_id="E1", analysis_type="turnaround_review", status=status,
            started_at=start if seconds is not None else None,
            completed_at=start + dt.timedelta(seconds=seconds) if seconds is not None else None,
        )
    assert api.get("/api/v1/analysis/statistics").json() == {
        "total_tasks": 5, "completed_tasks": 2, "running_tasks": 1, "failed_tasks": 1,
        "average_duration_seconds": 3.25, "success_rate": round(2 / 3, 4),
    }


def test_statistics_of_no_tasks_say_null_rather_than_invent_numbers(api):
    assert api.get("/api/v1/analysis/statistics").json() == {
        "total_tasks": 0, "completed_tasks": 0, "running_tasks": 0, "failed_tasks": 0,
        "average_duration_seconds": None, "success_rate": None,
    }


@pytest.mark.parametrize(
    "body,detail",
    [
        ({"exam_id": "NOPE", "analysis_type": "turnaround_review"},
         "Invalid parameter: exam_id 'NOPE' is not a stored study"),
        ({"exam_id": "E1", "analysis_type": "tumour_guess"},
         "Invalid parameter: analysis_type 'tumour_guess' is not one of lung_nodule_detection, turnaround_review"),
        ({"exam_id": "E1"}, "Invalid parameter: analysis_type is required"),
        ({"exam_id": 5, "analysis_type": "turnaround_review"}, "Invalid parameter: exam_id must be a string"),
    ],
)
def test_an_unknown_study_or_analysis_type_is_a_400_naming_which(api, make_study, body, detail):
    make_study("E1")
    response = api.post(TASKS, body, content_type="application/json")
    assert response.status_code == 400 and response.json() == {"detail": detail}
    assert not AnalysisTask.objects.exists()


@pytest.mark.parametrize(
    "url,detail",
    [
        (f"{TASKS}?status=done",
         "Invalid parameter: status must be one of pending, running, completed, failed, got 'done'"),
        (f"{TASKS}/abc", "Invalid parameter: task_id must be an integer"),
        (f"{TASKS}?page=0", "Invalid parameter: page must be > 0"),
    ],
)
def test_bad_task_parameters_are_400s(api, url, detail):
    assert api.get(url).json() == {"detail": detail}


def test_the_options_describe_what_each_analysis_reads_and_returns(api):
    options = api.get("/api/v1/analysis/options").json()["analysis_types"]
    assert [o["name"] for o in options] == ["lung_nodule_detection", "turnaround_review"]
    lung = options[0]
    assert "never the images" in lung["description"] and "Fleischner Society 2017" in lung["description"]
    assert [f["name"] for f in lung["result_fields"]][:3] == ["nodules_found", "confidence", "details"]
