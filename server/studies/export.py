"""Every study a filter selects, as CSV or XLSX, in the search's order.

CSV is UTF-8 with a byte-order mark, so that Excel reads Chinese names rightly, and
cells that begin like a formula are neutralised; it is streamed, and keeps every
character. XLSX is written here, row by row (constant memory), as the sheet's XML
in a zip file: real Excel dates, and every text cell an inline string, which a
spreadsheet never reads as a formula, a number or a link. A text longer than an
Excel cell holds is cut with a visible marker and listed on a second sheet, and the
response says how many were cut.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from operator import itemgetter
from xml.sax.saxutils import quoteattr

from django.db import connection
from django.http import FileResponse, StreamingHttpResponse

from server.clock import local_now
from server.core.errors import InvalidParameter
from server.core.layout import DATETIME, TEXT
from server.core.streaming import WatchedStream, csv_pieces
from server.core.text import neutralise
from server.studies.filters import StudyFilters, search_order
from server.studies.layout import STUDY_LAYOUT
from server.studies.searching import Search, search_plan

COLUMNS = STUDY_LAYOUT.names  # the source's 14 columns, in its order
FORMATS = ("csv", "xlsx")
XLSX_MAX_ROWS = 1_048_576 - 1  # one worksheet's rows, less the header
XLSX_MAX_CHARS = 32_767  # one cell's text, counted as Excel counts it: in UTF-16 code units
CHUNK = 2_000
_TEXT_COLUMNS = tuple(i for i, c in enumerate(STUDY_LAYOUT.columns) if c.kind == TEXT)
_DATETIME_COLUMNS = tuple(i for i, c in enumerate(STUDY_LAYOUT.columns) if c.kind == DATETIME)

SHORTENED_HEADER = "X-Imaging-Desk-Shortened-Cells"
SHORTENED_NOTICE_HEADER = "X-Imaging-Desk-Notice"
SHORTENED_SHEET = "Shortened cells"
SHORTENED_COLUMNS = ("exam_id", "column", "full_length")
XLSX_DATETIME_FORMAT = "yyyy-mm-dd h:mm:ss"  # openpyxl's, which wrote these exports before
# zlib's level for the XLSX's parts. For 100,000 studies (74 MB of sheet XML): level 1
# takes 0.23 s and gives 11.8 MB, level 2 0.24 s and 11.4 MB, level 3 0.32 s and
# 10.8 MB, level 6 (zlib's default, XlsxWriter's) 0.67 s and 9.5 MB.
XLSX_COMPRESSLEVEL = 2


def _rows(search: Search, sort: str) -> Iterator[tuple]:
    # Through the text index's candidates when q selects few (see searching.py).
    matches, filters, total = search.matching(), search.filters, search.total
    order = search_order(q=filters.q, total=total, end=total, sort=sort)
    rows = matches.order_by(*order).values_list(*COLUMNS)
    if connection.vendor != "sqlite":
        return rows.iterator(chunk_size=CHUNK)  # PostgreSQL: a server-side cursor, constant memory
    return _sqlite_rows(rows)


def _sqlite_rows(rows) -> Iterator[tuple]:
    """The rows straight from SQLite's cursor, whose converters (Django's, registered
    with sqlite3) already give the datetimes, and USE_TZ is off: Django's per-value
    converters on top took 0.1 s of the 0.3 s it takes to fetch 100,000 studies."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            yield from chunk


def _csv_cells(row: tuple) -> list:
    """One study's CSV cells: text neutralised, times as 2025-11-06 10:30:00[.ffffff],
    None left to csv.writer, which writes it as an empty cell."""
    cells = list(row)
    for i in _TEXT_COLUMNS:
        if cells[i]:
            cells[i] = neutralise(cells[i])
    for i in _DATETIME_COLUMNS:
        value = cells[i]
        if value is not None:
            cells[i] = value.isoformat(" ")
    return cells


# A text of no more code points than this fits any cell: each is at most 2 UTF-16 units.
_FITS_ANY_CELL = XLSX_MAX_CHARS // 2


