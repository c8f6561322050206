"""The fixtures. Helpers the tests share otherwise are in tests/support/: paths,
skips (require), factories, sources (DuckDB files), contract (the locked data) and
servers (a real `imaging-desk serve`)."""

from __future__ import annotations

import os
import uuid

import pytest
from django.test import Client

from tests.support.contract import CONTRACT_REPORTS, CONTRACT_RESULTS, CONTRACT_STUDIES
from tests.support.factories import STUDY_DEFAULTS
from tests.support.servers import LOCAL_HOST, start_server
from tests.support.skips import require


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


@pytest.fixture
def make_study(db):
    """make_study(exam_id, **fields): a stored study, plausible defaults for the rest."""
    from server.studies.services import study_create

    def make(exam_id: str, **fields):
        return study_create(exam_id=exam_id, **{**STUDY_DEFAULTS, **fields})

    return make


@pytest.fixture
def contract_studies(db):
    from server.studies.services import study_create

    return [study_create(**fields) for fields in CONTRACT_STUDIES]


@pytest.fixture
def contract_reports(contract_studies):
    from server.reports.services import report_create

    return [report_create(**fields) for fields in CONTRACT_REPORTS]


@pytest.fixture
def contract_tasks(contract_reports):
    import datetime as dt

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


@pytest.fixture
def server(tmp_path):
    """`imaging-desk serve` on a free port with an empty data folder."""
    running = start_server(tmp_path / "data")
    yield running
    running.stop()


@pytest.fixture
def postgres_admin():
    """(an autocommit connection as the test server's superuser, its URL); skips, with
    the reason, where PostgreSQL or psycopg is missing."""
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
    with admin:
        yield admin, base


@pytest.fixture
def postgres_database(postgres_admin):
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    admin, base = postgres_admin
    name = f"imaging_desk_serve_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(autouse=True)
def statistics_columns_load_in_the_request(monkeypatch):
    """A test's rows are in its own open transaction, which the background loader's
    connection cannot see: the statistics columns load in the request (a server
    loads them in the background; tests/test_serve.py sees that)."""
    monkeypatch.setattr("server.studies.statistics_memory.LOAD_IN_BACKGROUND", False)


@pytest.fixture(autouse=True, scope="session")
def audit_entries_flushed_between_transactional_tests():
    """The database refuses to delete audit entries (server/audit/triggers.py), and a
    transactional test's teardown empties every table: its flush alone lifts the
    refusal, for its own statements, and puts it back."""
    from django.core.management.commands import flush

    from server.audit.models import AUDIT_TABLE
    from server.audit.triggers import create_statements, drop_statements

    original = flush.sql_flush

    def sql_flush(style, connection, *args, **kwargs):
        statements = original(style, connection, *args, **kwargs)
        if not any(AUDIT_TABLE in sql for sql in statements):
            return statements
        vendor = connection.vendor
        return [*drop_statements(vendor), *statements, *create_statements(vendor)]

    flush.sql_flush = sql_flush
    yield
    flush.sql_flush = original
