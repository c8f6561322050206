"""Where an installation keeps its state, and the secrets generated into it.

Nothing of this lives in the repository or the install folder: the data directory
holds the database, the API token, the Django secret key and the logs.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import platformdirs

APP_NAME = "ImagingDesk"
ENV_DATA_DIR = "IMAGING_DESK_DATA_DIR"

DB_FILENAME = "db.sqlite3"
TOKEN_FILENAME = "api-token"
SECRET_KEY_FILENAME = "secret-key"
SETTINGS_FILENAME = "settings.json"
SERVER_INFO_FILENAME = "server.json"
PREFERENCES_FILENAME = "preferences.json"


def data_dir() -> Path:
    """The data directory: $IMAGING_DESK_DATA_DIR, else the user's data folder."""
    configured = os.environ.get(ENV_DATA_DIR)
    if configured:
        return Path(configured).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def ensure_data_dir(path: Path) -> Path:
    """Create the data folder if needed, readable by its owner only: it holds patient data."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    (path / "logs").mkdir(mode=0o700, exist_ok=True)
    return path


def _written_aside(path: Path, value: str) -> Path:
    """A new owner-readable file beside path holding value, on disk: to be moved into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(value + "\n")
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def pid_alive(pid: int) -> bool:
    """Whether a process with this number runs (the holder of a data folder's lock or
    server.json); one that exists but is not ours to signal counts as running."""
    if pid == os.getpid():
        return True
    if os.name == "nt":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_or_create_secret(path: Path) -> str:
    """Read a secret file, creating it owner-readable only if it does not exist yet.

    The file appears with its full content or not at all (written aside, then
    hard-linked into place), so two processes starting at once agree on one secret.
    """
    try:
        value = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        value = ""
    if value:
        return value

    value = secrets.token_urlsafe(32)
    tmp = _written_aside(path, value)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            existing = path.read_text(encoding="ascii").strip()
            if existing:
                return existing
            os.replace(tmp, path)  # an empty leftover from a crash: take its place
        except OSError:
            os.replace(tmp, path)  # file systems without hard links
    finally:
        if tmp.exists():
            tmp.unlink()
    return value


def api_token(path: Path) -> str:
    return read_or_create_secret(path / TOKEN_FILENAME)


def api_token_reset(path: Path) -> str:
    """Replace the API token with a new one and return it. The file is swapped whole
    (written aside, then renamed over the old one); a running server reads it again
    at its next request, so the old token stops working at once."""
    value = secrets.token_urlsafe(32)
    target = path / TOKEN_FILENAME
    tmp = _written_aside(target, value)
    try:
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return value


def secret_key(path: Path) -> str:
    return read_or_create_secret(path / SECRET_KEY_FILENAME)


def local_settings(path: Path) -> dict:
    """Optional per-install settings (`settings.json`), e.g. a shared PostgreSQL URL."""
    try:
        text = (path / SETTINGS_FILENAME).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise SystemExit(f"{path / SETTINGS_FILENAME} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise SystemExit(f"{path / SETTINGS_FILENAME} must hold a JSON object")
    return value
