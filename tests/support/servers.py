"""Servers for tests: `imaging-desk serve` in a real subprocess, and the address the
Django test client claims to call."""

import datetime as dt
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import ROOT

LOCAL_HOST = "127.0.0.1:8765"  # the Host header of the test client: a loopback one


def subprocess_env(data_dir: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMAGING_DESK_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["IMAGING_DESK_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@dataclass
class ServerProcess:
    process: subprocess.Popen
    url: str
    login_url: str
    data_dir: Path
    lines: list[str]

    def stop(self, sig=signal.SIGTERM, timeout: float = 15) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def call(self, method: str, path: str, body=None) -> tuple[int, dict]:
        """(status, JSON or None for an empty body) of an API call with the token, as a script makes it."""
        token = (self.data_dir / "api-token").read_text().strip()
        request = urllib.request.Request(
            self.url + "api/v1/" + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, content = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read()
        return status, json.loads(content) if content else None

    def wait_for_job(self, job_id: int, timeout: float = 120) -> tuple[dict, list]:
        """Poll an import job every 100 ms until it ends; (final status, every status seen)."""
        seen = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = self.call("GET", f"import/jobs/{job_id}")
            assert status == 200, body
            seen.append(body)
            if body["state"] in ("done", "failed", "cancelled"):
                return body, seen
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} did not finish: {seen[-1]}")


def start_server(data_dir: Path, *args: str, env: dict | None = None, timeout: float = 60) -> ServerProcess:
    """`imaging-desk serve --port 0` in a subprocess; returns once it printed its URLs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "serve", "--port", "0", "--data-dir", str(data_dir), *args],
        cwd=ROOT, env=env or subprocess_env(data_dir),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
    )
    lines: list[str] = []
    found: queue.Queue = queue.Queue()

    def pump():
        for line in process.stdout:
            lines.append(line)
            found.put(line)
        found.put(None)

    threading.Thread(target=pump, daemon=True).start()
    url = login = None
    deadline = dt.datetime.now() + dt.timedelta(seconds=timeout)
    while login is None:
        remaining = (deadline - dt.datetime.now()).total_seconds()
        try:
            line = found.get(timeout=max(remaining, 0.01))
        except queue.Empty:
            line = None
        if line is None:
            process.kill()
            raise AssertionError("server did not start:\n" + "".join(lines))
        if m := re.search(r"running at (http://\S+)", line):
            url = m.group(1)
        if m := re.search(r"(http://\S+/login\?once=\S+)", line):
            login = m.group(1)
    return ServerProcess(process, url, login, data_dir, lines)
