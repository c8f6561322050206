"""The README's guide to a clinic's PostgreSQL server, followed as written: its SQL
sets up a user with no rights beyond its own database, and that is enough."""

import json
import re
import subprocess
import sys
import uuid

from tests.support.paths import ROOT
from tests.support.servers import subprocess_env
from tests.support.sources import write_large_duckdb

README = (ROOT / "README.md").read_text(encoding="utf-8")


def guide_sql() -> str:
    guide = README.split("## A clinic's PostgreSQL server", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```sql\n(.*?)```", guide, re.S).group(1)


def test_the_guides_least_rights_user_can_set_up_import_and_search(postgres_database, tmp_path):
    import psycopg

    suffix = uuid.uuid4().hex[:8]
    role, database = f"imaging_desk_{suffix}", f"imaging_desk_guide_{suffix}"
    sql = guide_sql().replace("imaging_desk", role).replace(f"DATABASE {role}", f"DATABASE {database}")
    sql = sql.replace(f"\\c {role}", f"\\c {database}")
    before, after = sql.split(f"\\c {database}")
    admin_url = postgres_database.rsplit("/", 1)[0]
    try:
        with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as admin:
            for statement in filter(str.strip, before.split(";")):
                admin.execute(statement)
        with psycopg.connect(f"{admin_url}/{database}", autocommit=True) as admin:
            for statement in filter(str.strip, re.sub(r"--.*", "", after).split(";")):
                admin.execute(statement)

        url = f"postgresql://{role}@{admin_url.rsplit('@', 1)[1]}/{database}"
        data = tmp_path / "pc"
        source = write_large_duckdb(tmp_path / "clinic.duckdb", 200)
        imported = subprocess.run(
            [sys.executable, "-m", "desktop", "import-duckdb", str(source), "--json", "--data-dir", str(data),
             "--database-url", url],
            cwd=ROOT, env=subprocess_env(data), capture_output=True, text=True, timeout=300,
        )
        assert imported.returncode == 0, imported.stderr
        assert json.loads(imported.stdout)["inserted"] == 200
        with psycopg.connect(url) as desk:
            assert desk.execute("SELECT count(*) FROM study").fetchone()[0] == 200
            rights = desk.execute(
                "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user"
            )
            assert rights.fetchone() == (False, False, False), "the user has no right beyond its database"
    finally:
        with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')
