import json
import subprocess
import sys

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
        ("postgresql://postgres@127.0.0.1:1/nowhere", "cannot open the database"),
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
