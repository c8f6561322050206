"""The `imaging-desk` command in a subprocess, as a user runs it from a terminal."""

import sqlite3
import subprocess
import sys
import time

from tests.support.paths import ROOT
from tests.support.servers import subprocess_env


def import_cli(path, data_dir, *extra, env=None, timeout=300) -> subprocess.CompletedProcess:
    """`imaging-desk import-duckdb PATH --data-dir DIR [extra]`, run to its end."""
    return subprocess.run(
        [sys.executable, "-m", "desktop", "import-duckdb", str(path), "--data-dir", str(data_dir), *extra],
        cwd=ROOT, env=env or subprocess_env(data_dir), capture_output=True, text=True, timeout=timeout,
    )


def start_import_cli(path, data_dir) -> subprocess.Popen:
    """`imaging-desk import-duckdb` started; returns once its import is running."""
    command = subprocess.Popen(
        [sys.executable, "-m", "desktop", "import-duckdb", str(path), "--data-dir", str(data_dir)],
        cwd=ROOT, env=subprocess_env(data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    wait_until_running(data_dir)
    return command


def wait_until_running(data_dir, timeout=60) -> None:
    """Until the data folder's database has an import running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(data_dir / "db.sqlite3", timeout=1) as db:
                if db.execute("SELECT count(*) FROM import_run WHERE state = 'running'").fetchone()[0]:
                    return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.05)
    raise AssertionError("the import never started running")
