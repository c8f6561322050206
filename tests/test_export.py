"""GET /api/v1/studies/export: files read back with the same libraries and compared
with the database (server/studies/export.py)."""

import csv
import datetime as dt
import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from server.studies.export import COLUMNS, SHORTENED_HEADER, XLSX_DATETIME_FORMAT
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
    # XlsxWriter 3 in constant-memory mode, which wrote these exports before, wrote a
    # text shaped like this into the file unescaped: this one would add a formula cell
    # to the row. Any writer must keep it plain text.
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


def test_an_xlsx_export_that_fails_after_shortening_a_cell_leaves_no_temporary_file(tmp_path, monkeypatch):
    import tempfile

    from server.studies.export import _xlsx_file

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    row = ("X1", None, None, "x" * 40_000, None, 30, None, None, None, None, dt.datetime(2025, 1, 1), None, None, None)

    def rows():
        yield row  # opens the second sheet's file too
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        _xlsx_file(rows())
    assert list(tmp_path.iterdir()) == []


def test_more_studies_than_counted_past_the_row_limit_fail_the_export_rather_than_the_file(monkeypatch):
    from server.studies import export

    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 2)
    row = ("X1", None, None, "name", None, 30, None, None, None, None, dt.datetime(2025, 1, 1), None, None, None)
    output, _ = export._xlsx_file([row, row])
    assert len(list(load_workbook(output, read_only=True).active.iter_rows())) == 3
    with pytest.raises(ValueError, match="more studies than a worksheet holds"):
        export._xlsx_file([row, row, row])


MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CELL_REF = re.compile(r"([A-Z]+)([1-9][0-9]*)")


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def check_sheet_xml(xml: bytes) -> list[dict[str, ElementTree.Element]]:
    """The sheet's rows, each its cells by column letter, once checked: the dimension covers exactly the cells,
    rows numbered 1, 2, ... in order, each cell's reference in its row and in column order."""
    root = ElementTree.fromstring(xml)
    assert root.tag == f"{MAIN}worksheet"
    first, last = root.find(f"{MAIN}dimension").get("ref").split(":")
    assert first == "A1"
    last_column, last_row = CELL_REF.fullmatch(last).groups()
    rows = root.find(f"{MAIN}sheetData").findall(f"{MAIN}row")
    assert [int(row.get("r")) for row in rows] == list(range(1, len(rows) + 1)) and len(rows) == int(last_row)
    widest = 0
    for row in rows:
        columns = []
        for cell in row:
            assert cell.tag == f"{MAIN}c"
            letters, number = CELL_REF.fullmatch(cell.get("r")).groups()
            assert number == row.get("r")
            columns.append(column_number(letters))
            kind = cell.get("t")
            if kind == "inlineStr":  # text: an inline string, never a formula or a shared string
                assert [child.tag for child in cell] == [f"{MAIN}is"]
                assert [child.tag for child in cell[0]] == [f"{MAIN}t"]
            else:
                assert kind is None and [child.tag for child in cell] == [f"{MAIN}v"]
                float(cell[0].text)
                assert cell.get("s") in (None, "1")
        assert columns == sorted(set(columns))
        widest = max([widest, *columns])
    assert widest == column_number(last_column)
    return [{CELL_REF.fullmatch(c.get("r")).group(1): c for c in row} for row in rows]


