"""The `imaging-desk` command. Each subcommand wraps a library function in server/."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from desktop.cli_backups import BACKUP_COMMANDS, add_backup_commands
from desktop.cli_database import DATABASE_COMMANDS, add_database_commands

EPILOG = """\
examples:
  imaging-desk                            open the app in its window (as `imaging-desk window`)
  imaging-desk serve                      start on http://127.0.0.1:8765/
  imaging-desk serve --port 9000 --data-dir D:\\ImagingDesk
  imaging-desk serve --database-url postgresql://desk@db.clinic.lan/imaging
  imaging-desk token                      print the API token for scripts
  imaging-desk audit --action export      what was exported, newest first
  imaging-desk login-link                 a fresh one-time link into the running app

The data folder defaults to your user data folder ("ImagingDesk"); --data-dir or
the IMAGING_DESK_DATA_DIR environment variable chooses another. The records live in
the data folder's SQLite file unless --database-url, IMAGING_DESK_DATABASE_URL or
settings.json's database_url names a PostgreSQL database shared by several PCs.
"""


def _add_data_dir(parser: argparse.ArgumentParser, *, database: bool = True) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder for the database, API token, secret key and logs "
        "(default: $IMAGING_DESK_DATA_DIR or the user data folder)",
    )
    if database:
        parser.add_argument(
            "--database-url",
            metavar="URL",
            help="keep the records in this PostgreSQL database (postgresql://user:password@host:5432/dbname) "
            "instead of the data folder's SQLite file; default: $IMAGING_DESK_DATABASE_URL, else "
            "settings.json's database_url. A password given here shows in this PC's process list: "
            "the variable or settings.json keep it out of sight",
        )


def build_parser() -> argparse.ArgumentParser:
    from server import __version__
    from server.serving import DEFAULT_HOST, DEFAULT_PORT

    parser = argparse.ArgumentParser(
        prog="imaging-desk",
        description="Imaging Desk: find and review a clinic's imaging examinations.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"imaging-desk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    window = commands.add_parser(
        "window",
        help="open the app in a desktop window (the default with no command)",
        description="Start the server inside this process and open the app in a native window, "
        "with the File and Help menus. A second launch for the same data folder brings the "
        "running window forward. Where no window can open (no display, or no pywebview), it "
        "serves on http://127.0.0.1:8765/ as `serve` does.",
        epilog="example: imaging-desk window --data-dir D:\\ImagingDesk",
    )
    _add_data_dir(window)

    serve = commands.add_parser(
        "serve",
        help="run the server on localhost",
        description="Apply pending database migrations, then serve the app and the API "
        "with waitress until Ctrl-C or SIGTERM.",
        epilog="example: imaging-desk serve --port 8765",
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 picks a free one)"
    )
    _add_data_dir(serve)

    token = commands.add_parser(
        "token",
        help="print the API token for scripts (--reset: issue a new one)",
        description="Print the API token, creating it if this data folder has none yet. "
        "Send it as `Authorization: Bearer <token>`. With --reset, issue a new token and print "
        "it: the old one stops working at once, in a running server too. The reset is recorded "
        "in the audit trail (the token itself never is).",
        epilog='examples:\n  curl -H "Authorization: Bearer $(imaging-desk token)" '
        "http://127.0.0.1:8765/api/v1/auth/me\n  imaging-desk token --reset",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    token.add_argument("--reset", action="store_true", help="issue a new token; the old one stops working")
    _add_data_dir(token)

    audit = commands.add_parser(
        "audit",
        help="list the audit trail: what moved patient data in or out",
        description="List the audit trail's entries, newest first: imports, exports, analyses, "
        "backups, restores and token resets, each with its time, user and what it moved. "
        "--csv writes them to a file instead (recorded as an export of the trail).",
        epilog="examples:\n  imaging-desk audit --action export --since 2026-11-01\n"
        "  imaging-desk audit --json\n  imaging-desk audit --csv audit.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    audit.add_argument("--action", default="", help="only this action (import, export, analysis, backup, ...)")
    audit.add_argument("--user", default="", help="only this user, as listed")
    audit.add_argument("--since", default="", metavar="YYYY-MM-DD", help="entries from this day, inclusive")
    audit.add_argument("--until", default="", metavar="YYYY-MM-DD", help="entries up to this day, inclusive")
    audit.add_argument("--q", default="", metavar="TEXT", help="entries whose summary contains this text")
    audit.add_argument("--json", action="store_true", help="print the entries as one JSON array")
    audit.add_argument("--csv", metavar="FILE", help="write the entries to this CSV file")
    _add_data_dir(audit)

    link = commands.add_parser(
        "login-link",
        help="print a fresh one-time login link to the running server",
        description="Print a single-use link, valid for 60 seconds, that opens the app "
        "in a browser signed in.",
        epilog="example: imaging-desk login-link",
    )
    _add_data_dir(link, database=False)
    imp = commands.add_parser(
        "import-duckdb",
        help="import the clinic's DuckDB file (medical_examinations_fact)",
        description="Import every row of the DuckDB file's medical_examinations_fact table in "
        "one transaction: new studies are inserted, changed ones updated, rows that cannot be "
        "stored are quarantined with the reason. The file is opened read-only. Exit code 0 "
        "when rows were imported, 1 when nothing was (the reason is on stderr).",
        epilog="example: imaging-desk import-duckdb D:\\exports\\medical_imaging.duckdb --json",
    )
    imp.add_argument("path", help="the DuckDB file")
    imp.add_argument("--json", action="store_true", help="print the report as one JSON object on stdout")
    _add_data_dir(imp)

    link = commands.add_parser(
        "link-duckdb",
        help="follow a DuckDB file that the old system still writes",
        description="Link the app to a DuckDB file: it is imported now, and the running server "
        "syncs it again at start and whenever the file changes (checked every 30 s). Each sync "
        "is an ordinary import, in the history. Studies are never removed by a sync.",
        epilog="example: imaging-desk link-duckdb \\\\pacs-pc\\exports\\medical_imaging.duckdb",
    )
    link.add_argument("path", help="the DuckDB file")
    _add_data_dir(link)

    unlink = commands.add_parser(
        "unlink",
        help="stop following the linked DuckDB file",
        description="Stop syncing the linked file. Its studies stay in the database.",
        epilog="example: imaging-desk unlink",
    )
    _add_data_dir(unlink)

    demo = commands.add_parser(
        "demo-data",
        help="write a synthetic DuckDB file in the clinic's source layout",
        description="Write realistic synthetic examinations (Latin and Chinese names, common "
        "modalities, nulls, turnaround times) and their reports (findings in five languages, with "
        "and without nodules) to a new DuckDB file, the same for the same seed. For demos, tests "
        "and benchmarks: never real patient data.",
        epilog="example: imaging-desk demo-data demo.duckdb --rows 100000 --seed 7",
    )
    demo.add_argument("path", help="the DuckDB file to write")
    demo.add_argument("--rows", type=int, required=True, help="how many examinations")
    demo.add_argument("--seed", type=int, default=0, help="the same seed writes the same rows (default 0)")
    demo.add_argument("--force", action="store_true", help="replace the file if it exists")
    demo.add_argument("--no-reports", action="store_true", help="write the examinations table alone")
    add_backup_commands(commands, _add_data_dir)
    add_database_commands(commands, _add_data_dir)
    return parser


def _setup(data_dir: str | None, *, extra_hosts: list[str] = ()) -> Path:
    """Point Django at the data folder and start it. Must run before any model import."""
    if data_dir:
        os.environ["IMAGING_DESK_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    if extra_hosts:
        os.environ["IMAGING_DESK_EXTRA_HOSTS"] = ",".join(extra_hosts)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
    import django
    from django.conf import settings

    django.setup()
    return Path(settings.DATA_DIR)


def _fail(message: str) -> int:
    if sys.stderr is not None:
        print(f"imaging-desk: {message}", file=sys.stderr, flush=True)
    return 1


def cmd_serve(args) -> int:
    from server.serving import LOOPBACK_BIND

    extra = []
    if args.host not in LOOPBACK_BIND and args.host not in ("0.0.0.0", "::", ""):
        # Someone who binds a specific address means to reach the app by it.
        extra.append(f"[{args.host}]" if ":" in args.host else args.host)
    data_dir = _setup(args.data_dir, extra_hosts=extra)
    from server.serving import ServeError, serve

    if args.host not in LOOPBACK_BIND:
        print(
            f"Warning: listening on {args.host}, not only on this PC. "
            "Anyone who can reach it still needs the API token.",
            file=sys.stderr,
        )
    try:
        return serve(host=args.host, port=args.port, data_dir=data_dir)
    except ServeError as exc:
        return _fail(str(exc))


def _console_to_log(data_dir: Path) -> None:
    """Windowed builds have no console (sys.stdout and sys.stderr are None): what would
    be printed goes to logs/console.log instead of failing."""
    if sys.stdout is None or sys.stderr is None:
        stream = open(data_dir / "logs" / "console.log", "a", encoding="utf-8", buffering=1)  # noqa: SIM115
        sys.stdout = sys.stdout or stream
        sys.stderr = sys.stderr or stream


def cmd_window(args) -> int:
    data_dir = _setup(getattr(args, "data_dir", None))
    _console_to_log(data_dir)
    import logging

    from desktop.window import desktop_run

    try:
        return desktop_run(data_dir=data_dir)
    except Exception as exc:  # never a silent exit: say it, with where the log is
        log = data_dir / "logs" / "server.log"
        logging.getLogger("imaging_desk.desktop").exception("the desktop app stopped")
        from desktop.window import _native_message

        _native_message("Imaging Desk stopped", f"{exc}\n\nThe log has the details: {log}")
        return 1


def _data_dir(args) -> Path:
    """The data folder, for commands that need no Django."""
    from server import datadir

    chosen = Path(args.data_dir).expanduser().resolve() if args.data_dir else datadir.data_dir()
    return datadir.ensure_data_dir(chosen)


def cmd_token(args) -> int:
    from server import datadir

    if not args.reset:
        print(datadir.api_token(_data_dir(args)))
        return 0
    data_dir = _setup(args.data_dir)
    from server.audit.services import audit_record
    from server.serving import migrate

    migrate()
    token = datadir.api_token_reset(data_dir)
    audit_record(
        action="token_reset", summary="A new API token was issued; the old one no longer works",
        details={"data_dir": str(data_dir)},
    )
    print(token)
    return 0


def cmd_audit(args) -> int:
    _setup(args.data_dir)
    from server.audit.cli import audit_command
    from server.serving import migrate

    migrate()
    return audit_command(args, fail=_fail)


def cmd_login_link(args) -> int:
    from server import datadir
    from server.serving import request_login_link, running_server_url

    data_dir = _data_dir(args)
    url = running_server_url(data_dir)
    if url is None:
        return _fail(
            f"no Imaging Desk server is running for {data_dir}; start one with `imaging-desk serve`"
        )
    print(request_login_link(url, datadir.api_token(data_dir)))
    return 0


def _unsound_database(data_dir: Path) -> str | None:
    """Why nothing may be imported into the data folder's database (damaged, or missing
    while backups exist: an import would fill a new, empty one in its place), in the
    words `serve` says it, with the backup that restores it; None when it is sound."""
    from server.serving import ServeError, database_check

    try:
        database_check(data_dir)
    except ServeError as exc:
        return f"nothing was imported. {exc}"
    return None


def cmd_import_duckdb(args) -> int:
    data_dir = _setup(args.data_dir)
    if (problem := _unsound_database(data_dir)) is not None:
        return _fail(problem)
    from server.imports.worker import import_isolated, import_queue_isolated
    from server.serving import migrate

    migrate()

    def start(on_progress):
        return import_isolated(run=import_queue_isolated(path=args.path), on_progress=on_progress)

    return _run_import(args.path, as_json=args.json, start=start)


def _run_import(path: str, *, as_json: bool, start) -> int:
    """Run start(on_progress) -> report with a progress bar, then print the report;
    shared by import-duckdb and link-duckdb."""
    from desktop.progress import ProgressBar, print_summary
    from server.core.errors import DomainError
    from server.imports.errors import ImportCancelled

    bar = ProgressBar(sys.stderr)
    try:
        report = start(bar.update)  # Ctrl-C cancels: the import rolls back and is recorded as cancelled
    except ImportCancelled as exc:
        bar.clear()
        _fail(exc.detail)
        return 130
    except DomainError as exc:
        bar.clear()
        return _fail(exc.detail)
    bar.clear()
    if as_json:
        from server.core.renderers import dumps

        print(dumps(report))
    else:
        print_summary(sys.stdout, path, report)
    stored = report["inserted"] + report["updated"] + report["unchanged"] + report["duplicates"]
    if stored == 0:
        if report["source_rows"] == 0:
            return _fail("nothing was imported: the table has no rows")
        return _fail(
            f"nothing was imported: none of the {report['source_rows']} rows could be stored "
            "(the reasons are in the report)"
        )
    return 0


def cmd_link_duckdb(args) -> int:
    data_dir = _setup(args.data_dir)
    if (problem := _unsound_database(data_dir)) is not None:
        return _fail(problem)
    from server.imports.linking import link_duckdb
    from server.serving import migrate

    migrate()

    def start(on_progress):
        link, report = link_duckdb(path=args.path, on_progress=on_progress)
        print(f"Linked {link.path}; the running server syncs it at start and whenever it changes.")
        return report

    return _run_import(args.path, as_json=False, start=start)


def cmd_unlink(args) -> int:
    _setup(args.data_dir)
    from server.imports.linking import unlink
    from server.serving import migrate

    migrate()
    link = unlink()
    if link is None:
        print("No DuckDB file was linked.")
    else:
        print(f"Unlinked {link.path}. Its studies stay in the database.")
    return 0


def cmd_demo_data(args) -> int:
    import time

    from server.demo import demo_data_write

    started = time.perf_counter()
    try:
        data = demo_data_write(
            path=Path(args.path), rows=args.rows, seed=args.seed, force=args.force, reports=not args.no_reports
        )
    except (ValueError, OSError) as exc:
        return _fail(str(exc))
    elapsed = time.perf_counter() - started
    written = f"{data.examinations:,} examinations"
    if not args.no_reports:
        written += f" and {data.reports:,} reports"
    print(f"Wrote {written} to {args.path} in {elapsed:.1f} s (seed {args.seed})")
    return 0


COMMANDS = {
    "window": cmd_window,
    "serve": cmd_serve,
    "token": cmd_token,
    "audit": cmd_audit,
    "login-link": cmd_login_link,
    "import-duckdb": cmd_import_duckdb,
    "link-duckdb": cmd_link_duckdb,
    "unlink": cmd_unlink,
    "demo-data": cmd_demo_data,
    **BACKUP_COMMANDS,
    **DATABASE_COMMANDS,
}


def main(argv: list[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # an import's child process, in a frozen (PyInstaller) build
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["window", *argv]  # no command: the window, with its options (--data-dir)
    args = parser.parse_args(argv)
    if getattr(args, "database_url", None):
        # Read by server/settings.py, and inherited by an import's child process.
        os.environ["IMAGING_DESK_DATABASE_URL"] = args.database_url
    from server.serving import ServeError

    try:
        return COMMANDS[args.command](args)
    except ServeError as exc:  # e.g. a database a newer version set up, met by any command
        return _fail(str(exc))
    except Exception as exc:
        # A database that cannot be opened or set up (PostgreSQL unreachable, a wrong
        # password, no such database, no right to create tables), met by any command.
        from django.db import DatabaseError

        if not isinstance(exc, DatabaseError):
            raise
        from django.db import connection

        from server.database import database_unavailable_words

        return _fail(database_unavailable_words(exc, connection.settings_dict))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
