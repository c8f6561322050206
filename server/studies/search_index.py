"""The indexes behind the fast Studies searches on SQLite, kept by the database itself.

- study_text_index: an FTS5 trigram index of each study's search_text (already
  folded, so the index is told to fold nothing). A phrase query finds exactly the
  studies whose text holds a string of three or more characters; the search still
  checks instr() on what it reads. Every text ends with two U+001F, so that every
  character and pair of characters begins some trigram: a union of trigrams finds
  the studies holding one or two characters too.
- study_rollup: the number of studies per day, status, source, item and gender,
  which counts the exact filters without reading the studies.
- study_char_count: the number of studies whose text holds each character, for the
  one-character searches (the most common character is in every study: no index
  makes counting those cheaper). Written by the import, not by a trigger (SQL cannot
  split a text into characters); it is used only while it is current, that is while
  its version is the studies' version.
- study_search_state: the studies' version, which every change of a study sets
  anew, so that counts kept in memory know when they are stale.

The rows of the text index are numbered by study.search_rowid, not by the table's
rowid: that of a table keyed by text is not stable, VACUUM may renumber it.

Triggers keep the first two and the version in the same transaction as every write,
whoever writes (the importer, a service, a test, the sqlite3 shell); a bulk load
drops them and rebuilds everything once (search_index_suspend/rebuild). PostgreSQL
has none of these (its search stays a scan): every function here is a no-op there
and the searches take their plain path.
"""

from __future__ import annotations

import functools
from collections import Counter

from django.db import DatabaseError, connection, transaction

TEXT_INDEX = "study_text_index"
TERMS = "study_text_terms"  # the text index's trigrams (fts5vocab)
ROLLUP = "study_rollup"
CHARS = "study_char_count"
STATE = "study_search_state"
# What the rollup counts by: the columns of the exact filters and the day.
ROLLUP_COLUMNS = ("order_day", "exam_status", "exam_source", "exam_item", "patient_gender")
HASH_SIZE = 64 * 1024 * 1024
END = "char(31, 31)"  # appended to every indexed text; q never holds U+001F


def _rollup_key(row: str) -> str:
    # quote() tells NULL from '' and from 'NULL': one key per distinct combination.
    return " || char(31) || ".join(f"quote({row}.{column})" for column in ROLLUP_COLUMNS)


def _rollup_add(row: str, step: int) -> str:
    columns = ", ".join(ROLLUP_COLUMNS)
    values = ", ".join(f"{row}.{column}" for column in ROLLUP_COLUMNS)
    return (
        f"INSERT INTO {ROLLUP} (key, {columns}, studies) VALUES ({_rollup_key(row)}, {values}, {step}) "
        f"ON CONFLICT (key) DO UPDATE SET studies = studies + {step};"
    )


def _rollup_remove(row: str) -> str:
    return (
        f"UPDATE {ROLLUP} SET studies = studies - 1 WHERE key = {_rollup_key(row)}; "
        f"DELETE FROM {ROLLUP} WHERE key = {_rollup_key(row)} AND studies = 0;"
    )


# The largest number given, read off the end of its index.
_LAST_ROWID = "SELECT search_rowid FROM study WHERE search_rowid IS NOT NULL ORDER BY search_rowid DESC LIMIT 1"
# A random version rather than a count: a change rolled back must not give its
# version back for the next change to reuse (with other rows behind it).
_BUMP = f"UPDATE {STATE} SET version = random();"

# A study's text into and out of the index (a contentless index is told the old text).
_TEXT_ADD = (
    f"INSERT INTO {TEXT_INDEX} (rowid, text) SELECT new.search_rowid, new.search_text || {END} "
    "WHERE new.search_rowid IS NOT NULL;"
)
_TEXT_REMOVE = (
    f"INSERT INTO {TEXT_INDEX} ({TEXT_INDEX}, rowid, text) "
    f"SELECT 'delete', old.search_rowid, old.search_text || {END} WHERE old.search_rowid IS NOT NULL;"
)

TRIGGERS = {
    # A study written without its number (any writer but the importer) gets the next one;
    # that UPDATE then indexes its text through study_search_text below.
    "study_search_insert": (
        "AFTER INSERT ON study BEGIN "
        f"UPDATE study SET search_rowid = coalesce(({_LAST_ROWID}), 0) + 1 "
        "WHERE rowid = new.rowid AND new.search_rowid IS NULL; "
        f"{_TEXT_ADD} "
        f"{_rollup_add('new', 1)} {_BUMP} END"
    ),
    "study_search_delete": (
        "AFTER DELETE ON study BEGIN "
        f"{_TEXT_REMOVE} "
        f"{_rollup_remove('old')} {_BUMP} END"
    ),
    "study_search_text": (
        "AFTER UPDATE OF search_text, search_rowid ON study BEGIN "
        f"{_TEXT_REMOVE} "
        f"{_TEXT_ADD} END"
    ),
    "study_search_rollup": (
        f"AFTER UPDATE OF {', '.join(ROLLUP_COLUMNS)} ON study BEGIN "
        f"{_rollup_remove('old')} {_rollup_add('new', 1)} END"
    ),
    "study_search_version": f"AFTER UPDATE ON study BEGIN {_BUMP} END",
}

