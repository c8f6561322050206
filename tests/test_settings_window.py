"""The window after the Settings screen saved a database: it restarts its own server on
it (same address, the app reloaded signed in), names a database it cannot open on its
start-failure page with the way back to this PC's own, and About names the database
without the password. Run in a process of its own, with a stand-in for the native
window (the real one is driven in tests/test_desktop_window.py)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.paths import ROOT
from tests.support.servers import subprocess_env
from tests.test_desktop_window import Driven, display  # noqa: F401 (display: the Xvfb fixture)

PASSWORD = "s3cret-Pw-never-shown"

WINDOW_SCRIPT = r"""
import json, sys, time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

from desktop.cli import _setup

data = _setup(sys.argv[1])
from desktop.window import Bridge, DesktopApp

target, unusable = json.loads(sys.argv[2]), sys.argv[3]
pages, loaded = [], []
app = DesktopApp(data_dir=data)
app.window = SimpleNamespace(
    load_html=pages.append, load_url=loaded.append, evaluate_js=lambda script: True,
    create_confirmation_dialog=lambda title, message: pages.append(f"TOLD {title}: {message}"),
)
seen = {}
def until(check, what):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # the server between its stop and its start
            pass
        time.sleep(0.05)
    raise SystemExit(f"timed out: {what}")

assert app._open()
app._app_ready()
seen["first"] = app.client.call("GET", "api/v1/health")["database"]
first_url = app.server.url
seen["saved"] = app.client.call("PUT", "api/v1/settings/database", target)["next_start"]
seen["restart"] = Bridge(app).restart_on_saved_database()
until(lambda: app.server is not None and app.server.url == first_url and app.client.call(
    "GET", "api/v1/health")["database"] == "postgresql", "the restart on PostgreSQL")
seen["after"] = app.client.call("GET", "api/v1/settings/database")
seen["same_address"] = app.server.url == first_url and loaded[-1].startswith(first_url + "login?once=")
app.show_about()
seen["about"] = pages[-1]

# The saved database stops answering (here: settings.json names a port nobody listens on).
settings = json.loads((data / "settings.json").read_text())
settings["database_url"] = unusable
(data / "settings.json").write_text(json.dumps(settings))
app.database_restart()
seen["failure_page"] = pages[-1]
seen["server_after_failure"] = app.server is not None
Bridge(app).use_local_database()
until(lambda: app.server is not None, "the start on this PC's database")
seen["local"] = app.client.call("GET", "api/v1/health")["database"]
seen["settings"] = json.loads((data / "settings.json").read_text())
seen["audit"] = app.client.call("GET", "api/v1/audit?action=database")["data"]
app._stop_own_server()
print("RESULT " + json.dumps(seen))
"""


def test_the_window_restarts_on_the_saved_database_and_finds_its_way_back(tmp_path, postgres_database):
    from server.configuration.connecting import target_from

    database = target_from(url=postgres_database)
    body = {"host": database.host, "port": database.port, "database": database.database, "user": database.user,
            "password": PASSWORD}
    unusable = f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/{database.database}"
    data = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-c", WINDOW_SCRIPT, str(data), json.dumps(body), unusable],
        cwd=ROOT, env=subprocess_env(data), capture_output=True, text=True, timeout=240,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, result.stdout + result.stderr
    seen = json.loads(lines[-1][len("RESULT "):])

    assert seen["first"] == "sqlite"
    assert seen["saved"]["vendor"] == "postgresql" and seen["restart"] == {"ok": True}
    assert seen["after"]["in_use"]["name"] == database.database and seen["after"]["restart_needed"] is False
    assert seen["same_address"], "the app reloaded signed in on the same address"
    assert f"PostgreSQL database {database.database} on 127.0.0.1:5432 as postgres" in seen["about"]

    page = seen["failure_page"]
    assert "PostgreSQL at 127.0.0.1:1 cannot be reached" in page
    assert ">Use this PC's database</button>" in page and 'id="quit"' in page
    assert seen["server_after_failure"] is False

    assert seen["local"] == "sqlite"
    assert "database_url" not in seen["settings"]
    # Both changes were made while this PC's database was in use: its trail has both.
    back, chosen = seen["audit"]
    assert chosen["summary"].startswith("The database for the next start is now PostgreSQL postgresql://postgres@")
    assert back["summary"] == (
        "The database for the next start is now this PC's own database; it was "
        f"postgresql://postgres@127.0.0.1:1/{database.database}, which could not be used"
    )
    everything = json.dumps(seen) + (data / "logs" / "server.log").read_text(encoding="utf-8")
    assert PASSWORD not in everything
    assert "Traceback" not in seen["failure_page"]


def test_the_real_window_saves_a_database_restarts_on_it_and_gets_back(display, tmp_path, postgres_database):  # noqa: F811
    """The same in the real window (pywebview, Qt WebEngine, Xvfb): the Settings screen's
    Save and restart, About, the start-failure page's "Use this PC's database"."""
    from server.configuration.connecting import target_from

    database = target_from(url=postgres_database)
    target = {"host": database.host, "port": database.port, "database": database.database, "user": database.user}
    run = Driven("database-settings", tmp_path / "data", tmp_path / "out", display,
                 IMAGING_DESK_DRIVER_POSTGRES=json.dumps(target))
    tested = run.wait_for_step("tested")
    assert f"The database {database.database} on 127.0.0.1:{database.port} answers" in tested["text"]
    restarted = run.wait_for_step("restarted", timeout=120)
    assert restarted["health"]["database"] == "postgresql"
    assert restarted["server_url"] == restarted["old_url"], "the same address"
    about = run.wait_for_step("about")
    assert f"PostgreSQL database {database.database} on 127.0.0.1:{database.port} as postgres" in about["text"]
    failure = run.wait_for_step("failure", timeout=120)
    assert "PostgreSQL at 127.0.0.1:1 cannot be reached" in failure["text"]
    assert failure["buttons"] == ["Use this PC's database", "Quit"]
    local = run.wait_for_step("local", timeout=120)
    assert "database_url" not in local["settings"]
    assert run.finish() == 0
    everything = json.dumps(run.result) + (tmp_path / "data" / "logs" / "server.log").read_text(encoding="utf-8")
    assert "window-Secret-pw" not in everything
