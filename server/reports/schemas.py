"""Reports responses; the field order of the *Out schemas is the locked contract's."""

from __future__ import annotations

from ninja import Field, Schema
from pydantic import field_validator

from server.core.openapi import SEARCH_TEXT_PATTERN, LocalDateTime
from server.core.paging import PageOut, PageQuery
from server.core.params import StrictQuery, clean_text
from server.reports.filters import ReportFilters


class ReportOut(Schema):
    report_id: str
    exam_id: str | None
    patient_name: str | None
    exam_item: str | None
    findings: str | None
    radiologist: str | None
    created_at: LocalDateTime | None
    status: str | None



class ReportFiltersOut(Schema):
    statuses: list[str]


class ReportSearchOut(PageOut[ReportOut]):
    filters: ReportFiltersOut


class ReportFilterQuery(StrictQuery):
    q: str = Field(
        "",
        description="Case-insensitive substring of findings, radiologist, the linked study's "
        "patient name or report_id. `%`, `_` and `\\\\` are literal.",
        json_schema_extra={"pattern": SEARCH_TEXT_PATTERN},
    )
    status: str = Field("", description="Exact report status; empty for all")
    exam_status: str = Field("", description="Exact status of the linked study; empty for all")

    @field_validator("q", "status", "exam_status", mode="before")
    @classmethod
    def _text(cls, value, info):
        return clean_text(info.field_name, value)

    def to_filters(self) -> ReportFilters:
        return ReportFilters(q=self.q, status=self.status, exam_status=self.exam_status)


class ReportSearchQuery(PageQuery, ReportFilterQuery):
    """Filters first, then paging."""
