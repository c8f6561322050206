#!/usr/bin/env python3
"""How long the DuckDB import takes and how much memory it needs, next to a bare
executemany of the same rows into the same SQLite table.

    .venv/bin/python bench/import_bench.py --rows 1000000

Writes a demo file (`imaging-desk demo-data`), then, each in a fresh data folder
and its own process:
  1. `imaging-desk import-duckdb --json`: wall time and peak RSS;
  2. the baseline: migrate, read every row from DuckDB and executemany them into
     the study table in one transaction, nothing else (no parsing, no checks).
Goals (issue 3): 1,000,000 rows in 60 s or less, under 400 MB peak RSS, and
within 3x of the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BASELINE = r"""
import os, sys, time, datetime
import django
django.setup()
from django.core.management import call_command
from django.db import connection, transaction
import duckdb

call_command("migrate", verbosity=0)
from server.studies.layout import STUDY_LAYOUT

columns = list(STUDY_LAYOUT.names)
now = datetime.datetime.now()
# The table's other NOT NULL columns get constants: no search index, no derived values.
sql = (f"INSERT INTO study ({', '.join(columns)}, extra, search_text, name_text, order_day, created_at, updated_at) "
       f"VALUES ({', '.join(['%s'] * (len(columns) + 6))})")
source = duckdb.connect(sys.argv[1], read_only=True)
cursor = source.cursor()
cursor.execute(f"SELECT {', '.join(columns)} FROM medical_examinations_fact")
started = time.perf_counter()
insert_s = 0.0
with transaction.atomic(), connection.cursor() as db:
    while batch := cursor.fetchmany(5000):
        rows = [[*row, "{}", "", "", "", now, now] for row in batch]
        t = time.perf_counter()
        db.executemany(sql, rows)
        insert_s += time.perf_counter() - t
print(f"{time.perf_counter() - started:.3f} {insert_s:.3f}")
"""


def child_peak_rss_mb() -> float | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--source", help="an existing DuckDB file to import instead of demo data")
    parser.add_argument("--with-reports", action="store_true",
                        help="demo data with its reports table too (the goals are for examinations alone)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="imaging-desk-import-bench-"))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("IMAGING_DESK_")}
    source = Path(args.source) if args.source else work / "demo.duckdb"
    if not args.source:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "desktop", "demo-data", str(source), "--rows", str(args.rows),
             "--seed", str(args.seed), *([] if args.with_reports else ["--no-reports"])],
            cwd=ROOT, env=base_env, check=True, stdout=subprocess.DEVNULL,
        )
        print(f"demo data: {args.rows:,} rows written in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "import-duckdb", str(source), "--json", "--data-dir", str(work / "import")],
        cwd=ROOT, env=base_env, capture_output=True, text=True,
    )
    import_s = time.perf_counter() - started
    import_rss = child_peak_rss_mb()
    if result.returncode != 0:
        print(result.stderr, file=sys.stderr)
        return 1
    report = json.loads(result.stdout)

    baseline = subprocess.run(
        [sys.executable, "-c", BASELINE, str(source)], cwd=ROOT, capture_output=True, text=True,
        env={**base_env, "DJANGO_SETTINGS_MODULE": "server.settings", "IMAGING_DESK_DATA_DIR": str(work / "baseline")},
    )
    if baseline.returncode != 0:
        print(baseline.stderr, file=sys.stderr)
        return 1
    baseline_total_s, baseline_insert_s = map(float, baseline.stdout.split())

    rows = report["source_rows"]
    print(f"rows in source:                 {rows:,}"
          + (f" (+ {report['reports']['source_rows']:,} reports)" if report.get("reports") else ""))
    print(f"import-duckdb (whole command):  {import_s:.1f} s"
          + (f", peak RSS {import_rss:.0f} MB" if import_rss is not None else ""))
    print(f"  importer's own duration_s:    {report['duration_s']:.1f} s")
    print(f"bare executemany:               {baseline_insert_s:.1f} s in executemany, "
          f"{baseline_total_s:.1f} s with reading DuckDB")
    print(f"ratio import / bare:            {report['duration_s'] / baseline_total_s:.2f}x "
          f"(against executemany alone: {report['duration_s'] / baseline_insert_s:.2f}x)"
          + ("; the bare insert copies the examinations only" if report.get("reports") else ""))
    print(json.dumps({
        "rows": rows, "import_s": round(import_s, 2), "import_duration_s": report["duration_s"],
        "import_peak_rss_mb": None if import_rss is None else round(import_rss),
        "baseline_executemany_s": baseline_insert_s, "baseline_total_s": baseline_total_s,
        "inserted": report["inserted"], "quarantined": report["quarantined"],
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
