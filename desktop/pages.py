"""The few pages the window shows itself, before the app answers or beside it: the
loading page, a start-up error, the damaged-database page, and the Help windows. Plain HTML with inline style:
nothing is fetched, and every text from outside is escaped."""

from __future__ import annotations

from html import escape

STYLE = """
body { font: 15px/1.5 system-ui, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK TC', sans-serif;
       margin: 0; color: #1f1f1f; background: #f5f5f5; }
main { max-width: 760px; margin: 48px auto; background: #fff; border-radius: 8px;
       padding: 24px 32px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
h1 { font-size: 22px; margin: 0 0 12px; }
dt { font-weight: 600; margin-top: 10px; }
dd { margin: 2px 0 0; }
code, pre { font: 13px/1.45 ui-monospace, Consolas, monospace; background: #f0f2f5;
            border-radius: 4px; padding: 2px 6px; }
pre { padding: 10px 12px; white-space: pre-wrap; word-break: break-all; }
.log { max-height: 70vh; overflow: auto; }
button { font: inherit; padding: 4px 14px; border-radius: 6px; border: 1px solid #c9c9c9;
         background: #fff; cursor: pointer; }
.error { color: #a8071a; }
.actions { display: flex; gap: 12px; margin-top: 20px; flex-wrap: wrap; }
.actions button { padding: 8px 18px; font-size: 15px; }
.actions button.primary { background: #1668dc; border-color: #1668dc; color: #fff; }
button:focus-visible { outline: 3px solid #91caff; outline-offset: 2px; }
summary { cursor: pointer; margin-top: 16px; }
.note { color: #595959; font-size: 14px; }
.spinner { width: 28px; height: 28px; border: 3px solid #d6e4ff; border-top-color: #1668dc;
           border-radius: 50%; animation: spin 0.9s linear infinite; margin: 0 auto 16px; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
"""


def page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><main>{body}</main></body></html>"
    )


def loading_page(doing: str = "Opening the database.") -> str:
    return page(
        "Imaging Desk",
        '<div role="status" aria-live="polite" style="text-align:center">'
        '<div class="spinner" aria-hidden="true"></div>'
        f"<h1>Imaging Desk is starting…</h1><p>{escape(doing)}</p></div>",
    )


def error_page(*, what: str, detail: str, log_path: str, offer_local: bool = False) -> str:
    """A start that failed, in words; with offer_local (a PostgreSQL database chosen on
    the Settings screen could not be used), the way back to this PC's own database."""
    actions = (
        '<p>The database was chosen on the Settings screen. Imaging Desk can start on this '
        "PC's own database instead (the PostgreSQL database is forgotten, not changed); choose "
        "it again on the Settings screen once it can be used.</p>"
        '<div class="actions"><button type="button" class="primary" id="use-local" autofocus '
        "onclick=\"this.disabled = true; this.textContent = 'Starting…'; "
        'window.pywebview.api.use_local_database()">Use this PC\'s database</button>'
        '<button type="button" id="quit" onclick="window.pywebview.api.quit()">Quit</button></div>'
        if offer_local else ""
    )
    return page(
        "Imaging Desk could not start",
        f'<h1 class="error">{escape(what)}</h1><p>{escape(detail)}</p>{actions}'
        f'<p class="note">The log has the details: <code>{escape(log_path)}</code></p>',
    )


def api_help_page(*, url: str, token_file: str) -> str:
    example = f'curl -H "Authorization: Bearer $(imaging-desk token)" "{url}api/v1/studies/search?q=chest"'
    return page(
        "API access for scripts",
        "<h1>API access for scripts</h1>"
        "<p>Scripts on this PC can use the same API as the app. Each request sends the API token "
        "as <code>Authorization: Bearer TOKEN</code>.</p>"
        f"<dl><dt>Base URL (this session)</dt><dd><code>{escape(url)}</code></dd>"
        f"<dt>The token</dt><dd>in the file <code>{escape(token_file)}</code>, "
        "or printed by <code>imaging-desk token</code></dd>"
        "<dt>The reference</dt><dd>every endpoint, at <code>" + escape(url) + "api/v1/docs</code></dd></dl>"
        f'<p>Example:</p><pre id="example">{escape(example)}</pre>'
        '<button type="button" onclick="navigator.clipboard.writeText('
        "document.getElementById('example').textContent).then(() => this.textContent = 'Copied')\">"
        "Copy the example</button>"
        "<p>The window picks a free port at each start; for a fixed one, run "
        "<code>imaging-desk serve --port 8765</code> instead of the window.</p>",
    )


