"""Every import, export and token reset appears in the audit trail exactly once, as a
user makes them: the command line and a real server, real files, real HTTP."""

from __future__ import annotations

import getpass
import hashlib
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import duckdb

from tests.support.commands import import_cli
from tests.support.paths import ROOT
from tests.support.servers import subprocess_env
from tests.support.sources import source_row, write_duckdb, write_large_duckdb


def trail(server, **params) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    status, body = server.call("GET", f"audit?page_size=1000&{query}")
    assert status == 200, body
    return body["data"][::-1]  # oldest first


def cli(*args, data_dir) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args, "--data-dir", str(data_dir)],
        cwd=ROOT, env=subprocess_env(data_dir), capture_output=True, text=True, timeout=120,
    )


def cli_trail(data_dir, *args) -> list[dict]:
    result = cli("audit", "--json", *args, data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)[::-1]


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def os_user() -> str:
    return getpass.getuser()


# --- the command line -------------------------------------------------------------------

def test_a_command_line_import_is_recorded_once_with_its_file_sha256_and_counts(tmp_path):
    path = write_duckdb(tmp_path / "s.duckdb", [source_row("A"), source_row("B"), source_row(None)])
    data = tmp_path / "data"
    assert import_cli(path, data).returncode == 0

    [entry] = cli_trail(data)
    assert (entry["action"], entry["user"]) == ("import", os_user())
    details = entry["details"]
    assert (details["outcome"], details["file"], details["sha256"]) == ("done", str(path), sha256(path))
    assert details["size_bytes"] == path.stat().st_size
    assert details["counts"] == {
        "source_rows": 3, "inserted": 2, "updated": 0, "unchanged": 0, "duplicates": 0, "quarantined": 1,
        "not_in_source": 0,
    }
    assert entry["summary"] == (
        f"Imported s.duckdb (import {details['run_id']}): 3 rows read, 2 inserted, 0 updated, 0 unchanged, "
        "1 quarantined"
    )


def test_a_refused_command_line_import_is_recorded_once_with_the_reason(tmp_path):
    data = tmp_path / "data"
    wrong = write_duckdb(tmp_path / "wrong.duckdb", [], table="patients")
    result = import_cli(wrong, data)
    assert result.returncode == 1
    missing = import_cli(tmp_path / "gone.duckdb", data)
    assert missing.returncode == 1

    entries = cli_trail(data)
    assert [(e["action"], e["details"]["outcome"], e["details"]["file"]) for e in entries] == [
        ("import", "refused", str(wrong)), ("import", "refused", str(tmp_path / "gone.duckdb")),
    ]
    assert entries[0]["details"]["reason"] in result.stderr
    assert entries[1]["summary"] == f"Import refused: gone.duckdb: File not found: {tmp_path / 'gone.duckdb'}"


def test_a_linked_file_that_changed_into_one_that_cannot_be_imported_is_recorded_once(tmp_path):
    path = write_duckdb(tmp_path / "linked.duckdb", [source_row("A")])
    data = tmp_path / "data"
    assert cli("link-duckdb", str(path), data_dir=data).returncode == 0
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE medical_examinations_fact")
        con.execute("CREATE TABLE medical_examinations_fact (exam_id VARCHAR)")  # lacks required columns
    assert import_cli(path, data).returncode == 1
    assert cli("unlink", data_dir=data).returncode == 0
    entries = cli_trail(data)
    assert [(e["action"], e["details"].get("outcome"), e["details"].get("kind")) for e in entries] == [
        ("import", "done", "sync"), ("link", None, None), ("import", "refused", "import"), ("unlink", None, None),
    ]
    assert entries[1]["summary"] == f"Linked {path}: synced at start and whenever it changes"
    assert entries[3]["summary"] == f"Unlinked {path}; its studies stay"


