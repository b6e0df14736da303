from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from certificates.models import Certificate
from inmates.models import FollowUpConsent, Inmate
from programs.models import Enrollment, Program


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
    enrollments = list(
        inmate.enrollments.active()
        .filter(program__end_date__gte=date)
        .select_related("program")
        .order_by("enrolled_on", "pk")
    )
    started_later = [enrollment for enrollment in enrollments if enrollment.enrolled_on > date]
    if started_later:
        raise ValidationError(
            [
                _(
                    "The date is before the enrolment in %(program)s began (%(enrolled)s): "
                    "check the date, or withdraw that enrolment first."
                )
                % {
                    "program": enrollment.program,
                    "enrolled": date_format(enrollment.enrolled_on),
                }
                for enrollment in started_later
            ]
        )
    for enrollment in enrollments:
        enrollment.status = status
        enrollment.ended_on = date
        enrollment.end_reason = reason
    bulk_update_with_history(
        enrollments, Enrollment, ["status", "ended_on", "end_reason"], default_user=by
    )
    return len(enrollments)


# An undo's reason is kept as the history's change reason, which holds this many characters.
UNDO_REASON_MAX_LENGTH = 100
# The enrolment status a departure of each kind leaves behind.
DEPARTURE_ENROLLMENT_STATUS = {
    Inmate.Status.RELEASED: Enrollment.Status.RELEASED,
    Inmate.Status.TRANSFERRED: Enrollment.Status.TRANSFERRED,
}


@dataclass
class DepartureUndo:
    """What undoing `inmate`'s departure does: see `plan_departure_undo`."""

    reopen: list
    stay_closed: list
    blocking_certificates: list


def plan_departure_undo(inmate, *, lock=False):
    """The enrolments `inmate`'s departure closed, sorted into those an undo re-opens and those
    whose program has been closed or cancelled since (they stay as they are), and the valid
    certificates or statements issued to a re-opened one on or after the departure date, which
    forbid the undo. Two queries; `lock=True` locks the enrolments for update.
    """
    closed_by_departure = (
        inmate.enrollments.filter(
            ended_on=inmate.departed_on,
            status=DEPARTURE_ENROLLMENT_STATUS[inmate.status],
        )
        .select_related("program")
        .order_by("enrolled_on", "pk")
    )
    if lock:
        closed_by_departure = closed_by_departure.select_for_update(of=("self",))
    finished = {Program.Status.COMPLETED, Program.Status.CANCELLED}
    reopen, stay_closed = [], []
    for enrollment in closed_by_departure:
        (stay_closed if enrollment.program.status in finished else reopen).append(enrollment)
    certificates = list(
        Certificate.objects.filter(
            enrollment__in=reopen,
            revoked_at__isnull=True,
            issued_at__date__gte=inmate.departed_on,
        )
        .select_related("enrollment__program")
        .order_by("issued_at", "pk")
    )
    return DepartureUndo(reopen, stay_closed, certificates)


@transaction.atomic
def undo_departure(*, inmate, by, reason):
    """Return `inmate`, whose release or transfer was recorded by mistake, to custody.

    Re-opens exactly the enrolments the departure closed (ended on its date with its status)
    whose program is still open; those of a program closed or cancelled since stay closed. The
    inmate's and the enrolments' history rows name `by` and carry `reason` (required, at most
    UNDO_REASON_MAX_LENGTH characters). Raises ValidationError and changes nothing when the
    inmate is in custody, the reason is missing or too long, or a valid certificate or
    statement was issued to one of those enrolments on or after the departure date (it would
    certify an end that did not happen: revoke it first), or a follow-up after the release was
    recorded (the person was reached outside: the release happened). The answer to follow-up
    given at that release goes with it (deleted, the history row naming `by` and `reason`), so
    that a later release asks again. Returns the DepartureUndo applied.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for undoing the departure."))
    if len(reason) > UNDO_REASON_MAX_LENGTH:
        raise ValidationError(
            _("Keep the reason to %(max)d characters.") % {"max": UNDO_REASON_MAX_LENGTH}
        )
    # Locked, as record_departure locks it, so two admins cannot undo (or redo) at once.
    inmate = Inmate.objects.select_for_update().get(pk=inmate.pk)
    if inmate.status == Inmate.Status.ACTIVE:
        raise ValidationError(_("This inmate is in custody: there is no departure to undo."))
    if inmate.anonymised_on is not None:
        # The register number and details are gone: such a record cannot come back to custody.
        raise ValidationError(
            _("This inmate's personal data was anonymised: the departure cannot be undone.")
        )
    if inmate.follow_ups.exists():
        raise ValidationError(
            _("A follow-up after this release was recorded: the release cannot be undone.")
        )
    plan = plan_departure_undo(inmate, lock=True)
    if plan.blocking_certificates:
        raise ValidationError(
            [
                _(
                    "%(kind)s %(number)s was issued for %(program)s on %(date)s, after this "
                    "departure: revoke it first, then undo the departure."
                )
                % {
                    "kind": certificate.get_kind_display(),
                    "number": certificate.number,
                    "program": certificate.enrollment.program,
                    "date": date_format(timezone.localtime(certificate.issued_at).date()),
                }
                for certificate in plan.blocking_certificates
            ]
        )

    consent = FollowUpConsent.objects.filter(inmate=inmate).first()
    if consent is not None:
        consent._history_user = by
        consent._change_reason = reason
        consent.delete()
    inmate.status = Inmate.Status.ACTIVE
    inmate.departed_on = None
    inmate.transfer_destination = ""
    inmate._history_user = by
    inmate._change_reason = reason
    inmate.save(update_fields=["status", "departed_on", "transfer_destination"])
    for enrollment in plan.reopen:
        enrollment.status = Enrollment.Status.ACTIVE
        enrollment.ended_on = None
        enrollment.end_reason = ""
    bulk_update_with_history(
        plan.reopen,
        Enrollment,
        ["status", "ended_on", "end_reason"],
        default_user=by,
        default_change_reason=reason,
    )
    return plan
