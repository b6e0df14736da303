"""Downloads of the inmate register and of one inmate's training history, as XLSX or CSV.

Both go through `lapas_training.spreadsheets`, which makes every cell formula-safe. Labels are
translated here, in the view, because a CSV's rows are written after the view returns.
"""

from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from inmates.models import Inmate
from inmates.views.inmates import annotate_program_counts, filtered_register
from lapas_training import audit
from lapas_training.access import READERS, role_required
from lapas_training.spreadsheets import Sheet, csv_response, safe_filename, xlsx_response
from programs.models import Enrollment, Program, ProgramPartner

FORMATS = ("csv", "xlsx")
# Rows fetched per round trip: the export never holds the whole register in memory.
CHUNK_SIZE = 2000


@require_safe
@role_required(READERS)
def inmate_export(request, fmt):
    """The register as the list's filters narrow it, ordered by name.

    Queries: the user, the facility (scope), the facility's blocks (the filter form), the
    audit event's INSERT and the inmates with their program counts, fetched in chunks.
    """
    check_format(fmt)
    _form, inmates = filtered_register(request)
    inmates = annotate_program_counts(inmates)
    header = [
        _("Registration number"),
        _("Name"),
        _("Date of birth"),
        _("Gender"),
        _("Block"),
        _("Room"),
        _("Admission date"),
        _("Expected release"),
        _("Status"),
        _field_label(Inmate, "departed_on"),
        _("Transferred to"),
        _("Programs"),
    ]
    genders = _labels(Inmate.Gender)
    statuses = _labels(Inmate.Status)
    rows = (
        [
            inmate.registration_number,
            inmate.full_name,
            inmate.birth_date,
            genders.get(inmate.gender, inmate.gender),
            inmate.block,
            inmate.room,
            inmate.admission_date,
            inmate.expected_release_date,
            statuses.get(inmate.status, inmate.status),
            inmate.departed_on,
            inmate.transfer_destination,
            inmate.program_count,
        ]
        for inmate in inmates.iterator(chunk_size=CHUNK_SIZE)
    )
    facility = request.scope.facility
    audit.record(
        request,
        kind=audit.Kind.EXPORT,
        facility=facility,
        user=request.user,
        detail=f"{_('Inmates')} ({fmt.upper()}) {request.GET.urlencode()}".strip(),
    )
    filename = export_filename("warga-binaan", facility.unit_code, fmt)
    if fmt == "csv":
        return csv_response(filename, header, rows)
    return xlsx_response(filename, [Sheet(_("Inmates"), header, rows)])


@require_safe
@role_required(READERS)
def inmate_history_export(request, pk, fmt):
    """One inmate's enrolments, newest program first, under who and where they are.

    Queries: the user, the facility (scope), the inmate, the audit event's INSERT, and the
    enrolments with their program and its lead partner's name.
    """
    check_format(fmt)
    inmate = get_object_or_404(Inmate.objects.in_scope(request.scope), pk=pk)
    lead_partner = ProgramPartner.objects.filter(
        program=OuterRef("program"), role=ProgramPartner.Role.LEAD
    ).values("partner__name")[:1]
    enrollments = (
        Enrollment.objects.filter(inmate=inmate)
        .select_related("program")
        .annotate(lead_partner=Subquery(lead_partner))
        .order_by("-program__start_date", "-enrolled_on", "-pk")
    )
    preamble = [
        (_("Name"), inmate.full_name),
        (_("Registration number"), inmate.registration_number),
        (_("Facility"), request.scope.facility.name),
    ]
    header = [
        _("Program"),
        _field_label(Program, "start_date"),
        _field_label(Program, "end_date"),
        _("Lead partner"),
        _("Enrolled on"),
        _("Status"),
        _field_label(Enrollment, "ended_on"),
        _field_label(Enrollment, "end_reason"),
        _("Assessment"),
    ]
    statuses = _labels(Enrollment.Status)
    results = _labels(Enrollment.Result)
    rows = (
        [
            enrollment.program.title,
            enrollment.program.start_date,
            enrollment.program.end_date,
            enrollment.lead_partner,
            enrollment.enrolled_on,
            statuses.get(enrollment.status, enrollment.status),
            enrollment.ended_on,
            enrollment.end_reason,
            results.get(enrollment.assessment_result, enrollment.assessment_result),
        ]
        for enrollment in enrollments.iterator(chunk_size=CHUNK_SIZE)
    )
    audit.record(
        request,
        kind=audit.Kind.EXPORT,
        facility=inmate.facility_id,
        user=request.user,
        obj=inmate,
        detail=f"{_('Training history')} ({fmt.upper()})",
    )
    filename = export_filename("riwayat-pelatihan", inmate.registration_number, fmt)
    if fmt == "csv":
        return csv_response(filename, header, rows, preamble=preamble)
    return xlsx_response(filename, [Sheet(_("Training history"), header, rows, preamble)])


def check_format(fmt):
    if fmt not in FORMATS:
        raise Http404


def _labels(choices):
    """Choice labels translated now, while the request's language is active."""
    return {value: str(label) for value, label in choices.choices}


def _field_label(model, name):
    # The model's verbose name, which the catalogue already translates, where no page shows
    # the field as a column heading.
    return str(capfirst(model._meta.get_field(name).verbose_name))


def export_filename(prefix, subject, fmt):
    """E.g. `warga-binaan-LPN.KSG-2026-11-29.xlsx`: the local date says when it was taken."""
    return f"{prefix}-{safe_filename(subject)}-{timezone.localdate():%Y-%m-%d}.{fmt}"
