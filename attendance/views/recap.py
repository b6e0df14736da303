"""The attendance recap of a program: the page, its XLSX and CSV downloads and its PDF print.

Every form of it comes from `attendance.rules.program_recap`, so the page, the files and the
certificates' completion verdicts always agree. Trainers reach only their partner's programs and
see only names and registration numbers; the downloads carry nothing more than that.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from attendance.models import AttendanceStatus
from attendance.pdf import facility_signatory, letterhead, partner_signatory, render_pdf
from attendance.rules import NOT_LISTED, STATUS_CODES, program_recap
from lapas_training.access import ALL_ROLES, role_required
from lapas_training.spreadsheets import Sheet, csv_response, safe_filename, xlsx_response
from programs.models import Program, ProgramPartner

SPREADSHEET_FORMATS = ("xlsx", "csv")


@require_safe
@role_required(ALL_ROLES)
def recap(request, pk):
    """The matrix of participants by sessions with totals and attendance %.

    Queries: the user, the facility (scope), the program, then the 3 of `program_recap`.
    """
    program = _program(request, pk)
    data = program_recap(program)
    row_cells(data.rows)
    context = _page_context(request, program, data)
    return render(request, "attendance/recap.html", context)


@require_safe
@role_required(ALL_ROLES)
def recap_export(request, pk, fmt):
    """The recap as an XLSX or CSV file (one row per participant) or as an A4 landscape PDF."""
    if fmt not in (*SPREADSHEET_FORMATS, "pdf"):
        raise Http404
    program = _program(request, pk)
    data = program_recap(program)
    filename = f"rekap-kehadiran-{safe_filename(program.title)}-{data.today:%Y-%m-%d}.{fmt}"
    if fmt == "pdf":
        context = _page_context(request, program, data) | _print_context(program, data)
        pdf = render_pdf("attendance/recap_pdf.html", context)
        response = HttpResponse(pdf, content_type="application/pdf")
        # Inline: the browser opens its viewer, from which the officer prints.
        response["Content-Disposition"] = content_disposition_header(False, filename)
        return response
    header, rows = _table(data)
    preamble = [
        (_("Program"), program.title),
        (_("Facility"), program.facility.name),
        (_("Attendance threshold (%)"), program.attendance_threshold),
        (_("As of"), data.today),
    ]
    if fmt == "csv":
        return csv_response(filename, header, rows, preamble=preamble)
    return xlsx_response(filename, [Sheet(_("Attendance recap"), header, rows, preamble)])


def row_cells(rows):
    """Give each row its session cells' <td>s as `cells_html`, and those of its status totals,
    sessions counted and attended as `totals_html`.

    A large program's matrix holds over a thousand cells, and the template's loops over them
    took most of the page's time; yet a cell is one of a few kinds (a session cell: its code,
    whether the session was cancelled, whether the participant was listed; a total: its
    number). Each kind is rendered from its template once a page, and a row joins its cells.
    """
    rendered = {}

    def cell(code="", cancelled=False, listed=True, number=None):
        key = (code, cancelled, listed, number)
        if key not in rendered:
            rendered[key] = render_to_string(
                "attendance/_recap_cells.html",
                {"code": code, "cancelled": cancelled, "listed": listed, "number": number},
            ).strip()
        return rendered[key]

    for row in rows:
        # Each part rendered by the template above, which escaped what it printed.
        row.cells_html = mark_safe(
            "".join(cell(c.code, c.session.is_cancelled, c.listed) for c in row.cells)
        )
        numbers = [*row.column_totals, row.counted, row.attended]
        row.totals_html = mark_safe("".join(cell(number=number) for number in numbers))


def _program(request, pk):
    # A trainer's scope holds only the programs their partner runs: any other is a 404.
    return get_object_or_404(
        Program.objects.in_scope(request.scope).select_related("facility"), pk=pk
    )


def _page_context(request, program, data):
    return {
        "program": program,
        "recap": data,
        "legend": _legend(),
        "not_listed": NOT_LISTED,
        # Where to find someone in the prison is not a trainer's business.
        "show_block": not request.scope.is_trainer,
    }


def _print_context(program, data):
    """What the printed recap adds: the letterhead and who signs. One query, the lead partner."""
    facility = program.facility
    lead = (
        ProgramPartner.objects.filter(program=program, role=ProgramPartner.Role.LEAD)
        .select_related("partner")
        .first()
    )
    return {
        "letterhead": letterhead(facility),
        "head": facility_signatory(facility),
        # Without a lead partner the instructor signs, by hand.
        "partner_signatory": partner_signatory(lead.partner)
        if lead
        else {"office": _("Instructor"), "name": "", "nip": ""},
        "place_and_date": f"{facility.city}, {date_format(data.today)}",
    }


def _legend():
    """(code, label) of every status, translated now for the page and the print."""
    return [(STATUS_CODES[status], str(status.label)) for status in AttendanceStatus]


def _session_label(session, several_that_day):
    label = f"{session.date:%d/%m/%Y}"
    if several_that_day:
        label += f" {session.start_time:%H.%M}"
    if session.is_cancelled:
        label += " " + _("(cancelled)")
    return label


def _table(data):
    """The header and rows of the downloads: participants with a column per session."""
    dates = [session.date for session in data.sessions]
    header = [
        _("No."),
        _("Name"),
        _("Registration number"),
        *(_session_label(session, dates.count(session.date) > 1) for session in data.sessions),
        *(f"{code} ({label})" for code, label in data.status_headers),
        _("Sessions counted"),
        _("Sessions attended"),
        _("Attendance (%)"),
        _("Below threshold"),
    ]
    yes, no = _("Yes"), _("No")
    rows = [
        [
            number,
            row.enrollment.inmate.full_name,
            row.enrollment.inmate.registration_number,
            *(cell.code for cell in row.cells),
            *row.column_totals,
            row.counted,
            row.attended,
            row.percent,
            yes if row.below_threshold else no,
        ]
        for number, row in enumerate(data.rows, 1)
    ]
    return header, rows
