"""Importing inmates from a prison register exported as CSV or XLSX.

Three steps, each usable alone (the view and `scripts/bench_import.py` chain them):
`read_file` turns the file's bytes into rows of checked values (a problem with the file as a whole
raises ValidationError and none of it is used); `plan_import` matches the rows to the facility's
inmates in one query and sorts them into creates, updates and errors; `apply_plan` writes a plan
without errors in bulk. `import_file` runs all three in one transaction for the confirm step.
Nothing is written before `apply_plan`, and a plan with any error is never applied: all or none.
"""

import csv
import datetime
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl.styles import Font
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from inmates.models import Inmate

BATCH_SIZE = 1000
# Zip-bomb guards, checked on the archive's directory before openpyxl inflates a byte. Python's
# zipfile never inflates a member beyond the size the directory declares (it fails the CRC
# instead), so checking the declared sizes bounds the work.
XLSX_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_MAX_MEMBERS = 1000
# Columns past this are never read: a stray cell at column XFD must not widen every row.
MAX_COLUMNS = 100
# What a spreadsheet program would run as a formula (formula injection, OWASP's list).
FORMULA_PREFIXES = ("=", "+", "-", "@")
# dd/mm/yyyy or dd-mm-yyyy (one separator throughout), or yyyy-mm-dd. A regular expression
# rather than strptime, which costs a tenth of the time of a whole 10,000-row import.
DAY_FIRST = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2(\d{4})")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# What openpyxl and zipfile raise on a damaged workbook; none of it may become a 500.
XLSX_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    OSError,
    SyntaxError,
    EOFError,
)


@dataclass(frozen=True)
class Column:
    """One column of the register: the Inmate field it fills and the headers that name it."""

    field: str
    # As an Indonesian register heads it; the template uses it. Not translated: it is data.
    header: str
    aliases: tuple
    kind: str  # "text", "date", "gender" or "status"
    description: str
    required: bool = False


COLUMNS = (
    Column(
        "registration_number",
        "No. Registrasi",
        ("Nomor Registrasi", "No. Reg", "Registration number", "Registration no"),
        "text",
        gettext_lazy(
            "The registration number, e.g. B.I-123/2025. A row whose number an inmate of this "
            "facility already has updates that inmate (upper or lower case does not matter)."
        ),
        required=True,
    ),
    Column(
        "full_name",
        "Nama",
        ("Nama Lengkap", "Name", "Full name"),
        "text",
        gettext_lazy("The full name."),
        required=True,
    ),
    Column(
        "birth_date",
        "Tanggal Lahir",
        ("Tgl Lahir", "Date of birth", "Birth date"),
        "date",
        gettext_lazy("Date of birth: an Excel date, or dd/mm/yyyy, dd-mm-yyyy or yyyy-mm-dd."),
    ),
    Column(
        "gender",
        "Jenis Kelamin",
        ("JK", "Gender", "Sex"),
        "gender",
        gettext_lazy("L or P (also Laki-laki / Perempuan, M / F). Required for a new inmate."),
    ),
    Column("block", "Blok", ("Block",), "text", gettext_lazy("The block.")),
    Column("room", "Kamar", ("Room", "Cell"), "text", gettext_lazy("The room.")),
    Column(
        "admission_date",
        "Tanggal Masuk",
        ("Tgl Masuk", "Admission date"),
        "date",
        gettext_lazy("Admission date, written like the date of birth."),
    ),
    Column(
        "expected_release_date",
        "Perkiraan Bebas",
        ("Tanggal Bebas", "Expected release", "Expected release date"),
        "date",
        gettext_lazy("Expected release date, not before the admission date."),
    ),
    Column(
        "status",
        "Status",
        (),
        "status",
        gettext_lazy(
            "Empty, aktif or dalam pembinaan (in custody). Releases and transfers are recorded "
            "on the inmate's page with “Record release or transfer”, not by an import."
        ),
    ),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
MAX_LENGTHS = {
    column.field: Inmate._meta.get_field(column.field).max_length
    for column in COLUMNS
    if column.kind == "text"
}

GENDERS = {
    **dict.fromkeys(("l", "lakilaki", "pria", "m", "male"), Inmate.Gender.MALE),
    **dict.fromkeys(("p", "perempuan", "wanita", "f", "female"), Inmate.Gender.FEMALE),
}
STATUSES = {
    **dict.fromkeys(("aktif", "dalampembinaan", "active", "incustody"), Inmate.Status.ACTIVE),
    **dict.fromkeys(("bebas", "dibebaskan", "released"), Inmate.Status.RELEASED),
    **dict.fromkeys(("pindah", "dipindahkan", "mutasi", "transferred"), Inmate.Status.TRANSFERRED),
}


def _key(text):
    """Headers and coded values compare without case, spaces, dots or hyphens."""
    return re.sub(r"[\s.\-_]+", "", text).casefold()


HEADERS = {_key(name): column for column in COLUMNS for name in (column.header, *column.aliases)}


class CellError(Exception):
    """A cell's value is unusable; the message is a phrase completing "Row n, column c: "."""


# A cell holding an array or data-table formula (openpyxl gives those as objects).
FORMULA = object()
FORMULA_TYPES = (ArrayFormula, DataTableFormula)


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        return _("Row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ParsedRow:
    number: int
    # Only the cells that hold a value: an empty cell leaves an existing inmate's value alone.
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)


@dataclass
class ParsedFile:
    format: str
    headers: dict  # field -> the header as the file writes it
    rows: list

    def header(self, field_name):
        return self.headers.get(field_name, COLUMN_BY_FIELD[field_name].header)


@dataclass
class PlannedRow:
    number: int
    inmate: Inmate
    changes: list = field(default_factory=list)  # (field label, old, new) as the user reads them
    fields: set = field(default_factory=set)


@dataclass
class ImportPlan:
    creates: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    unchanged: int = 0
    errors: list = field(default_factory=list)
    error_rows: int = 0

    @property
    def can_apply(self):
        return not self.errors and bool(self.creates or self.updates)


def check_size(size):
    """Raise ValidationError when a file of `size` bytes is over IMPORT_MAX_BYTES."""
    if size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            _("The file is too large; the limit is %(limit)s.")
            % {"limit": filesizeformat(settings.IMPORT_MAX_BYTES)},
            code="too_large",
        )