def test_every_part_of_the_xlsx_is_well_formed_xml_and_the_package_is_whole(api, make_study):
    make_study("LONG", patient_name="  spaced  ", exam_description="x" * 40_000, order_datetime=dt.datetime(2025, 1, 2))
    make_study("AMP", patient_name="A & B <c> ]]> \x0b _x000D_", order_datetime=dt.datetime(2025, 1, 1))
    response, body = download(api, format="xlsx")
    assert response[SHORTENED_HEADER] == "1"
    with zipfile.ZipFile(io.BytesIO(body)) as package:
        assert package.testzip() is None
        names = set(package.namelist())
        parts = {name: ElementTree.fromstring(package.read(name)) for name in names}  # every part parses
        types = parts["[Content_Types].xml"]
        overrides = {o.get("PartName").lstrip("/") for o in types if o.tag.endswith("Override")}
        assert overrides <= names
        assert {"xl/workbook.xml", "xl/styles.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"} <= overrides
        rels = parts["xl/_rels/workbook.xml.rels"].findall(f"{PACKAGE_RELS}Relationship")
        assert {"xl/" + r.get("Target") for r in rels} == {"xl/styles.xml", "xl/worksheets/sheet1.xml",
                                                            "xl/worksheets/sheet2.xml"}
        [root] = parts["_rels/.rels"].findall(f"{PACKAGE_RELS}Relationship")
        assert root.get("Target") == "xl/workbook.xml"
        sheets = parts["xl/workbook.xml"].find(f"{MAIN}sheets")
        assert [s.get("name") for s in sheets] == ["studies", "Shortened cells"]
        formats = parts["xl/styles.xml"].find(f"{MAIN}numFmts")
        assert [(f.get("numFmtId"), f.get("formatCode")) for f in formats] == [("164", XLSX_DATETIME_FORMAT)]
        studies = check_sheet_xml(package.read("xl/worksheets/sheet1.xml"))
        shortened = check_sheet_xml(package.read("xl/worksheets/sheet2.xml"))
    assert len(studies) == 3 and len(shortened) == 2
    assert all(len(row) == 3 for row in shortened)
    name = studies[1]["D"][0][0]  # patient_name
    assert (name.text, name.get("{http://www.w3.org/XML/1998/namespace}space")) == ("  spaced  ", "preserve")
    other = studies[2]["D"][0][0]
    assert other.text == "A & B <c> ]]> _x000B_ _x005F_x000D_"  # as Excel writes it
    assert unescape(other.text) == "A & B <c> ]]> \x0b _x000D_"
    dates = [row["K"] for row in studies[1:]]  # order_datetime
    assert [float(c[0].text) for c in dates] == [45659.0, 45658.0]  # 2025-01-02, 2025-01-01

    sheet = load_workbook(io.BytesIO(body))["studies"]
    assert sheet["K2"].number_format == XLSX_DATETIME_FORMAT and sheet["K2"].is_date


@pytest.mark.parametrize(
    "value,xml",
    [("plain 李娜", "plain 李娜"), ("a&b<c>d", "a&amp;b&lt;c&gt;d"), ("&amp;", "&amp;amp;"), ("]]>", "]]&gt;"),
     ("\x00\x08\x0b\x0c\x1f", "_x0000__x0008__x000B__x000C__x001F_"), ("tab\tline\n", "tab\tline\n"),
     ("\r", "_x000D_"), ("\ufffe\uffff", "_xFFFE__xFFFF_"), ("_x000D_", "_x005F_x000D_"),
     ("_x005F_", "_x005F_x005F_"), ("_xabcd_", "_x005F_xabcd_"), ("_x12_ _xZZZZ_ x_", "_x12_ _xZZZZ_ x_"),
     ("\x7f", "\x7f")],
)
def test_xml_text_escapes_markup_and_what_xml_forbids_as_excel_does(value, xml):
    from server.studies.export import xml_text

    assert xml_text(value) == xml
    assert unescape(ElementTree.fromstring(f"<t>{xml}</t>").text or "") == value


@pytest.mark.parametrize(
    "value,serial",
    [(dt.datetime(1900, 1, 1), 1), (dt.datetime(1900, 2, 28, 12), 59.5), (dt.datetime(1900, 3, 1), 61),
     (dt.datetime(2025, 1, 1, 12), 45658.5), (dt.datetime(2025, 1, 1, 0, 0, 0, 864), 45658 + 1e-8)],
)
def test_excel_serial_numbers_count_days_as_excel_does(value, serial):
    from server.studies.export import excel_serial

    assert excel_serial(value) == pytest.approx(serial, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_text_reads_back_as_itself(text):
    from server.studies.export import _xlsx_file

    row = ("X1", text, None, None, None, None, None, None, None, None, dt.datetime(2025, 1, 1), None, None, None)
    output, _ = _xlsx_file([row])
    with zipfile.ZipFile(output) as package:
        check_sheet_xml(package.read("xl/worksheets/sheet1.xml"))
    got = list(load_workbook(output, read_only=True).active.iter_rows(values_only=True))[1][1]
    assert (unescape(got) if got is not None else "") == text


@pytest.mark.parametrize(
    "value,xml",
    [(None, ""), ("", ""), (30, '<c r="F2"><v>30</v></c>'), (1.5, '<c r="F2"><v>1.5</v></c>'),
     (dt.datetime(2025, 1, 1, 12), '<c r="F2" s="1"><v>45658.5</v></c>'),
     (" x", '<c r="F2" t="inlineStr"><is><t xml:space="preserve"> x</t></is></c>'),
     ("a<b", '<c r="F2" t="inlineStr"><is><t>a&lt;b</t></is></c>')],
)
def test_each_kind_of_value_has_its_cell(value, xml):
    from server.studies.export import _cell

    assert _cell("F2", value) == xml


@pytest.mark.parametrize("value", [float("nan"), float("inf"), True, b"bytes", dt.date(2025, 1, 1)])
def test_a_value_with_no_cell_is_refused_rather_than_written_wrong(value):
    from server.studies.export import _cell

    with pytest.raises(TypeError, match="no XLSX cell"):
        _cell("F2", value)
