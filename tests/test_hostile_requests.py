"""Requests no client of ours sends: each is answered with JSON and a 4xx that says
what was wrong, never a 500, and the server answers the next request as before.

The last part is about what waitress answers itself, before Django sees the request.
"""

import http.client
import inspect
import json
import socket

import pytest
from django.http import StreamingHttpResponse
from django.test import Client, RequestFactory

from server.analysis.models import AnalysisTask
from server.analysis.runner import RUNNER
from server.imports.models import ImportRun
from tests.support.servers import LOCAL_HOST, start_server

pytestmark = pytest.mark.django_db

TASKS = "/api/v1/analysis/tasks"
IMPORT = "/api/v1/import/duckdb"


@pytest.fixture
def started(monkeypatch) -> list:
    """The tasks handed to the worker pool (none is run)."""
    submitted: list = []
    monkeypatch.setattr(RUNNER, "submit", submitted.append)
    return submitted


def assert_still_serving(client: Client) -> None:
    response = client.get("/api/v1/studies/search")
    assert response.status_code == 200 and response.json()["total"] >= 0


def assert_json_error(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["detail"] and isinstance(body["detail"], str)
    return body["detail"]


# --- Django's own limits ---------------------------------------------------------------


TOO_MANY = "Too many parameters: this server takes at most 1,000 in one request"


@pytest.mark.parametrize(
    "url",
    ["/api/v1/studies/export", "/api/v1/studies/search", "/api/v1/studies/statistics"],
)
def test_more_than_a_thousand_query_parameters_are_a_400_that_says_how_many_it_takes(api, url):
    response = api.get(url + "?" + "&".join(["exam_source="] * 1500))
    assert assert_json_error(response, 400) == TOO_MANY
    assert_still_serving(api)


def test_a_thousand_query_parameters_are_still_served(api):
    response = api.get("/api/v1/studies/search?" + "&".join(["exam_source="] * 999))
    assert response.status_code == 200


def test_more_than_a_thousand_parameters_on_the_login_link_are_a_400_too(anon):
    response = anon.get("/login?" + "&".join(["once=x"] * 1500))
    assert assert_json_error(response, 400) == TOO_MANY


def test_a_body_over_two_and_a_half_megabytes_is_a_413(api, make_study, started):
    make_study("E1")
    body = json.dumps({"exam_id": "E1", "analysis_type": "turnaround_review", "padding": "x" * 3_000_000})
    response = api.post(TASKS, body, content_type="application/json")
    assert assert_json_error(response, 413) == (
        "The request body is too large: this server takes at most 2,621,440 bytes (2.5 MB)"
    )
    assert not AnalysisTask.objects.exists() and started == []
    assert api.post(IMPORT, json.dumps({"path": "/x" * 1_500_000}), content_type="application/json").status_code == 413
    assert not ImportRun.objects.exists()
    assert_still_serving(api)


# --- text that cannot be stored ----------------------------------------------------------


@pytest.mark.parametrize(
    "url,body,detail",
    [
        (TASKS, '{"exam_id": "\\ud800", "analysis_type": "turnaround_review"}',
         "Invalid parameter: exam_id must be valid Unicode text, but character 1 is a lone surrogate (U+D800) "
         "that has no UTF-8 encoding"),
        (TASKS, '{"exam_id": "E1", "analysis_type": "turnaround\\udfff_review"}',
         "Invalid parameter: analysis_type must be valid Unicode text, but character 11 is a lone surrogate "
         "(U+DFFF) that has no UTF-8 encoding"),
        (IMPORT, '{"path": "/tmp/\\ud800.duckdb"}',
         "Invalid parameter: path must be valid Unicode text, but character 6 is a lone surrogate (U+D800) "
         "that has no UTF-8 encoding"),
    ],
)
def test_a_lone_surrogate_in_a_json_string_is_a_400_naming_the_field(api, make_study, started, url, body, detail):
    make_study("E1")
    response = api.post(url, body, content_type="application/json")
    assert assert_json_error(response, 400) == detail
    assert not AnalysisTask.objects.exists() and started == []
    assert not ImportRun.objects.exists()
    assert_still_serving(api)


def test_a_surrogate_pair_is_one_character_and_fine(api, make_study, started):
    make_study("E\U0001f600")  # written in JSON as the pair \ud83d\ude00
    response = api.post(TASKS, '{"exam_id": "E\\ud83d\\ude00", "analysis_type": "turnaround_review"}',
                        content_type="application/json")
    assert response.status_code == 201 and response.json()["exam_id"] == "E\U0001f600"


# --- paths the file system refuses -------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/%00", "/index.html%00", "/assets/%00/app.js", "/a%00b", "/" + "a" * 300, "/" + "a" * 300 + ".js",
     "/x/" + "b" * 5000],
)
def test_a_nul_byte_or_an_impossible_name_in_an_app_path_is_a_404(anon, path):
    assert assert_json_error(anon.get(path), 404) == "Not Found"
    assert anon.get("/").status_code == 200


