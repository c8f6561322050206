#!/usr/bin/env python3
"""How fast the locked Studies endpoints answer on a large database.

Fills a fresh data folder with N synthetic studies (straight into SQLite), starts
`imaging-desk serve` on it and times each kind of request over HTTP, as a script
or the app would make them. Prints median and p90 per request kind.

    .venv/bin/python bench/search_bench.py --rows 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOURCES = ["CT", "MRI", "X-ray", "US", "DX", "MG", "PET-CT", "NM"]
ITEMS = [f"{region} {mod}" for mod in SOURCES for region in
         ("Chest", "Abdominal", "Head", "Spine", "Pelvis", "Knee", "Neck")]
STATUSES = ["completed"] * 8 + ["pending", "cancelled", "scheduled", "failed"]
SURNAMES = ["Zhang", "Wang", "Li", "Liu", "Chen", "Müller", "Dubois", "García", "Smith", "Nguyen"]
GIVEN = ["Wei", "Fang", "Na", "Min", "Lukas", "Émile", "Lucía", "John", "Anh", "Jing"]
HAN = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强"]


def generate(db_path: Path, rows: int, seed: int) -> None:
    import sqlite3

    from server.studies.search import name_text, search_text

    rng = random.Random(seed)
    start = dt.datetime(2020, 1, 1)
    columns = ["exam_id", "medical_record_no", "application_order_no", "patient_name",
               "patient_gender", "patient_age", "exam_status", "exam_source", "exam_item",
               "exam_description", "order_datetime", "check_in_datetime",
               "report_certification_datetime", "certified_physician", "extra",
               "search_text", "name_text", "created_at", "updated_at"]
    sql = f"INSERT INTO study ({','.join(columns)}) VALUES ({','.join('?' * len(columns))})"
    db = sqlite3.connect(db_path)
    batch = []
    for i in range(rows):
        source = rng.choice(SOURCES)
        ordered = start + dt.timedelta(minutes=rng.randrange(6 * 365 * 24 * 60) // 5 * 5)
        name = rng.choice(HAN) if rng.random() < 0.4 else f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}"
        row = {
            "exam_id": f"EX{i:08d}", "medical_record_no": f"MR{rng.randrange(200000):06d}",
            "application_order_no": f"AO{i:09d}", "patient_name": name,
            "patient_gender": rng.choice("MFU"), "patient_age": rng.randrange(0, 100),
            "exam_status": rng.choice(STATUSES), "exam_source": source,
            "exam_item": rng.choice([it for it in ITEMS if it.endswith(source)]),
            "exam_description": "Routine examination." if rng.random() < 0.7 else None,
            "order_datetime": ordered.isoformat(" "),
            "check_in_datetime": (ordered + dt.timedelta(minutes=rng.randrange(5, 120))).isoformat(" "),
            "report_certification_datetime": None, "certified_physician": "Dr. Chen",
        }
        batch.append([*row.values(), "{}", search_text(row), name_text(row),
                      "2026-01-01 00:00:00", "2026-01-01 00:00:00"])
        if len(batch) == 50_000:
            db.executemany(sql, batch)
            batch.clear()
    db.executemany(sql, batch)
    db.commit()
    db.execute("ANALYZE")
    db.close()


def timed(url: str, token: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        started = time.perf_counter()
        with urllib.request.urlopen(request) as response:
            response.read()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", help="reuse this folder (generated once) instead of a temporary one")
    args = parser.parse_args()

    data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="imaging-desk-bench-"))
    env = {**os.environ, "IMAGING_DESK_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "server.settings"}
    env.pop("IMAGING_DESK_DATABASE_URL", None)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from server.studies.models import Study

    call_command("migrate", verbosity=0)
    if Study.objects.count() != args.rows:
        Study.objects.all().delete()
        started = time.perf_counter()
        generate(data_dir / "db.sqlite3", args.rows, args.seed)
        print(f"generated {args.rows:,} studies in {time.perf_counter() - started:.1f} s")

    server = subprocess.Popen(
        [sys.executable, "-m", "desktop", "serve", "--port", "0"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        url = None
        for line in server.stdout:
            if m := re.search(r"running at (http://\S+)", line):
                url = m.group(1) + "api/v1/"
                break
        token = (data_dir / "api-token").read_text().strip()
        middle = f"EX{args.rows // 2:08d}"
        cases = {
            "search, first page": "studies/search",
            "search, page 2000 of 20": "studies/search?page=2000",
            "search, last page": f"studies/search?page={max(1, args.rows // 20)}",
            "search, status=pending": "studies/search?exam_status=pending",
            "search, item=Knee MRI": "studies/search?exam_item=Knee%20MRI",
            "search, q=zhang (common)": "studies/search?q=zhang",
            "search, q=<one exam ID>": f"studies/search?q={middle}",
            "search, q=李娜 + source=CT": "studies/search?q=%E6%9D%8E%E5%A8%9C&exam_source=CT",
            "search, page_size=1000": "studies/search?page_size=1000",
            "filters/options": "studies/filters/options",
            "detail": f"studies/{middle}",
            "health": "health",
        }
        print(f"{args.rows:,} studies, {args.repeat} requests each, milliseconds over HTTP")
        print(f"{'request':32} {'median':>8} {'p90':>8}")
        results = {}
        for name, path in cases.items():
            times = sorted(timed(url + path, token, args.repeat))
            p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
            results[name] = {"median_ms": round(statistics.median(times), 1), "p90_ms": round(p90, 1)}
            print(f"{name:32} {statistics.median(times):8.1f} {p90:8.1f}")
        print(json.dumps({"rows": args.rows, "results": results}))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
