"""What the benchmark scripts share: a real server on a data folder, timed requests."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def running_server(env: dict):
    """`imaging-desk serve --port 0` on env's data folder; yields (process, API base URL)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "serve", "--port", "0"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        for line in process.stdout:
            if match := re.search(r"running at (http://\S+)", line):
                yield process, match.group(1) + "api/v1/"
                break
        else:
            raise RuntimeError("the server did not start")
    finally:
        process.terminate()
        process.wait(timeout=30)


def timed_get(url: str, token: str) -> tuple[float, bytes]:
    """(milliseconds, body) of one authenticated GET."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        body = response.read()
    return (time.perf_counter() - started) * 1000, body


def imported_data_dir(data_dir: Path, rows: int, env: dict) -> None:
    """Demo examinations imported through the real importer, unless the folder has a database."""
    if (data_dir / "db.sqlite3").exists():
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    source = data_dir.parent / f"{data_dir.name}-demo.duckdb"
    subprocess.run([sys.executable, "-m", "desktop", "demo-data", str(source), "--rows", str(rows),
                    "--seed", "1", "--no-reports", "--force"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "-m", "desktop", "import-duckdb", str(source), "--json"],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def served_data_dir(description: str, *, repeat: int, prefix: str) -> tuple[argparse.Namespace, Path, dict]:
    """The command line of a benchmark over HTTP (--rows, --repeat, --data-dir), and its
    data folder filled with demo examinations: (arguments, folder, environment)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--data-dir", help="reuse this folder (imported once) instead of a temporary one")
    args = parser.parse_args()

    data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix=prefix))
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMAGING_DESK_")}
    env["IMAGING_DESK_DATA_DIR"] = str(data_dir)
    imported_data_dir(data_dir, args.rows, env)
    return args, data_dir, env
