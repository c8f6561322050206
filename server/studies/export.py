"""Every study a filter selects, as CSV or XLSX, in the search's order.

CSV is UTF-8 with a byte-order mark, so that Excel reads Chinese names rightly, and
cells that begin like a formula are neutralised; it is streamed, and keeps every
character. XLSX is written by XlsxWriter in its constant-memory mode to a temporary
file, with real Excel dates and every text cell stored as text, never as a formula.
A text longer than an Excel cell holds is cut with a visible marker and listed on a
second sheet, and the response says how many were cut.
"""

from __future__ import annotations

import contextlib
import csv
import io
import tempfile
from collections.abc import Iterable, Iterator

from django.db import connection
from django.http import FileResponse, StreamingHttpResponse

from server.clock import local_now
from server.core.errors import InvalidParameter
from server.core.layout import DATETIME, INTEGER, TEXT
from server.studies.filters import StudyFilters, search_order
from server.studies.layout import STUDY_LAYOUT
from server.studies.searching import Search, search_plan

COLUMNS = STUDY_LAYOUT.names  # the source's 14 columns, in its order
FORMATS = ("csv", "xlsx")
XLSX_MAX_ROWS = 1_048_576 - 1  # one worksheet's rows, less the header
XLSX_MAX_CHARS = 32_767  # one cell's text, counted as Excel counts it: in UTF-16 code units
CHUNK = 2_000
# CSV is sent in pieces of about this many characters. One piece per row (100,000
# writes through waitress) took 1.8 s for 100,000 studies; pieces of 2,048 characters
# take 0.7-0.8 s. Pieces over 8 kB (waitress's STRBUF_LIMIT: above it, its output
# buffer grows by copying) were no faster, and each of waitress's threads kept some
# 20 MB more after an export. 2,048 characters stay under 8 kB even in Chinese.
CSV_PIECE_CHARS = 2_048
# A spreadsheet reads a cell that begins with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset("".join(FORMULA_STARTS))
_TEXT_COLUMNS = tuple(i for i, c in enumerate(STUDY_LAYOUT.columns) if c.kind == TEXT)
_DATETIME_COLUMNS = tuple(i for i, c in enumerate(STUDY_LAYOUT.columns) if c.kind == DATETIME)

SHORTENED_HEADER = "X-Imaging-Desk-Shortened-Cells"
SHORTENED_NOTICE_HEADER = "X-Imaging-Desk-Notice"
SHORTENED_SHEET = "Shortened cells"
SHORTENED_COLUMNS = ("exam_id", "column", "full_length")
XLSX_DATETIME_FORMAT = "yyyy-mm-dd h:mm:ss"  # openpyxl's, which wrote these exports before


