"""The desktop window's parts that need no display: the export's URL from the window's,
the remembered geometry, the one-window lock, what the bridge lets the page do, and what
an export saved by the window says about the cells Excel could not hold."""

import json
import os
import re
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from desktop.instance import AlreadyRunning, InstanceLock
from desktop.window import (
    SAVED_EVENT,
    AppClient,
    Bridge,
    DesktopApp,
    DesktopError,
    _read_geometry,
    backup_outcome,
    export_filename,
    export_path,
    restore_outcome,
    with_filename,
)
from tests.support.commands import import_cli
from tests.support.factories import insert_study
from tests.support.paths import ROOT
from tests.support.servers import start_server
from tests.support.sources import write_large_duckdb


@pytest.mark.parametrize(("current", "remembered", "expected"), [
    ("http://127.0.0.1:5000/", "", "api/v1/studies/export?format=csv"),
    ("http://127.0.0.1:5000/?q=chest&exam_source=CT&exam_source=MR&page=3&page_size=50&study=EX1", "",
     "api/v1/studies/export?q=chest&exam_source=CT&exam_source=MR&format=csv"),
    ("http://127.0.0.1:5000/studies?sort=patient_name_asc", "",
     "api/v1/studies/export?sort=patient_name_asc&format=csv"),
    ("http://127.0.0.1:5000/import?job=4", "exam_status=completed&page_size=50",
     "api/v1/studies/export?exam_status=completed&format=csv"),
    ("http://127.0.0.1:5000/analysis?exam_source=CT", "", "api/v1/studies/export?format=csv"),
])
def test_the_export_takes_the_studies_search_of_the_window_or_the_remembered_one(current, remembered, expected):
    assert export_path(current, fmt="csv", remembered=remembered) == expected


def test_an_export_is_named_like_the_servers_download():
    assert export_filename("xlsx", now=datetime(2026, 12, 1, 9, 5, 7)) == "studies_20261201_090507.xlsx"


@pytest.mark.parametrize(("saved", "expected"), [
    (None, {"width": 1280, "height": 720}),
    ({"width": 1400, "height": 900, "x": 40, "y": 30}, {"width": 1400, "height": 900, "x": 40, "y": 30}),
    ({"width": 300, "height": 200}, {"width": 960, "height": 600}),
    ({"width": 1280, "height": 720, "x": 0, "y": -16}, {"width": 1280, "height": 720}),
    ({"width": 1280, "height": 720, "x": -1920, "y": 0}, {"width": 1280, "height": 720}),
])
def test_the_window_reopens_at_its_remembered_size_and_a_visible_place(tmp_path, saved, expected):
    if saved is not None:
        (tmp_path / "window.json").write_text(json.dumps(saved))
    assert _read_geometry(tmp_path) == expected


def test_a_corrupt_geometry_file_gives_the_default_size(tmp_path):
    (tmp_path / "window.json").write_text("{not json")
    assert _read_geometry(tmp_path) == {"width": 1280, "height": 720}


def test_a_second_lock_on_the_folder_knocks_on_the_first_and_is_refused(tmp_path):
    knocked = threading.Event()
    first = InstanceLock(tmp_path, on_knock=knocked.set).acquire()
    try:
        with pytest.raises(AlreadyRunning):
            InstanceLock(tmp_path, on_knock=lambda: None).acquire()
        assert knocked.wait(5)
    finally:
        first.release()
    assert not (tmp_path / "window.lock").exists()


def test_a_lock_whose_process_has_gone_is_taken_over(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / "window.lock").write_text(json.dumps({"pid": int(gone.stdout), "port": 9, "secret": "x"}))
    lock = InstanceLock(tmp_path, on_knock=lambda: None).acquire()
    try:
        assert lock.recovered_stale
        assert json.loads((tmp_path / "window.lock").read_text())["pid"] == os.getpid()
    finally:
        lock.release()


def test_a_live_process_that_does_not_answer_the_knock_holds_no_lock(tmp_path):
    """A pid can be reused by another program after a crash: no answer, no lock."""
    (tmp_path / "window.lock").write_text(json.dumps({"pid": os.getppid(), "port": 9, "secret": "x"}))
    lock = InstanceLock(tmp_path, on_knock=lambda: None).acquire()
    lock.release()
    assert lock.recovered_stale


