"""Hostile and broken DuckDB files, and what the server does with each: refuse it in
words at once, or run it in a child process that can crash or be cancelled while the
server goes on serving, with the database as it was."""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.support.commands import import_cli, start_import_cli
from tests.support.paths import ROOT
from tests.support.servers import start_server, subprocess_env
from tests.support.skips import require
from tests.support.sources import source_row, write_duckdb, write_large_duckdb


def refused(server, path) -> str:
    started = time.monotonic()
    status, body = server.call("POST", "import/duckdb", {"path": str(path)})
    assert status == 400, body
    assert time.monotonic() - started < 5, "a refusal must come at once"
    return body["detail"]


def assert_serving_and_unchanged(server, studies=0):
    status, health = server.call("GET", "health")
    assert status == 200 and health["studies"] == studies


def import_children(server) -> list[int]:
    """The server's import child processes (multiprocessing's spawn), by pid."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == server.process.pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def wait_for_rows(server, job_id, rows: int) -> dict:
    """Wait until the job has written `rows` rows (not yet committed)."""
    job = wait_for_phase(server, job_id, {"importing"})
    while job["rows_done"] < rows and job["phase"] == "importing":
        time.sleep(0.05)
        job = server.call("GET", f"import/jobs/{job_id}")[1]
    assert job["phase"] == "importing", job
    return job


def wait_for_phase(server, job_id, phases, timeout=60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, job = server.call("GET", f"import/jobs/{job_id}")
        if job["phase"] in phases:
            return job
        assert job["state"] in ("queued", "running"), job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {phases}")


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie that nobody reaped has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wal_size(data_dir) -> int:
    wal = data_dir / "db.sqlite3-wal"
    return wal.stat().st_size if wal.exists() else 0


# The write-ahead log once an import has ended: truncated (a few pages written since at
# most), not the megabytes the import's transaction wrote (126 MB after one killed
# part-way through a million rows).
WAL_AFTER_IMPORT_MAX = 64 * 1024


# --- refused at once, in words ----------------------------------------------------------


@pytest.fixture(scope="module")
def wide_file(tmp_path_factory):
    """exam_id, order_datetime and 65,000 more columns: DuckDB's own duplicate check
    died on this with a divide trap, taking the whole server with it."""
    path = tmp_path_factory.mktemp("wide") / "wide.duckdb"
    columns = ", ".join(f"c{i} INTEGER" for i in range(65_000))
    with duckdb.connect(str(path)) as con:
        con.execute(f"CREATE TABLE medical_examinations_fact (exam_id VARCHAR, order_datetime TIMESTAMP, {columns})")
        con.execute(
            "INSERT INTO medical_examinations_fact (exam_id, order_datetime) VALUES ('W1', TIMESTAMP '2025-01-01')"
        )
    return path


def test_a_table_of_65_000_columns_is_refused_and_the_server_keeps_serving(server, wide_file):
    assert refused(server, wide_file) == (
        f"The table medical_examinations_fact in {wide_file} has 65,002 columns; "
        "Imaging Desk reads tables of at most 1,000 columns"
    )
    assert_serving_and_unchanged(server)


def test_the_command_line_refuses_the_wide_file_too(tmp_path, wide_file):
    result = import_cli(wide_file, tmp_path / "data", timeout=120)
    assert result.returncode == 1 and "has 65,002 columns" in result.stderr and "Traceback" not in result.stderr


def make_pipe(path):
    os.mkfifo(path)
    return path


def make_folder(path):
    path.mkdir()
    return path


def make_socket(path):
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    return path


def make_symlink_loop(path):
    path.symlink_to(path)
    return path


def make_long_name(path):
    return path.parent / ("x" * 256 + ".duckdb")


def make_sqlite_file(path):
    """Imaging Desk's own database is one: a clinic user may pick it by mistake."""
    path = path.parent / "db.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE medical_examinations_fact (exam_id TEXT)")
    return path


def make_corrupt_file(path):
    """A DuckDB file's header, then zeros: its blocks' checksums fail (DuckDB's message
    speaks of a "block", which once read as a "lock" held by another program)."""
    good = write_duckdb(path.parent / "good.duckdb", [source_row("A")])
    with open(path, "wb") as f:
        f.write(good.read_bytes()[:12288])
        f.truncate(1024**2)
    return path


def make_text_file(path):
    path.write_bytes(b"just text\n" * 10)
    return path