def read_file(data):
    """Read a register (CSV or XLSX, decided by content) into a ParsedFile.

    Raises ValidationError for a file refused whole: too large, empty, of another type, not UTF-8,
    damaged, a zip bomb, without a required column, or with more than IMPORT_MAX_ROWS rows.
    Problems of single cells become the rows' errors instead.
    """
    check_size(len(data))
    if not data.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    if data.startswith(b"PK\x03\x04"):
        return _parse(_xlsx_rows(data), "xlsx")
    if data.startswith(OLE_MAGIC):
        raise ValidationError(
            _("Old Excel files (.xls) are not accepted; save it as Excel Workbook (.xlsx)."),
            code="xls",
        )
    return _parse(_csv_rows(data), "csv")


def _not_a_register():
    return ValidationError(
        _("This file is neither a CSV nor an Excel (XLSX) file."), code="unknown_type"
    )


def _csv_rows(data):
    # Excel's "Unicode Text" is UTF-16; any other file with NUL bytes is not text at all.
    if data.startswith(UTF16_BOMS):
        raise _not_utf8()
    if b"\x00" in data:
        raise _not_a_register()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8() from None
    # Indonesian Excel writes semicolons; headers never contain either delimiter.
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        # Records, not physical lines: a quoted cell may span lines but is one spreadsheet row.
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error:
        raise ValidationError(
            _("The CSV file is malformed near row %(row)s.") % {"row": number + 1},
            code="malformed",
        ) from None


def _not_utf8():
    return ValidationError(
        _(
            "The CSV file is not in UTF-8. In Excel choose Save As, then “CSV UTF-8 (Comma "
            "delimited)”, and upload that file."
        ),
        code="encoding",
    )


