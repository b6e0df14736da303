"""The attendance-% rule of `attendance.rules.program_recap`, on real rows.

Each case builds one program starting Monday 4 August 2025 with sessions on given days, one
participant, their marks, and reads the recap as of a given day.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from attendance.models import AttendanceRecord
from attendance.rules import program_recap
from programs.models import Enrollment, TrainingSession
from tests.factories import EnrollmentFactory, InmateFactory, ProgramFactory, TrainingSessionFactory

START = datetime.date(2025, 8, 4)


def day(offset):
    return START + datetime.timedelta(days=offset)


def make_sessions(program, days, cancelled=()):
    sessions = []
    for index, offset in enumerate(days):
        extra = {}
        if index in cancelled:
            extra = {
                "status": TrainingSession.Status.CANCELLED,
                "cancel_reason": "Razia blok",
                "cancelled_at": timezone.now(),
            }
        sessions.append(TrainingSessionFactory(program=program, date=day(offset), **extra))
    return sessions


def mark(sessions, enrollment, marks):
    """`marks`: one status per session, "" for none."""
    AttendanceRecord.objects.bulk_create(
        AttendanceRecord(session=session, enrollment=enrollment, status=status)
        for session, status in zip(sessions, marks, strict=True)
        if status
    )


# Each case: marks per session, then keyword overrides of the scenario, then what the row shows.
CASES = {
    "all present": (["H", "H", "H", "H"], {}, ["H", "H", "H", "H"], 4, 4, "100.0", False),
    "one alpa of four": (["H", "H", "H", "A"], {}, ["H", "H", "H", "A"], 4, 3, "75.0", True),
    "terlambat counts as attended": (
        ["H", "T", "T", "H"],
        {},
        ["H", "T", "T", "H"],
        4,
        4,
        "100.0",
        False,
    ),
    "izin and sakit count against": (
        ["H", "I", "S", "H"],
        {},
        ["H", "I", "S", "H"],
        4,
        2,
        "50.0",
        True,
    ),
    "sidang leaves the denominator": (
        ["H", "sidang", "H", "H"],
        {},
        ["H", "SD", "H", "H"],
        3,
        3,
        "100.0",
        False,
    ),
    "every custody reason is excused": (
        ["besukan", "klinik", "razia", "A"],
        {},
        ["BS", "KL", "RZ", "A"],
        1,
        0,
        "0.0",
        True,
    ),
    "cancelled session never counts, even marked": (
        ["H", "A", "H", "H"],
        {"cancelled": {1}},
        ["H", "A", "H", "H"],
        3,
        3,
        "100.0",
        False,
    ),
    "late joiner: earlier sessions not listed": (
        ["", "", "H", "H"],
        {"enrolled_on": 2},
        ["–", "–", "H", "H"],
        2,
        2,
        "100.0",
        False,
    ),
    "late joiner marked before enrolling: not counted": (
        ["A", "A", "H", "H"],
        {"enrolled_on": 2},
        ["–", "–", "H", "H"],
        2,
        2,
        "100.0",
        False,
    ),
    "withdrawn on day 2: sessions from that day not listed": (
        ["H", "A", "", ""],
        {"status": "withdrawn", "ended_on": 2},
        ["H", "A", "–", "–"],
        2,
        1,
        "50.0",
        True,
    ),
    "released on day 1: listed the day before only": (
        ["H", "A", "A", ""],
        {"status": "released", "ended_on": 1},
        ["H", "–", "–", "–"],
        1,
        1,
        "100.0",
        False,
    ),
    "completed enrolment stays listed": (
        ["H", "H", "H", "A"],
        {"status": "completed"},
        ["H", "H", "H", "A"],
        4,
        3,
        "75.0",
        True,
    ),
    "unmarked counts as absent": (["H", "H", "", ""], {}, ["H", "H", "", ""], 4, 2, "50.0", True),
    "future sessions not counted nor shown": (
        ["H", "H", "", ""],
        {"today": 1},
        ["H", "H"],
        2,
        2,
        "100.0",
        False,
    ),
    "a session today counts": (
        ["H", "H", "H", ""],
        {"today": 3},
        ["H", "H", "H", ""],
        4,
        3,
        "75.0",
        True,
    ),
    "nothing counted gives no percentage": (
        ["sidang", "sidang", "klinik", "bebas"],
        {},
        ["SD", "SD", "KL", "BB"],
        0,
        0,
        None,
        False,
    ),
    "enrolled after every session": (
        ["", "", "", ""],
        {"enrolled_on": 5},
        ["–", "–", "–", "–"],
        0,
        0,
        None,
        False,
    ),
    "exactly the threshold is not flagged": (
        ["H", "H", "H", "H", "A"],
        {"days": [0, 1, 2, 3, 4]},
        ["H", "H", "H", "H", "A"],
        5,
        4,
        "80.0",
        False,
    ),
    "just under the threshold is flagged": (
        ["H", "H", "H", "H", "A"],
        {"days": [0, 1, 2, 3, 4], "threshold": 81},
        ["H", "H", "H", "H", "A"],
        5,
        4,
        "80.0",
        True,
    ),
}


@pytest.mark.parametrize(
    ("marks", "scenario", "codes", "counted", "attended", "percent", "below"),
    CASES.values(),
    ids=CASES.keys(),
)
def test_program_recap_rule(db, marks, scenario, codes, counted, attended, percent, below):
    program = ProgramFactory(attendance_threshold=scenario.get("threshold", 80))
    sessions = make_sessions(
        program, scenario.get("days", [0, 1, 2, 3]), scenario.get("cancelled", ())
    )
    status = scenario.get("status", Enrollment.Status.ACTIVE)
    ended_on = scenario.get("ended_on")
    enrollment = EnrollmentFactory(
        program=program,
        enrolled_on=day(scenario.get("enrolled_on", 0)),
        status=status,
        ended_on=None if ended_on is None else day(ended_on),
        end_reason="" if ended_on is None else "Keluar",
    )
    mark(sessions, enrollment, marks)

    recap = program_recap(program, today=day(scenario.get("today", 10)))

    [row] = recap.rows
    assert [cell.code for cell in row.cells] == codes
    assert (row.counted, row.attended) == (counted, attended)
    assert row.percent == (None if percent is None else Decimal(percent))
    assert row.below_threshold is below


def test_program_recap_flags_a_percentage_that_would_round_to_the_threshold(db):
    # 39 of 49 is 79.59%: rounded it would read 80, yet it is below 80.
    program = ProgramFactory(attendance_threshold=80, end_date=day(60))
    sessions = make_sessions(program, range(49))
    enrollment = EnrollmentFactory(program=program)
    mark(sessions, enrollment, ["H"] * 39 + ["A"] * 10)

    [row] = program_recap(program, today=day(60)).rows

    assert (row.counted, row.attended) == (49, 39)
    assert row.percent == Decimal("79.5")
    assert row.below_threshold is True


def test_program_recap_totals_count_each_status_of_counting_sessions(db):
    program = ProgramFactory()
    sessions = make_sessions(program, [0, 1, 2, 3, 4, 5], cancelled={5})
    enrollment = EnrollmentFactory(program=program)
    mark(sessions, enrollment, ["H", "T", "T", "sidang", "A", "A"])

    recap = program_recap(program, today=day(10))

    [row] = recap.rows
    # The A of the cancelled session is shown but not totalled.
    assert dict(row.totals) == {"H": 1, "T": 2, "sidang": 1, "A": 1}
    assert recap.status_columns == ["H", "T", "I", "S", "A", "sidang"]
    assert row.column_totals == [1, 2, 0, 0, 1, 1]
    assert [session.pk for session in recap.counted_sessions] == [s.pk for s in sessions[:5]]


def test_program_recap_orders_rows_by_name_and_sessions_by_date_and_time(db):
    program = ProgramFactory()
    late = TrainingSessionFactory(
        program=program,
        date=day(1),
        start_time=datetime.time(13, 0),
        end_time=datetime.time(15, 0),
    )
    first = TrainingSessionFactory(program=program, date=day(0))
    early = TrainingSessionFactory(program=program, date=day(1), start_time=datetime.time(7, 0))
    for name in ["Yusuf", "Agus", "Made"]:
        EnrollmentFactory(
            program=program, inmate=InmateFactory(facility=program.facility, full_name=name)
        )

    recap = program_recap(program, today=day(10))

    assert [row.enrollment.inmate.full_name for row in recap.rows] == ["Agus", "Made", "Yusuf"]
    assert recap.sessions == [first, early, late]


def test_program_recap_leaves_other_programs_out(db):
    program = ProgramFactory()
    other = ProgramFactory(facility=program.facility)
    [session] = make_sessions(program, [0])
    [other_session] = make_sessions(other, [0])
    enrollment = EnrollmentFactory(program=program)
    EnrollmentFactory(program=other)
    mark([session], enrollment, ["A"])

    recap = program_recap(program, today=day(10))

    assert recap.sessions == [session]
    assert [row.enrollment for row in recap.rows] == [enrollment]
    assert other_session not in recap.sessions


@pytest.mark.parametrize("participants", [5, 50])
def test_program_recap_query_count_is_fixed(db, django_assert_num_queries, participants):
    program = ProgramFactory()
    sessions = make_sessions(program, [0, 1, 2, 3, 4])
    for _ in range(participants):
        mark(sessions, EnrollmentFactory(program=program), ["H", "T", "A", "sidang", ""])
    # 1 sessions, 2 enrolments with their inmate, 3 attendance records.
    with django_assert_num_queries(3):
        recap = program_recap(program, today=day(10))
    assert len(recap.rows) == participants
    assert all(row.percent == Decimal("50.0") for row in recap.rows)