@pytest.mark.parametrize(
    "make,problem",
    [
        (make_pipe, "is a named pipe, not a DuckDB file"),
        (make_folder, "is a folder, not a DuckDB file"),
        (lambda path: Path("/dev/zero"), "is a device, not a DuckDB file"),
        (make_socket, "is a socket, not a DuckDB file"),
        (make_symlink_loop, "is a symbolic link that loops back on itself"),
        (make_long_name, "The path has a name of 263 bytes; a file or folder name holds at most 255"),
        (make_sqlite_file, "is a SQLite database, not a DuckDB file"),
        (make_text_file, "is not a DuckDB database file"),
        (make_corrupt_file, "as a DuckDB database: Corrupt database file"),
    ],
    ids=["pipe", "folder", "device", "socket", "symlink loop", "long name", "sqlite", "text", "corrupt"],
)
def test_what_is_not_a_duckdb_file_is_refused_at_once(server, tmp_path, make, problem):
    path = make(tmp_path / "source.duckdb")
    assert problem in refused(server, path)
    assert_serving_and_unchanged(server)
    assert server.call("GET", "import/history")[1]["total"] == 0


def test_eight_named_pipes_do_not_freeze_the_server(server, tmp_path):
    pipes = [make_pipe(tmp_path / f"pipe{i}") for i in range(8)]
    for pipe in pipes:
        assert "named pipe" in refused(server, pipe)
    assert_serving_and_unchanged(server)


def test_a_huge_file_is_refused_before_anything_reads_it(server, tmp_path, wide_file):
    huge = tmp_path / "huge.duckdb"
    with open(huge, "wb") as f:
        f.write(wide_file.read_bytes()[:4096])  # a valid header
        f.truncate(40 * 1024**3)  # sparse: 40 GB that take no room
    assert refused(server, huge) == f"{huge} is 40.0 GB; Imaging Desk imports DuckDB files of at most 32 GB"


def test_a_view_over_a_file_on_the_pc_is_refused_and_reads_nothing(server, tmp_path):
    secret = tmp_path / "passwd.csv"
    secret.write_text("exam_id,order_datetime\nroot:x:0:0,2025-01-01\n")
    path = tmp_path / "view.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(f"CREATE VIEW medical_examinations_fact AS SELECT * FROM read_csv('{secret}')")
    assert refused(server, path) == (
        f"The view medical_examinations_fact in {path} reads from outside the file (another file, a folder "
        "or the network); Imaging Desk imports only what the file itself holds"
    )
    assert_serving_and_unchanged(server)


def test_a_view_over_a_table_of_the_file_itself_is_imported(server, tmp_path):
    path = write_duckdb(tmp_path / "v.duckdb", [source_row("V1"), source_row("V2")], table="exams")
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE VIEW medical_examinations_fact AS SELECT * FROM exams WHERE exam_id = 'V2'")
    status, body = server.call("POST", "import/duckdb", {"path": str(path)})
    assert status == 202, body
    final, _ = server.wait_for_job(body["job_id"])
    assert final["state"] == "done" and final["report"]["inserted"] == 1


