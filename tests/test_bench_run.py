"""bench/run.py, run for real on a small database: every figure is there, none is judged
(the machines are shared: speed is reported, never asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from numbers import Number

import pytest

from bench.run import EXPORT_KINDS, KINDS, SEARCH_KINDS
from tests.support.paths import ROOT

ROWS = 2000
FEW = ["--clients", "2", "--repeat", "2", "--export-repeat", "1", "--floor-repeat", "1", "--cold-starts", "1"]


def run_bench(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMAGING_DESK_")}
    return subprocess.run([sys.executable, "bench/run.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("bench-run")
    result = run_bench("--rows", str(ROWS), "--data-dir", str(work / "data"), "--out", str(work / "out"), *FEW)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return work, result


def number(value) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool) and value >= 0


def test_the_json_has_every_request_kind_with_its_numbers(first_run):
    work, _ = first_run
    results = json.loads((work / "out" / "results.json").read_text(encoding="utf-8"))

    assert results["meta"]["studies"] == ROWS
    assert results["meta"]["cores"] == os.cpu_count()
    assert set(results["requests"]) == set(KINDS)
    for kind, figures in results["requests"].items():
        assert figures["errors"] == 0, (kind, figures["first_error"])
        assert figures["count"] == 2 * 2, kind  # two clients, two rounds
        assert number(figures["p50_ms"]) and number(figures["p95_ms"]), kind
        assert number(figures["floor"]["repeat"]["p50_ms"]), (kind, figures["floor"])
        assert number(figures["floor"]["first"]["p50_ms"]), (kind, figures["floor"])
    for kind in SEARCH_KINDS:
        assert results["requests"][kind]["goal"].startswith("p95 ≤ 50 ms"), kind
        assert isinstance(results["requests"][kind]["met"], bool), kind

    assert set(results["exports"]) == set(EXPORT_KINDS)
    for kind, figures in results["exports"].items():
        assert figures["error"] is None, (kind, figures["error"])
        assert figures["rows_exported"] == ROWS, kind  # fewer than 100,000: every study
        assert number(figures["median_s"]) and figures["bytes"] > 0, kind

    assert number(results["cold_start"]["median_s"])
    assert results["import"]["skipped"] is False
    assert results["import"]["inserted"] == ROWS
    assert number(results["import"]["wall_s"])
    if sys.platform.startswith("linux"):
        assert number(results["import"]["peak_rss_mb"])
        assert number(results["exports"]["export: CSV"]["server_peak_rss_mb_after"])


def test_the_markdown_table_is_written_and_printed(first_run):
    work, result = first_run
    table = (work / "out" / "results.md").read_text(encoding="utf-8")

    assert f"{os.cpu_count()} cores" in table and f"{ROWS:,} demo studies" in table
    for kind in (*KINDS, *EXPORT_KINDS):
        assert f"| {kind}" in table, kind
    assert "| import of 2,000 rows, whole command |" in table
    assert "| cold start to a healthy answer" in table
    assert table in result.stdout


def test_a_data_folder_already_imported_is_reused(first_run):
    work, _ = first_run
    result = run_bench("--data-dir", str(work / "data"), "--out", str(work / "again"), *FEW)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    assert "import: skipped, reusing" in result.stdout
    results = json.loads((work / "again" / "results.json").read_text(encoding="utf-8"))
    assert results["import"] == {"skipped": True}
    assert results["meta"]["studies"] == ROWS
