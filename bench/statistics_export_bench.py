#!/usr/bin/env python3
"""Clinic statistics and exports on a large database, over HTTP.

    .venv/bin/python bench/statistics_export_bench.py --rows 1000000 [--data-dir DIR]

Fills a data folder with demo examinations through the real importer (once: reuse
it with --data-dir), starts `imaging-desk serve` on it, then times
/api/v1/studies/statistics with several filters (goal: under 1 s for 1,000,000
studies) and exports of about 100,000 studies as CSV and XLSX (goal: seconds, with
flat memory: the server's peak RSS is read from /proc before and after, on Linux).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else None


def fetch(url: str, token: str) -> tuple[float, int]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        size = len(response.read())
    return (time.perf_counter() - started) * 1000, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data-dir", help="reuse this folder (imported once) instead of a temporary one")
    args = parser.parse_args()

    data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="imaging-desk-stats-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMAGING_DESK_")}
    env["IMAGING_DESK_DATA_DIR"] = str(data_dir)
    if not (data_dir / "db.sqlite3").exists():
        source = data_dir.parent / f"{data_dir.name}-demo.duckdb"
        subprocess.run([sys.executable, "-m", "desktop", "demo-data", str(source), "--rows", str(args.rows),
                        "--seed", "1", "--no-reports", "--force"], cwd=ROOT, env=env, check=True)
        subprocess.run([sys.executable, "-m", "desktop", "import-duckdb", str(source), "--json"],
                       cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)

    server = subprocess.Popen([sys.executable, "-m", "desktop", "serve", "--port", "0"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in server.stdout:
            if match := re.search(r"running at (http://\S+)", line):
                url = match.group(1) + "api/v1/studies/"
                break
        token = (data_dir / "api-token").read_text().strip()
        total = json.loads(urllib.request.urlopen(url.replace("studies/", "health")).read())["studies"]
        print(f"{total:,} studies; statistics: {args.repeat} requests each, milliseconds over HTTP")
        results = {}
        cases = {
            "all studies": "statistics",
            "exam_source=CT": "statistics?exam_source=CT",
            "one month": "statistics?date_from=2025-03-01&date_to=2025-03-31",
            "CT and MRI, one year": "statistics?exam_source=CT&exam_source=MRI&date_from=2025-01-01&date_to=2025-12-31",
            "q=zhang": "statistics?q=zhang",
        }
        print(f"{'statistics for':28} {'median':>8} {'max':>8}")
        for name, path in cases.items():
            times = [fetch(url + path, token)[0] for _ in range(args.repeat)]
            results[f"statistics: {name}"] = {"median_ms": round(statistics.median(times)), "max_ms": round(max(times))}
            print(f"{name:28} {statistics.median(times):8.0f} {max(times):8.0f}")

        # About a tenth of the demo's studies: one modality over the whole period.
        subset = "exam_source=MRI"
        count = json.loads(urllib.request.urlopen(urllib.request.Request(
            url + f"search?{subset}&page_size=1", headers={"Authorization": f"Bearer {token}"})).read())["total"]
        print(f"export of {subset} ({count:,} studies)")
        before = peak_rss_mb(server.pid)
        for fmt in ("csv", "xlsx"):
            ms, size = fetch(url + f"export?{subset}&format={fmt}", token)
            after = peak_rss_mb(server.pid)
            results[f"export {fmt}"] = {"studies": count, "seconds": round(ms / 1000, 1), "bytes": size,
                                        "server_peak_rss_mb": after}
            print(f"  {fmt}: {ms / 1000:.1f} s, {size / 1e6:.1f} MB; server peak RSS "
                  f"{before:.0f} MB before exports, {after:.0f} MB after" if after else f"  {fmt}: {ms / 1000:.1f} s")
        print(json.dumps({"studies": total, "results": results}))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
