"""The completion page, issuing and statements of participation.

Admins, staff and viewers see the completion page; only admins close, reopen and issue.
Trainers get 403; another facility's program is a 404. The certificates themselves: `certificates.views.certificates`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from certificates import services
from certificates.completion import completion_verdicts
from certificates.forms import BulkPrintForm, IssueForm
from certificates.views.common import error_messages, form_errors
from lapas_training import audit
from lapas_training.access import ADMIN_ONLY, READERS, role_required
from lapas_training.links import url_by_pk
from programs.models import Enrollment, Program


def program_for(request, pk):
    return get_object_or_404(
        Program.objects.in_scope(request.scope).select_related("facility", "closed_by"), pk=pk
    )


@require_safe
@role_required(READERS)
def completion(request, pk):
    """Every participant's attendance %, assessment result, verdict and certificate.

    Admins, staff and the viewer (the Kalapas signs the certificates) read it; only admins
    close, issue and print. Before closing, verdicts are shown as provisional.
    Queries: session, user, facility (scope), the program, the 4 of `completion_verdicts`, for
    an open program its last closing or reopening, and for admins the program's recent bulk
    prints.
    """
    program = program_for(request, pk)
    verdicts = with_row_labels(completion_verdicts(program))
    is_admin = request.user.is_admin
    context = {
        "program": program,
        "verdicts": verdicts,
        "is_admin": is_admin,
        "can_issue": is_admin and program.is_closed,
        # Only an open program's banner tells its last reopening.
        "last_change": None
        if program.is_closed or program.is_cancelled
        else program.status_changes.order_by("-at", "-pk").select_related("by").first(),
        "can_close": is_admin and not program.is_closed and not program.is_cancelled,
        "can_reopen": is_admin and program.is_closed,
        "eligible_count": sum(verdict.can_issue for verdict in verdicts),
    }
    if is_admin:
        # The verdicts carry each valid certificate: what "Cetak semua" would print.
        context["printable_count"] = sum(verdict.certificate is not None for verdict in verdicts)
        context["print_form"] = BulkPrintForm()
        context["bulk_prints"] = program.bulk_prints.all()[:5]
    return render(request, "certificates/completion.html", context)


def with_row_labels(verdicts):
    """`verdicts` with what the completion page's row shows beyond them: `certificate_url`,
    `statement_url`, `status_label` and `result_label`, looked up once for the page instead of
    two reverse() and two get_*_display() (each rebuilding the translated choices) a row."""
    statuses = {value: str(label) for value, label in Enrollment.Status.choices}
    results = {value: str(label) for value, label in Enrollment.Result.choices}
    certificate_url = url_by_pk("certificates:certificate_detail")
    statement_url = url_by_pk("certificates:statement_issue")
    for verdict in verdicts:
        enrollment = verdict.enrollment
        if verdict.certificate is not None:
            verdict.certificate_url = certificate_url(verdict.certificate.pk)
        verdict.statement_url = statement_url(enrollment.pk)
        verdict.status_label = statuses.get(enrollment.status, enrollment.status)
        verdict.result_label = results.get(
            enrollment.assessment_result, enrollment.assessment_result
        )
    return verdicts


@require_POST
@role_required(ADMIN_ONLY)
def issue(request, pk):
    """Issue certificates of completion to everyone who completed or to the ticked ones.

    The completion page's POST shows a confirmation: who receives a certificate and the date
    of issue (the program's end by default). Its confirming POST issues.
    """
    program = program_for(request, pk)
    verdicts = completion_verdicts(program)
    form = IssueForm(
        request.POST, enrollment_ids=[v.enrollment.pk for v in verdicts], program=program
    )
    if not form.is_valid():
        if form.cleaned_data.get("confirmed") and form.errors.keys() == {"issued_on"}:
            # A bad date on the confirmation page: show it there again, with its error.
            return _confirm_issue(request, program, verdicts, form)
        form_errors(request, form)
        return redirect("certificates:completion", program.pk)
    if not form.cleaned_data["confirmed"]:
        return _confirm_issue(request, program, verdicts, form)
    issue_all = form.cleaned_data["issue_all"]
    wanted = set(form.cleaned_data["enrollments"])
    try:
        certificates = services.issue_certificates(
            program=program,
            by=request.user,
            enrollments=None
            if issue_all
            else [v.enrollment for v in verdicts if v.enrollment.pk in wanted],
            issued_on=form.cleaned_data["issued_on"],
        )
    except ValidationError as error:
        error_messages(request, error)
    else:
        audit.record_many(
            request,
            kind=audit.Kind.CERTIFICATE_ISSUED,
            facility=program.facility_id,
            user=request.user,
            objects=certificates,
        )
        messages.success(
            request,
            ngettext(
                "%(count)d certificate issued.", "%(count)d certificates issued.", len(certificates)
            )
            % {"count": len(certificates)},
        )
    return redirect("certificates:completion", program.pk)


def _confirm_issue(request, program, verdicts, form):
    if form.cleaned_data.get("issue_all"):
        chosen = [verdict for verdict in verdicts if verdict.can_issue]
    else:
        wanted = set(form.cleaned_data.get("enrollments") or ())
        chosen = [verdict for verdict in verdicts if verdict.enrollment.pk in wanted]
    return render(
        request,
        "certificates/issue_confirm.html",
        {"program": program, "chosen": chosen, "form": form},
    )


@require_http_methods(["GET", "POST"])
@role_required(ADMIN_ONLY)
def statement_issue(request, pk):
    """Issue a statement of participation to a released or transferred participant: a
    confirmation (GET), then the statement (POST). Open at any time, closed program or not."""
    enrollment = get_object_or_404(
        Enrollment.objects.in_scope(request.scope).select_related("program__facility", "inmate"),
        pk=pk,
    )
    if request.method == "GET":
        return render(request, "certificates/statement_confirm.html", {"enrollment": enrollment})
    try:
        statement = services.issue_statement(enrollment=enrollment, by=request.user)
    except ValidationError as error:
        error_messages(request, error)
    else:
        audit.record(
            request,
            kind=audit.Kind.CERTIFICATE_ISSUED,
            facility=enrollment.program.facility_id,
            user=request.user,
            obj=statement,
            detail=_("Statement of participation"),
        )
        messages.success(
            request,
            _("Statement of participation %(number)s issued to %(name)s.")
            % {"number": statement.number, "name": enrollment.inmate.full_name},
        )
    return redirect("certificates:completion", enrollment.program_id)
