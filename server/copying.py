"""Moving in: a data folder's SQLite database copied into a shared PostgreSQL one.

Django's default database is the target (desktop/cli_database.py points it at the
URL given); the source is the data folder's db.sqlite3, opened read-only under a
second alias. Every table of Imaging Desk's own models is copied with its primary
keys, read from the source in one read transaction (a consistent snapshot, while the
app goes on searching) and written to the target in one transaction: a refusal or a
failure at any step leaves the target as it was. The audit trail is append-only:
the target's entries are kept, and the source's that it lacks (by uid) are added.

The tables SQLite keeps for its fast searches (study_text_index, study_rollup,
study_char_count, study_search_state) are derived and not models: the target keeps
its own indexes.

After the copy, each table's rows are counted and checksummed in both databases the
same way, from the values the app reads (server/copying.table_checksum); a difference
is an error, and nothing is kept.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.management.color import no_style
from django.db import DatabaseError, connection, connections, models, transaction

from server.datadir import DB_FILENAME
from server.imports.locking import import_lock_held

SOURCE_ALIAS = "copy_source"
AUDIT_LABEL = "audit.AuditEntry"
CHUNK_ROWS = 5_000
_MODULUS = 2**256


class CopyRefused(Exception):
    """A reason the copy did not start, or did not finish, in words; nothing was changed."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class TableCopy:
    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str
    # Only the audit trail: the target's own entries kept, the source's added.
    kept: int | None = None
    added: int | None = None

    @property
    def same(self) -> bool:
        return self.source_rows == self.target_rows and self.source_checksum == self.target_checksum


@dataclass(frozen=True)
class CopyResult:
    source: str
    target: str
    replaced: dict[str, int]  # the target's records that --replace removed, per table
    tables: list[TableCopy] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def verified(self) -> bool:
        return all(table.same for table in self.tables)

    def as_dict(self) -> dict:
        return {
            "source": self.source, "target": self.target, "replaced": self.replaced, "verified": self.verified,
            "tables": [{**asdict(table), "same": table.same} for table in self.tables],
            "seconds": round(self.seconds, 2),
        }


# --- what is copied -------------------------------------------------------------------


def copied_models() -> list[type[models.Model]]:
    """Every model with a table of its own in Imaging Desk's apps, each after the models
    it refers to. Unmanaged models (temporary tables, SQLite's search rollup) are
    derived, and left out."""
    found = [
        model
        for config in apps.get_app_configs() if config.name.startswith("server.")
        for model in config.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]
    ordered: list[type[models.Model]] = []

    def place(model, seen=()):
        if model in ordered or model in seen:
            return
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model in found and f.related_model is not model:
                place(f.related_model, (*seen, model))
        ordered.append(model)

    for model in sorted(found, key=lambda m: m._meta.db_table):
        place(model)
    return ordered


def _is_audit(model) -> bool:
    return model._meta.label == AUDIT_LABEL


def _columns(model) -> list:
    """The fields checksummed and copied: all of them, but the audit trail's own id
    (its entries are merged by uid, and may take another id in the target)."""
    fields = list(model._meta.concrete_fields)
    return [f for f in fields if not f.primary_key] if _is_audit(model) else fields


# --- the checksum ---------------------------------------------------------------------


class Checksum:
    """The rows' count and the sum (mod 2**256) of each row's sha256: the same for the
    same rows, whatever order the database returns them in (SQLite and PostgreSQL sort
    text differently), and different if any value of any row differs."""

    def __init__(self) -> None:
        self.rows = 0
        self._sum = 0

    def add(self, row: tuple) -> None:
        # The row's values as text, the way Python writes them: a time, a number, a text
        # or a JSON value (its keys in their order) the app reads alike from both.
        digest = hashlib.sha256(repr(row).encode("utf-8")).digest()
        self._sum = (self._sum + int.from_bytes(digest, "big")) % _MODULUS
        self.rows += 1

    @property
    def hex(self) -> str:
        return f"{self._sum:064x}"


def _rows(model, alias: str):
    names = [f.attname for f in _columns(model)]
    return model._base_manager.using(alias).order_by().values_list(*names).iterator(chunk_size=CHUNK_ROWS)


def table_checksum(model, alias: str, *, only_uids: set[str] | None = None) -> Checksum:
    """The checksum of a table's rows in one database (for the audit trail, of the
    entries whose uid is in only_uids, if given)."""
    checksum = Checksum()
    uid_at = [f.attname for f in _columns(model)].index("uid") if only_uids is not None else None
    for row in _rows(model, alias):
        if uid_at is None or row[uid_at] in only_uids:
            checksum.add(tuple(row))
    return checksum


# --- the source -----------------------------------------------------------------------


