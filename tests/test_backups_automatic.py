"""The automatic backups: the daily one (once a day, thinning the old ones by the
retention) and the one after an import that changed data."""

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from django.db import connection

from server.backups.jobs import BackupJobs
from server.backups.retention import Dated, retention_expired
from server.backups.scheduler import daily_backup_due
from server.clock import local_now
from server.composition import backups as composition
from server.imports.jobs import Job
from server.imports.models import ImportRun
from server.imports.selectors import import_changed_data


@pytest.fixture
def data_dir(tmp_path, settings, db):
    """A data folder whose database is a copy of the test database (the backups read the
    file; the audit entries go to the test database)."""
    if connection.vendor != "sqlite":
        pytest.skip("automatic backups are SQLite's only (a shared PostgreSQL server has its administrator's)")
    folder = tmp_path / "data"
    folder.mkdir()
    with sqlite3.connect(settings.DATABASES["default"]["NAME"]) as src, sqlite3.connect(folder / "db.sqlite3") as dst:
        src.backup(dst)
    settings.BACKUP_FOLDER = None
    return folder


def old_backup(folder: Path, *, taken: dt.datetime, kind: str, recorded: bool = True) -> str:
    folder.mkdir(exist_ok=True)
    name = f"imaging-desk-{taken:%Y%m%d-%H%M%S}-{kind}.sqlite3"
    (folder / name).write_bytes(b"an old backup")
    if recorded:
        record = {
            "format": "imaging-desk-backup/1", "name": name, "kind": kind, "created_at": taken.isoformat(),
            "size_bytes": 13, "studies": 0, "reports": 0, "verified": True, "integrity": "ok",
        }
        (folder / f"{name}.json").write_text(json.dumps(record))
    return name


@pytest.mark.django_db(transaction=True)
def test_the_daily_backup_is_taken_once_a_day_and_the_retention_thins_the_old_ones(data_dir):
    folder = data_dir / "backups"
    now = local_now()
    dailies = [old_backup(folder, taken=now - dt.timedelta(days=n), kind="daily") for n in range(1, 40)]
    kept_always = [
        old_backup(folder, taken=now - dt.timedelta(days=90), kind="manual"),
        old_backup(folder, taken=now - dt.timedelta(days=91), kind="before-restore"),
        old_backup(folder, taken=now - dt.timedelta(days=92), kind="daily", recorded=False),
    ]
    jobs = BackupJobs()

    job = daily_backup_due(data_dir=data_dir, jobs=jobs)

    done = jobs.wait(job.job_id, timeout=60)
    assert done["status"] == "done", done
    today = done["backup"]
    assert today["kind"] == "daily" and today["verified"]
    expected_gone = retention_expired(
        [Dated(today["name"], today["created_at"], "daily")]
        + [Dated(n, dt.datetime.strptime(n[13:28], "%Y%m%d-%H%M%S"), "daily") for n in dailies]
    )
    assert len(expected_gone) >= 28  # 40 daily backups: at most 11 stay
    left = {p.name for p in folder.glob("*.sqlite3")}
    assert left == ({today["name"], *dailies, *kept_always} - expected_gone)
    assert not [p for p in folder.glob("*.json") if p.name.removesuffix(".json") not in left]
    # Today has its backup now: the next look takes none.
    assert daily_backup_due(data_dir=data_dir, jobs=jobs) is None


@pytest.mark.django_db(transaction=True)
def test_an_import_the_server_did_not_run_is_followed_by_a_backup_at_the_next_look(data_dir):
    """The commands import-duckdb and link-duckdb take no backup themselves; the next look does."""
    folder = data_dir / "backups"
    old_backup(folder, taken=local_now() - dt.timedelta(hours=1), kind="daily")
    jobs = BackupJobs()
    ImportRun.objects.create(  # before the backup: already in it
        source_path="old.duckdb", state=ImportRun.State.DONE, finished_at=local_now() - dt.timedelta(hours=2),
        report={"inserted": 5, "updated": 0, "reports": None},
    )
    ImportRun.objects.create(  # after it, but it changed nothing
        source_path="same.duckdb", state=ImportRun.State.DONE, finished_at=local_now() - dt.timedelta(minutes=5),
        report={"inserted": 0, "updated": 0, "unchanged": 5, "reports": None},
    )
    assert daily_backup_due(data_dir=data_dir, jobs=jobs) is None  # today has its backup, nothing new since

    ImportRun.objects.create(
        source_path="new.duckdb", state=ImportRun.State.DONE, finished_at=local_now(),
        report={"inserted": 0, "updated": 2, "reports": None},
    )
    job = daily_backup_due(data_dir=data_dir, jobs=jobs)

    done = jobs.wait(job.job_id, timeout=60)
    assert (done["status"], done["backup"]["kind"]) == ("done", "after-import")
    assert daily_backup_due(data_dir=data_dir, jobs=jobs) is None


@pytest.mark.django_db(transaction=True)
def test_no_daily_backup_without_a_database(tmp_path):
    assert daily_backup_due(data_dir=tmp_path, jobs=BackupJobs()) is None


@pytest.mark.parametrize(
    ("report", "changed"),
    [
        ({"inserted": 3, "updated": 0, "reports": None}, True),
        ({"inserted": 0, "updated": 2, "reports": None}, True),
        ({"inserted": 0, "updated": 0, "reports": {"inserted": 1, "updated": 0}}, True),
        ({"inserted": 0, "updated": 0, "unchanged": 9, "reports": {"inserted": 0, "updated": 0}}, False),
        (None, False),
    ],
)
def test_an_import_changed_data_when_it_inserted_or_updated_anything(report, changed):
    assert import_changed_data(report) is changed


def test_only_an_import_that_ended_done_and_changed_data_is_followed_by_a_backup(monkeypatch):
    started = []
    monkeypatch.setattr(composition.BACKUP_JOBS, "start", lambda **kwargs: started.append(kwargs))
    changed = {"inserted": 1, "updated": 0, "reports": None}

    for state, report in [
        (ImportRun.State.DONE, {"inserted": 0, "updated": 0, "reports": None}),
        (ImportRun.State.FAILED, changed),
        (ImportRun.State.CANCELLED, changed),
        (ImportRun.State.DONE, changed),
    ]:
        composition.backup_after_import(Job(job_id=1, path=Path("x.duckdb"), kind="import", state=state, report=report))

    if connection.vendor == "sqlite":
        assert [call["kind"] for call in started] == ["after-import"]
    else:
        assert started == []
