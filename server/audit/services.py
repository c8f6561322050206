"""Writes of the audit trail: entries are only ever added (audit_record), or carried
over from the database a restore replaces (audit_carry_over)."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from pathlib import Path

from django.db import OperationalError, connection, transaction

from server.audit import pending
from server.audit.actor import actor_current
from server.audit.models import ACTIONS, AUDIT_COLUMNS, AUDIT_TABLE, AuditEntry
from server.clock import local_now

SUMMARY_MAX_CHARS = 500
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def one_line(text: str, limit: int = SUMMARY_MAX_CHARS) -> str:
    """The text on one line (control characters and line breaks become a space), cut."""
    text = _LINE_BREAKS.sub(" ", str(text)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain_json(details: dict | None) -> dict:
    """details as plain JSON values (a path or a time becomes its text)."""
    if details is None:
        return {}
    if not isinstance(details, dict):
        raise TypeError(f"audit details must be a dict, not {type(details).__name__}")
    return json.loads(json.dumps(details, default=str))


def _entry_fields(*, action: str, summary: str, details: dict | None, user: str | None) -> dict:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; one of {', '.join(ACTIONS)}")
    return {
        "uid": uuid.uuid4().hex,
        "at": local_now(),
        "action": action,
        "user": one_line(user if user is not None else actor_current(), 200),
        "summary": one_line(summary),
        "details": plain_json(details),
    }


def audit_record(*, action: str, summary: str, details: dict | None = None, user: str | None = None) -> AuditEntry:
    """Add an entry to the audit trail; user None: whoever is acting (server/audit/actor.py).

    In its own transaction, or, inside one already open, in that one: an import's
    entry commits (or rolls back) with the import's data. While an import holds
    SQLite's write lock (for minutes), the entry is not lost and does not wait: it
    goes to the pending file (server/audit/pending.py), written to the database as
    soon as it is free, with its own time and uid. The entry returned is then unsaved.
    """
    fields = _entry_fields(action=action, summary=summary, details=details, user=user)
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with transaction.atomic():
            return AuditEntry.objects.create(**fields)
    try:
        with pending.short_busy_timeout():
            pending.pending_flush()
            with transaction.atomic():
                return AuditEntry.objects.create(**fields)
    except OperationalError as exc:
        if not (pending.is_busy(exc) or pending.is_no_room(exc)):
            raise
        try:
            pending.pending_add(fields)
        except OSError:
            raise exc from None  # no room for the pending file either: the database's own error
    return AuditEntry(**fields)


def _has_table(db: sqlite3.Connection, schema: str) -> bool:
    row = db.execute(
        f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?", [AUDIT_TABLE]
    ).fetchone()
    return row is not None


def _create_like_source(db: sqlite3.Connection) -> None:
    """The audit table, its indexes and triggers in main as src has them, and src's
    record of the audit migrations: a database from before the audit trail can take
    entries, and its next start migrates nothing twice."""
    for (sql,) in db.execute(
        "SELECT sql FROM src.sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
        "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END",
        [AUDIT_TABLE],
    ).fetchall():
        db.execute(sql)
    if _has_table(db, "main") and db.execute(
        "SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
    ).fetchone():
        db.execute(
            "INSERT INTO main.django_migrations (app, name, applied) "
            "SELECT app, name, applied FROM src.django_migrations WHERE app = 'audit' "
            "AND name NOT IN (SELECT name FROM main.django_migrations WHERE app = 'audit')"
        )


def audit_carry_over(*, source: Path, target: Path) -> int:
    """Copy into target every audit entry of source whose uid target lacks, in source's
    order; returns how many. Both are SQLite files, opened with plain sqlite3 (no
    Django): a restore runs it with the server stopped, from the database it replaces
    (source) into the restored one (target), so that no history is lost."""
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise FileNotFoundError(f"no database at {source}")
    if not target.is_file():
        raise FileNotFoundError(f"no database at {target}")
    db = sqlite3.connect(target.resolve().as_uri(), uri=True, isolation_level=None, timeout=60)
    try:
        db.execute("ATTACH DATABASE ? AS src", [source.resolve().as_uri() + "?mode=ro"])
        if not _has_table(db, "src"):
            return 0
        columns = ", ".join(f'"{c}"' for c in AUDIT_COLUMNS)
        db.execute("BEGIN IMMEDIATE")
        try:
            if not _has_table(db, "main"):
                _create_like_source(db)
            cursor = db.execute(
                f"INSERT INTO main.{AUDIT_TABLE} ({columns}) SELECT {columns} FROM src.{AUDIT_TABLE} "
                f"WHERE uid NOT IN (SELECT uid FROM main.{AUDIT_TABLE}) ORDER BY id"
            )
            copied = cursor.rowcount
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return copied
    finally:
        db.close()
