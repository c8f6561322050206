"""While an import holds SQLite's write lock (for minutes), an audit entry neither
waits for it nor is lost: it is kept in audit-pending.jsonl and written, with its own
time and uid, once the database is free (server/audit/pending.py)."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest
from django.conf import settings
from django.db import connection

from server.audit import pending
from server.audit.filters import AuditFilters
from server.audit.models import AuditEntry
from server.audit.selectors import audit_page
from server.audit.services import audit_record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def write_lock():
    """Another connection holding the database's write lock, as an import does."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL writers do not wait for each other here")
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield holder
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


@pytest.fixture(autouse=True)
def no_pending_file():
    pending.pending_path().unlink(missing_ok=True)
    yield
    pending.pending_path().unlink(missing_ok=True)


def test_an_entry_written_while_the_database_is_locked_waits_in_the_pending_file(write_lock):
    started = time.monotonic()
    kept = audit_record(action="export", summary="Exported during an import", user="alice")
    assert time.monotonic() - started < pending.BUSY_TIMEOUT_MS / 1000 + 2  # never the 60 s busy timeout
    assert kept.pk is None
    assert pending.pending_path().exists()
    assert settings.DATA_DIR / "audit-pending.jsonl" == pending.pending_path()

    write_lock.execute("ROLLBACK")  # the import has ended
    later = audit_record(action="export", summary="Exported after it", user="alice")

    entries = list(AuditEntry.objects.order_by("id").values_list("uid", "at", "summary"))
    assert entries == [
        (kept.uid, kept.at, "Exported during an import"), (later.uid, later.at, "Exported after it")
    ]
    assert not pending.pending_path().exists()
    assert pending.pending_flush() is None  # nothing twice


def test_the_process_writes_pending_entries_itself_once_the_lock_is_free(write_lock, monkeypatch):
    monkeypatch.setattr(pending, "RETRY_S", 0.2)  # (a thread still waiting from before takes its 5 s)
    kept = audit_record(action="import", summary="Import refused: busy", user="alice")
    write_lock.execute("ROLLBACK")
    deadline = time.monotonic() + 30
    while not AuditEntry.objects.filter(uid=kept.uid).exists():
        assert time.monotonic() < deadline, "the pending entry was never written"
        time.sleep(0.1)
    assert AuditEntry.objects.count() == 1


def test_the_list_writes_pending_entries_first_and_shows_them_in_time_order(write_lock):
    kept = audit_record(action="export", summary="first, kept", user="alice")
    write_lock.execute("ROLLBACK")
    # An entry written directly meanwhile, later than the kept one.
    AuditEntry.objects.create(uid="f" * 32, action="export", user="bob", summary="second, direct")
    page = audit_page(filters=AuditFilters(), page=1, page_size=10)
    assert [e["summary"] for e in page["data"]] == ["second, direct", "first, kept"]
    assert page["data"][1]["at"] == kept.at


def test_a_pending_file_cut_by_a_crash_keeps_its_whole_lines():
    if connection.vendor != "sqlite":
        pytest.skip("the pending file is SQLite's")
    good = {"uid": "a" * 32, "at": "2026-12-01T10:00:00", "action": "export", "user": "alice",
            "summary": "kept", "details": {}}
    pending.pending_path().write_text(json.dumps(good) + "\n" + '{"uid": "b', encoding="utf-8")
    assert pending.pending_flush() == 1
    assert list(AuditEntry.objects.values_list("uid", "summary")) == [("a" * 32, "kept")]
