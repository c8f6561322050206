"""The desktop app: the server in this process and the app in a native pywebview window,
with the File and Help menus and the bridge (`window.pywebview.api`) through which the
web app asks for the native Open and Save dialogs.

The window is the API's client like any script: its menu actions call the API over
loopback with the token, so they do exactly what the app's buttons do."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from desktop import pages
from desktop.instance import AlreadyRunning, InstanceLock

logger = logging.getLogger("imaging_desk.desktop")

GEOMETRY_FILENAME = "window.json"
DEFAULT_SIZE = (1280, 720)  # fits a 1366x768 laptop screen with its taskbar
MIN_SIZE = (960, 600)
HEALTH_TIMEOUT_S = 60.0
DUCKDB_FILE_TYPES = ("DuckDB files (*.duckdb;*.db)", "All files (*.*)")
BACKUP_FILE_TYPES = ("Imaging Desk backups (*.sqlite3;*.db;*.dump)", "All files (*.*)")
BACKUP_POLL_S = 0.25
# What the bridge may save for the app: the server's own exports, each under its own name.
SAVABLE_EXPORTS = {"/api/v1/studies/export": "studies", "/api/v1/audit/export": "audit"}
# The exports that record in the audit trail the name the user saved as (their `filename`).
NAMED_EXPORTS = {"/api/v1/studies/export", "/api/v1/audit/export"}
# errno values of a drive without room: ENOSPC, EFBIG (a file-size limit), EDQUOT.
NO_ROOM_ERRNOS = {28, 27, 122}
# The Studies screen's own parameters, which are not a filter of the export.
NOT_EXPORT_PARAMS = {"page", "page_size", "study"}
# What the window sends the app when File > Export… saved a file, so that the app says
# so in the user's language (frontend_build/src/lib/download.ts, DESKTOP_SAVED_EVENT).
SAVED_EVENT = "imaging-desk:export-saved"


class DesktopError(Exception):
    """Why an action of the window could not be done, worded for the person using it."""


# --- the API, as the window's menus use it ------------------------------------------


class AppClient:
    """The running server's API with the token: what the menus and the bridge call."""

    def __init__(self, *, url: str, token: str, window_key: str | None = None) -> None:
        self.url, self._token, self._window_key = url, token, window_key

    def _request(self, method: str, path: str, body: dict | None = None) -> urllib.request.Request:
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Authorization": f"Bearer {self._token}"}
        if self._window_key is not None:
            # The in-process server's audit trail then names the PC's user, not "API token".
            from server.audit.actor import WINDOW_HEADER

            headers[WINDOW_HEADER] = self._window_key
        if data is not None:
            headers["Content-Type"] = "application/json"
        return urllib.request.Request(self.url + path.lstrip("/"), data=data, method=method, headers=headers)

    def call(self, method: str, path: str, body: dict | None = None) -> dict | None:
        """The parsed answer; DesktopError with the server's detail for an error."""
        try:
            with urllib.request.urlopen(self._request(method, path, body), timeout=120) as response:
                text = response.read()
        except urllib.error.HTTPError as exc:
            raise DesktopError(_detail(exc)) from None
        except OSError as exc:
            raise DesktopError(f"The server did not answer: {exc}") from None
        return json.loads(text) if text else None

    def download(self, path: str, target: Path) -> tuple[int, dict[str, str]]:
        """Write the answer to `path` into `target` (aside, then renamed into place, so a
        failed download leaves no half file); the bytes written and the answer's headers."""
        part = target.with_name(target.name + ".part")
        written = 0
        try:
            with urllib.request.urlopen(self._request("GET", path), timeout=600) as response, part.open("wb") as out:
                headers = dict(response.headers.items())
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    written += len(chunk)
            os.replace(part, target)
        except urllib.error.HTTPError as exc:
            part.unlink(missing_ok=True)
            raise DesktopError(_detail(exc)) from None
        except OSError as exc:
            part.unlink(missing_ok=True)
            raise DesktopError(save_failed_message(target, exc)) from None
        return written, headers


def save_failed_message(target: Path, exc: OSError) -> str:
    """Why a file could not be written, in words: a full drive is said as such."""
    if exc.errno in NO_ROOM_ERRNOS:
        return (
            f"There is not enough room on the drive to save {target}. Nothing was saved: free some "
            "space or choose another drive, then export again."
        )
    if exc.errno in (13, 1, 30):  # EACCES, EPERM, EROFS
        return f"Imaging Desk may not write to {target.parent}. Nothing was saved: choose another folder."
    return f"Could not save {target}: {exc.strerror or exc}. Nothing was saved."


def _detail(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read())["detail"])
    except (ValueError, KeyError, TypeError, OSError):
        return f"The server answered {exc.code} {exc.reason}"


def export_path(current_url: str, *, fmt: str, remembered: str = "") -> str:
    """The export endpoint's path for the search the window shows: the Studies screen's
    URL parameters, or on another screen the last search the app remembered."""
    parts = urlsplit(current_url)
    on_studies = parts.path.rstrip("/") in ("", "/studies")
    query = parts.query if on_studies else remembered
    params = [(k, v) for k, v in parse_qsl(query, keep_blank_values=False) if k not in NOT_EXPORT_PARAMS]
    return "api/v1/studies/export?" + urlencode([*params, ("format", fmt)])


