"""The Settings screen end to end: headless Chromium (frontend_build/e2e/settings.test.js)
against a real `imaging-desk serve` and a real PostgreSQL database; then the server,
started again, runs on the database the screen saved."""

import json

from server.configuration.connecting import target_from
from tests.support.e2e import require_browser_tools, run_e2e
from tests.support.servers import start_server


def test_the_settings_screen_tries_saves_and_the_next_start_uses_the_database(tmp_path, postgres_database):
    require_browser_tools()
    database = target_from(url=postgres_database)
    target = {"host": database.host, "port": database.port, "database": database.database, "user": database.user}
    data = tmp_path / "data"
    running = start_server(data)
    try:
        run_e2e("settings.test.js", running, tmp_path / "out", IMAGING_DESK_E2E_POSTGRES=json.dumps(target))
    finally:
        running.stop()
    assert json.loads((tmp_path / "out" / "settings.json").read_text(encoding="utf-8")) == {"entries": 3}
    again = start_server(data)
    try:
        status, health = again.call("GET", "health")
        assert status == 200 and health["database"] == "postgresql"
        status, body = again.call("GET", "settings/database")
        assert body["in_use"]["name"] == database.database and body["source"] == "settings.json"
    finally:
        again.stop()
    assert "e2e-Secret-pw" not in (data / "logs" / "server.log").read_text(encoding="utf-8")
