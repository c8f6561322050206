"""pg_trgm GIN indexes behind the `instr` lookup on PostgreSQL (server/core/querying.py).

On PostgreSQL `field__instr=needle` is an escaped `LIKE '%needle%'`, which a GIN
index with gin_trgm_ops serves for a needle of three characters or more (the index
only proposes rows; PostgreSQL checks LIKE on each, so the answer stays exact).
pg_trgm ships with PostgreSQL and is a trusted extension since PostgreSQL 13: the
owner of a database with CREATE on it may create it. Where it cannot be created
(an older server, a user without that right, a server without the contrib
package), the search stays a plain scan of every row, correct but slow at a
million studies, and `trigram_warning` says what a superuser runs to enable it.

Each app declares its indexes as TrigramIndex values; its migration calls
`trigram_indexes_create`, and every start (server/serving.py `migrate`) calls it
again, so that an extension a superuser created later gets its indexes. SQLite:
nothing here does anything (it has its own text index, server/studies/search_index.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction

logger = logging.getLogger("imaging_desk.search")

EXTENSION = "pg_trgm"


@dataclass(frozen=True)
class TrigramIndex:
    name: str
    table: str
    column: str

    def create_sql(self) -> str:
        quote = connection.ops.quote_name
        return (
            f"CREATE INDEX IF NOT EXISTS {quote(self.name)} ON {quote(self.table)} "
            f"USING gin ({quote(self.column)} gin_trgm_ops)"
        )


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def extension_installed() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = %s", [EXTENSION])
        return cursor.fetchone() is not None


def extension_create() -> bool:
    """CREATE EXTENSION pg_trgm if this user may (inside a savepoint, so that a refusal
    leaves the surrounding transaction, a migration's, usable); whether it exists."""
    if extension_installed():
        return True
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {EXTENSION}")
    except DatabaseError as exc:
        logger.info("could not create the %s extension: %s", EXTENSION, str(exc).strip().splitlines()[0])
        return False
    return True


def trigram_indexes_missing(indexes: Iterable[TrigramIndex]) -> list[TrigramIndex]:
    """Of indexes, those the database lacks (none on SQLite)."""
    indexes = list(indexes)
    if not _postgres() or not indexes:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ANY(%s)",
            [[index.name for index in indexes]],
        )
        present = {row[0] for row in cursor.fetchall()}
    return [index for index in indexes if index.name not in present]


def trigram_indexes_create(indexes: Iterable[TrigramIndex]) -> list[TrigramIndex]:
    """Create the missing indexes where the extension exists or can be created; the
    ones still missing (on PostgreSQL; none on SQLite)."""
    missing = trigram_indexes_missing(indexes)
    if not missing or not extension_create():
        return missing
    with connection.cursor() as cursor:
        for index in missing:
            logger.info("building the text search index %s on %s.%s", index.name, index.table, index.column)
            cursor.execute(index.create_sql())
    return []


def trigram_warning(indexes: Iterable[TrigramIndex]) -> str | None:
    """Why the text search reads every row, and what to run to make it fast; None when
    nothing is missing (and always on SQLite)."""
    missing = trigram_indexes_missing(indexes)
    if not missing:
        return None
    name = connection.settings_dict["NAME"]
    if extension_installed():
        cause = f"its text search indexes ({', '.join(index.name for index in missing)}) are missing"
        remedy = "restart Imaging Desk, which builds them"
    else:
        cause = f"the {EXTENSION} extension is not installed in the database {name} and this user may not create it"
        remedy = (
            f"a PostgreSQL superuser enables it with: psql -U postgres -d {name} -c 'CREATE EXTENSION {EXTENSION}'; "
            "then restart Imaging Desk, which builds the indexes"
        )
    return f"The q search reads every row (slow with many studies): {cause}; {remedy}."


def trigram_indexes_drop(indexes: Iterable[TrigramIndex], *, schema_editor) -> None:
    """A migration's way back: drop the indexes (nothing on SQLite)."""
    if schema_editor.connection.vendor == "postgresql":
        for index in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index.name)}")
