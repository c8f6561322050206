from ninja import Query, Router, Status

from server.analysis import selectors, services
from server.analysis.schemas import (
    AnalysisOptionsOut,
    TaskCreatedOut,
    TaskCreateIn,
    TaskListOut,
    TaskListQuery,
    TaskOut,
    TaskStatisticsOut,
)

router = Router(tags=["Analysis"])


@router.get("/options", response=AnalysisOptionsOut, summary="Analysis types")
def options(request):
    """Each analysis type: what it reads, how it decides, what it returns."""
    return selectors.analysis_options()


@router.post("/tasks", response={201: TaskCreatedOut}, summary="Start an analysis")
def create_task(request, body: TaskCreateIn):
    """Queue an analysis of a study; it runs in the background. Poll the task."""
    return Status(201, services.task_create(exam_id=body.exam_id, analysis_type=body.analysis_type))


@router.get("/tasks", response=TaskListOut, summary="Analysis tasks")
def list_tasks(request, params: Query[TaskListQuery]):
    """Tasks, newest first, optionally of one status."""
    return selectors.task_list(filters=params.to_filters(), page=params.page, page_size=params.page_size)


@router.get("/tasks/{task_id}", response=TaskOut, summary="One analysis task")
def task_detail(request, task_id: int):
    """A task's status, progress (0 to 100) and, once completed, its results."""
    return selectors.task_detail(task_id=task_id)


@router.delete("/tasks/{task_id}", response={204: None}, summary="Cancel and delete a task")
def delete_task(request, task_id: int):
    """Cancels the task if it is running, and deletes its record."""
    services.task_delete(task_id=task_id)
    return Status(204, None)


@router.get("/statistics", response=TaskStatisticsOut, summary="Task statistics")
def statistics(request):
    """How many tasks there are by status, their mean duration and success rate."""
    return selectors.task_statistics()
