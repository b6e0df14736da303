"""Saving a session's attendance: who may change it until when, and the bulk save with history.

`save_attendance` is the only writer of attendance records outside the Django admin, so the rules
(roster, statuses, locking) hold for the marking page, the paper-sheet entry and any later caller.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attendance.models import AttendanceRecord, AttendanceStatus
from lapas_training.models import Role
from programs.models import Enrollment, TrainingSession

# Longer than a whole session day: anything above is a typo (minutes typed as a clock time).
MAX_MINUTES_LATE = 600
NOTE_MAX_LENGTH = AttendanceRecord._meta.get_field("note").max_length
REASON_REQUIRED = gettext_lazy("Give a reason: this session's attendance is locked.")
# simple_history keeps the change reason in a 100-character column.
MAX_REASON_LENGTH = 100


@dataclass(frozen=True)
class Mark:
    """One participant's mark as submitted: the enrolment, a status, minutes late and a note."""

    enrollment_id: int
    status: str
    minutes_late: int | None = None
    note: str = ""


@dataclass(frozen=True)
class SaveResult:
    created: int
    changed: int
    unchanged: int


def lock_date(session):
    """The last day a trainer may change the session's attendance (ATTENDANCE_LOCK_DAYS after it)."""
    return session.date + datetime.timedelta(days=settings.ATTENDANCE_LOCK_DAYS)


def is_locked(session, today=None):
    """True once the trainers' window has passed: only staff and admins correct it, with a reason."""
    return (today or timezone.localdate()) > lock_date(session)


def can_edit(user, session, today=None):
    """Whether `user` may change this session's attendance today.

    Staff and admins always may (after the lock with a reason); trainers until `lock_date`
    inclusive; viewers never. A trainer's access to the program itself is the caller's scoped
    fetch (`TrainingSession.objects.in_scope`): a trainer who can see a session teaches for it.
    """
    if user.can_manage:
        return True
    return user.effective_role == Role.TRAINER and not is_locked(session, today)


def marking_refusal(session, today=None):
    """Why nobody can mark this session now (program closed, session cancelled or still in the
    future), else None. Reads `session.program`: select it with the session."""
    today = today or timezone.localdate()
    if session.program.is_closed:
        return _(
            "The program is closed: its attendance is locked. An admin can reopen the program "
            "to correct it."
        )
    if session.is_cancelled:
        return _("This session was cancelled; its attendance cannot be marked.")
    if session.date > today:
        return _("This session is on %(date)s; attendance can be marked from that day on.") % {
            "date": date_format(session.date)
        }
    return None


def _check_marks(marks, listed_ids):
    errors = []
    seen = set()
    for mark in marks:
        if mark.enrollment_id not in listed_ids:
            errors.append(
                _("Participant %(id)s is not on this session's list; nothing was saved.")
                % {"id": mark.enrollment_id}
            )
            continue
        if mark.enrollment_id in seen:
            errors.append(
                _("Participant %(id)s was marked twice; nothing was saved.")
                % {"id": mark.enrollment_id}
            )
        seen.add(mark.enrollment_id)
        if mark.status not in AttendanceStatus.values:
            errors.append(_("“%(status)s” is not an attendance status.") % {"status": mark.status})
        if mark.minutes_late is not None:
            if mark.status != AttendanceStatus.LATE:
                errors.append(_("Minutes late can only be given with T (Terlambat)."))
            elif not 0 <= mark.minutes_late <= MAX_MINUTES_LATE:
                errors.append(
                    _("Minutes late must be between 0 and %(max)d.") % {"max": MAX_MINUTES_LATE}
                )
        if len(mark.note) > NOTE_MAX_LENGTH:
            errors.append(
                _("A note is at most %(max)d characters long.") % {"max": NOTE_MAX_LENGTH}
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_attendance(*, session, marks, by, reason=""):
    """Save `marks` (a list of Mark) for `session` as `by`, all or nothing; return a SaveResult.

    Refuses (ValidationError, nothing saved) a closed program's session, a cancelled or future
    session, a locked session for
    a trainer, a correction of a locked session without a reason, and any mark that is invalid or
    names an enrolment not listed for the session's date (another program's, another facility's,
    a late joiner's, a departed one's). Raises PermissionDenied for users who may never mark.

    Records whose values did not change are left alone and get no history row, so saving twice
    changes nothing. Two devices saving at once never duplicate a record: the insert is an upsert
    on the (session, enrolment) unique constraint.

    Queries, whatever the number of participants: the listed enrolments, the existing records,
    one upsert, one history insert each for created and for changed records, and on the first
    save the session's status (held).
    """
    if by.effective_role not in {Role.ADMIN, Role.STAFF, Role.TRAINER}:
        raise PermissionDenied
    refusal = marking_refusal(session)
    if refusal:
        raise ValidationError(refusal)
    reason = reason.strip()
    if is_locked(session):
        if not can_edit(by, session):
            raise ValidationError(
                _(
                    "The attendance of this session was locked after %(date)s; "
                    "ask the training staff to correct it."
                )
                % {"date": date_format(lock_date(session))}
            )
        if not reason:
            raise ValidationError({"reason": REASON_REQUIRED})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            {"reason": _("A reason is at most %(max)d characters.") % {"max": MAX_REASON_LENGTH}}
        )

    listed_ids = set(
        Enrollment.objects.listed_on(session.date)
        .filter(program_id=session.program_id)
        .order_by()  # Meta.ordering would join the inmates for nothing
        .values_list("pk", flat=True)
    )
    _check_marks(marks, listed_ids)

    existing = {record.enrollment_id: record for record in session.attendance_records.all()}
    now = timezone.now()
    created, changed = [], []
    # Always in enrolment order, so two concurrent upserts lock rows in the same order.
    for mark in sorted(marks, key=lambda mark: mark.enrollment_id):
        values = (mark.status, mark.minutes_late, mark.note)
        before = existing.get(mark.enrollment_id)
        if before and (before.status, before.minutes_late, before.note) == values:
            continue
        record = AttendanceRecord(
            session=session,
            enrollment_id=mark.enrollment_id,
            status=mark.status,
            minutes_late=mark.minutes_late,
            note=mark.note,
            recorded_by=by,
            # bulk_create skips auto_now on the update path: the time is set here for both.
            recorded_at=now,
        )
        (changed if before else created).append(record)

    if created or changed:
        # Sets each record's pk (RETURNING), for the new and the updated rows alike.
        AttendanceRecord.objects.bulk_create(
            created + changed,
            update_conflicts=True,
            unique_fields=["session", "enrollment"],
            update_fields=["status", "minutes_late", "note", "recorded_by", "recorded_at"],
        )
    for records, update in ((created, False), (changed, True)):
        if records:
            AttendanceRecord.history.bulk_history_create(
                records,
                update=update,
                default_user=by,
                default_change_reason=reason,
                default_date=now,
            )
    if created and session.status == TrainingSession.Status.SCHEDULED:
        # Recorded attendance is what tells a held session from one that never took place.
        session.status = TrainingSession.Status.HELD
        session.save(update_fields=["status"])
    return SaveResult(
        created=len(created), changed=len(changed), unchanged=len(marks) - len(created + changed)
    )
