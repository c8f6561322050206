"""Analysis responses; the field order of the *Out schemas is the locked contract's."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Schema
from pydantic import field_validator

from server.analysis.filters import TaskFilters
from server.analysis.models import AnalysisTask
from server.analysis.registry import ANALYSIS_TYPES
from server.core.errors import InvalidParameter
from server.core.openapi import TEXT_PATTERN, LocalDateTime
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
    exam_id: str = Field(json_schema_extra={"pattern": TEXT_PATTERN})
    # An enum in the OpenAPI document only: task_create refuses any other type in words.
    analysis_type: str = Field(json_schema_extra={"enum": list(ANALYSIS_TYPES)})

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
    created_at: LocalDateTime


class TaskOut(Schema):
    task_id: int
    exam_id: str
    analysis_type: str
    status: str
    progress: int
    results: dict[str, Any] | None
    created_at: LocalDateTime
    completed_at: LocalDateTime | None


class TaskListItemOut(Schema):
    task_id: int
    exam_id: str
    patient_name: str | None
    analysis_type: str
    status: str
    progress: int
    results: dict[str, Any] | None
    created_at: LocalDateTime
    completed_at: LocalDateTime | None


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


# The values TaskListQuery's validator takes, declared to the OpenAPI document as an
# enum; the validator still refuses any other with the server's own message (one_of).
TaskStatusFilter = Literal[("", *AnalysisTask.Status.values)]


class TaskListQuery(PageQuery):
    status: TaskStatusFilter = Field("", description="pending, running, completed or failed; empty for all")

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value):
        return one_of("status", value, AnalysisTask.Status.values, empty=True)

    def to_filters(self) -> TaskFilters:
        return TaskFilters(status=self.status)
