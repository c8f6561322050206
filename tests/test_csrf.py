"""Requests from other pages on this PC: the session cookie alone never changes anything.

SameSite=Strict keeps the cookie from other sites, but a page on any other port of
127.0.0.1 is the same site. So a session request that writes must show, by its
Origin (or Referer), that it comes from this server's own pages; a script's token
request needs no such proof.
"""

import json

import pytest
from django.test import Client

from server.analysis.models import AnalysisTask
from server.analysis.runner import RUNNER
from server.imports.models import ImportRun
from tests.support.servers import LOCAL_HOST
from tests.support.sources import source_row, write_duckdb

pytestmark = pytest.mark.django_db

OWN = f"http://{LOCAL_HOST}"
TASKS = "/api/v1/analysis/tasks"
LOGIN_LINKS = "/api/v1/auth/login-links"
IMPORT = "/api/v1/import/duckdb"
TASK_BODY = {"exam_id": "E1", "analysis_type": "turnaround_review"}


@pytest.fixture
def session() -> Client:
    """The app window (or a browser) signed in through a one-time login link."""
    from server.core.auth import login_code_create

    client = Client(HTTP_HOST=LOCAL_HOST)
    assert client.get("/login", {"once": login_code_create()}).status_code == 302
    return client


@pytest.fixture
def started(monkeypatch) -> list:
    """The tasks handed to the worker pool (none is run)."""
    submitted: list = []
    monkeypatch.setattr(RUNNER, "submit", submitted.append)
    return submitted


@pytest.fixture
def duckdb_file(tmp_path) -> str:
    """A file that would be imported if the request were let through."""
    return str(write_duckdb(tmp_path / "clinic.duckdb", [source_row("EX1")]))


FOREIGN = [
    pytest.param({"HTTP_ORIGIN": "http://evil.example"}, "Origin 'http://evil.example' is not", id="foreign-origin"),
    pytest.param({"HTTP_ORIGIN": "http://127.0.0.1:3000"}, "Origin 'http://127.0.0.1:3000' is not",
                 id="other-local-port"),
    pytest.param({"HTTP_ORIGIN": "http://localhost:8765"}, "Origin 'http://localhost:8765' is not",
                 id="other-host-name"),
    pytest.param({"HTTP_ORIGIN": "null"}, "Origin 'null' is not", id="null-origin"),
    pytest.param({}, "has no Origin or Referer header", id="no-origin-no-referer"),
    pytest.param({"HTTP_REFERER": "http://127.0.0.1:3000/page"}, "Referer 'http://127.0.0.1:3000/page' is not from",
                 id="referer-from-elsewhere"),
    pytest.param({"HTTP_REFERER": "https://127.0.0.1:8765/"}, "Referer 'https://127.0.0.1:8765/' is not from",
                 id="referer-other-scheme"),
    # A foreign Origin is not excused by a Referer that looks right.
    pytest.param({"HTTP_ORIGIN": "http://evil.example", "HTTP_REFERER": f"{OWN}/"}, "Origin 'http://evil.example'",
                 id="foreign-origin-own-referer"),
]


@pytest.mark.parametrize("headers,problem", FOREIGN)
def test_a_session_request_from_another_page_cannot_start_an_analysis(
    session, make_study, started, headers, problem
):
    make_study("E1")
    response = session.post(TASKS, TASK_BODY, content_type="application/json", **headers)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    detail = response.json()["detail"]
    assert detail.startswith("Cross-site request refused: ") and problem in detail
    assert f"{OWN}" in detail
    assert not AnalysisTask.objects.exists() and started == []
    assert session.get("/api/v1/auth/me").status_code == 200  # the session itself still works


@pytest.mark.parametrize("headers,problem", FOREIGN)
def test_a_session_request_from_another_page_cannot_start_an_import(session, duckdb_file, headers, problem):
    response = session.post(IMPORT, {"path": duckdb_file}, content_type="application/json", **headers)
    assert response.status_code == 403 and problem in response.json()["detail"]
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("headers,problem", FOREIGN)
def test_a_session_request_from_another_page_cannot_issue_a_login_link(session, headers, problem):
    response = session.generic("POST", LOGIN_LINKS, **headers)
    assert response.status_code == 403 and problem in response.json()["detail"]
    assert "url" not in response.json()


