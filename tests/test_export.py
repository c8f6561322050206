"""GET /api/v1/studies/export: files read back with the same libraries and compared
with the database (server/studies/export.py)."""

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from server.studies.export import COLUMNS
from server.studies.models import Study

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/studies/export"
AWKWARD = ["=1+1", "+49 30 1234", "-5", "@SUM(A1)", "\tTab", "\rCR", "plain", "李娜", "  spaced  ", "a,b\"c\nd",
           "unit\x1fsep", "literal _x000D_ text"]


@pytest.fixture
def studies(make_study):
    for i, name in enumerate(AWKWARD):
        make_study(f"X{i:02d}", patient_name=name, patient_age=None if i == 3 else 30 + i,
                   order_datetime=dt.datetime(2025, 1, 1, 8, 0, 0, i * 80_000 + 1) + dt.timedelta(hours=i),
                   check_in_datetime=None if i % 2 else dt.datetime(2025, 1, 1, 9, 0),
                   exam_source="CT" if i % 3 else "MRI", exam_description="desc" if i else None)


def download(api, **params) -> tuple:
    response = api.get(EXPORT, params)
    assert response.status_code == 200, response.content
    return response, b"".join(response.streaming_content)


def database_rows(order=("-order_datetime", "exam_id"), **filters) -> list[tuple]:
    return list(Study.objects.filter(**filters).order_by(*order).values_list(*COLUMNS))


def test_csv_carries_every_match_in_search_order_under_a_header(api, studies):
    response, body = download(api, format="csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="studies_\d{8}_\d{6}\.csv"', response["Content-Disposition"])
    assert body.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert lines[0] == list(COLUMNS)
    expected = database_rows()
    assert len(lines) - 1 == len(expected) == len(AWKWARD)
    for line, row in zip(lines[1:], expected):
        for cell, value in zip(line, row):
            if value is None:
                assert cell == ""
            elif isinstance(value, dt.datetime):
                assert dt.datetime.fromisoformat(cell) == value
            elif isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert cell == "'" + value  # neutralised: a spreadsheet shows it as text
            else:
                assert cell == str(value)


@pytest.mark.parametrize(
    "value,cell",
    [("=1+1", "'=1+1"), ("+49", "'+49"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("a=b", "a=b"), (" =x", " =x"), ("", "")],
)
def test_csv_neutralises_cells_that_begin_like_a_formula(value, cell):
    from server.studies.export import neutralise

    assert neutralise(value) == cell


def test_xlsx_reads_back_equal_with_real_dates_and_text_never_formulas(api, studies):
    response, body = download(api, format="xlsx")
    assert re.fullmatch(r'attachment; filename="studies_\d{8}_\d{6}\.xlsx"', response["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    expected = database_rows()
    assert len(rows) - 1 == len(expected)
    for got, row in zip(rows[1:], expected):
        for cell, value in zip(got, row):
            if isinstance(value, dt.datetime):
                assert isinstance(cell, dt.datetime)  # a real Excel date, not text
                assert abs(cell - value) < dt.timedelta(milliseconds=1)  # Excel keeps milliseconds
            elif isinstance(value, str):
                # Text comes back as text ("=1+1" too); control characters are written
                # with the format's own _xHHHH_ escape, which spreadsheets undo.
                assert unescape(cell) == value
            else:
                assert cell == value


def test_xlsx_cells_that_look_like_formulas_are_stored_as_text(api, studies):
    _, body = download(api, format="xlsx")
    sheet = load_workbook(io.BytesIO(body)).active
    formula_cells = [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formula_cells == []


def test_the_export_follows_the_search_filters_and_sort(api, studies):
    _, body = download(api, format="csv", exam_source="MRI", sort="order_datetime_asc")
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))[1:]
    expected = database_rows(("order_datetime", "exam_id"), exam_source="MRI")
    assert [line[0] for line in lines] == [r[0] for r in expected]


def test_an_empty_export_is_a_header_alone(api, studies):
    _, body = download(api, format="csv", q="no such study")
    assert body.decode("utf-8-sig").splitlines() == [",".join(COLUMNS)]


def test_more_rows_than_a_worksheet_holds_is_refused_before_writing(api, studies, monkeypatch):
    from server.studies import export

    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 5)
    response = api.get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Invalid parameter: format xlsx holds at most 5 studies")
    assert api.get(EXPORT, {"format": "csv"}).status_code == 200  # csv has no such limit


@pytest.mark.parametrize(
    "query,parameter",
    [("format=pdf", "format"), ("format=csv&format=xlsx", "format"), ("sort=x", "sort"),
     ("date_to=soon", "date_to"), ("patient_age_min=x", "patient_age_min")],
)
def test_bad_export_parameters_are_400s_naming_them(api, query, parameter):
    response = api.get(f"{EXPORT}?{query}")
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"Invalid parameter: {parameter} ")


def test_the_export_needs_credentials(anon):
    assert anon.get(EXPORT).status_code == 401


def test_text_longer_than_an_xlsx_cell_is_refused_for_xlsx_and_kept_whole_in_csv(api, make_study):
    long_text = "描述" * 20_000
    make_study("LONG", exam_description=long_text)
    response = api.get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "Invalid parameter: format xlsx cells hold at most 32,767 characters and the exam_description "
        "of study 'LONG' has 40,000; use format=csv, which keeps every character"
    )
    _, body = download(api, format="csv")
    assert long_text in body.decode("utf-8-sig")
