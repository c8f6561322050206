"""The child processes of an import: one checks the file (preflight_main), one runs
the import (child_main); each says how it went through a pipe.

Started by server/imports/worker.py with multiprocessing's spawn, so this module
imports nothing of Django at its top: the child unpickles its function before Django
is set up, and sets it up itself, on the parent's settings, database and data folder.
"""

from __future__ import annotations

import os
import signal
import threading


def _end_with_the_parent(parent) -> None:
    """End this process the moment the parent's end of the pipe closes: the parent was
    killed (or ended), and an import nobody watches must not go on. The database rolls
    the unfinished transaction back, as after any kill."""
    try:
        parent.recv()
    except (EOFError, OSError):
        pass
    os._exit(3)


def child_main(run_id: int, database_name: str, actor: str, send, parent) -> None:
    """Run import `run_id` and send ("progress", phase, done, total) messages, then one
    ("done", report) or ("error", error class name, detail). `parent` is a pipe the
    parent never writes to: it closes when the parent ends. The audit trail names
    `actor` as the import's user (server/audit/actor.py)."""
    # Ctrl-C in a terminal reaches the whole process group: the parent decides what it
    # means (cancel), and ends this process itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with_the_parent, args=(parent,), name="parent-watch", daemon=True).start()
    _django_setup(database_name)
    from django.db import connection

    from server.audit.actor import acting_as
    from server.core.errors import DomainError
    from server.imports.models import ImportRun
    from server.imports.services import import_run

    try:
        run = ImportRun.objects.get(pk=run_id)
        with acting_as(actor):
            report = import_run(
                run=run, on_progress=lambda phase, done, total: send.send(("progress", phase, done, total))
            )
    except DomainError as exc:
        send.send(("error", type(exc).__name__, exc.detail))
    else:
        send.send(("done", report))
    finally:
        send.close()
        connection.close()



def _django_setup(database_name: str | None = None) -> None:
    """Django on the parent's settings; the parent's database where it differs from the
    settings' (a test database); the log appended to, never rotated (the server rotates
    it: two processes renaming one file fail on Windows)."""
    import logging
    import logging.handlers

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
    import django

    django.setup()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            plain = logging.FileHandler(handler.baseFilename, encoding=handler.encoding)
            plain.setFormatter(handler.formatter)
            root.removeHandler(handler)
            handler.close()
            root.addHandler(plain)
    if database_name is not None:
        from django.db import connection

        connection.settings_dict["NAME"] = database_name


def preflight_main(path: str, send, parent) -> None:
    """Check a file as import_preflight does: send ("ok", checked path) or ("error",
    error class name, detail)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with_the_parent, args=(parent,), name="parent-watch", daemon=True).start()
    _django_setup()
    from server.core.errors import DomainError
    from server.imports.services import import_preflight

    try:
        checked = import_preflight(path=path)
    except DomainError as exc:
        send.send(("error", type(exc).__name__, exc.detail))
    else:
        send.send(("ok", str(checked)))
    finally:
        send.close()
