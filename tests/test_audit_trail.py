"""The audit trail's entries: how they are written, that the database itself keeps
them from being changed or deleted, and how a restore carries them over."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import DatabaseError, connection, transaction

from server.audit.actor import API_TOKEN, acting_as, actor_current
from server.audit.models import AuditEntry
from server.audit.services import audit_carry_over, audit_record
from server.core.auth import owner_username

pytestmark = pytest.mark.django_db


def test_an_entry_has_its_time_user_summary_and_details():
    entry = audit_record(action="export", summary="Exported 3 studies", details={"rows": 3})
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.action, stored.summary, stored.details) == ("export", "Exported 3 studies", {"rows": 3})
    assert stored.user == owner_username()
    assert len(stored.uid) == 32 and int(stored.uid, 16) >= 0
    assert stored.at is not None


def test_the_summary_is_one_line_and_details_plain_json(tmp_path):
    entry = audit_record(action="import", summary="line one\nline two\r\x00", details={"file": tmp_path})
    entry.refresh_from_db()
    assert entry.summary == "line one line two"
    assert entry.details == {"file": str(tmp_path)}


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError, match="unknown audit action 'erase'"):
        audit_record(action="erase", summary="x")
    assert not AuditEntry.objects.exists()


def test_the_user_is_the_os_account_or_who_is_acting():
    assert actor_current() == owner_username()
    with acting_as(API_TOKEN):
        assert audit_record(action="export", summary="x").user == "API token"
    assert audit_record(action="export", summary="x", user="someone").user == "someone"
    assert actor_current() == owner_username()


def test_every_entry_has_its_own_uid():
    uids = {audit_record(action="export", summary=str(i)).uid for i in range(20)}
    assert len(uids) == 20


def _row(pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT uid, action, user_name, summary FROM audit_entry WHERE id = %s", [pk])
        return cursor.fetchone()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda e: AuditEntry.objects.filter(pk=e.pk).update(summary="changed"), id="orm update"),
        pytest.param(lambda e: AuditEntry.objects.filter(pk=e.pk).delete(), id="orm delete"),
        pytest.param(lambda e: (setattr(e, "summary", "changed"), e.save()), id="orm save"),
        pytest.param(lambda e: e.delete(), id="orm instance delete"),
        pytest.param(
            lambda e: connection.cursor().execute("UPDATE audit_entry SET summary = 'changed'"), id="sql update"
        ),
        pytest.param(lambda e: connection.cursor().execute("DELETE FROM audit_entry"), id="sql delete"),
    ],
)
def test_the_database_refuses_to_change_or_delete_an_entry(change):
    entry = audit_record(action="export", summary="Exported 3 studies")
    before = _row(entry.pk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        change(entry)
    assert _row(entry.pk) == before
    assert AuditEntry.objects.count() == 1


def test_postgresql_refuses_truncate_too():
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    audit_record(action="export", summary="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute("TRUNCATE audit_entry")
    assert AuditEntry.objects.count() == 1


# --- audit_carry_over: plain SQLite files, as a restore has them ----------------------

def _database(path, *, entries: list[tuple[str, str]], audit_table: bool = True):
    """A SQLite file with the app's audit table (the schema migrations give it)."""
    from django.db import connection as django_connection

    db = sqlite3.connect(path)
    if audit_table:
        if django_connection.vendor == "sqlite":
            schema = [
                sql for (sql,) in django_connection.cursor().execute(
                    "SELECT sql FROM sqlite_master WHERE tbl_name = 'audit_entry' AND sql IS NOT NULL "
                    "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END"
                ).fetchall()
            ]
        else:  # the same table as SQLite migrations make it
            schema = [
                'CREATE TABLE "audit_entry" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, '
                '"uid" varchar(32) NOT NULL UNIQUE, "at" datetime NOT NULL, "action" varchar(20) NOT NULL, '
                '"user_name" varchar(200) NOT NULL, "summary" text NOT NULL, "details" text NOT NULL)',
                "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
                "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: DELETE refused'); END",
            ]
        for sql in schema:
            db.execute(sql)
        db.executemany(
            "INSERT INTO audit_entry (uid, at, action, user_name, summary, details) "
            "VALUES (?, '2026-12-01 10:00:00', 'export', 'alice', ?, '{}')",
            entries,
        )
    db.execute("CREATE TABLE django_migrations (id integer PRIMARY KEY, app text, name text, applied text)")
    if audit_table:
        db.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('audit', '0001_initial', 'x')")
    db.commit()
    db.close()
    return path


def _entries(path) -> list[tuple[str, str]]:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT uid, summary FROM audit_entry ORDER BY id").fetchall()
    finally:
        db.close()


def test_carry_over_copies_exactly_the_missing_entries_in_order(tmp_path):
    shared = [("a" * 32, "first"), ("b" * 32, "second")]
    later = [("d" * 32, "fourth"), ("c" * 32, "third"), ("e" * 32, "fifth")]
    replaced = _database(tmp_path / "replaced.sqlite3", entries=shared + later)
    own = ("f" * 32, "only in the backup")
    restored = _database(tmp_path / "restored.sqlite3", entries=[shared[0], own, shared[1]])

    assert audit_carry_over(source=replaced, target=restored) == 3

    assert _entries(restored) == [shared[0], own, shared[1], *later]
    assert audit_carry_over(source=replaced, target=restored) == 0  # nothing twice
    assert _entries(replaced) == shared + later  # the source is only read


def test_carry_over_into_a_database_from_before_the_audit_trail_creates_its_table(tmp_path):
    replaced = _database(tmp_path / "replaced.sqlite3", entries=[("a" * 32, "first")])
    restored = _database(tmp_path / "restored.sqlite3", entries=[], audit_table=False)

    assert audit_carry_over(source=replaced, target=restored) == 1

    assert _entries(restored) == [("a" * 32, "first")]
    db = sqlite3.connect(restored)
    migrations = db.execute("SELECT app, name FROM django_migrations").fetchall()
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit_entry")
    db.close()
    assert migrations == [("audit", "0001_initial")]


def test_carry_over_from_a_database_without_entries_copies_none(tmp_path):
    replaced = _database(tmp_path / "replaced.sqlite3", entries=[], audit_table=False)
    restored = _database(tmp_path / "restored.sqlite3", entries=[("a" * 32, "first")])
    assert audit_carry_over(source=replaced, target=restored) == 0
    assert _entries(restored) == [("a" * 32, "first")]


def test_carry_over_names_a_missing_file(tmp_path):
    restored = _database(tmp_path / "restored.sqlite3", entries=[])
    with pytest.raises(FileNotFoundError, match="no database at"):
        audit_carry_over(source=tmp_path / "gone.sqlite3", target=restored)


def test_a_run_a_dead_process_left_running_is_recorded_once_as_interrupted():
    from server.imports.models import ImportRun
    from server.imports.services import INTERRUPTED, import_recover_interrupted

    left = ImportRun.objects.create(source_path="/clinic/exports/x.duckdb", state=ImportRun.State.RUNNING)
    assert import_recover_interrupted() == 1
    assert import_recover_interrupted() == 0

    [entry] = AuditEntry.objects.filter(action="import")
    assert (entry.details["outcome"], entry.details["run_id"], entry.details["reason"]) == (
        "interrupted", left.pk, INTERRUPTED
    )
    assert entry.summary == f"Import interrupted: x.duckdb (import {left.pk}): {INTERRUPTED}"
