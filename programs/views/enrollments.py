from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from inmates.models import Inmate
from lapas_training.access import MANAGERS, role_required
from programs.forms.enrollments import InmatePickForm, WithdrawForm
from programs.models import Enrollment, Program
from programs.services import enroll_inmates, enrollment_warnings


@role_required(MANAGERS)
@require_http_methods(["GET", "POST"])
def enroll(request, pk):
    """Pick inmates (GET, or POST back), preview them with warnings (POST), enrol (POST confirm=1).

    Queries of the picker: user, facility, program, active count, the candidates, the blocks.
    """
    scope = request.scope
    program = get_object_or_404(Program.objects.in_scope(scope), pk=pk)
    if not program.accepts_enrolment:
        messages.error(request, _("A cancelled or completed program takes no new participants."))
        return redirect(program)
    in_custody = Inmate.objects.in_scope(scope).filter(status=Inmate.Status.ACTIVE)
    candidates = in_custody.exclude(
        pk__in=Enrollment.objects.filter(program=program).values("inmate")
    ).order_by("full_name", "registration_number")
    seats_left = max(program.capacity - program.enrollments.active().count(), 0)
    context = {"program": program, "seats_left": seats_left}

    form = InmatePickForm(request.POST if request.method == "POST" else None, candidates=candidates)
    if form.is_valid() and not request.POST.get("back"):
        chosen = list(form.cleaned_data["inmates"])
        context["chosen"] = chosen
        if request.POST.get("confirm") == "1":
            try:
                created = enroll_inmates(
                    program=program,
                    inmates=chosen,
                    by=request.user,
                    enrolled_on=timezone.localdate(),
                )
            except ValidationError as error:
                context["errors"] = error.messages
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d inmate enrolled.", "%(count)d inmates enrolled.", len(created)
                    )
                    % {"count": len(created)},
                )
                return redirect(program)
        elif len(chosen) > seats_left:
            context["errors"] = [
                ngettext(
                    "Capacity exceeded: %(seats)d seat left, %(count)d inmates chosen.",
                    "Capacity exceeded: %(seats)d seats left, %(count)d inmates chosen.",
                    seats_left,
                )
                % {"seats": seats_left, "count": len(chosen)}
            ]
        warnings = enrollment_warnings(program=program, inmates=chosen)
        context["rows"] = [(inmate, warnings[inmate.pk]) for inmate in chosen]
        return render(request, "programs/enroll_confirm.html", context)

    query = request.GET.get("q", "").strip()
    block = request.GET.get("block", "")
    listed = candidates.search(query)
    if block:
        listed = listed.filter(block=block)
    context.update(
        form=form,
        query=query,
        block=block,
        inmates=listed,
        checked=set(form.data.getlist("inmates")),
        blocks=in_custody.exclude(block="")
        .order_by("block")
        .values_list("block", flat=True)
        .distinct(),
    )
    return render(request, "programs/enroll.html", context)


@role_required(MANAGERS)
@require_http_methods(["GET", "POST"])
def enrollment_withdraw(request, pk):
    """End an active enrolment with a date and a reason."""
    enrollment = get_object_or_404(
        Enrollment.objects.in_scope(request.scope).select_related("program", "inmate"), pk=pk
    )
    if enrollment.status != Enrollment.Status.ACTIVE:
        messages.error(request, _("Only an active enrolment can be withdrawn."))
        return redirect(enrollment.program)
    form = WithdrawForm(request.POST if request.method == "POST" else None, instance=enrollment)
    if form.is_valid():
        enrollment = form.save(commit=False)
        enrollment.status = Enrollment.Status.WITHDRAWN
        enrollment.save(update_fields=["status", "ended_on", "end_reason"])
        messages.success(
            request,
            _("%(inmate)s was withdrawn from the program.") % {"inmate": enrollment.inmate},
        )
        return redirect(enrollment.program)
    return render(
        request, "programs/enrollment_withdraw.html", {"enrollment": enrollment, "form": form}
    )
