"""A task the server was running when it stopped: failed as interrupted at the next start."""

import datetime as dt
import json
import socket
import sqlite3
import time
import urllib.request

from tests.support.factories import insert_study
from tests.support.servers import start_server


def get(server, path):
    token = (server.data_dir / "api-token").read_text().strip()
    request = urllib.request.Request(server.url + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_a_restart_fails_running_tasks_as_interrupted_and_runs_pending_ones(tmp_path):
    data = tmp_path / "data"
    start_server(data).stop()
    host = socket.gethostname()
    insert_study(data / "db.sqlite3", "E1", order_datetime=dt.datetime(2025, 1, 1, 8, 0),
                 check_in_datetime=dt.datetime(2025, 1, 1, 8, 20))
    with sqlite3.connect(data / "db.sqlite3") as db:
        for status, worker in [("running", f"{host} 999999"), ("pending", f"{host} 999999"),
                               ("running", "another-pc 123")]:
            db.execute(
                "INSERT INTO analysis_task (exam_id, analysis_type, status, progress, created_at, started_at, worker) "
                "VALUES ('E1', 'turnaround_review', ?, 40, '2025-01-01 09:00:00', '2025-01-01 09:00:01', ?)",
                [status, worker],
            )

    server = start_server(data)
    try:
        interrupted = get(server, "api/v1/analysis/tasks/1")
        assert interrupted["status"] == "failed"
        assert interrupted["results"] == {"error": "interrupted"}
        assert interrupted["completed_at"] is not None
        for _ in range(200):
            resumed = get(server, "api/v1/analysis/tasks/2")
            if resumed["status"] == "completed":
                break
            time.sleep(0.05)
        assert resumed["status"] == "completed" and resumed["progress"] == 100
        assert resumed["results"]["order_to_check_in"]["minutes"] == 20.0
        # Another PC's server (sharing a PostgreSQL database) owns its own task.
        assert get(server, "api/v1/analysis/tasks/3")["status"] == "running"
    finally:
        server.stop()