def export_filename(fmt: str, *, now: datetime | None = None, what: str = "studies") -> str:
    return f"{what}_{(now or datetime.now()).strftime('%Y%m%d_%H%M%S')}.{fmt}"


def with_filename(api_path: str, target: Path) -> str:
    """The export's path with the name the user saves as, which the audit trail records."""
    parts = urlsplit("/" + api_path.lstrip("/"))
    if parts.path not in NAMED_EXPORTS:
        return api_path
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=False) if k != "filename"]
    return f"{parts.path.lstrip('/')}?{urlencode([*params, ('filename', target.name)])}"


def shortened_cells(headers: dict[str, str]) -> int:
    """How many cells the export shortened, by its header (0 for a CSV, which has none)."""
    from server.studies.export import SHORTENED_HEADER  # after Django's set-up, like every server import here

    value = next((v for k, v in headers.items() if k.lower() == SHORTENED_HEADER.lower()), "0")
    try:
        return max(0, int(value))
    except ValueError:
        return 0


def saved_message(saved: str, shortened: int) -> str:
    """What the window says itself when the app cannot (a Help page is open): where the
    file went, and the server's own words for the cells it shortened."""
    from server.studies.export import shortened_notice

    text = f"Saved to {saved}"
    if shortened > 0:
        text += f"\n\n{shortened_notice(count=shortened)}."
    return text


def start_failure_words(error: Exception) -> str:
    """Why the window's server could not start, in words: a database that cannot be
    opened or set up is named as the commands name it (server/database.py)."""
    from django.db import DatabaseError, connection

    if isinstance(error, DatabaseError):
        from server.database import database_unavailable_words

        return database_unavailable_words(error, connection.settings_dict)
    return str(error) or type(error).__name__


# --- native dialogs ---------------------------------------------------------------------


class Dialogs:
    """The native dialogs of a pywebview window. Tests replace this one object."""

    def __init__(self, window) -> None:
        self.window = window

    def open_duckdb(self) -> str | None:
        import webview

        chosen = self.window.create_file_dialog(webview.FileDialog.OPEN, file_types=DUCKDB_FILE_TYPES)
        return str(chosen[0]) if chosen else None

    def save_as(self, filename: str) -> str | None:
        import webview

        chosen = self.window.create_file_dialog(webview.FileDialog.SAVE, save_filename=filename)
        if not chosen:
            return None
        return str(chosen[0] if isinstance(chosen, (list, tuple)) else chosen)

    def choose_folder(self, directory: str) -> str | None:
        import webview

        chosen = self.window.create_file_dialog(webview.FileDialog.FOLDER, directory=directory)
        if not chosen:
            return None
        return str(chosen[0] if isinstance(chosen, (list, tuple)) else chosen)

    def open_backup(self, directory: str) -> str | None:
        import webview

        chosen = self.window.create_file_dialog(
            webview.FileDialog.OPEN, directory=directory, file_types=BACKUP_FILE_TYPES
        )
        return str(chosen[0]) if chosen else None

    def confirm(self, title: str, message: str) -> bool:
        return bool(self.window.create_confirmation_dialog(title, message))


# --- the bridge for the web app ---------------------------------------------------------


class Bridge:
    """window.pywebview.api: only these methods are public (pywebview exposes every
    public attribute, so the app is kept in a private one)."""

    def __init__(self, app: DesktopApp) -> None:
        self._app = app

    def save_download(self, url: str, filename: str = "") -> dict:
        """The native Save dialog for an export, then the file written where the user chose:
        {saved: its path, or None if the user cancelled; bytes; shortened: how many cells
        the Excel file cut to fit (its header; 0 for a CSV)}; when it could not be saved
        (a full drive, say), {saved: None, error: why, in words}."""
        try:
            return self._app.save_export_url(url, filename)
        except DesktopError as exc:
            return {"saved": None, "error": str(exc)}

    def choose_duckdb(self) -> str | None:
        """The native Open dialog for a DuckDB file: its absolute path, or None."""
        return self._app.dialogs.open_duckdb()

    def back_to_app(self) -> None:
        """From a Help page, back to the app."""
        self._app.back_to_app()

    def open_backups_folder(self) -> str:
        """The Backups screen's "Open backups folder": the system's file manager shows it."""
        return str(self._app.open_backups_folder())

    def restore_newest_backup(self) -> None:
        """The damaged-database page's "Restore the newest good backup"."""
        self._app.restore_newest_good_backup()

    def restart_on_saved_database(self) -> dict:
        """The Settings screen's "Save and restart", once the server kept the choice: the
        window restarts its own server on it and reloads the app signed in. Answers
        {ok: true} before it does (the page goes), or {ok: false, error: why, in words}."""
        try:
            self._app.database_restart_check()
        except DesktopError as exc:
            return {"ok": False, "error": str(exc)}
        later = threading.Timer(0.3, self._app._guard(self._app.database_restart))
        later.daemon = True
        later.start()
        return {"ok": True}

    def use_local_database(self) -> None:
        """The start-failure page's "Use this PC's database": the saved PostgreSQL database
        is forgotten, and the window starts on this PC's own database."""
        later = threading.Timer(0.1, self._app._guard(self._app.use_local_database))
        later.daemon = True
        later.start()

    def quit(self) -> None:
        """The damaged-database page's "Quit": once this call has answered the page (the
        answer is a script run in the window, which must still be there)."""
        later = threading.Timer(0.3, self._app.quit)
        later.daemon = True
        later.start()


