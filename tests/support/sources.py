"""DuckDB source files for tests, in the layouts the domain apps define."""

import datetime as dt
from pathlib import Path

from server.reports.layout import REPORT_LAYOUT
from server.studies.layout import STUDY_LAYOUT

# The clinic's source layouts: (name, DuckDB type) of each column, in source order.
SOURCE_COLUMNS = list(STUDY_LAYOUT.duckdb_columns)
SOURCE_NAMES = list(STUDY_LAYOUT.names)
REPORT_COLUMNS = list(REPORT_LAYOUT.duckdb_columns)


def add_table(path: Path, table: str, columns, rows) -> Path:
    """A table in a DuckDB file, new or existing; rows are tuples or dicts (missing keys are NULL)."""
    import duckdb

    names = [name for name, _ in columns]
    with duckdb.connect(str(path)) as con:
        definition = ", ".join(f'"{name}" {type_}' for name, type_ in columns)
        con.execute(f'CREATE TABLE "{table}" ({definition})')
        if rows:
            values = [tuple(r.get(n) for n in names) if isinstance(r, dict) else tuple(r) for r in rows]
            con.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(names))})', values)
    return path


def write_duckdb(path: Path, rows: list, *, columns=SOURCE_COLUMNS, table=STUDY_LAYOUT.table) -> Path:
    """A new DuckDB file with one table, by default the examinations in the clinic's layout."""
    return add_table(path, table, columns, rows)


def source_row(exam_id, **fields) -> dict:
    """A plausible source row; fields override."""
    return {
        "exam_id": exam_id, "medical_record_no": f"MR-{exam_id}", "application_order_no": f"AO-{exam_id}",
        "patient_name": "Test Patient", "patient_gender": "F", "patient_age": 50,
        "exam_status": "completed", "exam_source": "CT", "exam_item": "Chest CT",
        "exam_description": "Routine.", "order_datetime": dt.datetime(2025, 1, 1, 8, 0),
        "check_in_datetime": dt.datetime(2025, 1, 1, 8, 20),
        "report_certification_datetime": dt.datetime(2025, 1, 1, 11, 0),
        "certified_physician": "Dr. Chen", **fields,
    }


# Row i of write_large_duckdb: a DuckDB expression for each column of the layout.
LARGE_ROW = {
    "exam_id": "'L' || lpad(CAST(i AS VARCHAR), 9, '0')",
    "medical_record_no": "'MR' || CAST(i % 50000 AS VARCHAR)",
    "application_order_no": "'AO' || CAST(i AS VARCHAR)",
    "patient_name": "CASE WHEN i % 3 = 0 THEN '张伟' ELSE 'Patient ' || CAST(i % 997 AS VARCHAR) END",
    "patient_gender": "CASE WHEN i % 2 = 0 THEN 'M' ELSE 'F' END",
    "patient_age": "CAST(i % 100 AS INTEGER)",
    "exam_status": "CASE WHEN i % 10 = 0 THEN 'pending' ELSE 'completed' END",
    "exam_source": "['CT', 'MRI', 'X-ray', 'US'][i % 4 + 1]",
    "exam_item": "['Chest CT', 'Brain MRI', 'Knee X-ray', 'Abdominal US'][i % 4 + 1]",
    "exam_description": "NULL::VARCHAR",
    "order_datetime": "TIMESTAMP '2023-01-01' + to_minutes(i * 7 % 1000000)",
    "check_in_datetime": "NULL::TIMESTAMP",
    "report_certification_datetime": "NULL::TIMESTAMP",
    "certified_physician": "NULL::VARCHAR",
}


def write_large_duckdb(path: Path, rows: int, *, offset: int = 0) -> Path:
    """Many plain rows, generated inside DuckDB (fast): for progress, timing and kill tests."""
    import duckdb

    select = ", ".join(f"{LARGE_ROW[name]} AS {name}" for name in STUDY_LAYOUT.names)
    with duckdb.connect(str(path)) as con:
        con.execute(f"CREATE TABLE {STUDY_LAYOUT.table} AS SELECT {select} FROM range({offset}, {offset + rows}) t(i)")
    return path


def report_row(report_id, exam_id, **fields) -> dict:
    return {
        "report_id": report_id, "exam_id": exam_id, "findings": "No pulmonary nodules.",
        "radiologist": "Dr. Chen", "created_at": dt.datetime(2025, 1, 1, 11, 0), "status": "final", **fields,
    }
