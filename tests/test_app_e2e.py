"""The app end to end: headless Chromium (playwright-core, frontend_build/e2e/) against
a real `imaging-desk serve`, signed in through a one-time login link. Each test runs
one script with `npm run e2e` and saves its screenshots in frontend_build/e2e/screenshots/.

The tests that only read share one server with demo data; those that change data get
a server of their own."""

import codecs
import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import duckdb
import pytest

from server.studies.layout import STUDY_LAYOUT
from tests.support.commands import import_cli
from tests.support.e2e import demo_data_dir, require_browser_tools, run_e2e
from tests.support.servers import start_server
from tests.support.sources import SOURCE_NAMES, source_row, write_duckdb, write_large_duckdb


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """One server with 3,000 demo studies (seed 1), for the tests that only read."""
    require_browser_tools()
    running = start_server(demo_data_dir(tmp_path_factory.mktemp("e2e-demo")))
    yield running
    running.stop()


@pytest.fixture
def empty_app(tmp_path):
    """A server with an empty data folder: the first run."""
    require_browser_tools()
    running = start_server(tmp_path / "data")
    yield running
    running.stop()


def test_search_filter_sort_page_and_the_back_button(demo_app, tmp_path):
    run_e2e("studies-search.test.js", demo_app, tmp_path)


def test_study_detail_and_the_other_studies_of_its_patient(demo_app, tmp_path):
    run_e2e("study-detail.test.js", demo_app, tmp_path)


def test_keyboard_path_without_a_mouse(demo_app, tmp_path):
    run_e2e("keyboard.test.js", demo_app, tmp_path)


def test_language_switch_is_remembered(demo_app, tmp_path):
    run_e2e("language.test.js", demo_app, tmp_path)


def test_every_screen_loads_offline_without_console_errors(demo_app, tmp_path):
    run_e2e("screens.test.js", demo_app, tmp_path)


# --- export: the downloads read back ---------------------------------------------------


def search_all(server, params: list[tuple[str, str]]) -> tuple[int, list[dict]]:
    """(total, every matching study in order) from /studies/search, page by page."""
    rows, page = [], 1
    while True:
        status, body = server.call("GET", "studies/search?" + urlencode([*params, ("page", page), ("page_size", 1000)]))
        assert status == 200, body
        rows += body["data"]
        if len(rows) >= body["total"] or not body["data"]:
            return body["total"], rows
        page += 1


def as_text(value) -> str:
    return "" if value is None else str(value)


def test_export_csv_and_excel_hold_every_study_of_the_search(demo_app, tmp_path):
    import openpyxl

    run_e2e("export.test.js", demo_app, tmp_path)
    manifest = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))
    params = [(k, v) for k, v in parse_qsl(manifest["search"]) if k not in ("page", "page_size", "study")]
    assert dict(params)["exam_source"] == "CT"
    total, expected = search_all(demo_app, params)
    assert total == manifest["total"] == len(expected) > 20  # more than the page shown
    ids = [row["exam_id"] for row in expected]

    # CSV: UTF-8 with a byte-order mark, the 14 source columns, every study in the search's order.
    raw = Path(manifest["csv"]["file"]).read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert table[0] == SOURCE_NAMES
    records = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    assert [r["exam_id"] for r in records] == ids
    for record, study in zip(records, expected, strict=True):
        for field in ("patient_name", "patient_gender", "patient_age", "exam_status", "exam_source", "exam_item"):
            assert record[field] == as_text(study[field]), (study["exam_id"], field)
        assert record["order_datetime"] == study["order_datetime"].replace("T", " ")
    assert any(re.search(r"[\u4e00-\u9fff]", r["patient_name"]) for r in records), "Chinese names survive"

    # Excel: the same studies, times as real dates (to the millisecond, which Excel keeps).
    book = openpyxl.load_workbook(manifest["xlsx"]["file"], read_only=True)
    sheet = list(book.active.iter_rows(values_only=True))
    book.close()
    assert list(sheet[0]) == SOURCE_NAMES
    cells = [dict(zip(SOURCE_NAMES, row, strict=True)) for row in sheet[1:]]
    assert [c["exam_id"] for c in cells] == ids
    for cell, study in zip(cells, expected, strict=True):
        for field in ("patient_name", "patient_gender", "patient_age", "exam_status", "exam_source", "exam_item"):
            assert cell[field] == study[field], (study["exam_id"], field)
        assert isinstance(cell["order_datetime"], dt.datetime)
        stored = dt.datetime.fromisoformat(study["order_datetime"])
        assert abs(cell["order_datetime"] - stored) <= dt.timedelta(microseconds=500), study["exam_id"]


