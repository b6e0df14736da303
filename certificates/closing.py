"""Closing a program after its last session, and reopening it.

Closing fixes each remaining participant's outcome, completed or not completed with the reasons,
from the completion rule over every planned session of the program (all of them are past by
then), and locks attendance and results: certificates of completion are issued only after it.
An admin may reopen a closed program, with a reason, to correct it; both are logged in
`ProgramStatusChange` and in the enrolments' history.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from certificates.completion import completion_verdicts
from certificates.models import Certificate
from programs.models import Enrollment, Program, ProgramStatusChange, TrainingSession

OUTCOME_FIELDS = ["status", "ended_on", "end_reason"]
# simple_history keeps a change reason in a 100-character column.
HISTORY_REASON_LENGTH = 100


def last_session_date(program):
    """The date of the program's last session that was not cancelled, or None. One query."""
    return (
        TrainingSession.objects.filter(program=program)
        .exclude(status=TrainingSession.Status.CANCELLED)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )


def closing_problems(program, *, today=None):
    """Why `program` cannot be closed on `today` (an empty list when it can). Two queries.

    A program closes once it is neither closed nor cancelled, has sessions, its last planned
    session is not after today and every past session that was not cancelled has attendance.
    """
    today = today or timezone.localdate()
    if program.is_closed:
        return [_("The program is already closed.")]
    if program.is_cancelled:
        return [_("A cancelled program is not closed.")]
    last = last_session_date(program)
    if last is None:
        return [_("The program has no sessions yet.")]
    problems = []
    if last > today:
        problems.append(
            _("The last session is on %(date)s; the program can be closed from that day on.")
            % {"date": date_format(last)}
        )
    unrecorded = TrainingSession.objects.filter(
        program=program, status=TrainingSession.Status.SCHEDULED, date__lte=today
    ).order_by("date", "start_time")
    for session in unrecorded:
        problems.append(
            _(
                "The session of %(date)s at %(time)s has no attendance: record it or cancel the "
                "session."
            )
            % {"date": date_format(session.date), "time": session.start_time.strftime("%H.%M")}
        )
    return problems


@transaction.atomic
def close_program(*, program, by, today=None):
    """Close `program`: fix every active participant's outcome; returns (completed, not completed).

    Refuses (ValidationError, nothing saved) for the reasons of `closing_problems`, and when a
    participant who would not complete holds a valid certificate of completion (after a
    reopening): it must be revoked first. Participants who left earlier keep their status.
    """
    today = today or timezone.localdate()
    program = Program.objects.select_for_update().get(pk=program.pk)
    problems = closing_problems(program, today=today)
    if problems:
        raise ValidationError(problems)
    last = last_session_date(program)
    # Stored reasons are records of the prison, in its language, whoever closes.
    with translation.override(settings.LANGUAGE_CODE):
        verdicts = completion_verdicts(program, today=today)
        closing = []
        for verdict in verdicts:
            enrollment = verdict.enrollment
            if enrollment.status != Enrollment.Status.ACTIVE:
                continue
            certificate = verdict.certificate
            if (
                not verdict.eligible
                and certificate is not None
                and certificate.kind == Certificate.Kind.COMPLETION
            ):
                problems.append(
                    _(
                        "%(name)s holds certificate %(number)s but does not complete the "
                        "program: revoke it first."
                    )
                    % {"name": enrollment.inmate.full_name, "number": certificate.number}
                )
            if verdict.eligible:
                enrollment.status = Enrollment.Status.COMPLETED
                enrollment.end_reason = ""
            else:
                enrollment.status = Enrollment.Status.NOT_COMPLETED
                enrollment.end_reason = " ".join(verdict.reasons)
            enrollment.ended_on = max(last, enrollment.enrolled_on)
            closing.append(enrollment)
        if problems:
            raise ValidationError(problems)
        bulk_update_with_history(
            closing,
            Enrollment,
            OUTCOME_FIELDS,
            default_user=by,
            default_change_reason=_("Program closed"),
        )
    program.status = Program.Status.COMPLETED
    program.closed_at = timezone.now()
    program.closed_by = by
    program.save(update_fields=["status", "closed_at", "closed_by"])
    ProgramStatusChange.objects.create(
        program=program, action=ProgramStatusChange.Action.CLOSED, by=by, at=program.closed_at
    )
    completed = sum(e.status == Enrollment.Status.COMPLETED for e in closing)
    return completed, len(closing) - completed


@transaction.atomic
def reopen_program(*, program, by, reason):
    """Reopen a closed program: its outcomes go back to active, attendance and results unlock.

    The reason is required and logged. Certificates already issued stay valid; closing again
    refuses while a holder no longer completes.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for reopening."))
    program = Program.objects.select_for_update().get(pk=program.pk)
    if not program.is_closed:
        raise ValidationError(_("Only a closed program can be reopened."))
    reopened = list(
        program.enrollments.filter(
            status__in=[Enrollment.Status.COMPLETED, Enrollment.Status.NOT_COMPLETED]
        )
    )
    for enrollment in reopened:
        enrollment.status = Enrollment.Status.ACTIVE
        enrollment.ended_on = None
        enrollment.end_reason = ""
    bulk_update_with_history(
        reopened,
        Enrollment,
        OUTCOME_FIELDS,
        default_user=by,
        default_change_reason=reason[:HISTORY_REASON_LENGTH],
    )
    program.status = Program.Status.ACTIVE
    program.closed_at = None
    program.closed_by = None
    program.save(update_fields=["status", "closed_at", "closed_by"])
    ProgramStatusChange.objects.create(
        program=program, action=ProgramStatusChange.Action.REOPENED, by=by, reason=reason
    )
    return program
