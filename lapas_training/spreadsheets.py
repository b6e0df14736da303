"""Spreadsheet downloads (CSV and XLSX) that are safe to open in Excel or LibreOffice.

Every export goes through here so that none of them can carry a formula: a name typed as
`=HYPERLINK("http://evil","click")` into a form must open as text, not as a live link or a
command (CSV / formula injection, see OWASP "CSV Injection"). Values pass through `safe_cell`,
and XLSX cells are also written as strings, never as formulas.

Both responses take the rows as an iterable and consume it once, so a caller can hand over a
`QuerySet.iterator()` and keep memory flat whatever the row count.
"""

import csv
import datetime
import itertools
import math
import re
import tempfile
import zipfile
from decimal import Decimal
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
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

    The workbook's parts are written here, straight into the zip, rather than by openpyxl:
    its writer builds a cell object and an XML element for every cell, which made a 500-row
    export spend most of its time on them. Rows go into the zip as they come rather than
    being held in memory, and the finished file is sent in chunks from a temporary file
    (kept in memory up to 5 MB, on disk beyond).
    Every string is written as a string cell (a value starting with "=" stays text, "#N/A"
    is not an error); numbers and booleans as such; dates are real date cells shown as
    DD/MM/YYYY; a `Percent` a number shown as a percentage. Column widths are estimated from
    the header and the first rows, since they come before any row in the file.
    """
    sheets = [Sheet(*sheet) for sheet in sheets]
    titles = []
    for sheet in sheets:
        title = _sheet_title(sheet.title)
        # As openpyxl did: a second sheet of the same title gets a number.
        base, number = title, 0
        while title in titles:
            number += 1
            title = f"{base[: 31 - len(str(number))]}{number}"
        titles.append(title)
    # Spooled: a small export stays in memory, a large one goes to disk. Not a `with` block:
    # the response closes the file once it has been sent.
    output = tempfile.SpooledTemporaryFile(max_size=5 * 1024 * 1024)  # noqa: SIM115
    try:
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", _content_types(len(sheets)))
            archive.writestr("_rels/.rels", _PACKAGE_RELS)
            archive.writestr("xl/workbook.xml", _workbook_xml(titles))
            archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
            archive.writestr("xl/styles.xml", _STYLES)
            for number, sheet in enumerate(sheets, 1):
                with archive.open(f"xl/worksheets/sheet{number}.xml", "w") as part:
                    _write_sheet(part, sheet)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return FileResponse(
        output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PACKAGE_RELS = (
    f'{_XML_HEAD}<Relationships xmlns="{_RELS_NS}"><Relationship Id="rId1" '
    f'Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
# The cell formats a cell's s="…" picks, in this order: plain, bold (headings and labels),
# date, date and time, percentage.
_PLAIN, _BOLD, _DATE, _DATETIME, _PERCENT = range(5)
_STYLES = (
    f'{_XML_HEAD}<styleSheet xmlns="{_MAIN_NS}">'
    f'<numFmts count="3"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/>'
    f'<numFmt numFmtId="165" formatCode="{DATETIME_FORMAT}"/>'
    f'<numFmt numFmtId="166" formatCode="{PERCENT_FORMAT}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
# Excel counts days from 30 December 1899 (its "1900 leap year" included).
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
_COLUMNS = [get_column_letter(index) for index in range(1, 16385)]


def _content_types(sheet_count):
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for number in range(1, sheet_count + 1)
    )
    return (
        f"{_XML_HEAD}"
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{sheets}</Types>"
    )


def _workbook_xml(titles):
    sheets = "".join(
        f'<sheet name="{escape(title, _QUOTE)}" sheetId="{number}" r:id="rId{number}"/>'
        for number, title in enumerate(titles, 1)
    )
    return (
        f'{_XML_HEAD}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_DOC_RELS}">'
        f"<sheets>{sheets}</sheets></workbook>"
    )


def _workbook_rels(sheet_count):
    sheets = "".join(
        f'<Relationship Id="rId{number}" Type="{_DOC_RELS}/worksheet" '
        f'Target="worksheets/sheet{number}.xml"/>'
        for number in range(1, sheet_count + 1)
    )
    styles = (
        f'<Relationship Id="rId{sheet_count + 1}" Type="{_DOC_RELS}/styles" Target="styles.xml"/>'
    )
    return f'{_XML_HEAD}<Relationships xmlns="{_RELS_NS}">{sheets}{styles}</Relationships>'


_QUOTE = {'"': "&quot;"}
# Kept as they are by an XML parser only when written as references.
_TEXT_ENTITIES = {"\r": "&#13;"}


def _write_sheet(part, sheet):
    """The worksheet XML of `sheet` into the zip `part`: widths, preamble, header, rows."""
    rows = iter(sheet.rows)
    sample = list(itertools.islice(rows, _WIDTH_SAMPLE_ROWS))
    columns = "".join(
        f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
        for index, width in enumerate(_column_widths(sheet.header, sample), 1)
    )
    chunk = [f'{_XML_HEAD}<worksheet xmlns="{_MAIN_NS}">']
    if columns:
        chunk.append(f"<cols>{columns}</cols>")
    chunk.append("<sheetData>")
    number = 0

    def add(cells):
        nonlocal number
        number += 1
        chunk.append(f'<row r="{number}">{"".join(cells)}</row>')

    for label, value in sheet.preamble:
        add([_xml_cell(f"A{number + 1}", label, _BOLD), _xml_cell(f"B{number + 1}", value)])
    if sheet.preamble:
        add([])
    add(
        [
            _xml_cell(f"{_COLUMNS[index]}{number + 1}", label, _BOLD)
            for index, label in enumerate(sheet.header)
        ]
    )
    for row in itertools.chain(sample, rows):
        row_number = number + 1
        add([_xml_cell(f"{_COLUMNS[index]}{row_number}", value) for index, value in enumerate(row)])
        if len(chunk) >= 200:
            part.write("".join(chunk).encode())
            chunk.clear()
    chunk.append("</sheetData></worksheet>")
    part.write("".join(chunk).encode())


def _number_cell(ref, value, style):
    """A number as openpyxl wrote it: 16 significant digits (so Decimal("46.0") is 46), and
    no cell for what a spreadsheet cannot hold (not a number, infinity)."""
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return ""
    return f'<c r="{ref}" s="{style}"><v>{value:.16g}</v></c>'


def _xml_cell(ref, value, style=_PLAIN):
    """The <c> element of one cell ("" for an empty one), its value made safe and typed."""
    cls = type(value)
    if cls is str:
        value = safe_cell(value)
    elif value is None:
        return ""
    elif cls is not int and cls is not float and cls is not Decimal and cls is not bool:
        value = safe_cell(value)
        cls = type(value)
    if isinstance(value, str):
        if not value:
            return ""
        if not value.isprintable():
            # Control characters are not allowed in the XML; dropping them beats an error page.
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        text = escape(value, _TEXT_ENTITIES)
        return (
            f'<c r="{ref}" s="{style}" t="inlineStr">'
            f'<is><t xml:space="preserve">{text}</t></is></c>'
        )
    if cls is bool:
        return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if cls is int or cls is float or cls is Decimal:
        return _number_cell(ref, value, style)
    if isinstance(value, Percent):
        if value.value is None:
            return ""
        return _number_cell(ref, value.value / 100, _PERCENT)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            # Excel has no time zones: show the local time the user knows.
            value = timezone.make_naive(value)
        return _number_cell(ref, (value - _EXCEL_EPOCH) / datetime.timedelta(days=1), _DATETIME)
    if isinstance(value, datetime.date):
        return _number_cell(ref, (value - _EXCEL_EPOCH.date()).days, _DATE)
    if isinstance(value, int | float | Decimal):
        return _number_cell(ref, value, style)
    raise TypeError(f"A spreadsheet cell cannot hold {type(value).__name__}: {value!r}")


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
