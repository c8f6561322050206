"""The Settings screen's database endpoints: what is in use, a PostgreSQL database tried
before it is kept (in words: unreachable, no such database, no right to create tables),
the choice kept in settings.json and used by the next start, and the way back to this
PC's own database. The password never appears in an answer, the log or the audit trail."""

from __future__ import annotations

import json
import os
import shutil
import stat
import uuid

import pytest

from server.configuration.connecting import PostgresTarget, database_url_shown, problem_of, target_from
from tests.support.servers import start_server

PASSWORD = "s3cret-Pw-never-shown"


@pytest.fixture
def data_dir(tmp_path, settings, monkeypatch, token):
    """The data folder's settings.json in a folder of the test's own (with the API
    token the client holds); no database set by the environment (the PostgreSQL pass
    of the suite sets one)."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(settings.DATA_DIR / "api-token", folder / "api-token")
    settings.DATA_DIR = folder
    monkeypatch.delenv("IMAGING_DESK_DATABASE_URL", raising=False)
    return folder


def parts(url: str, **changes) -> dict:
    """The screen's fields for a database URL, the password added."""
    target = target_from(url=url)
    body = {"host": target.host, "port": target.port, "database": target.database, "user": target.user,
            "password": PASSWORD}
    return {**body, **changes}


def test_a_database_url_is_shown_without_its_password():
    assert database_url_shown("postgresql://desk:pw@db:5432/clinic") == "postgresql://desk@db:5432/clinic"
    assert database_url_shown("postgresql://desk@db/clinic") == "postgresql://desk@db/clinic"
    target = PostgresTarget(host="db.local", port=5433, database="imaging desk", user="u@x", password="p/w:@")
    assert target_from(url=target.url()) == target
    assert "p/w" not in target.shown() and target.shown() == "postgresql://u%40x@db.local:5433/imaging%20desk"


@pytest.mark.parametrize(
    ("words", "problem"),
    [
        ("PostgreSQL at db:5432 refused the password of the user desk: correct it", "password"),
        ("PostgreSQL at db:5432 has no user desk: create it", "no_user"),
        ("PostgreSQL at db:5432 has no database clinic: create it", "no_database"),
        ("the user desk may not create the tables Imaging Desk needs in the database clinic", "no_create"),
        ("PostgreSQL at db:5432 cannot be reached: check", "unreachable"),
        ("PostgreSQL at db:5432 (database clinic) cannot be used: odd", "other"),
    ],
)
def test_each_failure_is_named_for_the_screen_to_say_in_its_language(words, problem):
    assert problem_of(words) == problem


def test_the_screen_learns_the_database_in_use_and_where_it_comes_from(api, data_dir):
    body = api.get("/api/v1/settings/database").json()
    assert list(body) == ["in_use", "source", "can_change", "next_start", "next_start_source", "restart_needed"]
    assert body["source"] == ("settings.json" if body["in_use"]["vendor"] == "postgresql" else "default")
    assert body["can_change"] is True
    assert body["next_start"] == {"vendor": "sqlite", "file": str(data_dir / "db.sqlite3"), "host": None,
                                  "port": None, "name": None, "user": None}
    assert body["next_start_source"] == "default"


def test_a_database_set_by_the_environment_cannot_be_changed_from_the_screen(api, data_dir, monkeypatch):
    monkeypatch.setenv("IMAGING_DESK_DATABASE_URL", f"postgresql://desk:{PASSWORD}@db.example:5433/shared")
    body = api.get("/api/v1/settings/database").json()
    assert body["can_change"] is False and body["next_start_source"] == "environment"
    assert body["next_start"]["host"] == "db.example" and body["next_start"]["port"] == 5433
    for response in (api.put("/api/v1/settings/database", parts("postgresql://x@127.0.0.1:1/x"),
                             content_type="application/json"),
                     api.delete("/api/v1/settings/database")):
        assert response.status_code == 409
        assert "IMAGING_DESK_DATABASE_URL (or --database-url) sets the database" in response.json()["detail"]
    assert PASSWORD not in api.get("/api/v1/settings/database").content.decode()
    assert not (data_dir / "settings.json").exists()


