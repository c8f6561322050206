"""Studies for tests: through the services (see the make_study fixture), or written
straight into another process's SQLite file."""

import datetime as dt
from pathlib import Path

from server.studies.derive import study_derive

STUDY_DEFAULTS = {
    "patient_name": "Test Patient",
    "patient_gender": "F",
    "patient_age": 50,
    "exam_status": "completed",
    "exam_source": "CT",
    "exam_item": "Chest CT",
    "order_datetime": dt.datetime(2025, 1, 1, 8, 0),
}


def insert_study(db_path: Path, exam_id: str, **fields) -> None:
    """Write a study straight into a server's SQLite file, as an import in another
    process would, with the columns the study derives (study_derive)."""
    import sqlite3

    when = dt.datetime(2025, 11, 6, 10, 30)
    row = {"exam_id": exam_id, "order_datetime": when, **fields}
    row.update(study_derive(values=row))
    row = {"extra": "{}", "created_at": when, "updated_at": when, **row}
    values = [str(v) if isinstance(v, dt.datetime) else v for v in row.values()]  # Django's SQLite form
    with sqlite3.connect(db_path, timeout=60) as db:
        db.execute(f"INSERT INTO study ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", values)