def neutralise(value: str) -> str:
    """Text that a spreadsheet would take for a formula, made plain text (OWASP)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


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
        value = cells[i]
        if value and value[0] in _FORMULA_FIRST:
            cells[i] = "'" + value
    for i in _DATETIME_COLUMNS:
        value = cells[i]
        if value is not None:
            cells[i] = value.isoformat(" ")
    return cells


def _csv_pieces(rows: Iterable[tuple]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(_csv_cells(row))
        if buffer.tell() >= CSV_PIECE_CHARS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if text := buffer.getvalue():
        yield text.encode("utf-8")


# A text of no more code points than this fits any cell: each is at most 2 UTF-16 units.
_FITS_ANY_CELL = XLSX_MAX_CHARS // 2


def _utf16_length(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


def shortened_text(value: str) -> str | None:
    """The text cut to fit an Excel cell, ending with a marker that says so; None when it fits.

    XlsxWriter would cut a longer text silently, marker and all."""
    if len(value) <= _FITS_ANY_CELL or _utf16_length(value) <= XLSX_MAX_CHARS:
        return None
    marker = f"… [cut: {len(value):,} characters in all; the CSV export holds the full text]"
    room = XLSX_MAX_CHARS - _utf16_length(marker)
    # Cut in UTF-16 units; "ignore" drops half a surrogate pair left at the cut.
    kept = value.encode("utf-16-le")[: room * 2].decode("utf-16-le", "ignore")
    return kept + marker


def _is_rich_string_xml(value: str) -> bool:
    # In constant-memory mode XlsxWriter 3 writes a text that begins with "<r>" and
    # ends with "</r>" into the file as XML, unescaped, taking it for one it built as
    # a rich string: such a patient name could carry a formula cell.
    return value.startswith("<r>") and value.endswith("</r>")


class _XlsxStudies:
    """The workbook being written: the studies sheet, and the shortened cells' sheet
    once a cell is shortened. Both are written row by row (constant memory)."""

    def __init__(self, *, output) -> None:
        import xlsxwriter

        self.workbook = xlsxwriter.Workbook(output, {
            "constant_memory": True,
            # Text is text: never a formula, a number or a link, whatever it looks like.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        })
        self.sheet = self.workbook.add_worksheet("studies")
        self.datetime_format = self.workbook.add_format({"num_format": XLSX_DATETIME_FORMAT})
        self.plain = self.workbook.add_format()
        self.shortened = 0  # a count, not a list: every study might have one
        self.shortened_sheet = None
        self.write_row(self.sheet, 0, COLUMNS)

    def write_text(self, sheet, row: int, col: int, value: str) -> str | None:
        """Write one text cell, cut to fit if need be: the cut text, or None if it fitted."""
        cut = shortened_text(value)
        if cut is not None:
            value = cut
        if _is_rich_string_xml(value):
            # Through XlsxWriter's own rich-string writer, which escapes both runs.
            sheet.write_rich_string(row, col, value[:3], self.plain, value[3:])
        else:
            sheet.write_string(row, col, value)
        return cut

    def write_row(self, sheet, row: int, values: Iterable) -> None:
        for col, value in enumerate(values):
            if isinstance(value, str):
                self.write_text(sheet, row, col, value)
            elif value is not None:
                sheet.write_number(row, col, value)

    def write_studies(self, rows: Iterable[tuple]) -> None:
        """Every study, one row each below the header: the loop that takes the time
        (5 s for 100,000 studies, nearly all of it inside XlsxWriter), so a plain text
        costs two checks and one call."""
        sheet, datetime_format = self.sheet, self.datetime_format
        # XlsxWriter's own undecorated writers (what its write_row calls), where it has
        # them: the public ones first turn "A1" notation into numbers, which took 0.4 s
        # of 5 s for 100,000 studies. Same arguments either way.
        write_string = getattr(sheet, "_write_string", sheet.write_string)
        write_number = getattr(sheet, "_write_number", sheet.write_number)
        write_datetime = getattr(sheet, "_write_datetime", sheet.write_datetime)
        text_columns = [(i, COLUMNS[i]) for i in _TEXT_COLUMNS]
        integer_columns = [i for i, c in enumerate(STUDY_LAYOUT.columns) if c.kind == INTEGER]
        for row, values in enumerate(rows, start=1):
            for col, name in text_columns:
                value = values[col]
                if value is None:
                    continue
                if len(value) <= _FITS_ANY_CELL and not value.startswith("<r>"):
                    write_string(row, col, value)
                elif self.write_text(sheet, row, col, value) is not None:
                    self._note_shortened(exam_id=values[0], column=name, full_length=len(value))
            for col in integer_columns:
                if (value := values[col]) is not None:
                    write_number(row, col, value)
            for col in _DATETIME_COLUMNS:
                if (value := values[col]) is not None:
                    write_datetime(row, col, value, datetime_format)

    def _note_shortened(self, *, exam_id: str, column: str, full_length: int) -> None:
        """One row of the sheet "Shortened cells"; full_length in characters, as the CSV holds them."""
        if self.shortened_sheet is None:
            self.shortened_sheet = self.workbook.add_worksheet(SHORTENED_SHEET)
            self.write_row(self.shortened_sheet, 0, SHORTENED_COLUMNS)
        self.shortened += 1
        self.write_row(self.shortened_sheet, self.shortened, (exam_id, column, full_length))

    def close(self) -> None:
        self.workbook.close()


def _xlsx_file(rows: Iterable[tuple]) -> tuple:
    """The XLSX of these studies in a temporary file, read from its start, and how
    many cells it shortened."""
    output = tempfile.TemporaryFile()  # deleted when the response closes it
    book = _XlsxStudies(output=output)
    try:
        book.write_studies(rows)
    except BaseException:
        # Closing the workbook is what deletes XlsxWriter's own temporary row files.
        with contextlib.suppress(Exception):
            book.close()
        output.close()
        raise
    book.close()
    output.seek(0)
    return output, book.shortened


def shortened_notice(*, count: int) -> str:
    cells = "1 cell was" if count == 1 else f"{count:,} cells were"
    return (
        f"{cells} longer than an Excel cell holds ({XLSX_MAX_CHARS:,} characters) and shortened, "
        f'each listed on the sheet "{SHORTENED_SHEET}"; the CSV export (format=csv) holds the full text'
    )


def study_export(*, filters: StudyFilters, sort: str, format: str):
    """The response carrying the export; refuses before writing what no worksheet holds."""
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
    filename = f"studies_{local_now():%Y%m%d_%H%M%S}.{format}"
    rows = _rows(search, sort)
    if format == "csv":
        response = StreamingHttpResponse(_csv_pieces(rows), content_type="text/csv; charset=utf-8")
    else:
        # Written whole before the answer starts: the headers say how many cells it cut.
        output, shortened = _xlsx_file(rows)
        response = FileResponse(
            output, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response[SHORTENED_HEADER] = str(shortened)
        if shortened:
            response[SHORTENED_NOTICE_HEADER] = shortened_notice(count=shortened)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
