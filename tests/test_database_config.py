import json
import subprocess
import sys
import uuid

import pytest

from server.database import database_settings, postgres_database, vendor_name
from tests.support.paths import ROOT
from tests.support.servers import subprocess_env


def test_the_default_database_is_sqlite_in_the_data_folder_with_wal_and_a_busy_timeout(tmp_path):
    db = database_settings(data_dir=tmp_path, url=None)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "db.sqlite3")
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["timeout"] >= 30
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize(
    "url,expected",
    [
        ("postgresql://postgres@127.0.0.1:5432/clinic",
         {"NAME": "clinic", "USER": "postgres", "PASSWORD": "", "HOST": "127.0.0.1", "PORT": "5432"}),
        ("postgres://u%40x:p%2Fw@db.local/imaging",
         {"NAME": "imaging", "USER": "u@x", "PASSWORD": "p/w", "HOST": "db.local", "PORT": ""}),
    ],
)
def test_a_postgresql_url_becomes_a_database_entry(url, expected):
    db = postgres_database(url)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert {k: db[k] for k in expected} == expected


def test_a_postgresql_url_may_ask_for_tls_and_a_connect_timeout():
    db = postgres_database("postgresql://desk@db.clinic.lan/imaging?sslmode=verify-full&connect_timeout=5")
    assert db["OPTIONS"] == {"sslmode": "verify-full", "connect_timeout": "5"}
    assert postgres_database("postgresql://desk@db/imaging")["OPTIONS"] == {}


@pytest.mark.parametrize(
    "url,message",
    [
        ("mysql://x/db", "unsupported database URL scheme"),
        ("postgresql://host/", "names no database"),
        ("postgresql://host/db?options=-c%20search_path%3Dother", "option 'options' is not one Imaging Desk passes on"),
    ],
)
def test_a_bad_database_url_is_refused_with_a_reason(url, message):
    with pytest.raises(ValueError, match=message):
        postgres_database(url)


@pytest.mark.parametrize(
    "engine,name",
    [("django.db.backends.sqlite3", "sqlite"), ("django.db.backends.postgresql", "postgresql")],
)
def test_health_names_the_database_vendor(engine, name):
    assert vendor_name(engine) == name


def test_a_broken_settings_json_stops_the_command_with_a_clear_message(tmp_path):
    (tmp_path / "settings.json").write_text("{not json", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "serve", "--port", "0", "--data-dir", str(tmp_path)],
        cwd=ROOT, env=subprocess_env(tmp_path), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "settings.json is not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_settings_json_can_name_a_database_url(tmp_path):
    (tmp_path / "settings.json").write_text(
        json.dumps({"database_url": "postgresql://someone@db.example:5433/shared"}), encoding="utf-8"
    )
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['HOST'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=subprocess_env(tmp_path, DJANGO_SETTINGS_MODULE="server.settings"),
    )
    assert result.stdout.strip() == "db.example", result.stderr


@pytest.mark.parametrize(
    "url,message",
    [
        ("mysql://root@127.0.0.1/x", "the database URL is not usable: unsupported database URL scheme"),
        ("postgresql://postgres@127.0.0.1:1/nowhere", "PostgreSQL at 127.0.0.1:1 cannot be reached: check that"),
    ],
)
def test_an_unusable_database_stops_serve_with_a_clear_message(tmp_path, url, message):
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "serve", "--port", "0", "--data-dir", str(tmp_path)],
        cwd=ROOT, env=subprocess_env(tmp_path, IMAGING_DESK_DATABASE_URL=url),
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def refused(command: list[str], tmp_path, url: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "desktop", *command, "--data-dir", str(tmp_path / "data")],
        cwd=ROOT, env=subprocess_env(tmp_path / "data", IMAGING_DESK_DATABASE_URL=url),
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    return result


def test_a_missing_postgresql_database_or_user_is_named_in_words(postgres_database, tmp_path):
    server = postgres_database.rsplit("/", 1)[0]
    host = server.rsplit("@", 1)[1]

    missing = refused(["serve", "--port", "0"], tmp_path, f"{server}/no_such_database_here")
    assert f"PostgreSQL at {host} has no database no_such_database_here: create it" in missing.stderr

    nobody = refused(["audit"], tmp_path, postgres_database.replace("postgres@", "no_such_user_here@", 1))
    assert f"PostgreSQL at {host} has no user no_such_user_here: create it" in nobody.stderr


def test_a_user_without_the_right_to_create_tables_is_told_so(postgres_database, tmp_path):
    import psycopg

    role = f"imaging_desk_reader_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_database, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
        admin.execute(f'REVOKE CREATE ON SCHEMA public FROM PUBLIC, "{role}"')
    try:
        result = refused(["serve", "--port", "0"], tmp_path, postgres_database.replace("postgres@", f"{role}@", 1))
        name = postgres_database.rsplit("/", 1)[1]
        assert f"the user {role} may not create the tables Imaging Desk needs in the database {name}" in result.stderr
    finally:
        with psycopg.connect(postgres_database, autocommit=True) as admin:
            admin.execute(f'DROP OWNED BY "{role}"')
            admin.execute(f'DROP ROLE "{role}"')


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ('connection failed: connection to server at "db", port 5432 failed: FATAL:  password authentication '
         'failed for user "desk"', "PostgreSQL at db:5432 refused the password of the user desk"),
        ("failed to resolve host 'db': [Errno -2] Name or service not known",
         "PostgreSQL at db:5432 cannot be reached"),
        ("connection timeout expired", "PostgreSQL at db:5432 cannot be reached"),
        ("server closed the connection unexpectedly", "PostgreSQL at db:5432 (database clinic) cannot be used: server"),
    ],
)
def test_what_a_database_error_means_is_said_without_the_password(error, words):
    from django.db import OperationalError

    from server.database import database_unavailable_words, postgres_database

    database = postgres_database("postgresql://desk:s3cret-Pw@db:5432/clinic")
    said = database_unavailable_words(OperationalError(error), database)
    assert said.startswith(words)
    assert "s3cret" not in said


def test_database_url_on_a_command_wins_over_settings_json_and_the_environment(postgres_database, tmp_path):
    from tests.support.sources import write_large_duckdb

    source = write_large_duckdb(tmp_path / "clinic.duckdb", 120)
    data = tmp_path / "data"
    data.mkdir()
    unreachable = "postgresql://postgres@127.0.0.1:1/nowhere"
    (data / "settings.json").write_text(json.dumps({"database_url": unreachable}), encoding="utf-8")

    def command(*words: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "desktop", *words, "--data-dir", str(data), "--database-url", postgres_database],
            cwd=ROOT, env=subprocess_env(data, IMAGING_DESK_DATABASE_URL=unreachable),
            capture_output=True, text=True, timeout=180,
        )

    imported = command("import-duckdb", str(source), "--json")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["inserted"] == 120
    assert not (data / "db.sqlite3").exists(), "the data folder's own database is not used"

    audited = command("audit", "--action", "import", "--json")
    assert audited.returncode == 0, audited.stderr
    assert str(source) in audited.stdout, "the import was recorded in the PostgreSQL database's trail"

    import psycopg

    with psycopg.connect(postgres_database) as db:
        assert db.execute("SELECT count(*) FROM study").fetchone()[0] == 120


def test_database_url_is_offered_by_every_command_that_opens_the_database():
    from desktop.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    without = {name for name, sub in subparsers.choices.items()
               if not any("--database-url" in a.option_strings for a in sub._actions)}
    # login-link and demo-data never open the database; copy-database's --to names its target.
    assert without == {"login-link", "demo-data", "copy-database"}