def _utf16_length(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


def shortened_text(value: str) -> str | None:
    """The text cut to fit an Excel cell, ending with a marker that says so; None when it fits.

    Excel itself would refuse the file, or cut the text silently."""
    if len(value) <= _FITS_ANY_CELL or _utf16_length(value) <= XLSX_MAX_CHARS:
        return None
    marker = f"… [cut: {len(value):,} characters in all; the CSV export holds the full text]"
    room = XLSX_MAX_CHARS - _utf16_length(marker)
    # Cut in UTF-16 units; "ignore" drops half a surrogate pair left at the cut.
    kept = value.encode("utf-16-le")[: room * 2].decode("utf-16-le", "ignore")
    return kept + marker


# --- XLSX: the parts of the file (Office Open XML, SpreadsheetML) ---------------------

# What XML 1.0 forbids in a document (and a carriage return, which an XML reader
# would turn into a line feed): written as Excel writes them, _x000B_. An underscore
# that begins such an escape in the text itself is written _x005F_, so that a reader
# that undoes the escapes gives back "_x000D_" as it was.
_XML_FORBIDDEN = "\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff"
_XML_ESCAPE = re.compile(f"[{_XML_FORBIDDEN}]|_(?=x[0-9A-Fa-f]{{4}}_)")
# Anything in a row's text that xml_text would change, or a cell that may need cutting:
# rows without (nearly every row) skip both. "_x" across two cells' texts joined is a
# false alarm, which only costs the careful path.
_NEEDS_CARE = re.compile(f"[&<>{_XML_FORBIDDEN}]|_x")


def _excel_escape(match: re.Match) -> str:
    return "_x005F_" if match.group() == "_" else f"_x{ord(match.group()):04X}_"


def xml_text(value: str) -> str:
    """A text as the content of a cell's <t> element, which gives it back exactly
    (once a reader undoes the _xHHHH_ escapes, as spreadsheets do)."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _XML_ESCAPE.sub(_excel_escape, value)


def column_letter(index: int) -> str:
    """A, B, ... Z, AA, ... for the column at this index (0 for A)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_LETTERS = tuple(column_letter(i) for i in range(len(COLUMNS)))
# Excel's 1900 date system: 1900-01-01 is day 1, and a time of day is the fraction.
# Excel counts a 29 February 1900 that never was, so from 1 March 1900 on (day 61)
# the days are counted from 1899-12-30.
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_DAY = dt.timedelta(days=1)
_DATE_STYLE = 1  # the cell format (cellXfs) with XLSX_DATETIME_FORMAT


def excel_serial(value: dt.datetime) -> float:
    """A naive datetime as Excel's serial number of days (exact to the microsecond,
    as timedelta divides)."""
    serial = (value - _EXCEL_EPOCH) / _DAY
    return serial - 1 if serial < 61 else serial


def _text_cell(ref: str, text: str) -> str:
    """A text cell, text already through xml_text."""
    if text[0].isspace() or text[-1].isspace():  # else Excel may drop leading and trailing spaces
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _cell(ref: str, value) -> str:
    """Any one cell's XML, "" for an empty cell."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return _text_cell(ref, xml_text(value))
    if isinstance(value, dt.datetime):
        return f'<c r="{ref}" s="{_DATE_STYLE}"><v>{excel_serial(value)!r}</v></c>'
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value:d}</v></c>'
    if isinstance(value, float) and math.isfinite(value):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    raise TypeError(f"no XLSX cell for {type(value).__name__} {value!r}")


def _row_xml(number: int, values: Iterable) -> str:
    """One row's XML (the header, the shortened cells' sheet); number from 1."""
    r = str(number)
    return f'<row r="{r}">' + "".join(_cell(letter + r, v) for letter, v in zip(_LETTERS, values)) + "</row>"


_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

_STYLES = (
    f'{_XML_DECLARATION}<styleSheet xmlns="{_MAIN_NS}">'
    f'<numFmts count="1"><numFmt numFmtId="164" formatCode={quoteattr(XLSX_DATETIME_FORMAT)}/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0"/>'
    "</styleSheet>"
)


def _package_parts(sheet_names: list[str]) -> dict[str, str]:
    """Every part of the file but the sheets, by name in the zip."""
    sheets = range(1, len(sheet_names) + 1)
    content_types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>' for i in sheets
    )
    workbook_sheets = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>' for i, name in zip(sheets, sheet_names)
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in sheets
    )
    return {
        "[Content_Types].xml": (
            f'{_XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{content_types}</Types>"
        ),
        "_rels/.rels": (
            f'{_XML_DECLARATION}<Relationships xmlns="{_PACKAGE_REL_NS}">'
            f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'{_XML_DECLARATION}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{workbook_sheets}</sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_XML_DECLARATION}<Relationships xmlns="{_PACKAGE_REL_NS}">{sheet_rels}'
            f'<Relationship Id="rId{len(sheet_names) + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": _STYLES,
    }


class _Sheet:
    """One worksheet's rows as XML, kept in a temporary file until the file is put
    together: the <dimension> that comes before them is known only after the last."""

    def __init__(self, name: str, columns: tuple[str, ...]) -> None:
        self.name = name
        self.width = len(columns)
        self.rows = 0  # written so far, the header included
        self.file = tempfile.TemporaryFile()
        self.add_row(columns)

    def add_row(self, values: Iterable) -> None:
        self.rows += 1
        self.write(_row_xml(self.rows, values))

    def write(self, xml: str) -> None:
        self.file.write(xml.encode("utf-8"))

    def copy_into(self, book: zipfile.ZipFile, name: str, *, selected: bool) -> None:
        last = f"{column_letter(self.width - 1)}{self.rows}"
        view = '<sheetView tabSelected="1" workbookViewId="0"/>' if selected else '<sheetView workbookViewId="0"/>'
        head = (
            f'{_XML_DECLARATION}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            f'<dimension ref="A1:{last}"/><sheetViews>{view}</sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/><sheetData>'
        ).encode()
        tail = (
            b'</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            b"</worksheet>"
        )
        size = len(head) + self.file.tell() + len(tail)
        self.file.seek(0)
        # Zip64 only for a sheet whose XML would not fit a plain zip entry (4 GiB).
        with book.open(name, "w", force_zip64=size > zipfile.ZIP64_LIMIT * 0.9) as entry:
            entry.write(head)
            shutil.copyfileobj(self.file, entry, 1 << 16)
            entry.write(tail)

    def close(self) -> None:
        self.file.close()


class _XlsxStudies:
    """The workbook being written: the studies sheet, and the shortened cells' sheet
    once a cell is shortened. Both are written row by row (constant memory)."""

    def __init__(self) -> None:
        self.sheet = _Sheet("studies", COLUMNS)
        self.shortened = 0  # a count, not a list: every study might have one
        self.shortened_sheet: _Sheet | None = None

    def write_studies(self, rows: Iterable[tuple]) -> None:
        """Every study, one row each below the header: the loop that takes the time
        (0.6 s for 100,000 studies), so a row whose texts need no care (nearly every
        one) costs one join and one search for them all, and each cell one f-string."""
        sheet = self.sheet
        needs_care = _NEEDS_CARE.search
        texts_of = itemgetter(*_TEXT_COLUMNS)
        datetime, epoch, day = dt.datetime, _EXCEL_EPOCH, _DAY
        parts: list[str] = []
        add = parts.append
        number, last = sheet.rows, XLSX_MAX_ROWS + 1
        for values in rows:
            number += 1
            if number > last:  # studies imported since they were counted (study_export refuses more)
                raise ValueError(f"more studies than a worksheet holds ({XLSX_MAX_ROWS:,})")
            r = str(number)
            texts = "".join(filter(None, texts_of(values)))
            if len(texts) > _FITS_ANY_CELL or needs_care(texts):
                values = self._careful(values)
            add(f'<row r="{r}">')
            for letter, value in zip(_LETTERS, values):
                kind = value.__class__
                if kind is str:
                    if not value:
                        continue
                    if value[0].isspace() or value[-1].isspace():
                        add(f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>')
                    else:
                        add(f'<c r="{letter}{r}" t="inlineStr"><is><t>{value}</t></is></c>')
                elif kind is int:
                    add(f'<c r="{letter}{r}"><v>{value:d}</v></c>')
                elif kind is datetime:
                    serial = (value - epoch) / day
                    if serial < 61:
                        serial -= 1
                    add(f'<c r="{letter}{r}" s="1"><v>{serial!r}</v></c>')  # s: _DATE_STYLE
                elif value is not None:
                    add(_cell(letter + r, value))
            add("</row>")
            if len(parts) >= 2_048:
                sheet.write("".join(parts))
                parts.clear()
        sheet.write("".join(parts))
        sheet.rows = number

    def _careful(self, values: tuple) -> list:
        """A study's values with each text cut to fit a cell (noted) and through xml_text."""
        careful = list(values)
        for i in _TEXT_COLUMNS:
            if value := careful[i]:
                cut = shortened_text(value)
                if cut is not None:
                    self._note_shortened(exam_id=values[0], column=COLUMNS[i], full_length=len(value))
                careful[i] = xml_text(value if cut is None else cut)
        return careful

    def _note_shortened(self, *, exam_id: str, column: str, full_length: int) -> None:
        """One row of the sheet "Shortened cells"; full_length in characters, as the CSV holds them."""
        if self.shortened_sheet is None:
            self.shortened_sheet = _Sheet(SHORTENED_SHEET, SHORTENED_COLUMNS)
        self.shortened += 1
        if self.shortened > XLSX_MAX_ROWS:  # some 16 GB of text: only the CSV can hold it
            raise ValueError(f"more shortened cells than a worksheet lists ({XLSX_MAX_ROWS:,})")
        self.shortened_sheet.add_row((exam_id, column, full_length))

    def sheets(self) -> list[_Sheet]:
        return [s for s in (self.sheet, self.shortened_sheet) if s is not None]

    def save(self, output) -> None:
        """The whole file into output, a binary file open for writing."""
        sheets = self.sheets()
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=XLSX_COMPRESSLEVEL) as book:
            for name, xml in _package_parts([s.name for s in sheets]).items():
                book.writestr(name, xml)
            for i, sheet in enumerate(sheets, start=1):
                sheet.copy_into(book, f"xl/worksheets/sheet{i}.xml", selected=i == 1)

    def close(self) -> None:
        for sheet in self.sheets():
            sheet.close()


