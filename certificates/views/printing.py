"""Bulk printing ("Cetak semua"): start it, watch its progress, download the file. Admins only.

Starting records a BulkPrint and enqueues the background task in one transaction, so the worker
never sees a task without its row, and returns at once; the work is `certificates.bulk`'s.
Another facility's program or print answers 404; staff, viewers and trainers get 403.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from certificates.bulk import (
    download_name,
    kept_until,
    print_certificates,
    printable_certificates,
)
from certificates.forms import BulkPrintForm
from certificates.models import BulkPrint
from certificates.views.common import form_errors
from certificates.views.issuing import program_for
from lapas_training import audit
from lapas_training.access import ADMIN_ONLY, role_required

UNFINISHED = [BulkPrint.Status.QUEUED, BulkPrint.Status.RUNNING]
# A thousand certificates print in about a minute; a print unfinished after an hour was cut off
# (the worker killed, the laptop switched off) and must not block the next one.
ABANDONED_AFTER = datetime.timedelta(hours=1)


def _bulk_print(request, pk):
    return get_object_or_404(
        BulkPrint.objects.filter(facility=request.scope.facility).select_related(
            "program", "requested_by"
        ),
        pk=pk,
    )


@require_POST
@role_required(ADMIN_ONLY)
def print_start(request, pk):
    """Start printing a program's valid certificates, or show the print already under way."""
    program = program_for(request, pk)
    form = BulkPrintForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("certificates:completion", program.pk)
    if not printable_certificates(program).exists():
        messages.error(request, _("This program has no valid certificates to print yet."))
        return redirect("certificates:completion", program.pk)
    with transaction.atomic():
        unfinished = program.bulk_prints.select_for_update().filter(status__in=UNFINISHED)
        unfinished.filter(requested_at__lt=timezone.now() - ABANDONED_AFTER).update(
            status=BulkPrint.Status.FAILED, finished_at=timezone.now()
        )
        # One print per program at a time: a second click must not print everything twice.
        running = unfinished.first()
        if running is not None:
            messages.info(request, _("This program is being printed already."))
            return redirect("certificates:print_detail", running.pk)
        bulk_print = BulkPrint.objects.create(
            facility=program.facility,
            program=program,
            requested_by=request.user,
            format=form.cleaned_data["format"],
            language=form.cleaned_data["language"],
        )
        print_certificates.enqueue(bulk_print.pk)
    audit.record(
        request,
        kind=audit.Kind.CERTIFICATE_PRINTED,
        facility=program.facility_id,
        user=request.user,
        obj=bulk_print,
        detail=_("All valid certificates of the program"),
    )
    messages.success(request, _("Printing started. The file can be downloaded here when ready."))
    return redirect("certificates:print_detail", bulk_print.pk)


@require_safe
@role_required(ADMIN_ONLY)
def print_detail(request, pk):
    """The print's progress bar, then its download link and until when the file is kept; once
    the file is deleted (`certificates.bulk.prune_prints`), a button that prints again. htmx
    asks for the bar every second while the print is unfinished.

    Queries: session, user, facility (scope), the print with its program and requester.
    """
    bulk_print = _bulk_print(request, pk)
    template = (
        "certificates/_print_progress.html"
        if request.headers.get("HX-Request")
        else "certificates/print_detail.html"
    )
    context = {
        "bulk_print": bulk_print,
        "file_deleted": bulk_print.status == BulkPrint.Status.DONE and not bulk_print.file,
        "keep_days": settings.CERTIFICATE_PRINT_KEEP_DAYS,
        "kept_until": kept_until(bulk_print) if bulk_print.finished_at else None,
    }
    return render(request, template, context)


@require_safe
@role_required(ADMIN_ONLY)
def print_download(request, pk):
    """The finished file, as an attachment; 404 until it is ready."""
    bulk_print = _bulk_print(request, pk)
    if bulk_print.status != BulkPrint.Status.DONE or not bulk_print.file:
        raise Http404
    try:
        file = bulk_print.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = (
        "application/pdf" if bulk_print.format == BulkPrint.Format.PDF else "application/zip"
    )
    response = FileResponse(
        file, as_attachment=True, filename=download_name(bulk_print), content_type=content_type
    )
    # The file names holders: no shared cache may keep it.
    response["Cache-Control"] = "private"
    return response
