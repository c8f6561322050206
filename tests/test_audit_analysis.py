"""Each analysis task that runs appears in the audit trail once, with its outcome."""

from __future__ import annotations

import time

import pytest

from server.analysis.base import AnalysisType
from server.analysis.errors import AnalysisError
from server.analysis.registry import ANALYSIS_TYPES
from server.audit.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)

TASKS = "/api/v1/analysis/tasks"


def analysis_entries(timeout=30, count=1) -> list[AuditEntry]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        entries = list(AuditEntry.objects.filter(action="analysis").order_by("id"))
        if len(entries) >= count:
            time.sleep(0.2)  # and no more come
            return list(AuditEntry.objects.filter(action="analysis").order_by("id"))
        time.sleep(0.05)
    raise AssertionError("no analysis entry was recorded")


def start(api, exam_id, analysis_type) -> int:
    response = api.post(TASKS, {"exam_id": exam_id, "analysis_type": analysis_type}, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["task_id"]


def test_a_completed_task_is_recorded_once_with_its_kind_parameters_and_outcome(api, make_study):
    make_study("E1")
    task_id = start(api, "E1", "turnaround_review")
    [entry] = analysis_entries()
    assert entry.details == {
        "task_id": task_id, "kind": "turnaround_review", "parameters": {"exam_id": "E1"},
        "outcome": "completed", "error": None,
    }
    assert entry.user == "API token"
    assert entry.summary == f"Analysis turnaround_review of study E1 (task {task_id}): completed"


def test_a_failed_task_is_recorded_once_with_the_reason(api, make_study, monkeypatch):
    def run(context):
        raise AnalysisError("the study has no report")

    monkeypatch.setitem(ANALYSIS_TYPES, "failing", AnalysisType("failing", "for tests", (), run))
    make_study("E1")
    task_id = start(api, "E1", "failing")
    [entry] = analysis_entries()
    assert (entry.details["task_id"], entry.details["outcome"], entry.details["error"]) == (
        task_id, "failed", "the study has no report"
    )


def test_a_task_refused_before_it_is_queued_is_not_an_analysis(api):
    response = api.post(TASKS, {"exam_id": "NOPE", "analysis_type": "turnaround_review"},
                        content_type="application/json")
    assert response.status_code == 400
    time.sleep(0.3)
    assert not AuditEntry.objects.filter(action="analysis").exists()
