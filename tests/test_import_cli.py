"""`imaging-desk import-duckdb` as a user runs it, and what survives a kill."""

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import duckdb
import pytest

from tests.support.commands import import_cli, start_import_cli, wait_until_running
from tests.support.paths import ROOT
from tests.support.servers import subprocess_env
from tests.support.sources import SOURCE_COLUMNS, source_row, write_duckdb, write_large_duckdb


def studies(data_dir) -> list:
    with sqlite3.connect(data_dir / "db.sqlite3") as db:
        return db.execute("SELECT * FROM study ORDER BY exam_id").fetchall()


def test_json_prints_the_report_as_one_object(tmp_path):
    path = write_duckdb(tmp_path / "s.duckdb", [source_row("A"), source_row("B"), source_row(None)])
    result = import_cli(path, tmp_path / "data", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["inserted"], report["quarantined"]) == (2, 1)
    assert report["issues"] == [{"source_row": 3, "exam_id": None, "reason": "exam_id is missing"}]


def test_without_json_it_prints_a_summary(tmp_path):
    path = write_duckdb(tmp_path / "s.duckdb", [source_row("A"), source_row("A"), source_row(None)])
    result = import_cli(path, tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert f"Imported {path}" in result.stdout
    assert "inserted                 1" in result.stdout
    assert "duplicates               1" in result.stdout
    assert "row 3, exam_id None: exam_id is missing" in result.stdout
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda p: p / "missing.duckdb", "File not found"),
        (lambda p: write_duckdb(p / "other.duckdb", [], table="patients"), "has no table medical_examinations_fact"),
    ],
)
def test_a_refused_file_exits_non_zero_with_the_reason_on_stderr(tmp_path, make, message):
    result = import_cli(make(tmp_path), tmp_path / "data")
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_file_where_no_row_can_be_stored_exits_non_zero(tmp_path):
    path = write_duckdb(tmp_path / "s.duckdb", [source_row("A", order_datetime=None)])
    result = import_cli(path, tmp_path / "data", "--json")
    assert result.returncode == 1
    assert "none of the 1 rows could be stored" in result.stderr
    assert json.loads(result.stdout)["quarantined"] == 1


def test_an_empty_table_exits_non_zero(tmp_path):
    result = import_cli(write_duckdb(tmp_path / "s.duckdb", []), tmp_path / "data")
    assert result.returncode == 1 and "the table has no rows" in result.stderr


def test_a_file_another_program_is_writing_gets_a_clear_message(tmp_path):
    path = write_duckdb(tmp_path / "busy.duckdb", [source_row("A")])
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('open', flush=True); time.sleep(60)",
         str(path)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        result = import_cli(path, tmp_path / "data")
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert "is open in another program" in result.stderr and "Traceback" not in result.stderr


def test_two_imports_at_once_never_interleave(tmp_path):
    data = tmp_path / "data"
    assert import_cli(write_duckdb(tmp_path / "seed.duckdb", [source_row("A")]), data).returncode == 0
    big = write_large_duckdb(tmp_path / "big.duckdb", 80_000)
    first = start_import_cli(big, data)
    second = import_cli(write_duckdb(tmp_path / "small.duckdb", [source_row("B")]), data)
    assert first.wait(timeout=300) == 0
    assert second.returncode == 1
    # The refusal names the running import, as any PC sharing the database would see it.
    assert f"Another import is running on this database: {big} (import 2, since " in second.stderr