# --- the app ------------------------------------------------------------------------------


def open_path(path: Path) -> None:
    """Show a file or folder in the system's own application."""
    if sys.platform == "win32":
        os.startfile(path)  # noqa: S606 - a folder of the user's, shown in Explorer
    elif sys.platform == "darwin":
        subprocess.Popen(["open", str(path)])
    else:
        subprocess.Popen(["xdg-open", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _read_geometry(data_dir: Path) -> dict:
    try:
        saved = json.loads((data_dir / GEOMETRY_FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"width": DEFAULT_SIZE[0], "height": DEFAULT_SIZE[1]}
    out = {
        "width": max(MIN_SIZE[0], int(saved.get("width", DEFAULT_SIZE[0]))),
        "height": max(MIN_SIZE[1], int(saved.get("height", DEFAULT_SIZE[1]))),
    }
    x, y = saved.get("x"), saved.get("y")
    # A position whose title bar would be off screen (y < 0) is not restored.
    if isinstance(x, int) and isinstance(y, int) and y >= 0 and x > -out["width"] // 2:
        out["x"], out["y"] = x, y
    return out


class DesktopApp:
    """One window around the in-process server. `dialogs` may be replaced (tests), and
    `on_ready(app)` runs in a thread once the window shows the signed-in app."""

    def __init__(self, *, data_dir: Path, on_ready: Callable[[DesktopApp], None] | None = None) -> None:
        self.data_dir = data_dir
        self.on_ready = on_ready
        self.window = None
        self.dialogs: Dialogs | None = None
        self.server = None
        # When the database is damaged at start: the check's report, and the tests' seam.
        self.integrity = None
        self.on_damaged: Callable[[DesktopApp], None] | None = None
        self._restoring = threading.Lock()
        self.client: AppClient | None = None
        self.ready = threading.Event()
        self.started_at = time.monotonic()
        self.ready_after_s: float | None = None
        self._closing_confirmed = False
        self._lock = InstanceLock(data_dir, on_knock=self.bring_forward)

    # -- start and stop

    def run(self) -> int:
        import webview

        self._lock.acquire()  # raises AlreadyRunning
        try:
            from server.serving import running_server_url

            serving = running_server_url(self.data_dir)
            if serving is not None:
                raise AlreadyRunning(
                    f"`imaging-desk serve` is already running for {self.data_dir} at {serving}; "
                    "stop it first, or open it in a browser (`imaging-desk login-link`)"
                )
            geometry = _read_geometry(self.data_dir)
            self.window = webview.create_window(
                "Imaging Desk",
                html=pages.loading_page(),
                js_api=Bridge(self),
                min_size=MIN_SIZE,
                menu=self._menu(),
                **geometry,
            )
            self.dialogs = Dialogs(self.window)
            self.window.events.closing += self._on_closing
            self.window.events.initialized += self._on_initialized
            storage = self.data_dir / "webview"
            storage.mkdir(mode=0o700, exist_ok=True)
            webview.start(self._boot, private_mode=False, storage_path=str(storage), gui=_gui())
        finally:
            self._shutdown()
        return 0

    def _boot(self) -> None:
        """In pywebview's thread: the database's quick check, the server, then the app
        through a one-time login link. A damaged database is never opened: the window
        says so and offers the newest good backup (or Quit) instead."""
        if self._open():
            self._app_ready()

    def _open(self, *, port: int = 0) -> bool:
        """The integrity check, then the server (on `port`, or any free one) and the app;
        False when the window shows the damaged-database page or the start-failure page."""
        try:
            from server.backups.services import integrity_at_start

            report = integrity_at_start(data_dir=self.data_dir)
            if not report.ok:
                self.integrity = report
                logger.error("the database is damaged: %s", report.message)
                self._show_damaged()
                if self.on_damaged is not None:
                    threading.Thread(target=self.on_damaged, args=(self,), name="on-damaged", daemon=True).start()
                return False
            self._start_server(port=port)
        except Exception as exc:
            logger.exception("the window could not start the app")
            self.server, self.client = None, None
            self._show_start_failure(exc)
            return False
        return True

    def _show_start_failure(self, exc: Exception) -> None:
        """The start-failure page; for a PostgreSQL database the Settings screen saved, with
        "Use this PC's database" (and Quit), so that the user is never stuck."""
        from server.configuration.selectors import database_next_start

        saved = database_next_start(self.data_dir)[1] == "settings.json"
        self._show_error("Imaging Desk could not start", start_failure_words(exc), offer_local=saved)

    def _start_server(self, *, port: int = 0) -> None:
        """The in-process server (on `port`, or any free one), and the app signed in."""
        from server import datadir
        from server.audit.actor import window_key
        from server.serving import ServerThread, login_url

        try:
            self.server = ServerThread(data_dir=self.data_dir, port=port).start()
        except Exception:
            if not port:
                raise
            self.server = ServerThread(data_dir=self.data_dir).start()  # the old port was taken meanwhile
        self.client = AppClient(url=self.server.url, token=datadir.api_token(self.data_dir), window_key=window_key())
        self._wait_for_health()
        self.window.load_url(login_url(self.server.url))
        self._wait_for_app()

    def _app_ready(self) -> None:
        self.ready_after_s = time.monotonic() - self.started_at
        logger.info("the window shows the app %.2f s after launch (%s)", self.ready_after_s, self.server.url)
        self.ready.set()
        if self.on_ready is not None:
            threading.Thread(target=self.on_ready, args=(self,), name="on-ready", daemon=True).start()

    def _wait_for_health(self) -> None:
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while True:
            try:
                self.client.call("GET", "api/v1/health")
                return
            except DesktopError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _wait_for_app(self, timeout_s: float = 30.0) -> None:
        """Until the React app has rendered its shell (its navigation) in the window."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if self.window.evaluate_js("!!document.querySelector('nav')"):
                    return
            except Exception:  # the page is between two loads
                pass
            time.sleep(0.05)
        raise DesktopError("The app did not open in the window within 30 s")

    def _on_initialized(self, renderer: str | None = None):
        # Without the WebView2 runtime, Windows falls back to MSHTML: a blank window.
        if renderer and str(renderer).lower() == "mshtml":
            _native_message(
                "Imaging Desk needs the Microsoft Edge WebView2 Runtime",
                "The Microsoft Edge WebView2 Runtime is not installed on this PC, so the window "
                "cannot show the app. Install it from Microsoft (search for 'WebView2 Runtime'), "
                "or ask your IT department, then start Imaging Desk again.",
            )
            return False
        return None

    def _on_closing(self):
        """Asked before the window closes: during an import, the user is asked first."""
        if self._closing_confirmed:
            return self._closing()
        from server.imports.jobs import JOBS

        job = JOBS.active()
        if job is None:
            return self._closing()
        # Never a dialog inside this handler (it can hang the window): ask from a thread.
        threading.Thread(target=self._confirm_close, args=(job.job_id,), daemon=True).start()
        return False

    def _closing(self) -> None:
        """The main window is closing: remember where it was."""
        self._remember_geometry()


    def _confirm_close(self, job_id: int) -> None:
        from server.imports.jobs import JOBS

        if not self.dialogs.confirm(
            "An import is running",
            f"Import {job_id} has not finished. Quit anyway? It is then stopped and rolled back: "
            "the database stays as it was before it.",
        ):
            return
        try:
            JOBS.cancel(job_id)  # returns once its process has rolled back
        except Exception:  # it finished meanwhile
            logger.info("import %s ended before it could be stopped", job_id)
        self._closing_confirmed = True
        self.window.destroy()

    def _remember_geometry(self) -> None:
        try:
            window = self.window
            geometry = {"width": window.width, "height": window.height, "x": window.x, "y": window.y}
            (self.data_dir / GEOMETRY_FILENAME).write_text(json.dumps(geometry), encoding="utf-8")
        except Exception:
            logger.warning("could not remember the window's size", exc_info=True)

    def _shutdown(self) -> None:
        try:
            if self.server is not None:
                self.server.stop()
        finally:
            self._lock.release()
            logger.info("the window closed; the server stopped")

    def quit(self) -> None:
        """File > Quit: as closing the window (asked first during an import)."""
        if self._on_closing() is None:
            self._closing_confirmed = True
            self.window.destroy()

    def bring_forward(self) -> None:
        """A second launch knocked: show this window in front."""
        window = self.window
        if window is None:
            return
        try:
            window.restore()
            window.show()
            window.on_top = True
            window.on_top = False
        except Exception:
            logger.warning("could not bring the window forward", exc_info=True)

    # -- what the menus and the bridge do

    def back_to_app(self) -> None:
        if self.server is None and self.integrity is not None:
            self._show_damaged()  # from Help > Show log, back to the damaged-database page
            return
        self._go("")

    def _show_damaged(self, *, error: str = "") -> None:
        report = self.integrity
        database = self.data_dir / "db.sqlite3"
        self.window.load_html(pages.damaged_page(
            message=report.message, newest=_backup_facts(report.newest_good_backup),
            database=str(database), log_path=str(self.log_path), error=error, missing=not database.exists(),
        ))

    def _go(self, app_path: str) -> None:
        self.window.load_url(self.server.url + app_path.lstrip("/"))

    def _needs_app(self, action: Callable[[], None]) -> Callable[[], None]:
        """A menu action that needs the server, which a damaged database never starts."""
        def run() -> None:
            if self.client is None:
                raise DesktopError(
                    "The database is damaged, so Imaging Desk has not opened it. Restore the newest good "
                    "backup from the page, choose another backup with File › Restore…, or Quit."
                )
            action()

        return run

    def _guard(self, action: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                action()
            except DesktopError as exc:
                self._tell("Imaging Desk", str(exc))
            except Exception as exc:
                logger.exception("menu action failed")
                self._tell("Imaging Desk", f"That did not work: {exc}. The log has the details: {self.log_path}")

        return run

    def _tell(self, title: str, message: str) -> None:
        try:
            self.window.create_confirmation_dialog(title, message)
        except Exception:
            logger.warning("could not show: %s: %s", title, message)

    def _start_job(self, endpoint: str, body: dict) -> int:
        """Start an import job through the API and show it on the Import screen."""
        job_id = self.client.call("POST", f"api/v1/import/{endpoint}", body)["job_id"]
        self._go(f"import?job={job_id}")
        return job_id

    def import_duckdb(self, path: str | None = None) -> int | None:
        """File > Import DuckDB…: the import runs as a job; the Import screen shows it."""
        path = path or self.dialogs.open_duckdb()
        return self._start_job("duckdb", {"path": path}) if path else None

    def link_duckdb(self, path: str | None = None) -> int | None:
        """File > Link DuckDB file…: imported now as a sync job, then whenever it changes."""
        path = path or self.dialogs.open_duckdb()
        return self._start_job("link", {"path": path}) if path else None

    def load_demo(self) -> int:
        return self._start_job("demo", {"rows": 2000})

    def export_search(self, fmt: str) -> dict:
        """File > Export current search as CSV… / Excel…: the Save dialog, then the file."""
        remembered = ""
        if urlsplit(self.window.get_current_url() or "").path.rstrip("/") not in ("", "/studies"):
            preferences = self.client.call("GET", "api/v1/preferences") or {}
            remembered = str((preferences.get("studies") or {}).get("lastSearch") or "")
        path = export_path(self.window.get_current_url() or "", fmt=fmt, remembered=remembered)
        result = self._save(path, export_filename(fmt))
        if result["saved"]:
            self._tell_saved(result["saved"], result["shortened"])
        return result

    def _tell_saved(self, saved: str, shortened: int) -> None:
        """Say where the menu's export went and what it shortened: through the app's own
        notice (its Studies screen listens), else, when cells were shortened, in a dialog."""
        detail = json.dumps({"saved": saved, "shortened": shortened})
        script = (
            f"!window.dispatchEvent(new CustomEvent({json.dumps(SAVED_EVENT)}, "
            f"{{detail: {detail}, cancelable: true}}))"
        )
        try:
            shown = self.window.evaluate_js(script) is True  # the app's listener cancels the event
        except Exception:  # a Help page, or the page between two loads
            shown = False
        if not shown and shortened:
            self._tell("Imaging Desk", saved_message(saved, shortened))

    def save_export_url(self, url: str, filename: str = "") -> dict:
        """The bridge's save_download: only the server's own exports are fetched."""
        parts = urlsplit(url)
        own = urlsplit(self.server.url)
        if (parts.scheme, parts.netloc) != (own.scheme, own.netloc) or parts.path not in SAVABLE_EXPORTS:
            raise DesktopError("Only the studies and audit trail exports can be saved from the app")
        fmt = dict(parse_qsl(parts.query)).get("format", "csv")
        name = filename or export_filename(fmt, what=SAVABLE_EXPORTS[parts.path])
        return self._save(f"{parts.path.lstrip('/')}?{parts.query}", name)

    def _save(self, api_path: str, filename: str) -> dict:
        target = self.dialogs.save_as(filename)
        if not target:
            return {"saved": None}
        written, headers = self.client.download(with_filename(api_path, Path(target)), Path(target))
        shortened = shortened_cells(headers)
        logger.info("export saved to %s (%d bytes, %d cells shortened)", target, written, shortened)
        return {"saved": str(target), "bytes": written, "shortened": shortened}

    def open_data_folder(self) -> None:
        open_path(self.data_dir)

    # -- backups and restores (server/backups does the work; the window asks and tells)

    def backups_folder(self) -> Path:
        """The configured backups folder (the `backup_folder` setting, else <data-dir>/backups)."""
        from server.backups.services import backups_folder

        return backups_folder(data_dir=self.data_dir)

    def open_backups_folder(self) -> Path:
        """File > Open backups folder (and the Backups screen's button)."""
        folder = self.backups_folder()
        folder.mkdir(parents=True, exist_ok=True)
        open_path(folder)
        return folder

    def back_up_now(self, folder: str | None = None) -> dict | None:
        """File > Back up now…: the folder dialog (at the backups folder), then the backup
        as a job, shown on the Backups screen; its outcome told in words."""
        default = str(self.backups_folder())
        folder = folder or self.dialogs.choose_folder(default)
        if not folder:
            return None
        to = None if _same_folder(folder, default) else folder
        job_id = self.client.call("POST", "api/v1/backups", {"to": to})["job_id"]
        self._go(f"backups?job={job_id}")
        job = self._wait_for_backup(job_id)
        self._tell("Back up now", backup_outcome(job))
        return job

    def _wait_for_backup(self, job_id: int, timeout_s: float = 6 * 3600) -> dict:
        deadline = time.monotonic() + timeout_s
        while True:
            job = self.client.call("GET", f"api/v1/backups/jobs/{job_id}") or {}
            if job.get("status") != "running" or time.monotonic() > deadline:
                return job
            time.sleep(BACKUP_POLL_S)

    def _counts_now(self) -> dict[str, int]:
        health = self.client.call("GET", "api/v1/health") or {}
        reports = self.client.call("GET", "api/v1/reports/search?page_size=1") or {}
        return {"studies": int(health.get("studies", 0)), "reports": int(reports.get("total", 0))}

    def restore(self, file: str | None = None) -> dict | None:
        """File > Restore…: choose a backup; it is checked and its counts shown beside the
        current ones; once confirmed, the window stops its server, the backup replaces the
        database (the current one kept as a backup first), the server starts again and the
        app reloads signed in; the counts before and after are told. When the restore
        fails the old database is kept and runs again."""
        from server.imports.jobs import JOBS

        if JOBS.active() is not None:
            raise DesktopError("An import is running. Wait for it to finish (or cancel it), then restore.")
        file = file or self.dialogs.open_backup(str(self.backups_folder()))
        if not file:
            return None
        info = self._verified(Path(file))
        damaged = self.integrity is not None  # the window shows the damaged-database page
        now = None if damaged else self._counts_now()
        current = (
            "The current database is damaged or missing (see the page)." if now is None else
            f"The database now holds {_counted(now)}."
        )
        question = (
            f"Restore {info.name}, the backup of {_when(info.created_at)}?\n\n"
            f"The backup holds {_counted({'studies': info.studies, 'reports': info.reports})}.\n"
            f"{current}\n\n"
            "The current database is kept as a backup first (kind: before a restore). The app "
            "closes for a moment while the backup replaces the database."
        )
        if not self.dialogs.confirm("Restore this backup?", question):
            return None
        result = self._replace_database(Path(file))
        told = restore_outcome(result, before=now)
        if damaged:
            self.integrity = None
        self._tell("Restore", told["message"])
        if damaged:
            self._app_ready()
        return told

    def restore_newest_good_backup(self) -> None:
        """The damaged-database page's choice: the newest good backup replaces the damaged
        database (kept aside as a backup by the restore), then the app starts."""
        newest = getattr(self.integrity, "newest_good_backup", None)
        if newest is None:
            return
        threading.Thread(target=self._guard(lambda: self._restore_at_start(Path(newest.path))),
                         name="restore-at-start", daemon=True).start()

    def _restore_at_start(self, file: Path) -> None:
        self.window.load_html(pages.restoring_page(name=file.name))
        try:
            result = self._replace_database(file)
        except DesktopError as exc:
            self._show_damaged(error=str(exc))
            return
        self.integrity = None
        self._tell("Restore", restore_outcome(result, before=None)["message"])
        self._app_ready()

    def _verified(self, file: Path):
        from server.backups.errors import BackupError
        from server.backups.services import backup_verify

        try:
            return backup_verify(file=file)
        except BackupError as exc:
            raise DesktopError(f"{file.name} cannot be restored: {exc.detail}") from None

    def _replace_database(self, file: Path):
        """Stop the window's server, restore `file`, start the server again (on the
        restored database, or on the old one when the restore refused or failed)."""
        from django.db import connections

        from server.backups.errors import BackupError
        from server.backups.services import backup_restore

        if not self._restoring.acquire(blocking=False):
            raise DesktopError("A restore is already running.")
        try:
            port = urlsplit(self.server.url).port if self.server is not None else 0
            if self.server is not None:
                self.window.load_html(pages.restoring_page(name=file.name))
                self.server.stop()
                self.server = None
            connections.close_all()
            failure = None
            try:
                result = backup_restore(data_dir=self.data_dir, file=file, own_server_stopped=True)
            except BackupError as exc:
                failure = exc.detail
            except Exception as exc:
                logger.exception("the restore failed")
                failure = f"{exc}. The log has the details: {self.log_path}"
            connections.close_all()
            if failure is not None and self.integrity is not None:
                raise DesktopError(f"The backup could not be restored: {failure}")
            self._start_server(port=port or 0)
            if failure is not None:
                raise DesktopError(f"The backup could not be restored: {failure}\n\nThe database is as it was.")
            return result
        finally:
            self._restoring.release()

    # -- the database chosen on the Settings screen (server/configuration keeps the choice)

    def database_restart_check(self) -> None:
        from server.imports.jobs import JOBS

        if JOBS.active() is not None:
            raise DesktopError("An import is running. Wait for it to finish (or cancel it), then restart.")
        if self._restoring.locked():
            raise DesktopError("A restore is running. Wait for it to finish, then restart.")

    def database_restart(self) -> None:
        """Stop the window's server, point it at the database settings.json now names, and
        start it again on the same address, the app reloaded signed in. A database that
        cannot be used shows the start-failure page, with the way back to this PC's own."""
        from server.configuration.switching import database_switch

        if not self._restoring.acquire(blocking=False):
            raise DesktopError("A restore is already running.")
        try:
            port = urlsplit(self.server.url).port if self.server is not None else 0
            self.window.load_html(pages.loading_page("Connecting to the database…"))
            self._stop_own_server()
            try:
                now = database_switch(data_dir=self.data_dir)
            except ValueError as exc:  # a URL written into settings.json by hand
                self._show_error("Imaging Desk could not start", f"The database URL is not usable: {exc}",
                                 offer_local=True)
                return
            logger.info("the window restarts on the database %s", _database_words(now))
            # As at a start: this PC's database is checked before it is opened.
            if self._open(port=port or 0) and not self.ready.is_set():
                self._app_ready()
        finally:
            self._restoring.release()

    def use_local_database(self) -> None:
        """The start-failure page's choice: settings.json forgets the PostgreSQL database,
        and the window starts on this PC's own (its damaged-database check first)."""
        from server.configuration.services import database_forget, database_local_recorded
        from server.configuration.switching import database_switch

        before = database_forget(data_dir=self.data_dir)
        self._stop_own_server()
        database_switch(data_dir=self.data_dir)
        self.window.load_html(pages.loading_page())
        if not self._open():  # as at a start: the damaged-database check first
            return
        if before is not None:
            database_local_recorded(before=before, why=", which could not be used")
        if not self.ready.is_set():
            self._app_ready()

    def _stop_own_server(self) -> None:
        from django.db import connections

        if self.server is not None:
            self.server.stop()
            self.server = None
        connections.close_all()

    @property
    def log_path(self) -> Path:
        return self.data_dir / "logs" / "server.log"

    def show_api_help(self) -> None:
        from server import datadir

        self._sub_window(
            "API access for scripts",
            pages.api_help_page(url=self.server.url, token_file=str(self.data_dir / datadir.TOKEN_FILENAME)),
        )

    def show_log(self) -> None:
        try:
            with self.log_path.open(encoding="utf-8", errors="replace") as log:
                lines = log.readlines()[-300:]
        except OSError:
            lines = []
        self._sub_window("Imaging Desk log", pages.log_page(log_path=str(self.log_path), lines=lines))

    def show_about(self) -> None:
        from django.conf import settings

        from server import __version__

        health = self.client.call("GET", "api/v1/health") or {}
        history = self.client.call("GET", "api/v1/import/history?page_size=1") or {}
        from server.configuration.selectors import database_described

        where = _database_words(database_described(settings.DATABASES["default"]))
        counts = {"Studies": int(health.get("studies", 0)), "Imports": int(history.get("total", 0))}
        self._sub_window(
            "About Imaging Desk",
            pages.about_page(version=__version__, data_dir=str(self.data_dir), database=where, counts=counts),
        )

    def _sub_window(self, title: str, html: str) -> None:
        """A Help page, in the main window with a way back to the app. (A second pywebview
        window kept Qt's loop running after the last window closed: measured, 6.2.)"""
        # A page loaded as HTML may not navigate to the server itself: the bridge does.
        back = (
            '<p><a href="#" style="font-size:16px" '
            'onclick="window.pywebview.api.back_to_app(); return false">← Back to Imaging Desk</a></p>'
        )
        self.window.load_html(html.replace("<main>", f"<main>{back}", 1))

    def _show_error(self, what: str, detail: str, *, offer_local: bool = False) -> None:
        html = pages.error_page(what=what, detail=detail, log_path=str(self.log_path), offer_local=offer_local)
        try:
            self.window.load_html(html)
        except Exception:
            _native_message(what, f"{detail}\n\nThe log has the details: {self.log_path}")

    def _menu(self) -> list:
        from webview.menu import Menu, MenuAction, MenuSeparator

        def g(action: Callable[[], None], *, needs_app: bool = True) -> Callable[[], None]:
            return self._guard(self._needs_app(action) if needs_app else action)

        return [
            Menu("File", [
                MenuAction("Import DuckDB…", g(lambda: self.import_duckdb())),
                MenuAction("Link DuckDB file…", g(lambda: self.link_duckdb())),
                MenuAction("Load demo data", g(self.load_demo)),
                MenuSeparator(),
                MenuAction("Export current search as CSV…", g(lambda: self.export_search("csv"))),
                MenuAction("Export current search as Excel…", g(lambda: self.export_search("xlsx"))),
                MenuSeparator(),
                MenuAction("Back up now…", g(lambda: self.back_up_now())),
                MenuAction("Restore…", g(lambda: self.restore(), needs_app=False)),
                MenuAction("Open backups folder", g(self.open_backups_folder, needs_app=False)),
                MenuSeparator(),
                MenuAction("Open data folder", g(self.open_data_folder, needs_app=False)),
                MenuSeparator(),
                MenuAction("Quit", g(self.quit, needs_app=False)),
            ]),
            Menu("Help", [
                MenuAction("API access for scripts", g(self.show_api_help)),
                MenuAction("Show log", g(self.show_log, needs_app=False)),
                MenuAction("About Imaging Desk", g(self.show_about)),
            ]),
        ]


def _database_words(described: dict) -> str:
    """The database as About and the log name it: the SQLite file, or the PostgreSQL
    database, server, port and user (never the password)."""
    if described["vendor"] == "sqlite":
        return str(described["file"])
    user = f" as {described['user']}" if described.get("user") else ""
    return f"PostgreSQL database {described['name']} on {described['host']}:{described['port']}{user}"


def _same_folder(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def _when(created_at) -> str:
    """A backup's time as staff read it: 2026-11-30 14:05."""
    return str(created_at).replace("T", " ")[:16]


def _backup_facts(info) -> dict | None:
    """What the damaged-database page says of a backup."""
    if info is None:
        return None
    return {
        "name": info.name, "when": _when(info.created_at),
        "studies": info.studies or 0, "reports": info.reports or 0,
    }


def backup_outcome(job: dict) -> str:
    """What File > Back up now… tells when its job has ended, in words."""
    backup = job.get("backup") or {}
    if job.get("status") == "done" and backup:
        return (
            f"Backed up to {backup['path']}\n\n{_counted(backup)}, {_size(int(backup['size_bytes']))}, "
            "checked after writing."
        )
    if job.get("status") == "running":
        return "The backup is still running; the Backups screen shows its progress."
    return f"The backup failed: {job.get('error') or 'no reason was given'}\n\nThe database is unchanged."


def _counted(counts: dict) -> str:
    """`3,000 studies and 1 report`."""
    studies, reports = int(counts.get("studies") or 0), int(counts.get("reports") or 0)
    return (f"{studies:,} {'study' if studies == 1 else 'studies'} and "
            f"{reports:,} {'report' if reports == 1 else 'reports'}")


def _size(size: int) -> str:
    value, unit = float(size), "bytes"
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            break
        value /= 1024
    return f"{size:,} bytes" if unit == "bytes" else f"{value:,.1f} {unit}"


def _counts_of(result, which: str) -> dict[str, int] | None:
    """The counts before or after of a RestoreResult (`before` / `after`, as objects or dicts)."""
    value = getattr(result, which, None)
    if value is None:
        return None
    if not isinstance(value, dict):
        value = {"studies": getattr(value, "studies", 0), "reports": getattr(value, "reports", 0)}
    return {"studies": int(value.get("studies", 0)), "reports": int(value.get("reports", 0))}


def restore_outcome(result, *, before: dict[str, int] | None) -> dict:
    """What a restore tells: the counts before and after, in words (and as numbers)."""
    before = _counts_of(result, "before") or before
    after = _counts_of(result, "after") or {"studies": 0, "reports": 0}
    kept = getattr(result, "kept", None)
    lines = ["The backup is restored."]
    if before is not None:
        lines.append(f"Before: {_counted(before)}.")
    lines.append(f"Now: {_counted(after)}.")
    if kept is not None:
        lines.append(f"The database as it was is kept as the backup {kept.path}.")
    lines += list(getattr(result, "notes", None) or [])
    return {"before": before, "after": after, "message": "\n".join(lines)}


def _gui() -> str | None:
    return "qt" if sys.platform.startswith("linux") else None


def _native_message(title: str, message: str) -> None:
    """A message when there is no window to show it in."""
    if sys.platform == "win32":
        import ctypes

        ctypes.windll.user32.MessageBoxW(None, message, title, 0x10)  # MB_ICONERROR
    elif sys.stderr is not None:
        print(f"{title}: {message}", file=sys.stderr, flush=True)


def display_problem() -> str | None:
    """Why no window can open here, or None."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return "there is no display (DISPLAY and WAYLAND_DISPLAY are unset)"
    try:
        import webview  # noqa: F401
    except ImportError:
        return "pywebview is not installed (pip install 'imaging-desk[desktop]')"
    if sys.platform.startswith("linux"):
        try:
            import qtpy  # noqa: F401
            from qtpy import QtWebEngineWidgets  # noqa: F401
        except Exception:
            return "Qt WebEngine is not installed (pip install 'imaging-desk[desktop]')"
    return None


def desktop_run(*, data_dir: Path, on_ready: Callable[[DesktopApp], None] | None = None) -> int:
    """`imaging-desk` with no command: the window, or `serve` where no window can open."""
    if sys.platform.startswith("linux") and hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium refuses to run as root with its sandbox.
        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
    problem = display_problem()
    if problem is not None:
        from server.serving import DEFAULT_PORT, ServeError, serve

        if sys.stdout is not None:
            print(f"No window: {problem}. Serving for a browser instead.", flush=True)
        try:
            return serve(host="127.0.0.1", port=DEFAULT_PORT, data_dir=data_dir, out=sys.stdout)
        except ServeError:  # the usual port is taken: any free one will do
            return serve(host="127.0.0.1", port=0, data_dir=data_dir, out=sys.stdout)
    try:
        return DesktopApp(data_dir=data_dir, on_ready=on_ready).run()
    except AlreadyRunning as exc:
        logger.info("%s: brought its window forward", exc)
        if sys.stdout is not None:
            print(f"{exc}; its window was brought forward.", flush=True)
        return 0
