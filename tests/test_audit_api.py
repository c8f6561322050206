"""GET /api/v1/audit, its options and its CSV export; every studies export recorded once."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from server.audit.filters import AuditFilters
from server.audit.models import AuditEntry
from server.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(monkeypatch):
    """Five entries on three days, written at those days' times."""
    times = iter([dt.datetime(2026, 11, 1, 9), dt.datetime(2026, 11, 2, 9), dt.datetime(2026, 11, 2, 18),
                  dt.datetime(2026, 11, 3, 9), dt.datetime(2026, 11, 3, 23, 59, 59)])
    monkeypatch.setattr("server.audit.services.local_now", lambda: next(times))
    made = [
        audit_record(action="import", summary="Imported a.duckdb", user="alice"),
        audit_record(action="export", summary="Exported 3 studies to CSV", user="API token"),
        audit_record(action="export", summary="Exported 9 studies to XLSX", user="alice"),
        audit_record(action="analysis", summary="Analysis turnaround_review", user="alice"),
        audit_record(action="token_reset", summary="A new API token was issued", user="bob"),
    ]
    return made


def summaries(filters: AuditFilters) -> list[str]:
    from server.audit.selectors import audit_entries

    return [e["summary"] for e in audit_entries(filters=filters)]


@pytest.mark.parametrize(
    "filters,expected",
    [
        (AuditFilters(), ["A new API token was issued", "Analysis turnaround_review", "Exported 9 studies to XLSX",
                          "Exported 3 studies to CSV", "Imported a.duckdb"]),
        (AuditFilters(action="export"), ["Exported 9 studies to XLSX", "Exported 3 studies to CSV"]),
        (AuditFilters(user="API token"), ["Exported 3 studies to CSV"]),
        (AuditFilters(since=dt.datetime(2026, 11, 3)), ["A new API token was issued", "Analysis turnaround_review"]),
        (AuditFilters(before=dt.datetime(2026, 11, 2)), ["Imported a.duckdb"]),
        (AuditFilters(q="STUDIES"), ["Exported 9 studies to XLSX", "Exported 3 studies to CSV"]),
        (AuditFilters(q="100%"), []),
        (AuditFilters(action="export", user="alice"), ["Exported 9 studies to XLSX"]),
    ],
)
def test_the_filters_select_exactly_their_entries_newest_first(trail, filters, expected):
    assert summaries(filters) == expected


@pytest.mark.parametrize(
    "params,expected",
    [
        ({}, 5),
        ({"action": "export"}, 2),
        ({"since": "2026-11-02", "until": "2026-11-02"}, 2),  # both days inclusive
        ({"until": "2026-11-03"}, 5),  # the day's last second included
        ({"user": "bob"}, 1),
        ({"q": "duckdb"}, 1),
    ],
)
def test_the_api_pages_through_the_filtered_trail(api, trail, params, expected):
    body = api.get("/api/v1/audit", params).json()
    assert list(body) == ["data", "total", "page", "page_size"]
    assert body["total"] == expected == len(body["data"])
    assert list(body["data"][0]) == ["id", "at", "action", "user", "summary", "details"]


def test_pages_are_newest_first_and_do_not_overlap(api, trail):
    first = api.get("/api/v1/audit", {"page_size": 2}).json()
    second = api.get("/api/v1/audit", {"page_size": 2, "page": 2}).json()
    beyond = api.get("/api/v1/audit", {"page_size": 2, "page": 9}).json()
    ids = [e["id"] for e in first["data"] + second["data"]]
    assert ids == [trail[4].pk, trail[3].pk, trail[2].pk, trail[1].pk]
    assert first["data"][0]["at"] == "2026-11-03T23:59:59"
    assert (beyond["data"], beyond["total"]) == ([], 5)


@pytest.mark.parametrize(
    "params,detail",
    [
        ({"action": "erase"}, "Invalid parameter: action must be one of import, export"),
        ({"since": "2026-13-01"}, "Invalid parameter: since must be a date (YYYY-MM-DD)"),
        ({"until": "yesterday"}, "Invalid parameter: until must be a date (YYYY-MM-DD)"),
        ({"since": "2026-11-03", "until": "2026-11-01"}, "Invalid parameter: since must not be after until"),
        ({"page": "0"}, "Invalid parameter: page must be > 0"),
        ({"page_size": "5000"}, "Invalid parameter: page_size must be between 1 and 1000"),
        ({"q": "a\x00b"}, "Invalid parameter: q must not contain NUL characters"),
    ],
)
def test_bad_parameters_are_refused_with_words(api, params, detail):
    response = api.get("/api/v1/audit", params)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)


