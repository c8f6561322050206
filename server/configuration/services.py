"""The database choice, kept in the data folder's settings.json (`database_url`): stored
once its connection is tried, or removed to go back to this PC's own SQLite file. It
takes effect at the next start (the window restarts its own server at once). Each
change is recorded in the audit trail, never with the password."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from server import datadir
from server.audit.services import audit_record
from server.configuration.connecting import PostgresTarget, database_test, database_url_shown
from server.configuration.errors import DatabaseChoiceLocked, DatabaseUnusable
from server.configuration.selectors import ENV_DATABASE_URL, database_next_start, database_settings_view

LOCAL = "this PC's own database"


def settings_write(data_dir: Path, values: dict) -> None:
    """settings.json replaced whole: written aside (readable by its owner only), flushed,
    then renamed over the old one, so a crash leaves the old file or the new, never half."""
    target = data_dir / datadir.SETTINGS_FILENAME
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(values, indent=2) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _refuse_if_environment() -> None:
    if os.environ.get(ENV_DATABASE_URL):
        raise DatabaseChoiceLocked(
            f"{ENV_DATABASE_URL} (or --database-url) sets the database on this PC, and wins over the "
            "Settings screen: change or remove it there, then restart Imaging Desk"
        )


def _shown_next(data_dir: Path) -> str:
    url = datadir.local_settings(data_dir).get("database_url")
    return database_url_shown(url) if url else LOCAL


def database_choose(*, data_dir: Path, target: PostgresTarget) -> dict:
    """Try the database; if it can be used, keep its URL in settings.json for the next
    start. Raises DatabaseUnusable (the words of the test) and stores nothing otherwise."""
    _refuse_if_environment()
    result = database_test(target)
    if not result.ok:
        raise DatabaseUnusable(f"Not saved: {result.message}")
    before = _shown_next(data_dir)
    values = datadir.local_settings(data_dir)
    values["database_url"] = target.url()
    settings_write(data_dir, values)
    studies = "no Imaging Desk data yet" if result.studies is None else f"{result.studies:,} studies"
    audit_record(
        action="database",
        summary=f"The database for the next start is now PostgreSQL {target.shown()} ({studies}); it was {before}",
        details={"to": target.shown(), "from": before, "studies": result.studies},
    )
    return database_settings_view(data_dir=data_dir)


def database_forget(*, data_dir: Path) -> str | None:
    """`database_url` out of settings.json (its other settings stay): the next start uses
    this PC's own SQLite file. Returns the database it named (without the password), or
    None if it named none. Records nothing: the window calls it when the saved database
    cannot be opened, and records the change in the local database once it runs."""
    _refuse_if_environment()
    values = datadir.local_settings(data_dir)
    if "database_url" not in values:
        return None
    before = _shown_next(data_dir)
    del values["database_url"]
    settings_write(data_dir, values)
    return before


def database_local_recorded(*, before: str, why: str = "") -> None:
    audit_record(
        action="database",
        summary=f"The database for the next start is now this PC's own database; it was {before}{why}",
        details={"to": LOCAL, "from": before, "studies": None},
    )


def database_choose_local(*, data_dir: Path) -> dict:
    """Back to this PC's own SQLite file at the next start, recorded in the audit trail."""
    before = database_forget(data_dir=data_dir)
    if before is not None:
        database_local_recorded(before=before)
    return database_settings_view(data_dir=data_dir)


def database_url_next_start(data_dir: Path) -> str | None:
    """The URL the next start uses (None: this PC's SQLite file); read afresh."""
    return database_next_start(data_dir)[0]
