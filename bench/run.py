#!/usr/bin/env python3
"""The whole benchmark of issue 12, in one rerunnable script.

    .venv/bin/python bench/run.py --rows 1000000 [--database-url URL] [--data-dir DIR]
        [--clients 5] [--repeat 10 | --duration S] [--datasette] [--out DIR]

1. Writes the seeded demo file (`imaging-desk demo-data --seed 42 --no-reports`) and
   imports it (`imaging-desk import-duckdb --json`): wall time and peak RSS of the
   command. A --data-dir that already holds a database is reused as it is.
2. Cold start: launch of `imaging-desk serve --port 0` to the first healthy answer
   of /api/v1/health, median of 3 launches.
3. The mix: every request kind below through HTTP, from --clients concurrent
   clients (threads, one keep-alive connection each), each going over the mix in
   its own shuffled order for --repeat rounds (or for --duration seconds); p50 and
   p95 in ms per kind, after one unmeasured warm-up pass (and, on SQLite, once the
   server's statistics columns, which the warm-up asked for, have loaded, and its
   background integrity check has ended).
4. Exports of about 100,000 studies (all, if fewer) as CSV and XLSX, one after
   another after the mix, with the server's peak RSS (VmHWM) before and after.
5. The floor: the SQL the server runs for each request (captured through Django in
   a subprocess) replayed with Python's sqlite3 (or psycopg) on the same database,
   and the ratio HTTP p50 / SQL p50.
6. With --datasette: Datasette 0.65 in a throwaway venv under --out, serving the
   same db.sqlite3 read-only and tuned (no facets, no suggestions), through the
   same clients: the ratio Datasette p95 / ours.

Writes results.json and results.md (the table, with the issue's goals) to --out
(a new folder under the temporary directory unless given) and prints the table.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import http.client
import io
import json
import math
import os
import platform
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEED = 42
PAGE_SIZE = 20
EXPORT_STUDIES = 100_000
API = "/api/v1/"

SEARCH_KINDS = (
    "search: first page",
    "search: page 500",
    "search: last page",
    "search: q = common surname",
    "search: q = no match",
    "search: q = exam ID",
    "search: q = medical record no.",
    "search: q = order no.",
    "search: q = 李",
    "search: q = two Chinese characters",
    "search: q = one Latin character",
    "search: q = two Latin characters",
    "search: status + source",
    "search: source + item",
    "search: one month",
    "search: sort by patient name",
)
OTHER_KINDS = (
    "filters/options",
    "detail",
    "full record",
    "statistics: all",
    "statistics: one filter",
    "statistics: q = surname",
)
KINDS = SEARCH_KINDS + OTHER_KINDS
EXPORT_KINDS = ("export: CSV", "export: XLSX")

# The goals at 1,000,000 studies: (p95 at most, in ms; Datasette p95 / ours at least).
GOALS = {
    **{kind: (50, 10) for kind in SEARCH_KINDS},
    "filters/options": (5, None),
    "detail": (5, None),
    "statistics: all": (100, None),
    "statistics: one filter": (100, None),
    "statistics: q = surname": (500, None),
}
EXPORT_GOAL_S = {"export: CSV": 1.5, "export: XLSX": 5.0}
IMPORT_GOAL_S, IMPORT_GOAL_MB, COLD_START_GOAL_S = 45, 400, 1.0
GOAL_ROWS = 1_000_000


# --- small helpers ------------------------------------------------------------------------


def say(text: str) -> None:
    print(text, flush=True)


def percentile(*, values: list[float], q: int) -> float | None:
    """The q-th percentile (linear between samples), or None without samples."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def query(path: str, **params) -> str:
    """path?params, lists repeated, UTF-8 percent-encoded."""
    pairs = [(k, v) for k, v in params.items() if v not in (None, "")]
    return f"{path}?{urllib.parse.urlencode(pairs, doseq=True, quote_via=urllib.parse.quote)}" if pairs else path


def imaging_desk() -> list[str]:
    """The `imaging-desk` command, as this checkout's code (run with cwd=ROOT)."""
    return [sys.executable, "-m", "desktop"]


def base_env(*, data_dir: Path, database_url: str | None) -> dict:
    """This environment without IMAGING_DESK_* settings (nor another Django settings module),
    pointed at data_dir (and the URL)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("IMAGING_DESK_") and k != "DJANGO_SETTINGS_MODULE"}
    env["IMAGING_DESK_DATA_DIR"] = str(data_dir)
    if database_url:
        env["IMAGING_DESK_DATABASE_URL"] = database_url
    return env


def vm_hwm_mb(*, pid: int) -> float | None:
    """The peak RSS of a process (Linux /proc), in MB."""
    try:
        match = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return None
    return int(match.group(1)) / 1024 if match else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def git_commit() -> str | None:
    """This checkout's commit, marked when the work tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        changed = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return None
    if head.returncode != 0 or not head.stdout.strip():
        return None
    return head.stdout.strip() + (" (with uncommitted changes)" if changed.stdout.strip() else "")