def _xlsx_file(rows: Iterable[tuple]) -> tuple:
    """The XLSX of these studies in a temporary file, read from its start, and how
    many cells it shortened."""
    output = tempfile.TemporaryFile()  # deleted when the response closes it
    try:
        book = _XlsxStudies()
        try:
            book.write_studies(rows)
            book.save(output)
        finally:
            book.close()  # the sheets' own temporary files
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return output, book.shortened


def shortened_notice(*, count: int) -> str:
    cells = "1 cell was" if count == 1 else f"{count:,} cells were"
    return (
        f"{cells} longer than an Excel cell holds ({XLSX_MAX_CHARS:,} characters) and shortened, "
        f'each listed on the sheet "{SHORTENED_SHEET}"; the CSV export (format=csv) holds the full text'
    )


class _Counted:
    """The rows, counted as they are read."""

    def __init__(self, rows: Iterable[tuple]) -> None:
        self.rows, self.count = iter(rows), 0

    def __iter__(self) -> Iterator[tuple]:
        for row in self.rows:
            self.count += 1
            yield row


def _export_audit(*, format: str, filename: str | None, given_filters: dict, sort: str, total: int, user: str):
    """on_end(complete, rows) for an export's audit entry (server/audit)."""
    from server.audit.services import audit_record

    def record(*, complete: bool, rows: int) -> None:
        saved = f" as {filename}" if filename else ""
        if complete:
            how = ""
        elif format == "csv":
            how = f"; cut off after {rows:,} of {total:,} rows"
        else:
            how = "; cut off before the whole file was sent"
        audit_record(
            action="export",
            summary=f"Exported {rows:,} studies to {format.upper()}{saved}{how}",
            details={
                "what": "studies", "format": format, "filename": filename, "filters": given_filters,
                "sort": sort, "rows": rows, "matching": total, "complete": complete,
            },
            user=user,
        )

    return record


