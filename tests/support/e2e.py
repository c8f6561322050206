"""The app's end-to-end tests (frontend_build/e2e/, headless Chromium driven by
playwright-core): what they need, the data they run on, and running one of them
against a real server."""

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.commands import import_cli
from tests.support.paths import ROOT
from tests.support.servers import ServerProcess, subprocess_env
from tests.support.skips import require

FRONTEND = ROOT / "frontend_build"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = FRONTEND / "e2e" / "screenshots"
E2E_TIMEOUT_S = 240  # one script; the whole suite takes well under that


def require_browser_tools() -> None:
    """Node, npm, Debian's Chromium and playwright-core (npm ci in frontend_build)."""
    require(shutil.which("node") is not None, "node is not installed (the app's end-to-end tests need Node.js 20.19+)")
    require(shutil.which("npm") is not None, "npm is not installed (it runs the app's end-to-end tests: npm run e2e)")
    require(CHROMIUM.exists(), f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    require((FRONTEND / "node_modules" / "playwright-core").is_dir(),
            "frontend_build/node_modules/playwright-core is missing (run npm ci in frontend_build)")


def demo_data_dir(workdir: Path, *, rows: int = 3000, seed: int = 1) -> Path:
    """A data folder holding demo data, made by the real commands:
    `demo-data FILE --rows N --seed S`, then `import-duckdb FILE --data-dir DIR`."""
    source, data_dir = workdir / "demo.duckdb", workdir / "data"
    made = subprocess.run(
        [sys.executable, "-m", "desktop", "demo-data", str(source), "--rows", str(rows), "--seed", str(seed)],
        cwd=ROOT, env=subprocess_env(data_dir), capture_output=True, text=True, timeout=120,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    imported = import_cli(source, data_dir)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    return data_dir


def run_e2e(script: str, server: ServerProcess, out_dir: Path, **extra_env: str) -> str:
    """`npm run e2e -- e2e/SCRIPT` against `server`: its output, or the test fails
    with all of it. The script gets the server's URL and API token, and writes what
    pytest reads back (downloads, manifests) into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "IMAGING_DESK_E2E_URL": server.url,
        "IMAGING_DESK_E2E_TOKEN": (server.data_dir / "api-token").read_text().strip(),
        "IMAGING_DESK_E2E_OUT": str(out_dir),
        "IMAGING_DESK_E2E_SCREENSHOTS": str(SCREENSHOTS),
        "IMAGING_DESK_E2E_CHROMIUM": str(CHROMIUM),
        "npm_config_update_notifier": "false",  # npm asks its registry nothing
        "NO_COLOR": "1",
        **extra_env,
    }
    env.pop("FORCE_COLOR", None)
    # Its own process group, so that a time-out ends node and Chromium too.
    process = subprocess.Popen(
        ["npm", "run", "e2e", "--", f"e2e/{script}"], cwd=FRONTEND, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=E2E_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"e2e/{script} took over {E2E_TIMEOUT_S} s:\n{output}", pytrace=False)
    output = re.sub(r"\x1b\[[0-9;]*m", "", output)  # playwright's call logs are coloured
    counts = {name: int(n) for name, n in re.findall(r"^ℹ (tests|pass|fail) (\d+)$", output, re.M)}
    if process.returncode != 0 or counts.get("fail") != 0 or not counts.get("pass"):
        pytest.fail(f"e2e/{script} failed (exit {process.returncode}); server log and output follow.\n"
                    f"--- server ---\n{''.join(server.lines[-40:])}--- e2e/{script} ---\n{output}", pytrace=False)
    return output