# --- 1. demo data and import ----------------------------------------------------------------

MEASURED = r"""
import json, resource, subprocess, sys, time
started = time.perf_counter()
result = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if sys.platform == "darwin":
    peak //= 1024  # bytes there, kB on Linux
print(json.dumps({"returncode": result.returncode, "wall_s": wall, "peak_kb": peak,
                  "stdout": result.stdout, "stderr": result.stderr[-4000:]}))
"""


def measured_command(*, command: list[str], env: dict) -> dict:
    """Run command in a fresh wrapper process: its wall time and the peak RSS of the
    largest process in its tree (ru_maxrss of RUSAGE_CHILDREN, kB on Linux)."""
    try:
        import resource  # noqa: F401  (Unix only)
    except ImportError:
        started = time.perf_counter()
        result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        return {"returncode": result.returncode, "wall_s": time.perf_counter() - started, "peak_kb": None,
                "stdout": result.stdout, "stderr": result.stderr}
    out = subprocess.run([sys.executable, "-c", MEASURED, *command], env=env, cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def prepare_data(*, args: argparse.Namespace, data_dir: Path, work: Path, env: dict, reuse: bool) -> dict:
    """Demo data written and imported into data_dir (or the folder reused): the import's figures."""
    if reuse:
        say(f"import: skipped, reusing the already imported data folder {data_dir}")
        return {"skipped": True}
    data_dir.mkdir(parents=True, exist_ok=True)
    source = work / f"{data_dir.name}-demo-{args.rows}-seed{SEED}.duckdb"
    started = time.perf_counter()
    subprocess.run([*imaging_desk(), "demo-data", str(source), "--rows", str(args.rows), "--seed", str(SEED),
                    "--no-reports", "--force"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    demo_s = time.perf_counter() - started
    say(f"demo data: {args.rows:,} rows written in {demo_s:.1f} s ({source})")
    run = measured_command(command=[*imaging_desk(), "import-duckdb", str(source), "--json"], env=env)
    if run["returncode"] != 0:
        raise SystemExit(f"import-duckdb failed ({run['returncode']}): {run['stderr']}")
    report = json.loads(run["stdout"])
    peak_mb = None if run["peak_kb"] is None else run["peak_kb"] / 1024
    say(f"import: {report['source_rows']:,} rows in {run['wall_s']:.1f} s (whole command; importer's own "
        f"{report['duration_s']:.1f} s), peak RSS {peak_mb:.0f} MB" if peak_mb else
        f"import: {run['wall_s']:.1f} s (whole command)")
    return {
        "skipped": False, "source": str(source), "demo_s": round(demo_s, 2), "wall_s": round(run["wall_s"], 2),
        "duration_s": report["duration_s"], "peak_rss_mb": rounded(peak_mb, 0),
        "source_rows": report["source_rows"], "inserted": report["inserted"],
        "quarantined": report["quarantined"],
    }


# --- 2. the server and cold start ------------------------------------------------------------


class Server:
    """`imaging-desk serve --port 0` on env's data folder, its output drained in a thread."""

    def __init__(self, *, env: dict) -> None:
        self.started = time.perf_counter()
        self.process = subprocess.Popen([*imaging_desk(), "serve", "--port", "0"], cwd=ROOT, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        encoding="utf-8", errors="replace")
        self.lines: list[str] = []
        self.url = None
        for line in self.process.stdout:
            self.lines.append(line)
            if match := re.search(r"running at (http://\S+)", line):
                self.url = urllib.parse.urlsplit(match.group(1))
                break
        if self.url is None:
            self.process.wait()
            raise SystemExit("the server did not start:\n" + "".join(self.lines[-30:]))
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    def healthy_after_s(self) -> float:
        """Seconds from the launch to the first 200 from /api/v1/health with status ok."""
        while True:
            try:
                connection = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=30)
                connection.request("GET", API + "health")
                response = connection.getresponse()
                body = response.read()
                connection.close()
                if response.status == 200 and json.loads(body).get("status") == "ok":
                    return time.perf_counter() - self.started
            except (OSError, http.client.HTTPException, ValueError):
                pass
            if self.process.poll() is not None:
                raise SystemExit("the server stopped:\n" + "".join(self.lines[-30:]))
            time.sleep(0.005)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def cold_start(*, env: dict, launches: int) -> dict:
    """Launch to healthy, `launches` times: the median and every run, in seconds."""
    runs = []
    for _ in range(launches):
        server = Server(env=env)
        try:
            runs.append(server.healthy_after_s())
        finally:
            server.stop()
    median = statistics.median(runs)
    each = ", ".join(f"{r:.2f} s" for r in runs)
    say(f"cold start: median {median:.2f} s of {plural(launches, 'launch', 'launches')} ({each})")
    return {"median_s": round(median, 3), "runs_s": [round(r, 3) for r in runs]}


# --- 3. the values the mix asks for, and the mix ---------------------------------------------


def is_cjk(text: str) -> bool:
    return bool(text) and all("\u3400" <= ch <= "\u9fff" for ch in text)


def probe() -> dict:
    """In the Django subprocess: the values the mix searches for, picked from the data."""
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count

    from server.studies.models import Study

    total = Study.objects.count()
    if total == 0:
        raise SystemExit("the database holds no studies")
    by_id = Study.objects.order_by("exam_id")
    middle = by_id.values("exam_id", "order_datetime")[total // 2]
    with_ids = by_id.filter(exam_id__gte=middle["exam_id"])
    record_no = (with_ids.exclude(medical_record_no__isnull=True).exclude(medical_record_no="")
                 .values_list("medical_record_no", flat=True).first())
    order_no = (with_ids.exclude(application_order_no__isnull=True).exclude(application_order_no="")
                .values_list("application_order_no", flat=True).first())

    def most_common(field: str, **where) -> str | None:
        rows = (Study.objects.filter(**where).exclude(**{f"{field}__isnull": True}).exclude(**{field: ""})
                .values(field).annotate(n=Count("pk")).order_by("-n", field)[:1])
        return rows[0][field] if rows else None

    names = list(Study.objects.exclude(patient_name__isnull=True).values("patient_name")
                 .annotate(n=Count("pk")).order_by("-n", "patient_name")[:2000])
    latin = next((r["patient_name"] for r in names if " " in r["patient_name"].strip()), None)
    surname = latin.split()[-1] if latin else "zhang"
    chinese = next((r["patient_name"] for r in names if len(r["patient_name"]) >= 2
                    and is_cjk(r["patient_name"])), None)
    status = most_common("exam_status")
    source = most_common("exam_source")
    item = most_common("exam_item", exam_source=source) if source else most_common("exam_item")
    month = middle["order_datetime"]
    last_day = calendar.monthrange(month.year, month.month)[1]

    export_from = None
    export_count = total
    if total > EXPORT_STUDIES:
        bound = (Study.objects.order_by("-order_datetime", "exam_id")
                 .values_list("order_datetime", flat=True)[EXPORT_STUDIES - 1])
        export_from = bound.replace(microsecond=0).isoformat(timespec="seconds")
        export_count = Study.objects.filter(order_datetime__gte=bound.replace(microsecond=0)).count()

    vendor = connection.vendor
    if vendor == "sqlite":
        version = f"SQLite {sqlite3.sqlite_version}"
    else:
        number = connection.pg_version
        version = f"PostgreSQL {number // 10000}.{number % 10000}"
    return {
        "total": total, "vendor": vendor, "version": version,
        "database_file": str(settings.DATABASES["default"]["NAME"]) if vendor == "sqlite" else None,
        "exam_id": middle["exam_id"], "medical_record_no": record_no, "application_order_no": order_no,
        "surname": surname, "chinese_pair": chinese[:2] if chinese else "王伟",
        "exam_status": status, "exam_source": source, "exam_item": item,
        "date_from": f"{month:%Y-%m}-01", "date_to": f"{month:%Y-%m}-{last_day:02d}",
        "export_date_from": export_from, "export_count": export_count,
    }


def ours(*, picks: dict) -> dict[str, str]:
    """Each request kind of the mix: its path under /api/v1/."""
    last = max(1, math.ceil(picks["total"] / PAGE_SIZE))
    search = "studies/search"
    return {
        "search: first page": search,
        "search: page 500": query(search, page=min(500, last)),
        "search: last page": query(search, page=last),
        "search: q = common surname": query(search, q=picks["surname"]),
        "search: q = no match": query(search, q="zzqxv"),
        "search: q = exam ID": query(search, q=picks["exam_id"]),
        "search: q = medical record no.": query(search, q=picks["medical_record_no"]),
        "search: q = order no.": query(search, q=picks["application_order_no"]),
        "search: q = 李": query(search, q="李"),
        "search: q = two Chinese characters": query(search, q=picks["chinese_pair"]),
        "search: q = one Latin character": query(search, q="a"),
        "search: q = two Latin characters": query(search, q="ch"),
        "search: status + source": query(search, exam_status=picks["exam_status"], exam_source=picks["exam_source"]),
        "search: source + item": query(search, exam_source=picks["exam_source"], exam_item=picks["exam_item"]),
        "search: one month": query(search, date_from=picks["date_from"], date_to=picks["date_to"]),
        "search: sort by patient name": query(search, sort="patient_name_asc"),
        "filters/options": "studies/filters/options",
        "detail": f"studies/{urllib.parse.quote(picks['exam_id'])}",
        "full record": f"studies/{urllib.parse.quote(picks['exam_id'])}/full",
        "statistics: all": "studies/statistics",
        "statistics: one filter": query("studies/statistics", exam_source=picks["exam_source"]),
        "statistics: q = surname": query("studies/statistics", q=picks["surname"]),
    }


def exports(*, picks: dict) -> dict[str, str]:
    selection = {"date_from": picks["export_date_from"]}
    return {
        "export: CSV": query("studies/export", format="csv", **selection),
        "export: XLSX": query("studies/export", format="xlsx", **selection),
    }


def datasette_mix(*, picks: dict) -> dict[str, str]:
    """The comparable searches through Datasette's JSON API, newest order first as ours.
    q is LIKE over name, description and item; an ID is `column__contains`."""
    table = "/db/study.json"
    first = {"_size": PAGE_SIZE, "_sort_desc": "order_datetime"}

    def text(value: str) -> str:
        like = "'%" + value.replace("'", "''") + "%'"
        return query(table, **first, _where=" OR ".join(f"{c} LIKE {like}" for c in
                                                        ("patient_name", "exam_description", "exam_item")))

    end = dt.date.fromisoformat(picks["date_to"]) + dt.timedelta(days=1)
    return {
        "search: first page": query(table, **first),
        "search: q = common surname": text(picks["surname"]),
        "search: q = no match": text("zzqxv"),
        "search: q = exam ID": query(table, **first, exam_id__contains=picks["exam_id"]),
        "search: q = medical record no.": query(table, **first, medical_record_no__contains=picks["medical_record_no"]),
        "search: q = order no.": query(table, **first, application_order_no__contains=picks["application_order_no"]),
        "search: q = 李": text("李"),
        "search: q = two Chinese characters": text(picks["chinese_pair"]),
        "search: q = one Latin character": text("a"),
        "search: q = two Latin characters": text("ch"),
        "search: status + source": query(table, **first, exam_status=picks["exam_status"],
                                         exam_source=picks["exam_source"]),
        "search: source + item": query(table, **first, exam_source=picks["exam_source"],
                                       exam_item=picks["exam_item"]),
        "search: one month": query(table, **first, order_datetime__gte=picks["date_from"],
                                   order_datetime__lt=end.isoformat()),
        "search: sort by patient name": query(table, _size=PAGE_SIZE, _sort="patient_name"),
    }


# --- the clients ----------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP connection; get() times one request, in ms."""

    def __init__(self, *, host: str, port: int, headers: dict) -> None:
        self.host, self.port, self.headers = host, port, headers
        self.connection = None

    def get(self, path: str) -> tuple[float, int, bytes]:
        for attempt in (1, 2):  # a keep-alive connection the server closed is opened again
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(self.host, self.port, timeout=600)
                started = time.perf_counter()
                self.connection.request("GET", path, headers=self.headers)
                response = self.connection.getresponse()
                body = response.read()
                ms = (time.perf_counter() - started) * 1000
                if response.will_close:
                    self.close()
                return ms, response.status, body
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def run_mix(*, host: str, port: int, headers: dict, paths: dict[str, str], clients: int, rounds: int | None,
            duration_s: float | None, after_warm_up=None) -> dict:
    """Each client (a thread) goes over every path in its own shuffled order, round after
    round; after one unmeasured pass (and after_warm_up(), if given). Per kind: count,
    errors, p50, p95, max (ms)."""
    warm = Client(host=host, port=port, headers=headers)
    for path in paths.values():
        warm.get(path)
    warm.close()
    if after_warm_up is not None:
        after_warm_up()

    samples = {kind: [] for kind in paths}
    errors = {kind: [] for kind in paths}
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(number: int) -> None:
        rng = random.Random(SEED * 1000 + number)
        me = Client(host=host, port=port, headers=headers)
        order = list(paths)
        start.wait()
        deadline = None if duration_s is None else time.perf_counter() + duration_s
        done = 0
        while (deadline is None and done < rounds) or (deadline is not None and time.perf_counter() < deadline):
            rng.shuffle(order)
            for kind in order:
                try:
                    ms, status, body = me.get(paths[kind])
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        errors[kind].append(repr(exc))
                    continue
                with lock:
                    if status == 200:
                        samples[kind].append(ms)
                    else:
                        errors[kind].append(f"HTTP {status}: {body[:200]!r}")
            done += 1
        me.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    results = {}
    for kind, path in paths.items():
        times = samples[kind]
        results[kind] = {
            "path": path, "count": len(times), "errors": len(errors[kind]),
            "first_error": errors[kind][0] if errors[kind] else None,
            "p50_ms": rounded(percentile(values=times, q=50)), "p95_ms": rounded(percentile(values=times, q=95)),
            "max_ms": rounded(max(times) if times else None),
        }
        if errors[kind]:
            say(f"  {kind}: {len(errors[kind])} errors, first: {errors[kind][0]}")
    total = sum(len(s) for s in samples.values())
    say(f"  {total:,} requests in {elapsed:.1f} s ({total / elapsed:.1f} requests/s)")
    return results


def export_rows(*, fmt: str, body: bytes) -> int:
    """Studies in an export: CSV records after the header, or the first sheet's rows after it."""
    if fmt == "csv":
        import csv

        return max(0, sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""))) - 1)
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        sheet = min(n for n in book.namelist() if n.startswith("xl/worksheets/sheet"))
        count, tail = 0, b""
        with book.open(sheet) as stream:
            while chunk := stream.read(1 << 20):
                data = tail + chunk
                ends = [m.end() for m in re.finditer(rb"<row[ >]", data)]
                count += len(ends)
                tail = data[max(len(data) - 4, ends[-1] if ends else 0):]  # a tag cut by the chunk's end
        return max(0, count - 1)


