"""Responses that combine several apps. The full record's field order is locked: the
contract's ten study fields first (StudyOut), then everything else stored."""

from __future__ import annotations

import json
from typing import Any

from ninja import Field, Schema
from pydantic import field_validator

from server.composition.services import DEMO_ROWS_MAX
from server.core.errors import InvalidParameter
from server.core.openapi import LocalDateTime
from server.core.params import shown
from server.reports.schemas import ReportOut
from server.studies.schemas import StudyOut


class LinkedSourceOut(Schema):
    path: str
    last_sync: LocalDateTime | None
    last_error: str | None


class HealthOut(Schema):
    status: str
    version: str
    database: str
    studies: int
    linked_source: LinkedSourceOut | None
    database_host: str | None = Field(description="The PostgreSQL server's host; null on SQLite")
    database_name: str = Field(description="The PostgreSQL database's name, or the SQLite file's name")
    warnings: list[str] = Field(description="What slows the database down, in words with its remedy")


class StudyImportOut(Schema):
    first_imported_at: LocalDateTime
    first_job_id: int | None
    first_file: str | None
    last_changed_at: LocalDateTime
    last_job_id: int | None
    last_file: str | None


class StudyFullOut(StudyOut):
    """The contract's ten fields first, in their order; then everything else stored."""

    medical_record_no: str | None
    application_order_no: str | None
    exam_description: str | None
    certified_physician: str | None
    extra: dict[str, Any]
    reports: list[ReportOut]
    import_: StudyImportOut = Field(alias="import")


class DemoIn(Schema):
    rows: int = Field(2000, ge=1, le=DEMO_ROWS_MAX, description="How many examinations (1 to 100,000)")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="The same seed writes the same data")

    @field_validator("rows", "seed", mode="before")
    @classmethod
    def _whole_number(cls, value, info):
        # A JSON number without a fraction, as JSON Schema's integer: not true, not "5".
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(value, float) and not value.is_integer()
        ):
            raise InvalidParameter(info.field_name, f"must be a whole number, got {shown(json.dumps(value))}")
        return int(value)