def test_a_knock_without_the_secret_is_ignored(tmp_path):
    import socket

    knocked = threading.Event()
    lock = InstanceLock(tmp_path, on_knock=knocked.set).acquire()
    try:
        port = json.loads((tmp_path / "window.lock").read_text())["port"]
        with socket.create_connection(("127.0.0.1", port), timeout=3) as conn:
            conn.sendall(b"guess show\n")
            assert conn.recv(16) == b""
        assert not knocked.wait(0.5)
    finally:
        lock.release()


def test_the_bridge_offers_the_page_only_its_dialogs_the_backups_folder_and_the_ways_on(tmp_path):
    public = {name for name in dir(Bridge(DesktopApp(data_dir=tmp_path))) if not name.startswith("_")}
    assert public == {"save_download", "choose_duckdb", "back_to_app", "open_backups_folder",
                      "restore_newest_backup", "quit", "restart_on_saved_database", "use_local_database"}


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/api/v1/studies/export?format=csv",  # another port
    "http://127.0.0.1:5000/api/v1/auth/me",  # not the export
    "file:///etc/passwd",
])
def test_the_bridge_saves_nothing_but_the_servers_own_export(tmp_path, url):
    app = DesktopApp(data_dir=tmp_path)
    app.server = SimpleNamespace(url="http://127.0.0.1:5000/")
    app.dialogs = SimpleNamespace(save_as=lambda name: pytest.fail("no dialog for a refused URL"))
    assert Bridge(app).save_download(url, "x.csv") == {
        "saved": None, "error": "Only the studies and audit trail exports can be saved from the app",
    }


def app_on(server, tmp_path, *, window=None) -> DesktopApp:
    """A DesktopApp around a real `imaging-desk serve`, its Save dialog answering tmp_path/NAME."""
    app = DesktopApp(data_dir=tmp_path / "window")
    app.server = SimpleNamespace(url=server.url)
    app.client = AppClient(url=server.url, token=(server.data_dir / "api-token").read_text().strip())
    app.dialogs = SimpleNamespace(save_as=lambda name: str(tmp_path / name))
    app.window = window
    return app


def long_studies(server) -> None:
    db = server.data_dir / "db.sqlite3"
    insert_study(db, "LONG-1", exam_source="CT", exam_description="x" * 40_000)
    insert_study(db, "LONG-2", exam_source="CT", exam_description="李" * 32_768)
    insert_study(db, "SHORT", exam_source="MR", exam_description="Low-dose chest CT")


def test_the_bridge_says_how_many_cells_the_saved_excel_file_shortened(server, tmp_path):
    long_studies(server)
    bridge = Bridge(app_on(server, tmp_path))
    xlsx = bridge.save_download(server.url + "api/v1/studies/export?format=xlsx", "all.xlsx")
    file = tmp_path / "all.xlsx"
    assert xlsx == {"saved": str(file), "bytes": file.stat().st_size, "shortened": 2}
    import openpyxl

    book = openpyxl.load_workbook(file, read_only=True)
    listed = sorted(row[0] for row in book["Shortened cells"].iter_rows(min_row=2, values_only=True))
    assert listed == ["LONG-1", "LONG-2"]
    book.close()
    none_cut = bridge.save_download(server.url + "api/v1/studies/export?exam_source=MR&format=xlsx", "mr.xlsx")
    assert none_cut["shortened"] == 0
    csv = bridge.save_download(server.url + "api/v1/studies/export?format=csv", "all.csv")
    assert csv["shortened"] == 0 and "x" * 40_000 in (tmp_path / "all.csv").read_text(encoding="utf-8-sig")


class FakeWindow:
    """The pywebview window as File > Export… uses it: the page's URL, its script, a dialog."""

    def __init__(self, url: str, *, app_listens: bool) -> None:
        self.url, self.app_listens = url, app_listens
        self.scripts: list[str] = []
        self.told: list[tuple[str, str]] = []

    def get_current_url(self) -> str:
        return self.url

    def evaluate_js(self, script: str):
        self.scripts.append(script)
        return self.app_listens  # the app's listener cancels the event: the script answers true

    def create_confirmation_dialog(self, title: str, message: str) -> bool:
        self.told.append((title, message))
        return True

    def load_url(self, url: str) -> None:
        self.url = url


