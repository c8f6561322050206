"""The database's own refusal of any change to an audit entry, per vendor.

Defined once here: migration 0002 creates them, and the tests' flush (which empties
every table between transactional tests) drops and re-creates them around itself.
"""

from __future__ import annotations

from server.audit.models import AUDIT_TABLE

REFUSED = "audit entries are append-only"

_SQLITE_CREATE = [
    f"CREATE TRIGGER {AUDIT_TABLE}_no_{op.lower()} BEFORE {op} ON {AUDIT_TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSED}: {op} refused'); END"
    for op in ("UPDATE", "DELETE")
]
_SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {AUDIT_TABLE}_no_{op}" for op in ("update", "delete")]

_PG_FUNCTION = f"{AUDIT_TABLE}_append_only"
_PG_CREATE = [
    f"CREATE OR REPLACE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{REFUSED}: % refused', TG_OP; END $$",
    f"CREATE TRIGGER {AUDIT_TABLE}_no_change BEFORE UPDATE OR DELETE ON {AUDIT_TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {_PG_FUNCTION}()",
    f"CREATE TRIGGER {AUDIT_TABLE}_no_truncate BEFORE TRUNCATE ON {AUDIT_TABLE} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {_PG_FUNCTION}()",
]
_PG_DROP = [
    f"DROP TRIGGER IF EXISTS {AUDIT_TABLE}_no_change ON {AUDIT_TABLE}",
    f"DROP TRIGGER IF EXISTS {AUDIT_TABLE}_no_truncate ON {AUDIT_TABLE}",
    f"DROP FUNCTION IF EXISTS {_PG_FUNCTION}()",
]


def create_statements(vendor: str) -> list[str]:
    return _PG_CREATE if vendor == "postgresql" else _SQLITE_CREATE


def drop_statements(vendor: str) -> list[str]:
    return _PG_DROP if vendor == "postgresql" else _SQLITE_DROP
