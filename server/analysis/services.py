"""Writes of analysis tasks."""

from __future__ import annotations

from server.analysis.errors import TaskNotFound
from server.analysis.models import AnalysisTask
from server.analysis.registry import ANALYSIS_TYPES
from server.analysis.runner import RUNNER, this_worker
from server.core.errors import InvalidParameter
from server.core.params import shown
from server.studies.models import Study


def task_create(*, exam_id: str, analysis_type: str) -> dict:
    """Queue an analysis of a study; returns the new task as the API shows it."""
    if analysis_type not in ANALYSIS_TYPES:
        raise InvalidParameter(
            "analysis_type", f"{shown(analysis_type)} is not one of {', '.join(ANALYSIS_TYPES)}"
        )
    if not Study.objects.filter(pk=exam_id).exists():
        raise InvalidParameter("exam_id", f"{shown(exam_id)} is not a stored study")
    task = AnalysisTask.objects.create(study_id=exam_id, analysis_type=analysis_type, worker=this_worker())
    created = {
        "task_id": task.pk, "exam_id": exam_id, "analysis_type": analysis_type,
        "status": task.status, "progress": task.progress, "created_at": task.created_at,
    }
    RUNNER.submit(task.pk)
    return created


def task_delete(*, task_id: int) -> None:
    """Cancel the task if it runs, and delete its record."""
    RUNNER.cancel(task_id)
    deleted, _ = AnalysisTask.objects.filter(pk=task_id).delete()
    if not deleted:
        raise TaskNotFound()
