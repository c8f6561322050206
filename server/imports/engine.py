"""The per-table engine of the import: one source table streamed into its model,
inside the transaction that server/imports/services.py holds, with the counts that
account for every row (TableReport).

Each row ends up inserted, updated, unchanged, counted as an identical duplicate, or
quarantined with its reason; what was written is read back before the caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db import connection

from server.clock import local_now
from server.imports.convert import PARSERS, Unstorable, is_blank, json_safe, to_text
from server.imports.dbform import DatabaseForm
from server.imports.errors import ImportFailed
from server.imports.models import ImportRun, QuarantinedRow
from server.imports.source import DuckDBSource, SourceTable
from server.imports.tables import TableSpec

BATCH_SIZE = 5_000
LOOKUP_CHUNK = 900  # keys per IN (...) query, under every SQLite build's variable limit
REPORT_ISSUES_MAX = 1_000  # the rest are in the quarantine table

ProgressFn = Callable[[str, int, int], None]  # phase, rows done, rows total


def in_chunks(keys: Sequence) -> Iterator[list]:
    """The keys in lists short enough for one `IN (...)` query each."""
    keys = list(keys)
    for start in range(0, len(keys), LOOKUP_CHUNK):
        yield keys[start : start + LOOKUP_CHUNK]


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


class TableImporter:
    """Streams one source table into its model, inside the caller's transaction."""

    def __init__(self, spec: TableSpec, source: DuckDBSource, table: SourceTable, run: ImportRun, progress: ProgressFn):
        self.spec, self.source, self.table, self.import_run, self.progress = spec, source, table, run, progress
        self.model = spec.model
        self.report = TableReport()
        by_name = {c.name.lower(): i for i, c in enumerate(table.columns)}
        # Each stored field in spec order: where the source has it (None: absent), its parser.
        self.field_plan = [
            (by_name.get(c.name.lower()), c.name, PARSERS[c.kind], c.required) for c in spec.layout.columns
        ]
        named = {c.name.lower() for c in spec.layout.columns}
        self.extra_plan = [(i, c.name) for i, c in enumerate(table.columns) if c.name.lower() not in named]
        self.report.ignored_columns = [name for _, name in self.extra_plan]
        self.key_index = by_name[spec.layout.key.lower()]
        self.source_names = [c.name for c in table.columns]
        self.quarantined_keys: set[str] = set()
        self.names = spec.layout.names
        self.db_form = DatabaseForm(
            connection, list(spec.layout.names), [c.kind for c in spec.layout.columns], spec.extra_field
        )

    # --- the pass over the source ------------------------------------------------------

    def run(self, *, rows_total: int) -> TableReport:
        spec, report = self.spec, self.report
        if spec.reference is not None:
            report.orphaned = 0
        self.progress("checking", 0, rows_total)
        repeated = self.source.repeated_keys(self.table, spec.layout.key)
        first_outcome: dict[str, str | None] = {}  # repeated key -> None if stored, else reason
        count_before = self.model.objects.count()
        # Loading more rows than the table holds: build the indexes once at the end
        # rather than update them row by row (a million studies: 3x faster). SQLite
        # only, where the DDL stays invisible to readers until the commit; on
        # PostgreSQL it would lock every other PC out of the table meanwhile.
        rebuild_indexes = connection.vendor == "sqlite" and rows_total > count_before
        if rebuild_indexes:
            self._drop_indexes()
            spec.bulk_suspend()
        self.row_number = spec.row_number_next() if spec.row_number else None

        self.progress("importing", 0, rows_total)
        for batch in self.source.rows(self.table, batch_size=BATCH_SIZE):
            staged: dict[str, tuple] = {}
            quarantine: list[QuarantinedRow] = []
            for raw in batch:
                report.source_rows += 1
                source_row, values = raw[0], raw[1:]
                try:
                    key = to_text(spec.layout.key, values[self.key_index])
                except Unstorable as exc:
                    quarantine.append(self._quarantine(source_row, None, exc.reason, values))
                    continue
                if is_blank(key):
                    quarantine.append(self._quarantine(source_row, key, f"{spec.layout.key} is missing", values))
                    continue
                identical = repeated.get(key)
                if identical is False:
                    quarantine.append(self._quarantine(
                        source_row, key,
                        f"{spec.layout.key} {key!r} appears in several rows with different contents; "
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
            spec.bulk_rebuild()
        if report.inserted or report.updated:
            spec.after_change()
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
            self.report.issues.append({"source_row": source_row, self.spec.layout.key: key, "reason": reason})
        return QuarantinedRow(
            run=self.import_run, source_table=self.table.name, source_row=source_row, key=key, reason=reason,
            raw={name: json_safe(value) for name, value in zip(self.source_names, values)},
        )

    # --- writing and checking ----------------------------------------------------------

    def _existing(self, keys: Sequence[str]) -> dict[str, tuple]:
        """The stored rows (fields and extra, as the database returns them) of these keys."""
        quote = connection.ops.quote_name
        table, key = quote(self.model._meta.db_table), quote(self.spec.layout.key)
        found = {}
        with connection.cursor() as cursor:
            for chunk in in_chunks(keys):
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
        stored_columns = [*self.spec.layout.names, self.spec.extra_field, *self.spec.derived_fields]
        now, run_id = self.db_form.timestamp(local_now()), self.import_run.pk
        with connection.cursor() as cursor:
            if inserts:
                columns = [*stored_columns, *self.spec.timestamps, "first_import_id", "last_import_id"]
                rows = [[*row, now, now, run_id, run_id] for row in inserts]
                if self.row_number is not None:
                    columns.append(self.spec.row_number)
                    for number, row in enumerate(rows, start=self.row_number):
                        row.append(number)
                    self.row_number += len(rows)
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(map(quote, columns))}) "
                    f"VALUES ({', '.join(['%s'] * len(columns))})",
                    rows,
                )
            if updates:
                columns = [*stored_columns[1:], self.spec.timestamps[1], "last_import_id"]
                assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
                cursor.executemany(
                    f"UPDATE {table} SET {assignments} WHERE {quote(self.spec.layout.key)} = %s",
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
                    f"for {self.spec.layout.key} {key!r}; nothing was kept"
                )

    def _count_orphans(self, staged: dict[str, tuple]) -> int:
        """Stored rows whose reference (a report's exam_id) names no row of its model."""
        field, model = self.spec.reference
        position = self.names.index(field)
        referenced = {record[position] for record in staged.values()} - {None}
        found = set()
        for chunk in in_chunks(referenced):
            found.update(model.objects.filter(pk__in=chunk).values_list("pk", flat=True))
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
        return sum(self.model.objects.filter(pk__in=chunk).count() for chunk in in_chunks(keys))
