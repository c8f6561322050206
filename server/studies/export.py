"""Every study a filter selects, as CSV or XLSX, in the search's order, streamed.

CSV is UTF-8 with a byte-order mark, so that Excel reads Chinese names rightly, and
cells that begin like a formula are neutralised. XLSX is written by openpyxl in its
write-only mode to a temporary file (constant memory), with real Excel dates and
every text cell stored as text, never as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Iterator

from django.db.models import Max
from django.db.models.functions import Length
from django.http import FileResponse, StreamingHttpResponse

from server.clock import local_now
from server.core.errors import InvalidParameter
from server.core.layout import TEXT
from server.studies.filters import StudyFilters, search_order
from server.studies.layout import STUDY_LAYOUT
from server.studies.models import Study

COLUMNS = STUDY_LAYOUT.names  # the source's 14 columns, in its order
FORMATS = ("csv", "xlsx")
XLSX_MAX_ROWS = 1_048_576 - 1  # one worksheet's rows, less the header
XLSX_MAX_CHARS = 32_767  # one cell's text
CHUNK = 2_000
# A spreadsheet reads a cell that begins with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Text that a spreadsheet would take for a formula, made plain text (OWASP)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _rows(filters: StudyFilters, sort: str, total: int) -> Iterator[tuple]:
    matches = filters.apply(Study.objects.all())
    order = search_order(q=filters.q, total=total, end=total, sort=sort)
    return matches.order_by(*order).values_list(*COLUMNS).iterator(chunk_size=CHUNK)


class _Echo:
    """csv.writer writes into this and gets the line back, for streaming."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[tuple]) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    yield "\ufeff".encode("utf-8") + writer.writerow(COLUMNS).encode("utf-8")
    for row in rows:
        cells = [
            neutralise(v) if isinstance(v, str)
            else v.isoformat(" ") if isinstance(v, dt.datetime)
            else "" if v is None
            else v
            for v in row
        ]
        yield writer.writerow(cells).encode("utf-8")


# Characters XML cannot carry as they are (a CR would come back as LF), and a literal
# "_x" that would read as an escape: written as _xHHHH_, the file format's own
# escape, which spreadsheet programs undo on reading.
_XML_UNSAFE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f]")


def xlsx_text(value: str) -> str:
    return _XML_UNSAFE.sub(lambda m: "_x005F_" if m.group() == "_" else f"_x{ord(m.group()):04X}_", value)


def _too_long_for_xlsx(matches) -> str | None:
    """Why these studies do not fit in xlsx cells (32,767 characters at most), or None."""
    text_columns = [c.name for c in STUDY_LAYOUT.columns if c.kind == TEXT]
    longest = matches.aggregate(**{c: Max(Length(c)) for c in text_columns})
    for column in text_columns:
        if (longest[column] or 0) > XLSX_MAX_CHARS:
            too_long = matches.annotate(n=Length(column)).filter(n__gt=XLSX_MAX_CHARS)
            exam_id = too_long.values_list("exam_id", flat=True)[0]
            return (
                f"xlsx cells hold at most {XLSX_MAX_CHARS:,} characters and the {column} of study "
                f"{exam_id!r} has {longest[column]:,}; use format=csv, which keeps every character"
            )
    return None


def _xlsx_file(rows: Iterable[tuple]):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("studies")
    sheet.append(list(COLUMNS))
    for row in rows:
        cells = list(row)
        for i, value in enumerate(cells):
            # openpyxl takes text beginning with "=" for a formula and refuses control
            # characters: those few cells are built by hand, as escaped text. Datetimes
            # get a date format of their own; everything else goes in as it is (faster).
            if isinstance(value, str) and (value.startswith("=") or _XML_UNSAFE.search(value)):
                cell = WriteOnlyCell(sheet, value=xlsx_text(value))
                cell.data_type = "s"
                cells[i] = cell
        sheet.append(cells)
    output = tempfile.TemporaryFile()  # deleted when the response closes it
    workbook.save(output)
    output.seek(0)
    return output


def study_export(*, filters: StudyFilters, sort: str, format: str):
    """The response carrying the export; refuses what it cannot write before writing."""
    if format not in FORMATS:  # the API's ExportQuery refuses any other in words
        raise ValueError(f"unknown export format {format!r}")
    matches = filters.apply(Study.objects.all())
    total = matches.count()
    if format == "xlsx" and total > XLSX_MAX_ROWS:
        raise InvalidParameter(
            "format",
            f"xlsx holds at most {XLSX_MAX_ROWS:,} studies in a worksheet and these filters select "
            f"{total:,}; use format=csv or narrow the filters",
        )
    if format == "xlsx" and (problem := _too_long_for_xlsx(matches)):
        raise InvalidParameter("format", problem)
    filename = f"studies_{local_now():%Y%m%d_%H%M%S}.{format}"
    rows = _rows(filters, sort, total)
    if format == "csv":
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    else:
        response = FileResponse(
            _xlsx_file(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
