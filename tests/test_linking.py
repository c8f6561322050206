"""A linked DuckDB file, followed by a running server as the old system writes it."""

import json
import subprocess
import sys
import time
import urllib.request

import duckdb
import pytest

from tests.support.paths import ROOT
from tests.support.servers import start_server, subprocess_env
from tests.support.sources import source_row, write_duckdb

POLL = {"IMAGING_DESK_LINK_POLL_S": "0.2"}


class LiveFile:
    """A data folder, the old system's DuckDB file (one study, A), and the servers that
    follow it, stopped when the test ends."""

    def __init__(self, tmp_path):
        self.data = tmp_path / "data"
        self.path = write_duckdb(tmp_path / "live.duckdb", [source_row("A")])
        self.servers = []

    def cli(self, *args):
        return subprocess.run(
            [sys.executable, "-m", "desktop", *args, "--data-dir", str(self.data)],
            cwd=ROOT, env=subprocess_env(self.data), capture_output=True, text=True, timeout=120,
        )

    def link(self):
        result = self.cli("link-duckdb", str(self.path))
        assert result.returncode == 0, result.stderr
        return result

    def serve(self):
        server = start_server(self.data, env=subprocess_env(self.data, **POLL))
        self.servers.append(server)
        return server

    def stop(self):
        for server in self.servers:
            server.stop()


@pytest.fixture
def live(tmp_path):
    live = LiveFile(tmp_path)
    yield live
    live.stop()


def health(server) -> dict:
    with urllib.request.urlopen(server.url + "api/v1/health", timeout=10) as response:
        return json.loads(response.read())


def history(server) -> list:
    token = (server.data_dir / "api-token").read_text().strip()
    request = urllib.request.Request(
        server.url + "api/v1/import/history", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["data"]


def add_row(path, exam_id):
    with duckdb.connect(str(path)) as con:
        con.execute(
            "INSERT INTO medical_examinations_fact (exam_id, patient_name, order_datetime) "
            "VALUES (?, 'New Patient', TIMESTAMP '2025-06-01 09:00:00')", [exam_id]
        )


def eventually(check, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


def test_link_imports_now_and_health_shows_the_file_and_last_sync(live):
    add_row(live.path, "B")
    result = live.link()
    assert f"Linked {live.path}" in result.stdout and "inserted                 2" in result.stdout

    server = live.serve()
    linked = health(server)["linked_source"]
    assert linked["path"] == str(live.path) and linked["last_sync"] is not None
    assert linked["last_error"] is None
    assert [(h["kind"], h["outcome"]) for h in history(server)] == [("sync", "done")]


def test_the_server_syncs_when_the_file_changes(live):
    server = live.serve()
    live.link()
    time.sleep(1)
    assert len(history(server)) == 1  # the link's own import; nothing changed since
    add_row(live.path, "B")
    eventually(lambda: health(server)["studies"] == 2)
    runs = history(server)
    assert [(h["kind"], h["outcome"], h["inserted"], h["unchanged"]) for h in runs] == [
        ("sync", "done", 1, 1),  # newest first: the server's sync of the change
        ("sync", "done", 1, 0),  # the link's own first import
    ]
    # The link records the sync once the import's process has ended, a moment after its commit.
    eventually(lambda: health(server)["linked_source"]["last_sync"] == runs[0]["finished_at"])


def test_a_file_locked_mid_write_is_retried_later_not_reported(live):
    live.link()
    server = live.serve()
    writer = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys\n"
         "c = duckdb.connect(sys.argv[1])\n"
         "c.execute(\"INSERT INTO medical_examinations_fact (exam_id, order_datetime) "
         "VALUES ('B', TIMESTAMP '2025-01-01')\")\n"
         "c.execute('CHECKPOINT')\n"
         "print('written', flush=True)\n"
         "sys.stdin.readline()\n",
         str(live.path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "written"
        time.sleep(1.5)  # several polls while the old system holds the file
        assert health(server)["studies"] == 1
        assert [h["outcome"] for h in history(server)] == ["done"]
        assert health(server)["linked_source"]["last_error"] is None
        writer.stdin.write("\n")
        writer.stdin.flush()
        writer.wait(timeout=30)
        eventually(lambda: health(server)["studies"] == 2)
        assert [h["outcome"] for h in history(server)] == ["done", "done"]
    finally:
        writer.kill()


def test_a_file_changed_while_the_server_was_stopped_syncs_at_start(live):
    live.link()
    add_row(live.path, "B")
    server = live.serve()
    eventually(lambda: health(server)["studies"] == 2)


def test_an_unchanged_file_is_not_imported_again_at_start(live):
    live.link()
    server = live.serve()
    time.sleep(1)
    assert len(history(server)) == 1


def test_unlink_stops_syncing_and_keeps_the_studies(live):
    live.link()
    result = live.cli("unlink")
    assert result.returncode == 0 and f"Unlinked {live.path}" in result.stdout
    add_row(live.path, "B")
    server = live.serve()
    time.sleep(1)
    assert health(server)["linked_source"] is None
    assert health(server)["studies"] == 1
    server.stop()
    assert "No DuckDB file was linked." in live.cli("unlink").stdout


def test_link_refuses_a_file_it_could_not_import(live, tmp_path):
    path = write_duckdb(tmp_path / "other.duckdb", [], table="patients")
    result = live.cli("link-duckdb", str(path))
    assert result.returncode == 1 and "has no table medical_examinations_fact" in result.stderr
    assert health(live.serve())["linked_source"] is None


def test_a_linked_file_that_disappears_is_reported_not_fatal(live):
    live.link()
    live.path.unlink()
    server = live.serve()
    linked = eventually(lambda: health(server)["linked_source"]["last_error"] and health(server)["linked_source"])
    assert linked["last_error"] == f"File not found: {live.path}"
    assert health(server)["studies"] == 1
    write_duckdb(live.path, [source_row("A"), source_row("B")])
    eventually(lambda: health(server)["studies"] == 2)
    eventually(lambda: health(server)["linked_source"]["last_error"] is None)