@pytest.mark.parametrize("path", ["/static/%00", "/static/ninja/swagger-ui.css%00", "/static/" + "a" * 300])
def test_a_nul_byte_or_an_impossible_name_in_a_static_path_is_a_404(anon, path):
    assert_json_error(anon.get(path), 404)


# --- HEAD --------------------------------------------------------------------------------


HEAD_ROUTES = [
    "/api/v1/health",
    "/api/v1/studies/search?q=zhang",
    "/api/v1/studies/filters/options",
    "/api/v1/studies/NOPE",  # a 404 has its HEAD too
    "/api/v1/auth/me",
    "/",
    "/studies/42",  # a client-side route of the app
    "/static/ninja/swagger-ui.css",
    "/login?once=made-up",
    "/api/v1/docs",
    "/api/v1/openapi.json",
]


@pytest.mark.parametrize("url", HEAD_ROUTES)
def test_head_answers_with_the_status_and_headers_of_get(api, contract_studies, url):
    got, head = api.get(url), api.head(url)
    assert head.status_code == got.status_code
    assert dict(head.headers) == dict(got.headers)
    if not got.streaming:
        assert head["Content-Length"] == str(len(got.content))


@pytest.mark.parametrize("format,content_type", [
    ("csv", "text/csv; charset=utf-8"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_head_of_an_export_has_the_headers_of_get(api, contract_studies, format, content_type):
    url = f"/api/v1/studies/export?format={format}"
    got, head = api.get(url), api.head(url)
    assert (head.status_code, head["Content-Type"]) == (200, content_type)
    # The file name holds the time of the export, to the second, and so does the XLSX
    # file itself (its properties), whose compressed length may then differ by a byte.
    assert head["Content-Disposition"].startswith('attachment; filename="studies_')
    varying = {"Content-Disposition", "Content-Length"} if format == "xlsx" else {"Content-Disposition"}
    assert {k: v for k, v in head.headers.items() if k not in varying} == {
        k: v for k, v in got.headers.items() if k not in varying
    }
    assert ("Content-Length" in head) == ("Content-Length" in got)


def test_head_closes_a_streamed_response_without_reading_it():
    from server.core.middleware import HeadRequestMiddleware

    read = []

    def rows():
        read.append("started")
        yield b"a,b\r\n"

    stream = rows()
    middleware = HeadRequestMiddleware(lambda request: StreamingHttpResponse(stream, content_type="text/csv"))
    response = middleware(RequestFactory().head("/api/v1/studies/export"))
    assert b"".join(response.streaming_content) == b""
    response.close()  # as the WSGI server does, once the answer is sent
    assert read == [] and inspect.getgeneratorstate(stream) == inspect.GEN_CLOSED


def test_head_of_a_post_only_operation_is_its_405(api):
    response = api.head("/api/v1/auth/login-links")
    assert response.status_code == 405 and response["Allow"] == "POST"


def test_a_405_of_an_operation_lists_head_beside_get(api):
    response = api.generic("POST", "/api/v1/studies/search")
    assert assert_json_error(response, 405) == "Method Not Allowed"
    assert response["Allow"] == "GET, HEAD"


def test_head_is_logged_as_head(api, caplog):
    with caplog.at_level("INFO", logger="imaging_desk.access"):
        api.head("/api/v1/health")
    assert [r.getMessage().split()[:3] for r in caplog.records] == [["HEAD", "/api/v1/health", "200"]]


# --- methods the read-only routes do not offer -------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "TRACE", "OPTIONS"])
@pytest.mark.parametrize(
    "url", ["/", "/studies/42", "/index.html", "/static/ninja/swagger-ui.css", "/api/v1/openapi.json",
            "/api/v1/docs", "/login?once=x"],
)
def test_the_app_files_documents_and_login_answer_get_and_head_only(api, method, url):
    response = api.generic(method, url)
    assert assert_json_error(response, 405) == "Method Not Allowed"
    assert response["Allow"] == "GET, HEAD"


def test_a_login_code_is_not_spent_by_a_refused_method(anon):
    from server.core.auth import login_code_create

    code = login_code_create()
    assert anon.generic("POST", f"/login?once={code}").status_code == 405
    assert anon.get("/login", {"once": code}).status_code == 302


# --- through waitress --------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One real `imaging-desk serve` for this module's requests over sockets."""
    running = start_server(tmp_path_factory.mktemp("hostile") / "data")
    yield running
    running.stop()


def exchange(live, raw: bytes) -> bytes:
    """Send raw bytes, read everything until the server closes the connection."""
    port = int(live.url.rsplit(":", 1)[1].strip("/"))
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def split_response(data: bytes) -> tuple[int, dict, bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def live_health(live) -> int:
    port = int(live.url.rsplit(":", 1)[1].strip("/"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/api/v1/health")
    status = connection.getresponse().status
    connection.close()
    return status


@pytest.mark.parametrize("path", ["/", "/static/ninja/swagger-ui.css", "/api/v1/health", "/api/v1/docs"])
def test_head_through_waitress_sends_the_headers_and_no_body(live, path):
    host = f"Host: {LOCAL_HOST}\r\nConnection: close\r\n"
    got = split_response(exchange(live, f"GET {path} HTTP/1.1\r\n{host}\r\n".encode()))
    status, headers, body = split_response(exchange(live, f"HEAD {path} HTTP/1.1\r\n{host}\r\n".encode()))
    assert status == got[0] == 200
    assert body == b""  # waitress would otherwise send a FileResponse's whole file
    assert headers["Content-Length"] == got[1]["Content-Length"] == str(len(got[2]))
    assert {k: v for k, v in headers.items() if k != "Date"} == {k: v for k, v in got[1].items() if k != "Date"}


def test_head_of_the_csv_export_through_waitress_sends_no_rows(live):
    token = (live.data_dir / "api-token").read_text().strip()
    request = f"/api/v1/studies/export HTTP/1.1\r\nHost: {LOCAL_HOST}\r\nAuthorization: Bearer {token}\r\n\r\n"
    got = split_response(exchange(live, f"GET {request}".encode()))
    status, headers, body = split_response(exchange(live, f"HEAD {request}".encode()))
    assert status == got[0] == 200 and b"exam_id," in got[2]
    # A stream has no length: waitress sends it chunked, and after a HEAD still writes
    # its empty last chunk; it closes the connection, so no client reads that as more.
    assert body in (b"", b"0\r\n\r\n")
    assert headers["Connection"] == "close"
    same = {k: v for k, v in headers.items() if k not in ("Date", "Content-Disposition")}
    assert same == {k: v for k, v in got[1].items() if k not in ("Date", "Content-Disposition")}


def test_a_connection_stays_usable_after_a_head(live):
    port = int(live.url.rsplit(":", 1)[1].strip("/"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for method, path in (("HEAD", "/"), ("HEAD", "/static/ninja/swagger-ui.css"), ("GET", "/api/v1/health")):
        connection.request(method, path)
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200, (method, path)
    assert json.loads(body)["database"] == "sqlite"  # the GET read its own answer, not a HEAD's stray body
    connection.close()


# Waitress answers these itself, in plain text, before Django sees the request: its
# error bodies are fixed in waitress.utilities.Error.to_response (see API_CONTRACT.md).
HUGE_HEADERS = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
# Exactly waitress's limit (256 KiB): it reads every byte before it answers and
# closes, so the connection is not reset under the unread rest.
HUGE_HEADERS += b"a" * (262_144 - len(HUGE_HEADERS))
WAITRESS_ERRORS = [
    pytest.param(b"GET /\xff HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400, "Bad Request", "Bad URI", id="raw-0xff"),
    pytest.param(HUGE_HEADERS, 431, "Request Header Fields Too Large", "exceeds max_header of 262144",
                 id="huge-headers"),
    pytest.param(b"POST /api/v1/analysis/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1073741824\r\n\r\n",
                 413, "Request Entity Too Large", "exceeds max_body of 1073741824", id="body-over-1-gib"),
    pytest.param(b"POST /api/v1/analysis/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\n",
                 501, "Not Implemented", "Transfer-Encoding requested is not supported.", id="transfer-encoding"),
]


@pytest.mark.parametrize("raw,status,reason,why", WAITRESS_ERRORS)
def test_waitress_answers_malformed_requests_itself_in_plain_text(live, raw, status, reason, why):
    got_status, headers, body = split_response(exchange(live, raw))
    assert got_status == status
    assert headers["Content-Type"] == "text/plain; charset=utf-8" and headers["Connection"] == "close"
    assert body == f"{reason}\r\n\r\n{why}\r\n\r\n(generated by ImagingDesk)".encode()
    assert live_health(live) == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body,kind",
    [("[null, null]", "an array"), ("[]", "an array"), ('"x"', "a string"), ("5", "a number"),
     ("null", "null"), ("true", "a boolean")],
)
@pytest.mark.parametrize("url", ["/api/v1/import/demo", "/api/v1/analysis/tasks", "/api/v1/import/duckdb"])
def test_a_json_body_that_is_not_an_object_is_refused_before_anything_acts_on_it(api, url, body, kind):
    # Django Ninja read these as an empty object: /import/demo, whose fields all have
    # defaults, started an import of demo data nobody asked for.
    from server.imports.models import ImportRun

    response = api.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": f"The request body must be a JSON object, not {kind}"}
    assert not ImportRun.objects.exists()
