"""The lossless DuckDB import.

One transaction per import: every row of the source ends up inserted, updated,
unchanged, counted as an identical duplicate, or quarantined with its reason.
Before committing, the importer checks that those counts add up to the source's
row count and reads back every row it wrote; if anything disagrees, nothing is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from server.clock import local_now
from server.imports.convert import PARSERS, Unstorable, is_blank, json_safe, to_text
from server.imports.dbform import DatabaseForm
from server.core.errors import DomainError
from server.imports.errors import ImportFailed
from server.imports.locking import import_lock
from server.imports.models import ImportRun, QuarantinedRow
from server.imports.source import DuckDBSource, SourceTable, file_fingerprint
from server.imports.tables import STUDIES, TABLES, TableSpec

BATCH_SIZE = 5_000
LOOKUP_CHUNK = 900  # keys per IN (...) query, under every SQLite build's variable limit
REPORT_ISSUES_MAX = 1_000  # the rest are in the quarantine table

ProgressFn = Callable[[str, int, int], None]  # phase, rows done, rows total


def _no_progress(phase: str, done: int, total: int) -> None:
    pass


@dataclass
class TableReport:
    source_rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    quarantined: int = 0
    not_in_source: int = 0
    orphaned: int | None = None  # only for tables that refer to another (reports -> studies)
    ignored_columns: list[str] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        section = {
            "source_rows": self.source_rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "not_in_source": self.not_in_source,
        }
        if self.orphaned is not None:
            section["orphaned"] = self.orphaned
        section["ignored_columns"] = self.ignored_columns
        section["issues"] = self.issues
        return section


def source_tables(source: DuckDBSource) -> list[tuple[TableSpec, SourceTable]]:
    """The file's tables to import, in order; refuses a file without a required one."""
    found = []
    for spec in TABLES:
        table = source.table(spec.source_table, required=spec.required, optional=not spec.required_table)
        if table is not None:
            found.append((spec, table))
    return found


def import_preflight(*, path: Path | str) -> Path:
    """Refuse, with the reason, a file that cannot be imported; touches nothing."""
    path = Path(path).expanduser().absolute()
    with DuckDBSource(path) as source:
        source_tables(source)
    return path


def import_duckdb(
    *,
    path: Path | str,
    kind: str = ImportRun.Kind.IMPORT,
    run: ImportRun | None = None,
    on_progress: ProgressFn | None = None,
) -> dict:
    """Import the clinic's DuckDB file; returns the report.

    Raises ImportRefused (file unusable, nothing changed), ImportBusy (another
    import holds the database) or ImportFailed (stopped part-way and rolled back).
    `run` is a queued ImportRun to use (the API creates it to hand out its id);
    whatever stops the import, it ends up failed with the reason, never left queued.
    """
    try:
        return _import(path=Path(path).expanduser().absolute(), kind=kind, run=run,
                       progress=on_progress or _no_progress)
    except DomainError as exc:
        if run is not None and run.pk and run.state != ImportRun.State.FAILED:
            _fail_run(run, exc.detail)
        raise


def _import(*, path: Path, kind: str, run: ImportRun | None, progress: ProgressFn) -> dict:
    started = time.perf_counter()
    with DuckDBSource(path) as source:
        tables = source_tables(source)
        with import_lock():
            mark_interrupted_runs(keep=run)
            progress("checking", 0, 0)
            size, sha256 = file_fingerprint(path)
            if run is None:
                run = ImportRun(kind=kind, source_path=str(path))
            run.state, run.source_size, run.source_sha256 = ImportRun.State.RUNNING, size, sha256
            run.started_at = local_now()
            run.save()
            try:
                with transaction.atomic():
                    sections = _import_tables(source, tables, run, progress)
                    total = sum(section.source_rows for section in sections.values())
                    studies = sections[STUDIES.label]
                    # The studies' counts at the top (as the report was first defined),
                    # then a section per further table: null when the file has none.
                    report = {**studies.as_dict(), "duration_s": round(time.perf_counter() - started, 3)}
                    for spec in TABLES[1:]:
                        section = sections.get(spec.label)
                        report[spec.label] = None if section is None else section.as_dict()
                    progress("committing", total, total)
                    _finish(run, report, studies)
            except DomainError as exc:
                _fail_run(run, exc.detail)
                raise
            except Exception as exc:
                detail = f"The import stopped and nothing of it was kept: {type(exc).__name__}: {exc}"
                _fail_run(run, detail)
                raise ImportFailed(detail) from exc
    refresh_planner_statistics()
    progress("done", total, total)
    return report


