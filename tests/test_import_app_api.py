"""The import endpoints the app needs besides /import/duckdb: demo data as a job, and
the linked file (link, status, unlink), against a real server."""

import time

from tests.support.sources import source_row, write_duckdb, write_large_duckdb


def test_demo_data_is_written_and_imported_as_an_ordinary_job(server):
    status, body = server.call("POST", "import/demo", {"rows": 300, "seed": 3})
    assert status == 202, body
    final, _ = server.wait_for_job(body["job_id"])
    assert final["state"] == "done" and final["report"]["inserted"] == 300
    assert final["report"]["reports"]["inserted"] > 0
    assert server.call("GET", "health")[1]["studies"] == 300
    (entry,) = server.call("GET", "import/history")[1]["data"]
    assert entry["kind"] == "import" and entry["path"] == str(server.data_dir / "demo" / "demo-300-3.duckdb")


def test_demo_data_is_refused_while_an_import_runs_and_its_size_is_bounded(server, tmp_path):
    big = write_large_duckdb(tmp_path / "b.duckdb", 80_000)
    status, body = server.call("POST", "import/duckdb", {"path": str(big)})
    status, refusal = server.call("POST", "import/demo", {"rows": 300})
    assert status == 409
    assert refusal["detail"] == f"An import is already running (job {body['job_id']}); wait for it to finish"
    server.wait_for_job(body["job_id"])
    for rows in (0, 100_001, "many"):
        status, refusal = server.call("POST", "import/demo", {"rows": rows})
        assert status == 400 and refusal["detail"].startswith("Invalid parameter: rows"), refusal


def test_a_file_is_linked_once_its_first_sync_has_run_then_followed_then_unlinked(server, tmp_path):
    assert server.call("GET", "import/link") == (200, {"linked_source": None})
    path = write_duckdb(tmp_path / "live.duckdb", [source_row("A")])
    status, body = server.call("POST", "import/link", {"path": str(path)})
    assert status == 202, body
    final, _ = server.wait_for_job(body["job_id"])
    assert final["state"] == "done"
    deadline = time.monotonic() + 30
    while server.call("GET", "import/link")[1]["linked_source"] is None and time.monotonic() < deadline:
        time.sleep(0.1)
    linked = server.call("GET", "import/link")[1]["linked_source"]
    assert list(linked) == ["path", "linked_at", "last_sync", "last_error", "last_job_id"]
    assert linked["path"] == str(path) and linked["last_job_id"] == body["job_id"] and linked["last_error"] is None
    assert server.call("GET", "health")[1]["linked_source"]["path"] == str(path)
    (entry,) = server.call("GET", "import/history")[1]["data"]
    assert entry["kind"] == "sync"

    assert server.call("DELETE", "import/link") == (204, None)
    assert server.call("GET", "import/link") == (200, {"linked_source": None})
    assert server.call("GET", "health")[1]["studies"] == 1  # its studies stay
    assert server.call("DELETE", "import/link") == (404, {"detail": "No DuckDB file is linked"})


def test_a_file_that_cannot_be_imported_is_not_linked(server, tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("not a database")
    status, body = server.call("POST", "import/link", {"path": str(path)})
    assert status == 400 and body["detail"] == f"{path} is not a DuckDB database file"
    other = write_duckdb(tmp_path / "other.duckdb", [], table="patients")
    status, body = server.call("POST", "import/link", {"path": str(other)})
    assert status == 400 and body["detail"].endswith("has no table medical_examinations_fact; its tables are: patients")
    assert server.call("GET", "import/link") == (200, {"linked_source": None})
