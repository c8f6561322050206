from __future__ import annotations

import datetime as dt
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from server.reports.layout import REPORT_LAYOUT
from server.studies.layout import STUDY_LAYOUT

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
LOCAL_HOST = "127.0.0.1:8765"


def require(condition: bool, reason: str) -> None:
    """Skip when a tool this test needs is missing; in CI (IMAGING_DESK_REQUIRE_ALL=1) fail."""
    if condition:
        return
    if os.environ.get("IMAGING_DESK_REQUIRE_ALL") == "1":
        pytest.fail(f"required in CI but missing: {reason}")
    pytest.skip(reason)


@pytest.fixture
def token(settings) -> str:
    from server.core.auth import expected_token

    return expected_token().decode()


@pytest.fixture
def anon() -> Client:
    """A client on this PC with no credentials."""
    return Client(HTTP_HOST=LOCAL_HOST)


@pytest.fixture
def api(token) -> Client:
    """A script on this PC holding the API token."""
    return Client(HTTP_HOST=LOCAL_HOST, HTTP_AUTHORIZATION=f"Bearer {token}")


STUDY_DEFAULTS = {
    "patient_name": "Test Patient",
    "patient_gender": "F",
    "patient_age": 50,
    "exam_status": "completed",
    "exam_source": "CT",
    "exam_item": "Chest CT",
    "order_datetime": dt.datetime(2025, 1, 1, 8, 0),
}


@pytest.fixture
def make_study(db):
    from server.studies.services import study_create

    def make(exam_id: str, **fields):
        return study_create(exam_id=exam_id, **{**STUDY_DEFAULTS, **fields})

    return make


# The studies behind the committed contract fixtures (tests/fixtures/contract/).
CONTRACT_STUDIES = [
    dict(
        exam_id="EXAM001", patient_name="Zhang Wei", patient_gender="M", patient_age=45,
        exam_status="completed", exam_source="CT", exam_item="Chest CT",
        order_datetime=dt.datetime(2025, 11, 6, 10, 30),
        check_in_datetime=dt.datetime(2025, 11, 6, 10, 45),
        report_certification_datetime=dt.datetime(2025, 11, 6, 14, 30),
        medical_record_no="MR-0001", application_order_no="AO-0001",
        exam_description="Low-dose chest CT", certified_physician="Dr. Chen",
    ),
    dict(
        exam_id="EXAM002", patient_name="李娜", patient_gender="F", patient_age=62,
        exam_status="pending", exam_source="MRI", exam_item="Abdominal CT",
        order_datetime=dt.datetime(2025, 11, 7, 9, 5, 12, 250000),
        check_in_datetime=None, report_certification_datetime=None,
    ),
    dict(
        exam_id="EXAM003", patient_name="Émile Durand", patient_gender=None, patient_age=None,
        exam_status="cancelled", exam_source="X-ray", exam_item=None,
        order_datetime=dt.datetime(2025, 11, 5, 16, 0),
        check_in_datetime=None, report_certification_datetime=None,
    ),
]


@pytest.fixture
def contract_studies(db):
    from server.studies.services import study_create

    return [study_create(**fields) for fields in CONTRACT_STUDIES]


def fixture_bytes(name: str) -> bytes:
    """A committed contract response, without the file's trailing newline."""
    return (FIXTURES / "contract" / name).read_bytes().rstrip(b"\n")


# --- a real server in a subprocess -----------------------------------------------------


