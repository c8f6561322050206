from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from pydantic import field_validator

from server.core.errors import InvalidParameter
from server.core.openapi import TEXT_PATTERN, LocalDateTime
from server.core.paging import PageOut
from server.core.params import clean_text


class ImportStartIn(Schema):
    path: str = Field(
        description="Absolute path of the DuckDB file on this PC",
        json_schema_extra={"minLength": 1, "pattern": TEXT_PATTERN},
    )

    @field_validator("path", mode="before")
    @classmethod
    def _path(cls, value):
        if not isinstance(value, str):
            raise InvalidParameter("path", "must be a string")
        text = clean_text("path", value)
        if not text.strip():
            raise InvalidParameter("path", "must not be empty")
        return text


class ImportStartOut(Schema):
    job_id: int


class ImportJobOut(Schema):
    state: str
    phase: str
    rows_done: int
    rows_total: int
    report: dict[str, Any] | None
    error: str | None


class QuarantinedRowOut(Schema):
    source_row: int
    exam_id: Any
    report_id: str | None
    reason: str
    source_table: str
    raw: dict[str, Any]


class QuarantinedPageOut(PageOut[QuarantinedRowOut]):
    """A page of the rows an import quarantined."""


class ImportHistoryItemOut(Schema):
    job_id: int
    kind: str
    path: str
    size: int | None
    sha256: str
    started_at: LocalDateTime
    finished_at: LocalDateTime | None
    outcome: str
    source_rows: int | None
    inserted: int | None
    updated: int | None
    unchanged: int | None
    duplicates: int | None
    quarantined: int | None
    not_in_source: int | None
    error: str | None


class ImportHistoryOut(PageOut[ImportHistoryItemOut]):
    """A page of the import history, newest first."""


class LinkOut(Schema):
    path: str
    linked_at: LocalDateTime
    last_sync: LocalDateTime | None
    last_error: str | None
    last_job_id: int | None


class LinkStatusOut(Schema):
    linked_source: LinkOut | None
