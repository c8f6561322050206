#!/usr/bin/env python3
"""How fast the locked Studies endpoints answer on a large database.

Imports N demo examinations once (reuse the folder with --data-dir), starts
`imaging-desk serve` on it and times each kind of request over HTTP, as a script
or the app would make them. Prints median and p90 per request kind.

    .venv/bin/python bench/search_bench.py --rows 1000000 [--data-dir DIR]
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import running_server, served_data_dir, timed_get  # noqa: E402


def main() -> int:
    args, data_dir, env = served_data_dir(__doc__, repeat=7, prefix="imaging-desk-bench-")

    with running_server(env) as (_, url):
        token = (data_dir / "api-token").read_text().strip()
        total = json.loads(timed_get(url + "health", token)[1])["studies"]
        middle = f"EX{total // 2:08d}"
        cases = {
            "search, first page": "studies/search",
            "search, page 2000 of 20": "studies/search?page=2000",
            "search, last page": f"studies/search?page={max(1, total // 20)}",
            "search, status=pending": "studies/search?exam_status=pending",
            "search, item=Knee MRI": "studies/search?exam_item=Knee%20MRI",
            "search, q=müller (common)": "studies/search?q=m%C3%BCller",
            "search, q=<one exam ID>": f"studies/search?q={middle}",
            "search, q=李 + source=CT": "studies/search?q=%E6%9D%8E&exam_source=CT",
            "search, page_size=1000": "studies/search?page_size=1000",
            "filters/options": "studies/filters/options",
            "detail": f"studies/{middle}",
            "health": "health",
        }
        print(f"{total:,} studies, {args.repeat} requests each, milliseconds over HTTP")
        print(f"{'request':32} {'median':>8} {'p90':>8}")
        results = {}
        for name, path in cases.items():
            times = sorted(timed_get(url + path, token)[0] for _ in range(args.repeat))
            p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
            results[name] = {"median_ms": round(statistics.median(times), 1), "p90_ms": round(p90, 1)}
            print(f"{name:32} {statistics.median(times):8.1f} {p90:8.1f}")
        print(json.dumps({"studies": total, "results": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