TABLES = (
    f"CREATE VIRTUAL TABLE {TEXT_INDEX} USING fts5("
    "text, content='', columnsize=0, tokenize='trigram case_sensitive 1')",
    f"CREATE VIRTUAL TABLE {TERMS} USING fts5vocab({TEXT_INDEX}, row)",
    f"CREATE TABLE {ROLLUP} (key TEXT PRIMARY KEY, {', '.join(f'{c} TEXT' for c in ROLLUP_COLUMNS)}, "
    "studies INTEGER NOT NULL) WITHOUT ROWID",
    f"CREATE TABLE {CHARS} (ch TEXT PRIMARY KEY, studies INTEGER NOT NULL) WITHOUT ROWID",
    f"CREATE TABLE {STATE} (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, "
    "chars_version INTEGER)",
    f"INSERT INTO {STATE} (id, version, chars_version) VALUES (1, 0, NULL)",
)


def available() -> bool:
    """SQLite with FTS5 (Python's own builds have it; a system library may not, and
    the searches then take their plain path)."""
    return connection.vendor == "sqlite" and _has_fts5()


@functools.cache
def _has_fts5() -> bool:
    import sqlite3

    with sqlite3.connect(":memory:") as probe:
        return bool(probe.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')").fetchone()[0])


def search_index_install() -> None:
    """(Re)create the tables and triggers and fill them from the studies. The
    migrations call it, and a later change of what is defined here comes with a
    migration that calls it again."""
    if not available():
        return
    search_index_uninstall()
    with connection.cursor() as cursor:
        for statement in TABLES:
            cursor.execute(statement)
        cursor.execute("UPDATE study SET search_rowid = rowid WHERE search_rowid IS NULL")
    search_index_rebuild()
    search_chars_refresh()


def _drop_triggers(cursor) -> None:
    for name in TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def search_index_uninstall() -> None:
    if not available():
        return
    with connection.cursor() as cursor:
        _drop_triggers(cursor)
        for table in (TERMS, TEXT_INDEX, ROLLUP, CHARS, STATE):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def search_index_suspend() -> None:
    """Before a bulk load: stop keeping the indexes row by row (inside the load's
    transaction, so nobody else ever sees them missing)."""
    if not available():
        return
    with connection.cursor() as cursor:
        _drop_triggers(cursor)


def search_index_rebuild() -> None:
    """Fill the text index and the rollup from the studies, and keep them from now on."""
    if not available():
        return
    columns = ", ".join(ROLLUP_COLUMNS)
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                # Terms gathered in memory before each write of the index: 64 MB
                # rather than 1 MB built it for 1M studies in 6 s instead of 12.
                cursor.execute(f"INSERT INTO {TEXT_INDEX} ({TEXT_INDEX}, rank) VALUES ('hashsize', %s)", [HASH_SIZE])
        except DatabaseError:
            pass  # an SQLite before 'hashsize' builds it with its default
        cursor.execute(f"INSERT INTO {TEXT_INDEX} ({TEXT_INDEX}) VALUES ('delete-all')")
        cursor.execute(
            f"INSERT INTO {TEXT_INDEX} (rowid, text) SELECT search_rowid, search_text || {END} "
            "FROM study ORDER BY search_rowid"
        )
        cursor.execute(f"DELETE FROM {ROLLUP}")
        cursor.execute(
            f"INSERT INTO {ROLLUP} (key, {columns}, studies) "
            f"SELECT {_rollup_key('study')}, {columns}, count(*) FROM study GROUP BY {columns}"
        )
        _drop_triggers(cursor)
        for name, body in TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER {name} {body}")
        cursor.execute(_BUMP)


def search_rowid_next() -> int:
    """The number the importer gives the next study it inserts (it numbers its own,
    rather than leave each to the insert trigger's UPDATE)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(({_LAST_ROWID}), 0) + 1")
        return cursor.fetchone()[0]


def search_chars_refresh() -> None:
    """Count, for each character, the studies whose text holds it (one pass over the
    texts: 3.7 s for a million studies), and mark the counts current."""
    if not available():
        return
    counts: Counter[str] = Counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_text FROM study")
        while batch := cursor.fetchmany(10_000):
            for (text,) in batch:
                counts.update(set(text))
        counts.pop("\x1f", None)
        cursor.execute(f"DELETE FROM {CHARS}")
        cursor.executemany(f"INSERT INTO {CHARS} (ch, studies) VALUES (%s, %s)", list(counts.items()))
        cursor.execute(f"UPDATE {STATE} SET chars_version = version")