def test_a_sqlite_file_is_refused_without_a_connection_or_an_extension(tmp_path):
    strace = shutil.which("strace")
    require(strace is not None, "strace is not installed (apt-get install strace)")
    sqlite_file = make_sqlite_file(tmp_path / "source")
    home = tmp_path / "home"
    home.mkdir()
    data = tmp_path / "data"
    env = subprocess_env(data, HOME=str(home))
    trace = tmp_path / "trace"
    result = subprocess.run(
        [strace, "-f", "-qq", "-e", "trace=connect", "-o", str(trace),
         sys.executable, "-m", "desktop", "import-duckdb", str(sqlite_file), "--data-dir", str(data)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1 and "is a SQLite database, not a DuckDB file" in result.stderr
    connects = [line for line in trace.read_text().splitlines() if "connect(" in line]
    assert not [line for line in connects if "AF_INET" in line], connects
    assert not (home / ".duckdb").exists()


def test_the_source_connection_can_reach_nothing_but_its_file(tmp_path):
    from server.imports.source import DuckDBSource

    path = write_duckdb(tmp_path / "s.duckdb", [source_row("A")])
    other = write_duckdb(tmp_path / "other.duckdb", [source_row("B")])
    with DuckDBSource(path) as source:
        for statement in [
            "SET enable_external_access = true",
            "SET autoload_known_extensions = true",
            f"ATTACH '{other}' AS other",
            f"SELECT * FROM read_csv('{tmp_path / 'x.csv'}')",
            "INSTALL sqlite",
            "LOAD httpfs",
        ]:
            with pytest.raises(duckdb.Error):
                source.connection.execute(statement)
        assert source.connection.execute("SELECT count(*) FROM medical_examinations_fact").fetchone() == (1,)


# --- crashes and cancellation: the child process ------------------------------------------


def test_a_crash_inside_an_import_fails_its_job_and_the_server_keeps_serving(server, tmp_path):
    path = write_large_duckdb(tmp_path / "big.duckdb", 300_000)
    status, body = server.call("POST", "import/duckdb", {"path": str(path)})
    job_id = body["job_id"]
    wait_for_rows(server, job_id, 20_000)
    (child,) = import_children(server)
    os.kill(child, signal.SIGSEGV)  # what DuckDB's divide trap did, from the outside
    final, _ = server.wait_for_job(job_id)
    assert final["state"] == "failed"
    assert final["error"] == (
        "The file crashed the DuckDB reader (its process ended with SIGSEGV); nothing of the import was kept"
    )
    assert_serving_and_unchanged(server)
    (entry,) = server.call("GET", "import/history")[1]["data"]
    assert entry["outcome"] == "failed" and entry["error"] == final["error"]
    assert wal_size(server.data_dir) < WAL_AFTER_IMPORT_MAX, "the write-ahead log gives the disk back"
    small = write_duckdb(tmp_path / "small.duckdb", [source_row("S1")])
    status, body = server.call("POST", "import/duckdb", {"path": str(small)})
    assert server.wait_for_job(body["job_id"])[0]["state"] == "done"


def test_an_endless_view_can_be_cancelled(server, tmp_path):
    path = tmp_path / "endless.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            "CREATE VIEW medical_examinations_fact AS SELECT CAST(range AS VARCHAR) AS exam_id, "
            "TIMESTAMP '2025-01-01' AS order_datetime FROM range(1000000000000)"
        )
    status, body = server.call("POST", "import/duckdb", {"path": str(path)})
    assert status == 202, body
    job_id = body["job_id"]
    wait_for_phase(server, job_id, {"checking", "importing"})
    time.sleep(1)  # well into reading the view, which never ends by itself
    started = time.monotonic()
    status, job = server.call("DELETE", f"import/jobs/{job_id}")
    assert status == 200, job
    assert time.monotonic() - started < 15
    assert (job["state"], job["phase"]) == ("cancelled", "cancelled")
    assert job["error"] == "cancelled: the import was stopped before it finished; nothing of it was kept"
    assert import_children(server) == []
    assert server.call("GET", "import/history")[1]["data"][0]["outcome"] == "cancelled"
    assert_serving_and_unchanged(server)
    small = write_duckdb(tmp_path / "small.duckdb", [source_row("S1")])  # the lock is free again
    status, body = server.call("POST", "import/duckdb", {"path": str(small)})
    assert server.wait_for_job(body["job_id"])[0]["state"] == "done"


def test_cancelling_part_way_keeps_nothing_and_gives_the_disk_back(server, tmp_path):
    first = write_duckdb(tmp_path / "first.duckdb", [source_row("A")])
    status, body = server.call("POST", "import/duckdb", {"path": str(first)})
    server.wait_for_job(body["job_id"])
    path = write_large_duckdb(tmp_path / "big.duckdb", 300_000)
    status, body = server.call("POST", "import/duckdb", {"path": str(path)})
    wait_for_rows(server, body["job_id"], 20_000)
    status, job = server.call("DELETE", f"import/jobs/{body['job_id']}")
    assert job["state"] == "cancelled"
    assert_serving_and_unchanged(server, studies=1)
    assert wal_size(server.data_dir) < WAL_AFTER_IMPORT_MAX


def test_a_job_that_has_ended_or_does_not_exist_cannot_be_cancelled(server, tmp_path):
    path = write_duckdb(tmp_path / "s.duckdb", [source_row("A")])
    status, body = server.call("POST", "import/duckdb", {"path": str(path)})
    server.wait_for_job(body["job_id"])
    assert server.call("DELETE", f"import/jobs/{body['job_id']}") == (
        409, {"detail": f"Import job {body['job_id']} has already ended (done); there is nothing to cancel"}
    )
    assert server.call("DELETE", "import/jobs/999") == (404, {"detail": "Import job not found"})


def test_ctrl_c_cancels_a_command_line_import(tmp_path):
    data = tmp_path / "data"
    assert import_cli(write_duckdb(tmp_path / "seed.duckdb", [source_row("A")]), data).returncode == 0
    big = write_large_duckdb(tmp_path / "big.duckdb", 300_000)
    command = start_import_cli(big, data)
    time.sleep(1)
    command.send_signal(signal.SIGINT)
    out, err = command.communicate(timeout=60)
    assert command.returncode == 130, err
    assert "cancelled: the import was stopped before it finished; nothing of it was kept" in err
    assert "Traceback" not in err
    with sqlite3.connect(data / "db.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM study").fetchone() == (1,)
        assert db.execute("SELECT state FROM import_run ORDER BY id").fetchall() == [("done",), ("cancelled",)]


def test_a_server_killed_mid_import_takes_its_import_with_it(tmp_path):
    data = tmp_path / "data"
    running = start_server(data)
    path = write_large_duckdb(tmp_path / "big.duckdb", 300_000)
    status, body = running.call("POST", "import/duckdb", {"path": str(path)})
    wait_for_phase(running, body["job_id"], {"importing"})
    children = import_children(running)
    running.stop(signal.SIGKILL)
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert children and not any(alive(pid) for pid in children), "the import went on alone"
    again = start_server(data)
    try:
        assert_serving_and_unchanged(again)
        (entry,) = again.call("GET", "import/history")[1]["data"]
        assert entry["outcome"] == "failed" and entry["error"].startswith("interrupted")
    finally:
        again.stop()
