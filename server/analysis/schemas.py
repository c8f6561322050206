"""Analysis responses; the field order of the *Out schemas is the locked contract's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import field_validator

from server.analysis.filters import TaskFilters
from server.analysis.models import AnalysisTask
from server.core.errors import InvalidParameter
from server.core.paging import PageOut, PageQuery
from server.core.params import clean_text, one_of


class ResultFieldOut(Schema):
    name: str
    description: str


class AnalysisTypeOut(Schema):
    name: str
    description: str
    result_fields: list[ResultFieldOut]


class AnalysisOptionsOut(Schema):
    analysis_types: list[AnalysisTypeOut]


class TaskCreateIn(Schema):
    exam_id: str
    analysis_type: str

    @field_validator("exam_id", "analysis_type", mode="before")
    @classmethod
    def _text(cls, value, info):
        if not isinstance(value, str):
            raise InvalidParameter(info.field_name, "must be a string")
        return clean_text(info.field_name, value)


class TaskCreatedOut(Schema):
    task_id: int
    exam_id: str
    analysis_type: str
    status: str
    progress: int
    created_at: datetime


class TaskOut(Schema):
    task_id: int
    exam_id: str
    analysis_type: str
    status: str
    progress: int
    results: dict[str, Any] | None
    created_at: datetime
    completed_at: datetime | None


class TaskListItemOut(Schema):
    task_id: int
    exam_id: str
    patient_name: str | None
    analysis_type: str
    status: str
    progress: int
    results: dict[str, Any] | None
    created_at: datetime
    completed_at: datetime | None


class TaskFiltersOut(Schema):
    statuses: list[str]


class TaskListOut(PageOut[TaskListItemOut]):
    filters: TaskFiltersOut


class TaskStatisticsOut(Schema):
    total_tasks: int
    completed_tasks: int
    running_tasks: int
    failed_tasks: int
    average_duration_seconds: float | None
    success_rate: float | None


class TaskListQuery(PageQuery):
    status: str = Field("", description="pending, running, completed or failed; empty for all")

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value):
        return one_of("status", value, AnalysisTask.Status.values, empty=True)

    def to_filters(self) -> TaskFilters:
        return TaskFilters(status=self.status)
