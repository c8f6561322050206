"""`imaging-desk` as a user runs it: a real waitress server in a subprocess, real files."""

import http.client
import json
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.factories import insert_study
from tests.support.paths import ROOT
from tests.support.servers import start_server, subprocess_env


def get(url: str, *, token: str | None = None, cookie: str | None = None, host: str | None = None):
    """(status, headers, body) of a GET, without following redirects."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if cookie:
        headers["Cookie"] = cookie
    if host:
        headers["Host"] = host
    connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response.headers, body


def run_cli(*args: str, data_dir: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args, "--data-dir", str(data_dir)],
        cwd=ROOT, env=subprocess_env(data_dir), capture_output=True, text=True, timeout=timeout,
    )


def test_serve_starts_serves_and_stops_cleanly_on_sigterm(server):
    data = server.data_dir
    assert server.url.startswith("http://127.0.0.1:")
    status, headers, body = get(server.url + "api/v1/health")
    assert status == 200 and json.loads(body)["database"] == "sqlite"
    assert headers["Content-Length"] == str(len(body))
    for name in ("db.sqlite3", "api-token", "secret-key", "logs/server.log", "server.json"):
        assert (data / name).exists(), name

    assert server.stop() == 0
    assert "Imaging Desk stopped." in "".join(server.lines)
    assert "Traceback" not in "".join(server.lines)
    assert not (data / "server.json").exists()


def test_serve_stops_cleanly_on_ctrl_c(tmp_path):
    import signal

    running = start_server(tmp_path / "data")
    assert running.stop(signal.SIGINT) == 0
    assert "Traceback" not in "".join(running.lines)


def test_serve_applies_migrations_and_uses_wal(server):
    with sqlite3.connect(server.data_dir / "db.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"study", "import_run", "import_quarantine", "django_migrations"} <= tables


def test_the_serve_login_link_opens_the_app_once(server):
    status, headers, _ = get(server.login_url)
    assert status == 302 and headers["Location"] == "/"
    cookie = headers["Set-Cookie"].split(";")[0]
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    status, _, body = get(server.url + "api/v1/auth/me", cookie=cookie)
    assert status == 200 and json.loads(body)["role"] == "owner"
    assert get(server.login_url)[0] == 401
    status, headers, body = get(server.url)
    assert status == 200 and b"Imaging Desk" in body


def test_token_prints_the_token_the_server_accepts(server):
    result = run_cli("token", data_dir=server.data_dir)
    assert result.returncode == 0
    token = result.stdout.strip()
    assert token == (server.data_dir / "api-token").read_text().strip()
    status, _, body = get(server.url + "api/v1/auth/me", token=token)
    assert status == 200
    assert get(server.url + "api/v1/auth/me", token=token + "x")[0] == 401


def test_token_creates_a_token_before_the_first_start_and_keeps_it(tmp_path):
    first = run_cli("token", data_dir=tmp_path / "fresh")
    second = run_cli("token", data_dir=tmp_path / "fresh")
    assert first.returncode == 0 and len(first.stdout.strip()) >= 40
    assert first.stdout == second.stdout


def test_login_link_prints_a_fresh_link_into_the_running_app(server):
    result = run_cli("login-link", data_dir=server.data_dir)
    assert result.returncode == 0, result.stderr
    link = result.stdout.strip()
    assert link.startswith(server.url + "login?once=")
    assert get(link)[0] == 302
    assert get(link)[0] == 401


def test_login_link_without_a_running_server_says_so(tmp_path):
    result = run_cli("login-link", data_dir=tmp_path / "idle")
    assert result.returncode == 1
    assert "no Imaging Desk server is running" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_a_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "desktop", "serve", "--port", str(port), "--data-dir", str(tmp_path)],
            cwd=ROOT, env=subprocess_env(tmp_path), capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_the_data_dir_comes_from_the_environment_when_not_given(tmp_path):
    env = subprocess_env(tmp_path / "from-env")
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "token"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0
    assert (tmp_path / "from-env" / "api-token").read_text().strip() == result.stdout.strip()


def test_the_server_runs_at_least_eight_threads(settings):
    from server.serving import create_server

    server = create_server(host="127.0.0.1", port=0, threads=2)
    try:
        assert server.adj.threads >= 8
    finally:
        server.close()


def test_logs_hold_requests_but_no_patient_names_or_secrets(server):
    insert_study(server.data_dir / "db.sqlite3", "EXAM-LOG-1", patient_name="Zhang Wei-Secret")
    token = run_cli("token", data_dir=server.data_dir).stdout.strip()
    status, _, body = get(server.url + "api/v1/studies/search?q=Zhang%20Wei-Secret", token=token)
    assert status == 200 and "Zhang Wei-Secret" in body.decode()
    get(server.url + "api/v1/studies/EXAM-LOG-1", token=token)
    get(server.url + "api/v1/studies/search?page=abc&q=Zhang%20Wei-Secret", token=token)
    code = server.login_url.split("once=")[1]
    get(server.login_url)
    server.stop()

    log = (server.data_dir / "logs" / "server.log").read_text(encoding="utf-8")
    assert "GET /api/v1/studies/search 200" in log
    assert "Zhang" not in log
    assert token not in log
    assert code not in log


def test_a_server_loads_the_statistics_columns_in_the_background_and_answers_from_them(server):
    db_path = server.data_dir / "db.sqlite3"
    for i in range(30):
        insert_study(db_path, f"S{i:02d}", exam_source="CT" if i % 3 else "MRI", patient_age=i * 3)
    token = run_cli("token", data_dir=server.data_dir).stdout.strip()
    status, _, body = get(server.url + "api/v1/studies/statistics?exam_source=CT", token=token)
    assert status == 200 and json.loads(body)["total"] == 20  # the database's answer, meanwhile
    log = server.data_dir / "logs" / "server.log"
    deadline = time.monotonic() + 30
    while "statistics columns loaded: 30 studies" not in log.read_text(encoding="utf-8"):
        assert time.monotonic() < deadline, "the statistics columns never loaded"
        time.sleep(0.1)
    status, _, body = get(server.url + "api/v1/studies/statistics?exam_source=MRI", token=token)
    got = json.loads(body)
    assert status == 200 and got["total"] == 10
    assert got["by_source"] == [{"value": "MRI", "count": 10}]
    assert [band["count"] for band in got["by_age_band"]] == [2, 3, 3, 2, 0]  # ages 0, 9, 18 ... 81


def test_searches_keep_answering_while_another_process_writes(server):
    """WAL: readers never wait for a writer, and never see "database is locked"."""
    db_path = server.data_dir / "db.sqlite3"
    insert_study(db_path, "EXISTING")
    token = run_cli("token", data_dir=server.data_dir).stdout.strip()

    writer = sqlite3.connect(db_path, timeout=60, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO study (exam_id, order_datetime, extra, search_text, name_text, order_day, created_at, updated_at) "
        "VALUES ('NEW', '2025-01-01 00:00:00', '{}', 'new', '', '2025-01-01', '2025-01-01', '2025-01-01')"
    )
    results = []

    def search():
        for _ in range(5):
            status, _, body = get(server.url + "api/v1/studies/search", token=token)
            results.append((status, json.loads(body).get("total")))

    threads = [threading.Thread(target=search) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.execute("COMMIT")
    writer.close()

    # Every search answered while the write was open (the writer commits only after
    # they all finish), and none saw the uncommitted row.
    assert results == [(200, 1)] * 25
    status, _, body = get(server.url + "api/v1/studies/search", token=token)
    assert json.loads(body)["total"] == 2


def test_a_second_writer_waits_for_the_first_instead_of_failing(tmp_path):
    """The busy timeout and BEGIN IMMEDIATE make writers queue, not fail."""
    data = tmp_path / "data"
    running = start_server(data)
    try:
        blocker = sqlite3.connect(data / "db.sqlite3", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        script = (
            "import django, datetime; django.setup()\n"
            "from server.studies.services import study_create\n"
            "study_create(exam_id='W2', order_datetime=datetime.datetime(2025, 1, 1))\n"
            "print('written')\n"
        )
        env = subprocess_env(data, DJANGO_SETTINGS_MODULE="server.settings")
        second = subprocess.Popen(
            [sys.executable, "-c", script], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        time.sleep(3)
        assert second.poll() is None  # still waiting for the lock, not failed
        blocker.execute("COMMIT")
        blocker.close()
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        assert out.strip() == "written"
    finally:
        running.stop()


@pytest.mark.needs_postgres
def test_serve_runs_on_a_shared_postgresql_database(tmp_path, postgres_database):
    data = tmp_path / "data"
    running = start_server(data, env=subprocess_env(data, IMAGING_DESK_DATABASE_URL=postgres_database))
    try:
        status, _, body = get(running.url + "api/v1/health")
        assert status == 200
        assert json.loads(body)["database"] == "postgresql"
        assert json.loads(body)["studies"] == 0
        assert not (data / "db.sqlite3").exists()
        token = (data / "api-token").read_text().strip()
        status, _, body = get(running.url + "api/v1/studies/search?q=%C3%A9", token=token)
        assert status == 200 and json.loads(body)["total"] == 0
    finally:
        assert running.stop() == 0


def test_an_import_a_dead_process_left_running_is_marked_interrupted_at_start(tmp_path):
    data = tmp_path / "data"
    start_server(data).stop()
    with sqlite3.connect(data / "db.sqlite3") as db:
        db.execute(
            "INSERT INTO import_run (kind, state, source_path, source_sha256, started_at, error) "
            "VALUES ('import', 'running', '/x.duckdb', '', '2026-01-01 00:00:00', '')"
        )
    start_server(data).stop()
    with sqlite3.connect(data / "db.sqlite3") as db:
        state, error = db.execute("SELECT state, error FROM import_run").fetchone()
    assert state == "failed" and error.startswith("interrupted")
