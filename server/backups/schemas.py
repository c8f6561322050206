from __future__ import annotations

from ninja import Field, Schema
from pydantic import field_validator

from server.core.errors import InvalidParameter
from server.core.openapi import TEXT_PATTERN, LocalDateTime
from server.core.params import clean_text


class BackupOut(Schema):
    name: str
    path: str
    kind: str = Field(description='"manual", "daily", "after-import", "before-restore", or "unknown" (no record)')
    created_at: LocalDateTime
    size_bytes: int
    studies: int | None
    reports: int | None
    verified: bool
    integrity: str = Field(description='"ok", or what the check found, in words')


class BackupListOut(Schema):
    folder: str
    backups: list[BackupOut]


class BackupStartIn(Schema):
    to: str | None = Field(
        None,
        description="A folder for this one backup (a full path: a USB drive, a share); "
        "null for the backup folder",
        json_schema_extra={"minLength": 1, "pattern": TEXT_PATTERN},
    )

    @field_validator("to", mode="before")
    @classmethod
    def _to(cls, value):
        if value is None:
            return None
        if not isinstance(value, str):
            raise InvalidParameter("to", "must be a string (a folder's full path) or null")
        text = clean_text("to", value)
        if not text.strip():
            raise InvalidParameter("to", "must not be empty; send null for the backup folder")
        return text


class BackupJobOut(Schema):
    job_id: int
    status: str = Field(description='"running", "done" or "failed"')
    progress: int = Field(description="0 to 100")
    backup: BackupOut | None
    error: str | None


class IntegrityOut(Schema):
    ok: bool
    message: str
    checked_at: LocalDateTime
    newest_good_backup: BackupOut | None
    restore_command: str | None
    full_check: str = Field(description='"done", "pending" (runs in the background after the start) or "not needed"')