def refresh_planner_statistics() -> None:
    """Tell the database's query planner what the tables now hold. Without it SQLite
    does not know that a status has a handful of values, and reads a million index
    entries for the filter options instead of skipping between them (300 ms, not
    0.1). A full ANALYZE (1.4 s for a million studies) rather than a sample: with a
    sample SQLite still chose table scans the indexes make ten times faster."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=0")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(s.model._meta.db_table) for s in TABLES))


def _import_tables(source, tables, run, progress) -> dict[str, TableReport]:
    """Each table in turn, with progress counted over the rows of all of them."""
    counts = [source.count(table) for _, table in tables]
    grand_total, offset, sections = sum(counts), 0, {}
    for (spec, table), rows_total in zip(tables, counts):
        def table_progress(phase, done, total, offset=offset):
            progress(phase, offset + done, grand_total)

        sections[spec.label] = TableImporter(spec, source, table, run, table_progress).run(rows_total=rows_total)
        offset += rows_total
    return sections


def _fail_run(run: ImportRun, detail: str) -> None:
    run.state, run.finished_at, run.error = ImportRun.State.FAILED, local_now(), detail
    run.save(update_fields=["state", "finished_at", "error"])


def _finish(run: ImportRun, report: dict, section: TableReport) -> None:
    run.state = ImportRun.State.DONE
    run.finished_at = local_now()
    run.report = report
    for name in ("source_rows", "inserted", "updated", "unchanged", "duplicates", "quarantined", "not_in_source"):
        setattr(run, name, getattr(section, name))
    run.save()


INTERRUPTED = "interrupted: the process stopped before the import finished; nothing of it was kept"


def mark_interrupted_runs(*, keep: ImportRun | None = None) -> int:
    """Runs left queued or running by a process that died. Call with the import lock
    held: then no other import can be running."""
    stale = ImportRun.objects.filter(state__in=[ImportRun.State.QUEUED, ImportRun.State.RUNNING])
    if keep is not None and keep.pk:
        stale = stale.exclude(pk=keep.pk)
    return stale.update(state=ImportRun.State.FAILED, error=INTERRUPTED, finished_at=local_now())


class TableImporter:
    """Streams one source table into its model, inside the caller's transaction."""

    def __init__(self, spec: TableSpec, source: DuckDBSource, table: SourceTable, run: ImportRun, progress: ProgressFn):
        self.spec, self.source, self.table, self.import_run, self.progress = spec, source, table, run, progress
        self.model = spec.model
        self.report = TableReport()
        by_name = {c.name.lower(): i for i, c in enumerate(table.columns)}
        # Each stored field in spec order: where the source has it (None: absent), its parser.
        self.field_plan = [
            (by_name.get(c.name.lower()), c.name, PARSERS[c.kind], c.required) for c in spec.columns
        ]
        named = {c.name.lower() for c in spec.columns}
        self.extra_plan = [(i, c.name) for i, c in enumerate(table.columns) if c.name.lower() not in named]
        self.report.ignored_columns = [name for _, name in self.extra_plan]
        self.key_index = by_name[spec.key.lower()]
        self.source_names = [c.name for c in table.columns]
        self.quarantined_keys: set[str] = set()
        self.names = spec.column_names
        self.db_form = DatabaseForm(
            connection, list(spec.column_names), [c.kind for c in spec.columns], spec.extra_field
        )

    # --- the pass over the source ------------------------------------------------------

    def run(self, *, rows_total: int) -> TableReport:
        spec, report = self.spec, self.report
        if spec.reference is not None:
            report.orphaned = 0
        self.progress("checking", 0, rows_total)
        repeated = self.source.repeated_keys(self.table, spec.key)
        first_outcome: dict[str, str | None] = {}  # repeated key -> None if stored, else reason
        count_before = self.model.objects.count()
        # Loading more rows than the table holds: build the indexes once at the end
        # rather than update them row by row (a million studies: 3x faster). SQLite
        # only, where the DDL stays invisible to readers until the commit; on
        # PostgreSQL it would lock every other PC out of the table meanwhile.
        rebuild_indexes = connection.vendor == "sqlite" and rows_total > count_before
        if rebuild_indexes:
            self._drop_indexes()

        self.progress("importing", 0, rows_total)
        for batch in self.source.rows(self.table, batch_size=BATCH_SIZE):
            staged: dict[str, tuple] = {}
            quarantine: list[QuarantinedRow] = []
            for raw in batch:
                report.source_rows += 1
                source_row, values = raw[0], raw[1:]
                try:
                    key = to_text(spec.key, values[self.key_index])
                except Unstorable as exc:
                    quarantine.append(self._quarantine(source_row, None, exc.reason, values))
                    continue
                if is_blank(key):
                    quarantine.append(self._quarantine(source_row, key, f"{spec.key} is missing", values))
                    continue
                identical = repeated.get(key)
                if identical is False:
                    quarantine.append(self._quarantine(
                        source_row, key,
                        f"{spec.key} {key!r} appears in several rows with different contents; "
                        "none of them is stored, so that none is guessed",
                        values,
                    ))
                    continue
                if identical and key in first_outcome:
                    if first_outcome[key] is None:
                        report.duplicates += 1
                    else:
                        quarantine.append(self._quarantine(source_row, key, first_outcome[key], values))
                    continue
                try:
                    record = self._convert(values)
                except Unstorable as exc:
                    quarantine.append(self._quarantine(source_row, key, exc.reason, values))
                    if identical:
                        first_outcome[key] = exc.reason
                    continue
                if identical:
                    first_outcome[key] = None
                staged[key] = record
            self._store(staged)
            if quarantine:
                QuarantinedRow.objects.bulk_create(quarantine)
            self.progress("importing", report.source_rows, rows_total)

        if rebuild_indexes:
            self.progress("indexing", report.source_rows, rows_total)
            self._create_indexes()
        self.progress("verifying", report.source_rows, rows_total)
        self._verify_totals(rows_total, count_before)
        return report

    def _drop_indexes(self) -> None:
        with connection.cursor() as cursor:
            for index in self.model._meta.indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(index.name)}")

    def _create_indexes(self) -> None:
        editor = connection.schema_editor(collect_sql=True)  # only to write the SQL, never entered
        with connection.cursor() as cursor:
            for index in self.model._meta.indexes:
                cursor.execute(str(index.create_sql(self.model, editor)))

    def _convert(self, values: tuple) -> tuple:
        """The stored values of one source row: spec fields (key first), then extra."""
        record = []
        for index, name, parser, required in self.field_plan:
            value = None if index is None else parser(name, values[index])
            if required and is_blank(value):
                raise Unstorable(f"{name} is missing")
            record.append(value)
        record.append({name: json_safe(values[index]) for index, name in self.extra_plan})
        return tuple(record)

    def _quarantine(self, source_row: int, key: str | None, reason: str, values: tuple) -> QuarantinedRow:
        self.report.quarantined += 1
        if key is not None and not is_blank(key):
            self.quarantined_keys.add(key)
        if len(self.report.issues) < REPORT_ISSUES_MAX:
            self.report.issues.append({"source_row": source_row, self.spec.key: key, "reason": reason})
        return QuarantinedRow(
            run=self.import_run, source_table=self.table.name, source_row=source_row, key=key, reason=reason,
            raw={name: json_safe(value) for name, value in zip(self.source_names, values)},
        )

    # --- writing and checking ----------------------------------------------------------

    def _existing(self, keys: list[str]) -> dict[str, tuple]:
        """The stored rows (fields and extra, as the database returns them) of these keys."""
        quote = connection.ops.quote_name
        table, key = quote(self.model._meta.db_table), quote(self.spec.key)
        found = {}
        with connection.cursor() as cursor:
            for start in range(0, len(keys), LOOKUP_CHUNK):
                chunk = keys[start : start + LOOKUP_CHUNK]
                cursor.execute(
                    f"SELECT {self.db_form.select_list} FROM {table} "
                    f"WHERE {key} IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )
                for row in cursor.fetchall():
                    found[row[0]] = row
        return found

    def _store(self, staged: dict[str, tuple]) -> None:
        if not staged:
            return
        existing = self._existing(list(staged))
        inserts, updates, expected = [], [], {}
        for key, record in staged.items():
            written, readback = self.db_form.write(record)
            derived = list(self.spec.derive(values=dict(zip(self.names, record))).values())
            before = existing.get(key)
            if before is None:
                inserts.append([*written, *derived])
            elif before != readback:
                updates.append([*written[1:], *derived, key])
            else:
                self.report.unchanged += 1
                continue
            expected[key] = readback

        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        stored_columns = [*self.spec.column_names, self.spec.extra_field, *self.spec.derived_fields]
        now, run_id = self.db_form.timestamp(local_now()), self.import_run.pk
        with connection.cursor() as cursor:
            if inserts:
                columns = [*stored_columns, *self.spec.timestamps, "first_import_id", "last_import_id"]
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(map(quote, columns))}) "
                    f"VALUES ({', '.join(['%s'] * len(columns))})",
                    [[*row, now, now, run_id, run_id] for row in inserts],
                )
            if updates:
                columns = [*stored_columns[1:], self.spec.timestamps[1], "last_import_id"]
                assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
                cursor.executemany(
                    f"UPDATE {table} SET {assignments} WHERE {quote(self.spec.key)} = %s",
                    [[*row[:-1], now, run_id, row[-1]] for row in updates],
                )
        self.report.inserted += len(inserts)
        self.report.updated += len(updates)
        if self.spec.reference is not None:
            self.report.orphaned += self._count_orphans(staged)
        # Read back what was written: the database must hold exactly the source's values.
        found = self._existing(list(expected))
        for key, readback in expected.items():
            if found.get(key) != readback:
                raise ImportFailed(
                    f"Verification failed: the database does not hold the source's values "
                    f"for {self.spec.key} {key!r}; nothing was kept"
                )

    def _count_orphans(self, staged: dict[str, tuple]) -> int:
        """Stored rows whose reference (a report's exam_id) names no row of its model."""
        field, model = self.spec.reference
        position = self.names.index(field)
        referenced = {record[position] for record in staged.values()} - {None}
        found = set()
        refs = list(referenced)
        for start in range(0, len(refs), LOOKUP_CHUNK):
            found.update(model.objects.filter(pk__in=refs[start : start + LOOKUP_CHUNK]).values_list("pk", flat=True))
        return sum(1 for record in staged.values() if record[position] not in found)

    def _verify_totals(self, rows_total: int, count_before: int) -> None:
        r = self.report
        accounted = r.inserted + r.updated + r.unchanged + r.duplicates + r.quarantined
        if r.source_rows != rows_total or accounted != r.source_rows:
            raise ImportFailed(
                f"Verification failed: the source has {rows_total} rows, {r.source_rows} were read "
                f"and {accounted} accounted for; nothing was kept"
            )
        count_after = self.model.objects.count()
        if count_after != count_before + r.inserted:
            raise ImportFailed(
                f"Verification failed: {count_before} {self.spec.label} before, {r.inserted} inserted, "
                f"but {count_after} now; nothing was kept"
            )
        in_source = r.inserted + r.updated + r.unchanged + self._count_present(self.quarantined_keys)
        r.not_in_source = count_after - in_source

    def _count_present(self, keys: set[str]) -> int:
        keys = list(keys)
        return sum(
            self.model.objects.filter(pk__in=keys[i : i + LOOKUP_CHUNK]).count()
            for i in range(0, len(keys), LOOKUP_CHUNK)
        )
