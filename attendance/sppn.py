"""The monthly SPPN export: one row per inmate per program per month.

SPPN (Sistem Penilaian Pembinaan Narapidana) scores each inmate's development every month, so
the officer needs, for a month, how much of each program every participant attended. The rule is
`attendance.rules.program_recap`'s, cut to the sessions dated in the month:

- The sessions considered are the facility's programs' sessions dated in the month and up to
  `today` (a month in progress counts the sessions held so far), except cancelled ones, which
  never count. The program's own status plays no part, as in the recap.
- A session is *planned* for a participant when they were listed for it (`is_listed`: enrolled
  on or before its date, and not withdrawn, released or transferred on or before it).
- Each planned session falls in exactly one column: on time (H), late (T), excused (I), sick (S),
  absent, or custody-excused (any of `CUSTODY_STATUSES`). *Absent* is A plus the planned
  sessions that carry no mark, because the recap counts an unmarked session as not attended;
  `not_marked` says how many of the absent ones are unmarked, so that the officer can still
  correct them. So planned = H + T + I + S + absent + custody.
- attended = H + T; JP attended = the sum of `programs.services.session_jp` over those sessions.
- percent = attended / (planned - custody) * 100, truncated (not rounded) to one decimal;
  None when every planned session was custody-excused.
- A row exists for each enrolment with at least one planned session in the month. Marks at
  sessions the participant was not listed for are ignored, as in the recap.
- Scores, the assessment result and the enrolment status are the enrolment's as they stand
  today (they belong to the program, not to the month).

`monthly_rows` costs 3 queries whatever the number of inmates, programs and sessions: the
month's sessions, the enrolments that may be listed for them (with inmate and program), and the
attendance records of those sessions.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from attendance.models import ATTENDED_STATUSES, CUSTODY_STATUSES, AttendanceRecord
from attendance.models import AttendanceStatus as Status
from attendance.rules import is_listed, percent
from programs.models import Enrollment, TrainingSession
from programs.services import session_jp


@dataclass(kw_only=True)
class SppnCounts:
    """A month's counts of planned sessions (see the module for the rule), of one enrolment or
    summed over all of them; the percentage is the recap's rule over the same counts."""

    planned: int = 0
    present: int = 0
    late: int = 0
    excused: int = 0
    sick: int = 0
    absent: int = 0
    not_marked: int = 0
    custody: int = 0
    jp_attended: int = 0

    @property
    def attended(self):
        return self.present + self.late

    @property
    def percent(self):
        return percent(self.attended, self.planned - self.custody)


@dataclass(kw_only=True)
class SppnRow(SppnCounts):
    """One enrolment's month."""

    enrollment: Enrollment

    @property
    def inmate(self):
        return self.enrollment.inmate

    @property
    def program(self):
        return self.enrollment.program


# The numeric columns of the table, in its order; `totals` adds up all but `attended`.
COUNTS = (
    "planned",
    "attended",
    "present",
    "late",
    "excused",
    "sick",
    "absent",
    "not_marked",
    "custody",
    "jp_attended",
)


@dataclass(kw_only=True)
class SppnTotals(SppnCounts):
    """The sums over all rows, and how many rows and inmates they are."""

    rows: int
    inmates: int


def month_bounds(month):
    """The first and last day of the month that `month` (any date in it) falls in."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def monthly_rows(facility, month, *, today=None):
    """The SPPN rows of `facility` for the month of `month`, as of `today` (default: the local
    date), ordered by inmate name, registration number and program title.

    3 queries, whatever the data: the sessions, the enrolments, the attendance records (only
    the first when the month has no session).
    """
    today = today or timezone.localdate()
    first, last = month_bounds(month)
    last = min(last, today)
    sessions = list(
        TrainingSession.objects.filter(program__facility=facility, date__range=(first, last))
        .exclude(status=TrainingSession.Status.CANCELLED)
        .only("pk", "program_id", "date", "start_time", "end_time")
        .order_by("date", "start_time", "pk")
    )
    if not sessions:
        return []
    by_program = defaultdict(list)
    for session in sessions:
        by_program[session.program_id].append(session)
        # Once a session, not once for each of its participants.
        session.jp = session_jp(session.start_time, session.end_time)
    # Everyone who may be listed on some day of the month (`Enrollment.objects.listed_on`
    # stretched over the month); `is_listed` then decides per session.
    enrollments = (
        Enrollment.objects.filter(
            Q(status__in=Enrollment.STAYING_STATUSES) | Q(ended_on__gt=first),
            program_id__in=list(by_program),
            enrolled_on__lte=last,
        )
        .select_related("inmate", "program")
        # What the rule and the table read, and no more: a facility's month is hundreds of
        # rows, and the inmates' and programs' other fields cost more than the counting.
        .only(
            "program",
            "inmate",
            "enrolled_on",
            "status",
            "ended_on",
            "pre_test_score",
            "post_test_score",
            "practical_score",
            "assessment_result",
            "inmate__full_name",
            "inmate__registration_number",
            "program__title",
        )
        .order_by(
            "inmate__full_name", "inmate__registration_number", "program__title", "program", "pk"
        )
    )
    marks = {
        (session_id, enrollment_id): status
        for session_id, enrollment_id, status in AttendanceRecord.objects.filter(
            session__program__facility=facility, session__date__range=(first, last)
        )
        .exclude(session__status=TrainingSession.Status.CANCELLED)
        .values_list("session_id", "enrollment_id", "status")
    }
    rows = []
    for enrollment in enrollments:
        row = SppnRow(enrollment=enrollment)
        for session in by_program[enrollment.program_id]:
            if is_listed(enrollment, session.date):
                _count(row, session, marks.get((session.pk, enrollment.pk), ""))
        if row.planned:
            rows.append(row)
    return rows


# Where each mark goes; a custody reason goes to `custody`, no mark to `absent` and `not_marked`.
_COLUMNS = {
    Status.PRESENT: "present",
    Status.LATE: "late",
    Status.EXCUSED: "excused",
    Status.SICK: "sick",
    Status.ABSENT: "absent",
}


def _count(row, session, status):
    row.planned += 1
    if status in CUSTODY_STATUSES:
        row.custody += 1
    elif status in _COLUMNS:
        setattr(row, _COLUMNS[status], getattr(row, _COLUMNS[status]) + 1)
    else:
        row.absent += 1
        row.not_marked += 1
    if status in ATTENDED_STATUSES:
        row.jp_attended += session.jp


def totals(rows):
    """The `SppnTotals` of `rows` (no query)."""
    result = SppnTotals(rows=len(rows), inmates=len({row.enrollment.inmate_id for row in rows}))
    summed = [name for name in COUNTS if name != "attended"]
    for row in rows:
        for name in summed:
            setattr(result, name, getattr(result, name) + getattr(row, name))
    return result
