"""The `copy-database` command: wired into desktop/cli.py, wrapping server/copying.py."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


def add_database_commands(commands, add_data_dir: Callable[..., None]) -> None:
    copy = commands.add_parser(
        "copy-database",
        help="move this data folder's SQLite database into a shared PostgreSQL database",
        description="Copy every table of the data folder's SQLite database (studies, reports, the import "
        "history and its quarantine, analysis tasks, the linked file, the audit trail) into a PostgreSQL "
        "database, keeping every record's id. The source is read as one consistent snapshot (the app may go "
        "on searching) and left as it is; the target gets this version's tables first and is written in one "
        "transaction, so that a refusal or a failure leaves it as it was. Afterwards every table's rows are "
        "counted and checksummed in both databases; a difference undoes the copy. A target that already "
        "holds records is refused unless --replace: its records are then replaced, but never its audit "
        "trail, to which this folder's entries are added (none twice). Refused while an import runs. "
        "Exit code 0 when the copy was made and verified, 1 if not (the reason is on stderr). Then point "
        "each PC at the target (database_url in settings.json, or IMAGING_DESK_DATABASE_URL).",
        epilog="example: imaging-desk copy-database --to postgresql://imaging:PASSWORD@dbserver:5432/imaging",
    )
    copy.add_argument("--to", metavar="URL", required=True,
                      help="the PostgreSQL database, postgresql://user:password@host:5432/dbname")
    copy.add_argument("--replace", action="store_true",
                      help="replace the records the target already holds (its audit trail is kept)")
    copy.add_argument("--json", action="store_true", help="print the outcome, table by table, as one JSON object")
    add_data_dir(copy, database=False)  # --to names the database: the source is always the folder's SQLite


def _report(result) -> str:
    width = max(len(table.table) for table in result.tables)
    lines = [f"Copied {result.source} into {result.target} in {result.seconds:.1f} s."]
    if result.replaced:
        removed = ", ".join(f"{rows:,} in {table}" for table, rows in result.replaced.items())
        lines.append(f"Replaced the target's records ({removed}); its audit trail was kept.")
    lines.append(f"{'table':<{width}}  {'source rows':>12}  {'target rows':>12}  checksum")
    for table in result.tables:
        verdict = "same" if table.same else "DIFFERENT"
        merged = "" if table.kept is None else f" ({table.kept:,} entries the target had, {table.added:,} added)"
        lines.append(
            f"{table.table:<{width}}  {table.source_rows:>12,}  {table.target_rows:>12,}  "
            f"{table.source_checksum[:16]} {verdict}{merged}"
        )
    lines.append("Every table has the same rows and the same checksum of its values in both databases.")
    lines.append(
        "To work on it, point each PC at it: \"database_url\" in the data folder's settings.json "
        "(or IMAGING_DESK_DATABASE_URL). This data folder's SQLite database is unchanged."
    )
    return "\n".join(lines)


class _Step:
    """The step under way, on one line of a terminal; silent on a pipe or a log."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.active = stream is not None and stream.isatty()

    def __call__(self, words: str) -> None:
        if self.active:
            self.stream.write(f"\r\x1b[K{words}…")
            self.stream.flush()

    def clear(self) -> None:
        if self.active:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def cmd_copy_database(args) -> int:
    from desktop.cli import _fail, _setup

    # The target is Django's default database for this command: its migrations, its
    # import lock and its audit trail are then the ones every other command uses.
    os.environ["IMAGING_DESK_DATABASE_URL"] = args.to
    data_dir = _setup(args.data_dir)
    from django.db import DatabaseError, connection

    from server.copying import CopyRefused, database_copy
    from server.core.renderers import dumps
    from server.database import database_unavailable_words
    from server.serving import ServeError

    step = _Step(sys.stderr)
    result, problem = None, None
    try:
        result = database_copy(source_dir=data_dir, replace=args.replace, progress=step)
    except CopyRefused as exc:
        problem = exc.detail
    except ServeError as exc:
        problem = f"Nothing was copied: {exc}"
    except DatabaseError as exc:
        problem = f"Nothing was copied: {database_unavailable_words(exc, connection.settings_dict)}."
    finally:
        step.clear()
    if problem is not None:
        return _fail(problem)
    print(dumps(result.as_dict()) if args.json else _report(result))
    return 0


DATABASE_COMMANDS = {"copy-database": cmd_copy_database}
