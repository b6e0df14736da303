"""The attendance rule: who counts for which session, and each participant's attendance %.

One place computes it so that the recap page, its downloads and the certificates' completion
verdicts (#5) agree. `program_recap` is the entry point; everything else here describes its
result.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone

from attendance.models import ATTENDED_STATUSES, CUSTODY_STATUSES, AttendanceRecord
from attendance.models import AttendanceStatus as Status
from programs.models import Enrollment, TrainingSession

# The short code shown in a matrix cell. Custody reasons get two letters so that a column of
# 20 sessions stays narrow; the legend spells them out.
STATUS_CODES = {
    Status.PRESENT: "H",
    Status.LATE: "T",
    Status.EXCUSED: "I",
    Status.SICK: "S",
    Status.ABSENT: "A",
    Status.COURT: "SD",
    Status.VISIT: "BS",
    Status.CLINIC: "KL",
    Status.LOCKDOWN: "RZ",
    Status.TRANSFER: "MT",
    Status.RELEASED: "BB",
}
# Always shown as total columns; custody reasons only where the program has used them.
CHOICE_STATUSES = (Status.PRESENT, Status.LATE, Status.EXCUSED, Status.SICK, Status.ABSENT)
CUSTODY_ORDER = tuple(status for status in Status if status in CUSTODY_STATUSES)
NOT_LISTED = "–"

_STAYING = frozenset(Enrollment.STAYING_STATUSES)


def percent(part, whole):
    """part / whole * 100 truncated (not rounded) to one decimal, so that a rate never shows a
    threshold it has not reached; None when `whole` is 0. Every attendance and completion rate
    the app prints is cut this way."""
    if not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def is_listed(enrollment, date):
    """Whether `enrollment`'s participant belongs on the list of a session held on `date`.

    Enrolled on or before that day, and either still in the program (or stayed to its close) or
    ended after that day: someone who withdrew, was released or transferred on day D is listed
    for sessions before D only. The rule of `Enrollment.objects.listed_on`, on a loaded row.
    """
    if enrollment.enrolled_on > date:
        return False
    if enrollment.status in _STAYING:
        return True
    return enrollment.ended_on is not None and enrollment.ended_on > date


@dataclass(frozen=True)
class Cell:
    """One participant at one session of the matrix.

    `status` is the recorded value ("" when not marked). `listed` says whether the participant
    belonged on that session's list; `counted` whether the cell enters the percentage.
    """

    session: TrainingSession
    status: str
    listed: bool
    counted: bool

    @property
    def code(self):
        """What the matrix shows: the status code, "" when not marked, NOT_LISTED (a dash) when not listed."""
        if not self.listed:
            return NOT_LISTED
        return STATUS_CODES.get(self.status, self.status)


@dataclass
class RecapRow:
    """One enrolment's line of the recap.

    - `cells`: one per session of `Recap.sessions`, in the same order.
    - `totals`: how many of the counting sessions (listed, not cancelled, up to today) carry
      each status, custody reasons included.
    - `counted`: those sessions minus the ones marked with a custody reason.
    - `attended`: how many of `counted` are marked H or T.
    - `percent`: attended / counted * 100 cut (not rounded) to one decimal, so it never shows
      the threshold when the participant is below it; None when `counted` is 0.
    - `below_threshold`: percent under the program's threshold (never when percent is None).
    """

    enrollment: Enrollment
    cells: list[Cell]
    totals: Counter
    attended: int
    counted: int
    percent: Decimal | None
    below_threshold: bool
    # `totals` in the order of `Recap.status_columns`, for tables.
    column_totals: list[int] = field(default_factory=list)

    def total(self, status):
        return self.totals.get(status, 0)


@dataclass
class Recap:
    """The program's attendance recap as of `today`; `rows` ordered by participant name."""

    program: object
    today: datetime.date
    sessions: list[TrainingSession]
    rows: list[RecapRow]
    status_columns: list[str] = field(default_factory=list)

    @property
    def status_headers(self):
        """(code, label) of each of `status_columns`."""
        labels = dict(Status.choices)
        return [(STATUS_CODES[status], labels[status]) for status in self.status_columns]

    @property
    def counted_sessions(self):
        """The sessions that count for anyone: held up to today and not cancelled."""
        return [session for session in self.sessions if not session.is_cancelled]


def program_recap(program, *, today=None):
    """The attendance recap of `program` as of `today` (default: the local date).

    The rule, for each enrolment of the program, whatever its status:
    - The sessions considered are the program's sessions dated up to and including `today`,
      by date and start time. Cancelled ones are listed (to be shown greyed) but never count
      for anyone; later sessions are left out.
    - A session counts for the participant when it is not cancelled and they were listed for
      it (see `is_listed`: enrolled on or before its date, and not withdrawn, released or
      transferred on or before its date). Sessions they were not listed for show a dash.
    - From those, sessions marked with a custody reason (`CUSTODY_STATUSES`: sidang, besukan,
      klinik, razia, mutasi, bebas) are excused: they leave the denominator (`counted`).
    - Attended sessions are those marked H (hadir) or T (terlambat). A counted session that was
      not marked counts as not attended, as do I (izin), S (sakit) and A (alpa).
    - percent = attended / counted * 100, truncated to one decimal; None when nothing counts.
      below_threshold = attended / counted < program.attendance_threshold / 100, compared
      exactly (e.g. 79.99% is below 80).

    Costs 3 queries (sessions, enrolments with their inmate, attendance records), whatever the
    number of participants and sessions.
    """
    today = today or timezone.localdate()
    sessions = list(
        TrainingSession.objects.filter(program=program, date__lte=today).order_by(
            "date", "start_time", "pk"
        )
    )
    enrollments = list(
        Enrollment.objects.filter(program=program)
        .select_related("inmate")
        .order_by("inmate__full_name", "pk")
    )
    marks = {
        (session_id, enrollment_id): status
        for session_id, enrollment_id, status in AttendanceRecord.objects.filter(
            session__program=program, session__date__lte=today
        ).values_list("session_id", "enrollment_id", "status")
    }
    rows = [_row(program, enrollment, sessions, marks) for enrollment in enrollments]
    used = {status for row in rows for status in row.totals}
    status_columns = [*CHOICE_STATUSES, *(s for s in CUSTODY_ORDER if s in used)]
    for row in rows:
        row.column_totals = [row.total(status) for status in status_columns]
    return Recap(program, today, sessions, rows, status_columns)


def _row(program, enrollment, sessions, marks):
    cells = []
    totals = Counter()
    for session in sessions:
        status = marks.get((session.pk, enrollment.pk), "")
        listed = is_listed(enrollment, session.date)
        counts = listed and not session.is_cancelled
        if counts and status:
            totals[status] += 1
        cells.append(Cell(session, status, listed, counts and status not in CUSTODY_STATUSES))
    counted = sum(cell.counted for cell in cells)
    attended = sum(cell.counted and cell.status in ATTENDED_STATUSES for cell in cells)
    # Compared exactly, not on the printed (truncated) figure.
    below = bool(counted) and attended * 100 < program.attendance_threshold * counted
    return RecapRow(enrollment, cells, totals, attended, counted, percent(attended, counted), below)
