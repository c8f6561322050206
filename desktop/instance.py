"""One window per data folder. The first launch holds `window.lock` in the data folder
and listens on a loopback port for a knock; a second launch knocks (with the lock's
secret) and the first brings its window forward. A lock whose process is gone, or
that no longer answers, was left by a crash and is taken over."""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from server.datadir import pid_alive

logger = logging.getLogger("imaging_desk.desktop")

LOCK_FILENAME = "window.lock"
KNOCK_TIMEOUT_S = 3.0


class AlreadyRunning(Exception):
    """Another window serves this data folder; it was asked to come forward."""


def _knock(info: dict) -> bool:
    """Ask the window of `info` to come forward; whether it answered."""
    try:
        with socket.create_connection(("127.0.0.1", int(info["port"])), timeout=KNOCK_TIMEOUT_S) as conn:
            conn.sendall(f"{info['secret']} show\n".encode("ascii"))
            return conn.recv(16).startswith(b"ok")
    except (OSError, KeyError, TypeError, ValueError):
        return False


class InstanceLock:
    """The data folder's window lock. acquire() raises AlreadyRunning when another
    live window holds it (after asking it to come forward)."""

    def __init__(self, data_dir: Path, *, on_knock: Callable[[], None]) -> None:
        self.path = data_dir / LOCK_FILENAME
        self.on_knock = on_knock
        self.secret = secrets.token_urlsafe(24)
        self.recovered_stale = False
        self._listener: socket.socket | None = None
        self._stopped = threading.Event()

    def acquire(self) -> InstanceLock:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.5)
        info = {"pid": os.getpid(), "port": self._listener.getsockname()[1], "secret": self.secret}
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                other = self._read()
                if other is not None and pid_alive(int(other.get("pid", -1))) and _knock(other):
                    self._listener.close()
                    raise AlreadyRunning(f"Imaging Desk is already running for {self.path.parent}") from None
                logger.warning("recovering the window lock %s left by a stopped process: %s", self.path, other)
                self.recovered_stale = True
                self.path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(info, out)
            threading.Thread(target=self._listen, name="instance-knock", daemon=True).start()
            return self
        self._listener.close()
        raise OSError(f"cannot take the window lock {self.path}")

    def _read(self) -> dict | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _listen(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                try:
                    conn.settimeout(KNOCK_TIMEOUT_S)
                    line = conn.recv(256).decode("ascii", "replace").strip()
                    if line == f"{self.secret} show":
                        conn.sendall(b"ok\n")
                        self.on_knock()
                except OSError:
                    pass

    def release(self) -> None:
        self._stopped.set()
        if self._listener is not None:
            self._listener.close()
        mine = self._read()
        if mine is not None and mine.get("secret") == self.secret:
            self.path.unlink(missing_ok=True)
