"""Undoing a release or transfer recorded by mistake: admins only, with a reason, recorded."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from inmates.forms import DepartureUndoForm
from inmates.models import Inmate
from inmates.services import plan_departure_undo, undo_departure
from lapas_training import audit
from lapas_training.access import ADMIN_ONLY, role_required


@require_http_methods(["GET", "POST"])
@role_required(ADMIN_ONLY)
def departure_undo(request, pk):
    """GET: what an undo would do (enrolments re-opened, those that stay closed, certificates
    that forbid it) and the reason form. POST: undo it and return to the inmate's page.

    Queries (GET): session, user, facility (scope), the inmate, its enrolments, certificates.
    """
    inmate = get_object_or_404(Inmate.objects.in_scope(request.scope), pk=pk)
    if inmate.status == Inmate.Status.ACTIVE:
        messages.info(
            request,
            _("%(name)s is in custody: there is no departure to undo.")
            % {"name": inmate.full_name},
        )
        return redirect(inmate)
    form = DepartureUndoForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            plan = undo_departure(
                inmate=inmate, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            # A certificate issued or a departure undone by someone else after the GET.
            for message in error.messages:
                form.add_error(None, message)
        else:
            audit.record(
                request,
                kind=audit.Kind.DEPARTURE_UNDONE,
                facility=inmate.facility_id,
                user=request.user,
                obj=inmate,
                detail=form.cleaned_data["reason"],
            )
            messages.success(request, _success_message(inmate, plan))
            return redirect(inmate)
    return render(
        request,
        "inmates/inmate_departure_undo.html",
        {"inmate": inmate, "form": form, "plan": plan_departure_undo(inmate)},
    )


def _success_message(inmate, plan):
    text = ngettext(
        "The departure of %(name)s was undone; %(count)d enrolment was re-opened.",
        "The departure of %(name)s was undone; %(count)d enrolments were re-opened.",
        len(plan.reopen),
    ) % {"name": inmate.full_name, "count": len(plan.reopen)}
    if plan.stay_closed:
        text += " " + ngettext(
            "%(count)d stays closed: its program was closed or cancelled.",
            "%(count)d stay closed: their programs were closed or cancelled.",
            len(plan.stay_closed),
        ) % {"count": len(plan.stay_closed)}
    return text
