"""Response and parameter schemas. The field order of the *Out schemas is the locked
contract's key order: never reorder, rename or add a field here."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import WithJsonSchema, field_validator, model_validator

from server.core.errors import InvalidParameter
from server.core.openapi import DATE_BOUND_PATTERN, FILENAME_PATTERN, SEARCH_TEXT_PATTERN, LocalDateTime
from server.core.paging import PageOut, PageQuery
from server.core.params import (
    FILENAME_MAX_CHARS,
    StrictQuery,
    clean_filename,
    clean_text,
    one_of,
    parse_date_bound,
    parse_int,
)
from server.studies.export import FORMATS as EXPORT_FORMATS
from server.studies.filters import DEFAULT_SORT, SORTS, StudyFilters


class StudyOut(Schema):
    exam_id: str
    patient_name: str | None
    patient_gender: str | None
    patient_age: int | None
    exam_status: str | None
    exam_source: str | None
    exam_item: str | None
    order_datetime: LocalDateTime
    check_in_datetime: LocalDateTime | None
    report_certification_datetime: LocalDateTime | None


CONTRACT_FIELDS = tuple(StudyOut.model_fields)


class RelatedStudiesOut(PageOut[StudyOut]):
    """The patient's other studies; matched_by says how they were found."""

    matched_by: Literal["medical_record_no", "name_and_age"] | None


class FilterOptionsOut(Schema):
    exam_statuses: list[str]
    exam_sources: list[str]
    exam_items: list[str]


class StudySearchOut(PageOut[StudyOut]):
    filters: FilterOptionsOut


AGE_MAX = 200
# The values the validators below take, declared to the OpenAPI document as enums;
# the validators still refuse any other with the server's own message (one_of).
SortName = Literal[tuple(SORTS)]
ExportFormat = Literal[EXPORT_FORMATS]
# An age bound is an integer (or absent, or empty); not null, which a query cannot send.
AgeBound = Annotated[
    int | None,
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0, "maximum": AGE_MAX}, {"enum": [""]}]}),
]


class StudyFilterQuery(StrictQuery):
    """The studies' filters, shared by search, statistics and export."""

    q: str = Field(
        "",
        description="Case-insensitive substring of patient name, description, item, "
        "exam ID, medical record number or application order number. "
        "`%`, `_` and `\\` are literal.",
        json_schema_extra={"pattern": SEARCH_TEXT_PATTERN},
    )
    exam_status: list[str] = Field([], description="Exact status; repeat for several; empty for all")
    exam_source: list[str] = Field([], description="Exact source (modality); repeat for several")
    exam_item: list[str] = Field([], description="Exact item; repeat for several")
    date_from: str = Field(
        "",
        description="Orders from this day (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM[:SS]), inclusive",
        json_schema_extra={"pattern": DATE_BOUND_PATTERN},
    )
    date_to: str = Field(
        "", description="Orders up to this day or time, inclusive", json_schema_extra={"pattern": DATE_BOUND_PATTERN}
    )
    patient_age_min: AgeBound = Field(None, ge=0, le=AGE_MAX, description="Patients at least this old")
    patient_age_max: AgeBound = Field(None, ge=0, le=AGE_MAX, description="Patients at most this old")
    patient_gender: str = Field("", description="Exact gender as stored (M, F, U, ...); empty for all")

    @field_validator("q", "date_from", "date_to", "patient_gender", mode="before")
    @classmethod
    def _text(cls, value, info):
        return clean_text(info.field_name, value)

    @field_validator("exam_status", "exam_source", "exam_item", mode="before")
    @classmethod
    def _texts(cls, value, info):
        values = value if isinstance(value, list) else [value]
        return [clean_text(info.field_name, v) for v in values]

    @field_validator("patient_age_min", "patient_age_max", mode="before")
    @classmethod
    def _age(cls, value, info):
        if value is None or value == "":
            return None
        return parse_int(info.field_name, value, minimum=0, maximum=AGE_MAX)

    @model_validator(mode="after")
    def _ranges(self):
        self.to_filters()  # refuses an inverted range, naming it
        return self

    def to_filters(self) -> StudyFilters:
        order_from = parse_date_bound("date_from", self.date_from, upper=False)
        order_before = parse_date_bound("date_to", self.date_to, upper=True)
        if order_from is not None and order_before is not None and order_from >= order_before:
            raise InvalidParameter("date_from", f"must not be after date_to ({self.date_from} > {self.date_to})")
        if (
            self.patient_age_min is not None
            and self.patient_age_max is not None
            and self.patient_age_min > self.patient_age_max
        ):
            raise InvalidParameter(
                "patient_age_min",
                f"must not be above patient_age_max ({self.patient_age_min} > {self.patient_age_max})",
            )
        return StudyFilters(
            q=self.q,
            exam_status=tuple(self.exam_status),
            exam_source=tuple(self.exam_source),
            exam_item=tuple(self.exam_item),
            patient_gender=self.patient_gender,
            patient_age_min=self.patient_age_min,
            patient_age_max=self.patient_age_max,
            order_from=order_from,
            order_before=order_before,
        )


class SortQuery(StrictQuery):
    sort: SortName = Field(
        DEFAULT_SORT, description="order_datetime_desc (default), order_datetime_asc or patient_name_asc"
    )

    @field_validator("sort", mode="before")
    @classmethod
    def _sort(cls, value):
        return one_of("sort", value, SORTS)


class StudySearchQuery(PageQuery, SortQuery, StudyFilterQuery):
    """Filters first, then sort and paging: the contract's own parameters come first."""


class ExportQuery(SortQuery, StudyFilterQuery):
    format: ExportFormat = Field("csv", description="csv (UTF-8 with BOM) or xlsx")
    filename: str = Field(
        "",
        max_length=FILENAME_MAX_CHARS,
        json_schema_extra={"pattern": FILENAME_PATTERN},
        description="The name (or path) the file is saved as, recorded in the audit trail; "
        "it does not change the download's own name",
    )

    @field_validator("format", mode="before")
    @classmethod
    def _format(cls, value):
        return one_of("format", value, EXPORT_FORMATS)

    @field_validator("filename", mode="before")
    @classmethod
    def _filename(cls, value):
        return clean_filename(value)

    def given_filters(self) -> dict:
        """The filters as the request gave them, the empty ones left out: for the audit trail."""
        return {
            name: getattr(self, name)
            for name in StudyFilterQuery.model_fields
            if getattr(self, name) not in ("", [], None)
        }


class ValueCountOut(Schema):
    value: str | None
    count: int


class TopCountsOut(Schema):
    top: list[ValueCountOut]
    other: int


class AgeBandOut(Schema):
    band: str
    count: int


class DayCountOut(Schema):
    date: str
    count: int


class TurnaroundOut(Schema):
    count: int
    median: float | None
    p90: float | None
    max: float | None


class TurnaroundMinutesOut(Schema):
    order_to_check_in: TurnaroundOut
    check_in_to_certification: TurnaroundOut
    order_to_certification: TurnaroundOut


class StudyStatisticsOut(Schema):
    total: int
    by_status: list[ValueCountOut]
    by_source: list[ValueCountOut]
    by_item: TopCountsOut
    by_gender: list[ValueCountOut]
    by_age_band: list[AgeBandOut]
    daily_volume: list[DayCountOut]
    turnaround_minutes: TurnaroundMinutesOut
    by_physician: list[ValueCountOut]
