"""What the importer reads, table by table: each source table's layout (defined by
its domain app), the model it goes into and how that model derives its columns. A
new source table is one more TableSpec here, not a second importer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from server.core.layout import SourceLayout
from server.reports.derive import report_derive
from server.reports.layout import REPORT_LAYOUT
from server.reports.models import Report
from server.studies.derive import study_derive
from server.studies.layout import STUDY_LAYOUT
from server.studies.models import Study
from server.studies.search_index import (
    search_chars_refresh,
    search_index_rebuild,
    search_index_suspend,
    search_rowid_next,
)


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class TableSpec:
    label: str  # section name in the report
    layout: SourceLayout
    model: type[models.Model]
    # The model's derived columns from the stored values (search text and the like).
    derive: Callable[..., dict]
    extra_field: str = "extra"
    # The model's own "stored at" and "changed at" columns.
    timestamps: tuple[str, str] = ("created_at", "updated_at")
    # A file without this table is refused (True) or simply has none of these rows.
    required_table: bool = True
    # (column, model): rows whose column names no such model row are counted as orphaned.
    reference: tuple[str, type[models.Model]] | None = None
    # A column the importer numbers as it inserts, counting on from row_number_next().
    row_number: str | None = None
    row_number_next: Callable[[], int] = lambda: 1
    # The model's own indexes beyond Meta.indexes: stopped before a bulk load and
    # rebuilt after it (bulk_*), and refreshed after any import that changed rows.
    bulk_suspend: Callable[[], None] = _nothing
    bulk_rebuild: Callable[[], None] = _nothing
    after_change: Callable[[], None] = _nothing

    @property
    def derived_fields(self) -> tuple[str, ...]:
        return tuple(self.derive(values=dict.fromkeys(self.layout.names)))


STUDIES = TableSpec(
    label="studies",
    layout=STUDY_LAYOUT,
    model=Study,
    derive=study_derive,
    row_number="search_rowid",
    row_number_next=search_rowid_next,
    bulk_suspend=search_index_suspend,
    bulk_rebuild=search_index_rebuild,
    after_change=search_chars_refresh,
)

REPORTS = TableSpec(
    label="reports",
    layout=REPORT_LAYOUT,
    model=Report,
    derive=report_derive,
    timestamps=("imported_at", "updated_at"),
    required_table=False,
    reference=("exam_id", Study),
)

# In import order: reports refer to studies, so studies come first.
TABLES = (STUDIES, REPORTS)
