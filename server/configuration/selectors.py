"""What database the server uses now, where that choice comes from, and what the next
start will use. Never a password."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from server import datadir
from server.database import database_settings, vendor_name

ENV_DATABASE_URL = "IMAGING_DESK_DATABASE_URL"


def database_described(database: dict) -> dict:
    """A DATABASES entry as the screen shows it: the SQLite file, or the PostgreSQL
    server, port, database and user."""
    if vendor_name(database["ENGINE"]) == "sqlite":
        return {"vendor": "sqlite", "file": str(database["NAME"]), "host": None, "port": None, "name": None,
                "user": None}
    try:
        port = int(database.get("PORT") or 5432)
    except ValueError:
        port = None
    return {
        "vendor": "postgresql", "file": None, "host": database.get("HOST") or "localhost", "port": port,
        "name": database.get("NAME") or None, "user": database.get("USER") or None,
    }


def database_next_start(data_dir: Path) -> tuple[str | None, str]:
    """(the URL the next start uses or None for SQLite, where it comes from:
    "environment", "settings.json" or "default")."""
    from_env = os.environ.get(ENV_DATABASE_URL)
    if from_env:
        return from_env, "environment"
    try:
        url = datadir.local_settings(data_dir).get("database_url")
    except SystemExit:  # a settings.json broken since the start: the start said so
        url = None
    return (url, "settings.json") if url else (None, "default")


def _same(a: dict, b: dict) -> bool:
    keys = ("vendor", "file", "host", "port", "name", "user")
    return all(a[k] == b[k] for k in keys)


def database_settings_view(*, data_dir: Path) -> dict:
    in_use = database_described(settings.DATABASES["default"])
    url, source = database_next_start(data_dir)
    try:
        next_start = database_described(database_settings(data_dir=data_dir, url=url))
    except ValueError:  # a settings.json URL that the next start will refuse
        next_start = {"vendor": "postgresql", "file": None, "host": None, "port": None, "name": None, "user": None}
    if source == "environment":
        in_use_source = "environment"
    elif in_use["vendor"] == "postgresql":
        in_use_source = "settings.json"
    else:
        in_use_source = "default"
    return {
        "in_use": in_use,
        "source": in_use_source,
        "can_change": source != "environment",
        "next_start": next_start,
        "next_start_source": source,
        "restart_needed": not _same(in_use, next_start),
    }
