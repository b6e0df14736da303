"""The monthly SPPN export page and its XLSX and CSV downloads.

SPPN scores each inmate's development monthly, after the month has ended: the page therefore
opens on the previous month. The figures come from `attendance.sppn.monthly_rows`, whose rule
the page summarises. The files carry names and registration numbers, so they are for the
facility's readers only (not trainers, not the regional office) and each download is audited.
"""

import datetime

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from attendance import sppn
from lapas_training import audit
from lapas_training.access import READERS, role_required
from lapas_training.db_router import reads_from_replica
from lapas_training.spreadsheets import Sheet, csv_response, safe_filename, xlsx_response
from programs.models import Enrollment

FORMATS = ("xlsx", "csv")
# The page shows the first rows; the files carry them all.
PREVIEW_ROWS = 20
# The page's short headings of the status columns, spelled out on hover, as in the recap.
STATUS_HEADERS = [
    ("H", gettext_lazy("On time (H)")),
    ("T", gettext_lazy("Late (T)")),
    ("I", gettext_lazy("Excused (I)")),
    ("S", gettext_lazy("Sick (S)")),
    ("A", gettext_lazy("Absent (A and not marked)")),
    (gettext_lazy("Not marked"), gettext_lazy("Of which not marked")),
    (gettext_lazy("Custody"), gettext_lazy("Custody-excused")),
]
# No prison trained with this application before then: an earlier year is a typing mistake.
FIRST_YEAR = 2000


class MonthForm(forms.Form):
    """The month picker (`<input type="month">`, which sends YYYY-MM)."""

    month = forms.DateField(
        label=gettext_lazy("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(
            attrs={"type": "month", "class": "form-control", "placeholder": "2025-08"},
            format="%Y-%m",
        ),
        error_messages={
            "required": gettext_lazy("Choose a month."),
            "invalid": gettext_lazy("Enter a month as YYYY-MM, e.g. 2025-08."),
        },
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.this_month = today.replace(day=1)
        self.fields["month"].widget.attrs["max"] = f"{self.this_month:%Y-%m}"

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month > self.this_month:
            raise forms.ValidationError(_("This month has not begun yet."))
        if month.year < FIRST_YEAR:
            raise forms.ValidationError(_("Choose a month from 2000 onwards."))
        return month


def _month_form(request):
    """The picker and the month it selects: the previous month when none was asked for, None
    (and the form's error) when the one asked for is not a valid month."""
    today = timezone.localdate()
    if "month" not in request.GET:
        previous = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        return MonthForm(initial={"month": previous}, today=today), previous
    form = MonthForm(request.GET, today=today)
    if form.is_valid():
        return form, form.cleaned_data["month"]
    form.fields["month"].widget.attrs |= {
        "class": "form-control is-invalid",
        "aria-describedby": f"{form['month'].id_for_label}-error",
    }
    return form, None


@require_safe
@role_required(READERS)
@reads_from_replica
def sppn_page(request):
    """The picker, the month's first rows with the totals of all of them, and the downloads.

    Queries: the session, the user, the facility (scope), then the 3 of `monthly_rows`.
    """
    form, month = _month_form(request)
    return render(request, "attendance/sppn.html", _context(request, form, month))


@require_safe
@role_required(READERS)
@reads_from_replica
def sppn_export(request, fmt):
    """All the month's rows as XLSX or CSV. An invalid month shows the page with its error and
    exports nothing.

    Queries: the session, the user, the facility (scope), the 3 of `monthly_rows`, the audit
    event's INSERT.
    """
    if fmt not in FORMATS:
        raise Http404
    form, month = _month_form(request)
    if month is None:
        return render(request, "attendance/sppn.html", _context(request, form, None))
    facility = request.scope.facility
    rows = sppn.monthly_rows(facility, month)
    audit.record(
        request,
        kind=audit.Kind.EXPORT,
        facility=facility,
        user=request.user,
        detail=f"SPPN {month:%Y-%m} ({fmt.upper()})",
    )
    filename = f"sppn-{safe_filename(facility.unit_code)}-{month:%Y-%m}.{fmt}"
    header, body = header_labels(), _body(rows)
    if fmt == "csv":
        # No preamble: the first line is the header, so the file imports as it is.
        return csv_response(filename, header, body)
    preamble = [
        (_("Facility"), facility.name),
        (_("Month"), _month_label(month)),
        (_("Note"), _("Absent includes the planned sessions without a mark.")),
    ]
    return xlsx_response(filename, [Sheet(_("SPPN"), header, body, preamble)])


def header_labels():
    """The files' column headings, translated now (a CSV's rows are written after the view)."""
    return [
        _("No."),
        _("Registration number"),
        _("Name"),
        _("Program"),
        _("Sessions planned"),
        _("Attended (H+T)"),
        _("On time (H)"),
        _("Late (T)"),
        _("Excused (I)"),
        _("Sick (S)"),
        _("Absent (A and not marked)"),
        _("Of which not marked"),
        _("Custody-excused"),
        _("JP attended"),
        _("Attendance (%)"),
        _("Pre-test"),
        _("Post-test"),
        _("Practical"),
        _("Assessment result"),
        _("Enrolment status"),
    ]


def _body(rows):
    """The table's rows: the cells of each `SppnRow`, numbered, in the order of the headings."""
    return [[number, *_cells(row)] for number, row in enumerate(rows, 1)]


def _cells(row):
    enrollment = row.enrollment
    return [
        row.inmate.registration_number,
        row.inmate.full_name,
        row.program.title,
        row.planned,
        row.attended,
        row.present,
        row.late,
        row.excused,
        row.sick,
        row.absent,
        row.not_marked,
        row.custody,
        row.jp_attended,
        row.percent,
        enrollment.pre_test_score,
        enrollment.post_test_score,
        enrollment.practical_score,
        _label(Enrollment.Result, enrollment.assessment_result),
        _label(Enrollment.Status, enrollment.status),
    ]


def _label(choices, value):
    return str(choices(value).label) if value else ""


def _month_label(month):
    return date_format(month, "YEAR_MONTH_FORMAT")


def _context(request, form, month):
    context = {"form": form, "month": month}
    if month is None:
        return context
    rows = sppn.monthly_rows(request.scope.facility, month)
    today = timezone.localdate()
    return context | {
        "month_label": _month_label(month),
        "month_value": f"{month:%Y-%m}",
        "in_progress": (month.year, month.month) == (today.year, today.month),
        "today": today,
        "status_headers": STATUS_HEADERS,
        "preview": rows[:PREVIEW_ROWS],
        "row_count": len(rows),
        "totals": sppn.totals(rows),
        "formats": FORMATS,
    }
