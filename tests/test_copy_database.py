"""`imaging-desk copy-database --to URL`: a data folder's SQLite database moved into a
real PostgreSQL database, every table of it, checked by counts and checksums, and
answering every search byte for byte as the folder did."""

import json
import shutil
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import psycopg
import pytest

from server.demo import demo_data_write
from tests.support.commands import import_cli
from tests.support.paths import ROOT
from tests.support.servers import start_server, subprocess_env
from tests.support.sources import source_row, write_duckdb

pytestmark = pytest.mark.needs_postgres

# What the app answers from the records: searches with their filters, sorts and pages,
# a study's detail, full record and related studies, statistics, reports, analyses,
# the import history with its quarantine's issues, the linked file, an export.
SEARCHES = [
    "studies/search",
    "studies/search?page=3&page_size=7",
    "studies/search?q=zhang&page_size=50",
    "studies/search?q=%E6%9D%8E&page_size=50",
    "studies/search?exam_status=completed&exam_source=CT&page_size=100",
    "studies/search?exam_source=CT&exam_source=MRI&sort=patient_name_asc&page_size=100",
    "studies/search?date_from=2024-01-01&date_to=2025-06-30&patient_gender=F&sort=order_datetime_asc",
    "studies/search?patient_age_min=30&patient_age_max=60&page_size=1000",
    "studies/filters/options",
    "studies/statistics",
    "studies/statistics?exam_source=CT&patient_age_min=40",
    "studies/export?format=csv&exam_status=completed",
    "reports/search",
    "reports/search?q=nodule&page_size=100",
    "reports/search?status=final&page=2&page_size=10",
    "analysis/tasks",
    "analysis/statistics",
    "import/history",
    "import/link",
]
COPIED_TABLES = {
    "study", "report", "import_run", "import_quarantine", "import_progress", "linked_source", "analysis_task",
    "audit_entry",
}


def copy_cli(data_dir, url, *extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop", "copy-database", "--to", url, "--data-dir", str(data_dir), *extra],
        cwd=ROOT, env=subprocess_env(data_dir), capture_output=True, text=True, timeout=600,
    )


