"""What the importer reads, table by table. A new source table (reports, later) is
one more TableSpec here, not a second importer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models

from server.reports.models import Report
from server.studies.models import Study


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # a key of server.imports.convert.PARSERS
    required: bool = False  # the source must have the column, and every row a value in it


@dataclass(frozen=True)
class TableSpec:
    label: str  # section name in the report
    source_table: str
    model: type[models.Model]
    key: str
    columns: tuple[Column, ...]
    # Model fields computed from the stored values (e.g. the search index text).
    derived: Callable[[dict], dict] = field(default=lambda values: {})
    extra_field: str = "extra"
    # The model's own "stored at" and "changed at" columns.
    timestamps: tuple[str, str] = ("created_at", "updated_at")
    # A file without this table is refused (True) or simply has none of these rows.
    required_table: bool = True
    # (field, model): rows whose field names no such model row are counted as orphaned.
    reference: tuple[str, type[models.Model]] | None = None

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def derived_fields(self) -> tuple[str, ...]:
        return tuple(self.derived({name: None for name in self.column_names}))


STUDIES = TableSpec(
    label="studies",
    source_table="medical_examinations_fact",
    model=Study,
    key="exam_id",
    columns=(
        Column("exam_id", "text", required=True),
        Column("medical_record_no", "text"),
        Column("application_order_no", "text"),
        Column("patient_name", "text"),
        Column("patient_gender", "text"),
        Column("patient_age", "integer"),
        Column("exam_status", "text"),
        Column("exam_source", "text"),
        Column("exam_item", "text"),
        Column("exam_description", "text"),
        Column("order_datetime", "datetime", required=True),
        Column("check_in_datetime", "datetime"),
        Column("report_certification_datetime", "datetime"),
        Column("certified_physician", "text"),
    ),
    derived=Study.derive,
)

REPORTS = TableSpec(
    label="reports",
    source_table="reports",
    model=Report,
    key="report_id",
    columns=(
        Column("report_id", "text", required=True),
        Column("exam_id", "text"),
        Column("findings", "text"),
        Column("radiologist", "text"),
        Column("created_at", "datetime"),
        Column("status", "text"),
    ),
    derived=Report.derive,
    timestamps=("imported_at", "updated_at"),
    required_table=False,
    reference=("exam_id", Study),
)

# In import order: reports refer to studies, so studies come first.
TABLES = (STUDIES, REPORTS)
