"""A running import's progress can be read by whoever shares the database: another
process on this PC, or another PC on the same PostgreSQL database."""

import subprocess
import sys
import time

import pytest

from tests.support.paths import ROOT
from tests.support.servers import start_server, subprocess_env
from tests.support.sources import source_row, write_duckdb, write_large_duckdb

# Enough for an import of some seconds, so that its progress is published several times
# (PostgreSQL, which also keeps its trigram indexes row by row, takes about 3x longer).
ROWS = 150_000
PG_ROWS = 40_000


@pytest.mark.django_db
def test_published_progress_is_what_a_job_elsewhere_reports(settings, tmp_path):
    from server.imports.jobs import JOBS
    from server.imports.models import ImportRun
    from server.imports.progress import ProgressPublisher

    settings.DATA_DIR = tmp_path
    run = ImportRun.objects.create(source_path="/elsewhere/clinic.duckdb", state=ImportRun.State.RUNNING)
    heard = []
    publisher = ProgressPublisher(run_id=run.pk, forward=lambda *step: heard.append(step))
    publisher("studies", 1000, 50_000)
    publisher("studies", 2000, 50_000)  # within the second: heard, not published again
    assert heard == [("studies", 1000, 50_000), ("studies", 2000, 50_000)]
    assert JOBS.status(run.pk) == {
        "state": "running", "phase": "studies", "rows_done": 1000, "rows_total": 50_000, "report": None, "error": None,
    }
    publisher("reports", 10, 400)  # a new phase is published at once
    assert JOBS.status(run.pk)["phase"] == "reports"

    publisher.end()
    assert JOBS.status(run.pk)["rows_total"] == 0, "once ended, nothing is left published"


@pytest.mark.django_db
def test_a_finished_run_reports_its_history_not_a_stale_publication(settings, tmp_path):
    from server.imports.jobs import JOBS
    from server.imports.models import ImportRun
    from server.imports.progress import import_progress_publish

    settings.DATA_DIR = tmp_path
    run = ImportRun.objects.create(source_path="/x.duckdb", state=ImportRun.State.DONE, source_rows=7)
    import_progress_publish(run_id=run.pk, phase="studies", rows_done=3, rows_total=7)
    assert JOBS.status(run.pk)["rows_done"] == 7


def watch_from_a_second_server(data_dir, env, importing) -> tuple[dict, list[dict], dict]:
    """From a server that did not start the import: the refusal of another, and the job's statuses."""
    server = start_server(data_dir, env=env)
    try:
        status, history = server.call("GET", "import/history")
        assert status == 200, history
        running = history["data"][0]
        assert running["outcome"] == "running", running
        status, refusal = server.call("POST", "import/duckdb", {"path": str(importing["small"])})
        seen = []
        while importing["process"].poll() is None:
            seen.append(server.call("GET", f"import/jobs/{running['job_id']}")[1])
            time.sleep(0.2)
        final = server.call("GET", f"import/jobs/{running['job_id']}")[1]
        return refusal | {"status": status}, seen, final
    finally:
        server.stop()


def start_import(source, data_dir, env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "desktop", "import-duckdb", str(source), "--data-dir", str(data_dir)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_running(process, call, timeout=60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if call():
            return
        assert process.poll() is None, process.stderr.read()
        time.sleep(0.05)
    raise AssertionError("the import never started running")


def check_watched(refusal, seen, final, big, rows=ROWS) -> None:
    assert refusal["status"] == 409
    assert f"Another import is running on this database: {big}" in refusal["detail"]
    moving = [s for s in seen if s["state"] == "running" and s["rows_done"] > 0]
    assert moving, f"the other's progress was seen: {seen[:3]}"
    assert all(s["rows_total"] >= s["rows_done"] for s in moving)
    assert final["state"] == "done" and final["report"]["inserted"] == rows


def test_a_process_refused_on_this_pc_sees_the_running_imports_progress(tmp_path):
    data = tmp_path / "data"
    big = write_large_duckdb(tmp_path / "big.duckdb", ROWS)
    small = write_duckdb(tmp_path / "small.duckdb", [source_row("B")])
    env = subprocess_env(data)
    import sqlite3

    def running() -> bool:
        try:
            # Read-only: never create the file before the import does.
            with sqlite3.connect(f"file:{data / 'db.sqlite3'}?mode=ro", uri=True, timeout=1) as db:
                return bool(db.execute("SELECT count(*) FROM import_run WHERE state = 'running'").fetchone()[0])
        except sqlite3.OperationalError:
            return False

    process = start_import(big, data, env)
    wait_running(process, running)
    refusal, seen, final = watch_from_a_second_server(data, env, {"process": process, "small": small})
    assert process.wait(timeout=300) == 0, process.stderr.read()
    check_watched(refusal, seen, final, big)


def test_another_pc_on_the_same_postgresql_database_sees_the_running_imports_progress(postgres_database, tmp_path):
    import psycopg

    big = write_large_duckdb(tmp_path / "big.duckdb", PG_ROWS)
    small = write_duckdb(tmp_path / "small.duckdb", [source_row("B")])
    # Two PCs: two data folders, one database.
    first, second = tmp_path / "pc1", tmp_path / "pc2"
    env_of = {pc: subprocess_env(pc, IMAGING_DESK_DATABASE_URL=postgres_database) for pc in (first, second)}

    def running() -> bool:
        try:
            with psycopg.connect(postgres_database) as db:
                return bool(db.execute("SELECT count(*) FROM import_run WHERE state = 'running'").fetchone()[0])
        except psycopg.Error:
            return False

    process = start_import(big, first, env_of[first])
    wait_running(process, running, timeout=120)
    refusal, seen, final = watch_from_a_second_server(second, env_of[second], {"process": process, "small": small})
    assert process.wait(timeout=300) == 0, process.stderr.read()
    check_watched(refusal, seen, final, big, rows=PG_ROWS)
    with psycopg.connect(postgres_database) as db:
        assert db.execute("SELECT count(*) FROM import_progress").fetchone()[0] == 0, "nothing left published"
