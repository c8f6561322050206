"""The desktop window for real: pywebview with Qt WebEngine on an Xvfb display, the
server inside the same process, driven by tests/support/desktop_driver.py (only the
native dialogs answer from a file). Screenshots go to tests/artifacts/desktop/."""

import csv
import getpass
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.e2e import demo_data_dir
from tests.support.factories import insert_study
from tests.support.paths import ROOT
from tests.support.servers import start_server, subprocess_env
from tests.support.skips import require
from tests.support.sources import SOURCE_NAMES, write_large_duckdb

ARTIFACTS = ROOT / "tests" / "artifacts" / "desktop"
FILE_MENU = [
    "Import DuckDB…", "Link DuckDB file…", "Load demo data", "Export current search as CSV…",
    "Export current search as Excel…", "Back up now…", "Restore…", "Open backups folder", "Open data folder", "Quit",
]
RUN_TIMEOUT_S = 180


def qt_webengine_problem() -> str | None:
    probe = subprocess.run(
        [sys.executable, "-c", "import webview; from qtpy import QtWebEngineWidgets"],
        capture_output=True, text=True, timeout=60,
    )
    if probe.returncode == 0:
        return None
    return (probe.stderr.strip().splitlines() or ["unknown"])[-1]


@pytest.fixture(scope="module")
def display():
    """A fresh Xvfb display (1280x800) for this module's windows."""
    require(shutil.which("Xvfb") is not None, "Xvfb is not installed (apt-get install xvfb xauth)")
    problem = qt_webengine_problem()
    require(problem is None, f"pywebview with Qt WebEngine is not importable: {problem} "
                             "(pip install -e '.[desktop]', and the Qt libraries of .ci/run)")
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    number = xvfb.stdout.readline().strip()
    assert number.isdigit(), "Xvfb did not say which display it opened"
    yield f":{number}"
    xvfb.terminate()
    xvfb.wait(10)


def window_env(data_dir: Path, display: str, **extra: str) -> dict:
    env = subprocess_env(data_dir, DISPLAY=display, QT_QPA_PLATFORM="xcb", **extra)
    env.pop("WAYLAND_DISPLAY", None)
    return env


