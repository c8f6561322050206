from __future__ import annotations

from ninja import Field, Schema
from pydantic import field_validator

from server.core.openapi import TEXT_PATTERN
from server.core.params import clean_text


class DatabaseOut(Schema):
    vendor: str = Field(description='"sqlite" or "postgresql"')
    file: str | None = Field(description="the SQLite file; null on PostgreSQL")
    host: str | None
    port: int | None
    name: str | None = Field(description="the PostgreSQL database's name; null on SQLite")
    user: str | None


class DatabaseSettingsOut(Schema):
    in_use: DatabaseOut = Field(description="the database this server uses now")
    source: str = Field(description='where the one in use comes from: "environment", "settings.json" or "default"')
    can_change: bool = Field(description="false when IMAGING_DESK_DATABASE_URL (or --database-url) sets it")
    next_start: DatabaseOut = Field(description="the database the next start uses")
    next_start_source: str
    restart_needed: bool = Field(description="the next start uses another database than the one in use")


class DatabaseConnectIn(Schema):
    """A PostgreSQL database, by its parts or as one URL (then the parts are ignored)."""

    host: str | None = Field(None, json_schema_extra={"pattern": TEXT_PATTERN})
    port: int | None = Field(None, ge=1, le=65535)
    database: str | None = Field(None, json_schema_extra={"pattern": TEXT_PATTERN})
    user: str | None = Field(None, json_schema_extra={"pattern": TEXT_PATTERN})
    password: str | None = Field(None, json_schema_extra={"pattern": TEXT_PATTERN})
    url: str | None = Field(None, description="postgresql://user:password@host:5432/db",
                            json_schema_extra={"pattern": TEXT_PATTERN})

    @field_validator("host", "database", "user", "password", "url", mode="before")
    @classmethod
    def _text(cls, value, info):
        return None if value is None else clean_text(info.field_name, value)


class DatabaseTestOut(Schema):
    ok: bool
    problem: str | None = Field(
        description='null when ok; else "unreachable", "password", "no_database", "no_user", "no_create", '
        '"too_new" or "other"'
    )
    message: str = Field(description="what the test found, in words (never the password)")
    database: DatabaseOut
    set_up: bool = Field(description="the database already has Imaging Desk's tables")
    has_data: bool
    studies: int | None = Field(description="how many studies it holds; null before it is set up")