def get_bytes(server, path: str) -> bytes:
    token = (server.data_dir / "api-token").read_text().strip()
    request = urllib.request.Request(server.url + "api/v1/" + path, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        return f"{error.code} ".encode() + error.read()


def on_postgres(url: str, sql: str, params=None) -> list:
    with psycopg.connect(url) as db:
        cursor = db.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def imported_by_another_pc(tmp_path, url: str, *exam_ids: str) -> None:
    """Studies imported into the PostgreSQL database from another PC's data folder."""
    other = tmp_path / "other"
    small = write_duckdb(tmp_path / "small.duckdb", [source_row(exam_id) for exam_id in exam_ids])
    assert import_cli(small, other, env=subprocess_env(other, IMAGING_DESK_DATABASE_URL=url)).returncode == 0


def audit_uids(url: str) -> list[str]:
    return [uid for (uid,) in on_postgres(url, "SELECT uid FROM audit_entry ORDER BY id")]


@pytest.fixture(scope="module")
def clinic_folder(tmp_path_factory):
    """A data folder as a clinic has it after some use: demo studies and reports
    imported, a second import with a row quarantined, a linked file, analysis tasks
    run, an export made (each in the audit trail)."""
    base = tmp_path_factory.mktemp("clinic")
    data = base / "data"
    demo_data_write(path=base / "demo.duckdb", rows=400, seed=11)
    assert import_cli(base / "demo.duckdb", data).returncode == 0
    more = write_duckdb(base / "more.duckdb", [source_row("EXTRA1", patient_name="Zoë Ångström"), source_row(None)])
    assert import_cli(more, data).returncode == 0
    link = write_duckdb(base / "linked.duckdb", [source_row("LINKED1", exam_source="MRI")])
    linked = subprocess.run(
        [sys.executable, "-m", "desktop", "link-duckdb", str(link), "--data-dir", str(data)],
        cwd=ROOT, env=subprocess_env(data), capture_output=True, text=True, timeout=300,
    )
    assert linked.returncode == 0, linked.stderr
    server = start_server(data)
    try:
        exam_ids = [s["exam_id"] for s in server.call("GET", "studies/search?page_size=3")[1]["data"]]
        for exam_id, kind in zip(exam_ids, ["lung_nodule_detection", "turnaround_review", "lung_nodule_detection"]):
            status, task = server.call("POST", "analysis/tasks", {"exam_id": exam_id, "analysis_type": kind})
            assert status == 201, task
        for _ in range(600):
            tasks = server.call("GET", "analysis/tasks?page_size=100")[1]["data"]
            if all(t["status"] in ("completed", "failed") for t in tasks):
                break
            import time

            time.sleep(0.1)
        get_bytes(server, "studies/export?format=csv")
    finally:
        assert server.stop() == 0
    return data


@pytest.fixture
def folder(clinic_folder, tmp_path):
    """A copy of the clinic's data folder of this test's own."""
    return shutil.copytree(clinic_folder, tmp_path / "data")


def responses(data_dir, *, url: str | None = None) -> dict[str, bytes]:
    env = subprocess_env(data_dir, IMAGING_DESK_DATABASE_URL=url) if url else None
    server = start_server(data_dir, env=env)
    try:
        exam_ids = [s["exam_id"] for s in server.call("GET", "analysis/tasks")[1]["data"]]
        report_ids = [r["report_id"] for r in server.call("GET", "reports/search?page_size=3")[1]["data"]]
        paths = [
            *SEARCHES,
            *(f"studies/{exam_id}{part}" for exam_id in exam_ids for part in ("", "/full", "/related")),
            *(f"reports/{urllib.parse.quote(report_id)}" for report_id in report_ids),
            "studies/EXTRA1/full",
        ]
        return {path: get_bytes(server, path) for path in paths}
    finally:
        assert server.stop() == 0


def sqlite_rows(data_dir, sql: str) -> list:
    with sqlite3.connect(data_dir / "db.sqlite3") as db:
        return db.execute(sql).fetchall()


def test_the_copy_answers_every_search_byte_for_byte_as_the_sqlite_folder_did(folder, postgres_database):
    before = responses(folder)

    copied = copy_cli(folder, postgres_database, "--json")

    assert copied.returncode == 0, copied.stderr
    after = responses(folder, url=postgres_database)
    assert list(after) == list(before)
    for path in before:
        assert after[path] == before[path], path
    assert b'"quarantined":1' in before["import/history"] and b"LINKED1" not in before["import/link"]


def test_every_table_is_copied_with_its_rows_counted_and_checksummed_in_both_databases(folder, postgres_database):
    copied = copy_cli(folder, postgres_database, "--json")

    assert copied.returncode == 0, copied.stderr
    result = json.loads(copied.stdout)
    tables = {t["table"]: t for t in result["tables"]}
    assert set(tables) == COPIED_TABLES
    for name, table in tables.items():
        assert table["same"] and table["source_checksum"] == table["target_checksum"], name
        if name != "audit_entry":
            (rows,) = sqlite_rows(folder, f"SELECT count(*) FROM {name}")[0]
            assert table["source_rows"] == table["target_rows"] == rows, name
    assert tables["import_quarantine"]["source_rows"] == 1 and tables["analysis_task"]["source_rows"] == 3
    assert tables["linked_source"]["source_rows"] == 1 and result["verified"] is True
    assert "password" not in copied.stdout


def test_ids_are_kept_and_the_next_record_gets_the_next_id(folder, postgres_database):
    assert copy_cli(folder, postgres_database).returncode == 0

    for table in ("import_run", "import_quarantine", "analysis_task", "linked_source"):
        source_ids = [row[0] for row in sqlite_rows(folder, f"SELECT id FROM {table} ORDER BY id")]
        assert [row[0] for row in on_postgres(postgres_database, f"SELECT id FROM {table} ORDER BY id")] == source_ids
    (next_run,) = on_postgres(
        postgres_database,
        "INSERT INTO import_run (kind, state, source_path, source_sha256, started_at, error) "
        "VALUES ('import', 'done', '/x', '', now(), '') RETURNING id",
    )[0]
    assert next_run == max(row[0] for row in sqlite_rows(folder, "SELECT id FROM import_run")) + 1


def test_the_copy_prints_each_tables_counts_and_the_checksums_verdict(folder, postgres_database):
    copied = copy_cli(folder, postgres_database)

    assert copied.returncode == 0, copied.stderr
    lines = copied.stdout.splitlines()
    assert lines[0].startswith(f"Copied {folder / 'db.sqlite3'} into the PostgreSQL database ")
    (studies,) = sqlite_rows(folder, "SELECT count(*) FROM study")[0]
    study = next(line for line in lines if line.startswith("study "))
    assert f"{studies:,}" in study and study.split()[1] == study.split()[2] and study.endswith(" same")
    assert "Every table has the same rows and the same checksum of its values in both databases." in lines


def test_a_target_that_holds_studies_is_refused_unless_told_to_replace_them(folder, postgres_database, tmp_path):
    imported_by_another_pc(tmp_path, postgres_database, "OTHER1", "OTHER2")

    refused = copy_cli(folder, postgres_database)

    assert refused.returncode == 1 and refused.stdout == ""
    assert "already holds records (2 rows in study" in refused.stderr and "--replace" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert on_postgres(postgres_database, "SELECT exam_id FROM study ORDER BY exam_id") == [("OTHER1",), ("OTHER2",)]

    replaced = copy_cli(folder, postgres_database, "--replace", "--json")

    assert replaced.returncode == 0, replaced.stderr
    assert json.loads(replaced.stdout)["replaced"]["study"] == 2
    assert on_postgres(postgres_database, "SELECT count(*) FROM study WHERE exam_id LIKE %s", ["OTHER%"]) == [(0,)]
    studies = "SELECT count(*) FROM study"
    assert on_postgres(postgres_database, studies) == sqlite_rows(folder, studies)


def test_the_audit_trail_is_merged_by_uid_each_entry_once_and_the_copy_recorded(folder, postgres_database, tmp_path):
    imported_by_another_pc(tmp_path, postgres_database, "OTHER1")
    targets_own = audit_uids(postgres_database)
    sources = [uid for (uid,) in sqlite_rows(folder, "SELECT uid FROM audit_entry ORDER BY id")]

    assert copy_cli(folder, postgres_database, "--replace").returncode == 0
    assert copy_cli(folder, postgres_database, "--replace").returncode == 0

    after = audit_uids(postgres_database)
    assert len(after) == len(set(after)) == len(targets_own) + len(sources) + 2
    assert after[: len(targets_own)] == targets_own and after[len(targets_own): -2] == sources
    copies = on_postgres(postgres_database, "SELECT action, summary, details FROM audit_entry ORDER BY id DESC LIMIT 2")
    for action, summary, details in copies:
        assert action == "database" and summary.startswith(f"Copied the database {folder / 'db.sqlite3'} into this one")
        details = json.loads(details) if isinstance(details, str) else details
        assert details["what"] == "copy" and details["tables"]["study"]["rows"] > 400
    carried = on_postgres(postgres_database, "SELECT uid, action, user_name, summary FROM audit_entry "
                          "WHERE uid = ANY(%s) ORDER BY uid", [sources])
    assert carried == sqlite_rows(folder, "SELECT uid, action, user_name, summary FROM audit_entry ORDER BY uid")


def target_contents(url: str) -> dict[str, tuple]:
    """Each table's rows and an md5 of all of them, as PostgreSQL writes them."""
    return {
        table: on_postgres(url, f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {table} t")[0]
        for table in COPIED_TABLES
    }


def test_a_copy_that_fails_half_way_leaves_the_target_as_it_was(folder, postgres_database):
    assert copy_cli(folder, postgres_database).returncode == 0
    before = target_contents(postgres_database)
    with sqlite3.connect(folder / "db.sqlite3") as db:  # a text PostgreSQL cannot store, in the last table copied
        db.execute("UPDATE report SET findings = ? WHERE report_id = (SELECT max(report_id) FROM report)", ["a\x00b"])

    failed = copy_cli(folder, postgres_database, "--replace")

    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert "The copy failed at the table report: PostgreSQL refused its rows" in failed.stderr
    assert "Nothing was changed in the PostgreSQL database" in failed.stderr
    assert target_contents(postgres_database) == before


def test_a_value_that_postgresql_keeps_otherwise_undoes_the_copy_and_says_which_table(folder, postgres_database):
    assert copy_cli(folder, postgres_database).returncode == 0
    before = target_contents(postgres_database)
    with sqlite3.connect(folder / "db.sqlite3") as db:  # a time with an offset: PostgreSQL shifts it to UTC
        db.execute("UPDATE import_run SET started_at = '2025-01-01 08:00:00+08:00'")

    undone = copy_cli(folder, postgres_database, "--replace")

    assert undone.returncode == 1 and "Traceback" not in undone.stderr
    assert "The copy was not kept: after copying, the values of the table import_run differ" in undone.stderr
    assert target_contents(postgres_database) == before


def test_a_copy_is_refused_while_an_import_runs_on_the_data_folder(folder, postgres_database):
    fcntl = pytest.importorskip("fcntl", reason="the import's lock is taken here as on Linux and macOS")
    with open(folder / "import.lock", "a+") as lock:  # what a running import holds
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        refused = copy_cli(folder, postgres_database)

    assert refused.returncode == 1
    assert "an import is running on" in refused.stderr and "copy it when the import has finished" in refused.stderr
    assert on_postgres(postgres_database, "SELECT count(*) FROM pg_tables WHERE tablename = 'study'") == [(0,)]


def test_an_unreachable_target_is_named_in_words_and_never_its_password(folder):
    refused = copy_cli(folder, "postgresql://clinic:s3cret-Pw@127.0.0.1:1/imaging")

    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "Nothing was copied: PostgreSQL at 127.0.0.1:1 cannot be reached" in refused.stderr
    assert "s3cret-Pw" not in refused.stderr + refused.stdout


def test_a_missing_database_is_named_in_words(folder, postgres_database):
    refused = copy_cli(folder, postgres_database + "_missing")

    assert refused.returncode == 1
    assert f"has no database {postgres_database.rsplit('/', 1)[1]}_missing" in refused.stderr


def test_a_missing_or_damaged_source_is_refused_and_the_target_untouched(folder, postgres_database, tmp_path):
    missing = copy_cli(tmp_path / "empty", postgres_database)
    database = folder / "db.sqlite3"
    for suffix in ("-wal", "-shm"):
        (folder / f"db.sqlite3{suffix}").unlink(missing_ok=True)
    database.write_bytes(database.read_bytes()[: 4096 * 3])
    damaged = copy_cli(folder, postgres_database)

    assert missing.returncode == 1 and "there is no database to copy" in missing.stderr
    assert damaged.returncode == 1 and f"the database {database} is damaged" in damaged.stderr
    assert "Traceback" not in missing.stderr + damaged.stderr
    assert on_postgres(postgres_database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_a_data_folder_from_another_version_is_refused_before_the_target_is_touched(folder, postgres_database):
    with sqlite3.connect(folder / "db.sqlite3") as db:
        db.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('studies', '9999_next', '2030-01-01')")
    newer = copy_cli(folder, postgres_database)
    with sqlite3.connect(folder / "db.sqlite3") as db:
        db.execute("DELETE FROM django_migrations WHERE app = 'studies' AND name IN ('9999_next', '0004_search_index')")
    older = copy_cli(folder, postgres_database)

    assert newer.returncode == 1 and "the database was set up by a newer version of Imaging Desk" in newer.stderr
    assert older.returncode == 1 and "from an older version of Imaging Desk: start the app" in older.stderr
    assert on_postgres(postgres_database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_a_target_that_a_newer_version_set_up_is_refused(folder, postgres_database):
    assert copy_cli(folder, postgres_database).returncode == 0
    on_postgres(postgres_database, "INSERT INTO django_migrations (app, name, applied) "
                                   "VALUES ('studies', '9999_from_the_future', now())")

    refused = copy_cli(folder, postgres_database, "--replace")

    assert refused.returncode == 1
    assert "was set up by a newer version of Imaging Desk" in refused.stderr and "studies.9999" in refused.stderr


def test_a_target_that_is_not_postgresql_is_refused_in_words(folder):
    refused = copy_cli(folder, "mysql://clinic@db-server/imaging")

    assert refused.returncode == 1 and "use postgresql://" in refused.stderr and "Traceback" not in refused.stderr


def test_the_tables_copied_are_every_model_of_the_apps_and_none_of_the_derived_ones():
    from django.apps import apps

    from server.copying import copied_models

    tables = [model._meta.db_table for model in copied_models()]
    own = {m._meta.db_table for m in apps.get_models() if m.__module__.startswith("server.") and m._meta.managed}
    assert set(tables) == own
    assert not {"study_rollup", "stats_matched_study", "study_text_index", "study_char_count"} & set(tables)
    assert tables.index("study") < tables.index("analysis_task")
    assert tables.index("import_run") < min(tables.index("import_quarantine"), tables.index("linked_source"))


def test_the_copy_is_a_snapshot_taken_while_the_app_on_the_folder_goes_on_searching(folder, postgres_database):
    import threading

    server = start_server(folder)
    answered, stop = [], threading.Event()

    def search():
        while not stop.is_set():
            answered.append(server.call("GET", "studies/search?q=a&page_size=50")[0])

    searching = threading.Thread(target=search)
    searching.start()
    try:
        copied = copy_cli(folder, postgres_database, "--json")
    finally:
        stop.set()
        searching.join()
        assert server.stop() == 0

    assert copied.returncode == 0, copied.stderr
    assert json.loads(copied.stdout)["verified"] is True
    assert answered and set(answered) == {200}


def test_a_target_that_another_pc_imports_into_is_refused(folder, postgres_database):
    from server.imports.locking import POSTGRES_LOCK_KEY

    with psycopg.connect(postgres_database, autocommit=True) as importing:  # what an import holds
        importing.execute("SELECT pg_advisory_lock(%s)", [POSTGRES_LOCK_KEY])
        refused = copy_cli(folder, postgres_database)

    assert refused.returncode == 1
    assert "Nothing was copied: Another import is running on this database" in refused.stderr
    assert on_postgres(postgres_database, "SELECT count(*) FROM study") == [(0,)]


def test_the_checksum_is_the_same_for_the_same_rows_in_any_order_and_differs_for_any_other_value():
    import datetime as dt

    from server.copying import Checksum

    rows = [("E1", dt.datetime(2025, 1, 1, 8, 0, 0, 250000), 1.5, None, {"b": 1, "a": 2}), ("E2", None, 0.1, "x", {})]

    def checksum(rows) -> str:
        summed = Checksum()
        for row in rows:
            summed.add(row)
        return summed.hex

    assert checksum(rows) == checksum(rows[::-1])
    assert checksum(rows) != checksum([rows[0], ("E2", None, 0.1, "x ", {})])
    assert checksum(rows) != checksum([("E1", dt.datetime(2025, 1, 1, 8, 0, 0, 250001), 1.5, None, {"b": 1, "a": 2}),
                                       rows[1]])
    assert checksum(rows) != checksum([("E1", rows[0][1], 1.5, None, {"a": 2, "b": 1}), rows[1]])  # key order counts
    assert checksum(rows) != checksum([rows[0], ("E2", None, 0.1, "None", {})])
