"""Run the server with waitress on localhost. Assumes Django is set up (see desktop/cli.py)."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TextIO

from server import datadir

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
MIN_THREADS = 8
LOOPBACK_BIND = {"127.0.0.1", "localhost", "::1"}


class ServeError(Exception):
    """A reason the server could not start, worded for the person who ran it."""


def say(out: TextIO | None, text: str) -> None:
    # Windowed (PyInstaller) builds have no console: sys.stdout is None there.
    if out is not None:
        print(text, file=out, flush=True)


def base_url(host: str, port: int) -> str:
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


# pg_advisory_lock key of the migrations: any constant the app uses for nothing else.
MIGRATION_LOCK_KEY = 0x1D5E_0A16


def migrate() -> None:
    """Bring the database's tables up to this version's, once, whoever else starts.

    On PostgreSQL several PCs may start on a new database at the same moment: the
    database serialises them (an advisory lock held around the migrations), so the
    second waits, then finds the tables made (without it, one of two `import-duckdb`
    started together failed with `duplicate key value violates unique constraint` on
    pg_class's or pg_type's index).
    A database that a newer version of Imaging Desk has migrated is refused in words
    (ServeError): this version would misread its tables."""
    import io

    from django.core.management import call_command
    from django.db import connection

    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
    try:
        schema_too_new_refuse()
        # Windowed builds have sys.stdout None, on which call_command fails: give it streams.
        call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
        if postgres:
            # The q search's indexes, once a superuser has created pg_trgm since the
            # migration that could not (server/core/trigram.py): built once, here.
            from server.composition.selectors import TRIGRAM_INDEXES
            from server.core.trigram import trigram_indexes_create

            trigram_indexes_create(TRIGRAM_INDEXES)
    finally:
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_KEY])


def schema_too_new_refuse() -> None:
    """Raise ServeError if the database holds migrations of Imaging Desk's own apps that
    this version does not have: a newer version set it up."""
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    from server.database import migrations_unknown, migrations_unknown_words

    recorder = MigrationRecorder(connection)
    unknown = migrations_unknown(recorder.applied_migrations() if recorder.has_table() else [])
    if unknown:
        database = connection.settings_dict
        where = (
            f"The database {database['NAME']}" if connection.vendor == "sqlite"
            else f"The PostgreSQL database {database['NAME']} on {database['HOST'] or 'localhost'}"
        )
        raise ServeError(
            f"{where} was set up by a newer version of Imaging Desk: {migrations_unknown_words(unknown)}. "
            "Install the newer version on this PC; nothing was changed."
        )


def login_url(url: str) -> str:
    from server.core.auth import login_code_create

    return f"{url}login?once={login_code_create()}"


def create_server(*, host: str, port: int, threads: int = MIN_THREADS):
    import waitress

    from server.wsgi import application

    try:
        return waitress.create_server(
            application, host=host, port=port, threads=max(threads, MIN_THREADS), ident="ImagingDesk"
        )
    except OSError as exc:
        if getattr(exc, "errno", None) in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            raise ServeError(
                f"Port {port} on {host} is already in use (is Imaging Desk already running?). "
                "Pass --port to choose another."
            ) from None
        raise ServeError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _info_path(data_dir: Path) -> Path:
    return data_dir / datadir.SERVER_INFO_FILENAME


def write_server_info(data_dir: Path, *, url: str) -> None:
    info = {"url": url, "pid": os.getpid(), "started_at": time.time()}
    _info_path(data_dir).write_text(json.dumps(info), encoding="utf-8")


def clear_server_info(data_dir: Path) -> None:
    path = _info_path(data_dir)
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def running_server_url(data_dir: Path) -> str | None:
    """The URL of the server serving this data dir, if one answers its health check."""
    try:
        url = json.loads(_info_path(data_dir).read_text(encoding="utf-8"))["url"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        with urllib.request.urlopen(f"{url}api/v1/health", timeout=3) as response:
            if response.status == 200:
                return url
    except (urllib.error.URLError, OSError, ValueError):
        pass
    return None


def request_login_link(url: str, token: str) -> str:
    """Ask the running server for a one-time login link (codes live in its memory)."""
    request = urllib.request.Request(
        f"{url}api/v1/auth/login-links", method="POST", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["url"]


def server_prepare() -> None:
    """What every start does before it listens: migrations, the API token, and the
    recovery of imports and analyses that a crash left running."""
    migrate()
    import logging

    from server.composition.selectors import database_warnings

    for warning in database_warnings():
        logging.getLogger("imaging_desk.search").warning(warning)
    from server.analysis.runner import recover_tasks
    from server.core.auth import expected_token
    from server.imports.services import import_recover_interrupted

    expected_token()  # create the API token at first start, not at the first request
    import_recover_interrupted()
    recover_tasks()
    from server.composition.backups import backups_after_imports

    backups_after_imports()


def database_check(data_dir: Path) -> None:
    """Before anything opens the database: raise ServeError, with what is wrong and the
    backup that restores it, if it is damaged (or missing while backups exist)."""
    from server.backups.integrity import integrity_at_start

    report = integrity_at_start(data_dir=data_dir)
    if not report.ok:
        raise ServeError(report.message)


def background_start(data_dir: Path) -> None:
    """Once the server serves: the full integrity check (if the start's was cut short)
    and the daily backups."""
    from server.backups.integrity import integrity_full_check_start
    from server.backups.scheduler import daily_backups_start

    integrity_full_check_start(data_dir=data_dir)
    daily_backups_start(data_dir=data_dir)


def link_watcher():
    from server.imports.linking import LinkWatcher

    return LinkWatcher(poll_s=float(os.environ.get("IMAGING_DESK_LINK_POLL_S", "30")))


class ServerThread:
    """The server inside another program (the desktop window): waitress on a port the
    OS assigns, in a thread that stop() ends, with the linked-file watcher."""

    def __init__(self, *, data_dir: Path, host: str = DEFAULT_HOST, port: int = 0) -> None:
        server_prepare()
        self.data_dir = data_dir
        self._server = create_server(host=host, port=port)
        self.url = base_url(host, self._server.effective_port)
        self._watcher = link_watcher()
        self._thread = threading.Thread(target=self._run, name="waitress", daemon=True)

    def _run(self) -> None:
        self._server.run()  # returns once stop() has closed every socket of its loop

    def start(self) -> ServerThread:
        write_server_info(self.data_dir, url=self.url)
        self._watcher.start()
        self._thread.start()
        background_start(self.data_dir)
        return self

    def stop(self, *, timeout_s: float = 10.0) -> None:
        """Stop listening, let the request threads finish, and give the WAL back."""
        from waitress import wasyncore

        from server.backups.scheduler import daily_backups_stop

        self._watcher.stop()
        daily_backups_stop()
        server = self._server
        # Closed from inside waitress's own loop (its trigger runs the function there),
        # never under it from this thread; with no socket left, the loop returns.
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        self._thread.join(timeout_s)
        server.task_dispatcher.shutdown(timeout=timeout_s)  # the requests in flight finish
        clear_server_info(self.data_dir)
        from server.imports.worker import truncate_wal

        truncate_wal()


def serve(*, host: str, port: int, data_dir: Path, out: TextIO | None = sys.stdout) -> int:
    from server import __version__

    database_check(data_dir)
    server_prepare()
    server = create_server(host=host, port=port)
    watcher = link_watcher()
    url = base_url(host, server.effective_port)

    def stop(signum, frame):
        raise SystemExit(0)  # waitress's loop catches it and shuts its threads down

    signal.signal(signal.SIGTERM, stop)
    if hasattr(signal, "SIGBREAK"):
        signal.signal(signal.SIGBREAK, stop)

    try:
        write_server_info(data_dir, url=url)
        say(out, f"Imaging Desk {__version__} is running at {url}")
        say(out, f"Data folder: {data_dir}")
        say(out, f"Open the app (single use, valid for 60 s): {login_url(url)}")
        say(out, "Scripts: send `Authorization: Bearer <token>`; `imaging-desk token` prints it.")
        say(out, "Press Ctrl-C to stop.")
        watcher.start()
        background_start(data_dir)
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass  # asked to stop before waitress's loop, which handles these itself, began
    finally:
        watcher.stop()
        clear_server_info(data_dir)
        server.close()
    say(out, "Imaging Desk stopped.")
    return 0
