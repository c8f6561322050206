"""`imaging-desk backup` on a shared PostgreSQL database: pg_dump when it is on PATH,
else the words that say how to back the server up."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.commands import import_cli
from tests.support.paths import ROOT
from tests.support.servers import subprocess_env
from tests.support.skips import require
from tests.support.sources import source_row, write_duckdb


def on_postgres(*args: str, data_dir: Path, url: str, path: str | None = None) -> subprocess.CompletedProcess:
    env = subprocess_env(data_dir, IMAGING_DESK_DATABASE_URL=url)
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args, "--data-dir", str(data_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )


def with_password(url: str, password: str) -> str:
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:{password}@{host}"


def test_on_postgresql_a_backup_is_a_pg_dump_of_one_snapshot(postgres_database, tmp_path):
    require(shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None,
            "PostgreSQL's client tools (pg_dump, pg_restore) are not installed")
    data_dir = tmp_path / "data"
    source = write_duckdb(tmp_path / "source.duckdb", [source_row(f"E{i}") for i in range(3)])
    imported = import_cli(source, data_dir, env=subprocess_env(data_dir, IMAGING_DESK_DATABASE_URL=postgres_database))
    assert imported.returncode == 0, imported.stderr

    result = on_postgres("backup", "--json", data_dir=data_dir, url=postgres_database)

    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    dump = Path(info["path"])
    assert dump.parent == data_dir / "backups" and dump.suffix == ".dump"
    assert (info["kind"], info["studies"], info["reports"], info["verified"]) == ("manual", 3, 0, True)
    contents = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=True).stdout
    assert "TABLE DATA public study" in contents
    assert json.loads(Path(f"{dump}.json").read_text())["database"] == "postgresql"


def test_on_postgresql_without_pg_dump_the_backup_says_how_never_the_password(postgres_database, tmp_path):
    empty = tmp_path / "no-tools"
    empty.mkdir()
    url = with_password(postgres_database, "s3cret-Pw")
    name = postgres_database.rsplit("/", 1)[1]

    result = on_postgres("backup", data_dir=tmp_path / "data", url=url, path=str(empty))

    assert result.returncode == 1
    said = result.stderr
    assert "pg_dump (PostgreSQL's backup tool) is not installed on this PC" in said
    assert f'To back up the shared PostgreSQL database "{name}" on 127.0.0.1:5432' in said
    assert f"pg_dump --format=custom --host=127.0.0.1 --port=5432 --username=postgres --dbname={name}" in said
    assert "s3cret" not in said + result.stdout
    assert not list((tmp_path / "data").glob("backups/*"))


def test_on_postgresql_a_restore_says_it_is_done_with_pg_restore(postgres_database, tmp_path):
    backup = tmp_path / "imaging-desk-20261201-120000-manual.dump"
    backup.write_bytes(b"PGDMP")

    result = on_postgres("restore", str(backup), "--yes", data_dir=tmp_path / "data", url=postgres_database)

    assert result.returncode == 1
    assert "A PostgreSQL database is restored on its server, with pg_restore" in result.stderr