def _xlsx_rows(data):
    damaged = ValidationError(
        _("The Excel file is damaged and cannot be read. Save it again and upload it."),
        code="damaged",
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except XLSX_ERRORS:
        raise damaged from None
    unpacked = sum(member.file_size for member in members)
    if (
        len(members) > XLSX_MAX_MEMBERS
        or unpacked > XLSX_MAX_UNPACKED_BYTES
        or any(m.file_size > XLSX_MAX_RATIO * max(m.compress_size, 1) for m in members)
    ):
        raise ValidationError(
            _("The Excel file unpacks to far more data than a register holds; it is refused."),
            code="zip_bomb",
        )
    if "xl/workbook.xml" not in archive.namelist():
        raise _not_a_register()
    try:
        # data_only=False keeps formulas as formulas, so they can be refused rather than
        # their cached results silently taken for typed values.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        if not workbook.worksheets:
            raise damaged
        sheet = workbook.worksheets[0]
        # The stored dimensions may be wrong; without them every row present is read.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        for number, values in enumerate(rows, start=1):
            # Plain formulas come as "=..." text, which `_clean` refuses; these are the others.
            yield number, [FORMULA if isinstance(v, FORMULA_TYPES) else v for v in values]
        workbook.close()
    except XLSX_ERRORS:
        raise damaged from None


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _parse(rows, file_format):
    for _number, cells in rows:
        if not all(_blank(cell) for cell in cells):
            headers = _map_headers(cells)
            break
    else:
        raise ValidationError(_("The file is empty."), code="empty")

    parsed = ParsedFile(file_format, {f: header for f, (_i, header) in headers.items()}, [])
    first_rows = {}
    today = timezone.localdate()
    for number, cells in rows:
        if all(_blank(cell) for cell in cells):
            continue
        if len(parsed.rows) >= settings.IMPORT_MAX_ROWS:
            raise ValidationError(
                _("The file has more than %(limit)s rows; split it into smaller files.")
                % {"limit": formats.number_format(settings.IMPORT_MAX_ROWS, force_grouping=True)},
                code="too_many_rows",
            )
        row = ParsedRow(number)
        for field_name, (index, header) in headers.items():
            column = COLUMN_BY_FIELD[field_name]
            try:
                value = _clean(column, cells[index] if index < len(cells) else None)
            except CellError as error:
                row.errors.append(RowError(number, header, str(error)))
                continue
            if value is None:
                if column.required:
                    row.errors.append(RowError(number, header, _("a value is required.")))
                continue
            row.values[field_name] = value
        _check_row(row, parsed, first_rows, today)
        parsed.rows.append(row)
    return parsed


def _map_headers(cells):
    """field -> (cell index, header text) for the known columns; unknown columns are ignored."""
    headers = {}
    for index, text in enumerate(cells):
        column = HEADERS.get(_key(text)) if isinstance(text, str) else None
        if column is None:
            continue
        if column.field in headers:
            raise ValidationError(
                _("The column %(column)s appears twice in the file.") % {"column": column.header},
                code="duplicate_column",
            )
        headers[column.field] = (index, text.strip())
    missing = [
        column.header for column in COLUMNS if column.required and column.field not in headers
    ]
    if missing:
        raise ValidationError(
            ngettext(
                "The required column %(columns)s is missing. Download the template to see the "
                "expected columns.",
                "The required columns %(columns)s are missing. Download the template to see the "
                "expected columns.",
                len(missing),
            )
            % {"columns": ", ".join(f"“{header}”" for header in missing)},
            code="missing_columns",
        )
    return headers


def _clean(column, raw):
    """The cell's value for `column`, None when empty; raises CellError when unusable."""
    if raw is FORMULA:
        raise CellError(_("formulas are not accepted."))
    if isinstance(raw, str):
        raw = raw.strip()
        # A lone dash is how registers write "none"; it cannot be a formula.
        if not raw or not raw.strip("-"):
            return None
        if raw.startswith(FORMULA_PREFIXES):
            raise CellError(_("formulas are not accepted."))
    if raw is None:
        return None
    if column.kind == "date":
        return _clean_date(raw)
    if isinstance(raw, datetime.date | datetime.time | datetime.timedelta):
        raise CellError(_("expected text, not a date."))
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw)
    if column.kind == "gender":
        if _key(text) not in GENDERS:
            raise CellError(_("not a gender (use L or P)."))
        return GENDERS[_key(text)]
    if column.kind == "status":
        if _key(text) not in STATUSES:
            raise CellError(_("not a known status (use aktif)."))
        return STATUSES[_key(text)]
    limit = MAX_LENGTHS[column.field]
    if len(text) > limit:
        raise CellError(_("too long (at most %(limit)s characters).") % {"limit": limit})
    return text


