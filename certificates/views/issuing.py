"""The completion page, issuing, statements of participation, the list, revoking and reissuing.

Admins and staff see the completion page and the list; only admins issue, revoke and reissue.
Trainers and viewers get 403; another facility's program or certificate is a 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import ListView

from certificates import services
from certificates.completion import completion_verdicts
from certificates.forms import BulkPrintForm, IssueForm, ReissueForm, RevokeForm
from certificates.models import Certificate
from lapas_training.access import ADMIN_ONLY, MANAGERS, RoleRequiredMixin, role_required
from programs.models import Enrollment, Program


def _program(request, pk):
    return get_object_or_404(
        Program.objects.in_scope(request.scope).select_related("facility"), pk=pk
    )


def _certificate(request, pk):
    return get_object_or_404(Certificate.objects.filter(facility=request.scope.facility), pk=pk)


def _error_messages(request, error):
    for message in error.messages:
        messages.error(request, message)


@require_safe
@role_required(MANAGERS)
def completion(request, pk):
    """Every participant's attendance %, assessment result, verdict and certificate.

    Queries: session, user, facility (scope), the program, the 4 of `completion_verdicts`, and
    for admins the program's recent bulk prints.
    """
    program = _program(request, pk)
    verdicts = completion_verdicts(program)
    context = {
        "program": program,
        "verdicts": verdicts,
        "can_issue": request.user.is_admin,
        "eligible_count": sum(verdict.can_issue for verdict in verdicts),
    }
    if request.user.is_admin:
        # The verdicts carry each valid certificate: what "Cetak semua" would print.
        context["printable_count"] = sum(verdict.certificate is not None for verdict in verdicts)
        context["print_form"] = BulkPrintForm()
        context["bulk_prints"] = program.bulk_prints.all()[:5]
    return render(request, "certificates/completion.html", context)


@require_POST
@role_required(ADMIN_ONLY)
def issue(request, pk):
    """Issue certificates of completion to all eligible participants or to the ticked ones."""
    program = _program(request, pk)
    verdicts = completion_verdicts(program)
    form = IssueForm(request.POST, enrollment_ids=[v.enrollment.pk for v in verdicts])
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("certificates:completion", program.pk)
    if form.cleaned_data["issue_all"]:
        chosen = [v.enrollment for v in verdicts if v.can_issue]
    else:
        wanted = set(form.cleaned_data["enrollments"])
        chosen = [v.enrollment for v in verdicts if v.enrollment.pk in wanted]
    try:
        certificates = services.issue_certificates(
            program=program, enrollments=chosen, by=request.user
        )
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d certificate issued.", "%(count)d certificates issued.", len(certificates)
            )
            % {"count": len(certificates)},
        )
    return redirect("certificates:completion", program.pk)


@require_POST
@role_required(ADMIN_ONLY)
def statement_issue(request, pk):
    """Issue a statement of participation to a released or transferred participant."""
    enrollment = get_object_or_404(
        Enrollment.objects.in_scope(request.scope).select_related("program__facility", "inmate"),
        pk=pk,
    )
    try:
        statement = services.issue_statement(enrollment=enrollment, by=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(
            request,
            _("Statement of participation %(number)s issued to %(name)s.")
            % {"number": statement.number, "name": enrollment.inmate.full_name},
        )
    return redirect("certificates:completion", enrollment.program_id)


class CertificateListView(RoleRequiredMixin, ListView):
    """The facility's certificates and statements, newest first."""

    roles = MANAGERS
    paginate_by = 25
    template_name = "certificates/certificate_list.html"
    context_object_name = "certificates"

    def get_queryset(self):
        return (
            Certificate.objects.filter(facility=self.request.scope.facility)
            .select_related("enrollment__program")
            .order_by("-issued_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_revoke=self.request.user.is_admin,
            revoke_form=RevokeForm(),
            reissue_form=ReissueForm(),
            **kwargs,
        )


@require_POST
@role_required(ADMIN_ONLY)
def certificate_revoke(request, pk):
    """Revoke a certificate with a reason; it stays on the list and verifies as revoked."""
    certificate = _certificate(request, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_certificate(
                certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(
                request, _("Certificate %(number)s revoked.") % {"number": certificate.number}
            )
    else:
        _form_errors(request, form)
    return redirect("certificates:certificate_list")


@require_POST
@role_required(ADMIN_ONLY)
def certificate_reissue(request, pk):
    """Revoke a certificate and issue a new number in its place, optionally with a corrected name."""
    certificate = _certificate(request, pk)
    form = ReissueForm(request.POST)
    if form.is_valid():
        try:
            new = services.reissue_certificate(
                certificate=certificate,
                by=request.user,
                reason=form.cleaned_data["reason"],
                holder_name=form.cleaned_data["holder_name"],
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(
                request,
                _("Certificate %(old)s revoked and reissued as %(new)s.")
                % {"old": certificate.number, "new": new.number},
            )
    else:
        _form_errors(request, form)
    return redirect("certificates:certificate_list")


def _form_errors(request, form):
    # The forms sit in every row of the list, so errors come back as messages after the redirect.
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