def test_the_menus_excel_export_tells_the_app_what_it_saved_and_shortened(server, tmp_path):
    long_studies(server)
    window = FakeWindow(server.url + "?exam_source=CT", app_listens=True)
    app = app_on(server, tmp_path, window=window)
    saved = app.export_search("xlsx")
    assert saved["shortened"] == 2 and saved["saved"].endswith(".xlsx")
    [script] = window.scripts
    assert SAVED_EVENT in script and "cancelable: true" in script
    assert json.dumps({"saved": saved["saved"], "shortened": 2}) in script
    assert window.told == [], "the app said it: no dialog"


def test_without_the_app_to_say_it_the_menus_export_says_what_it_shortened_in_a_dialog(server, tmp_path):
    long_studies(server)
    window = FakeWindow(server.url + "?exam_source=CT", app_listens=False)  # e.g. a Help page
    app = app_on(server, tmp_path, window=window)
    saved = app.export_search("xlsx")
    [(title, message)] = window.told
    assert message == (
        f"Saved to {saved['saved']}\n\n2 cells were longer than an Excel cell holds (32,767 characters) and "
        'shortened, each listed on the sheet "Shortened cells"; the CSV export (format=csv) holds the full text.'
    )
    window.told.clear()
    app.export_search("csv")  # nothing shortened: the Save dialog already said where
    assert window.told == []


def test_the_api_help_says_where_the_token_is_and_gives_a_curl_example():
    from desktop import pages

    html = pages.api_help_page(url="http://127.0.0.1:5123/", token_file="/data/api-token")
    assert "http://127.0.0.1:5123/" in html and "/data/api-token" in html
    assert 'curl -H &quot;Authorization: Bearer $(imaging-desk token)&quot;' in html
    assert "Copy the example" in html


def test_the_help_pages_escape_what_they_show():
    from desktop import pages

    html = pages.log_page(log_path="/data/logs/server.log", lines=["<script>alert(1)</script>\n"])
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    about = pages.about_page(version="0.1.0", data_dir="C:\\Data <x>", database="db", counts={"Studies": 23000})
    assert "C:\\Data &lt;x&gt;" in about and "23,000" in about


def test_the_studies_export_is_asked_for_with_the_name_the_user_saves_as(tmp_path):
    target = tmp_path / "CT studies (Nov).csv"
    assert with_filename("api/v1/studies/export?exam_source=CT&format=csv&filename=old.csv", target) == (
        "api/v1/studies/export?exam_source=CT&format=csv&filename=CT+studies+%28Nov%29.csv"
    )
    assert with_filename("api/v1/audit/export?format=csv&action=import", target) == (
        "api/v1/audit/export?format=csv&action=import&filename=CT+studies+%28Nov%29.csv"
    )
    assert with_filename("api/v1/auth/me", target) == "api/v1/auth/me"


def test_the_audit_trail_names_the_file_each_export_was_saved_as(server, tmp_path):
    asked = []
    app = app_on(server, tmp_path)
    app.dialogs = SimpleNamespace(save_as=lambda name: asked.append(name) or str(tmp_path / f"saved {name}"))
    bridge = Bridge(app)
    studies = bridge.save_download(server.url + "api/v1/studies/export?format=csv", "")
    audit = bridge.save_download(server.url + "api/v1/audit/export?format=csv&action=export", "")
    assert re.fullmatch(r"studies_\d{8}_\d{6}\.csv", asked[0]) and re.fullmatch(r"audit_\d{8}_\d{6}\.csv", asked[1])
    assert studies["saved"] == str(tmp_path / f"saved {asked[0]}") and audit["bytes"] > 0
    status, entries = server.call("GET", "audit?action=export")
    assert status == 200
    assert [entry["details"]["filename"] for entry in entries["data"]] == [f"saved {asked[1]}", f"saved {asked[0]}"]


