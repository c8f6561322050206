import os
import stat
import time

import pytest
from django.test import Client

from tests.support.servers import LOCAL_HOST

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer wrong-token"},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
        {"HTTP_AUTHORIZATION": "Bearer tökén"},
    ],
)
def test_a_missing_or_wrong_token_is_401(headers):
    response = Client(HTTP_HOST=LOCAL_HOST, **headers).get(ME)
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}


def test_the_token_is_never_accepted_from_the_url(anon, token):
    assert anon.get(f"{ME}?token={token}").status_code == 401
    assert anon.get(f"{ME}?access_token={token}").status_code == 401


def test_the_token_scheme_is_case_insensitive(token):
    client = Client(HTTP_HOST=LOCAL_HOST, HTTP_AUTHORIZATION=f"bearer {token}")
    assert client.get(ME).status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/api/v1/studies/search", "/api/v1/studies/E1", "/api/v1/studies/filters/options", ME],
)
def test_every_endpoint_but_health_needs_credentials(anon, url):
    assert anon.get(url).status_code == 401


def test_health_needs_no_token(anon):
    assert anon.get("/api/v1/health").status_code == 200


@pytest.mark.parametrize(
    "host",
    ["evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.5:8765", "evil:80@localhost", ""],
)
def test_a_foreign_host_header_is_refused_with_400(token, host):
    client = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {token}")
    for url in ("/api/v1/health", ME, "/", "/login?once=x", "/api/v1/docs"):
        response = client.get(url)
        assert response.status_code == 400, (host, url)
        assert response["Content-Type"] == "application/json"
        assert "Host header" in response.json()["detail"]


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.1:8765", "localhost", "LOCALHOST:1", "[::1]", "[::1]:8765"]
)
def test_loopback_hosts_with_any_port_are_served(token, host):
    client = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(ME).status_code == 200


def test_no_cors_headers_are_ever_sent(api):
    for method in ("get", "options"):
        response = getattr(api, method)(
            "/api/v1/studies/search", HTTP_ORIGIN="http://evil.example",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        )
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]


def test_api_responses_are_not_cached(api):
    assert api.get("/api/v1/studies/search")["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "method,url,status",
    [
        ("get", "/api/v2/studies/search", 404),
        ("get", "/api/v1/studies/search/", 404),
        ("get", "/api/v1/nothing/here", 404),
        ("post", "/api/v1/studies/search", 405),
        ("delete", "/api/v1/studies/E1", 405),
    ],
)
def test_unknown_routes_and_methods_answer_json(api, method, url, status):
    response = api.generic(method.upper(), url)  # no body: a body would have to be JSON (415)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert isinstance(response.json()["detail"], str)


# --- the one-time login link ----------------------------------------------------------


def login(client: Client, code: str):
    return client.get("/login", {"once": code})


def test_a_login_link_opens_a_session_that_the_api_accepts(anon):
    from server.core.auth import login_code_create

    response = login(anon, login_code_create())
    assert response.status_code == 302 and response["Location"] == "/"
    cookie = response.cookies["imaging_desk_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert anon.get(ME).json()["role"] == "owner"


def test_a_login_code_works_once(anon):
    from server.core.auth import login_code_create

    code = login_code_create()
    assert login(anon, code).status_code == 302
    again = login(Client(HTTP_HOST=LOCAL_HOST), code)
    assert again.status_code == 401
    assert "already used" in again.json()["detail"]


def test_an_expired_login_code_is_refused(anon):
    from server.core.auth import login_code_create

    code = login_code_create(ttl_s=-1)
    assert login(anon, code).status_code == 401
    assert anon.get(ME).status_code == 401


@pytest.mark.parametrize("code", ["", "made-up", "x" * 5000])
def test_an_unknown_login_code_is_refused(anon, code):
    assert login(anon, code).status_code == 401


def test_a_login_code_expires_after_about_a_minute(anon, monkeypatch):
    from server.core.auth import login_code_create

    now = time.time()
    fresh, stale = login_code_create(), login_code_create()
    monkeypatch.setattr(time, "time", lambda: now + 59)
    assert login(anon, fresh).status_code == 302
    monkeypatch.setattr(time, "time", lambda: now + 61)
    assert login(Client(HTTP_HOST=LOCAL_HOST), stale).status_code == 401


def test_a_script_with_the_token_can_ask_for_a_login_link(api, anon):
    response = api.generic("POST", "/api/v1/auth/login-links")
    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["url", "expires_in_s"] and body["expires_in_s"] == 60
    assert body["url"].startswith(f"http://{LOCAL_HOST}/login?once=")
    assert anon.get(body["url"]).status_code == 302
    assert anon.generic("POST", "/api/v1/auth/login-links", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_a_wrong_token_fails_even_beside_a_valid_session(anon):
    from server.core.auth import login_code_create

    login(anon, login_code_create())
    assert anon.get(ME, HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


# --- files in the data folder ---------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_token_and_secret_key_are_readable_by_their_owner_only(settings, token):
    for name in ("api-token", "secret-key"):
        mode = stat.S_IMODE((settings.DATA_DIR / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