def subprocess_env(data_dir: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMAGING_DESK_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["IMAGING_DESK_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@dataclass
class ServerProcess:
    process: subprocess.Popen
    url: str
    login_url: str
    data_dir: Path
    lines: list[str]

    def stop(self, sig=signal.SIGTERM, timeout: float = 15) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


def start_server(data_dir: Path, *args: str, env: dict | None = None, timeout: float = 60) -> ServerProcess:
    """`imaging-desk serve --port 0` in a subprocess; returns once it printed its URLs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "serve", "--port", "0", "--data-dir", str(data_dir), *args],
        cwd=ROOT, env=env or subprocess_env(data_dir),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
    )
    lines: list[str] = []
    found: queue.Queue = queue.Queue()

    def pump():
        for line in process.stdout:
            lines.append(line)
            found.put(line)
        found.put(None)

    threading.Thread(target=pump, daemon=True).start()
    url = login = None
    deadline = dt.datetime.now() + dt.timedelta(seconds=timeout)
    while login is None:
        remaining = (deadline - dt.datetime.now()).total_seconds()
        try:
            line = found.get(timeout=max(remaining, 0.01))
        except queue.Empty:
            line = None
        if line is None:
            process.kill()
            raise AssertionError("server did not start:\n" + "".join(lines))
        if m := re.search(r"running at (http://\S+)", line):
            url = m.group(1)
        if m := re.search(r"(http://\S+/login\?once=\S+)", line):
            login = m.group(1)
    return ServerProcess(process, url, login, data_dir, lines)


@pytest.fixture
def server(tmp_path):
    running = start_server(tmp_path / "data")
    yield running
    running.stop()


# --- DuckDB source files ----------------------------------------------------------------

# The clinic's source layout, as demo-data writes it: the 14 columns and their types.
SOURCE_COLUMNS = list(STUDY_LAYOUT.duckdb_columns)
SOURCE_NAMES = [name for name, _ in SOURCE_COLUMNS]


def write_duckdb(path: Path, rows: list, *, columns=SOURCE_COLUMNS, table="medical_examinations_fact") -> Path:
    """A DuckDB file with one table; rows are tuples or dicts (missing keys are NULL)."""
    import duckdb

    names = [name for name, _ in columns]
    with duckdb.connect(str(path)) as con:
        definition = ", ".join(f'"{name}" {type_}' for name, type_ in columns)
        con.execute(f'CREATE TABLE "{table}" ({definition})')
        if rows:
            values = [tuple(r.get(n) for n in names) if isinstance(r, dict) else tuple(r) for r in rows]
            con.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(names))})', values)
    return path


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


def write_large_duckdb(path: Path, rows: int, *, offset: int = 0) -> Path:
    """Many plain rows, generated inside DuckDB (fast): for progress, timing and kill tests."""
    import duckdb

    with duckdb.connect(str(path)) as con:
        con.execute(f"""
            CREATE TABLE medical_examinations_fact AS SELECT
              'L' || lpad(CAST(i AS VARCHAR), 9, '0') AS exam_id,
              'MR' || CAST(i % 50000 AS VARCHAR) AS medical_record_no,
              'AO' || CAST(i AS VARCHAR) AS application_order_no,
              CASE WHEN i % 3 = 0 THEN '张伟' ELSE 'Patient ' || CAST(i % 997 AS VARCHAR) END AS patient_name,
              CASE WHEN i % 2 = 0 THEN 'M' ELSE 'F' END AS patient_gender,
              CAST(i % 100 AS INTEGER) AS patient_age,
              CASE WHEN i % 10 = 0 THEN 'pending' ELSE 'completed' END AS exam_status,
              ['CT', 'MRI', 'X-ray', 'US'][i % 4 + 1] AS exam_source,
              ['Chest CT', 'Brain MRI', 'Knee X-ray', 'Abdominal US'][i % 4 + 1] AS exam_item,
              NULL::VARCHAR AS exam_description,
              TIMESTAMP '2023-01-01' + to_minutes(i * 7 % 1000000) AS order_datetime,
              NULL::TIMESTAMP AS check_in_datetime,
              NULL::TIMESTAMP AS report_certification_datetime,
              NULL::VARCHAR AS certified_physician
            FROM range({offset}, {offset + rows}) t(i)
        """)
    return path


@pytest.fixture
def postgres_database():
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    import os
    import uuid

    try:
        import psycopg
    except ImportError:
        psycopg = None
    require(psycopg is not None, "psycopg is not installed")
    base = os.environ.get("IMAGING_DESK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        admin = psycopg.connect(base, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        require(False, f"PostgreSQL is not reachable at {base}: {exc}")
    name = f"imaging_desk_serve_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


REPORT_COLUMNS = list(REPORT_LAYOUT.duckdb_columns)


def add_table(path: Path, table: str, columns, rows) -> Path:
    """Another table in an existing DuckDB file (e.g. reports beside the studies)."""
    import duckdb

    names = [name for name, _ in columns]
    with duckdb.connect(str(path)) as con:
        con.execute(f'CREATE TABLE "{table}" ({", ".join(f"{n} {t}" for n, t in columns)})')
        if rows:
            values = [tuple(r.get(n) for n in names) if isinstance(r, dict) else tuple(r) for r in rows]
            con.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(names))})', values)
    return path


def report_row(report_id, exam_id, **fields) -> dict:
    return {
        "report_id": report_id, "exam_id": exam_id, "findings": "No pulmonary nodules.",
        "radiologist": "Dr. Chen", "created_at": dt.datetime(2025, 1, 1, 11, 0), "status": "final", **fields,
    }


# The reports behind the committed reports contract fixtures.
CONTRACT_REPORTS = [
    dict(report_id="RPT001", study_id="EXAM001", findings="A 6 mm solid nodule in the right upper lobe.",
         radiologist="Dr. Chen", created_at=dt.datetime(2025, 11, 6, 14, 30), status="final"),
    dict(report_id="RPT002", study_id="EXAM002", findings="未见明显结节。",
         radiologist="王医生", created_at=dt.datetime(2025, 11, 7, 11, 15, 0, 500000), status="preliminary"),
    dict(report_id="RPT003", study_id="OLD-0042", findings="No pulmonary nodules.",
         radiologist=None, created_at=None, status="final"),
]


@pytest.fixture
def contract_reports(contract_studies):
    from server.reports.services import report_create

    return [report_create(**fields) for fields in CONTRACT_REPORTS]


CONTRACT_RESULTS = {
    "nodules_found": 1, "confidence": 1.0,
    "details": [{"report_id": "RPT001", "sentence": "A 6 mm solid nodule in the right upper lobe",
                 "size_mm": 6.0, "count": 1}],
    "largest_size_mm": 6.0,
    "recommendation": {"guideline": "Fleischner Society 2017", "category": "6-8 mm"},
    "reports_read": 1,
}


@pytest.fixture
def contract_tasks(contract_reports):
    from server.analysis.models import AnalysisTask

    return [
        AnalysisTask.objects.create(
            pk=7, study_id="EXAM001", analysis_type="lung_nodule_detection", status="completed",
            progress=100, results=CONTRACT_RESULTS, created_at=dt.datetime(2025, 11, 6, 15, 0),
            started_at=dt.datetime(2025, 11, 6, 15, 0, 0, 250000),
            completed_at=dt.datetime(2025, 11, 6, 15, 0, 1, 250000),
        ),
        AnalysisTask.objects.create(
            pk=8, study_id="EXAM002", analysis_type="turnaround_review", status="failed", progress=40,
            results={"error": "interrupted"}, created_at=dt.datetime(2025, 11, 7, 12, 0),
            started_at=dt.datetime(2025, 11, 7, 12, 0, 1), completed_at=dt.datetime(2025, 11, 7, 12, 5),
        ),
    ]


def insert_study(db_path: Path, exam_id: str, **fields) -> None:
    """Write a study straight into a server's SQLite file, as an import in another
    process would, with the columns the study derives (study_derive)."""
    import sqlite3

    from server.studies.derive import study_derive

    when = dt.datetime(2025, 11, 6, 10, 30)
    row = {"exam_id": exam_id, "order_datetime": when, **fields}
    row.update(study_derive(values=row))
    row = {"extra": "{}", "created_at": when, "updated_at": when, **row}
    values = [str(v) if isinstance(v, dt.datetime) else v for v in row.values()]  # Django's SQLite form
    with sqlite3.connect(db_path, timeout=60) as db:
        db.execute(f"INSERT INTO study ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", values)
