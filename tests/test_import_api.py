"""The import API as the desktop menu will use it: a real server, real files, polling."""

import pytest

from tests.support.sources import REPORT_COLUMNS, add_table, report_row, source_row, write_duckdb, write_large_duckdb


def test_an_import_job_runs_from_start_to_done_with_rising_progress(server, tmp_path):
    path = write_large_duckdb(tmp_path / "big.duckdb", 60_000)
    status, body = server.call("POST", "import/duckdb", {"path": str(path)})
    assert status == 202 and list(body) == ["job_id"]
    final, seen = server.wait_for_job(body["job_id"])

    assert final["state"] == "done" and final["error"] is None
    assert final["report"]["inserted"] == 60_000
    assert list(final) == ["state", "phase", "rows_done", "rows_total", "report", "error"]
    done = [s["rows_done"] for s in seen if s["phase"] == "importing"]
    assert done == sorted(done), "progress never goes back"
    assert any(0 < d < 60_000 for d in done), f"no intermediate progress seen in {done}"
    assert final["rows_done"] == final["rows_total"] == 60_000

    status, health = server.call("GET", "health")
    assert health["studies"] == 60_000


def test_a_second_import_while_one_runs_is_refused_with_409(server, tmp_path):
    first = write_large_duckdb(tmp_path / "first.duckdb", 60_000)
    second = write_duckdb(tmp_path / "second.duckdb", [source_row("S1")])
    status, body = server.call("POST", "import/duckdb", {"path": str(first)})
    assert status == 202
    status, refusal = server.call("POST", "import/duckdb", {"path": str(second)})
    assert status == 409
    assert refusal["detail"] == f"An import is already running (job {body['job_id']}); wait for it to finish"
    final, _ = server.wait_for_job(body["job_id"])
    assert final["state"] == "done"
    status, body = server.call("POST", "import/duckdb", {"path": str(second)})
    assert status == 202 and server.wait_for_job(body["job_id"])[0]["report"]["inserted"] == 1


@pytest.mark.parametrize(
    "body,detail",
    [
        ({"path": "/nowhere/at/all.duckdb"}, "File not found: /nowhere/at/all.duckdb"),
        ({}, "Invalid parameter: path is required"),
        ({"path": ""}, "Invalid parameter: path must not be empty"),
        ({"path": 5}, "Invalid parameter: path must be a string"),
    ],
)
def test_an_unusable_request_is_refused_at_once_with_the_reason(server, body, detail):
    status, answer = server.call("POST", "import/duckdb", body)
    assert status == 400
    assert answer["detail"].startswith(detail)
    status, history = server.call("GET", "import/history")
    assert history["total"] == 0


def test_a_file_without_the_table_is_refused_at_once(server, tmp_path):
    path = write_duckdb(tmp_path / "x.duckdb", [], table="patients")
    status, answer = server.call("POST", "import/duckdb", {"path": str(path)})
    assert status == 400
    assert answer["detail"] == f"{path} has no table medical_examinations_fact; its tables are: patients"


def test_quarantined_rows_and_history_can_be_paged(server, tmp_path):
    rows = [source_row(f"Q{i}", order_datetime=None) for i in range(5)] + [source_row("OK")]
    path = write_duckdb(tmp_path / "q.duckdb", rows)
    status, body = server.call("POST", "import/duckdb", {"path": str(path)})
    job_id = body["job_id"]
    final, _ = server.wait_for_job(job_id)
    assert final["report"]["quarantined"] == 5

    status, page = server.call("GET", f"import/jobs/{job_id}/issues?page=2&page_size=2")
    assert status == 200
    assert page["total"] == 5 and (page["page"], page["page_size"]) == (2, 2)
    assert [item["source_row"] for item in page["data"]] == [3, 4]
    item = page["data"][0]
    assert list(item) == ["source_row", "exam_id", "report_id", "reason", "source_table", "raw"]
    assert item["report_id"] is None
    assert item["exam_id"] == "Q2" and item["reason"] == "order_datetime is missing"
    assert item["raw"]["exam_id"] == "Q2" and item["raw"]["order_datetime"] is None

    status, history = server.call("GET", "import/history")
    (entry,) = history["data"]
    assert entry["job_id"] == job_id and entry["outcome"] == "done" and entry["kind"] == "import"
    assert entry["path"] == str(path) and entry["size"] == path.stat().st_size
    assert len(entry["sha256"]) == 64
    assert (entry["source_rows"], entry["inserted"], entry["quarantined"]) == (6, 1, 5)


def test_an_unknown_job_is_404(server):
    assert server.call("GET", "import/jobs/999") == (404, {"detail": "Import job not found"})
    assert server.call("GET", "import/jobs/999/issues") == (404, {"detail": "Import job not found"})
    status, body = server.call("GET", "import/jobs/abc")
    assert status == 400 and body["detail"] == "Invalid parameter: job_id must be an integer"


def test_a_job_stays_readable_after_the_server_restarts(tmp_path):
    from tests.support.servers import start_server

    data = tmp_path / "data"
    first = start_server(data)
    path = write_duckdb(tmp_path / "r.duckdb", [source_row("R1")])
    status, body = first.call("POST", "import/duckdb", {"path": str(path)})
    first.wait_for_job(body["job_id"])
    first.stop()
    second = start_server(data)
    try:
        status, job = second.call("GET", f"import/jobs/{body['job_id']}")
        assert status == 200 and job["state"] == "done" and job["report"]["inserted"] == 1
    finally:
        second.stop()


def test_a_quarantined_report_names_its_report_and_its_exam(server, tmp_path):
    columns = [(n, "VARCHAR" if n == "created_at" else t) for n, t in REPORT_COLUMNS]
    path = add_table(write_duckdb(tmp_path / "r.duckdb", [source_row("E1")]), "reports", columns,
                     [report_row("R1", "E1", created_at="2025-01-01 09:00"),
                      report_row("R2", "E1", created_at="someday")])
    status, body = server.call("POST", "import/duckdb", {"path": str(path)})
    final, _ = server.wait_for_job(body["job_id"])
    assert final["report"]["reports"]["quarantined"] == 1
    status, page = server.call("GET", f"import/jobs/{body['job_id']}/issues")
    (item,) = page["data"]
    assert (item["source_table"], item["report_id"], item["exam_id"]) == ("reports", "R2", "E1")
    assert item["reason"].startswith("created_at is not a valid date and time")