def _clean_date(raw):
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, str):
        if match := DAY_FIRST.fullmatch(raw):
            day, _sep, month, year = match.groups()
        elif match := ISO_DATE.fullmatch(raw):
            year, month, day = match.groups()
        else:
            raise CellError(_("not a date (use dd/mm/yyyy)."))
        try:
            value = datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise CellError(_("not a date (use dd/mm/yyyy).")) from None
        # A year like 0025 is a typing slip, not a date the register meant.
        if value.year >= 1900:
            return value
    raise CellError(_("not a date (use dd/mm/yyyy)."))


def _check_row(row, parsed, first_rows, today):
    """Checks across a row's cells and against earlier rows of the file."""
    birth_date = row.values.get("birth_date")
    if birth_date and birth_date >= today:
        row.errors.append(
            RowError(
                row.number, parsed.header("birth_date"), _("the date of birth must be in the past.")
            )
        )
    number = row.values.get("registration_number")
    if number:
        first = first_rows.setdefault(number.casefold(), row.number)
        if first != row.number:
            row.errors.append(
                RowError(
                    row.number,
                    parsed.header("registration_number"),
                    _("%(number)s appears more than once in the file (first in row %(first)s).")
                    % {"number": number, "first": first},
                )
            )


def plan_import(parsed, *, facility, lock=False):
    """Match the parsed rows to `facility`'s inmates and sort them into an ImportPlan.

    One query (the facility's inmates, locked for update with `lock=True`), whatever the row
    count. Changes nothing in the database; the planned inmates are unsaved or modified copies.
    """
    existing = Inmate.objects.filter(facility=facility).order_by()
    if lock:
        existing = existing.select_for_update()
    by_number = {inmate.registration_number.casefold(): inmate for inmate in existing}
    plan = ImportPlan()
    for row in parsed.rows:
        number = row.values.get("registration_number")
        inmate = by_number.get(number.casefold()) if number else None
        # Every check runs on every row, whatever failed before, so that the preview lists
        # all that is wrong with a row and one correction of the file is enough.
        if inmate is None:
            errors = row.errors + _create_errors(row, parsed, known_number=bool(number))
        else:
            errors = row.errors + _update_errors(row, parsed, inmate)
        if errors:
            plan.errors.extend(errors)
            plan.error_rows += 1
        elif inmate is None:
            fields = {name: value for name, value in row.values.items() if name != "status"}
            inmate = Inmate(facility=facility, status=Inmate.Status.ACTIVE, **fields)
            plan.creates.append(PlannedRow(row.number, inmate))
        else:
            _plan_update(plan, row, inmate)
    return plan


def _dates_error(row, parsed, admission, release):
    if admission and release and release < admission:
        column = (
            "expected_release_date" if "expected_release_date" in row.values else "admission_date"
        )
        return [
            RowError(
                row.number,
                parsed.header(column),
                _("the expected release date cannot be before the admission date."),
            )
        ]
    return []


def _create_errors(row, parsed, *, known_number):
    """What stops the row from becoming a new inmate. Without a usable registration number the
    row may yet be meant for a recorded inmate, so the gender is not asked for."""
    values = row.values
    errors = _dates_error(
        row, parsed, values.get("admission_date"), values.get("expected_release_date")
    )
    if known_number and "gender" not in values and not _failed(row, parsed, "gender"):
        errors.append(
            RowError(row.number, parsed.header("gender"), _("required for a new inmate (L or P)."))
        )
    if values.get("status", Inmate.Status.ACTIVE) != Inmate.Status.ACTIVE:
        errors.append(_departure_error(row, parsed))
    return errors


def _failed(row, parsed, field_name):
    """Whether the row's cell of `field_name` already has an error of its own."""
    header = parsed.header(field_name)
    return any(error.column == header for error in row.errors)


