"""The trainer's workflow: today's sessions, and the marking page of one session."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Func, IntegerField, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from attendance.forms import CorrectionForm, MarkFormSet, MarkRow, StatusButtons
from attendance.models import AttendanceRecord, AttendanceStatus
from attendance.services import (
    can_edit,
    is_locked,
    lock_date,
    marking_refusal,
    save_attendance,
)
from lapas_training import audit
from lapas_training.access import ALL_ROLES, role_required
from programs.models import Enrollment, TrainingSession

# "Upcoming" on the today page: the coming week, as on the dashboard.
UPCOMING_DAYS = 7


def _count(queryset):
    """A subquery counting `queryset`'s rows, for annotate() (no GROUP BY on the outer query)."""
    return Subquery(
        queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


@role_required(ALL_ROLES)
def today(request):
    """Today's and the coming week's sessions in scope, with how many are listed and marked.

    Queries: session, user, facility (scope), the sessions with both counts.

    A partner's trainer may have a hundred sessions in a week: each card's text is put together
    here (`_card_text`) rather than by template filters and tags, which cost several times more
    per card and made the page grow heavy with the facility.
    """
    day = timezone.localdate()
    listed = Enrollment.objects.listed_on(OuterRef("date")).filter(program=OuterRef("program"))
    sessions = list(
        TrainingSession.objects.in_scope(request.scope)
        .filter(date__range=(day, day + datetime.timedelta(days=UPCOMING_DAYS)))
        .exclude(status=TrainingSession.Status.CANCELLED)
        .select_related("program", "topic")
        # What a card prints, and no more: a week may hold a hundred sessions.
        .only(
            "date",
            "start_time",
            "end_time",
            "location",
            "program__title",
            "program__location",
            "topic__title",
        )
        .annotate(
            participant_count=_count(listed),
            marked_count=_count(AttendanceRecord.objects.filter(session=OuterRef("pk"))),
        )
        .order_by("date", "start_time", "pk")
    )
    _card_text(sessions)
    return render(
        request,
        "attendance/today.html",
        {
            "today": day,
            "todays_sessions": [s for s in sessions if s.date == day],
            "upcoming_sessions": [s for s in sessions if s.date > day],
        },
    )


def _card_text(sessions):
    """Give each session what its card prints: `url`, `mark_url`, `day` (the long date),
    `hours`, `listed_text` and `marked_text`. Each date is formatted once, and no link costs
    a reverse()."""
    session_url, mark_url = _url_maker("programs:session_detail"), _url_maker("attendance:mark")
    days = {}
    for session in sessions:
        session.url, session.mark_url = session_url(session.pk), mark_url(session.pk)
        if session.date not in days:
            days[session.date] = date_format(session.date, "l, j F Y")
        session.day = days[session.date]
        session.hours = f"{session.start_time:%H.%M}–{session.end_time:%H.%M}"
        listed, marked = session.participant_count or 0, session.marked_count or 0
        session.listed_text = ngettext(
            "%(counter)s participant", "%(counter)s participants", listed
        ) % {"counter": listed}
        session.marked_text = _("%(marked)s marked") % {"marked": marked}


# A pk no URL of the project contains otherwise, stood in for the real one.
_PK_MARK = 918273645


def _url_maker(name):
    """A function pk -> reverse(name, args=[pk]) that reverses once: a page that links a
    hundred objects would otherwise spend a fifth of its time in reverse()."""
    prefix, suffix = reverse(name, args=[_PK_MARK]).split(str(_PK_MARK))
    return lambda pk: f"{prefix}{pk}{suffix}"


def _roster(session):
    """The enrolments listed for the session's date, by name, with only what the page shows."""
    roster = list(
        Enrollment.objects.listed_on(session.date)
        .filter(program_id=session.program_id)
        .select_related("inmate")
        # Trainers see a participant's name, registration number and photo: load nothing else.
        .only(
            "inmate",
            "inmate__full_name",
            "inmate__registration_number",
            "inmate__photo_thumbnail",
        )
        .order_by("inmate__full_name", "pk")
    )
    thumbnail_url = _url_maker("inmates:inmate_photo_thumbnail")
    for enrollment in roster:
        words = enrollment.inmate.full_name.split()
        enrollment.initials = "".join(word[0] for word in words[:2]).upper()
        if enrollment.inmate.photo_thumbnail:
            enrollment.thumbnail_url = thumbnail_url(enrollment.inmate_id)
    return roster


def _history(session):
    """Every saved change of the session's records, newest first, each with the value it replaced.

    One query: the history rows come oldest first per record, so each row's predecessor is the
    one seen just before it. Each row carries its value as the page shows it (`shown`), the
    status labels looked up once rather than through a display method per cell.
    """
    labels = {value: str(label) for value, label in AttendanceStatus.choices}
    rows = (
        AttendanceRecord.history.filter(session_id=session.pk)
        .select_related("history_user", "enrollment__inmate")
        # What the table shows: who (their name), when, whom, the value and the reason.
        .only(
            "id",
            "history_id",
            "history_date",
            "history_change_reason",
            "status",
            "minutes_late",
            "note",
            "history_user__username",
            "history_user__first_name",
            "history_user__last_name",
            "enrollment__inmate__full_name",
        )
        .order_by("id", "history_date", "history_id")
    )
    previous, entries = {}, []
    for row in rows:
        row.shown = _shown_value(row, labels)
        entries.append({"after": row, "before": previous.get(row.id)})
        previous[row.id] = row
    entries.sort(key=lambda e: (e["after"].history_date, e["after"].history_id), reverse=True)
    return entries


def _shown_value(record, labels):
    """A saved value as the history shows it, e.g. "T (Terlambat), 10 min late, “Ban bocor”"."""
    text = f"{record.status} ({labels.get(record.status, record.status)})"
    if record.minutes_late is not None:
        text += ", " + _("%(minutes)s min late") % {"minutes": record.minutes_late}
    if record.note:
        text += f", “{record.note}”"
    return text


def _enrollment_id(form):
    try:
        return int(form["enrollment"].value())
    except (TypeError, ValueError):
        return None


@role_required(ALL_ROLES)
@require_http_methods(["GET", "POST"])
def mark(request, pk):
    """The marking page of a session: everyone listed that day, with a status each.

    Everyone in scope may look; the program's trainers, staff and admins may save (viewers get
    403 on POST), within the rules of `attendance.services`.
    Queries (GET): session, user, facility, the training session, the roster, its records, the
    history. A valid POST: session, user, facility, the training session, then save_attendance's.
    """
    session = get_object_or_404(
        TrainingSession.objects.in_scope(request.scope).select_related("program", "topic"), pk=pk
    )
    # Scoped fetch above: a trainer who sees the session teaches for its program.
    may_save = request.user.can_manage or request.scope.is_trainer
    if request.method == "POST" and not may_save:
        raise PermissionDenied
    refusal = marking_refusal(session)
    locked = is_locked(session)
    editable = may_save and refusal is None and can_edit(request.user, session)
    needs_reason = editable and locked
    save_errors = []
    buttons = StatusButtons()

    if request.method == "POST":
        formset = MarkFormSet(request.POST)
        correction_form = CorrectionForm(request.POST) if needs_reason else None
        if formset.is_valid() and (correction_form is None or correction_form.is_valid()):
            try:
                result = save_attendance(
                    session=session,
                    marks=formset.marks(all_present="all_present" in request.POST),
                    by=request.user,
                    reason=correction_form.cleaned_data["reason"] if correction_form else "",
                )
            except ValidationError as error:
                if correction_form is not None and "reason" in getattr(error, "error_dict", {}):
                    correction_form.add_error(None, error)
                else:
                    save_errors = error.messages
            else:
                if correction_form is not None and (result.created or result.changed):
                    # A correction after the lock; each record's before and after is in its
                    # history, the log says who corrected what session and why.
                    audit.record(
                        request,
                        kind=audit.Kind.ATTENDANCE_CORRECTED,
                        obj=session,
                        facility=session.program.facility_id,
                        user=request.user,
                        detail=_("%(reason)s (%(created)d new, %(changed)d changed)")
                        % {**vars(result), "reason": correction_form.cleaned_data["reason"]},
                    )
                if result.created or result.changed:
                    messages.success(
                        request,
                        _("Attendance saved: %(created)d new, %(changed)d changed.")
                        % {"created": result.created, "changed": result.changed},
                    )
                else:
                    messages.info(request, _("Nothing changed: the attendance was already saved."))
                return redirect("attendance:mark", session.pk)
        by_id = {enrollment.pk: enrollment for enrollment in _roster(session)}
        rows = [MarkRow.sent(form, by_id.get(_enrollment_id(form)), buttons) for form in formset]
    else:
        roster = _roster(session)
        records = {record.enrollment_id: record for record in session.attendance_records.all()}
        initial = [
            {
                "enrollment": enrollment.pk,
                "status": getattr(records.get(enrollment.pk), "status", ""),
                "minutes_late": getattr(records.get(enrollment.pk), "minutes_late", None),
                "note": getattr(records.get(enrollment.pk), "note", ""),
            }
            for enrollment in roster
        ]
        # The formset gives the management form; the rows are read from `initial` directly,
        # without building a form for each.
        formset = MarkFormSet(initial=initial)
        correction_form = CorrectionForm() if needs_reason else None
        rows = [
            MarkRow(formset.add_prefix(index), enrollment, values, buttons)
            for index, (enrollment, values) in enumerate(zip(roster, initial, strict=True))
        ]

    return render(
        request,
        "attendance/mark.html",
        {
            "session": session,
            # Not the formset itself: a template lookup tries formset["…"] first, which builds
            # every form of an unbound formset.
            "management_form": formset.management_form,
            "non_form_errors": formset.non_form_errors(),
            "row_errors": formset.total_error_count(),
            "rows": rows,
            "marked": sum(1 for row in rows if row.status),
            "correction_form": correction_form,
            "save_errors": save_errors,
            "may_save": may_save,
            "editable": editable,
            "refusal": refusal,
            "locked": locked,
            "lock_until": lock_date(session),
            "history": _history(session),
        },
    )
