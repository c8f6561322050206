"""`imaging-desk backup` and `imaging-desk restore` as a user runs them: real
subprocesses on real data folders."""

import hashlib
import json
import resource
import shlex
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.support.commands import import_cli
from tests.support.paths import ROOT
from tests.support.servers import start_server, subprocess_env
from tests.support.sources import REPORT_COLUMNS, add_table, report_row, source_row, write_duckdb, write_large_duckdb


def cli(*args: str, data_dir: Path, timeout: float = 180, preexec_fn=None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args, "--data-dir", str(data_dir)],
        cwd=ROOT, env=subprocess_env(data_dir, **env), capture_output=True, text=True, timeout=timeout,
        preexec_fn=preexec_fn, stdin=subprocess.DEVNULL,
    )


def source_file(path: Path, *, studies: int, name: str = "Patient", first: int = 0) -> Path:
    rows = [source_row(f"E{i:05d}", patient_name=f"{name} {i}") for i in range(first, first + studies)]
    write_duckdb(path, rows)
    reports = [
        report_row(f"R{i:05d}", f"E{i:05d}", findings=f"{name} findings {i}") for i in range(first, first + studies, 2)
    ]
    return add_table(path, "reports", REPORT_COLUMNS, reports)


def imported(tmp_path: Path, *, studies: int = 40) -> Path:
    """A data folder whose database holds `studies` studies and half as many reports."""
    data_dir = tmp_path / "data"
    result = import_cli(source_file(tmp_path / "first.duckdb", studies=studies), data_dir)
    assert result.returncode == 0, result.stderr
    return data_dir


def rows(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True) as db:
        return db.execute(sql).fetchall()


STUDY_VALUES = "SELECT exam_id, patient_name, exam_status, order_datetime FROM study ORDER BY exam_id"
REPORT_VALUES = "SELECT report_id, exam_id, findings FROM report ORDER BY report_id"