# --- tests that change data: a server each ----------------------------------------------


def test_first_run_with_an_empty_database_loads_demo_data(empty_app, tmp_path):
    run_e2e("first-run.test.js", empty_app, tmp_path)
    status, health = empty_app.call("GET", "health")
    assert health["studies"] == 2000  # the first run's demo: 2,000 studies


# What the imported file holds against the studies already stored, each count
# different, so that a number shown under the wrong label cannot pass.
NEW_ROWS = 30_000  # enough for the progress bar to be seen moving
EXPECTED_REPORT = {
    "source_rows": NEW_ROWS + 11, "inserted": NEW_ROWS + 1, "updated": 1, "unchanged": 2,
    "duplicates": 3, "quarantined": 4, "not_in_source": 5,
}


def import_source_files(workdir: Path) -> tuple[Path, Path]:
    """(the file already imported, the file the test imports on the Import screen)."""
    before = write_duckdb(workdir / "before.duckdb", [
        *(source_row(f"KEEP{i}") for i in range(1, 6)),  # not in the new file
        source_row("CHANGED1", exam_status="scheduled"),
        source_row("SAME1"), source_row("SAME2"),
    ])
    after = write_large_duckdb(workdir / "clinic-export.duckdb", NEW_ROWS)
    rows = [
        source_row("CHANGED1", exam_status="completed"),
        source_row("SAME1"), source_row("SAME2"),
        *[source_row("DUP1", patient_name="李娜")] * 4,  # one study, three duplicates
        source_row(None, patient_name="No Exam ID 1"), source_row(None, patient_name="No Exam ID 2"),
        source_row("NOTIME1", order_datetime=None), source_row("NOTIME2", order_datetime=None),
    ]
    columns, marks = ", ".join(SOURCE_NAMES), ", ".join("?" * len(SOURCE_NAMES))
    with duckdb.connect(str(after)) as con:
        con.executemany(f"INSERT INTO {STUDY_LAYOUT.table} ({columns}) VALUES ({marks})",
                        [tuple(row[name] for name in SOURCE_NAMES) for row in rows])
    return before, after


def test_import_screen_runs_an_import_to_done_with_its_reconciliation(tmp_path):
    require_browser_tools()
    before, after = import_source_files(tmp_path)
    data_dir = tmp_path / "data"
    first = import_cli(before, data_dir)
    assert first.returncode == 0, first.stdout + first.stderr
    running = start_server(data_dir)
    try:
        run_e2e("import.test.js", running, tmp_path / "out", IMAGING_DESK_E2E_IMPORT_FILE=str(after))
        status, history = running.call("GET", "import/history")
        assert status == 200 and history["total"] == 2
        newest = history["data"][0]
        assert newest["outcome"] == "done" and newest["path"] == str(after)
        assert {key: newest[key] for key in EXPECTED_REPORT} == EXPECTED_REPORT
    finally:
        running.stop()


def test_audit_trail_lists_the_import_and_the_export_and_back_up_now_adds_a_backup(tmp_path):
    """On a server of its own: demo data imported by the real commands, then the
    Studies screen's export, both found on the Audit trail screen; its own export
    (filtered to the imports) and a backup taken on the Backups screen."""
    require_browser_tools()
    (tmp_path / "work").mkdir()
    running = start_server(demo_data_dir(tmp_path / "work"))
    try:
        run_e2e("audit-backups.test.js", running, tmp_path / "out")
        manifest = json.loads((tmp_path / "out" / "audit-backups.json").read_text(encoding="utf-8"))
        rows = list(csv.DictReader(io.StringIO(Path(manifest["audit"]).read_text(encoding="utf-8-sig"), newline="")))
        assert len(rows) == manifest["imports"] >= 1
        assert {row["action"] for row in rows} == {"import"}
        status, exports = running.call("GET", "audit?action=export")
        assert status == 200
        # The studies' export and the audit trail's own, each recorded once.
        assert exports["total"] == 2, exports
        assert exports["data"][1]["id"] == manifest["exportEntry"]["id"]
        status, listing = running.call("GET", "backups")
        assert len(listing["backups"]) == manifest["backups"]
    finally:
        running.stop()