def _update_errors(row, parsed, inmate):
    """What stops the row from updating the recorded `inmate`."""
    values = row.values
    errors = _dates_error(
        row,
        parsed,
        values.get("admission_date", inmate.admission_date),
        values.get("expected_release_date", inmate.expected_release_date),
    )
    status = values.get("status", inmate.status)
    if status != inmate.status:
        if inmate.status == Inmate.Status.ACTIVE:
            errors.append(_departure_error(row, parsed))
        else:
            errors.append(
                RowError(
                    row.number,
                    parsed.header("status"),
                    _(
                        "this inmate has left the facility (released or transferred); an "
                        "import does not change their status."
                    ),
                )
            )
    return errors


def _plan_update(plan, row, inmate):
    """Apply the row's values to `inmate` (a copy) and note each change for the preview."""
    planned = PlannedRow(row.number, inmate)
    # The number is the match key (its case in the file is not a change); status is checked above.
    for name, value in row.values.items():
        old = getattr(inmate, name)
        if name in ("registration_number", "status") or old == value:
            continue
        model_field = Inmate._meta.get_field(name)
        planned.changes.append(
            (model_field.verbose_name, _display(model_field, old), _display(model_field, value))
        )
        planned.fields.add(name)
        setattr(inmate, name, value)
    if planned.fields:
        plan.updates.append(planned)
    else:
        plan.unchanged += 1


def _departure_error(row, parsed):
    return RowError(
        row.number,
        parsed.header("status"),
        _(
            "an import does not record releases or transfers; use “Record release or transfer” "
            "on the inmate's page, which also closes their enrolments."
        ),
    )


def _display(model_field, value):
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime.date):
        return formats.date_format(value)
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    return value


def apply_plan(plan, *, user):
    """Write an error-free plan: new inmates and updates in batches, with history by `user`.

    Call inside a transaction (`import_file` does). About 2 queries per 1000 rows and kind.
    Returns (created, updated).
    """
    assert not plan.errors, "a plan with errors is never applied"
    bulk_create_with_history(
        [row.inmate for row in plan.creates], Inmate, batch_size=BATCH_SIZE, default_user=user
    )
    if plan.updates:
        fields = sorted(set().union(*(row.fields for row in plan.updates)))
        bulk_update_with_history(
            [row.inmate for row in plan.updates],
            Inmate,
            fields,
            batch_size=BATCH_SIZE,
            default_user=user,
        )
    return len(plan.creates), len(plan.updates)


def import_file(data, *, facility, user):
    """Read, check against the database as it is now, and apply a register in one transaction.

    Returns the ImportPlan; when it has errors nothing was written. Raises ValidationError when
    the file is refused or another officer's change collides with the import (nothing written).
    """
    parsed = read_file(data)
    try:
        with transaction.atomic():
            plan = plan_import(parsed, facility=facility, lock=True)
            if not plan.errors:
                apply_plan(plan, user=user)
    except IntegrityError:
        # A number added by someone else between the lock and the insert.
        raise ValidationError(
            _(
                "Another officer changed the inmates of this facility during the import; "
                "nothing was imported. Upload the file again."
            ),
            code="conflict",
        ) from None
    return plan


def template_csv():
    """The header row as CSV in UTF-8 with a BOM (so Excel reads it as UTF-8), semicolons
    because that is what Excel in Indonesian expects."""
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerow([column.header for column in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()


def template_xlsx():
    """The header row on the first sheet and, on a second, what each column accepts."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Inmates")
    sheet.append([column.header for column in COLUMNS])
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        sheet.column_dimensions[cell.column_letter].width = 18
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("Instructions"))
    notes.append([_("Column"), _("Required"), _("What to write")])
    for column in COLUMNS:
        notes.append(
            [column.header, _("yes") if column.required else _("no"), str(column.description)]
        )
    notes.append([])
    for line in instructions():
        notes.append([line])
    for cell in notes[1]:
        cell.font = bold
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 100
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def instructions():
    """The general rules of an import, as shown on the upload page and in the template."""
    return [
        _("Row 1 holds the column names; other columns are ignored."),
        _("An empty cell leaves an existing inmate's value unchanged."),
        _("Formulas are not accepted: type the values."),
        _("At most %(rows)s rows and %(size)s per file.")
        % {
            "rows": formats.number_format(settings.IMPORT_MAX_ROWS, force_grouping=True),
            "size": filesizeformat(settings.IMPORT_MAX_BYTES),
        },
    ]