def counts(database: Path) -> dict:
    return {
        "studies": rows(database, "SELECT count(*) FROM study")[0][0],
        "reports": rows(database, "SELECT count(*) FROM report")[0][0],
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def backup_json(data_dir: Path, *extra: str) -> dict:
    result = cli("backup", "--json", *extra, data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def every_file(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- backup --------------------------------------------------------------------------


def test_a_backup_is_a_verified_snapshot_with_its_record_beside_it(tmp_path):
    data_dir = imported(tmp_path)

    info = backup_json(data_dir)

    backup = Path(info["path"])
    assert backup.parent == data_dir / "backups"
    assert list(info) == [
        "name", "path", "kind", "created_at", "size_bytes", "studies", "reports", "verified", "integrity",
    ]
    assert (info["kind"], info["studies"], info["reports"], info["verified"], info["integrity"]) == (
        "manual", 40, 20, True, "ok",
    )
    assert info["size_bytes"] == backup.stat().st_size
    assert rows(backup, "PRAGMA integrity_check") == [("ok",)]
    assert counts(backup) == {"studies": 40, "reports": 20}
    assert rows(backup, "PRAGMA journal_mode") == [("delete",)]  # one file, no -wal beside it
    assert backup.stat().st_mode & 0o077 == 0  # patient data: readable by its owner only
    record = json.loads(Path(f"{backup}.json").read_text())
    assert {k: record[k] for k in ("kind", "studies", "reports", "size_bytes", "verified", "integrity")} == {
        "kind": "manual", "studies": 40, "reports": 20, "size_bytes": info["size_bytes"], "verified": True,
        "integrity": "ok",
    }
    recorded = rows(data_dir / "db.sqlite3", "SELECT details FROM audit_entry WHERE action = 'backup'")
    assert [json.loads(d)["path"] for (d,) in recorded] == [str(backup)]


def test_a_backup_goes_to_the_folder_named_by_to(tmp_path):
    data_dir = imported(tmp_path)
    usb = tmp_path / "usb"
    usb.mkdir()

    info = backup_json(data_dir, "--to", str(usb / "imaging-backups"))

    assert Path(info["path"]).parent == usb / "imaging-backups"
    assert every_file(usb / "imaging-backups") == [info["name"], info["name"] + ".json"]


def test_the_backup_folder_setting_chooses_where_backups_go(tmp_path):
    data_dir = imported(tmp_path)
    (data_dir / "settings.json").write_text(json.dumps({"backup_folder": "kept-here"}))

    in_settings = backup_json(data_dir)
    result = cli("backup", "--json", data_dir=data_dir, IMAGING_DESK_BACKUP_FOLDER=str(tmp_path / "share"))

    assert Path(in_settings["path"]).parent == data_dir / "kept-here"  # relative: inside the data folder
    assert result.returncode == 0, result.stderr
    assert Path(json.loads(result.stdout)["path"]).parent == tmp_path / "share"  # the variable wins
    unplugged = cli("backup", data_dir=data_dir, IMAGING_DESK_BACKUP_FOLDER=str(tmp_path / "usb" / "backups"))
    assert unplugged.returncode == 1
    assert f"The backup folder {tmp_path / 'usb' / 'backups'} does not exist" in unplugged.stderr


@pytest.mark.parametrize(
    ("to", "words"),
    [
        ("missing-drive/a/b", "does not exist, and neither does"),
        ("a-file", "is a file, not a folder"),
    ],
)
def test_a_backup_to_a_folder_that_cannot_take_it_says_why(tmp_path, to, words):
    data_dir = imported(tmp_path)
    (tmp_path / "a-file").write_text("not a folder")

    result = cli("backup", "--to", str(tmp_path / to), data_dir=data_dir)

    assert result.returncode == 1
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def _file_size_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), no signal kills
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_file_size_limit_makes_a_backup_fail_cleanly_with_the_database_unchanged(tmp_path):
    data_dir = imported(tmp_path, studies=400)
    database = data_dir / "db.sqlite3"
    rows(database, "PRAGMA wal_checkpoint")  # nothing left for this test's own reads to change
    before, values = sha256(database), rows(database, STUDY_VALUES)
    limit = database.stat().st_size // 3

    result = cli("backup", data_dir=data_dir, preexec_fn=_file_size_limit(limit))

    assert result.returncode == 1
    assert f"The backup folder {data_dir / 'backups'} is full" in result.stderr
    assert "needed about" in result.stderr and "Nothing of the backup was kept" in result.stderr
    assert "Traceback" not in result.stderr
    assert every_file(data_dir / "backups") == []  # no partial file, no record
    assert sha256(database) == before
    assert rows(database, STUDY_VALUES) == values
    assert rows(database, "SELECT count(*) FROM audit_entry WHERE action = 'backup'") == [(0,)]


def test_a_backup_of_a_data_folder_without_a_database_creates_none(tmp_path):
    result = cli("backup", data_dir=tmp_path / "data")

    assert result.returncode == 1
    assert "There is no database to back up yet" in result.stderr
    assert not (tmp_path / "data" / "db.sqlite3").exists()


# --- restore -------------------------------------------------------------------------


def test_a_restore_round_trip_brings_back_the_counts_and_the_values(tmp_path):
    data_dir = imported(tmp_path)
    database = data_dir / "db.sqlite3"
    studies, reports = rows(database, STUDY_VALUES), rows(database, REPORT_VALUES)
    backup = backup_json(data_dir)
    # Then the data changes: every name rewritten, 25 studies more.
    changed = import_cli(source_file(tmp_path / "second.duckdb", studies=65, name="Changed"), data_dir)
    assert changed.returncode == 0, changed.stderr
    assert counts(database) == {"studies": 65, "reports": 33}

    result = cli("restore", backup["path"], "--yes", "--json", data_dir=data_dir)

    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["before"] == {"studies": 65, "reports": 33}
    assert outcome["after"] == {"studies": 40, "reports": 20}
    assert rows(database, STUDY_VALUES) == studies
    assert rows(database, REPORT_VALUES) == reports
    assert rows(database, "PRAGMA integrity_check") == [("ok",)]
    # The replaced database is kept as a before-restore backup, whole.
    kept = Path(outcome["kept"]["path"])
    assert outcome["kept"]["kind"] == "before-restore" and kept.parent == data_dir / "backups"
    assert counts(kept) == {"studies": 65, "reports": 33}
    assert rows(kept, "SELECT count(*) FROM study WHERE patient_name LIKE 'Changed %'") == [(65,)]
    # The audit trail lost nothing: the second import (after the backup) is carried over, and the restore is recorded.
    actions = [a for (a,) in rows(database, "SELECT action FROM audit_entry ORDER BY id")]
    assert actions == ["import", "backup", "import", "restore"]
    assert outcome["audit_entries_carried"] >= 2
    uids = [u for (u,) in rows(database, "SELECT uid FROM audit_entry")]
    assert len(uids) == len(set(uids))


def test_a_restore_replaces_no_data_through_a_stale_write_ahead_log(tmp_path):
    data_dir = imported(tmp_path)
    database = data_dir / "db.sqlite3"
    backup = backup_json(data_dir)
    # Changes still in the write-ahead log, not checkpointed into the file.
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_autocheckpoint=0")
        db.execute("UPDATE study SET patient_name = 'In the WAL only'")
        held_open = sqlite3.connect(database)  # keeps the WAL from being checkpointed on close
        held_open.execute("SELECT count(*) FROM study").fetchone()
    assert Path(f"{database}-wal").stat().st_size > 0
    held_open.close()

    result = cli("restore", backup["path"], "--yes", data_dir=data_dir)

    assert result.returncode == 0, result.stderr
    assert rows(database, "SELECT count(*) FROM study WHERE patient_name = 'In the WAL only'") == [(0,)]
    assert rows(database, "PRAGMA integrity_check") == [("ok",)]


def test_a_restore_says_its_four_steps(tmp_path):
    data_dir = imported(tmp_path)
    backup = backup_json(data_dir)

    result = cli("restore", backup["path"], "--yes", data_dir=data_dir)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"1. Verified {backup['path']}: 40 studies, 20 reports")
    assert lines[1].startswith("2. Kept the current database as ")
    assert lines[2].startswith(f"3. Replaced the database in {data_dir}")
    assert lines[3] == "4. Before: 40 studies, 20 reports. After: 40 studies, 20 reports."


def test_a_restore_asks_first_and_refuses_without_a_terminal_or_yes(tmp_path):
    data_dir = imported(tmp_path)
    backup = backup_json(data_dir)
    database = data_dir / "db.sqlite3"
    before = sha256(database)

    result = cli("restore", backup["path"], data_dir=data_dir)

    assert result.returncode == 1
    assert "add --yes" in result.stderr
    assert sha256(database) == before


def test_a_restore_refuses_while_a_server_runs_on_the_data_folder(tmp_path):
    data_dir = imported(tmp_path)
    backup = backup_json(data_dir)
    server = start_server(data_dir)
    try:
        result = cli("restore", backup["path"], "--yes", data_dir=data_dir)
    finally:
        server.stop()

    assert result.returncode == 1
    assert "Imaging Desk is running on this data folder" in result.stderr
    assert "Nothing was changed" in result.stderr
    assert [f for f in every_file(data_dir / "backups") if "before-restore" in f] == []


def test_a_restore_refuses_while_the_window_holds_the_data_folder(tmp_path):
    data_dir = imported(tmp_path)
    backup = backup_json(data_dir)
    window = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (data_dir / "window.lock").write_text(json.dumps({"pid": window.pid, "port": 1, "secret": "x"}))
        result = cli("restore", backup["path"], "--yes", data_dir=data_dir)
    finally:
        window.kill()
        window.wait()

    assert result.returncode == 1
    assert "The Imaging Desk window is open on this data folder" in result.stderr


def test_a_restore_refuses_while_an_import_runs(tmp_path):
    import fcntl

    data_dir = imported(tmp_path)
    backup = backup_json(data_dir)
    with open(data_dir / "import.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a running import holds it
        result = cli("restore", backup["path"], "--yes", data_dir=data_dir)

    assert result.returncode == 1
    assert "An import is running on this data folder" in result.stderr


def test_a_postgresql_dump_is_refused_by_a_restore_on_sqlite(tmp_path):
    data_dir = imported(tmp_path)
    dump = tmp_path / "imaging-desk-20261201-120000-manual.dump"
    dump.write_bytes(b"PGDMP")

    result = cli("restore", str(dump), "--yes", data_dir=data_dir)

    assert result.returncode == 1
    assert "is a PostgreSQL dump" in result.stderr
    assert not (data_dir / "backups").exists()


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda p: p.write_bytes(b"just some bytes, not a database" * 100), "is not an SQLite database"),
        (lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]), "is cut short"),
        (lambda p: p.unlink(), "does not exist"),
    ],
    ids=["not a database", "truncated", "missing"],
)
def test_a_restore_refuses_a_file_that_is_not_a_sound_backup(tmp_path, damage, words):
    data_dir = imported(tmp_path)
    backup = Path(backup_json(data_dir)["path"])
    damage(backup)
    database = data_dir / "db.sqlite3"
    before = rows(database, STUDY_VALUES)

    result = cli("restore", str(backup), "--yes", data_dir=data_dir)

    assert result.returncode == 1
    assert words in result.stderr
    assert rows(database, STUDY_VALUES) == before
    assert [f for f in every_file(data_dir / "backups") if "before-restore" in f] == []


