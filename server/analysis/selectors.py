"""Reads of analysis tasks. A running task's progress comes from the worker's memory."""

from __future__ import annotations

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q

from server.analysis.errors import TaskNotFound
from server.analysis.filters import TaskFilters
from server.analysis.models import AnalysisTask
from server.analysis.registry import ANALYSIS_TYPES
from server.analysis.runner import RUNNER
from server.core.paging import page_envelope

STATUSES = [s.value for s in AnalysisTask.Status]  # pending, running, completed, failed
COLUMNS = (
    "pk", "study_id", "study__patient_name", "analysis_type", "status", "progress",
    "results", "created_at", "completed_at",
)


def _task(row: tuple) -> dict:
    task = dict(zip(
        ("task_id", "exam_id", "patient_name", "analysis_type", "status", "progress",
         "results", "created_at", "completed_at"),
        row,
    ))
    live = RUNNER.live(task["task_id"])
    if live is not None and task["status"] in (AnalysisTask.Status.PENDING, AnalysisTask.Status.RUNNING):
        task["status"], task["progress"] = live.status, live.progress
    return task


def analysis_options() -> dict:
    return {"analysis_types": [t.option() for t in ANALYSIS_TYPES.values()]}


def task_list(*, filters: TaskFilters = TaskFilters(), page: int = 1, page_size: int = 20) -> dict:
    tasks = filters.apply(AnalysisTask.objects.order_by("-created_at", "-id"))

    def rows(window: slice) -> list[dict]:
        return [_task(row) for row in tasks.values_list(*COLUMNS)[window]]

    return {
        **page_envelope(total=tasks.count(), page=page, page_size=page_size, rows=rows),
        "filters": {"statuses": STATUSES},
    }


def task_detail(*, task_id: int) -> dict:
    row = AnalysisTask.objects.filter(pk=task_id).values_list(*COLUMNS).first()
    if row is None:
        raise TaskNotFound()
    task = _task(row)
    del task["patient_name"]
    return task


def task_statistics() -> dict:
    """Counts by status, and over the completed tasks the mean time from start to
    completion and the share of finished tasks that completed."""
    done = Q(status=AnalysisTask.Status.COMPLETED)
    counts = AnalysisTask.objects.aggregate(
        total=Count("id"),
        completed=Count("id", filter=done),
        running=Count("id", filter=Q(status=AnalysisTask.Status.RUNNING)),
        failed=Count("id", filter=Q(status=AnalysisTask.Status.FAILED)),
        average=Avg(
            ExpressionWrapper(F("completed_at") - F("started_at"), output_field=DurationField()),
            filter=done & Q(started_at__isnull=False),
        ),
    )
    finished = counts["completed"] + counts["failed"]
    average = counts["average"]
    return {
        "total_tasks": counts["total"],
        "completed_tasks": counts["completed"],
        "running_tasks": counts["running"],
        "failed_tasks": counts["failed"],
        "average_duration_seconds": None if average is None else round(average.total_seconds(), 3),
        "success_rate": None if finished == 0 else round(counts["completed"] / finished, 4),
    }
