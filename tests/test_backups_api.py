"""/api/v1/backups and /api/v1/integrity on a real server, over HTTP."""

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.commands import import_cli
from tests.support.servers import start_server
from tests.support.sources import source_row, write_duckdb

BACKUP_FIELDS = ["name", "path", "kind", "created_at", "size_bytes", "studies", "reports", "verified", "integrity"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("backups-api")
    source = write_duckdb(base / "source.duckdb", [source_row(f"E{i:03d}") for i in range(30)])
    assert import_cli(source, base / "data").returncode == 0
    running = start_server(base / "data")
    yield running
    running.stop()


def anonymous(server, method: str, path: str) -> int:
    request = urllib.request.Request(
        server.url + "api/v1/" + path, method=method, data=b"{}" if method == "POST" else None,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def finished(server, job: dict, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while job["status"] == "running":
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
        status, job = server.call("GET", f"backups/jobs/{job['job_id']}")
        assert status == 200, job
    return job


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "backups"), ("POST", "backups"), ("GET", "backups/jobs/1"), ("GET", "integrity")]
)
def test_the_endpoints_need_the_token(server, method, path):
    assert anonymous(server, method, path) == 401


def test_a_backup_job_runs_to_done_and_the_backup_is_listed_and_audited(server):
    status, job = server.call("POST", "backups", {"to": None})

    assert status == 202
    assert list(job) == ["job_id", "status", "progress", "backup", "error"]
    assert job["status"] == "running"
    done = finished(server, job)
    assert (done["status"], done["progress"], done["error"]) == ("done", 100, None)
    backup = done["backup"]
    assert list(backup) == BACKUP_FIELDS
    assert (backup["kind"], backup["studies"], backup["reports"], backup["verified"], backup["integrity"]) == (
        "manual", 30, 0, True, "ok",
    )
    assert Path(backup["path"]).parent == server.data_dir / "backups"

    status, listing = server.call("GET", "backups")
    assert status == 200
    assert listing["folder"] == str(server.data_dir / "backups")
    assert backup in listing["backups"]
    times = [b["created_at"] for b in listing["backups"]]
    assert times == sorted(times, reverse=True)

    status, audit = server.call("GET", "audit?action=backup")
    assert status == 200
    entry = next(e for e in audit["data"] if e["details"]["path"] == backup["path"])
    assert entry["user"] == "API token"
    assert (entry["details"]["studies"], entry["details"]["kind"]) == (30, "manual")


def test_a_backup_goes_to_the_folder_the_body_names(server, tmp_path):
    status, job = server.call("POST", "backups", {"to": str(tmp_path / "usb")})

    assert status == 202, job
    backup = finished(server, job)["backup"]
    assert Path(backup["path"]).parent == tmp_path / "usb"
    assert Path(backup["path"] + ".json").exists()


@pytest.mark.parametrize(
    ("to", "words"),
    [
        ("backups", "The backup folder must be a full path"),
        ("/no/such/drive/backups", "does not exist, and neither does /no/such/drive"),
        ("", "Invalid parameter: to must not be empty"),
        (42, "Invalid parameter: to must be a string"),
    ],
)
def test_a_folder_that_cannot_take_a_backup_is_400_with_words(server, to, words):
    status, body = server.call("POST", "backups", {"to": to})

    assert status == 400
    assert words in body["detail"]


def test_a_file_named_as_the_folder_is_400_with_words(server, tmp_path):
    (tmp_path / "notes.txt").write_text("a file")

    status, body = server.call("POST", "backups", {"to": str(tmp_path / "notes.txt")})

    assert (status, body) == (400, {"detail": f"The backup folder {tmp_path / 'notes.txt'} is a file, not a folder"})


def test_an_unknown_backup_job_is_404(server):
    status, body = server.call("GET", "backups/jobs/999999")

    assert status == 404
    assert "Backup job not found" in body["detail"]


def test_integrity_says_the_database_is_sound_and_names_the_newest_backup(server):
    status, job = server.call("POST", "backups", {"to": None})
    newest = finished(server, job)["backup"]

    status, body = server.call("GET", "integrity")

    assert status == 200
    assert list(body) == ["ok", "message", "checked_at", "newest_good_backup", "restore_command", "full_check"]
    assert (body["ok"], body["full_check"]) == (True, "done")
    assert body["newest_good_backup"] == newest
    assert body["restore_command"] == f"imaging-desk restore {newest['path']} --data-dir {server.data_dir}"
    json.dumps(body)
