"""Competency certification pages: a program's units, and recording an LSP's assessment.

Staff and admins manage units and record assessments (issue #13); the viewer, trainers and
everyone else get 403; another facility's program or participant is a 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from certificates import competency
from certificates.forms import CompetencyAssessmentForm, CompetencyUnitForm
from certificates.models import CompetencyAssessment, CompetencyResult, CompetencyUnit
from lapas_training.access import MANAGERS, role_required
from programs.models import Enrollment, Program


def _program(request, pk):
    return get_object_or_404(Program.objects.in_scope(request.scope), pk=pk)


def _posted(request):
    # An empty POST is still a submission: bound, so that it shows its errors.
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
@role_required(MANAGERS)
def competency_units(request, pk):
    """The program's units, a form to add one (POST), and each participant's units achieved.

    Queries: session, user, facility (scope), the program, its units, its enrolments with
    their inmates, their results with assessments and units: the same for any number of
    participants. Adding a unit costs the duplicate check and the INSERTs.
    """
    program = _program(request, pk)
    form = CompetencyUnitForm(_posted(request), program=program)
    if request.method == "POST" and form.is_valid():
        unit = form.save()
        messages.success(request, _("Unit %(code)s added.") % {"code": unit.code})
        return redirect("certificates:competency_units", program.pk)
    units = list(program.competency_units.order_by("code", "pk"))
    enrollments = competency.load_achieved(
        Enrollment.objects.filter(program=program)
        .select_related("inmate")
        .order_by("inmate__full_name", "pk")
    )
    rows = [
        {
            "enrollment": enrollment,
            "assessed": enrollment.competency_assessed,
            "achieved": sum(len(group.units) for group in enrollment.competency_achieved),
            "numbers": [group.certificate_number for group in enrollment.competency_achieved],
        }
        for enrollment in enrollments
    ]
    context = {"program": program, "units": units, "form": form, "rows": rows}
    return render(request, "certificates/competency/units.html", context)


@require_http_methods(["GET", "POST"])
@role_required(MANAGERS)
def competency_unit_edit(request, pk):
    """Correct a unit's code, title or standard. Certificates print units live, so a stored
    PDF that lists it is printed anew (certificates.pdf_cache)."""
    unit = get_object_or_404(
        CompetencyUnit.objects.in_scope(request.scope).select_related("program"), pk=pk
    )
    form = CompetencyUnitForm(_posted(request), instance=unit, program=unit.program)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Unit %(code)s saved.") % {"code": unit.code})
        return redirect("certificates:competency_units", unit.program_id)
    return render(
        request,
        "certificates/competency/unit_form.html",
        {"unit": unit, "program": unit.program, "form": form},
    )


@require_POST
@role_required(MANAGERS)
def competency_unit_delete(request, pk):
    """Delete a unit added by mistake; one with recorded results is protected."""
    unit = get_object_or_404(CompetencyUnit.objects.in_scope(request.scope), pk=pk)
    try:
        unit.delete()
    except ProtectedError:
        messages.error(
            request,
            _("Unit %(code)s has recorded results and cannot be deleted.") % {"code": unit.code},
        )
    else:
        messages.success(request, _("Unit %(code)s deleted.") % {"code": unit.code})
    return redirect("certificates:competency_units", unit.program_id)


@require_http_methods(["GET", "POST"])
@role_required(MANAGERS)
def competency_participant(request, pk):
    """One participant's assessments so far and the form to record another (POST).

    Bad input shows the form again with its errors and saves nothing.
    Queries: session, user, facility (scope), the enrolment with inmate and program, the
    program's units, the participant's assessments, their results with units.
    """
    enrollment = get_object_or_404(
        Enrollment.objects.in_scope(request.scope).select_related("inmate", "program"), pk=pk
    )
    units = enrollment.program.competency_units.order_by("code", "pk")
    form = CompetencyAssessmentForm(_posted(request), units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            competency.record_assessment(
                enrollment=enrollment,
                by=request.user,
                results=form.results(),
                **{name: data[name] for name in form.HEADER_FIELDS},
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Assessment of %(name)s recorded.") % {"name": enrollment.inmate.full_name},
            )
            return redirect("certificates:competency_units", enrollment.program_id)
    assessments = (
        CompetencyAssessment.objects.filter(enrollment=enrollment)
        .prefetch_related(
            Prefetch("results", queryset=CompetencyResult.objects.select_related("unit"))
        )
        .order_by("-assessed_on", "-pk")
    )
    context = {
        "enrollment": enrollment,
        "program": enrollment.program,
        "form": form,
        "assessments": assessments,
    }
    return render(request, "certificates/competency/participant.html", context)


@require_http_methods(["GET", "POST"])
@role_required(MANAGERS)
def competency_assessment_edit(request, pk):
    """Correct a recorded assessment: its details and its result per unit. Bad input shows
    the form again with its errors and changes nothing.

    Queries: session, user, facility (scope), the assessment with its participant and program,
    its results, the program's units.
    """
    assessment = get_object_or_404(
        CompetencyAssessment.objects.in_scope(request.scope).select_related(
            "enrollment__inmate", "enrollment__program"
        ),
        pk=pk,
    )
    enrollment = assessment.enrollment
    units = enrollment.program.competency_units.order_by("code", "pk")
    form = CompetencyAssessmentForm(
        _posted(request),
        units=units,
        correcting=True,
        initial=CompetencyAssessmentForm.initial_for(assessment),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            competency.correct_assessment(
                assessment=assessment,
                results=form.results(),
                **{name: data[name] for name in form.HEADER_FIELDS},
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Assessment of %(name)s corrected.") % {"name": enrollment.inmate.full_name},
            )
            return redirect("certificates:competency_participant", enrollment.pk)
    context = {
        "assessment": assessment,
        "enrollment": enrollment,
        "program": enrollment.program,
        "form": form,
    }
    return render(request, "certificates/competency/assessment_edit.html", context)
