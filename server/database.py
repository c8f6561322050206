"""Django DATABASES for the embedded SQLite file or a shared PostgreSQL server."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from server.datadir import DB_FILENAME

# How long a connection waits for another writer before giving up (seconds).
# An import holds the write lock for its whole transaction; readers never wait in WAL mode.
SQLITE_BUSY_TIMEOUT_S = 60


def sqlite_database(data_dir: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(data_dir / DB_FILENAME),
        "OPTIONS": {
            # WAL lets searches read while an import writes; FULL keeps committed
            # data through a power cut.
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL",
            # Take the write lock when a transaction starts, so two writers queue on
            # the busy timeout instead of failing with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_TIMEOUT_S,
        },
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
    }


# The connection options a database URL may add after "?" (libpq's names): TLS, for a
# server on the clinic's network, and how long to wait for it.
URL_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout")


def postgres_database(url: str) -> dict:
    """DATABASES entry for `postgresql://user:password@host:port/dbname[?sslmode=require]`."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"unsupported database URL scheme {parts.scheme!r}; use postgresql://")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ValueError("the database URL names no database (postgresql://host/DBNAME)")
    options = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in URL_OPTIONS:
            raise ValueError(f"the database URL's option {key!r} is not one Imaging Desk passes on; "
                             f"it knows {', '.join(URL_OPTIONS)}")
        options[key] = value
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
    }


def database_settings(*, data_dir: Path, url: str | None) -> dict:
    if url:
        return postgres_database(url)
    return sqlite_database(data_dir)


def vendor_name(engine: str) -> str:
    """The name the health endpoint reports: "sqlite" or "postgresql"."""
    return "postgresql" if "postgresql" in engine else "sqlite"


def migrations_unknown(applied) -> list[str]:
    """Of the applied migrations (app, name) a database records, those of Imaging Desk's
    own apps that this version does not have, as "app.name": a newer version set the
    database up, and this one would misread its tables."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    ours = {config.label for config in apps.get_app_configs() if config.name.startswith("server.")}
    return sorted(f"{app}.{name}" for app, name in applied if app in ours and (app, name) not in known)


def migrations_unknown_words(unknown: list[str]) -> str:
    """"it has 2 changes of its tables that this version (0.1.0) does not know (a.b, c.d)"."""
    from server import __version__

    shown = ", ".join(unknown[:3]) + (", ..." if len(unknown) > 3 else "")
    changes = "change" if len(unknown) == 1 else "changes"
    return f"it has {len(unknown)} {changes} of its tables that this version ({__version__}) does not know ({shown})"


_UNREACHABLE = (
    "connection refused", "failed to resolve host", "could not translate host name", "timeout expired",
    "no route to host", "network is unreachable", "connection timed out",
)


def database_unavailable_words(error: Exception, database: dict) -> str:
    """What a database that cannot be opened or set up means, in words for whoever set
    it up: the server, port, user and database by name, never the password."""
    text = str(error).strip()
    if "sqlite3" in database.get("ENGINE", ""):
        return f"cannot open the database {database['NAME']}: {text}"
    host, port = database.get("HOST") or "localhost", database.get("PORT") or "5432"
    user, name = database.get("USER") or "(the default user)", database.get("NAME")
    where = f"PostgreSQL at {host}:{port}"
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return f"{where} refused the password of the user {user}: correct it in the database URL"
    if f'role "{user}" does not exist' in text:
        return f"{where} has no user {user}: create it (README: several PCs, one database), or correct the URL"
    if f'database "{name}" does not exist' in text:
        return f"{where} has no database {name}: create it (README: several PCs, one database), or correct the URL"
    if "permission denied" in lowered:
        return (
            f"the user {user} may not create the tables Imaging Desk needs in the database {name} on {where}: "
            "make it the database's owner, or grant it CREATE on the schema public"
        )
    if any(words in lowered for words in _UNREACHABLE):
        return (
            f"{where} cannot be reached: check that the server runs, that the address is right, and that its "
            "firewall lets this PC in"
        )
    return f"{where} (database {name}) cannot be used: {text.splitlines()[0] if text else type(error).__name__}"
