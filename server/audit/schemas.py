"""The audit trail's parameter and response schemas (API_CONTRACT.md, "Audit trail")."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator, model_validator

from server.audit.filters import AuditFilters
from server.audit.models import ACTIONS
from server.core.errors import InvalidParameter
from server.core.openapi import DATE_BOUND_PATTERN, FILENAME_PATTERN, TEXT_PATTERN, LocalDateTime
from server.core.paging import PageOut, PageQuery
from server.core.params import FILENAME_MAX_CHARS, StrictQuery, clean_filename, clean_text, one_of, parse_date_bound

ActionName = Literal[ACTIONS]
EXPORT_FORMATS = ("csv",)


class AuditEntryOut(Schema):
    id: int
    at: LocalDateTime
    action: str
    user: str
    summary: str
    details: dict


class AuditPageOut(PageOut[AuditEntryOut]):
    """One page of entries, newest first."""


class AuditOptionsOut(Schema):
    actions: list[str]
    users: list[str]


class AuditFilterQuery(StrictQuery):
    action: ActionName | Literal[""] = Field("", description="Only entries of this action; empty for all")
    user: str = Field(
        "", description="Only entries of this user, exactly as listed in /audit/options",
        json_schema_extra={"pattern": TEXT_PATTERN},
    )
    since: str = Field(
        "",
        description="Entries from this day (YYYY-MM-DD), inclusive",
        json_schema_extra={"pattern": DATE_BOUND_PATTERN},
    )
    until: str = Field(
        "",
        description="Entries up to this day (YYYY-MM-DD), inclusive",
        json_schema_extra={"pattern": DATE_BOUND_PATTERN},
    )
    q: str = Field(
        "", description="Case-insensitive substring of the summary", json_schema_extra={"pattern": TEXT_PATTERN}
    )

    @field_validator("action", mode="before")
    @classmethod
    def _action(cls, value):
        return one_of("action", value, ACTIONS, empty=True)

    @field_validator("user", "since", "until", "q", mode="before")
    @classmethod
    def _text(cls, value, info):
        return clean_text(info.field_name, value)

    @model_validator(mode="after")
    def _range(self):
        self.to_filters()  # refuses a bad date or an inverted range, naming it
        return self

    def to_filters(self) -> AuditFilters:
        since = parse_date_bound("since", self.since, upper=False)
        before = parse_date_bound("until", self.until, upper=True)
        if since is not None and before is not None and since >= before:
            raise InvalidParameter("since", f"must not be after until ({self.since} > {self.until})")
        return AuditFilters(action=self.action, user=self.user, since=since, before=before, q=self.q)


class AuditListQuery(PageQuery, AuditFilterQuery):
    """Filters first, then paging."""


class AuditExportQuery(AuditFilterQuery):
    format: Literal[EXPORT_FORMATS] = Field("csv", description="csv (UTF-8 with BOM), the only format")
    filename: str = Field(
        "",
        max_length=FILENAME_MAX_CHARS,
        json_schema_extra={"pattern": FILENAME_PATTERN},
        description="The name the file is saved as, recorded in the audit trail",
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
        return {name: getattr(self, name) for name in AuditFilterQuery.model_fields if getattr(self, name)}