def test_the_options_list_every_action_and_the_users_named(api, trail):
    body = api.get("/api/v1/audit/options").json()
    assert body["actions"][:6] == ["import", "export", "analysis", "backup", "restore", "token_reset"]
    assert body["users"] == ["API token", "alice", "bob"]


def test_the_trail_needs_the_token(anon):
    assert anon.get("/api/v1/audit").status_code == 401


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_the_csv_export_holds_every_match_neutralised_and_is_recorded_itself(api):
    audit_record(action="import", summary="=HYPERLINK(\"http://x\")", user="@alice")
    audit_record(action="export", summary="plain", user="alice")
    response = api.get("/api/v1/audit/export", {"format": "csv", "action": "import", "filename": "trail.csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = _csv(response)
    assert lines[0] == ["id", "at", "action", "user", "summary", "details"]
    assert [line[2:5] for line in lines[1:]] == [["import", "'@alice", "'=HYPERLINK(\"http://x\")"]]

    recorded = [e for e in AuditEntry.objects.filter(action="export") if e.details.get("what") == "audit"]
    assert [(e.details["rows"], e.details["filename"], e.details["filters"], e.user) for e in recorded] == [
        (1, "trail.csv", {"action": "import"}, "API token")
    ]


def test_the_csv_export_refuses_another_format(api):
    response = api.get("/api/v1/audit/export", {"format": "xlsx"})
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid parameter: format must be one of csv, got 'xlsx'"


# --- the studies export, recorded exactly once ----------------------------------------

def _exports() -> list[AuditEntry]:
    # (details is PostgreSQL's json, which has no equality: compared here)
    return [e for e in AuditEntry.objects.filter(action="export").order_by("id") if e.details.get("what") == "studies"]


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_each_studies_export_is_recorded_once_with_filters_rows_format_and_file_name(api, make_study, format):
    for i in range(5):
        make_study(f"E{i}", exam_source="CT" if i < 3 else "MRI")
    response = api.get(
        "/api/v1/studies/export", {"format": format, "exam_source": "CT", "filename": "C:\\Users\\amy\\ct.x"}
    )
    assert response.status_code == 200
    assert _exports() == []  # nothing is recorded before the file has been sent
    b"".join(response.streaming_content)

    [entry] = _exports()
    assert entry.details == {
        "what": "studies", "format": format, "filename": "C:\\Users\\amy\\ct.x", "filters": {"exam_source": ["CT"]},
        "sort": "order_datetime_desc", "rows": 3, "matching": 3, "complete": True,
    }
    assert entry.user == "API token"
    assert entry.summary == f"Exported 3 studies to {format.upper()} as C:\\Users\\amy\\ct.x"


def test_an_export_cut_off_says_so_with_the_rows_sent(api, make_study, monkeypatch):
    monkeypatch.setattr("server.core.streaming.CSV_PIECE_CHARS", 1)  # one piece per row
    for i in range(5):
        make_study(f"E{i}")
    response = api.get("/api/v1/studies/export", {"format": "csv"})
    pieces = iter(response.streaming_content)
    next(pieces), next(pieces)  # the header with the first row, the second: then the client goes away
    response._resource_closers[-1]()  # what the server does when the connection drops: close the body

    [entry] = _exports()
    assert (entry.details["rows"], entry.details["complete"]) == (2, False)
    assert entry.summary == "Exported 2 studies to CSV; cut off after 2 of 5 rows"


def test_a_refused_export_is_not_an_export(api, make_study):
    assert api.get("/api/v1/studies/export", {"format": "pdf"}).status_code == 400
    assert api.get("/api/v1/studies/export", {"filename": "a\nb"}).status_code == 400
    assert _exports() == []


def test_a_session_user_is_the_os_account(anon, make_study, settings):
    from server.core.auth import login_code_create, owner_username

    make_study("E1")
    code = login_code_create()
    assert anon.get(f"/login?once={code}").status_code in (200, 302)
    b"".join(anon.get("/api/v1/studies/export").streaming_content)
    [entry] = _exports()
    assert entry.user == owner_username()


def test_the_windows_own_token_requests_are_the_os_account(api, make_study):
    from server.audit.actor import WINDOW_HEADER, window_key
    from server.core.auth import owner_username

    make_study("E1")
    header = "HTTP_" + WINDOW_HEADER.upper().replace("-", "_")
    b"".join(api.get("/api/v1/studies/export", **{header: window_key()}).streaming_content)
    b"".join(api.get("/api/v1/studies/export", **{header: "guessed"}).streaming_content)
    assert [e.user for e in _exports()] == [owner_username(), "API token"]
