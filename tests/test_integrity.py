"""The database's integrity at start and in the background (server/backups/integrity.py),
on real files; the commands' answers to a damaged database are in test_backups.py."""

import json
import os
import sqlite3
from pathlib import Path

import pytest

from server.backups import integrity
from server.backups.integrity import (
    IntegrityReport,
    integrity_at_start,
    integrity_full_check_start,
    integrity_status,
)
from server.backups.sqlitefile import CheckInterrupted, run_check
from tests.support.commands import import_cli
from tests.support.sources import source_row, write_duckdb


@pytest.fixture(scope="module")
def sound_database(tmp_path_factory) -> Path:
    """An Imaging Desk database of 20 studies, checkpointed: one file."""
    base = tmp_path_factory.mktemp("integrity")
    source = write_duckdb(base / "source.duckdb", [source_row(f"E{i:03d}") for i in range(20)])
    assert import_cli(source, base / "data").returncode == 0
    database = base / "data" / "db.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return database


@pytest.fixture
def data_dir(tmp_path, sound_database) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    with sqlite3.connect(sound_database) as src, sqlite3.connect(folder / "db.sqlite3") as dst:
        src.backup(dst)
    return folder


@pytest.fixture(autouse=True)
def _fresh_verdict(monkeypatch):
    monkeypatch.setattr(integrity, "LATEST", integrity._Latest())


def recorded_backup(folder: Path, source: Path, name: str, *, taken: str, verified=True, size=None) -> Path:
    """A backup file with its record, as backup_create leaves them (or as copied to a drive)."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    with sqlite3.connect(source) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    record = {
        "format": "imaging-desk-backup/1", "name": name, "kind": "daily", "created_at": taken,
        "size_bytes": path.stat().st_size if size is None else size, "studies": 20, "reports": 0,
        "verified": verified, "integrity": "ok" if verified else "SQLite's check found damage: ...",
    }
    Path(f"{path}.json").write_text(json.dumps(record))
    return path


def test_a_sound_database_is_ok_and_fully_checked_when_small(data_dir):
    report = integrity_at_start(data_dir=data_dir)

    assert (report.ok, report.full_check) == (True, "done")
    assert report.message == "SQLite's quick check found no damage."


def test_a_new_data_folder_starts_as_before(tmp_path):
    report = integrity_at_start(data_dir=tmp_path)

    assert (report.ok, report.full_check) == (True, "not needed")
    assert not (tmp_path / "db.sqlite3").exists()


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda p: p.write_bytes(p.read_bytes()[:8192]), "is cut short: it ends after 0.0 MB, but its header says"),
        (lambda p: p.write_bytes(b"PK\x03\x04" + os.urandom(5000)), "is not an SQLite database (5,004 bytes"),
        (lambda p: p.write_bytes(b""), "is empty (0 bytes)"),
    ],
    ids=["truncated", "not a database", "empty"],
)
def test_a_damaged_database_is_named_with_what_is_wrong_and_left_as_it_is(data_dir, damage, words):
    database = data_dir / "db.sqlite3"
    damage(database)
    before = database.read_bytes()

    report = integrity_at_start(data_dir=data_dir)

    assert not report.ok
    assert report.message.startswith(f"The database {database} ")
    assert words in report.message
    assert "Imaging Desk has not changed it, and does not start on it." in report.message
    assert "There is no good backup of it" in report.message
    assert (report.newest_good_backup, report.restore_command) == (None, None)
    assert database.read_bytes() == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["db.sqlite3"]  # no -wal, no -shm made beside it


def test_the_newest_good_backup_is_offered_never_an_unverified_or_shortened_one(data_dir, sound_database):
    folder = data_dir / "backups"
    good = recorded_backup(
        folder, sound_database, "imaging-desk-20261128-120000-daily.sqlite3", taken="2026-11-28T12:00:00"
    )
    recorded_backup(
        folder, sound_database, "imaging-desk-20261129-120000-daily.sqlite3", taken="2026-11-29T12:00:00",
        verified=False,
    )
    short = recorded_backup(
        folder, sound_database, "imaging-desk-20261130-120000-daily.sqlite3", taken="2026-11-30T12:00:00"
    )
    short.write_bytes(short.read_bytes()[:4096])
    (data_dir / "db.sqlite3").write_bytes(b"not a database any more" * 10)

    report = integrity_at_start(data_dir=data_dir)

    assert report.newest_good_backup.path == good
    assert report.restore_command == f"imaging-desk restore {good} --data-dir {data_dir}"
    assert f"The newest good backup is {good} (taken 2026-11-28 12:00, 20 studies, 0 reports)" in report.message
    assert report.restore_command in report.message


def test_a_missing_database_with_backups_is_not_ok(data_dir, sound_database):
    backup = recorded_backup(data_dir / "backups", sound_database, "imaging-desk-20261130-120000-daily.sqlite3",
                             taken="2026-11-30T12:00:00")
    (data_dir / "db.sqlite3").unlink()

    report = integrity_at_start(data_dir=data_dir)

    assert not report.ok
    assert "is missing, but this data folder has backups" in report.message
    assert report.newest_good_backup.path == backup
    assert "move the backups out of" in report.message


def test_a_check_past_its_budget_is_interrupted(tmp_path):
    big = tmp_path / "big.sqlite3"
    with sqlite3.connect(big) as db:
        db.execute("CREATE TABLE t (b BLOB)")
        db.execute("CREATE INDEX t_b ON t (b)")
        db.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) "
            "INSERT INTO t SELECT randomblob(400) FROM n"
        )  # 80 MB: its check takes longer than 5 ms, even cached
    with sqlite3.connect(big) as db:
        with pytest.raises(CheckInterrupted):
            run_check(db, pragma="quick_check", budget_s=0.005)
        assert run_check(db, pragma="quick_check", budget_s=None) is None  # the connection is still usable


def test_the_full_check_in_the_background_takes_over_the_verdict(data_dir):
    database = data_dir / "db.sqlite3"
    # The start's check was cut short (a large database) and found nothing.
    integrity.LATEST.set(IntegrityReport(ok=True, message="...", checked_at=None, full_check="pending"), data_dir)
    page_size = 4096
    with sqlite3.connect(database) as db:
        (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'study'").fetchone()
    with open(database, "r+b") as f:
        f.seek((root - 1) * page_size + 8)
        f.write(b"\xff" * 64)

    thread = integrity_full_check_start(data_dir=data_dir, delay_s=0)
    thread.join(60)

    report = integrity_status(data_dir=data_dir)
    assert not report.ok
    assert report.full_check == "done"
    assert report.message.startswith(f"The database {database} is damaged: it ")
    assert "Searches may fail or miss studies" in report.message
    assert integrity_full_check_start(data_dir=data_dir, delay_s=0) is None  # once per process