def indexes(db) -> list[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'study'")
    return sorted(r[0] for r in rows)


def text_index_count(db, phrase: str) -> int:
    """Studies whose folded text holds phrase, by the search's text index."""
    return db.execute("SELECT count(*) FROM study_text_index WHERE study_text_index MATCH ?",
                      (f'"{phrase}"',)).fetchone()[0]


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_killing_an_import_at_any_moment_leaves_the_database_as_it_was(tmp_path):
    data = tmp_path / "data"
    first = write_duckdb(tmp_path / "v1.duckdb", [source_row("A"), source_row("B", patient_name="Before")])
    assert import_cli(first, data).returncode == 0
    before = studies(data)
    with sqlite3.connect(data / "db.sqlite3") as db:
        indexes_before = indexes(db)
    assert len(indexes_before) >= 12

    # A later export: changes B, adds many studies. Killed part-way through.
    big = write_large_duckdb(tmp_path / "v2.duckdb", 120_000)
    with duckdb.connect(str(big)) as con:
        con.execute("INSERT INTO medical_examinations_fact (exam_id, patient_name, order_datetime) "
                    "VALUES ('B', 'After', TIMESTAMP '2025-01-01 08:00:00')")
    victim = subprocess.Popen(
        [sys.executable, "-m", "desktop", "import-duckdb", str(big), "--data-dir", str(data)],
        cwd=ROOT, env=subprocess_env(data), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_until_running(data)
    time.sleep(1.5)  # well into the rows
    assert victim.poll() is None, "the import finished before it could be killed"
    victim.send_signal(signal.SIGKILL)
    victim.wait()

    assert studies(data) == before
    with sqlite3.connect(data / "db.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM import_quarantine").fetchone()[0] == 0
        # The import drops the indexes to rebuild them at the end: the kill undid that too.
        assert indexes(db) == indexes_before
        # ... and the search's own: the text index, the rollup and their triggers.
        assert text_index_count(db, "before") == 1 and text_index_count(db, "exam") == 0
        assert db.execute("SELECT sum(studies) FROM study_rollup").fetchone()[0] == 2
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").fetchone()[0] >= 5

    again = import_cli(big, data, "--json")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert (report["inserted"], report["updated"], report["unchanged"]) == (120_000, 1, 0)
    assert report["not_in_source"] == 1  # A
    with sqlite3.connect(data / "db.sqlite3") as db:
        states = db.execute("SELECT state, error FROM import_run ORDER BY id").fetchall()
        assert text_index_count(db, "after") == 1 and text_index_count(db, "before") == 0
        assert db.execute("SELECT sum(studies) FROM study_rollup").fetchone()[0] == 120_002
    assert [s for s, _ in states] == ["done", "failed", "done"]
    assert states[1][1].startswith("interrupted")


def test_demo_data_writes_a_file_the_importer_takes_whole(tmp_path):
    path = tmp_path / "demo.duckdb"
    written = subprocess.run(
        [sys.executable, "-m", "desktop", "demo-data", str(path), "--rows", "3000", "--seed", "5"],
        cwd=ROOT, env=subprocess_env(tmp_path), capture_output=True, text=True, timeout=120,
    )
    assert written.returncode == 0, written.stderr
    assert "Wrote 3,000 examinations and " in written.stdout
    result = import_cli(path, tmp_path / "data", "--json")
    report = json.loads(result.stdout)
    assert report["source_rows"] == 3000 and report["inserted"] == 3000 and report["quarantined"] == 0
    reports = report["reports"]
    assert reports["inserted"] > 1000 and reports["quarantined"] == 0
    assert reports["orphaned"] == 3000 // 200  # the demo's reports from an older system


def test_demo_data_refuses_to_overwrite_without_force(tmp_path):
    path = write_duckdb(tmp_path / "keep.duckdb", [source_row("A")])
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "demo-data", str(path), "--rows", "10"],
        cwd=ROOT, env=subprocess_env(tmp_path), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1 and "pass --force" in result.stderr


@pytest.mark.needs_postgres
def test_imports_into_a_shared_postgresql_database_are_exact_and_exclusive(tmp_path, postgres_database):
    env_data = tmp_path / "pc1"

    def run(path, *extra, data=env_data):
        return subprocess.run(
            [sys.executable, "-m", "desktop", "import-duckdb", str(path), "--json", "--data-dir", str(data), *extra],
            cwd=ROOT, env=subprocess_env(data, IMAGING_DESK_DATABASE_URL=postgres_database),
            capture_output=True, text=True, timeout=300,
        )

    columns = [(n, "VARCHAR" if n == "order_datetime" else t) for n, t in SOURCE_COLUMNS]
    when = "2025-01-01 08:00:00.000001"
    rows = [source_row("P1", patient_name="  Émile\t", order_datetime=when),
            source_row("P1", patient_name="  Émile\t", order_datetime=when),
            source_row("P2", order_datetime="bad")]
    small = write_duckdb(tmp_path / "s.duckdb", rows, columns=columns)
    first = json.loads(run(small).stdout)
    assert (first["inserted"], first["duplicates"], first["quarantined"]) == (1, 1, 1)
    again = json.loads(run(small).stdout)
    assert (again["inserted"], again["unchanged"]) == (0, 1)

    # A second PC's import while the first PC's runs: refused, never interleaved.
    big = write_large_duckdb(tmp_path / "big.duckdb", 30_000)
    one = subprocess.Popen(
        [sys.executable, "-m", "desktop", "import-duckdb", str(big), "--data-dir", str(env_data)],
        cwd=ROOT, env=subprocess_env(env_data, IMAGING_DESK_DATABASE_URL=postgres_database),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    import psycopg

    deadline = time.monotonic() + 60
    with psycopg.connect(postgres_database, autocommit=True) as db:
        while not db.execute("SELECT count(*) FROM import_run WHERE state = 'running'").fetchone()[0]:
            assert time.monotonic() < deadline, "the import never started"
            time.sleep(0.05)
    other = run(small, data=tmp_path / "pc2")
    assert one.wait(timeout=300) == 0
    assert other.returncode == 1 and "Another import is running" in other.stderr
    with psycopg.connect(postgres_database, options="-c TimeZone=UTC") as db:
        assert db.execute("SELECT count(*) FROM study").fetchone()[0] == 30_001
        vacuumed = db.execute("SELECT last_vacuum, last_analyze FROM pg_stat_user_tables WHERE relname = 'study'")
        assert None not in vacuumed.fetchone(), "the import vacuums and analyzes what it wrote"
        name, ordered = db.execute("SELECT patient_name, order_datetime FROM study WHERE exam_id = 'P1'").fetchone()
        assert name == "  Émile\t"
        assert ordered.replace(tzinfo=None) == dt.datetime(2025, 1, 1, 8, 0, 0, 1)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_killing_an_import_into_postgresql_leaves_the_database_as_it_was(tmp_path, postgres_database):
    import psycopg

    data = tmp_path / "pc1"
    env = subprocess_env(data, IMAGING_DESK_DATABASE_URL=postgres_database)
    first = write_duckdb(tmp_path / "v1.duckdb", [source_row("A"), source_row("B", patient_name="Before")])
    assert import_cli(first, data, env=env).returncode == 0

    def snapshot():
        with psycopg.connect(postgres_database) as db:
            return (db.execute("SELECT exam_id, patient_name FROM study ORDER BY exam_id").fetchall(),
                    db.execute("SELECT count(*) FROM import_quarantine").fetchone()[0])

    before = snapshot()
    big = write_large_duckdb(tmp_path / "v2.duckdb", 40_000)
    with duckdb.connect(str(big)) as con:
        con.execute("INSERT INTO medical_examinations_fact (exam_id, patient_name, order_datetime) "
                    "VALUES ('B', 'After', TIMESTAMP '2025-01-01 08:00:00')")
    victim = subprocess.Popen(
        [sys.executable, "-m", "desktop", "import-duckdb", str(big), "--data-dir", str(data)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    with psycopg.connect(postgres_database, autocommit=True) as db:
        # Well into the rows: its progress has been published.
        while not db.execute("SELECT count(*) FROM import_progress WHERE rows_done > 0").fetchone()[0]:
            assert time.monotonic() < deadline and victim.poll() is None, "the import never got going"
            time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()

    # The import's own process ends with its watcher, and the server rolls its transaction back.
    deadline = time.monotonic() + 30
    with psycopg.connect(postgres_database, autocommit=True) as db:
        while db.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                         "AND pid <> pg_backend_pid() AND state <> 'idle'").fetchone()[0]:
            assert time.monotonic() < deadline, "the import's connection outlived its process"
            time.sleep(0.1)
    assert snapshot() == before

    again = import_cli(big, data, "--json", env=env)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert (report["inserted"], report["updated"], report["not_in_source"]) == (40_000, 1, 1)
    with psycopg.connect(postgres_database) as db:
        states = [s for (s,) in db.execute("SELECT state FROM import_run ORDER BY id").fetchall()]
        assert states == ["done", "failed", "done"], "the killed run is recorded as interrupted"
        assert db.execute("SELECT count(*) FROM import_progress").fetchone()[0] == 0, "its progress is cleared"
