"""server/backups/services.py in this process, on real files: what the commands'
tests cannot arrange (a disk that reports too little room, a record that disagrees)."""

import json
import shutil
import sqlite3
from collections import namedtuple
from pathlib import Path

import pytest

from server.backups import services
from server.backups.errors import BackupFailed, BackupInvalid
from server.backups.services import backup_create, backup_list, backup_verify
from tests.support.commands import import_cli
from tests.support.sources import source_row, write_duckdb


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("services")
    source = write_duckdb(base / "source.duckdb", [source_row(f"E{i:03d}") for i in range(12)])
    assert import_cli(source, base / "data").returncode == 0
    return base / "data"


@pytest.fixture
def backup(data_dir, tmp_path) -> Path:
    """A backup with its record, as `imaging-desk backup` writes them."""
    path = tmp_path / "imaging-desk-20261130-120000-manual.sqlite3"
    with sqlite3.connect(data_dir / "db.sqlite3") as src, sqlite3.connect(path) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    record = {
        "format": "imaging-desk-backup/1", "name": path.name, "kind": "manual", "created_at": "2026-11-30T12:00:00",
        "size_bytes": path.stat().st_size, "studies": 12, "reports": 0, "verified": True, "integrity": "ok",
    }
    Path(f"{path}.json").write_text(json.dumps(record))
    return path


def test_a_disk_without_room_is_refused_before_anything_is_written(data_dir, tmp_path, monkeypatch):
    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr(services.shutil, "disk_usage", lambda path: Usage(10**9, 10**9 - 200_000, 200_000))

    with pytest.raises(BackupFailed) as refused:
        backup_create(data_dir=data_dir, to=tmp_path / "small")

    assert refused.value.detail.startswith(f"The backup folder {tmp_path / 'small'} is full: the backup needs about ")
    assert "and only 0.2 MB is free there. Nothing was written, and the database is unchanged." in refused.value.detail
    assert list((tmp_path / "small").iterdir()) == []


def test_a_backup_verifies_against_its_record(backup):
    info = backup_verify(file=backup)

    assert (info.kind, info.studies, info.reports, info.verified, info.integrity) == ("manual", 12, 0, True, "ok")


def test_a_backup_whose_counts_disagree_with_its_record_was_changed_after_it_was_taken(backup):
    with sqlite3.connect(backup) as db:
        db.execute("DELETE FROM study WHERE exam_id = 'E000'")

    with pytest.raises(BackupInvalid) as invalid:
        backup_verify(file=backup)

    assert invalid.value.detail == (
        f"{backup} holds 11 studies and 0 reports, but its record says 12 and 0: it was changed after it was taken"
    )


def test_a_backup_copied_without_its_record_still_verifies_and_is_listed_as_unknown(backup, data_dir, tmp_path):
    moved = tmp_path / "usb" / backup.name
    moved.parent.mkdir()
    shutil.copyfile(backup, moved)

    info = backup_verify(file=moved)

    assert (info.kind, info.studies, info.verified) == ("unknown", 12, True)
    folder = data_dir / "backups"
    folder.mkdir(exist_ok=True)
    shutil.copyfile(backup, folder / backup.name)
    listed = next(b for b in backup_list(data_dir=data_dir).backups if b.name == backup.name)
    assert (listed.kind, listed.verified) == ("unknown", False)
    assert listed.integrity == "not checked: the file has no record beside it"
