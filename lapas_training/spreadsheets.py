"""Spreadsheet downloads (CSV and XLSX) that are safe to open in Excel or LibreOffice.

Every export goes through here so that none of them can carry a formula: a name typed as
`=HYPERLINK("http://evil","click")` into a form must open as text, not as a live link or a
command (CSV / formula injection, see OWASP "CSV Injection"). Values pass through `safe_cell`,
and XLSX cells are also written with the string type, never as formulas.

Both responses take the rows as an iterable and consume it once, so a caller can hand over a
`QuerySet.iterator()` and keep memory flat whatever the row count.
"""

import csv
import datetime
import itertools
import re
import tempfile
from decimal import Decimal
from typing import Any, NamedTuple

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
PERCENT_FORMAT = "0.0%"

# A spreadsheet reads a cell starting with one of these as a formula (tab and carriage return
# because some applications strip them and then see the formula behind).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_STARTS = frozenset(FORMULA_PREFIXES)

# Excel's own limits on sheet titles: 31 characters, none of these.
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# How many rows are looked at to size the columns: the rest are written without being kept.
_WIDTH_SAMPLE_ROWS = 200
_MIN_WIDTH, _MAX_WIDTH = 8, 60


class Sheet(NamedTuple):
    """One worksheet: `header` is the bold first row of the table, `rows` its body.

    `preamble` is optional (label, value) pairs written above the table, e.g. whose history
    this is; the labels are bold. A plain `(title, header, rows)` tuple is a `Sheet` too.
    """

    title: str
    header: list[str]
    rows: Any
    preamble: tuple = ()


class Percent(NamedTuple):
    """A percentage as a report states it (`Decimal("92.5")` for 92.5 %), or None for none.

    An XLSX cell holds it as the number 0.925 formatted "0.0%": the spreadsheet shows 92.5% and
    computes with it. In a CSV, and wherever it is printed as text, it reads "92.5%".
    """

    value: Any

    def __str__(self):
        return "" if self.value is None else f"{self.value}%"


def safe_cell(value):
    """`value` as it may go into a spreadsheet cell: text that could be read as a formula gets
    a leading apostrophe; numbers, dates and other values are unchanged; None becomes "".

    Only strings are touched: a negative number stays a number. Called for every cell of an
    export (36,000 in a 3,000-row register), so a plain string costs one type check and one
    set lookup of its first character.
    """
    if type(value) is str:
        return "'" + value if value[:1] in _FORMULA_STARTS else value
    if value is None:
        return ""
    if isinstance(value, Promise):
        # A lazy translation is text too, and must be checked as the text it becomes.
        value = str(value)
    # A str subclass (SafeString and the like) is checked as text too.
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def safe_filename(text):
    """`text` reduced to characters that are safe in a file name on every system."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "export"


def csv_response(filename, header, rows, preamble=()):
    """A streamed CSV download (UTF-8 with a byte-order mark) of `header` and `rows`.

    The BOM makes Excel on Windows, whose default code page is not UTF-8, read names with
    accents correctly. Rows are written while the response is sent, so `rows` is consumed (and
    its queries run) after the view returns: translate labels before, not inside, the rows.
    `preamble` (label, value) pairs come first, separated from the table by an empty line.
    """

    def lines():
        writer = csv.writer(_Echo())
        yield "\ufeff"
        for row in itertools.chain(preamble, [()] if preamble else [], [header], rows):
            yield writer.writerow([safe_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class _Echo:
    """A file-like object whose `write` returns the line, for streaming with `csv.writer`."""

    def write(self, value):
        return value


def xlsx_response(filename, sheets):
    """An XLSX download of `sheets`, each a `Sheet` (or a `(title, header, rows)` tuple).

    The workbook is written in openpyxl's write-only mode: rows go to a temporary file as they
    come rather than being held in memory, and the finished file is sent in chunks from a
    temporary file (kept in memory up to 5 MB, on disk beyond).
    Every string is written as a string cell (a value starting with "=" stays text); dates are
    real date cells shown as DD/MM/YYYY. Column widths are estimated from the header and the
    first rows, since they must be set before any row is written.
    """
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        sheet = Sheet(*sheet)
        worksheet = workbook.create_sheet(_sheet_title(sheet.title))
        rows = iter(sheet.rows)
        sample = list(itertools.islice(rows, _WIDTH_SAMPLE_ROWS))
        for index, width in enumerate(_column_widths(sheet.header, sample), 1):
            worksheet.column_dimensions[get_column_letter(index)].width = width
        for label, value in sheet.preamble:
            worksheet.append([_cell(worksheet, label, font=bold), _cell(worksheet, value)])
        if sheet.preamble:
            worksheet.append([])
        worksheet.append([_cell(worksheet, label, font=bold) for label in sheet.header])
        for row in itertools.chain(sample, rows):
            worksheet.append([_body_value(worksheet, value) for value in row])
    # Spooled: a small export stays in memory, a large one goes to disk. Not a `with` block:
    # the response closes the file once it has been sent.
    output = tempfile.SpooledTemporaryFile(max_size=5 * 1024 * 1024)  # noqa: SIM115
    try:
        workbook.save(output)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return FileResponse(
        output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


def _body_value(worksheet, value):
    """A body cell's value as `worksheet.append` takes it: plain where openpyxl types it right
    by itself (cheap: no cell object of ours, no style), else a cell built by `_cell`.

    Plain text is safe once `safe_cell` has run: it cannot start with "=", so openpyxl keeps it
    text; printable text has no control character to drop; an error code such as "#N/A" would
    become an error cell and goes through `_cell`, which writes it as text.
    """
    cls = type(value)
    if cls is str:
        value = safe_cell(value)
        if value.isprintable() and value not in ERROR_CODES:
            return value
    elif cls is int or cls is float or cls is Decimal:
        return value
    return _cell(worksheet, value)


def _cell(worksheet, value, font=None):
    if value is None:
        return None
    value = safe_cell(value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        # Excel has no time zones: show the local time the user knows.
        value = timezone.make_naive(value)
    cell = WriteOnlyCell(worksheet)
    if isinstance(value, Percent):
        if value.value is None:
            return None
        cell.value = value.value / 100
        cell.number_format = PERCENT_FORMAT
    elif isinstance(value, str):
        # Control characters are not allowed in the XML; dropping them beats an error page.
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        # openpyxl would store "=..." as a formula and "#N/A" as an error: text is text.
        cell.data_type = "s"
    else:
        cell.value = value
        if isinstance(value, datetime.datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, datetime.date):
            cell.number_format = DATE_FORMAT
    if font is not None:
        cell.font = font
    return cell


def _sheet_title(title):
    return _SHEET_TITLE_FORBIDDEN.sub(" ", str(title))[:31] or "Sheet"


def _column_widths(header, sample):
    """A width per column from the longest text among the header and the sample rows."""
    widths = [len(str(label)) for label in header]
    for row in sample:
        for index, value in enumerate(row):
            length = len(DATE_FORMAT) if isinstance(value, datetime.date) else len(str(value or ""))
            if index < len(widths):
                widths[index] = max(widths[index], length)
            else:
                widths.append(length)
    return [min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH) for width in widths]
