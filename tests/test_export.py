"""GET /api/v1/studies/export: files read back with the same libraries and compared
with the database (server/studies/export.py)."""

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from server.studies.export import COLUMNS, SHORTENED_HEADER
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


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def marker(full_length: int) -> str:
    return f"… [cut: {full_length:,} characters in all; the CSV export holds the full text]"


def test_text_longer_than_an_xlsx_cell_is_cut_with_a_marker_listed_on_a_second_sheet_and_whole_in_csv(
    api, make_study
):
    description = "描述" * 20_000  # 40,000 characters
    name = "😀" * 20_000  # 20,000 characters, but 40,000 in Excel's count (UTF-16)
    make_study("LONG", exam_description=description, order_datetime=dt.datetime(2025, 1, 3))
    make_study("NAME", patient_name=name, order_datetime=dt.datetime(2025, 1, 2))
    make_study("FITS", exam_description="x" * 32_767, order_datetime=dt.datetime(2025, 1, 1))
    response, body = download(api, format="xlsx")
    assert response[SHORTENED_HEADER] == "2"
    assert response["X-Imaging-Desk-Notice"] == (
        '2 cells were longer than an Excel cell holds (32,767 characters) and shortened, each listed on the '
        'sheet "Shortened cells"; the CSV export (format=csv) holds the full text'
    )
    book = load_workbook(io.BytesIO(body), read_only=True)
    assert book.sheetnames == ["studies", "Shortened cells"]
    rows = list(book["studies"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["LONG", "NAME", "FITS"]
    got_description = rows[1][COLUMNS.index("exam_description")]
    assert got_description.endswith(marker(40_000))
    assert utf16_length(got_description) == 32_767
    assert description.startswith(got_description.removesuffix(marker(40_000)))
    got_name = rows[2][COLUMNS.index("patient_name")]
    assert got_name.endswith(marker(20_000))
    assert utf16_length(got_name) <= 32_767
    kept = got_name.removesuffix(marker(20_000))
    assert kept == "😀" * len(kept)  # never half an emoji (a lone surrogate)
    assert rows[3][COLUMNS.index("exam_description")] == "x" * 32_767  # exactly the limit: kept whole
    assert list(book["Shortened cells"].iter_rows(values_only=True)) == [
        ("exam_id", "column", "full_length"),
        ("LONG", "exam_description", 40_000),
        ("NAME", "patient_name", 20_000),
    ]
    _, body = download(api, format="csv")
    text = body.decode("utf-8-sig")
    assert description in text and name in text


def test_an_export_with_nothing_to_shorten_has_one_sheet_and_says_so(api, studies):
    response, body = download(api, format="xlsx")
    assert response[SHORTENED_HEADER] == "0"
    assert "X-Imaging-Desk-Notice" not in response
    assert load_workbook(io.BytesIO(body), read_only=True).sheetnames == ["studies"]
    csv_response, _ = download(api, format="csv")
    assert SHORTENED_HEADER not in csv_response  # CSV shortens nothing


@pytest.mark.parametrize("length", [16_383, 32_767])
def test_text_that_fits_a_cell_is_not_shortened(length):
    from server.studies.export import shortened_text

    assert shortened_text("a" * length) is None
    assert shortened_text("😀" * (length // 2)) is None  # 2 UTF-16 units each


@pytest.mark.parametrize("text", ["a" * 32_768, "😀" * 16_384, "a" + "😀" * 20_000, "李" * 100_000])
def test_shortened_text_fills_the_cell_to_the_limit_without_splitting_a_character(text):
    from server.studies.export import shortened_text

    cut = shortened_text(text)
    assert cut.endswith(marker(len(text)))
    assert 32_766 <= utf16_length(cut) <= 32_767  # one short only where an emoji would straddle
    assert text.startswith(cut.removesuffix(marker(len(text))))
    cut.encode("utf-8")  # no lone surrogate


RICH_STRING_LOOKALIKES = [
    # XlsxWriter 3 in constant-memory mode writes a text shaped like this into the
    # file unescaped: this one would add a formula cell to the row.
    '<r><t>x</t></r></is></c><c r="B2"><f>HYPERLINK("http://x","y")</f></c><c r="C2" t="inlineStr"><is><r><t>y</t></r>',
    "<r>plain</r>",
    "<r></r>",
]


def test_text_shaped_like_rich_text_xml_is_stored_as_that_text(api, make_study):
    for i, name in enumerate(RICH_STRING_LOOKALIKES):
        make_study(f"R{i}", patient_name=name, exam_description=name, order_datetime=dt.datetime(2025, 1, 9 - i))
    _, body = download(api, format="xlsx")
    sheet = load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(values_only=True))
    expected = [(f"R{i}", name, name) for i, name in enumerate(RICH_STRING_LOOKALIKES)]
    assert [(r[0], r[3], r[9]) for r in rows[1:]] == expected
    assert [c for row in sheet.iter_rows() for c in row if c.data_type == "f"] == []
    assert all(len(row) == len(COLUMNS) for row in rows)


def test_xlsx_text_that_looks_like_a_number_or_a_link_stays_text(api, make_study):
    looks = ["007", "1e5", "3.14", "http://example.com", "mailto:a@b.c", "TRUE"]
    for i, value in enumerate(looks):
        make_study(f"N{i}", medical_record_no=value, order_datetime=dt.datetime(2025, 1, 9 - i))
    _, body = download(api, format="xlsx")
    rows = list(load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == looks


def test_an_xlsx_export_that_fails_midway_leaves_no_temporary_file(tmp_path, monkeypatch):
    import tempfile

    from server.studies.export import _xlsx_file

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    row = ("X1", None, None, "name", None, 30, None, None, None, None, dt.datetime(2025, 1, 1), None, None, None)

    def rows():
        yield row
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        _xlsx_file(rows())
    assert list(tmp_path.iterdir()) == []
