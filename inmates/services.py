from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from inmates.models import Inmate
from programs.models import Enrollment


@transaction.atomic
def record_departure(*, inmate, kind, date, destination="", by):
    """Record that `inmate` left the facility on `date` and close their active enrolments.

    `kind` is Inmate.Status.RELEASED or Inmate.Status.TRANSFERRED; `destination` (the receiving
    facility, free text) is kept only for a transfer. Raises ValidationError for an inmate no
    longer in custody, a date in the future or one before the admission date. Every active
    enrolment ends on `date` with the matching status and a reason; history rows name `by`.
    Returns the number of enrolments closed.
    """
    # Locked so two officers recording the same departure cannot both close the enrolments.
    inmate = Inmate.objects.select_for_update().get(pk=inmate.pk)
    if inmate.status != Inmate.Status.ACTIVE:
        raise ValidationError(_("This inmate is no longer in custody."))
    if date > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if inmate.admission_date and date < inmate.admission_date:
        raise ValidationError(_("The date cannot be before the admission date."))
    transferred = kind == Inmate.Status.TRANSFERRED
    destination = destination.strip() if transferred else ""
    if transferred and not destination:
        raise ValidationError(_("Enter the facility the inmate is transferred to."))

    inmate.status = kind
    inmate.departed_on = date
    inmate.transfer_destination = destination
    inmate._history_user = by
    inmate.save(update_fields=["status", "departed_on", "transfer_destination"])

    if transferred:
        status = Enrollment.Status.TRANSFERRED
        reason = _("Transferred to %(destination)s") % {"destination": destination}
    else:
        status = Enrollment.Status.RELEASED
        reason = _("Released")
    enrollments = list(inmate.enrollments.active())
    for enrollment in enrollments:
        enrollment.status = status
        enrollment.ended_on = date
        enrollment.end_reason = reason
    bulk_update_with_history(
        enrollments, Enrollment, ["status", "ended_on", "end_reason"], default_user=by
    )
    return len(enrollments)
