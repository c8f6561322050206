"""Responses that combine several apps. The full record's field order is locked: the
contract's ten study fields first (StudyOut), then everything else stored."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema

from server.core.openapi import LocalDateTime
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
