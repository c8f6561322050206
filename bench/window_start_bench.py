"""How long the desktop window takes from launch until it shows the studies list.

    .venv/bin/python bench/window_start_bench.py --rows 1000000 [--repeat 5] [--data-dir DIR]

Each run starts `imaging-desk window` through tests/support/desktop_driver.py (the
real entry point; the driver only watches), and measures from the process's start
until the studies table has rows in the window. Needs a display: without DISPLAY
it starts Xvfb (1280x800) itself.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, served_data_dir  # noqa: E402


def display() -> tuple[str, subprocess.Popen | None]:
    if os.environ.get("DISPLAY"):
        return os.environ["DISPLAY"], None
    if shutil.which("Xvfb") is None:
        sys.exit("no DISPLAY and no Xvfb: install xvfb, or run on a desktop")
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return f":{xvfb.stdout.readline().strip()}", xvfb


def one_start(data_dir: Path, env: dict, out: Path) -> tuple[float, float]:
    """(seconds from launch to rows in the window, the app's own count from its start)."""
    out.mkdir(parents=True)
    (out / "quit").touch()  # the driver's "wait" scenario closes once the app shows
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.desktop_driver", "wait", str(out), "--", "window",
         "--data-dir", str(data_dir)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    result = out / "result.json"
    while True:
        try:
            steps = json.loads(result.read_text())["steps"]
            launched = next(s for s in steps if s["step"] == "launched")
            elapsed = time.perf_counter() - started
            break
        except (OSError, ValueError, KeyError, StopIteration):
            if process.poll() is not None:
                raise RuntimeError(f"the window ended without showing the app: {result.read_text()}") from None
            time.sleep(0.02)
    process.wait(120)
    return elapsed, launched["ready_after_s"]


def main() -> int:
    args, data_dir, env = served_data_dir(__doc__, repeat=5, prefix="window-bench-")
    screen, xvfb = display()
    env = {**env, "DISPLAY": screen, "QT_QPA_PLATFORM": "xcb"}
    work = Path(tempfile.mkdtemp(prefix="window-bench-runs-"))
    try:
        one_start(data_dir, env, work / "warm-up")  # the first start after an import migrates and warms caches
        runs = [one_start(data_dir, env, work / f"run-{i}") for i in range(args.repeat)]
    finally:
        if xvfb is not None:
            xvfb.terminate()
    launch = [r[0] for r in runs]
    inside = [r[1] for r in runs]
    print(f"{args.rows:,} studies, {args.repeat} starts: launch to rows in the window "
          f"median {statistics.median(launch):.2f} s, max {max(launch):.2f} s "
          f"(from the app's start: median {statistics.median(inside):.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
