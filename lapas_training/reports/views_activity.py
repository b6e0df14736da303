"""The activity report (laporan kegiatan) of a program: its PDF and the page that edits its texts.

Readers of the facility (admin, staff, the Kalapas as viewer) print it; managers edit its texts.
Trainers are refused: the report lists every participant and the facility's figures. Regional
users are refused too (check_role: they have no facility), as it names inmates.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from lapas_training.access import MANAGERS, READERS, role_required
from lapas_training.db_router import reads_from_replica
from lapas_training.reports.activity import activity_data, default_texts
from lapas_training.reports.activity_pdf import activity_pdf as render_activity_pdf
from programs.forms.activity_report import ActivityReportForm
from programs.models import ActivityReport, Program


@require_safe
@role_required(READERS)
@reads_from_replica
def activity_pdf(request, pk):
    """The report as an A4 PDF in Indonesian, opened in the browser's viewer: the stored file
    while nothing it prints has changed (lapas_training.reports.pdf_store).

    Queries: the session, the user, the facility (scope), the program, then the 13 of
    activity_data: 17 whatever the size of the program.
    """
    program = _program(request, pk)
    pdf = render_activity_pdf(activity_data(program))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"laporan-kegiatan-{slugify(program.title)}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename)
    # It names inmates: no shared cache may keep it.
    response["Cache-Control"] = "private"
    return response


@require_http_methods(["GET", "POST"])
@role_required(MANAGERS)
def activity_edit(request, pk):
    """The report's five texts; a blank one prints its default, shown as the placeholder.

    Queries: the session, the user, the facility (scope), the program, the 13 of activity_data
    (which the defaults are written from); a save adds its insert or update.
    """
    program = _program(request, pk)
    data = activity_data(program)
    report = data.report or ActivityReport(program=program)
    form = ActivityReportForm(
        request.POST if request.method == "POST" else None,
        instance=report,
        defaults=default_texts(data),
    )
    if request.method == "POST" and form.is_valid():
        report = form.save(commit=False)
        report.updated_by = request.user
        report.save()
        messages.success(request, _("The texts of the activity report were saved."))
        return redirect("reports:activity_edit", pk=program.pk)
    return render(
        request,
        "lapas_training/reports/activity_edit.html",
        {"program": program, "form": form, "report": report if report.pk else None},
    )


def _program(request, pk):
    # Another facility's program is outside the scope: 404.
    return get_object_or_404(
        Program.objects.in_scope(request.scope).select_related("facility"), pk=pk
    )
