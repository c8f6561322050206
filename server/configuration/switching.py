"""The window's own server moved to another database without a new process: after the
Settings screen saved a choice, the window stops its server, points Django at the
database the next start would use (as a fresh start would read it), and starts again."""

from __future__ import annotations

from pathlib import Path

from server.configuration.selectors import database_described, database_next_start
from server.database import database_settings


def database_switch(*, data_dir: Path) -> dict:
    """Point this process's connections at the database the next start uses; call it with
    the server stopped. Every thread's next query opens a connection to it (the import's
    child process reads settings.json itself, so it agrees). Returns what it now uses, as
    the screen describes it. ValueError for a settings.json URL that is not usable."""
    from asgiref.local import Local
    from django.conf import settings
    from django.db import connections

    url, _ = database_next_start(data_dir)
    configured = connections.configure_settings({"default": database_settings(data_dir=data_dir, url=url)})
    connections.close_all()
    settings.DATABASES["default"] = configured["default"]
    connections.settings["default"] = configured["default"]
    # Each thread keeps its connection object; a new store makes every thread (the
    # analysis workers too) make one for the new database at its next query.
    connections._connections = Local(connections.thread_critical)
    return database_described(configured["default"])
