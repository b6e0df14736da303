"""Assessment per program: pre-test, post-test and practical scores, the result and a note."""

import re
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import DecimalField, F, Q, Value, Window
from django.db.models.functions import Coalesce, Lag
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import localize
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods
from simple_history.utils import bulk_update_with_history

from attendance.assessment_forms import ASSESSMENT_FIELDS, SCORE_FIELDS, AssessmentRowForm
from lapas_training.access import ALL_ROLES, MANAGERS, role_required
from lapas_training.models import Role
from programs.models import Enrollment, Program

# Admin and staff, and the program's own trainers (the scoped program fetch keeps other
# partners' trainers out with a 404). Viewers read.
EDITOR_ROLES = MANAGERS | {Role.TRAINER}
# A participant who left (withdrawn, released, transferred) keeps the assessment they had.
EDITABLE_STATUSES = frozenset({Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED})
HISTORY_LENGTH = 30
CLOSED_MESSAGE = gettext_lazy(
    "The program is closed: its results are locked. An admin can reopen the program to "
    "correct them."
)
ROW_PREFIX = re.compile(r"^e(\d+)-")


@role_required(ALL_ROLES)
@require_http_methods(["GET", "POST"])
def assessment(request, pk):
    """The assessment grid of a program, saved in one POST.

    Queries (GET): session, user, facility, program, enrolments with inmates, and for
    non-trainers the change history. A valid POST: session, user, facility, program, enrolments,
    then one bulk update and one bulk insert of history rows, whatever the number of rows.
    """
    program = get_object_or_404(Program.objects.in_scope(request.scope), pk=pk)
    if request.method == "POST" and request.user.effective_role not in EDITOR_ROLES:
        raise PermissionDenied
    # Closing fixed the outcomes from these results: they stay as they were until reopened.
    can_edit = request.user.effective_role in EDITOR_ROLES and not program.is_closed
    if request.method == "POST" and not can_edit:
        messages.error(request, CLOSED_MESSAGE)
        return redirect("attendance:assessment", pk=program.pk)
    enrollments = list(
        program.enrollments.select_related("inmate").order_by(
            "inmate__full_name", "inmate__registration_number", "pk"
        )
    )
    editable = {e.pk: e for e in enrollments if can_edit and e.status in EDITABLE_STATUSES}
    data = request.POST if request.method == "POST" else None
    # Only rows the POST carries are bound: a participant enrolled after the page was loaded
    # is left as it is, not wiped by an empty form.
    posted = {int(match[1]) for key in data or () if (match := ROW_PREFIX.match(key))}
    forms = {
        key: AssessmentRowForm(data if key in posted else None, enrollment=enrollment)
        for key, enrollment in editable.items()
    }
    errors = []
    if data is not None:
        # Rows of another program or facility, or of a participant who has left (maybe since
        # the page was loaded): refuse the whole save rather than guess what was meant.
        if posted - editable.keys():
            errors.append(
                _(
                    "The form held participants who cannot be assessed here (another program, "
                    "or a participant who has left). Nothing was saved."
                )
            )
        bound = [forms[key] for key in posted & editable.keys()]
        # Every row is validated, so every error is shown at once.
        invalid = [form for form in bound if not form.is_valid()]
        if not invalid and not errors:
            changed = _apply_changes(bound)
            if changed:
                bulk_update_with_history(
                    changed, Enrollment, ASSESSMENT_FIELDS, default_user=request.user
                )
                messages.success(
                    request,
                    ngettext(
                        "Assessment saved for %(count)d participant.",
                        "Assessment saved for %(count)d participants.",
                        len(changed),
                    )
                    % {"count": len(changed)},
                )
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("attendance:assessment", pk=program.pk)
        if invalid:
            errors.append(_("Some entries need correcting (marked below). Nothing was saved."))

    context = {
        "program": program,
        "rows": [
            (enrollment, forms.get(enrollment.pk), enrollment.status not in EDITABLE_STATUSES)
            for enrollment in enrollments
        ],
        "can_edit": can_edit,
        "closed_message": CLOSED_MESSAGE if program.is_closed else "",
        "has_forms": bool(forms),
        "errors": errors,
    }
    if not request.scope.is_trainer:
        context["history"] = assessment_history(program)
    return render(request, "attendance/assessment.html", context)


def _apply_changes(forms):
    """Set the changed values on each form's enrolment; return the enrolments that changed."""
    changed = []
    for form in forms:
        values = form.changed_values()
        for name, value in values.items():
            setattr(form.enrollment, name, value)
        if values:
            changed.append(form.enrollment)
    return changed


def assessment_history(program, limit=HISTORY_LENGTH):
    """The latest changes to the assessment of a program's participants, newest first: a list of
    (historical record, [(field label, before, after), ...]). One query.

    Each historical row is compared with the one before it for the same enrolment (LAG over
    the history), so saves that touched other fields (a withdrawal) are left out.
    """
    history = Enrollment.history.model
    by_enrollment = {
        "partition_by": [F("id")],
        "order_by": [F("history_date").asc(), F("history_id").asc()],
    }
    # NULL never equals NULL in SQL; compare missing scores as -1, which no score can be.
    missing = Value(Decimal(-1), output_field=DecimalField(max_digits=5, decimal_places=2))
    differs = Q()
    previous = {"before_type": Window(Lag("history_type"), **by_enrollment)}
    for name in ASSESSMENT_FIELDS:
        previous[f"before_{name}"] = Window(Lag(name), **by_enrollment)
        if name in SCORE_FIELDS:
            previous[f"compare_{name}"] = Coalesce(Window(Lag(name), **by_enrollment), missing)
            differs |= ~Q(**{f"compare_{name}": Coalesce(name, missing)})
        else:
            differs |= ~Q(**{f"before_{name}": F(name)})
    records = (
        history.objects.filter(program_id=program.pk)
        .select_related("history_user", "inmate")
        .annotate(**previous)
        # Only changes of an existing enrolment: a creation has nothing before it. (A plain
        # history_type filter would run before LAG and hide the creation it compares with.)
        .filter(differs, before_type__isnull=False)
        .order_by("-history_date", "-history_id")[:limit]
    )
    labels = {name: field.label for name, field in AssessmentRowForm.base_fields.items()}
    entries = []
    for record in records:
        changes = [
            (labels[name], _shown(name, getattr(record, f"before_{name}")), _shown(name, after))
            for name in ASSESSMENT_FIELDS
            if (after := getattr(record, name)) != getattr(record, f"before_{name}")
        ]
        entries.append((record, changes))
    return entries


def _shown(name, value):
    """A value as the history list prints it."""
    if value is None or value == "":
        return "—"
    if name == "assessment_result":
        return Enrollment.Result(value).label
    if name == "assessment_note":
        return Truncator(value).chars(60)
    # LAG's scores come back from SQLite without their two decimals.
    return localize(value.quantize(Decimal("0.01")))