def test_a_session_request_from_another_page_cannot_delete_a_task(session, contract_tasks):
    response = session.delete(f"{TASKS}/8", HTTP_ORIGIN="http://127.0.0.1:3000")
    assert response.status_code == 403
    assert AnalysisTask.objects.filter(pk=8).exists()


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain; charset=utf-8"],
)
@pytest.mark.parametrize("origin", [{"HTTP_ORIGIN": "http://127.0.0.1:3000"}, {"HTTP_ORIGIN": OWN}, {}])
def test_a_form_body_is_refused_whatever_its_origin(session, make_study, started, duckdb_file, content_type, origin):
    # What an HTML form on another page can send: JSON as text, without a preflight.
    make_study("E1")
    for url, body in ((TASKS, '{"exam_id":"E1","analysis_type":"turnaround_review"}'),
                      (IMPORT, '{"path":"%s"}' % duckdb_file)):
        response = session.post(url, body, content_type=content_type, **origin)
        assert response.status_code == 415, (url, response.content)
        assert response["Content-Type"] == "application/json"
        assert "application/json" in response.json()["detail"]
    assert not AnalysisTask.objects.exists() and started == []
    assert not ImportRun.objects.exists()


def test_a_session_request_from_the_apps_own_page_starts_an_analysis(session, make_study, started):
    make_study("E1")
    response = session.post(TASKS, TASK_BODY, content_type="application/json", HTTP_ORIGIN=OWN)
    assert response.status_code == 201
    assert list(AnalysisTask.objects.values_list("pk", flat=True)) == started == [response.json()["task_id"]]


def test_a_session_request_with_a_same_origin_referer_and_no_origin_is_accepted(session, make_study, started):
    make_study("E1")
    response = session.post(TASKS, TASK_BODY, content_type="application/json", HTTP_REFERER=f"{OWN}/studies?q=x")
    assert response.status_code == 201
    assert AnalysisTask.objects.count() == 1 and len(started) == 1


def test_a_session_may_issue_a_login_link_from_its_own_page(session):
    response = session.generic("POST", LOGIN_LINKS, HTTP_ORIGIN=OWN)
    assert response.status_code == 201 and response.json()["url"].startswith(f"{OWN}/login?once=")


def test_a_session_may_read_without_an_origin(session):
    # Only writes need the proof: a GET changes nothing, and browsers send no Origin with it.
    assert session.get("/api/v1/studies/search").status_code == 200
    assert session.head("/api/v1/studies/search").status_code == 200


def test_a_script_with_the_token_needs_no_origin(api, make_study, started):
    make_study("E1")
    response = api.post(TASKS, TASK_BODY, content_type="application/json")
    assert response.status_code == 201
    assert AnalysisTask.objects.count() == 1 and len(started) == 1
    assert api.generic("POST", LOGIN_LINKS).status_code == 201
    # The importer is reached (and finds no such file): no Origin was asked for.
    missing = api.post(IMPORT, {"path": "/nonexistent/clinic.duckdb"}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["detail"].startswith("File not found")


def test_a_script_with_the_token_is_not_judged_by_a_foreign_origin(api, make_study, started):
    # A browser never sends the token by itself, so whoever sends it is no forged page.
    make_study("E1")
    response = api.post(TASKS, TASK_BODY, content_type="application/json", HTTP_ORIGIN="http://evil.example")
    assert response.status_code == 201


def test_a_script_with_the_token_must_send_json_as_json(api, make_study, started):
    make_study("E1")
    response = api.post(TASKS, '{"exam_id":"E1","analysis_type":"turnaround_review"}', content_type="text/plain")
    assert response.status_code == 415
    assert response.json() == {
        "detail": "Unsupported Content-Type 'text/plain': the API reads request bodies as JSON only; "
        "send Content-Type: application/json"
    }
    assert not AnalysisTask.objects.exists()


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON"])
def test_json_with_a_charset_or_in_capitals_is_json(api, make_study, started, content_type):
    make_study("E1")
    response = api.post(TASKS, json.dumps(TASK_BODY), content_type=content_type)
    assert response.status_code == 201


def test_a_body_without_a_content_type_is_refused(api, make_study, started):
    make_study("E1")
    response = api.generic("POST", TASKS, b'{"exam_id":"E1","analysis_type":"turnaround_review"}', content_type="")
    assert response.status_code == 415
    assert "(none given)" in response.json()["detail"]
    assert not AnalysisTask.objects.exists()
