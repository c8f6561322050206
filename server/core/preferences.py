"""The user's preferences for the app (language, columns, page size, last filters):
one small JSON object in the data folder, so that they outlive the window's web
storage (pywebview forgets it by default) and follow the user from browser to window."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from django.conf import settings

from server import datadir
from server.core.errors import InvalidParameter

PREFERENCES_MAX_BYTES = 64 * 1024
_WRITE = threading.Lock()


def _path() -> Path:
    return Path(settings.DATA_DIR) / datadir.PREFERENCES_FILENAME


def preferences_get() -> dict:
    """The stored preferences; {} before the first are saved, or if the file is damaged."""
    try:
        value = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def preferences_set(*, preferences: dict) -> dict:
    """Replace the preferences with this JSON object, written whole or not at all."""
    text = json.dumps(preferences, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode("utf-8")) > PREFERENCES_MAX_BYTES:
        raise InvalidParameter("preferences", f"must be at most {PREFERENCES_MAX_BYTES // 1024} KB of JSON")
    path = _path()
    with _WRITE:
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    return preferences
