#!/usr/bin/env python3
"""Clinic statistics and exports on a large database, over HTTP.

    .venv/bin/python bench/statistics_export_bench.py --rows 1000000 [--data-dir DIR]
    .venv/bin/python bench/statistics_export_bench.py --data-dir DIR --export-filter ""

Fills a data folder with demo examinations through the real importer (once: reuse
it with --data-dir), starts `imaging-desk serve` on it, then times
/api/v1/studies/statistics with several filters (goal: under 1 s for 1,000,000
studies) and exports of about 100,000 studies as CSV and XLSX (goals: CSV 1.5 s,
XLSX 5 s, with flat memory: the server's peak RSS is read from /proc before and
after, on Linux). The exports select exam_source=MRI, about a tenth of the demo's
studies; --export-filter "" exports every study (a database of 100,000).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import running_server, served_data_dir, timed_get  # noqa: E402


def peak_rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else None


def main() -> int:
    # served_data_dir's own options, and the exports' query string taken out first.
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--export-filter", default="exam_source=MRI")
    own, sys.argv[1:] = parser.parse_known_args()
    args, data_dir, env = served_data_dir(__doc__, repeat=5, prefix="imaging-desk-stats-bench-")
    args.export_filter = own.export_filter

    with running_server(env) as (server, url):
        studies_url = url + "studies/"
        token = (data_dir / "api-token").read_text().strip()
        total = json.loads(timed_get(url + "health", token)[1])["studies"]
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
            times = [timed_get(studies_url + path, token)[0] for _ in range(args.repeat)]
            results[f"statistics: {name}"] = {"median_ms": round(statistics.median(times)), "max_ms": round(max(times))}
            print(f"{name:28} {statistics.median(times):8.0f} {max(times):8.0f}")

        # By default about a tenth of the demo's studies: one modality over the whole period.
        subset = args.export_filter
        count = json.loads(timed_get(studies_url + f"search?{subset}&page_size=1", token)[1])["total"]
        exports = max(1, min(args.repeat, 3))
        print(f"export of {subset or 'every study'} ({count:,} studies), {exports} times each")
        before = peak_rss_mb(server.pid)
        for fmt in ("csv", "xlsx"):
            times = []
            for _ in range(exports):
                ms, body = timed_get(studies_url + f"export?{subset}&format={fmt}", token)
                times.append(ms / 1000)
            after = peak_rss_mb(server.pid)
            results[f"export {fmt}"] = {"studies": count, "median_s": round(statistics.median(times), 2),
                                        "max_s": round(max(times), 2), "bytes": len(body),
                                        "server_peak_rss_mb": after}
            rss = f"; server peak RSS {before:.0f} MB before exports, {after:.0f} MB after" if after else ""
            print(f"  {fmt}: median {statistics.median(times):.2f} s, max {max(times):.2f} s, "
                  f"{len(body) / 1e6:.1f} MB{rss}")
        print(json.dumps({"studies": total, "results": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