def run_exports(*, server: Server, headers: dict, paths: dict[str, str], repeat: int, selected: int) -> dict:
    """Each export `repeat` times, one request at a time: seconds, rows, the server's peak RSS."""
    results = {}
    for kind, path in paths.items():
        fmt = "csv" if kind.endswith("CSV") else "xlsx"
        before = vm_hwm_mb(pid=server.process.pid)
        runs, rows, size, error = [], None, None, None
        for _ in range(repeat):
            client = Client(host=server.url.hostname, port=server.url.port, headers=headers)
            ms, status, body = client.get(API + path)
            client.close()
            if status != 200:
                error = f"HTTP {status}: {body[:300]!r}"
                break
            runs.append(ms / 1000)
            rows, size = export_rows(fmt=fmt, body=body), len(body)
        after = vm_hwm_mb(pid=server.process.pid)
        median = statistics.median(runs) if runs else None
        results[kind] = {
            "path": path, "selected": selected, "rows_exported": rows, "bytes": size, "error": error,
            "runs_s": [round(r, 3) for r in runs], "median_s": rounded(median, 3),
            "server_peak_rss_mb_before": rounded(before, 0), "server_peak_rss_mb_after": rounded(after, 0),
        }
        if error:
            say(f"  {kind}: failed, {error}")
        else:
            rss = f", server peak RSS {before:.0f} MB before, {after:.0f} MB after" if after else ""
            say(f"  {kind}: {rows:,} rows, {size / 1e6:.1f} MB, median {median:.2f} s of {len(runs)}{rss}")
    return results