def test_token_reset_is_recorded_and_the_audit_command_filters_and_writes_csv(tmp_path):
    data = tmp_path / "data"
    old = cli("token", data_dir=data).stdout.strip()
    reset = cli("token", "--reset", data_dir=data)
    assert reset.returncode == 0, reset.stderr
    new = reset.stdout.strip()
    assert new != old and new == (data / "api-token").read_text().strip()
    assert new not in (data / "db.sqlite3").read_bytes().decode("latin-1")  # the token itself is never recorded

    [entry] = cli_trail(data, "--action", "token_reset")
    assert (entry["user"], entry["summary"]) == (os_user(), "A new API token was issued; the old one no longer works")
    assert cli_trail(data, "--action", "export") == []

    written = cli("audit", "--csv", str(tmp_path / "trail.csv"), data_dir=data)
    assert written.stdout.strip() == f"Wrote 1 audit entries to {tmp_path / 'trail.csv'}"
    header = (tmp_path / "trail.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "id,at,action,user,summary,details"
    [export] = cli_trail(data, "--action", "export")
    assert (export["details"]["what"], export["details"]["rows"]) == ("audit", 1)

    bad = cli("audit", "--since", "last week", data_dir=data)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith("imaging-desk: invalid option --since must be a date (YYYY-MM-DD)")


# --- a real server --------------------------------------------------------------------

def test_http_imports_are_recorded_once_each_done_refused_busy_and_cancelled(server, tmp_path):
    small = write_duckdb(tmp_path / "small.duckdb", [source_row("A")])
    status, body = server.call("POST", "import/duckdb", {"path": str(small)})
    assert server.wait_for_job(body["job_id"])[0]["state"] == "done"
    status, _ = server.call("POST", "import/duckdb", {"path": str(tmp_path / "gone.duckdb")})
    assert status == 400
    big = write_large_duckdb(tmp_path / "big.duckdb", 300_000)
    status, running = server.call("POST", "import/duckdb", {"path": str(big)})
    assert status == 202
    status, _ = server.call("POST", "import/duckdb", {"path": str(small)})
    assert status == 409
    status, cancelled = server.call("DELETE", f"import/jobs/{running['job_id']}")
    assert cancelled["state"] == "cancelled"

    entries = trail(server, action="import")
    assert [(e["details"]["outcome"], e["details"]["file"]) for e in entries] == [
        ("done", str(small)), ("refused", str(tmp_path / "gone.duckdb")), ("refused", str(small)),
        ("cancelled", str(big)),
    ]
    assert {e["user"] for e in entries} == {"API token"}
    assert entries[0]["details"]["sha256"] == sha256(small)
    busy = f"An import is already running (job {running['job_id']}); wait for it to finish"
    assert entries[2]["details"]["reason"] == busy


def _raw_get(server, path: str) -> socket.socket:
    """A GET with the token on a bare socket, whose answer the test reads as it likes."""
    token = (server.data_dir / "api-token").read_text().strip()
    parts = urlsplit(server.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    sock.sendall(
        f"GET /api/v1/{path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
    )
    return sock


def _wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("never happened")


def test_http_exports_are_recorded_once_whole_or_cut_off(server, tmp_path):
    path = write_large_duckdb(tmp_path / "big.duckdb", 60_000)
    status, body = server.call("POST", "import/duckdb", {"path": str(path)})
    server.wait_for_job(body["job_id"])

    sock = _raw_get(server, "studies/export?format=csv&filename=whole.csv")
    received = b""
    while chunk := sock.recv(1 << 16):
        received += chunk
        if received.endswith(b"0\r\n\r\n"):  # the last chunk of the chunked body
            break
    sock.close()
    cut = _raw_get(server, "studies/export?format=csv&filename=cut.csv")
    cut.recv(4096)
    cut.close()  # the client goes away after its first piece

    exports = _wait_for(lambda: len(trail(server, action="export")) == 2 and trail(server, action="export"))
    whole, cut_off = exports
    assert (whole["details"]["filename"], whole["details"]["rows"], whole["details"]["complete"]) == (
        "whole.csv", 60_000, True
    )
    assert whole["summary"] == "Exported 60,000 studies to CSV as whole.csv"
    assert (cut_off["details"]["filename"], cut_off["details"]["complete"]) == ("cut.csv", False)
    assert 0 < cut_off["details"]["rows"] < 60_000
    assert cut_off["summary"].startswith("Exported ") and "cut off after" in cut_off["summary"]
    time.sleep(1)
    assert len(trail(server, action="export")) == 2  # never twice


def test_a_token_reset_locks_the_old_token_out_of_a_running_server(server):
    old = (server.data_dir / "api-token").read_text().strip()

    def me(token: str) -> int:
        request = urllib.request.Request(server.url + "api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert me(old) == 200
    reset = cli("token", "--reset", data_dir=server.data_dir)
    assert reset.returncode == 0, reset.stderr
    new = reset.stdout.strip()

    assert me(old) == 401
    assert me(new) == 200
    [entry] = trail(server, action="token_reset")
    assert entry["user"] == os_user()


def test_demo_data_refused_while_an_import_runs_is_recorded_once(server, tmp_path):
    big = write_large_duckdb(tmp_path / "big.duckdb", 300_000)
    status, running = server.call("POST", "import/duckdb", {"path": str(big)})
    assert status == 202
    status, _ = server.call("POST", "import/demo", {"rows": 100})
    assert status == 409
    server.call("DELETE", f"import/jobs/{running['job_id']}")

    entries = trail(server, action="import")
    assert [(e["details"]["outcome"], e["details"]["file"]) for e in entries] == [
        ("refused", str(server.data_dir / "demo" / "demo-100-0.duckdb")), ("cancelled", str(big)),
    ]
