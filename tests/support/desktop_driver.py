"""Drives the real desktop window in its own process, for tests/test_desktop_window.py:

    python -m tests.support.desktop_driver SCENARIO OUT_DIR -- [imaging-desk arguments]

It runs `imaging-desk` through its real entry point (desktop.cli.main), with two
test seams only: the native dialogs answer from OUT_DIR/dialogs.json instead of a
person, and SCENARIO runs once the window shows the app. What it saw goes to
OUT_DIR/result.json; screenshots of the X display to OUT_DIR/*.png.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

OUT: Path
RESULT: dict = {"steps": []}


def save() -> None:
    (OUT / "result.json").write_text(json.dumps(RESULT, indent=2, default=str), encoding="utf-8")


def step(name: str, **facts) -> None:
    RESULT["steps"].append({"step": name, **facts})
    save()


def screenshot(name: str) -> None:
    """The whole X display, grabbed by a separate Qt process (this one's Qt is busy)."""
    target = OUT / f"{name}.png"
    code = (
        "import sys\nfrom PyQt6.QtWidgets import QApplication\n"
        "app = QApplication(sys.argv[:1])\n"
        "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1]) else 1)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    subprocess.run([sys.executable, "-c", code, str(target)], env=env, timeout=60, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def until(check, *, timeout: float = 30.0, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except Exception as exc:  # the page may be between loads
            last = exc
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def menu_titles(app) -> dict:
    """The window's native menu bar: {menu: [its items]} (Qt)."""
    bar = app.window.native.menuBar()
    return {menu.text(): [item.text() for item in menu.menu().actions() if item.text()]
            for menu in bar.actions()} | {"_visible": bar.isVisible(), "_height": bar.height()}


ROWS_JS = "document.querySelectorAll('table[aria-label=\"Studies\"] tbody tr.study-row').length"


class FileDialogs:
    """The native dialogs, answered from dialogs.json: {"open": PATH, "save": PATH, "confirm": BOOL}."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.asked: list[tuple[str, str]] = []
        self.questions: list[str] = []

    def _answers(self) -> dict:
        try:
            return json.loads((self.out / "dialogs.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def open_duckdb(self):
        self.asked.append(("open", ""))
        return self._answers().get("open")

    def save_as(self, filename):
        self.asked.append(("save", filename))
        return self._answers().get("save")

    def confirm(self, title, message):
        self.asked.append(("confirm", title))
        self.questions.append(message)
        return bool(self._answers().get("confirm", False))

    def choose_folder(self, directory):
        self.asked.append(("folder", directory))
        return self._answers().get("folder")

    def open_backup(self, directory):
        self.asked.append(("open backup", directory))
        return self._answers().get("backup")


# --- scenarios: each gets the running DesktopApp ---------------------------------------


def scenario_tour(app) -> None:
    """Rows in the window; an import through the menu's handler watched to done in the
    window; an export through the page's own button (the bridge) and through the menu."""
    window = app.window
    rows = until(lambda: window.evaluate_js(ROWS_JS), what="rows in the studies table")
    step("launched", rows=rows, ready_after_s=app.ready_after_s, url=window.get_current_url(), menus=menu_titles(app))
    screenshot("window-studies")

    # Export through the app's "Export CSV" button: the bridge's save_download.
    (OUT / "dialogs.json").write_text(json.dumps({"save": str(OUT / "button-export.csv")}), encoding="utf-8")
    window.load_url(app.server.url + "?exam_source=CT")
    until(lambda: window.evaluate_js(ROWS_JS) and "exam_source=CT" in window.get_current_url(), what="the CT search")
    until(lambda: window.evaluate_js(
        "!!(window.pywebview && window.pywebview.api && window.pywebview.api.save_download)"), what="the bridge")
    window.evaluate_js(
        "[...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Export CSV').click()")
    until(lambda: (OUT / "button-export.csv").exists(), what="the file saved by the Export CSV button")
    ct_total = app.client.call("GET", "api/v1/studies/search?exam_source=CT&page_size=1")["total"]
    step("exported by the button", file=str(OUT / "button-export.csv"), search="exam_source=CT", total=ct_total)

    # Export through File > Export current search as Excel…
    (OUT / "dialogs.json").write_text(json.dumps({"save": str(OUT / "menu-export.xlsx")}), encoding="utf-8")
    saved = app.export_search("xlsx")
    step("exported by the menu", saved=saved)

    # File > Import DuckDB…, the dialog answering the file's path.
    source = os.environ["IMAGING_DESK_DRIVER_IMPORT_FILE"]
    (OUT / "dialogs.json").write_text(json.dumps({"open": source}), encoding="utf-8")
    job_id = app.import_duckdb()
    readings = []

    def done():
        now = window.evaluate_js(
            "(() => { const bar = document.querySelector('[role=progressbar]');"
            " return bar ? Number(bar.getAttribute('aria-valuenow')) : null; })()")
        if not readings or readings[-1] != now:
            readings.append(now)
        return now == 100

    until(done, timeout=120, what="the import's progress bar at 100 %")
    until(lambda: "Inserted" in window.evaluate_js("document.body.innerText"), what="the reconciliation")
    step("imported", job_id=job_id, readings=readings, url=window.get_current_url())
    screenshot("window-import-done")
    step("dialogs", asked=app.dialogs.asked)

    # Help: each page shows in the window, with a way back to the app.
    texts = {}
    for name, show in (("log", app.show_log), ("api", app.show_api_help), ("about", app.show_about)):
        show()
        texts[name] = until(lambda: window.evaluate_js("document.querySelector('main h1') && document.body.innerText"),
                            what=f"the {name} page")
        if name == "about":
            screenshot("window-about")
    window.evaluate_js("document.querySelector('main a').click()")
    until(lambda: window.evaluate_js("!!document.querySelector('nav')"), what="the app again")
    step("help", texts=texts)
    app.quit()


NOTICES_JS = "[...document.querySelectorAll('.ant-message-notice')].map(n => n.innerText.trim())"


def notices_with(window, *parts: str, what: str) -> list[str]:
    """The app's notices (antd messages) once one holds each of `parts`, shown in full."""
    notices = until(lambda: all(any(part in n for n in window.evaluate_js(NOTICES_JS)) for part in parts)
                    and window.evaluate_js(NOTICES_JS), what=what)
    time.sleep(0.8)  # their entering animation, for the screenshot
    return notices


def scenario_shortened_export(app) -> None:
    """An Excel export that had to shorten cells (the test put in studies with longer
    texts than an Excel cell holds, found by q=LONGCELL): saved by the page's button
    (the bridge), then by File > Export current search as Excel… in 繁體中文; the notices
    the window showed for each."""
    window = app.window
    told = []  # the window's own message dialog, which it uses only when the app cannot say it
    app._tell = lambda title, message: told.append([title, message])
    until(lambda: window.evaluate_js(ROWS_JS), what="rows in the studies table")
    (OUT / "dialogs.json").write_text(json.dumps({"save": str(OUT / "button-export.xlsx")}), encoding="utf-8")
    window.load_url(app.server.url + "?q=LONGCELL")
    until(lambda: window.evaluate_js(ROWS_JS) == 2 and "q=LONGCELL" in window.get_current_url(),
          what="the two long studies")
    until(lambda: window.evaluate_js(
        "!!(window.pywebview && window.pywebview.api && window.pywebview.api.save_download)"), what="the bridge")
    window.evaluate_js(
        "[...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Export Excel').click()")
    notices = notices_with(window, "Saved to", "too long for Excel", what="the notices of the button's export")
    screenshot("window-export-shortened")
    step("exported by the button", file=str(OUT / "button-export.xlsx"), notices=notices)

    # The page afresh (no notices left), in 繁體中文, then File > Export current search
    # as Excel…: the window tells the app, which says it in its language.
    window.load_url(window.get_current_url())
    until(lambda: window.evaluate_js(ROWS_JS) == 2 and window.evaluate_js(NOTICES_JS) == [], what="the page afresh")
    window.evaluate_js("document.querySelector('input[name=language][value=\"zh-TW\"]').click()")
    until(lambda: "匯出 Excel" in window.evaluate_js("document.body.innerText"), what="the app in 繁體中文")
    (OUT / "dialogs.json").write_text(json.dumps({"save": str(OUT / "menu-export.xlsx")}), encoding="utf-8")
    saved = app.export_search("xlsx")
    notices = notices_with(window, "menu-export.xlsx", "CSV 匯出保有完整文字", what="the notices of the menu's export")
    screenshot("window-export-shortened-menu")
    step("exported by the menu", saved=saved, notices=notices, told=told)
    app.quit()


def scenario_wait(app) -> None:
    """Stays open until OUT/quit exists, counting knocks of second launches."""
    knocks = []
    original = app.bring_forward

    def counted():
        knocks.append(time.time())
        step("knocked", count=len(knocks))
        original()

    app._lock.on_knock = counted
    rows = until(lambda: app.window.evaluate_js(ROWS_JS) is not None, what="the app")
    step("launched", rows=rows, ready_after_s=app.ready_after_s, recovered_stale=app._lock.recovered_stale)
    screenshot("window-waiting")
    until(lambda: (OUT / "quit").exists(), timeout=120, what="the test's quit file")
    app.quit()


def scenario_close_during_import(app) -> None:
    """Closing during an import: asked first; refused keeps the window, accepted rolls it back."""
    window = app.window
    until(lambda: window.evaluate_js("!!document.querySelector('nav')"), what="the app")
    (OUT / "dialogs.json").write_text(json.dumps({"confirm": False}), encoding="utf-8")
    job_id = app.import_duckdb(os.environ["IMAGING_DESK_DRIVER_IMPORT_FILE"])
    from server.imports.jobs import JOBS

    until(lambda: JOBS.active() is not None and JOBS.active().rows_done > 0, what="the import running")
    app.quit()  # asked, and refused
    until(lambda: app.dialogs.asked, what="the question")
    time.sleep(0.5)
    step("refused", asked=list(app.dialogs.asked), still_running=JOBS.active() is not None, job_id=job_id)
    (OUT / "dialogs.json").write_text(json.dumps({"confirm": True}), encoding="utf-8")
    app.quit()  # asked, and accepted: the import is stopped and rolled back, then the window closes


def scenario_first_run_demo(app) -> None:
    """An empty database: the first-run page, then File > Load demo data to done."""
    window = app.window
    welcome = until(lambda: "Welcome to Imaging Desk" in (window.evaluate_js("document.body.innerText") or ""),
                    what="the first-run page")
    screenshot("window-first-run")
    job_id = app.load_demo()
    until(lambda: window.evaluate_js(
        "document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow')") == "100",
        timeout=120, what="the demo import at 100 %")
    app.back_to_app()
    rows = until(lambda: window.evaluate_js(ROWS_JS), what="the demo studies")
    step("demo loaded", welcome=welcome, job_id=job_id, rows=rows)
    app.quit()


BACKUP_ROWS_JS = "document.querySelectorAll('table[aria-label=\"Backups\"] tbody tr.ant-table-row').length"


def told_by(app) -> list:
    """The window's own message dialogs, kept instead of shown."""
    told = []
    app._tell = lambda title, message: told.append([title, message])
    return told


def scenario_backup_restore(app) -> None:
    """File > Back up now… into the backups folder, watched on the Backups screen; two
    studies added after it; File > Restore… of that backup: the question with both
    counts, the app reloaded signed in, the counts before and after told."""
    from tests.support.factories import insert_study

    window = app.window
    told = told_by(app)
    until(lambda: window.evaluate_js(ROWS_JS), what="rows in the studies table")
    step("launched", menus=menu_titles(app), url=window.get_current_url())
    folder = str(app.backups_folder())
    (OUT / "dialogs.json").write_text(json.dumps({"folder": folder}), encoding="utf-8")
    job = app.back_up_now()
    until(lambda: window.evaluate_js(BACKUP_ROWS_JS) == 1, what="the new backup listed on the Backups screen")
    shown = until(lambda: "Backed up:" in (text := window.evaluate_js("document.body.innerText")) and text,
                  what="the backup's outcome on the Backups screen")
    time.sleep(0.5)
    screenshot("window-backups")
    step("backed up", job=job, told=list(told), url=window.get_current_url(), text=shown, asked=list(app.dialogs.asked))

    # A file that is not a backup: refused in words before anything stops; the app runs on.
    bogus = OUT / "not-a-backup.sqlite3"
    bogus.write_bytes(b"this is not a database" * 100)
    (OUT / "dialogs.json").write_text(json.dumps({"backup": str(bogus), "confirm": True}), encoding="utf-8")
    told.clear()
    app._guard(app.restore)()
    step("refused", told=list(told), url=app.server.url, health=app.client.call("GET", "api/v1/health")["studies"])

    db = app.data_dir / "db.sqlite3"
    insert_study(db, "AFTER-BACKUP-1")
    insert_study(db, "AFTER-BACKUP-2")
    (OUT / "dialogs.json").write_text(json.dumps({"backup": job["backup"]["path"], "confirm": True}), encoding="utf-8")
    old_url = app.server.url
    told.clear()
    restored = app.restore()
    rows = until(lambda: window.evaluate_js(ROWS_JS), what="the app again, signed in")
    health = app.client.call("GET", "api/v1/health")
    step("restored", told=list(told), restored=restored, question=app.dialogs.questions[-1], rows=rows,
         url=window.get_current_url(), old_url=old_url, studies=health["studies"])
    screenshot("window-restored")
    app.quit()


def scenario_damaged(app) -> None:
    """At start the database failed its check: the page, then its Restore button."""
    window = app.window
    told = told_by(app)
    text = until(lambda: window.evaluate_js("document.querySelector('h1') && document.body.innerText"),
                 what="the damaged-database page")
    buttons = window.evaluate_js("[...document.querySelectorAll('button')].map(b => b.textContent)")
    focused = window.evaluate_js("document.activeElement && document.activeElement.id")
    screenshot("window-damaged-database" if (app.data_dir / "db.sqlite3").exists() else "window-missing-database")
    step("damaged", text=text, buttons=buttons, focused=focused, url=window.get_current_url())
    choice = os.environ.get("IMAGING_DESK_DRIVER_CHOICE", "restore")
    if choice == "quit":
        window.evaluate_js("document.getElementById('quit').click()")
        return
    if choice == "menu":
        # File > Help's About needs the server, which has not started: said in words.
        app._guard(app._needs_app(app.show_about))()
        # File > Restore… of a backup the user chooses, the newest here.
        backup = str(app.integrity.newest_good_backup.path)
        (OUT / "dialogs.json").write_text(json.dumps({"backup": backup, "confirm": True}), encoding="utf-8")
        app._guard(app.restore)()
    else:
        window.evaluate_js("document.getElementById('restore').click()")
    rows = until(lambda: window.evaluate_js(ROWS_JS), timeout=120, what="the app on the restored database")
    health = app.client.call("GET", "api/v1/health")
    step("restored", rows=rows, studies=health["studies"], told=list(told), url=window.get_current_url(),
         questions=app.dialogs.questions)
    app.quit()



SET_FIELD_JS = (
    "((id, value) => { const input = document.getElementById(id);"
    " Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, value);"
    " input.dispatchEvent(new Event('input', {bubbles: true})); return input.value; })"
)
CLICK_JS = "(name => [...document.querySelectorAll('button')].find(b => b.textContent.trim() === name).click())"


def scenario_database_settings(app) -> None:
    """The Settings screen in the window: a PostgreSQL database filled in, Test connection,
    Save and restart (the window restarts its server on it, signed in on the same address),
    About naming it; then the saved database made unusable: the start-failure page, and its
    "Use this PC's database" back to the local one."""
    window = app.window
    target = json.loads(os.environ["IMAGING_DESK_DRIVER_POSTGRES"])
    until(lambda: window.evaluate_js("!!document.querySelector('nav')"), what="the app")
    old_url = app.server.url
    window.load_url(app.server.url + "settings")
    until(lambda: window.evaluate_js("!!document.getElementById('database-host')"), what="the Settings screen")
    until(lambda: window.evaluate_js(
        "!!(window.pywebview && window.pywebview.api && window.pywebview.api.restart_on_saved_database)"),
        what="the bridge")
    for name, value in (("host", target["host"]), ("port", str(target["port"])), ("database", target["database"]),
                        ("user", target["user"]), ("password", "window-Secret-pw")):
        window.evaluate_js(f"{SET_FIELD_JS}({json.dumps('database-' + name)}, {json.dumps(value)})")
    window.evaluate_js(f"{CLICK_JS}('Test connection')")
    tested = until(lambda: "Connected" in (text := window.evaluate_js("document.body.innerText")) and text,
                   what="the test's outcome")
    time.sleep(0.5)
    screenshot("window-settings")
    step("tested", text=tested)
    window.evaluate_js(f"{CLICK_JS}('Save and restart')")
    until(lambda: app.client.call("GET", "api/v1/health")["database"] == "postgresql"
          and window.evaluate_js("!!document.querySelector('nav')"), timeout=90, what="the app on PostgreSQL")
    health = app.client.call("GET", "api/v1/health")
    step("restarted", health=health, url=window.get_current_url(), old_url=old_url, server_url=app.server.url)
    app.show_about()
    about = until(lambda: window.evaluate_js("document.querySelector('main h1') && document.body.innerText"),
                  what="the About page")
    screenshot("window-about-postgresql")
    step("about", text=about)

    # The saved database stops answering: the failure page, and the way back.
    settings_file = app.data_dir / "settings.json"
    saved = json.loads(settings_file.read_text(encoding="utf-8"))
    saved["database_url"] = saved["database_url"].replace(f":{target['port']}/", ":1/")
    settings_file.write_text(json.dumps(saved), encoding="utf-8")
    app.database_restart()
    failure = until(lambda: window.evaluate_js("!!document.getElementById('use-local') && document.body.innerText"),
                    what="the start-failure page")
    buttons = window.evaluate_js("[...document.querySelectorAll('button')].map(b => b.textContent)")
    screenshot("window-database-failure")
    step("failure", text=failure, buttons=buttons)
    window.evaluate_js("document.getElementById('use-local').click()")
    until(lambda: app.server is not None and app.client.call("GET", "api/v1/health")["database"] == "sqlite"
          and window.evaluate_js("!!document.querySelector('nav')"), timeout=90, what="the app on this PC's database")
    step("local", settings=json.loads(settings_file.read_text(encoding="utf-8")))
    app.quit()


SCENARIOS = {
    "database-settings": scenario_database_settings,
    "backup-restore": scenario_backup_restore,
    "damaged": scenario_damaged,
    "tour": scenario_tour,
    "first-run-demo": scenario_first_run_demo,
    "wait": scenario_wait,
    "close-during-import": scenario_close_during_import,
    "shortened-export": scenario_shortened_export,
}


def main() -> int:
    global OUT
    scenario, out, rest = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    OUT = out
    out.mkdir(parents=True, exist_ok=True)
    if rest[:1] == ["--"]:
        rest = rest[1:]
    if os.environ.get("IMAGING_DESK_DRIVER_NO_CONSOLE") == "1":
        sys.stdout = sys.stderr = None  # as a windowed (PyInstaller) build starts
    save()
    # A window that does not close leaves its threads' stacks for the failing test to show.
    import faulthandler

    stacks = (out / "stacks.txt").open("w")
    faulthandler.dump_traceback_later(float(os.environ.get("IMAGING_DESK_DRIVER_STACKS_AFTER_S", "150")), file=stacks)

    import desktop.window as window_module

    original_run = window_module.DesktopApp.run

    def run_with_seams(self):
        def ready(app):
            try:
                app.dialogs = FileDialogs(out)
                SCENARIOS[scenario](app)
            except Exception:
                RESULT["error"] = traceback.format_exc()
                save()
                app._closing_confirmed = True
                app.window.destroy()

        if scenario == "damaged":
            self.on_damaged = ready  # the window never gets ready on a damaged database
        else:
            self.on_ready = ready
        return original_run(self)

    window_module.DesktopApp.run = run_with_seams
    from desktop.cli import main as cli_main

    code = cli_main(rest)
    RESULT["exit"] = code
    save()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
