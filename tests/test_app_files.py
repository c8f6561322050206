"""The app's build served at /: hashed assets kept for good, index.html never, client
routes answered by index.html, the API left alone."""

import pytest


@pytest.fixture
def build(settings, tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<!doctype html><script src="./assets/index-3f9a1c2b.js"></script>')
    (tmp_path / "assets" / "index-3f9a1c2b.js").write_text("console.log('app')")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    settings.FRONTEND_DIR = tmp_path
    return tmp_path


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_index_html_is_served_at_the_root_and_never_kept(anon, build):
    response = anon.get("/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert response["Cache-Control"] == "no-cache"
    assert body(response) == (build / "index.html").read_bytes()


def test_hashed_assets_are_kept_for_a_year(anon, build):
    response = anon.get("/assets/index-3f9a1c2b.js")
    assert response.status_code == 200 and "javascript" in response["Content-Type"]
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_other_files_of_the_build_are_not_kept(anon, build):
    assert anon.get("/favicon.svg")["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("route", ["/studies", "/studies/EX00000007", "/reports?q=nodule", "/import"])
def test_a_client_route_is_answered_by_index_html(anon, build, route):
    response = anon.get(route)
    assert response.status_code == 200 and body(response) == (build / "index.html").read_bytes()


def test_a_missing_asset_is_a_404_not_the_app(anon, build):
    response = anon.get("/assets/index-00000000.js")
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})


def test_the_api_stays_the_api(anon, build):
    assert anon.get("/api/v1/nothing-here").json() == {"detail": "Not Found"}


def test_an_installation_without_the_build_says_so(anon, settings, tmp_path):
    settings.FRONTEND_DIR = tmp_path / "missing"
    response = anon.get("/")
    assert (response.status_code, response.json()) == (
        404, {"detail": "The app's files are missing from this installation"}
    )
