"""An import that runs out of room (the file-size limit, RLIMIT_FSIZE, just above the
database's size: every write past it fails with EFBIG, as on a full disk) fails
cleanly: a clear message, no traceback, a non-zero exit, and the database exactly
as it was."""

from __future__ import annotations

import hashlib
import json
import signal
import sqlite3
import subprocess
import sys

import pytest

from tests.support.paths import ROOT
from tests.support.servers import subprocess_env
from tests.support.skips import require

DATA_TABLES = ("study", "report", "import_quarantine", "linked_source")


def imaging_desk(*args, data_dir=None, limit: int | None = None) -> subprocess.CompletedProcess:
    def limited():
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    where = ["--data-dir", str(data_dir)] if data_dir is not None else []
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args, *where],
        cwd=ROOT, env=subprocess_env(data_dir or ROOT / "no-data-dir"), capture_output=True, text=True, timeout=300,
        preexec_fn=limited if limit is not None else None,
    )


def database_state(path) -> dict:
    """Each data table's row count and a checksum of its rows, in key order."""
    state = {}
    with sqlite3.connect(path) as db:
        for table in DATA_TABLES:
            digest = hashlib.sha256()
            rows = db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for row in rows:
                digest.update(repr(row).encode())
            state[table] = (len(rows), digest.hexdigest())
        state["integrity"] = db.execute("PRAGMA integrity_check").fetchone()[0]
    return state


@pytest.fixture
def data_with_studies(tmp_path):
    """A data folder holding an import of 300 demo studies, its log files small."""
    data = tmp_path / "data"
    small, large = tmp_path / "small.duckdb", tmp_path / "large.duckdb"
    assert imaging_desk("demo-data", str(small), "--rows", "300").returncode == 0
    assert imaging_desk("demo-data", str(large), "--rows", "20000", "--seed", "5").returncode == 0
    first = imaging_desk("import-duckdb", str(small), data_dir=data)
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(data / "db.sqlite3") as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return data, large


def test_an_import_past_the_file_size_limit_fails_cleanly_and_changes_nothing(data_with_studies):
    require(hasattr(signal, "SIGXFSZ"), "RLIMIT_FSIZE and SIGXFSZ are POSIX's")
    data, large = data_with_studies
    database = data / "db.sqlite3"
    before = database_state(database)
    assert before["study"][0] == 300
    limit = database.stat().st_size + 64 * 1024
    with sqlite3.connect(database) as db:
        runs_before = db.execute("SELECT count(*) FROM import_run").fetchone()[0]

    result = imaging_desk("import-duckdb", str(large), data_dir=data, limit=limit)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stderr.strip() == (
        f"imaging-desk: The import stopped and nothing of it was kept: the database could not be written "
        f"({data}): the disk may be full, a file-size limit reached, or the disk failing; free some space "
        "there and import again"
    )
    after = database_state(database)
    assert after == before
    assert after["integrity"] == "ok"
    with sqlite3.connect(database) as db:
        runs = db.execute("SELECT state, error FROM import_run ORDER BY id").fetchall()
    assert len(runs) == runs_before + 1
    assert runs[-1] == ("failed", result.stderr.strip().removeprefix("imaging-desk: "))
    with sqlite3.connect(database) as db:
        entries = db.execute("SELECT details FROM audit_entry WHERE action = 'import' ORDER BY id").fetchall()
    outcomes = [json.loads(details)["outcome"] for (details,) in entries]
    assert outcomes == ["done", "failed"]  # the first import, and this one, once