def log_page(*, log_path: str, lines: list[str]) -> str:
    text = "".join(lines) or "(the log is empty)"
    return page(
        "Imaging Desk log",
        f"<h1>Log</h1><p><code>{escape(log_path)}</code> (its last {len(lines)} lines)</p>"
        f'<pre class="log">{escape(text)}</pre>',
    )


def about_page(*, version: str, data_dir: str, database: str, counts: dict[str, int]) -> str:
    rows = "".join(f"<dt>{escape(name)}</dt><dd>{value:,}</dd>" for name, value in counts.items())
    return page(
        "About Imaging Desk",
        f"<h1>Imaging Desk {escape(version)}</h1>"
        "<p>Finds and reviews a clinic's imaging examinations on this PC.</p>"
        f"<dl><dt>Data folder</dt><dd><code>{escape(data_dir)}</code></dd>"
        f"<dt>Database</dt><dd><code>{escape(database)}</code></dd>{rows}</dl>",
    )


def damaged_page(
    *, message: str, newest: dict | None, database: str, log_path: str, error: str = "", missing: bool = False,
) -> str:
    """The database failed its check at start: what is wrong, in words, and the two ways
    on. Nothing has touched the damaged file; only the user's choice to restore does
    (and the restore keeps it aside as a backup first). `message` is the check's: its
    first line the problem, the rest the same offer for a terminal (for IT)."""
    problem, _, for_terminal = message.partition("\n")
    if newest is not None:
        when, studies, reports = escape(newest["when"]), int(newest["studies"]), int(newest["reports"])
        offer = (
            f'<p>The newest good backup, <code>{escape(newest["name"])}</code>, is from '
            f"<strong>{when}</strong>: {studies:,} studies and {reports:,} reports. "
            + ("Restoring it puts it in place of the missing database. " if missing else
               "Restoring it replaces the damaged database, which is kept as a backup for IT to look at. ")
            + "What changed after the backup was taken is not in it.</p>"
        )
        restore = (
            '<button type="button" class="primary" id="restore" autofocus '
            "onclick=\"this.disabled = true; this.textContent = 'Restoring…'; "
            'window.pywebview.api.restore_newest_backup()">'
            f"Restore the newest good backup ({when}, {studies:,} studies, {reports:,} reports)</button>"
        )
    else:
        offer = (
            "<p>There is no good backup of it in the backups folder. Keep the file as it is and ask "
            "your IT department for help, or restore a backup you keep elsewhere with "
            "<code>imaging-desk restore FILE</code>.</p>"
        )
        restore = ""
    failed = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    terminal = (
        f"<details><summary>For IT: the same from a terminal</summary><pre>{escape(for_terminal.strip())}</pre>"
        "</details>" if for_terminal.strip() else ""
    )
    title = "The database is missing" if missing else "The database is damaged"
    return page(
        title,
        f'<h1 class="error">{title}</h1>'
        f"<p>{escape(problem)}</p>"
        f"{offer}{failed}"
        f'<div class="actions">{restore}'
        '<button type="button" id="quit" onclick="window.pywebview.api.quit()">Quit</button></div>'
        f'<div class="note">{terminal}<p>The database: <code>{escape(database)}</code>. '
        f"The log has the details: <code>{escape(log_path)}</code></p></div>",
    )


def restoring_page(*, name: str) -> str:
    return page(
        "Restoring…",
        '<div role="status" aria-live="polite" style="text-align:center">'
        '<div class="spinner" aria-hidden="true"></div>'
        f"<h1>Restoring {escape(name)}…</h1><p>The backup is checked, the current database kept "
        "as a backup, and the app opens again in a moment.</p></div>",
    )