def study_export(
    *, filters: StudyFilters, sort: str, format: str, filename: str | None = None, given_filters: dict | None = None
):
    """The response carrying the export; refuses before writing what no worksheet holds.

    The export's audit entry is written when the file has been sent, or its sending
    cut off: with the rows actually sent, by the user who asked (read now: the
    response is sent after the request's own context has ended)."""
    from server.audit.actor import actor_current

    if format not in FORMATS:  # the API's ExportQuery refuses any other in words
        raise ValueError(f"unknown export format {format!r}")
    search = search_plan(filters=filters)
    total = search.total
    if format == "xlsx" and total > XLSX_MAX_ROWS:
        raise InvalidParameter(
            "format",
            f"xlsx holds at most {XLSX_MAX_ROWS:,} studies in a worksheet and these filters select "
            f"{total:,}; use format=csv or narrow the filters",
        )
    record = _export_audit(
        format=format, filename=filename, given_filters=given_filters or {}, sort=sort, total=total,
        user=actor_current(),
    )
    download = f"studies_{local_now():%Y%m%d_%H%M%S}.{format}"
    rows = _rows(search, sort)
    if format == "csv":
        sent = [0]  # rows in the pieces handed to the server so far

        def note_sent(count: int) -> None:
            sent[0] = count

        pieces = csv_pieces(header=COLUMNS, rows=map(_csv_cells, rows), sent=note_sent)
        response = StreamingHttpResponse(
            WatchedStream(pieces, lambda complete: record(complete=complete, rows=sent[0])),
            content_type="text/csv; charset=utf-8",
        )
    else:
        # Written whole before the answer starts: the headers say how many cells it cut.
        rows = _Counted(rows)
        output, shortened = _xlsx_file(rows)
        response = FileResponse(
            output, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response.streaming_content = WatchedStream(
            response.streaming_content, lambda complete: record(complete=complete, rows=rows.count)
        )
        response[SHORTENED_HEADER] = str(shortened)
        if shortened:
            response[SHORTENED_NOTICE_HEADER] = shortened_notice(count=shortened)
    response["Content-Disposition"] = f'attachment; filename="{download}"'
    return response
