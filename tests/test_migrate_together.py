"""Starting on a database: several PCs at once on a new PostgreSQL database, and a
database that a newer version of Imaging Desk has set up (server/serving.py migrate)."""

import sqlite3
import subprocess
import sys

import psycopg

from server import __version__
from tests.support.commands import import_cli
from tests.support.paths import ROOT
from tests.support.servers import subprocess_env
from tests.support.sources import source_row, write_duckdb


def started_import(path, data_dir, url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "desktop", "import-duckdb", str(path), "--data-dir", str(data_dir)],
        cwd=ROOT, env=subprocess_env(data_dir, IMAGING_DESK_DATABASE_URL=url),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_two_pcs_importing_at_once_into_a_new_postgresql_database_neither_crashes_nor_interleaves(
    postgres_database, tmp_path
):
    prefixes = {"first": "A", "second": "B"}
    sources = {
        name: write_duckdb(tmp_path / f"{name}.duckdb", [source_row(f"{prefix}{i:05d}") for i in range(3_000)])
        for name, prefix in prefixes.items()
    }
    # Two PCs: each its own data folder, one database.
    running = {name: started_import(path, tmp_path / name, postgres_database) for name, path in sources.items()}
    ended = {name: (p.wait(timeout=300), *p.communicate()) for name, p in running.items()}

    for name, (code, out, err) in ended.items():
        assert "Traceback" not in err and "duplicate key" not in err, (name, err)
        assert code == 0 or "Another import is running on this database" in err, (name, code, err)
    imported = [name for name, (code, _, _) in ended.items() if code == 0]
    assert imported, ended
    with psycopg.connect(postgres_database) as db:
        ids = [row[0] for row in db.execute("SELECT exam_id FROM study ORDER BY exam_id")]
        migrations = db.execute("SELECT count(*), count(DISTINCT (app, name)) FROM django_migrations").fetchone()
    assert ids == sorted(f"{prefixes[name]}{i:05d}" for name in imported for i in range(3_000))
    assert migrations[0] == migrations[1]  # each migration applied once


def test_a_database_set_up_by_a_newer_version_is_refused_in_words_and_left_as_it_is(tmp_path):
    data_dir = tmp_path / "data"
    source = write_duckdb(tmp_path / "s.duckdb", [source_row("E00001")])
    assert import_cli(source, data_dir).returncode == 0
    database = data_dir / "db.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('studies', '9001_from_the_future', '2027-01-01')"
        )

    def schema():
        with sqlite3.connect(database) as db:
            return (db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall(),
                    db.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall())

    before = schema()

    for command in (["serve", "--port", "0"], ["import-duckdb", str(source)]):
        result = subprocess.run(
            [sys.executable, "-m", "desktop", *command, "--data-dir", str(data_dir)],
            cwd=ROOT, env=subprocess_env(data_dir), capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert (
            f"The database {database} was set up by a newer version of Imaging Desk: it has 1 change of its tables "
            f"that this version ({__version__}) does not know (studies.9001_from_the_future). "
            "Install the newer version on this PC; nothing was changed."
        ) in result.stderr
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM study").fetchone() == (1,)
    assert schema() == before
