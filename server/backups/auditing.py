"""The audit trail as the backups use it (server/audit: backups and restores are
recorded there). One place, so that the calls' shapes are defined once."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from server.audit.actor import acting_as, actor_current
from server.audit.services import audit_carry_over, audit_record


def record_backup(*, info, summary: str) -> None:
    audit_record(
        action="backup",
        summary=summary,
        details={
            "path": str(info.path), "size_bytes": info.size_bytes, "studies": info.studies,
            "reports": info.reports, "kind": info.kind,
        },
    )


def record_restore(*, summary: str, details: dict) -> None:
    audit_record(action="restore", summary=summary, details=details)


def carry_over(*, source: Path, target: Path) -> int:
    """Copy into target every audit entry of source it lacks (plain sqlite3, no Django)."""
    return audit_carry_over(source=source, target=target)


def actor() -> str:
    """Who is acting now, to take along into a job's thread."""
    return actor_current()


def acting(user: str | None) -> AbstractContextManager:
    return acting_as(user)
