"""Closing a program after its last session, and reopening it: admins only.

Both are a confirmation page (GET) and the action (POST). Staff, viewers and trainers get 403;
another facility's program is a 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from certificates.closing import close_program, closing_problems, reopen_program
from certificates.completion import completion_verdicts
from certificates.forms import ReopenForm
from certificates.views.common import error_messages
from certificates.views.issuing import program_for
from lapas_training import audit
from lapas_training.access import ADMIN_ONLY, role_required
from programs.models import Enrollment


@require_http_methods(["GET", "POST"])
@role_required(ADMIN_ONLY)
def program_close(request, pk):
    """ "Tutup program": what closing will fix (GET), then closing it (POST).

    The page lists why the program cannot be closed yet, or each participant's outcome as it
    will be fixed. Queries (GET): session, user, facility, the program, the 2 of
    `closing_problems`, the 4 of `completion_verdicts`.
    """
    program = program_for(request, pk)
    if request.method == "POST":
        try:
            completed, not_completed = close_program(program=program, by=request.user)
        except ValidationError as error:
            error_messages(request, error)
            return redirect("certificates:program_close", program.pk)
        audit.record(
            request,
            kind=audit.Kind.PROGRAM_CLOSED,
            facility=program.facility_id,
            user=request.user,
            obj=program,
            detail=_("%(completed)d completed, %(not_completed)d did not")
            % {"completed": completed, "not_completed": not_completed},
        )
        messages.success(
            request,
            _(
                "The program is closed: %(completed)d completed, %(not_completed)d did not. "
                "Certificates can now be issued."
            )
            % {"completed": completed, "not_completed": not_completed},
        )
        return redirect("certificates:completion", program.pk)
    problems = closing_problems(program)
    verdicts = [] if problems else completion_verdicts(program)
    return render(
        request,
        "certificates/program_close.html",
        {
            "program": program,
            "problems": problems,
            "verdicts": [v for v in verdicts if v.enrollment.status == Enrollment.Status.ACTIVE],
            "left": [v for v in verdicts if v.enrollment.status != Enrollment.Status.ACTIVE],
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(ADMIN_ONLY)
def program_reopen(request, pk):
    """Reopen a closed program with a reason, to correct its attendance or results."""
    program = program_for(request, pk)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reopen_program(program=program, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            audit.record(
                request,
                kind=audit.Kind.PROGRAM_REOPENED,
                facility=program.facility_id,
                user=request.user,
                obj=program,
                detail=form.cleaned_data["reason"],
            )
            messages.success(
                request,
                _(
                    "The program is open again: attendance and results can be corrected. "
                    "Close it again when done."
                ),
            )
            return redirect("certificates:completion", program.pk)
    if not program.is_closed and not form.errors:
        messages.info(request, _("The program is not closed."))
        return redirect("certificates:completion", program.pk)
    return render(request, "certificates/program_reopen.html", {"program": program, "form": form})
