"""The studies' version on PostgreSQL, so that a search's total is counted once per
version (server/studies/searching.py), as SQLite's is (search_index.py's state).

A statement-level trigger gives study_search_version a new random number at the
first statement of each transaction that writes the study table, whoever writes:
the importer, a service, psql. Random rather than counted, as SQLite's: a restored
backup (pg_restore) brings back the number its studies had, from which a count
would hand out again numbers that servers still running have kept other totals
under. Its WHEN condition is all the later statements of that transaction pay (a
million-row import runs a million INSERTs): a setting local to the transaction
says it is done. The new number becomes visible with the transaction's
commit, together with the rows.

A connection whose own transaction has written (a test's, an import's) is told no
version: what it counts holds its own uncommitted rows, which nobody else may reuse,
and its later writes in the same transaction would not change the version.
SQLite: nothing here (search_index.py keeps its version).
"""

from __future__ import annotations

from django.db import connection

TABLE = "study_search_version"
FUNCTION = "study_search_version_bump"
TRIGGER = "study_search_version_bump"
DONE = "imaging_desk.study_version_bumped"  # set to 'on' for the rest of the transaction
RANDOM = "(random() * 9.0e18)::bigint"

INSTALL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)",
    f"INSERT INTO {TABLE} (id, version) VALUES (1, {RANDOM}) ON CONFLICT (id) DO NOTHING",
    f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"UPDATE {TABLE} SET version = {RANDOM} WHERE id = 1; "
    f"PERFORM set_config('{DONE}', 'on', true); RETURN NULL; END $$",
    f"DROP TRIGGER IF EXISTS {TRIGGER} ON study",
    f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON study FOR EACH STATEMENT "
    f"WHEN (coalesce(current_setting('{DONE}', true), '') <> 'on') EXECUTE FUNCTION {FUNCTION}()",
)
UNINSTALL = (
    f"DROP TRIGGER IF EXISTS {TRIGGER} ON study",
    f"DROP FUNCTION IF EXISTS {FUNCTION}()",
    f"DROP TABLE IF EXISTS {TABLE}",
)


def search_version_install() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in INSTALL:
            cursor.execute(statement)


def search_version_uninstall() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in UNINSTALL:
            cursor.execute(statement)


def search_version() -> int | None:
    """The studies' committed version, or None: not PostgreSQL, or this connection's
    transaction has written."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version, txid_current_if_assigned() IS NULL FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row and row[1] else None
