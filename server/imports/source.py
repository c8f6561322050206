"""Reading a DuckDB file: opened read-only, never changed, refusals worded for people."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from server.imports.errors import ImportRefused, SourceLocked

# A clinic's file is a few GB at most (a million examinations: about 200 MB). A larger
# one is refused at once rather than hashed and read for minutes.
MAX_SOURCE_BYTES = 32 * 1024**3
# The clinic's table has 14 columns, plus perhaps a few of its own. A file with tens of
# thousands crashed DuckDB itself in the duplicate check (65,000 columns: a divide trap).
MAX_SOURCE_COLUMNS = 1_000
NAME_MAX_BYTES = 255  # one path component, on every file system the app runs on
# The file is read as it is and nothing else: no other file, no network, no extension
# (a SQLite file would make DuckDB download its sqlite_scanner), and a view in the file
# cannot turn these back on.
DUCKDB_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "lock_configuration": True,
}
DUCKDB_MAGIC = b"DUCK"  # bytes 8 to 12 of every DuckDB database file
SQLITE_MAGIC = b"SQLite format 3\x00"

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


def _kind_of(mode: int) -> str | None:
    """What a file that is not a regular one is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder, not a DuckDB file"
    if stat.S_ISFIFO(mode):
        return "a named pipe, not a DuckDB file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a DuckDB file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a DuckDB file"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return None


def source_path_check(path: Path) -> None:
    """Refuse, at once and in words, what is not a readable DuckDB file of a sane size:
    before DuckDB opens it (a named pipe would hang it for ever) or anything hashes it."""
    too_long = [part for part in path.parts if len(os.fsencode(part)) > NAME_MAX_BYTES]
    if too_long:
        raise ImportRefused(
            f"The path has a name of {len(os.fsencode(too_long[0])):,} bytes; a file or folder name "
            f"holds at most {NAME_MAX_BYTES}"
        )
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ImportRefused(f"File not found: {path}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ImportRefused(f"{path} is a symbolic link that loops back on itself") from None
        if exc.errno == errno.ENOTDIR:
            raise ImportRefused(f"File not found: {path} (a part of the path is a file, not a folder)") from None
        if exc.errno == errno.ENAMETOOLONG:
            raise ImportRefused("The path is too long for this system") from None
        raise ImportRefused(f"Cannot read {path}: {exc.strerror or exc}") from None
    if problem := _kind_of(info.st_mode):
        raise ImportRefused(f"{path} is {problem}")
    if info.st_size > MAX_SOURCE_BYTES:
        raise ImportRefused(
            f"{path} is {info.st_size / 1024**3:,.1f} GB; Imaging Desk imports DuckDB files of at most "
            f"{MAX_SOURCE_BYTES // 1024**3} GB"
        )
    try:
        # Non-blocking, and checked again once open: the path may have changed meanwhile.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except PermissionError:
        raise ImportRefused(f"Cannot read {path}: permission denied") from None
    except OSError as exc:
        raise ImportRefused(f"Cannot read {path}: {exc.strerror or exc}") from None
    try:
        if problem := _kind_of(os.fstat(fd).st_mode):
            raise ImportRefused(f"{path} is {problem}")
        header = os.read(fd, 16)
    finally:
        os.close(fd)
    if header.startswith(SQLITE_MAGIC):
        raise ImportRefused(
            f"{path} is a SQLite database, not a DuckDB file (Imaging Desk's own database is one); "
            "choose the clinic's DuckDB export"
        )
    if header[8:12] != DUCKDB_MAGIC:
        raise ImportRefused(f"{path} is not a DuckDB database file")


class DuckDBSource:
    def __init__(self, path: Path) -> None:
        self.path = path
        source_path_check(path)
        try:
            self.connection = duckdb.connect(str(path), read_only=True, config=DUCKDB_CONFIG)
        except duckdb.Error as exc:
            message = str(exc)
            # Not just "lock": a corrupt file's message speaks of a "block".
            if "could not set lock" in message.lower() or "conflicting lock" in message.lower():
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
        if len(columns) > MAX_SOURCE_COLUMNS:
            raise ImportRefused(
                f"The table {name} in {self.path} has {len(columns):,} columns; Imaging Desk reads "
                f"tables of at most {MAX_SOURCE_COLUMNS:,} columns"
            )
        table = SourceTable(schema, name, columns, has_rowid=table_type == "BASE TABLE")
        self._check_readable(table, table_type)
        missing = [c for c in required if table.column(c) is None]
        if missing:
            listed = ", ".join(c.name for c in columns)
            raise ImportRefused(
                f"The table {name} in {self.path} has no column {' and no column '.join(missing)} "
                f"(its columns are: {listed})"
            )
        return table

    def _check_readable(self, table: SourceTable, table_type: str) -> None:
        """Bind the table's query without reading a row: a view that reads another file
        (or anything else outside this one) is refused here, by name."""
        try:
            self.connection.execute(f"SELECT * FROM {table.sql_name} LIMIT 0").fetchall()
        except duckdb.PermissionException:
            raise ImportRefused(
                f"The {table_type.lower()} {table.name} in {self.path} reads from outside the file (another "
                "file, a folder or the network); Imaging Desk imports only what the file itself holds"
            ) from None
        except duckdb.Error as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ImportRefused(f"Cannot read the table {table.name} in {self.path}: {first_line}") from None

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