def test_a_restore_refuses_a_backup_a_newer_version_took(tmp_path):
    data_dir = imported(tmp_path)
    backup = Path(backup_json(data_dir)["path"])
    with sqlite3.connect(backup) as db:
        db.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('audit', '0042_later', '2027-01-01')")
    database = data_dir / "db.sqlite3"
    before = rows(database, STUDY_VALUES)

    result = cli("restore", str(backup), "--yes", data_dir=data_dir)

    assert result.returncode == 1
    assert f"{backup} was taken by a newer version of Imaging Desk: it has 1 change of its tables" in result.stderr
    assert "(audit.0042_later). Install the newer version to restore it; nothing was changed" in result.stderr
    assert rows(database, STUDY_VALUES) == before
    assert [f for f in every_file(data_dir / "backups") if "before-restore" in f] == []


# --- integrity at start --------------------------------------------------------------


def serve_refused(data_dir: Path) -> subprocess.CompletedProcess:
    return cli("serve", "--port", "0", data_dir=data_dir, timeout=60)


def test_a_database_truncated_before_start_gives_the_words_and_the_backup_offer(tmp_path):
    data_dir = imported(tmp_path)
    backup = backup_json(data_dir)
    database = data_dir / "db.sqlite3"
    rows(database, "PRAGMA wal_checkpoint(TRUNCATE)")
    database.write_bytes(database.read_bytes()[: database.stat().st_size // 2])
    damaged = sha256(database)

    result = serve_refused(data_dir)

    assert result.returncode == 1
    said = result.stderr
    assert f"The database {database} is damaged: it is cut short" in said
    assert f"The newest good backup is {backup['path']}" in said
    command = f"imaging-desk restore {shlex.quote(backup['path'])} --data-dir {shlex.quote(str(data_dir))}"
    assert command in said
    assert "Traceback" not in said
    assert sha256(database) == damaged  # never overwritten, never replaced by an empty one

    # The command it gives restores the backup, and keeps the damaged file.
    restored = cli(*shlex.split(command)[1:-2], "--yes", data_dir=data_dir)
    assert restored.returncode == 0, restored.stderr
    assert counts(database) == {"studies": 40, "reports": 20}
    kept = [p for p in (data_dir / "backups").glob("*before-restore.sqlite3")]
    assert [sha256(p) for p in kept] == [damaged]
    server = start_server(data_dir)
    server.stop()


def test_a_database_damaged_inside_is_found_at_start(tmp_path):
    data_dir = imported(tmp_path)
    database = data_dir / "db.sqlite3"
    rows(database, "PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = rows(database, "PRAGMA page_size")[0][0]
    (root_page,) = rows(database, "SELECT rootpage FROM sqlite_master WHERE name = 'study'")[0]
    with open(database, "r+b") as f:  # scribble over the studies' root page
        f.seek((root_page - 1) * page_size + 8)
        f.write(b"\xff" * 200)

    result = serve_refused(data_dir)

    assert result.returncode == 1
    assert f"The database {database} is damaged" in result.stderr
    assert "There is no good backup of it" in result.stderr  # and it says so, rather than offering none silently


def test_a_missing_database_with_backups_does_not_start_empty(tmp_path):
    data_dir = imported(tmp_path)
    backup = backup_json(data_dir)
    for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"):
        (data_dir / name).unlink(missing_ok=True)

    result = serve_refused(data_dir)

    assert result.returncode == 1
    assert f"The database {data_dir / 'db.sqlite3'} is missing, but this data folder has backups" in result.stderr
    assert f"The newest good backup is {backup['path']}" in result.stderr
    assert not (data_dir / "db.sqlite3").exists()


@pytest.mark.parametrize("command", ["import-duckdb", "link-duckdb"])
def test_nothing_is_imported_into_a_damaged_database_nor_in_place_of_a_missing_one(tmp_path, command):
    data_dir = imported(tmp_path)
    backup = backup_json(data_dir)
    database = data_dir / "db.sqlite3"
    more = source_file(tmp_path / "more.duckdb", studies=5, first=1_000)
    rows(database, "PRAGMA wal_checkpoint(TRUNCATE)")
    database.write_bytes(database.read_bytes()[: database.stat().st_size // 2])
    damaged = sha256(database)

    result = cli(command, str(more), data_dir=data_dir)

    assert result.returncode == 1
    assert f"imaging-desk: nothing was imported. The database {database} is damaged: it is cut short" in result.stderr
    assert f"The newest good backup is {backup['path']}" in result.stderr
    assert "Traceback" not in result.stderr
    assert sha256(database) == damaged

    for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"):
        (data_dir / name).unlink(missing_ok=True)
    result = cli(command, str(more), data_dir=data_dir)

    assert result.returncode == 1
    assert f"The database {database} is missing, but this data folder has backups" in result.stderr
    assert not database.exists()


# --- a backup during an import, while people search ------------------------------------


def test_a_backup_during_an_import_while_five_clients_search_holds_the_before_or_the_after(tmp_path):
    data_dir = tmp_path / "data"
    assert import_cli(write_large_duckdb(tmp_path / "base.duckdb", 2_000), data_dir).returncode == 0
    big = write_large_duckdb(tmp_path / "more.duckdb", 60_000, offset=2_000)
    server = start_server(data_dir)
    stop, failures, searches = threading.Event(), [], []

    def search(n: int) -> None:
        while not stop.is_set():
            try:
                status, body = server.call("GET", f"studies/search?q=Patient+{n}&page_size=5")
            except OSError as exc:
                status, body = None, repr(exc)
            (searches if status == 200 else failures).append((status, body))

    clients = [threading.Thread(target=search, args=(n,)) for n in range(5)]
    try:
        status, job = server.call("POST", "import/duckdb", {"path": str(big)})
        assert status == 202, job
        deadline = time.monotonic() + 120
        while True:
            status, state = server.call("GET", f"import/jobs/{job['job_id']}")
            if state["state"] == "running" and state["rows_done"] > 0:
                break
            assert state["state"] in ("queued", "running") and time.monotonic() < deadline, state
            time.sleep(0.05)
        for client in clients:
            client.start()

        status, backup_job = server.call("POST", "backups", {"to": None})
        assert status == 202, backup_job
        while backup_job["status"] == "running":
            time.sleep(0.05)
            status, backup_job = server.call("GET", f"backups/jobs/{backup_job['job_id']}")
        _, import_state = server.call("GET", f"import/jobs/{job['job_id']}")
        final, _ = server.wait_for_job(job["job_id"], timeout=300)
        stop.set()
        after_import = wait_for_backup(server, kind="after-import")
    finally:
        stop.set()
        for client in clients:
            if client.is_alive():
                client.join()
        server.stop()

    assert backup_job["status"] == "done", backup_job
    assert final["state"] == "done", final
    assert failures == [] and len(searches) >= 5
    backup = Path(backup_job["backup"]["path"])
    assert rows(backup, "PRAGMA integrity_check") == [("ok",)]
    studies = counts(backup)["studies"]
    assert studies in (2_000, 62_000)
    if import_state["state"] == "running":  # the import was still under way when the backup was done
        assert studies == 2_000
    assert backup_job["backup"]["studies"] == studies
    # And the import, which changed data, is followed by a backup of its after state.
    assert (after_import["studies"], after_import["verified"]) == (62_000, True)
    assert counts(Path(after_import["path"]))["studies"] == 62_000


def wait_for_backup(server, *, kind: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, listing = server.call("GET", "backups")
        assert status == 200, listing
        found = [b for b in listing["backups"] if b["kind"] == kind]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no {kind} backup appeared: {listing}")