# --- 5. the floor -----------------------------------------------------------------------------


def replayed(*, raw, statements: list[str], repeat: int) -> dict:
    """statements run `repeat` times on the raw connection, rows fetched: the p50 in ms."""
    runs = []
    try:
        for _ in range(repeat):
            started = time.perf_counter()
            for sql in statements:
                cursor = raw.cursor()
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()
                cursor.close()
            runs.append((time.perf_counter() - started) * 1000)
    except Exception as exc:  # a statement that does not replay outside Django
        return {"error": f"{type(exc).__name__}: {exc}", "statements": statements}
    return {"p50_ms": round(statistics.median(runs), 3), "statements": [sql[:2000] for sql in statements]}


def floor(*, paths: dict[str, str], token: str, repeat: int) -> dict:
    """In the Django subprocess: for each path, the SQL of its first request (in this
    fresh process: no cache of the server's is warm) and of a repeat (as the mix's
    requests are), captured and replayed straight on the database."""
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    client = DjangoClient(HTTP_HOST="127.0.0.1:8765", HTTP_AUTHORIZATION=f"Bearer {token}")
    if connection.vendor == "sqlite":
        raw = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False)
    else:
        connection.ensure_connection()
        raw = connection.connection  # psycopg, in autocommit as Django keeps it
    results = {}
    for kind, path in paths.items():
        captured = {}
        for when in ("first", "repeat"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(API + path)
            if response.status_code != 200:
                captured = None
                results[kind] = {"error": f"HTTP {response.status_code}"}
                break
            captured[when] = [q["sql"] for q in queries.captured_queries]
        if captured is not None:
            results[kind] = {when: replayed(raw=raw, statements=sqls, repeat=repeat)
                             for when, sqls in captured.items()}
    return results


CHILD = "import bench.run as run; run.child_main()"


def child_main() -> None:
    """The Django subprocess: a JSON request on stdin, the JSON answer on stdout's last line."""
    request = json.loads(sys.stdin.read())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
    import django

    django.setup()
    if request["mode"] == "probe":
        answer = probe()
    else:
        answer = floor(paths=request["paths"], token=request["token"], repeat=request["repeat"])
    print("\n" + json.dumps(answer))


def in_django(*, env: dict, request: dict) -> dict:
    env = {**env, "DJANGO_SETTINGS_MODULE": "server.settings"}
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, input=json.dumps(request),
                         capture_output=True, text=True, encoding="utf-8")
    if out.returncode != 0:
        raise SystemExit(f"the Django subprocess failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- 6. Datasette ---------------------------------------------------------------------------


def datasette(*, out: Path, db_file: Path, picks: dict, clients: int, rounds: int | None,
              duration_s: float | None) -> dict:
    """Datasette 0.65 in its own venv under out, on db_file read-only: the same clients."""
    venv = out / "datasette-venv"
    binary = venv / ("Scripts" if os.name == "nt" else "bin")
    if not (binary / "datasette").exists() and not (binary / "datasette.exe").exists():
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = subprocess.run([str(binary / "python"), "-m", "pip", "install", "--disable-pip-version-check",
                              "datasette==0.65.*"], capture_output=True, text=True)
        if pip.returncode != 0:
            raise SystemExit(f"installing Datasette failed:\n{pip.stdout[-3000:]}{pip.stderr[-3000:]}")
        say(f"datasette: installed in {venv} in {time.perf_counter() - started:.0f} s")
    version = subprocess.run([str(binary / "datasette"), "--version"], capture_output=True, text=True).stdout.strip()
    # Like `imaging-desk serve`'s stop, leave nothing in the WAL that immutable mode would not read.
    with sqlite3.connect(db_file) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    port = free_port()
    process = subprocess.Popen(
        [str(binary / "datasette"), "serve", "-i", str(db_file), "--host", "127.0.0.1", "--port", str(port),
         "--setting", "suggest_facets", "off", "--setting", "default_facet_size", "0",
         "--setting", "allow_facet", "off", "--setting", "default_page_size", str(PAGE_SIZE),
         "--setting", "sql_time_limit_ms", "600000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.perf_counter() + 600
        while True:
            try:
                status = Client(host="127.0.0.1", port=port, headers={}).get("/-/versions.json")[1]
                if status == 200:
                    break
            except (OSError, http.client.HTTPException):
                pass
            if process.poll() is not None or time.perf_counter() > deadline:
                raise SystemExit("datasette did not start")
            time.sleep(0.1)
        say(f"datasette: {version}, {clients} clients")
        results = run_mix(host="127.0.0.1", port=port, headers={}, paths=datasette_mix(picks=picks),
                          clients=clients, rounds=rounds, duration_s=duration_s)
    finally:
        process.terminate()
        process.wait(timeout=60)
    return {"version": version, "requests": results}


# --- the table --------------------------------------------------------------------------------


def verdict(*, ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def ms(value: float | None) -> str:
    """A figure as the table shows it: three decimals under 0.1, two under 1, one under 100, none above."""
    if value is None:
        return "—"
    if value < 0.1:
        return f"{value:.3f}"
    return f"{value:.2f}" if value < 1 else f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def mb(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def judge(results: dict) -> None:
    """Add the goal and whether it is met to every figure that has one."""
    for kind, figures in results["requests"].items():
        limit, ratio_min = GOALS.get(kind, (None, None))
        checks, missed = 0, []
        if limit is not None and figures["p95_ms"] is not None:
            checks += 1
            if figures["p95_ms"] > limit:
                missed.append(f"p95 {ms(figures['p95_ms'])} ms")
        if ratio_min is not None and figures.get("datasette_ratio") is not None:
            checks += 1
            if figures["datasette_ratio"] < ratio_min:
                missed.append(f"{figures['datasette_ratio']:.1f}x Datasette")
        figures["goal"] = (None if limit is None else f"p95 ≤ {limit} ms"
                           + (f", ≥ {ratio_min}x Datasette" if ratio_min else ""))
        figures["met"] = not missed if checks else None
        figures["missed"] = missed
    for kind, figures in results["exports"].items():
        figures["goal"] = f"≤ {EXPORT_GOAL_S[kind]:g} s"
        figures["met"] = None if figures["median_s"] is None else figures["median_s"] <= EXPORT_GOAL_S[kind]
    imported = results["import"]
    if not imported.get("skipped"):
        imported["met_time"] = imported["wall_s"] <= IMPORT_GOAL_S
        imported["met_memory"] = None if imported["peak_rss_mb"] is None else imported["peak_rss_mb"] <= IMPORT_GOAL_MB
    results["cold_start"]["met"] = results["cold_start"]["median_s"] <= COLD_START_GOAL_S


def markdown(results: dict) -> str:
    """The results as the README's Markdown: the machine, then one table per part."""
    meta = results["meta"]
    lines = [
        f"{meta['date']}, {meta['cores']} cores (os.cpu_count()), {meta['platform']}, Python {meta['python']}, "
        f"{meta['database']}, {meta['studies']:,} demo studies (seed {SEED}), {meta['clients']} concurrent clients, "
        f"{meta['load']}, commit {meta['commit'] or 'unknown'}. The goals are for {GOAL_ROWS:,} studies.",
        "",
        "| request | p50 ms | p95 ms | SQL p50 ms, repeat / first | HTTP / SQL (p50) | Datasette p50/p95 ms "
        "| Datasette / ours (p95) | goal | |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for kind, f in results["requests"].items():
        found = f.get("floor") or {}
        repeat_ms, first_ms = ((found.get(w) or {}).get("p50_ms") for w in ("repeat", "first"))
        ratio, theirs, their_ratio = f.get("http_sql_ratio"), f.get("datasette"), f.get("datasette_ratio")
        cells = [
            kind, ms(f["p50_ms"]), ms(f["p95_ms"]), f"{ms(repeat_ms)} / {ms(first_ms)}",
            "—" if ratio is None else f"{ratio:,.1f}x",
            "—" if not theirs else f"{ms(theirs['p50_ms'])}/{ms(theirs['p95_ms'])}",
            "—" if their_ratio is None else f"{their_ratio:.1f}x", f["goal"] or "—",
            verdict(ok=f["met"]) + "".join(f", {m}" for m in f["missed"])
            + (f", {f['errors']} errors" if f["errors"] else ""),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| measure | value | goal | |", "|---|---:|---|---|"]
    imported = results["import"]
    if imported.get("skipped"):
        lines.append("| import | not run: the data folder was reused | ≤ 45 s, ≤ 400 MB | — |")
    else:
        lines.append(f"| import of {imported['source_rows']:,} rows, whole command | {imported['wall_s']:.1f} s "
                     f"| ≤ {IMPORT_GOAL_S} s | {verdict(ok=imported['met_time'])} |")
        lines.append(f"| import, peak RSS | {mb(imported['peak_rss_mb'])} MB | ≤ {IMPORT_GOAL_MB} MB "
                     f"| {verdict(ok=imported['met_memory'])} |")
    cold = results["cold_start"]
    lines.append(f"| cold start to a healthy answer, median of {len(cold['runs_s'])} | {cold['median_s']:.2f} s "
                 f"| ≤ {COLD_START_GOAL_S:g} s | {verdict(ok=cold['met'])} |")
    for kind, f in results["exports"].items():
        if f["error"]:
            lines.append(f"| {kind} | failed: {f['error'][:80]} | {f['goal']} | **missed** |")
            continue
        lines.append(f"| {kind}, {f['rows_exported']:,} studies, median of {len(f['runs_s'])} "
                     f"| {f['median_s']:.2f} s | {f['goal']} | {verdict(ok=f['met'])} |")
        lines.append(f"| {kind}, server peak RSS before → after | {mb(f['server_peak_rss_mb_before'])} → "
                     f"{mb(f['server_peak_rss_mb_after'])} MB | flat | — |")
    return "\n".join(lines) + "\n"


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, help="demo studies to write and import (not needed to reuse --data-dir)")
    parser.add_argument("--database-url", help="a PostgreSQL database for the import and the server "
                        "(IMAGING_DESK_DATABASE_URL)")
    parser.add_argument("--data-dir", help="the data folder; one that already holds a database is reused as it is")
    parser.add_argument("--clients", type=int, default=5, help="concurrent clients (default 5)")
    load = parser.add_mutually_exclusive_group()
    load.add_argument("--repeat", type=int, default=None, help="rounds of the mix per client (default 10)")
    load.add_argument("--duration", type=float, default=None, help="seconds each client goes on instead")
    parser.add_argument("--export-repeat", type=int, default=3, help="requests of each export (default 3)")
    parser.add_argument("--floor-repeat", type=int, default=5, help="replays of each request's SQL (default 5)")
    parser.add_argument("--cold-starts", type=int, default=3, help="launches for the cold start (default 3)")
    parser.add_argument("--datasette", action="store_true", help="also run the searches through Datasette 0.65")
    parser.add_argument("--out", help="where results.json and results.md go (default: a new temporary folder)")
    args = parser.parse_args(argv)
    if args.repeat is None and args.duration is None:
        args.repeat = 10
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="imaging-desk-bench-run-"))
    out.mkdir(parents=True, exist_ok=True)
    if args.data_dir:
        data_dir = Path(args.data_dir).resolve()
        work = data_dir.parent  # where the demo file goes, beside the folder
    else:
        work = Path(tempfile.mkdtemp(prefix="imaging-desk-bench-data-"))
        data_dir = work / "data"
    if args.database_url:
        reuse = data_dir.is_dir() and any(data_dir.iterdir())
    else:
        reuse = (data_dir / "db.sqlite3").exists()
    if not reuse and not args.rows:
        raise SystemExit("--rows N is needed unless --data-dir names an imported data folder")
    if args.datasette and args.database_url:
        raise SystemExit("--datasette serves the SQLite file, not a PostgreSQL database")
    env = base_env(data_dir=data_dir, database_url=args.database_url)
    say(f"results go to {out}; data folder {data_dir}")

    imported = prepare_data(args=args, data_dir=data_dir, work=work, env=env, reuse=reuse)
    cold = cold_start(env=env, launches=args.cold_starts)
    picks = in_django(env=env, request={"mode": "probe"})
    say(f"{picks['total']:,} studies on {picks['version']}; q = {picks['surname']}, {picks['chinese_pair']}, "
        f"{picks['exam_id']}; {picks['exam_status']} + {picks['exam_source']}, {picks['exam_source']} + "
        f"{picks['exam_item']}; {picks['date_from']} to {picks['date_to']}")
    paths = ours(picks=picks)
    load = f"{args.repeat} rounds each" if args.repeat else f"{args.duration:g} s each"

    log = data_dir / "logs" / "server.log"
    log_start = log.stat().st_size if log.exists() else 0
    server = Server(env=env)

    def background_work_done(timeout_s: float = 300) -> None:
        """Measure the steady state. On SQLite the warm-up's statistics request makes the
        server load their columns in the background, and a start whose integrity check
        was cut short runs the full check in the background 10 s later (seconds, taking
        CPU and I/O from every request): wait until the server's log says the columns
        are loaded and /api/v1/integrity no longer says the full check is pending."""
        if args.database_url:
            return
        started = time.perf_counter()
        loaded = checked = False
        probe = Client(host=server.url.hostname, port=server.url.port, headers=headers)
        while not (loaded and checked) and time.perf_counter() - started < timeout_s:
            if not loaded:
                with open(log, encoding="utf-8", errors="replace") as handle:
                    handle.seek(log_start)
                    loaded = "statistics columns loaded" in handle.read()
                if loaded:
                    say(f"  warm-up: the statistics columns loaded {time.perf_counter() - started:.1f} s later")
            if not checked:
                _, status, body = probe.get(API + "integrity")
                checked = status == 200 and json.loads(body).get("full_check") != "pending"
                if checked:
                    say(f"  warm-up: no integrity check pending {time.perf_counter() - started:.1f} s later")
            time.sleep(0.2)
        probe.close()
        if not (loaded and checked):
            say(f"  warm-up: the server's background work did not end within {timeout_s:.0f} s; measuring anyway")

    try:
        server.healthy_after_s()
        token = (data_dir / "api-token").read_text().strip()
        headers = {"Authorization": f"Bearer {token}"}
        say(f"the mix: {len(paths)} kinds of request, {args.clients} clients, {load}")
        requests = run_mix(host=server.url.hostname, port=server.url.port, headers=headers,
                           paths={k: API + p for k, p in paths.items()}, clients=args.clients,
                           rounds=args.repeat, duration_s=args.duration,
                           after_warm_up=background_work_done)
        for kind in requests:
            requests[kind]["path"] = paths[kind]
        say(f"exports of {picks['export_count']:,} studies, {args.export_repeat} each, one at a time")
        exported = run_exports(server=server, headers=headers, paths=exports(picks=picks),
                               repeat=args.export_repeat, selected=picks["export_count"])
    finally:
        server.stop()

    say(f"the floor: each request's SQL replayed {plural(args.floor_repeat, 'time', 'times')} on {picks['version']}")
    floors = in_django(env=env, request={"mode": "floor", "paths": paths, "token": token,
                                          "repeat": args.floor_repeat})
    for kind, figures in requests.items():
        figures["floor"] = found = floors.get(kind) or {}
        floor_ms = (found.get("repeat") or {}).get("p50_ms")
        figures["http_sql_ratio"] = (round(figures["p50_ms"] / floor_ms, 2)
                                     if floor_ms and figures["p50_ms"] is not None else None)
        problems = [found.get("error")] + [(found.get(w) or {}).get("error") for w in ("first", "repeat")]
        if any(problems):
            say(f"  {kind}: no floor ({next(p for p in problems if p)})")

    theirs = None
    if args.datasette:
        theirs = datasette(out=out, db_file=Path(picks["database_file"]), picks=picks, clients=args.clients,
                           rounds=args.repeat, duration_s=args.duration)
        for kind, figures in theirs["requests"].items():
            requests[kind]["datasette"] = figures
            if figures["p95_ms"] and requests[kind]["p95_ms"]:
                requests[kind]["datasette_ratio"] = round(figures["p95_ms"] / requests[kind]["p95_ms"], 2)

    results = {
        "meta": {
            "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "cores": os.cpu_count(),
            "platform": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "database": picks["version"], "sqlite_version": sqlite3.sqlite_version, "studies": picks["total"],
            "rows_requested": args.rows, "seed": SEED, "clients": args.clients, "rounds": args.repeat,
            "duration_s": args.duration, "load": load, "commit": git_commit(), "data_dir": str(data_dir),
            "datasette": theirs["version"] if theirs else None,
        },
        "picks": picks, "import": imported, "cold_start": cold, "requests": requests, "exports": exported,
    }
    judge(results)
    table = markdown(results)
    (out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "results.md").write_text(table, encoding="utf-8")
    say("")
    say(table)
    say(f"results: {out / 'results.json'} and {out / 'results.md'}")
    say(f"rerun on the same data: --data-dir {data_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
