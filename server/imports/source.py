"""Reading a DuckDB file: opened read-only, never changed, refusals worded for people."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from server.imports.errors import ImportRefused, SourceLocked

# DuckDB reports these types in information_schema; TIMESTAMP_NS is read as text so
# that nanoseconds are seen (and refused) rather than silently cut off.
READ_AS_TEXT = {"TIMESTAMP_NS"}


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class SourceColumn:
    name: str  # as the source spells it
    type: str

    def select(self) -> str:
        if self.type in READ_AS_TEXT:
            return f"CAST({ident(self.name)} AS VARCHAR)"
        return ident(self.name)


@dataclass(frozen=True)
class SourceTable:
    schema: str
    name: str
    columns: tuple[SourceColumn, ...]
    has_rowid: bool

    @property
    def sql_name(self) -> str:
        return f"{ident(self.schema)}.{ident(self.name)}"

    def column(self, wanted: str) -> SourceColumn | None:
        """The column named `wanted`, compared case-insensitively as DuckDB does."""
        for column in self.columns:
            if column.name.lower() == wanted.lower():
                return column
        return None


def file_fingerprint(path: Path) -> tuple[int, str]:
    """Size and sha256 of the file, for the import history."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


class DuckDBSource:
    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            raise ImportRefused(f"File not found: {path}")
        if path.is_dir():
            raise ImportRefused(f"{path} is a folder, not a DuckDB file")
        if not os.access(path, os.R_OK):
            raise ImportRefused(f"Cannot read {path}: permission denied")
        try:
            self.connection = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            message = str(exc)
            if "lock" in message.lower():
                raise SourceLocked(
                    f"{path} is open in another program, which is still writing it; "
                    "close that program or wait for it to finish, then try again"
                ) from None
            if "not a valid DuckDB database file" in message:
                raise ImportRefused(f"{path} is not a DuckDB database file") from None
            first_line = message.strip().splitlines()[0] if message.strip() else type(exc).__name__
            raise ImportRefused(f"Cannot open {path} as a DuckDB database: {first_line}") from None

    def __enter__(self) -> DuckDBSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    def tables(self) -> list[tuple[str, str, str]]:
        return self.connection.execute(
            "SELECT table_schema, table_name, table_type FROM information_schema.tables "
            "ORDER BY table_schema <> 'main', table_schema, table_name"
        ).fetchall()

    def table(self, wanted: str, *, required: tuple[str, ...], optional: bool = False) -> SourceTable | None:
        """The table named `wanted` (any case, `main` schema first), checked to have
        the required columns; a refusal names what the file has instead. An optional
        table that is absent is None."""
        tables = self.tables()
        found = next(((s, n, t) for s, n, t in tables if n.lower() == wanted.lower()), None)
        if found is None and optional:
            return None
        if found is None:
            names = ", ".join(n if s == "main" else f"{s}.{n}" for s, n, _ in tables)
            has = f"its tables are: {names}" if names else "it has no tables"
            raise ImportRefused(f"{self.path} has no table {wanted}; {has}")
        schema, name, table_type = found
        columns = tuple(
            SourceColumn(column_name, data_type)
            for column_name, data_type in self.connection.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                [schema, name],
            ).fetchall()
        )
        table = SourceTable(schema, name, columns, has_rowid=table_type == "BASE TABLE")
        missing = [c for c in required if table.column(c) is None]
        if missing:
            listed = ", ".join(c.name for c in columns)
            raise ImportRefused(
                f"The table {name} in {self.path} has no column {' and no column '.join(missing)} "
                f"(its columns are: {listed})"
            )
        return table

    def count(self, table: SourceTable) -> int:
        return self.connection.execute(f"SELECT count(*) FROM {table.sql_name}").fetchone()[0]

    def repeated_keys(self, table: SourceTable, key: str) -> dict[str, bool]:
        """Keys that appear in more than one row: key -> whether all its rows are identical."""
        key_sql = ident(table.column(key).name)
        row = "struct_pack(" + ", ".join(f"{ident(c.name)} := {ident(c.name)}" for c in table.columns) + ")"
        # Whole rows are compared only for the repeated keys: comparing them for every
        # key would hold all rows in a hash table (450 MB for a million).
        result = self.connection.execute(
            f"WITH repeated AS (SELECT {key_sql} AS k FROM {table.sql_name} "
            f"WHERE {key_sql} IS NOT NULL GROUP BY {key_sql} HAVING count(*) > 1) "
            f"SELECT CAST({key_sql} AS VARCHAR), count(DISTINCT {row}) = 1 FROM {table.sql_name} "
            f"WHERE {key_sql} IN (SELECT k FROM repeated) GROUP BY {key_sql}"
        ).fetchall()
        return dict(result)

    def rows(self, table: SourceTable, *, batch_size: int) -> Iterator[list[tuple]]:
        """Batches of (source_row, *columns) in table order; source_row counts from 1."""
        # No ORDER BY: it would make DuckDB sort (hold) the whole table in memory. A plain
        # scan streams, in table order since insertion order is preserved, and rowid
        # numbers each row whatever the order.
        position = "rowid + 1" if table.has_rowid else "row_number() OVER ()"
        columns = ", ".join(c.select() for c in table.columns)
        cursor = self.connection.cursor()
        try:
            cursor.execute(f"SELECT {position}, {columns} FROM {table.sql_name}")
            while batch := cursor.fetchmany(batch_size):
                yield batch
        finally:
            cursor.close()
