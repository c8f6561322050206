"""The OpenAPI docs render in a real browser that cannot reach the internet."""

import shutil
import subprocess

from tests.support.skips import require

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--no-first-run", "--disable-component-update", "--disable-sync",
    # Every non-local request goes to a closed port: a CDN asset would fail to load.
    "--proxy-server=http://127.0.0.1:9",
]


def rendered_dom(url: str, profile) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    require(chromium is not None, "Debian's chromium is not installed (apt-get install chromium)")
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=15000",
         "--dump-dom", url],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_swagger_ui_lists_every_endpoint_with_no_network(server, tmp_path):
    dom = rendered_dom(server.url + "api/v1/docs", tmp_path / "profile")
    for path in ("/api/v1/health", "/api/v1/auth/me", "/api/v1/studies/search",
                 "/api/v1/studies/filters/options", "/api/v1/studies/{exam_id}"):
        assert f'data-path="{path}"' in dom, path
    assert "Search studies" in dom