def test_the_screen_needs_a_server_and_a_database_name(api, data_dir):
    response = api.post("/api/v1/settings/database/test", {"host": " ", "database": "x"},
                        content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid parameter: host is required: the PostgreSQL server's name or address"}
    response = api.post("/api/v1/settings/database/test", {"url": "mysql://x/y"}, content_type="application/json")
    assert response.status_code == 400 and "unsupported database URL scheme" in response.json()["detail"]


def tried(api, body) -> dict:
    response = api.post("/api/v1/settings/database/test", body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert PASSWORD not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    return response.json()


def test_an_empty_database_answers_and_will_be_set_up(api, data_dir, postgres_database):
    body = tried(api, parts(postgres_database))
    assert body["ok"] is True and body["problem"] is None
    assert body["set_up"] is False and body["has_data"] is False and body["studies"] is None
    assert "has no Imaging Desk data yet; Imaging Desk sets up its tables there at its next start" in body["message"]
    assert body["database"]["name"] == postgres_database.rsplit("/", 1)[1]


def test_a_server_that_does_not_answer_is_unreachable_in_words(api, data_dir, postgres_database):
    # Port 1: nothing listens there.
    body = tried(api, parts(postgres_database, port=1))
    assert body["ok"] is False and body["problem"] == "unreachable"
    assert body["message"].startswith("PostgreSQL at 127.0.0.1:1 cannot be reached: check that the server runs")


def test_a_missing_database_is_named(api, data_dir, postgres_database):
    body = tried(api, parts(postgres_database, database="no_such_database_here"))
    assert body["problem"] == "no_database"
    assert "has no database no_such_database_here: create it" in body["message"]


def test_a_missing_user_is_named(api, data_dir, postgres_database):
    body = tried(api, parts(postgres_database, user="no_such_user_here"))
    assert body["problem"] == "no_user"
    assert "has no user no_such_user_here" in body["message"]


@pytest.fixture
def reader_role(postgres_database):
    """A user that may log in but not create tables in the database's schema."""
    import psycopg

    role = f"imaging_desk_reader_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_database, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
        admin.execute(f'REVOKE CREATE ON SCHEMA public FROM PUBLIC, "{role}"')
    yield role
    with psycopg.connect(postgres_database, autocommit=True) as admin:
        admin.execute(f'DROP OWNED BY "{role}"')
        admin.execute(f'DROP ROLE "{role}"')


def test_a_user_without_the_right_to_create_tables_is_told_so_and_nothing_is_stored(
    api, data_dir, postgres_database, reader_role
):
    body = tried(api, parts(postgres_database, user=reader_role))
    assert body["ok"] is False and body["problem"] == "no_create"
    name = postgres_database.rsplit("/", 1)[1]
    said = f"the user {reader_role} may not create the tables Imaging Desk needs in the database {name}"
    assert said in body["message"]
    response = api.put("/api/v1/settings/database", parts(postgres_database, user=reader_role),
                       content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Not saved: the user ")
    assert not (data_dir / "settings.json").exists()


@pytest.mark.django_db
def test_saving_keeps_the_url_for_the_next_start_readable_by_its_owner_only(api, data_dir, postgres_database):
    (data_dir / "settings.json").write_text(json.dumps({"time_zone": "Asia/Taipei"}), encoding="utf-8")
    response = api.put("/api/v1/settings/database", parts(postgres_database), content_type="application/json")
    assert response.status_code == 200, response.content
    assert PASSWORD not in response.content.decode()
    body = response.json()
    name = postgres_database.rsplit("/", 1)[1]
    assert body["next_start"]["vendor"] == "postgresql" and body["next_start"]["name"] == name
    assert body["next_start_source"] == "settings.json"
    stored = json.loads((data_dir / "settings.json").read_text(encoding="utf-8"))
    assert stored["time_zone"] == "Asia/Taipei"
    assert target_from(url=stored["database_url"]) == PostgresTarget(
        host="127.0.0.1", port=5432, database=name, user="postgres", password=PASSWORD
    )
    if os.name == "posix":
        assert stat.S_IMODE((data_dir / "settings.json").stat().st_mode) == 0o600
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".settings.json")]

    from server.audit.models import AuditEntry

    [entry] = AuditEntry.objects.filter(action="database")
    assert f"now PostgreSQL postgresql://postgres@127.0.0.1:5432/{name}" in entry.summary
    assert "it was this PC's own database" in entry.summary
    assert PASSWORD not in json.dumps([entry.summary, entry.details])

    back = api.delete("/api/v1/settings/database")
    assert back.status_code == 200
    assert back.json()["next_start"]["vendor"] == "sqlite"
    assert json.loads((data_dir / "settings.json").read_text(encoding="utf-8")) == {"time_zone": "Asia/Taipei"}
    latest = AuditEntry.objects.filter(action="database").order_by("-id").first()
    assert "now this PC's own database; it was postgresql://postgres@" in latest.summary
    assert PASSWORD not in json.dumps([latest.summary, latest.details])


def test_the_stored_database_is_used_by_the_next_start(tmp_path, postgres_database):
    data = tmp_path / "data"
    first = start_server(data)
    try:
        assert first.call("GET", "health")[1]["database"] == "sqlite"
        status, body = first.call("PUT", "settings/database", parts(postgres_database))
        assert status == 200, body
        assert body["in_use"]["vendor"] == "sqlite" and body["restart_needed"] is True
    finally:
        first.stop()
    again = start_server(data)
    try:
        assert again.call("GET", "health")[1]["database"] == "postgresql"
        status, body = again.call("GET", "settings/database")
        assert body["in_use"]["vendor"] == "postgresql" and body["source"] == "settings.json"
        assert body["restart_needed"] is False
        status, job = again.call("POST", "import/demo", {"rows": 30})
        assert status == 202, job
        again.wait_for_job(job["job_id"])
        status, tested = again.call("POST", "settings/database/test", parts(postgres_database))
        assert tested["ok"] is True and tested["set_up"] is True and tested["has_data"] is True
        assert tested["studies"] == 30
        assert "holds Imaging Desk's data, 30 studies" in tested["message"]
        status, _ = again.call("DELETE", "settings/database")
        assert status == 200
    finally:
        again.stop()
    log = (data / "logs" / "server.log").read_text(encoding="utf-8")
    assert PASSWORD not in log
    local = start_server(data)
    try:
        assert local.call("GET", "health")[1]["database"] == "sqlite"
    finally:
        local.stop()
