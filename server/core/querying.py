"""Small, allowlisted query builders shared by the searches (studies, reports)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db.models import Func, Lookup, Q, TextField


@TextField.register_lookup
class Instr(Lookup):
    """`field__instr=needle`: the field contains needle, taken literally (no LIKE
    wildcards, no pattern length limit)."""

    lookup_name = "instr"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"INSTR({lhs}, {rhs}) > 0", [*lhs_params, *rhs_params]

    def as_postgresql(self, compiler, connection):
        """An escaped `LIKE '%needle%'`, which a pg_trgm GIN index serves
        (server/core/trigram.py); `\\`, `%` and `_` in needle stand for themselves,
        so it holds exactly where STRPOS(field, needle) > 0 does."""
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not self.rhs_is_direct_value():
            rhs, rhs_params = self.process_rhs(compiler, connection)
            return f"STRPOS({lhs}, {rhs}) > 0", [*lhs_params, *rhs_params]
        return f"{lhs} LIKE %s ESCAPE '\\'", [*lhs_params, "%" + like_escaped(str(self.rhs)) + "%"]


def like_escaped(text: str) -> str:
    """text as a LIKE pattern with `\\` as the escape character: matching only itself."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def exact_conditions(allowed: Mapping[str, str], values: Mapping[str, str | Sequence[str]]) -> list[Q]:
    """`field = value` for each given parameter, or `field IN (...)` for a repeated
    one; empty values mean no filter. Only the allowlisted parameters (parameter ->
    field path) are accepted."""
    conditions = []
    for parameter, value in values.items():
        if parameter not in allowed:
            raise ValueError(f"{parameter} is not a filterable parameter")
        wanted = [value] if isinstance(value, str) else [v for v in value]
        wanted = [v for v in wanted if v != ""]
        if len(wanted) == 1:
            conditions.append(Q(**{allowed[parameter]: wanted[0]}))
        elif wanted:
            conditions.append(Q(**{f"{allowed[parameter]}__in": wanted}))
    return conditions


class CodePoint(Func):
    """Text compared by Unicode code point on every database: SQLite's default
    collation does so, PostgreSQL's follows a locale unless told "C"."""

    template = "%(expressions)s"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template='%(expressions)s COLLATE "C"', **extra)


def choose_order(*, q: str, total: int, end: int, index_order: tuple, scan_order: tuple) -> tuple:
    """The ORDER BY for a page ending at match number `end` of `total`.

    Exact filters are served by their (field, order) indexes. A q filter is not:
    walking the order index pays off only when the page ends within the first
    tenth of the matches (matches spread evenly in time reach it within a tenth of
    the table); otherwise a scan and a sort of the matches is many times faster
    (one match in a million: 0.5 s instead of 2.7 s). Both give identical results.
    """
    if q and end * 10 > total:
        return scan_order
    return index_order
