"""Backups of a shared PostgreSQL database: pg_dump's custom format when pg_dump is on
PATH, else the words that say how to back the server up. The password goes to
pg_dump through its environment (PGPASSWORD) and is never printed."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

from server.backups.errors import BackupFailed, BackupUnavailable

DUMP_TIMEOUT_S = 6 * 60 * 60


def _where(db: dict) -> str:
    host = db.get("HOST") or "localhost"
    return f"{host}:{db['PORT']}" if db.get("PORT") else host


def _connection_options(db: dict) -> list[str]:
    options = [f"--host={db.get('HOST') or 'localhost'}"]
    if db.get("PORT"):
        options.append(f"--port={db['PORT']}")
    if db.get("USER"):
        options.append(f"--username={db['USER']}")
    return [*options, f"--dbname={db['NAME']}"]


def pg_instructions(db: dict) -> str:
    """How to back the database up without Imaging Desk, in words, with the command."""
    command = shlex.join(["pg_dump", "--format=custom", *_connection_options(db), "--file=imaging-desk.dump"])
    return (
        f"To back up the shared PostgreSQL database \"{db['NAME']}\" on {_where(db)}, run on a PC with "
        f"PostgreSQL's client tools (or on the database server itself):\n  {command}\n"
        "It asks for the database password (or reads PGPASSWORD or ~/.pgpass). "
        "Keep the .dump file somewhere safe; `pg_restore --clean --dbname=...` restores it. "
        "The server's administrator may already back it up."
    )


def pg_dump_available() -> str:
    """pg_dump's path; BackupUnavailable, with the instructions, without it."""
    from django.db import connection

    found = shutil.which("pg_dump")
    if found is None:
        raise BackupUnavailable(
            "This installation keeps its data in PostgreSQL, and pg_dump (PostgreSQL's backup tool) "
            "is not installed on this PC (it is not on PATH), so Imaging Desk cannot take the backup itself.\n"
            + pg_instructions(connection.settings_dict)
        )
    return found


def pg_dump(*, db: dict, target: Path, snapshot: str | None) -> None:
    """Dump the database in pg_dump's custom format to target (a new file), as of the
    exported snapshot if one is given. Raises BackupFailed with pg_dump's words."""
    command = [pg_dump_available(), "--format=custom", "--no-password", *_connection_options(db), f"--file={target}"]
    if snapshot:
        command.append(f"--snapshot={snapshot}")
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    # The URL's TLS options (server/database.URL_OPTIONS), in libpq's variables: PGSSLMODE...
    env.update({f"PG{key.upper()}": str(value) for key, value in (db.get("OPTIONS") or {}).items()})
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=DUMP_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupFailed(f"pg_dump could not run: {exc}") from None
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip()
        if db.get("PASSWORD"):
            said = said.replace(db["PASSWORD"], "***")
        raise BackupFailed(f"pg_dump failed (exit code {result.returncode}): {said or 'no message'}")


def pg_dump_verify(path: Path) -> str | None:
    """None if pg_restore can read the dump's table of contents (or is not installed:
    then pg_dump's exit code is all there is); else the words."""
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        return None
    result = subprocess.run([pg_restore, "--list", str(path)], capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        return f"pg_restore cannot read it: {(result.stderr or '').strip() or 'no message'}"
    return None
