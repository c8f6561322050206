"""demo_data_write(): the demo DuckDB file, its tables and columns as STUDY_LAYOUT and
REPORT_LAYOUT define them, written in one transaction and renamed into place."""

from __future__ import annotations

import os
import pathlib
import uuid
from dataclasses import dataclass

import duckdb

from server.core.layout import DATETIME, SourceLayout
from server.demo.exams import batches
from server.demo.reports import Reports
from server.reports.layout import REPORT_LAYOUT
from server.studies.layout import STUDY_LAYOUT


@dataclass(frozen=True)
class DemoData:
    """What demo_data_write() wrote: the file, and the rows of each of its tables."""

    path: pathlib.Path
    examinations: int
    reports: int  # 0 when the file has no reports table


# Timestamps travel as microseconds since 1970 (cheaper than datetime objects to build);
# make_timestamp turns them back into naive wall-clock time. Unnesting the lists from a
# subquery, rather than straight from the parameters, makes the INSERT about twice as fast.
def _insert(layout: SourceLayout) -> str:
    return (
        f"INSERT INTO {layout.table} SELECT "
        + ", ".join(f"make_timestamp(unnest(c{i}))" if column.kind == DATETIME else f"unnest(c{i})"
                    for i, column in enumerate(layout.columns))
        + " FROM (SELECT "
        + ", ".join(f"${i + 1}::{'BIGINT' if column.kind == DATETIME else column.duckdb_type}[] AS c{i}"
                    for i, column in enumerate(layout.columns))
        + ")"
    )


def _create(layout: SourceLayout) -> str:
    return f"CREATE TABLE {layout.table} ({', '.join(f'{n} {t}' for n, t in layout.duckdb_columns)})"


_INSERT = _insert(STUDY_LAYOUT)
_REPORT_INSERT = _insert(REPORT_LAYOUT)


def demo_data_write(*, path: pathlib.Path, rows: int, seed: int = 0, force: bool = False,
                    reports: bool = True) -> DemoData:
    """Write a realistic synthetic DuckDB file in the clinic's source layout; returns what
    it wrote. With reports=False the file has no reports table."""
    path = pathlib.Path(path)
    if rows < 0:
        raise ValueError(f"rows must be 0 or more, not {rows}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not exist")
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists; pass --force to replace it")

    # Written beside the target and renamed at the end, so an interrupted run never
    # leaves a half-written file at path.
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.partial")
    try:
        # Without a limit DuckDB keeps the blocks it has written cached, up to most of the RAM.
        con = duckdb.connect(str(partial), config={"memory_limit": "128MB"})
        try:
            for layout in (STUDY_LAYOUT, REPORT_LAYOUT) if reports else (STUDY_LAYOUT,):
                con.execute(_create(layout))
            writer = Reports(rows, seed) if reports else None
            # In one transaction DuckDB writes the rows straight into the file rather than
            # through the WAL and a checkpoint every few batches: faster, and a smaller file.
            con.begin()
            for batch in batches(rows, seed):
                con.execute(_INSERT, batch)
                if writer is not None and (report_batch := writer.batch(batch)):
                    con.execute(_REPORT_INSERT, report_batch)
            con.commit()
        finally:
            con.close()  # checkpoints, so the data is in the file itself, not a WAL
        if path.exists() and not force:
            raise FileExistsError(f"{path} already exists; pass --force to replace it")
        # A WAL left by the database being replaced would be replayed onto the new one.
        pathlib.Path(f"{path}.wal").unlink(missing_ok=True)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
        pathlib.Path(f"{partial}.wal").unlink(missing_ok=True)
    return DemoData(path=path, examinations=rows, reports=writer.written if writer is not None else 0)
