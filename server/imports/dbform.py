"""Values in the form the database takes and gives back, so that the importer can
compare a stored row with a source row, and what it wrote with what it reads back,
exactly and without the ORM's per-value conversions (a million rows, twice)."""

from __future__ import annotations

import json

from server.core.layout import DATETIME


class DatabaseForm:
    def __init__(self, connection, columns: list[str], kinds: list[str], extra: str) -> None:
        """columns and kinds: the spec fields in order (key first); extra follows them."""
        self.sqlite = connection.vendor == "sqlite"
        self.datetime_positions = [i for i, kind in enumerate(kinds) if kind == DATETIME]
        quote = connection.ops.quote_name
        selected = []
        for name, kind in zip(columns, kinds):
            # SQLite: the stored text itself. CAST has no declared type, so Django's
            # datetime converter does not re-parse it on the way out.
            if self.sqlite and kind == DATETIME:
                selected.append(f"CAST({quote(name)} AS TEXT)")
            else:
                selected.append(quote(name))
        self.select_list = ", ".join([*selected, quote(extra)])

    def timestamp(self, value):
        """A datetime as this database takes it (SQLite: its text, converted once here
        rather than by the driver's adapter for every row)."""
        return str(value) if self.sqlite else value

    def write(self, record: tuple) -> tuple[list, tuple]:
        """(values to send, the row reading it back must give) for a converted record."""
        values = list(record)
        extra = values[-1]
        if self.sqlite:
            for i in self.datetime_positions:
                if values[i] is not None:
                    values[i] = str(values[i])  # Django's SQLite form: isoformat(" ")
            # As Django's JSONField writes it, so rows the ORM saved compare equal.
            values[-1] = json.dumps(extra) if extra else "{}"
            return values, tuple(values)
        from psycopg.types.json import Json

        values[-1] = Json(extra, dumps=lambda v: json.dumps(v, ensure_ascii=False))
        # psycopg hands back datetimes and decoded json.
        return values, (*values[:-1], extra)
