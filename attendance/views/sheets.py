"""The paper side of attendance: the printable daftar hadir and the scans of signed sheets.

Everyone who may see a session may print its sheet and read its scans (a trainer's sheet leaves
out the block, which is not theirs to see); only managers attach scans, as staff enter the marks
from the paper. Scans live under MEDIA_ROOT/private and reach the browser only through
`scan_file`, after the scope check.
"""

import segno
from django.contrib import messages
from django.db import DatabaseError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from attendance.models import AttendanceSheetScan
from attendance.pdf import letterhead, render_pdf
from attendance.scan_forms import SheetScanForm
from lapas_training.access import ALL_ROLES, MANAGERS, role_required
from lapas_training.models import User
from programs.models import Enrollment, TrainingSession


@require_safe
@role_required(ALL_ROLES)
def sheet_pdf(request, pk):
    """The daftar hadir of a session as an A4 PDF, in the user's language.

    Queries: the session with program, facility and topic; its trainers; the participants listed
    on its date with their inmate. Rendering costs tens of milliseconds per page.
    """
    session = get_object_or_404(
        TrainingSession.objects.in_scope(request.scope)
        .select_related("program__facility", "topic")
        .prefetch_related(Prefetch("trainers", queryset=User.objects.order_by("first_name"))),
        pk=pk,
    )
    if session.is_cancelled:
        messages.error(request, _("A cancelled session has no attendance sheet."))
        return redirect(session)
    program = session.program
    participants = (
        Enrollment.objects.listed_on(session.date)
        .filter(program=program)
        .select_related("inmate")
        .order_by("inmate__full_name", "pk")
    )
    mark_url = request.build_absolute_uri(reverse("attendance:mark", args=[session.pk]))
    trainers = list(session.trainers.all())
    pdf = render_pdf(
        "attendance/daftar_hadir.html",
        {
            "session": session,
            "program": program,
            "letterhead": letterhead(program.facility),
            "trainers": trainers,
            # The officer present signs by hand, name and NIP included.
            "officer": {"office": _("Training officer"), "name": "", "nip": ""},
            "instructor": {
                "office": _("Instructor"),
                "name": ", ".join(str(trainer) for trainer in trainers),
                "nip": "",
            },
            "place_and_date": f"{program.facility.city}, {date_format(session.date)}",
            "participants": list(participants),
            # A trainer sees participants' names and registration numbers only.
            "show_block": not request.scope.is_trainer,
            "mark_url": mark_url,
            "qr_svg": segno.make(mark_url, error="m").svg_inline(scale=2, border=0),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"daftar-hadir-{session.date:%Y-%m-%d}-{slugify(program.title)}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename)
    # The sheet lists inmates by name: no shared cache may keep it.
    response["Cache-Control"] = "private"
    return response


@role_required(MANAGERS)
@require_POST
def scan_add(request, pk):
    """Attach the scan (image or PDF) of a signed sheet to its session as evidence."""
    session = get_object_or_404(TrainingSession.objects.in_scope(request.scope), pk=pk)
    back = f"{session.get_absolute_url()}#sheet-scans"
    if session.is_cancelled:
        messages.error(request, _("A cancelled session takes no attendance sheet scans."))
        return redirect(back)
    form = SheetScanForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors["file"]:
            messages.error(request, error)
        return redirect(back)
    content, content_type = form.cleaned_data["file"]
    scan = AttendanceSheetScan(session=session, content_type=content_type, uploaded_by=request.user)
    scan.file.save(content.name, content, save=False)
    try:
        scan.save()
    except DatabaseError:
        # A failed save must not leave a file that no row points at.
        scan.file.storage.delete(scan.file.name)
        raise
    messages.success(request, _("The scan of the attendance sheet was attached."))
    return redirect(back)


@require_safe
@role_required(ALL_ROLES)
def scan_file(request, pk):
    """A sheet scan to those who may see its session; 404 for others or if the file is gone."""
    scan = get_object_or_404(
        AttendanceSheetScan.objects.filter(
            session__in=TrainingSession.objects.in_scope(request.scope)
        ),
        pk=pk,
    )
    try:
        response = FileResponse(scan.file.open("rb"), content_type=scan.content_type)
    except (FileNotFoundError, ValueError):
        # The row outlived its file (a restore without MEDIA_ROOT): nothing to show, not a 500.
        raise Http404 from None
    extension = "pdf" if scan.content_type == "application/pdf" else "jpg"
    response["Content-Disposition"] = content_disposition_header(
        False, f"daftar-hadir-scan-{scan.pk}.{extension}"
    )
    response["Cache-Control"] = "private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