def _source_refusal(source_dir: Path) -> str | None:
    from server.backups.sqlitefile import header_problem, run_check, table_names

    database = source_dir / DB_FILENAME
    if not database.exists():
        return f"there is no database to copy: {database} does not exist"
    problem = header_problem(database)
    if problem is None:
        import sqlite3
        from contextlib import closing

        try:
            with closing(sqlite3.connect(f"{database.absolute().as_uri()}?mode=ro", uri=True, timeout=60)) as db:
                table_names(db)
                damage = run_check(db, pragma="quick_check")
            problem = None if damage is None else f"fails SQLite's check ({damage})"
        except sqlite3.DatabaseError as exc:
            problem = f"cannot be read by SQLite ({exc})"
    if problem is not None:
        return f"the database {database} is damaged: it {problem}. Restore a good backup first (imaging-desk restore)"
    if import_lock_held(data_dir=source_dir):
        return f"an import is running on {database}; copy it when the import has finished"
    return None


@contextmanager
def _source(database: Path):
    """The source database under its own alias: read-only, its transactions deferred
    (a read takes no lock: imports and searches go on)."""
    entry = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": f"{database.absolute().as_uri()}?mode=ro",
        "OPTIONS": {"transaction_mode": "DEFERRED", "timeout": 60},
    }
    merged = {**connections.settings, SOURCE_ALIAS: entry}
    connections.configure_settings(merged)  # fills in Django's defaults
    connections.settings[SOURCE_ALIAS] = merged[SOURCE_ALIAS]
    try:
        yield connections[SOURCE_ALIAS]
    finally:
        connections[SOURCE_ALIAS].close()
        del connections[SOURCE_ALIAS]
        del connections.settings[SOURCE_ALIAS]


def _source_schema_refusal(source) -> str | None:
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    from server.database import migrations_unknown, migrations_unknown_words

    recorder = MigrationRecorder(source)
    applied = set(recorder.applied_migrations()) if recorder.has_table() else set()
    unknown = migrations_unknown(applied)
    if unknown:
        return f"the database was set up by a newer version of Imaging Desk: {migrations_unknown_words(unknown)}"
    ours = {config.label for config in apps.get_app_configs() if config.name.startswith("server.")}
    missing = [key for key in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
               if key[0] in ours and key not in applied]
    if missing:
        return (
            "the database's tables are from an older version of Imaging Desk: start the app (or `imaging-desk "
            "serve`) on this data folder once, so that it brings them up to date, then copy it"
        )
    return None


# --- the target -----------------------------------------------------------------------


def target_words(database: dict) -> str:
    """The target by its server, port, database and user: never the password."""
    host, port = database.get("HOST") or "localhost", database.get("PORT") or "5432"
    user = f" as {database['USER']}" if database.get("USER") else ""
    return f"the PostgreSQL database {database['NAME']} at {host}:{port}{user}"


def _write(model, rows, *, source_checksum: Checksum) -> None:
    """COPY the rows (every concrete field, in order) into the target's table, adding
    each to source_checksum as it goes."""
    fields = list(model._meta.concrete_fields)
    checked = _columns(model)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    positions = [fields.index(f) for f in checked]
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    rows = iter(rows)
    try:
        with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for row in rows:
                source_checksum.add(tuple(row[i] for i in positions))
                values = list(row)
                for i in json_at:
                    values[i] = fields[i].get_db_prep_save(values[i], connection)
                copy.write_row(values)
    finally:
        if hasattr(rows, "close"):
            rows.close()  # the source's cursor, now, while its connection is open


def _full_rows(model, alias: str, *, ordered: bool = False):
    """Every row, as the table stores them (ordered: by primary key, which a text key
    makes SQLite read through its index: slower)."""
    names = [f.attname for f in model._meta.concrete_fields]
    order = [model._meta.pk.attname] if ordered else []
    return model._base_manager.using(alias).order_by(*order).values_list(*names).iterator(chunk_size=CHUNK_ROWS)


def _target_counts(tables) -> dict[str, int]:
    return {model._meta.db_table: model._base_manager.using("default").count() for model in tables}


def _held_words(held: dict[str, int]) -> str:
    return ", ".join(f"{rows:,} {'row' if rows == 1 else 'rows'} in {table}" for table, rows in held.items())


def _merge_audit(model) -> tuple[Checksum, int, int, set[str]]:
    """Add the source's audit entries that the target lacks (by uid), each with its own
    id where the target has no entry of that id; returns (the source's checksum, kept,
    added, the source's uids)."""
    fields = list(model._meta.concrete_fields)
    uid_at = [f.attname for f in fields].index("uid")
    pk_at = [f.primary_key for f in fields].index(True)
    target = dict(model._base_manager.using("default").values_list("uid", "pk"))
    taken = set(target.values())
    highest = max(taken, default=0)
    source_checksum, uids, added = Checksum(), set(), []
    for row in _full_rows(model, SOURCE_ALIAS, ordered=True):
        uids.add(row[uid_at])
        if row[uid_at] in target:
            source_checksum.add(tuple(value for i, value in enumerate(row) if i != pk_at))
            continue
        row = list(row)
        if row[pk_at] in taken:
            row[pk_at] = highest + 1
        taken.add(row[pk_at])
        highest = max(highest, row[pk_at])
        added.append(row)
    _write(model, added, source_checksum=source_checksum)
    return source_checksum, len(target), len(added), uids


