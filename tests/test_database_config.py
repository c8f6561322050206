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


@pytest.mark.parametrize(
    "url,message",
    [("mysql://x/db", "unsupported database URL scheme"), ("postgresql://host/", "names no database")],
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