# --- a full drive: the export fails cleanly --------------------------------------------

FULL_DRIVE_SCRIPT = """
import json, resource, sys
from pathlib import Path
from types import SimpleNamespace
from desktop.window import AppClient, Bridge, DesktopApp, DesktopError

url, token, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
app = DesktopApp(data_dir=out / "window")
app.server = SimpleNamespace(url=url)
app.client = AppClient(url=url, token=token)
app.dialogs = SimpleNamespace(save_as=lambda name: str(out / name))
told = {"bridge": Bridge(app).save_download(url + "api/v1/studies/export?format=csv", "by-button.csv")}
try:
    app._save("api/v1/studies/export?format=csv", "by-menu.csv")
except DesktopError as exc:
    told["menu"] = str(exc)
print(json.dumps(told))
"""


def test_an_export_to_a_full_drive_leaves_no_file_and_says_so_in_words(tmp_path):
    """A file-size limit (RLIMIT_FSIZE, 64 KB) stands for a full drive: the export of
    every study is larger; the window removes what it wrote and says why; the studies
    are as they were."""
    data_dir = tmp_path / "data"
    imported = import_cli(write_large_duckdb(tmp_path / "clinic.duckdb", 3000), data_dir)
    assert imported.returncode == 0, imported.stderr
    running = start_server(data_dir)
    try:
        out = tmp_path / "out"
        out.mkdir()
        token = (data_dir / "api-token").read_text().strip()
        done = subprocess.run([sys.executable, "-c", FULL_DRIVE_SCRIPT, running.url, token, str(out)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        told = json.loads(done.stdout)
        words = ("There is not enough room on the drive to save {}. Nothing was saved: free some space "
                 "or choose another drive, then export again.")
        assert told == {"bridge": {"saved": None, "error": words.format(out / "by-button.csv")},
                        "menu": words.format(out / "by-menu.csv")}
        assert list(out.iterdir()) == [], "no file and no partial file is left"
        assert running.call("GET", "health")[1]["studies"] == 3000
    finally:
        running.stop()


# --- backups and restores, in words --------------------------------------------------------


def test_back_up_now_tells_what_it_wrote_or_why_it_failed():
    done = {"status": "done", "backup": {"path": "/media/usb/imaging-desk-20261201.sqlite3", "studies": 3000,
                                         "reports": 2950, "size_bytes": 48_234_496}}
    assert backup_outcome(done) == (
        "Backed up to /media/usb/imaging-desk-20261201.sqlite3\n\n3,000 studies and 2,950 reports, 46.0 MB, "
        "checked after writing."
    )
    failed = {"status": "failed", "backup": None, "error": "The drive /media/usb is full."}
    assert backup_outcome(failed) == "The backup failed: The drive /media/usb is full.\n\nThe database is unchanged."


def test_a_restore_tells_the_counts_before_and_after():
    result = SimpleNamespace(before={"studies": 3020, "reports": 2990}, after={"studies": 3000, "reports": 2950})
    told = restore_outcome(result, before=None)
    assert told["message"] == (
        "The backup is restored.\nBefore: 3,020 studies and 2,990 reports.\nNow: 3,000 studies and 2,950 reports."
    )


def test_the_damaged_database_page_names_the_problem_and_offers_the_newest_good_backup():
    from desktop import pages

    newest = {"name": "imaging-desk-2026<11>.sqlite3", "when": "2026-11-30 02:00", "studies": 3000, "reports": 2950}
    message = "The database file is cut short <b>\nThe newest good backup is X. To restore it, run:\n  restore X"
    html = pages.damaged_page(message=message, newest=newest, database="/data/db.sqlite3", log_path="/data/l.log")
    assert "<p>The database file is cut short &lt;b&gt;</p>" in html and "imaging-desk-2026&lt;11&gt;.sqlite3" in html
    assert "For IT: the same from a terminal</summary><pre>The newest good backup is X." in html
    assert "Restore the newest good backup (2026-11-30 02:00, 3,000 studies, 2,950 reports)" in html
    assert "restore_newest_backup()" in html and "api.quit()" in html
    bare = pages.damaged_page(message="Damaged.", newest=None, database="/data/db.sqlite3", log_path="/l")
    assert "restore_newest_backup" not in bare and "There is no good backup" in bare and "Quit" in bare


def test_open_backups_folder_shows_the_backups_folder_made_if_needed(tmp_path, monkeypatch):
    import desktop.window as window_module

    opened = []
    monkeypatch.setattr(window_module, "open_path", opened.append)
    folder = Bridge(DesktopApp(data_dir=tmp_path)).open_backups_folder()
    assert folder == str(tmp_path / "backups") and (tmp_path / "backups").is_dir()
    assert opened == [tmp_path / "backups"]


def test_the_menus_that_need_the_server_say_why_on_a_damaged_database(tmp_path):
    app = DesktopApp(data_dir=tmp_path)
    app.window = FakeWindow("", app_listens=False)
    app._guard(app._needs_app(lambda: app.export_search("csv")))()
    [(title, message)] = app.window.told
    assert message.startswith("The database is damaged, so Imaging Desk has not opened it.")


def test_back_up_now_into_another_folder_says_where_it_wrote_and_what_it_holds(server, tmp_path):
    insert_study(server.data_dir / "db.sqlite3", "EX-1")
    usb = tmp_path / "usb"
    usb.mkdir()
    asked = []
    window = FakeWindow(server.url, app_listens=False)
    app = app_on(server, tmp_path, window=window)
    app.data_dir = server.data_dir
    app.dialogs = SimpleNamespace(choose_folder=lambda directory: asked.append(directory) or str(usb))
    job = app.back_up_now()
    assert asked == [str(server.data_dir / "backups")], "the dialog opens at the backups folder"
    assert job["status"] == "done" and Path(job["backup"]["path"]).parent == usb
    assert window.url == server.url + f"backups?job={job['job_id']}"
    [(title, message)] = window.told
    assert title == "Back up now"
    assert message.startswith(f"Backed up to {job['backup']['path']}\n\n1 study and 0 reports, ")


def test_back_up_now_into_a_folder_that_cannot_take_it_says_why(server, tmp_path):
    app = app_on(server, tmp_path, window=FakeWindow(server.url, app_listens=False))
    app.data_dir = server.data_dir
    app.dialogs = SimpleNamespace(choose_folder=lambda directory: str(tmp_path / "gone"))
    app._guard(app.back_up_now)()
    [(title, message)] = app.window.told
    assert "gone" in message and "That did not work" not in message, message


def test_a_restore_that_fails_after_the_server_stopped_starts_it_again_on_the_old_database(tmp_path, monkeypatch):
    """The order of a refused restore: the server stopped, the restore refused, the same
    server started again on the same port, and the refusal told in words."""
    import server.backups.services as backups
    from server.backups.errors import RestoreRefused

    events = []

    def refuse(**kwargs):
        events.append(("restore", kwargs["own_server_stopped"]))
        raise RestoreRefused("The data folder's disk is too full to restore. Nothing was changed.")

    monkeypatch.setattr(backups, "backup_restore", refuse)
    app = DesktopApp(data_dir=tmp_path)
    app.window = SimpleNamespace(load_html=lambda html: events.append(("page", "Restoring" in html)))
    app.server = SimpleNamespace(url="http://127.0.0.1:5123/", stop=lambda: events.append(("stopped",)))
    app._start_server = lambda port=0: events.append(("started", port))
    with pytest.raises(DesktopError) as refused:
        app._replace_database(tmp_path / "backup.sqlite3")
    assert events == [("page", True), ("stopped",), ("restore", True), ("started", 5123)]
    assert str(refused.value) == (
        "The backup could not be restored: The data folder's disk is too full to restore. Nothing was changed."
        "\n\nThe database is as it was."
    )


def test_the_window_names_a_database_it_cannot_open_as_the_commands_do(settings):
    from django.db import OperationalError, connection

    from desktop.window import start_failure_words
    from server.database import database_unavailable_words

    error = OperationalError('connection to server at "db", port 5432 failed: Connection refused')
    assert start_failure_words(error) == database_unavailable_words(error, connection.settings_dict)
    assert start_failure_words(ValueError("no room")) == "no room"