def database_copy(*, source_dir: Path, replace: bool, progress: Callable[[str], None] | None = None) -> CopyResult:
    """Copy the SQLite database of the data folder source_dir into Django's default
    database (PostgreSQL), migrated first; every table of Imaging Desk's models, with
    its primary keys. Refuses (CopyRefused, in words; nothing changed) a source that is
    missing, damaged, from another version or being imported into, a target a newer
    version set up (ServeError from server.serving.migrate) or being imported into, and
    a target that already holds records unless replace. With replace, the target's
    records are replaced; its audit trail is kept and the source's entries added.
    The copy is recorded in the target's audit trail, and verified table by table
    (counts and checksums) before it commits. progress(words) is told each step."""
    from server.audit.services import audit_record
    from server.imports.errors import ImportBusy
    from server.imports.locking import import_lock
    from server.serving import migrate

    started = time.perf_counter()
    source_dir = Path(source_dir)
    database = source_dir / DB_FILENAME
    if connection.vendor != "postgresql":
        raise CopyRefused("the target must be a PostgreSQL database (postgresql://user@host:5432/dbname)")
    target = target_words(connection.settings_dict)
    progress = progress or (lambda step: None)
    progress(f"Checking {database}")
    if (problem := _source_refusal(source_dir)) is not None:
        raise CopyRefused(f"Nothing was copied: {problem}.")
    tables = copied_models()
    with _source(database) as source:
        if (problem := _source_schema_refusal(source)) is not None:
            raise CopyRefused(f"Nothing was copied: {problem}.")
        progress(f"Preparing the tables of {target}")
        migrate()  # the target's tables, this version's (a newer version's: ServeError)
        try:
            with import_lock():
                result = _copy_locked(tables, source_dir=source_dir, target=target, replace=replace,
                                      record=audit_record, progress=progress)
        except ImportBusy as exc:
            raise CopyRefused(f"Nothing was copied: {exc.detail} (on {target}).") from None
    return CopyResult(**{**result, "seconds": time.perf_counter() - started})


def _copy_locked(tables, *, source_dir: Path, target: str, replace: bool, record, progress) -> dict:
    database = source_dir / DB_FILENAME
    others = [model for model in tables if not _is_audit(model)]
    with transaction.atomic(using=SOURCE_ALIAS), transaction.atomic():
        held = {table: rows for table, rows in _target_counts(others).items() if rows}
        if held and not replace:
            raise CopyRefused(
                f"Nothing was copied: {target} already holds records ({_held_words(held)}). "
                "Add --replace to replace them with this data folder's (its audit trail is kept, and this one's "
                "entries are added to it)."
            )
        if held:
            quoted = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in others)
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {quoted}")
        sums: dict[str, tuple[Checksum, int | None, int | None, set | None]] = {}
        for model in tables:
            table = model._meta.db_table
            progress(f"Copying {table}")
            try:
                if _is_audit(model):
                    checksum, kept, added, uids = _merge_audit(model)
                    sums[table] = (checksum, kept, added, uids)
                else:
                    checksum = Checksum()
                    _write(model, _full_rows(model, SOURCE_ALIAS), source_checksum=checksum)
                    sums[table] = (checksum, None, None, None)
            except DatabaseError as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise CopyRefused(
                    f"The copy failed at the table {table}: PostgreSQL refused its rows ({first}). "
                    f"Nothing was changed in {target}."
                ) from None
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), tables):
                cursor.execute(sql)
        copied = []
        for model in tables:
            source_sum, kept, added, uids = sums[model._meta.db_table]
            progress(f"Checking {model._meta.db_table} in the target")
            target_sum = table_checksum(model, "default", only_uids=uids)
            copied.append(TableCopy(
                table=model._meta.db_table, source_rows=source_sum.rows, target_rows=target_sum.rows,
                source_checksum=source_sum.hex, target_checksum=target_sum.hex, kept=kept, added=added,
            ))
        different = [t for t in copied if not t.same]
        if different:
            raise CopyRefused(
                "The copy was not kept: after copying, "
                + "; ".join(
                    f"the table {t.table} has {t.target_rows:,} rows in the target against {t.source_rows:,} in the "
                    f"source" if t.target_rows != t.source_rows else
                    f"the values of the table {t.table} differ (checksum {t.target_checksum[:12]} against "
                    f"{t.source_checksum[:12]}: PostgreSQL keeps a value otherwise than SQLite holds it, such as "
                    "a time with a UTC offset)"
                    for t in different
                )
                + f". Nothing was changed in {target}."
            )
        studies = next((t.source_rows for t in copied if t.table == "study"), 0)
        reports = next((t.source_rows for t in copied if t.table == "report"), 0)
        record(
            action="database",
            summary=f"Copied the database {database} into this one ({studies:,} studies, {reports:,} reports)"
            + (", replacing its records" if held else ""),
            details={
                "what": "copy", "source": str(database), "replaced": held,
                "tables": {t.table: {"rows": t.source_rows, "checksum": t.source_checksum} for t in copied},
            },
        )
    return {"source": str(database), "target": target, "replaced": held, "tables": copied}