def session_processes(session_id: int, grace_s: float = 10) -> list[str]:
    """The processes of a session (by /proc) still alive `grace_s` after the window closed.

    Qt WebEngine's zygote processes end when they see the window's process gone, which on a
    loaded machine comes a moment after it: a CI run caught one alive at that instant (here
    they are gone within 3 ms). Only a process alive past the grace was left behind.
    """
    deadline = time.monotonic() + grace_s
    while (left := _session_alive(session_id)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _session_alive(session_id: int) -> list[str]:
    left = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session_id and fields[0] != "Z":
            try:
                command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                command = "?"
            left.append(f"{stat.parent.name} {command.strip()[:200]}")
    return left


class Driven:
    """One run of the window under the driver: its process, output folder and result."""

    def __init__(self, scenario: str, data_dir: Path, out: Path, display: str, **env: str) -> None:
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.desktop_driver", scenario, str(out), "--",
             "window", "--data-dir", str(data_dir)],
            cwd=ROOT, env=window_env(data_dir, display, **env), start_new_session=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace",
        )

    @property
    def result(self) -> dict:
        try:
            return json.loads((self.out / "result.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def step(self, name: str) -> dict | None:
        return next((s for s in self.result.get("steps", []) if s["step"] == name), None)

    def wait_for_step(self, name: str, timeout: float = 90) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.step(name)
            if found is not None:
                return found
            assert self.process.poll() is None, f"the window ended before {name!r}: {self.output()}"
            time.sleep(0.2)
        raise AssertionError(f"no {name!r} within {timeout} s: {self.result}")

    def finish(self, timeout: float = RUN_TIMEOUT_S) -> int:
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            pytest.fail(f"the window did not close within {timeout} s: {self.result}\n{self.output()}")
        self.keep_screenshots()
        assert "error" not in self.result, self.result["error"]
        return self.process.returncode

    def output(self) -> str:
        if self.process.poll() is None:
            return "(still running)"
        return self.process.stdout.read()[-4000:]

    def keep_screenshots(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for shot in self.out.glob("*.png"):
            shutil.copy2(shot, ARTIFACTS / shot.name)


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory):
    """A data folder with 3,000 demo studies, made by the real commands (copied per test)."""
    return demo_data_dir(tmp_path_factory.mktemp("desktop-demo"))


def fresh_copy(demo_folder: Path, tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    shutil.copytree(demo_folder, data_dir)
    return data_dir


def test_the_window_shows_the_studies_imports_a_file_and_saves_exports(display, demo_folder, tmp_path):
    data_dir = fresh_copy(demo_folder, tmp_path)
    source = write_large_duckdb(tmp_path / "clinic.duckdb", 20_000, offset=1_000_000)
    run = Driven("tour", data_dir, tmp_path / "out", display, IMAGING_DESK_DRIVER_IMPORT_FILE=str(source))
    assert run.finish() == 0, run.output()
    session = run.process.pid
    assert session_processes(session) == [], "closing the window left processes behind"

    launched = run.step("launched")
    assert launched["rows"] == 20, "the studies table shows a page of rows"
    print(f"the window showed the studies {launched['ready_after_s']:.2f} s after launch")
    assert launched["menus"]["File"] == FILE_MENU
    assert launched["menus"]["Help"] == ["API access for scripts", "Show log", "About Imaging Desk"]

    # The page's Export CSV button went through the bridge and the Save dialog: one file, every CT study.
    exported = run.step("exported by the button")
    table = list(csv.reader(io.StringIO(Path(exported["file"]).read_text(encoding="utf-8-sig"), newline="")))
    assert table[0] == SOURCE_NAMES
    assert len(table) - 1 == exported["total"] > 20
    assert {row[SOURCE_NAMES.index("exam_source")] for row in table[1:]} == {"CT"}
    assert not list((tmp_path / "out").glob("*.part")), "no second copy is left"

    # File > Export current search as Excel… saved the same search.
    import openpyxl

    saved = run.step("exported by the menu")["saved"]["saved"]
    book = openpyxl.load_workbook(saved, read_only=True)
    sheet = list(book.active.iter_rows(values_only=True))
    book.close()
    assert list(sheet[0]) == SOURCE_NAMES and len(sheet) - 1 == exported["total"]

    # File > Import DuckDB… ran a job that the window showed to 100 %.
    imported = run.step("imported")
    readings = [r for r in imported["readings"] if r is not None]
    assert readings[-1] == 100 and readings == sorted(readings)
    assert imported["url"].endswith(f"/import?job={imported['job_id']}")
    assert [kind for kind, _ in run.step("dialogs")["asked"]] == ["save", "save", "open"]

    # Help > About, API access for scripts, Show log.
    texts = run.step("help")["texts"]
    assert "Imaging Desk 0.1.0" in texts["about"] and "23,000" in texts["about"] and str(data_dir) in texts["about"]
    assert "curl -H" in texts["api"] and str(data_dir / "api-token") in texts["api"]
    assert "the window shows the app" in texts["log"]
    assert all("Back to Imaging Desk" in text for text in texts.values())

    # The database after the window closed: the import whole, and the WAL given back.
    assert not (data_dir / "window.lock").exists() and not (data_dir / "server.json").exists()
    wal = data_dir / "db.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    server = start_server(data_dir)
    try:
        assert server.call("GET", "health")[1]["studies"] == 3000 + 20_000
    finally:
        server.stop()
    geometry = json.loads((data_dir / "window.json").read_text())
    assert geometry["width"] == 1280 and geometry["height"] == 720


def test_an_excel_export_that_shortened_cells_says_so_in_the_window(display, demo_folder, tmp_path):
    """By the page's Export Excel (the bridge) and by File > Export current search as Excel…
    (the window tells the app), the same notice as in a browser, in the app's language."""
    data_dir = fresh_copy(demo_folder, tmp_path)
    insert_study(data_dir / "db.sqlite3", "LONGCELL-1", exam_description="x" * 40_000)
    insert_study(data_dir / "db.sqlite3", "LONGCELL-2", patient_name="LONGCELL " + "李" * 33_000)
    run = Driven("shortened-export", data_dir, tmp_path / "out", display)
    assert run.finish() == 0, run.output()

    by_button = run.step("exported by the button")
    assert by_button["notices"] == [
        f"Saved to {by_button['file']}",
        '2 cells were too long for Excel (over 32,767 characters) and are shortened; the sheet "Shortened cells" '
        "lists them. The CSV export holds the full text.",
    ]
    by_menu = run.step("exported by the menu")
    assert by_menu["saved"]["shortened"] == 2
    assert by_menu["notices"] == [
        f"已儲存至 {by_menu['saved']['saved']}",
        "有 2 個儲存格超過 Excel 的上限（32,767 個字元），已截短；"
        "工作表「Shortened cells」列出這些儲存格。CSV 匯出保有完整文字。",
    ]
    assert by_menu["told"] == [], "the app said it, so the window showed no dialog of its own"
    import openpyxl

    for saved in (by_button["file"], by_menu["saved"]["saved"]):
        book = openpyxl.load_workbook(saved, read_only=True)
        cut = sorted(row[:2] for row in book["Shortened cells"].iter_rows(min_row=2, values_only=True))
        assert cut == [("LONGCELL-1", "exam_description"), ("LONGCELL-2", "patient_name")]
        book.close()


def test_an_empty_database_opens_on_the_first_run_and_the_menu_loads_demo_data(display, tmp_path):
    data_dir = tmp_path / "data"
    run = Driven("first-run-demo", data_dir, tmp_path / "out", display)
    assert run.finish() == 0, run.output()
    loaded = run.step("demo loaded")
    assert loaded["welcome"] is True
    assert loaded["rows"] == 20
    server = start_server(data_dir)
    try:
        assert server.call("GET", "health")[1]["studies"] == 2000
    finally:
        server.stop()


def test_a_second_launch_brings_the_first_window_forward(display, demo_folder, tmp_path):
    data_dir = fresh_copy(demo_folder, tmp_path)
    first = Driven("wait", data_dir, tmp_path / "first", display)
    first.wait_for_step("launched")
    url = json.loads((data_dir / "server.json").read_text())["url"]

    second = subprocess.run(
        [sys.executable, "-m", "desktop", "window", "--data-dir", str(data_dir)],
        cwd=ROOT, env=window_env(data_dir, display), capture_output=True, text=True, timeout=60,
    )
    assert second.returncode == 0, second.stdout + second.stderr
    assert "already running" in second.stdout
    assert first.wait_for_step("knocked", timeout=10)["count"] == 1
    assert json.loads((data_dir / "server.json").read_text())["url"] == url, "no second server"

    (tmp_path / "first" / "quit").touch()
    assert first.finish() == 0
    assert session_processes(first.process.pid) == []


def test_a_lock_left_by_a_crash_is_recovered(display, demo_folder, tmp_path):
    data_dir = fresh_copy(demo_folder, tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (data_dir / "window.lock").write_text(json.dumps({"pid": int(dead.stdout), "port": 9, "secret": "gone"}))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "quit").touch()  # close once it is up
    run = Driven("wait", data_dir, tmp_path / "out", display)
    assert run.finish() == 0, run.output()
    assert run.step("launched")["recovered_stale"] is True
    assert not (data_dir / "window.lock").exists()


def test_a_windowed_start_has_no_stdout_or_stderr_and_still_works(display, demo_folder, tmp_path):
    """As PyInstaller's windowed builds start: sys.stdout and sys.stderr are None."""
    data_dir = fresh_copy(demo_folder, tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "quit").touch()
    run = Driven("wait", data_dir, tmp_path / "out", display, IMAGING_DESK_DRIVER_NO_CONSOLE="1")
    assert run.finish() == 0, run.output()
    assert run.step("launched")["rows"] is not None
    assert run.result["exit"] == 0


def test_closing_during_an_import_asks_first_and_rolls_the_import_back(display, demo_folder, tmp_path):
    data_dir = fresh_copy(demo_folder, tmp_path)
    source = write_large_duckdb(tmp_path / "big.duckdb", 300_000, offset=2_000_000)
    run = Driven("close-during-import", data_dir, tmp_path / "out", display,
                 IMAGING_DESK_DRIVER_IMPORT_FILE=str(source))
    assert run.finish() == 0, run.output()
    refused = run.step("refused")
    assert refused["asked"] == [["confirm", "An import is running"]]
    assert refused["still_running"] is True, "refusing keeps the window and the import"
    assert session_processes(run.process.pid) == [], "the import's process is gone too"

    server = start_server(data_dir)
    try:
        assert server.call("GET", "health")[1]["studies"] == 3000, "nothing of the stopped import was kept"
        newest = server.call("GET", "import/history")[1]["data"][0]
        assert newest["job_id"] == refused["job_id"] and newest["outcome"] == "cancelled"
    finally:
        server.stop()


def test_without_a_display_it_serves_for_a_browser_instead(tmp_path):
    env = subprocess_env(tmp_path / "data")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "--data-dir", str(tmp_path / "data")], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(2)]
        assert lines[0].startswith("No window: there is no display"), lines
        url = re.search(r"running at (http://\S+)", lines[1]).group(1)
        with urllib.request.urlopen(url + "api/v1/health", timeout=10) as response:
            assert json.loads(response.read())["status"] == "ok"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0


# --- backups, restores and a damaged database -------------------------------------------------


def test_back_up_now_and_restore_through_the_file_menu(display, demo_folder, tmp_path):
    data_dir = fresh_copy(demo_folder, tmp_path)
    run = Driven("backup-restore", data_dir, tmp_path / "out", display)
    assert run.finish() == 0, run.output()
    assert run.step("launched")["menus"]["File"] == FILE_MENU

    # Back up now…: the folder dialog opened at the backups folder; the job shown on the
    # Backups screen, its outcome told in words.
    backed = run.step("backed up")
    folder = str(data_dir / "backups")
    assert ["folder", folder] in backed["asked"]
    job = backed["job"]
    assert job["status"] == "done" and job["backup"]["studies"] == 3000 and job["backup"]["verified"] is True
    assert backed["url"].endswith(f"/backups?job={job['job_id']}")
    assert f"Backed up: {job['backup']['name']}" in backed["text"]
    [(title, message)] = backed["told"]
    assert title == "Back up now" and message.startswith(f"Backed up to {job['backup']['path']}\n\n3,000 studies and ")

    # A file that is no backup is refused in words, and the app runs on as it was.
    refused = run.step("refused")
    [(title, message)] = refused["told"]
    assert message.startswith("not-a-backup.sqlite3 cannot be restored: "), message
    assert refused["health"] == 3000

    # Restore…: both counts asked about; the app back, signed in, on the backup's 3,000 studies.
    restored = run.step("restored")
    assert "The backup holds 3,000 studies" in restored["question"]
    assert "The database now holds 3,002 studies" in restored["question"]
    [(title, message)] = restored["told"]
    assert title == "Restore"
    assert "Before: 3,002 studies" in message and "Now: 3,000 studies" in message
    assert restored["studies"] == 3000 and restored["rows"] == 20
    assert restored["url"].startswith(restored["old_url"]), "the app reloaded on the same address"

    server = start_server(data_dir)
    try:
        assert server.call("GET", "health")[1]["studies"] == 3000
        kinds = [b["kind"] for b in server.call("GET", "backups")[1]["backups"]]
        assert "before-restore" in kinds and "manual" in kinds
        # The audit trail names the PC's user for the window's backup and restore, not "API token".
        entries = server.call("GET", "audit")[1]["data"]
        ours = [entry for entry in entries if entry["action"] in ("backup", "restore")]
        assert [entry["action"] for entry in ours][:2] == ["restore", "backup"]
        assert {entry["user"] for entry in ours} == {getpass.getuser()}
    finally:
        server.stop()


def damaged_data_dir(demo_folder: Path, tmp_path: Path) -> Path:
    """A data folder with a good backup, then its database cut to half its size."""
    data_dir = fresh_copy(demo_folder, tmp_path)
    backed = subprocess.run([sys.executable, "-m", "desktop", "backup", "--data-dir", str(data_dir)],
                            cwd=ROOT, env=subprocess_env(data_dir), capture_output=True, text=True, timeout=120)
    assert backed.returncode == 0, backed.stdout + backed.stderr
    db = data_dir / "db.sqlite3"
    with db.open("r+b") as file:
        file.truncate(db.stat().st_size // 2)
    return data_dir


def test_a_damaged_database_at_start_is_told_in_words_and_left_alone_on_quit(display, demo_folder, tmp_path):
    data_dir = damaged_data_dir(demo_folder, tmp_path)
    damaged = (data_dir / "db.sqlite3").read_bytes()
    run = Driven("damaged", data_dir, tmp_path / "out", display, IMAGING_DESK_DRIVER_CHOICE="quit")
    assert run.finish() == 0, run.output()
    page = run.step("damaged")
    assert page["text"].startswith("The database is damaged")
    assert "is damaged: it is cut short" in page["text"], "the check's words name the problem"
    assert re.fullmatch(r"Restore the newest good backup \(\d{4}-\d\d-\d\d \d\d:\d\d, 3,000 studies, [\d,]+ reports\)",
                        page["buttons"][0])
    assert page["buttons"][1:] == ["Quit"] and page["focused"] == "restore"
    assert (data_dir / "db.sqlite3").read_bytes() == damaged, "the damaged file is untouched"
    assert not (data_dir / "server.json").exists(), "no server started on it"


def test_a_damaged_database_at_start_is_replaced_by_the_newest_good_backup_when_chosen(display, demo_folder, tmp_path):
    data_dir = damaged_data_dir(demo_folder, tmp_path)
    run = Driven("damaged", data_dir, tmp_path / "out", display)
    assert run.finish() == 0, run.output()
    restored = run.step("restored")
    assert restored["studies"] == 3000 and restored["rows"] == 20
    [(title, message)] = restored["told"]
    assert title == "Restore" and "Now: 3,000 studies" in message


def test_on_a_damaged_database_file_restore_restores_a_chosen_backup(display, demo_folder, tmp_path):
    data_dir = damaged_data_dir(demo_folder, tmp_path)
    run = Driven("damaged", data_dir, tmp_path / "out", display, IMAGING_DESK_DRIVER_CHOICE="menu")
    assert run.finish() == 0, run.output()
    restored = run.step("restored")
    [about, (title, message)] = restored["told"]
    assert about[1].startswith("The database is damaged, so Imaging Desk has not opened it.")
    [question] = restored["questions"]
    assert "The backup holds 3,000 studies" in question and "The current database is damaged" in question
    assert title == "Restore" and "Now: 3,000 studies" in message
    assert restored["studies"] == 3000 and restored["rows"] == 20


def test_a_missing_database_with_backups_is_never_replaced_by_an_empty_one(display, demo_folder, tmp_path):
    data_dir = damaged_data_dir(demo_folder, tmp_path)
    for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"):
        (data_dir / name).unlink(missing_ok=True)
    run = Driven("damaged", data_dir, tmp_path / "out", display, IMAGING_DESK_DRIVER_CHOICE="quit")
    assert run.finish() == 0, run.output()
    page = run.step("damaged")
    assert page["text"].startswith("The database is missing\n"), page["text"]
    assert "is missing, but this data folder has backups" in page["text"], "the check's words"
    assert "Restoring it puts it in place of the missing database." in page["text"]
    assert page["buttons"][0].startswith("Restore the newest good backup (")
    assert not (data_dir / "db.sqlite3").exists(), "no empty database was made in its place"
