"""The lossless DuckDB import.

One transaction per import: every row of the source ends up inserted, updated,
unchanged, counted as an identical duplicate, or quarantined with its reason.
Before committing, the importer checks that those counts add up to the source's
row count and reads back every row it wrote; if anything disagrees, nothing is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from server.clock import local_now
from server.imports.convert import PARSERS, Unstorable, is_blank, json_safe, to_text
from server.imports.errors import ImportFailed, ImportRefused
from server.imports.locking import import_lock
from server.imports.models import ImportRun, QuarantinedRow
from server.imports.source import DuckDBSource, SourceTable, file_fingerprint
from server.imports.tables import STUDIES, TableSpec

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
    ignored_columns: list[str] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "source_rows": self.source_rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "not_in_source": self.not_in_source,
            "ignored_columns": self.ignored_columns,
            "issues": self.issues,
        }


def import_preflight(*, path: Path | str, spec: TableSpec = STUDIES) -> Path:
    """Refuse, with the reason, a file that cannot be imported; touches nothing."""
    path = Path(path).expanduser().absolute()
    with DuckDBSource(path) as source:
        source.table(spec.source_table, required=spec.required)
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
    `run` is a queued ImportRun to use (the API creates it to hand out its id).
    """
    progress = on_progress or _no_progress
    path = Path(path).expanduser().absolute()
    started = time.perf_counter()
    with DuckDBSource(path) as source:
        table = source.table(STUDIES.source_table, required=STUDIES.required)
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
                    section = TableImporter(STUDIES, source, table, run, progress).run()
                    report = {**section.as_dict(), "duration_s": round(time.perf_counter() - started, 3)}
                    progress("committing", section.source_rows, section.source_rows)
                    _finish(run, report, section)
            except Exception as exc:
                run.state = ImportRun.State.FAILED
                run.finished_at = local_now()
                run.error = exc.detail if isinstance(exc, ImportFailed) else f"{type(exc).__name__}: {exc}"
                run.save(update_fields=["state", "finished_at", "error"])
                if isinstance(exc, (ImportFailed, ImportRefused)):
                    raise
                raise ImportFailed(
                    f"The import stopped and nothing of it was kept: {type(exc).__name__}: {exc}"
                ) from exc
    progress("done", section.source_rows, section.source_rows)
    return report


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
        # Position of each source column: a model field with its parser, or extra.
        self.plan = []
        named = {c.name.lower(): c for c in spec.columns}
        for index, column in enumerate(table.columns):
            wanted = named.get(column.name.lower())
            if wanted is None:
                self.report.ignored_columns.append(column.name)
                self.plan.append((index, column.name, None))
            else:
                self.plan.append((index, wanted.name, PARSERS[wanted.kind]))
        self.key_index = next(i for i, name, parser in self.plan if parser and name == spec.key)
        self.source_names = [c.name for c in table.columns]
        self.fields = list(spec.column_names[1:])  # stored fields after the key, in spec order
        self.quarantined_keys: set[str] = set()

    # --- the pass over the source ------------------------------------------------------

    def run(self) -> TableReport:
        spec, report = self.spec, self.report
        rows_total = self.source.count(self.table)
        self.progress("checking", 0, rows_total)
        repeated = self.source.repeated_keys(self.table, spec.key)
        first_outcome: dict[str, str | None] = {}  # repeated key -> None if stored, else reason
        count_before = self.model.objects.count()

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

        self.progress("verifying", report.source_rows, rows_total)
        self._verify_totals(rows_total, count_before)
        return report

    def _convert(self, values: tuple) -> tuple:
        """The stored values (key first, then spec order, then extra) of one source row."""
        record = {}
        extra = {}
        for index, name, parser in self.plan:
            if parser is None:
                extra[name] = json_safe(values[index])
            else:
                record[name] = parser(name, values[index])
        for column in self.spec.columns:
            if column.required and is_blank(record.get(column.name)):
                raise Unstorable(f"{column.name} is missing")
        return (*(record.get(name) for name in self.spec.column_names), extra)

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

    def _existing(self, keys: Iterable[str]) -> dict[str, tuple]:
        keys = list(keys)
        found = {}
        columns = [*self.spec.column_names, self.spec.extra_field]
        for start in range(0, len(keys), LOOKUP_CHUNK):
            chunk = keys[start : start + LOOKUP_CHUNK]
            for row in self.model.objects.filter(pk__in=chunk).values_list(*columns):
                found[row[0]] = row
        return found

    def _store(self, staged: dict[str, tuple]) -> None:
        if not staged:
            return
        existing = self._existing(staged)
        inserts, updates = [], []
        for key, record in staged.items():
            before = existing.get(key)
            if before is None:
                inserts.append(record)
            elif before != record:
                updates.append(record)
            else:
                self.report.unchanged += 1
        now = local_now()
        extra_field = self.model._meta.get_field(self.spec.extra_field)
        names = self.spec.column_names
        table = connection.ops.quote_name(self.model._meta.db_table)

        def stored(record: tuple) -> list:
            values = dict(zip(names, record))
            derived = self.spec.derived(values)
            return [*record[:-1], extra_field.get_db_prep_save(record[-1], connection), *derived.values()]

        derived_names = list(self.spec.derived({name: None for name in names}))
        with connection.cursor() as cursor:
            if inserts:
                columns = [*names, self.spec.extra_field, *derived_names,
                           "created_at", "updated_at", "first_import_id", "last_import_id"]
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(map(connection.ops.quote_name, columns))}) "
                    f"VALUES ({', '.join(['%s'] * len(columns))})",
                    [[*stored(r), now, now, self.import_run.pk, self.import_run.pk] for r in inserts],
                )
            if updates:
                columns = [*names[1:], self.spec.extra_field, *derived_names, "updated_at", "last_import_id"]
                assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
                cursor.executemany(
                    f"UPDATE {table} SET {assignments} WHERE {connection.ops.quote_name(names[0])} = %s",
                    [[*stored(r)[1:], now, self.import_run.pk, r[0]] for r in updates],
                )
        self.report.inserted += len(inserts)
        self.report.updated += len(updates)
        # Read back what was written: the database must hold exactly the source's values.
        written = {r[0]: r for r in (*inserts, *updates)}
        found = self._existing(written)
        for key, record in written.items():
            if found.get(key) != record:
                raise ImportFailed(
                    f"Verification failed: the database does not hold the source's values "
                    f"for {self.spec.key} {key!r}; nothing was kept"
                )

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
