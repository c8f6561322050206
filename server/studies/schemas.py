"""Response and parameter schemas. The field order of the *Out schemas is the locked
contract's key order: never reorder, rename or add a field here."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import field_validator

from server.core.params import PageQuery, StrictQuery, clean_text


class StudyOut(Schema):
    exam_id: str
    patient_name: str | None
    patient_gender: str | None
    patient_age: int | None
    exam_status: str | None
    exam_source: str | None
    exam_item: str | None
    order_datetime: datetime
    check_in_datetime: datetime | None
    report_certification_datetime: datetime | None


CONTRACT_FIELDS = tuple(StudyOut.model_fields)


class FilterOptionsOut(Schema):
    exam_statuses: list[str]
    exam_sources: list[str]
    exam_items: list[str]


class StudySearchOut(Schema):
    data: list[StudyOut]
    total: int
    page: int
    page_size: int
    filters: FilterOptionsOut


class StudyFilterQuery(StrictQuery):
    """The search's filters, apart from paging."""

    q: str = Field(
        "",
        description="Case-insensitive substring of patient name, description, item, "
        "exam ID, medical record number or application order number. "
        "`%`, `_` and `\\` are literal.",
    )
    exam_status: str = Field("", description="Exact status; empty for all")
    exam_source: str = Field("", description="Exact source (modality); empty for all")
    exam_item: str = Field("", description="Exact item; empty for all")

    @field_validator("q", "exam_status", "exam_source", "exam_item", mode="before")
    @classmethod
    def _text(cls, value, info):
        return clean_text(info.field_name, value)


class StudySearchQuery(PageQuery, StudyFilterQuery):
    """Filters first, then paging: the contract's own parameter order."""
