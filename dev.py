#!/usr/bin/env python3
"""Set up and run Imaging Desk from a source checkout, on any OS with Python 3.11+.

    python3 dev.py run                   create .venv, install the project, open the app's window
    python3 dev.py run serve [options]   the same, but serve it for a browser (imaging-desk serve)
    python3 dev.py test [pytest options] the same set-up if needed, then the tests
    python3 dev.py lint [ruff options]   the same set-up if needed, then ruff (lint, import order)

The tests run twice over the database-facing suites: on SQLite, then on PostgreSQL
if one answers at $IMAGING_DESK_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
With IMAGING_DESK_REQUIRE_ALL=1 (as CI sets), a missing PostgreSQL fails the run
instead of being skipped.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".imaging-desk-installed"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def log(message: str) -> None:
    print(f"[dev.py] {message}", flush=True)


def ensure_venv() -> Path:
    """Create .venv and install the project (with test tools) when pyproject.toml changed."""
    if sys.version_info < (3, 11):
        sys.exit(f"Imaging Desk needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    python = venv_python()
    if not python.exists():
        log(f"creating {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        log("installing the project and its test tools into .venv")
        subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", f"{ROOT}[dev,desktop]"],
            check=True,
        )
        STAMP.write_text(wanted)
    return python


def postgres_problem(python: Path, url: str) -> str | None:
    """None if PostgreSQL answers at url, else why not."""
    probe = (
        "import sys, psycopg\n"
        "try:\n"
        "    psycopg.connect(sys.argv[1], connect_timeout=5).close()\n"
        "except Exception as exc:\n"
        "    sys.exit(str(exc).strip() or type(exc).__name__)\n"
    )
    result = subprocess.run([str(python), "-c", probe, url], capture_output=True, text=True)
    if result.returncode == 0:
        return None
    output = (result.stderr or result.stdout).strip()
    return output.splitlines()[-1] if output else "unreachable"


def run_tests(python: Path, extra: list[str]) -> int:
    env = dict(os.environ)
    env.pop("IMAGING_DESK_DATABASE_URL", None)
    log("tests on SQLite")
    code = subprocess.run([str(python), "-m", "pytest", *extra], cwd=ROOT, env=env).returncode
    if code != 0:
        return code

    url = os.environ.get("IMAGING_DESK_TEST_POSTGRES_URL", DEFAULT_PG_URL)
    problem = postgres_problem(python, url)
    if problem:
        if os.environ.get("IMAGING_DESK_REQUIRE_ALL") == "1":
            log(f"FAILED: PostgreSQL is required (IMAGING_DESK_REQUIRE_ALL=1) but {url} is unusable: {problem}")
            return 1
        log(f"SKIPPED the PostgreSQL pass: {url} is unusable: {problem}")
        return 0
    log(f"database tests again on PostgreSQL ({url})")
    env["IMAGING_DESK_DATABASE_URL"] = url
    return subprocess.run(
        [str(python), "-m", "pytest", "-m", "django_db", *extra], cwd=ROOT, env=env
    ).returncode


def run_lint(python: Path, extra: list[str]) -> int:
    log("ruff check")
    return subprocess.run([str(python), "-m", "ruff", "check", *extra, "."], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test", "lint"):
        print(__doc__)
        return 2
    python = ensure_venv()
    if argv[0] == "run":
        # No command opens the window (or serves, where no window can open); `run serve ...` serves.
        return subprocess.run([str(python), "-m", "desktop", *argv[1:]], cwd=ROOT).returncode
    if argv[0] == "lint":
        return run_lint(python, argv[1:])
    return run_tests(python, argv[1:])


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
