"""How a table of the clinic's DuckDB file is described: its columns in source order,
each with the kind of value it holds.

The domain apps define their tables with these (server/studies/layout.py,
server/reports/layout.py); the models' source fields, the importer, the export, the
demo data and the tests are all built from those two definitions.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

TEXT, INTEGER, DATETIME = "text", "integer", "datetime"
KINDS = (TEXT, INTEGER, DATETIME)

# The type each kind has in the clinic's DuckDB file (and in the demo data).
DUCKDB_TYPES = {TEXT: "VARCHAR", INTEGER: "INTEGER", DATETIME: "TIMESTAMP"}
# The field each kind is stored in: text never truncated, integers of 64 bits.
_MODEL_FIELDS = {TEXT: models.TextField, INTEGER: models.BigIntegerField, DATETIME: models.DateTimeField}


@dataclass(frozen=True)
class SourceColumn:
    name: str
    kind: str  # TEXT, INTEGER or DATETIME
    required: bool = False  # the source must have the column, and every row a value in it

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.kind]


@dataclass(frozen=True)
class SourceLayout:
    """One source table: its name, its key column and its columns in source order."""

    table: str
    key: str
    columns: tuple[SourceColumn, ...]

    def __post_init__(self) -> None:
        if self.key not in self.names:
            raise ValueError(f"{self.table}: the key {self.key} is not one of its columns")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def duckdb_columns(self) -> tuple[tuple[str, str], ...]:
        """(name, DuckDB type) of each column, as `CREATE TABLE` takes them."""
        return tuple((c.name, c.duckdb_type) for c in self.columns)

    def column(self, name: str) -> SourceColumn:
        return next(c for c in self.columns if c.name == name)

    def model_fields(self, *, declared: tuple[str, ...] = ()) -> dict[str, models.Field]:
        """A model field per column, but those the model declares itself (`declared`):
        the key is the primary key; a required column is NOT NULL, any other may be
        empty. Values are stored exactly as the source holds them, never mapped to a
        fixed list of choices."""
        fields = {}
        for column in self.columns:
            if column.name in declared:
                continue
            field = _MODEL_FIELDS[column.kind]
            if column.name == self.key:
                fields[column.name] = field(primary_key=True)
            elif column.required:
                fields[column.name] = field()
            else:
                fields[column.name] = field(null=True, blank=True)
        return fields
