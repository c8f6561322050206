"""A PostgreSQL database as the Settings screen names it, and a connection tried to it
before it is kept: whether it answers, lets this user create the tables (or has them
already) and holds Imaging Desk's data. Never the password in what is said or logged."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from server.core.errors import InvalidParameter
from server.database import database_unavailable_words, migrations_unknown, migrations_unknown_words, postgres_database

logger = logging.getLogger("imaging_desk.configuration")

DEFAULT_PORT = 5432
CONNECT_TIMEOUT_S = 5
# What a failed connection was, for the screen to say in its language (the words
# server/database.py gives are English).
PROBLEMS = ("unreachable", "password", "no_database", "no_user", "no_create", "too_new", "other")


@dataclass(frozen=True)
class PostgresTarget:
    host: str
    port: int
    database: str
    user: str
    password: str = ""

    def url(self) -> str:
        """postgresql://user:password@host:port/database, each part quoted: what settings.json keeps."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        credentials = quote(self.user, safe="")
        if self.password:
            credentials += ":" + quote(self.password, safe="")
        at = f"{credentials}@" if credentials else ""
        return f"postgresql://{at}{host}:{self.port}/{quote(self.database, safe='')}"

    def shown(self) -> str:
        """The URL without the password: what answers, logs and the audit trail name."""
        return database_url_shown(self.url())

    def settings_dict(self) -> dict:
        return postgres_database(self.url())

    def described(self) -> dict:
        return {"vendor": "postgresql", "file": None, "host": self.host, "port": self.port,
                "name": self.database, "user": self.user or None}


def database_url_shown(url: str) -> str:
    """A database URL without its password (postgresql://user@host:port/db)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.netloc.rsplit("@", 1)[0].split(":", 1)[0]
    return parts._replace(netloc=f"{user}@{netloc}" if user else netloc).geturl()


def target_from_url(url: str) -> PostgresTarget:
    try:
        database = postgres_database(url)
    except ValueError as exc:
        raise InvalidParameter("url", str(exc)) from None
    try:
        port = int(database["PORT"] or DEFAULT_PORT)
    except ValueError:
        raise InvalidParameter("url", "has a port that is not a number") from None
    if not database["HOST"]:
        raise InvalidParameter("url", "names no server (postgresql://user@HOST:5432/db)")
    return PostgresTarget(
        host=database["HOST"], port=port, database=database["NAME"], user=database["USER"],
        password=database["PASSWORD"],
    )


def target_from(*, url: str | None = None, host: str | None = None, port: int | None = None,
                database: str | None = None, user: str | None = None, password: str | None = None) -> PostgresTarget:
    """The database named by a URL, or by its parts as the screen's fields give them."""
    if url:
        return target_from_url(url)
    host = (host or "").strip()
    database = (database or "").strip()
    if not host:
        raise InvalidParameter("host", "is required: the PostgreSQL server's name or address")
    if not database:
        raise InvalidParameter("database", "is required: the name of the database on the server")
    port = DEFAULT_PORT if port is None else port
    if not 1 <= port <= 65535:
        raise InvalidParameter("port", f"must be between 1 and 65535, got {port}")
    return PostgresTarget(host=host, port=port, database=database, user=(user or "").strip(), password=password or "")


def problem_of(words: str) -> str:
    """Which of PROBLEMS the words of database_unavailable_words name."""
    if "refused the password" in words:
        return "password"
    if " has no user " in words:
        return "no_user"
    if " has no database " in words:
        return "no_database"
    if "may not create the tables" in words:
        return "no_create"
    if "cannot be reached" in words:
        return "unreachable"
    return "other"


def _without(text: str, password: str) -> str:
    return text.replace(password, "***") if len(password) >= 4 else text


@dataclass
class TestResult:
    ok: bool
    problem: str | None
    message: str
    database: dict
    set_up: bool = False
    studies: int | None = None

    def as_dict(self) -> dict:
        return {
            "ok": self.ok, "problem": self.problem, "message": self.message, "database": self.database,
            "set_up": self.set_up, "has_data": bool(self.studies), "studies": self.studies,
        }


def _migrations_of_this_version() -> set[tuple[str, str]]:
    """(app, name) of every migration of Imaging Desk's own apps in this version."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    ours = {config.label for config in apps.get_app_configs() if config.name.startswith("server.")}
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return {key for key in known if key[0] in ours}


def database_test(target: PostgresTarget) -> TestResult:
    """Connect to the database as Imaging Desk would, then look: can this user create
    the tables (CREATE on the schema), or are they there already; does a newer version
    own them; how many studies it holds. Every failure in words, never a traceback."""
    described = target.described()
    where = f"PostgreSQL at {target.host}:{target.port}"

    def failed(words: str, problem: str | None = None) -> TestResult:
        words = _without(words, target.password)
        logger.info("database test of %s failed: %s", target.shown(), words)
        return TestResult(ok=False, problem=problem or problem_of(words), message=words, database=described)

    try:
        import psycopg
    except ImportError:
        return failed("this installation has no PostgreSQL driver (psycopg): reinstall Imaging Desk", "other")
    try:
        connection = psycopg.connect(
            host=target.host, port=target.port, dbname=target.database, user=target.user or None,
            password=target.password or None, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True,
            application_name="Imaging Desk settings",
        )
    except Exception as exc:  # psycopg's OperationalError, or a bad host name's own error
        return failed(database_unavailable_words(exc, target.settings_dict()))
    try:
        with connection:
            return _look(connection, target, where, described)
    except Exception as exc:
        return failed(database_unavailable_words(exc, target.settings_dict()))


def _look(connection, target: PostgresTarget, where: str, described: dict) -> TestResult:
    from server.studies.models import Study

    schema = connection.execute("SELECT current_schema()").fetchone()[0]
    can_create = schema is not None and bool(
        connection.execute("SELECT has_schema_privilege(current_schema(), 'CREATE')").fetchone()[0]
    )
    migrated = schema is not None and connection.execute(
        "SELECT to_regclass(quote_ident(current_schema()) || '.django_migrations') IS NOT NULL"
    ).fetchone()[0]
    applied = set()
    if migrated:
        applied = set(map(tuple, connection.execute("SELECT app, name FROM django_migrations").fetchall()))
    name = f"the database {target.database}"
    unknown = migrations_unknown(applied)
    if unknown:
        words = (
            f"{where}: {name} was set up by a newer version of Imaging Desk: {migrations_unknown_words(unknown)}. "
            "Install the newer version on this PC first"
        )
        return TestResult(ok=False, problem="too_new", message=words, database=described, set_up=True)
    missing = _migrations_of_this_version() - applied
    if missing and not can_create:
        words = database_unavailable_words(Exception("permission denied for schema"), target.settings_dict())
        return TestResult(ok=False, problem="no_create", message=_without(words, target.password), database=described)
    studies = None
    table = Study._meta.db_table
    if connection.execute("SELECT to_regclass(%s) IS NOT NULL", [table]).fetchone()[0]:
        studies = int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    if studies is None:
        message = (
            f"{where} answers: {name} has no Imaging Desk data yet; Imaging Desk sets up its tables there "
            "at its next start"
        )
    else:
        counted = f"{studies:,} {'study' if studies == 1 else 'studies'}"
        message = f"{where} answers: {name} holds Imaging Desk's data, {counted}"
        if missing:
            message += "; Imaging Desk brings its tables up to this version at its next start"
    return TestResult(ok=True, problem=None, message=message, database=described, set_up=studies is not None,
                      studies=studies)
