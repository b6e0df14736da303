import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from programs.models import Enrollment, Program, TrainingSession
from programs.services import enroll_inmates, enrollment_warnings, generate_sessions
from tests.factories import EnrollmentFactory, InmateFactory, TrainingSessionFactory

ENROLLED_ON = datetime.date(2025, 8, 1)


@pytest.fixture
def inmates(facility):
    return [InmateFactory(facility=facility, full_name=f"Warga {n}") for n in range(3)]


# --- enroll_inmates ---------------------------------------------------------------------------


def test_enroll_inmates_writes_rows_and_history(program, inmates, staff_user):
    created = enroll_inmates(
        program=program, inmates=inmates, by=staff_user, enrolled_on=ENROLLED_ON
    )

    assert len(created) == 3
    rows = Enrollment.objects.filter(program=program)
    assert {row.inmate_id for row in rows} == {inmate.pk for inmate in inmates}
    assert all(row.enrolled_on == ENROLLED_ON and row.enrolled_by == staff_user for row in rows)
    history = Enrollment.history.filter(program=program)
    assert history.count() == 3
    assert {h.history_type for h in history} == {"+"}
    assert {h.history_user for h in history} == {staff_user}


def test_enroll_inmates_skips_already_enrolled(program, inmates, staff_user):
    EnrollmentFactory(program=program, inmate=inmates[0])

    created = enroll_inmates(
        program=program, inmates=inmates, by=staff_user, enrolled_on=ENROLLED_ON
    )

    assert {e.inmate_id for e in created} == {inmates[1].pk, inmates[2].pk}
    assert Enrollment.objects.filter(program=program).count() == 3


def test_enroll_inmates_enforces_capacity_and_saves_nothing(program, inmates, staff_user):
    program.capacity = 3
    program.save()
    EnrollmentFactory(program=program)

    with pytest.raises(ValidationError) as error:
        enroll_inmates(program=program, inmates=inmates, by=staff_user, enrolled_on=ENROLLED_ON)

    assert error.value.messages == [
        "Capacity exceeded (capacity 3): 1 enrolled, 3 chosen. Nobody was enrolled."
    ]
    assert Enrollment.objects.filter(program=program).count() == 1
    assert Enrollment.history.filter(program=program).count() == 1


def test_enroll_inmates_counts_only_active_enrolments(program, inmates, staff_user):
    program.capacity = 3
    program.save()
    EnrollmentFactory(
        program=program,
        status=Enrollment.Status.WITHDRAWN,
        ended_on=datetime.date(2025, 8, 5),
        end_reason="Sakit",
    )

    created = enroll_inmates(
        program=program, inmates=inmates, by=staff_user, enrolled_on=ENROLLED_ON
    )

    assert len(created) == 3


@pytest.mark.parametrize("status", [Program.Status.CANCELLED, Program.Status.COMPLETED])
def test_enroll_inmates_refuses_closed_program(program, inmates, staff_user, status):
    program.status = status
    program.closed_at = timezone.now() if status == Program.Status.COMPLETED else None
    program.save()
    with pytest.raises(ValidationError, match="takes no new participants"):
        enroll_inmates(program=program, inmates=inmates, by=staff_user, enrolled_on=ENROLLED_ON)
    assert Enrollment.objects.count() == 0


def test_enroll_inmates_refuses_other_facility(program, inmates, outside_inmate, staff_user):
    with pytest.raises(ValidationError, match="Only inmates of the program's facility"):
        enroll_inmates(
            program=program,
            inmates=[*inmates, outside_inmate],
            by=staff_user,
            enrolled_on=ENROLLED_ON,
        )
    assert Enrollment.objects.count() == 0


# --- enrollment_warnings ----------------------------------------------------------------------


def test_enrollment_warnings_release_before_end(program, facility):
    early = InmateFactory(facility=facility, expected_release_date=datetime.date(2025, 8, 7))
    on_time = InmateFactory(facility=facility, expected_release_date=datetime.date(2025, 8, 8))
    unknown = InmateFactory(facility=facility, expected_release_date=None)

    warnings = enrollment_warnings(program=program, inmates=[early, on_time, unknown])

    assert warnings == {
        early.pk: ["Expected release on 7 August 2025, before the program ends on 8 August 2025."],
        on_time.pk: [],
        unknown.pk: [],
    }


@pytest.mark.parametrize(
    ("other_start", "other_end", "clashes"),
    [
        ((10, 0), (14, 0), True),  # overlaps the end of 08.00 to 12.00
        ((7, 0), (9, 0), True),  # overlaps the start
        ((12, 0), (15, 0), False),  # starts when ours ends
        ((6, 0), (8, 0), False),  # ends when ours starts
    ],
)
def test_enrollment_warnings_overlapping_sessions(
    program, other_program, inmate, other_start, other_end, clashes
):
    TrainingSessionFactory(program=program)  # 4 August 2025, 08.00 to 12.00
    TrainingSessionFactory(
        program=other_program,
        start_time=datetime.time(*other_start),
        end_time=datetime.time(*other_end),
    )
    EnrollmentFactory(program=other_program, inmate=inmate)

    warnings = enrollment_warnings(program=program, inmates=[inmate])

    expected = ["Already enrolled in “Menjahit Dasar”, which has sessions at the same time."]
    assert warnings[inmate.pk] == (expected if clashes else [])


def test_enrollment_warnings_ignore_other_dates(program, other_program, inmate):
    TrainingSessionFactory(program=program)
    TrainingSessionFactory(program=other_program, date=datetime.date(2025, 8, 5))
    EnrollmentFactory(program=other_program, inmate=inmate)

    assert enrollment_warnings(program=program, inmates=[inmate]) == {inmate.pk: []}


def test_enrollment_warnings_ignore_withdrawn_enrolment(program, other_program, inmate):
    TrainingSessionFactory(program=program)
    TrainingSessionFactory(program=other_program, start_time=datetime.time(10, 0))
    EnrollmentFactory(
        program=other_program,
        inmate=inmate,
        status=Enrollment.Status.WITHDRAWN,
        ended_on=datetime.date(2025, 8, 5),
        end_reason="Sakit",
    )

    assert enrollment_warnings(program=program, inmates=[inmate]) == {inmate.pk: []}


@pytest.mark.parametrize("cancelled_side", ["ours", "theirs"])
def test_enrollment_warnings_ignore_cancelled_sessions(
    program, other_program, inmate, cancelled_side
):
    cancelled = {
        "status": TrainingSession.Status.CANCELLED,
        "cancel_reason": "Hujan",
        "cancelled_at": datetime.datetime(2025, 8, 1, tzinfo=datetime.UTC),
    }
    TrainingSessionFactory(program=program, **(cancelled if cancelled_side == "ours" else {}))
    TrainingSessionFactory(
        program=other_program,
        start_time=datetime.time(10, 0),
        **(cancelled if cancelled_side == "theirs" else {}),
    )
    EnrollmentFactory(program=other_program, inmate=inmate)

    assert enrollment_warnings(program=program, inmates=[inmate]) == {inmate.pk: []}


@pytest.mark.parametrize("rows", [5, 50])
def test_enrollment_warnings_query_count(
    program, other_program, facility, django_assert_num_queries, rows
):
    TrainingSessionFactory(program=program)
    TrainingSessionFactory(program=other_program, start_time=datetime.time(9, 0))
    chosen = [InmateFactory(facility=facility) for _ in range(rows)]
    for inmate in chosen:
        EnrollmentFactory(program=other_program, inmate=inmate)

    # 1 the other programs' clashing enrolments; release dates come from the objects.
    with django_assert_num_queries(1):
        warnings = enrollment_warnings(program=program, inmates=chosen)

    assert all(len(messages) == 1 for messages in warnings.values())


# --- generate_sessions ------------------------------------------------------------------------


def test_generate_sessions_creates_with_trainers_and_skips(program, trainer_user):
    TrainingSessionFactory(program=program, date=datetime.date(2025, 8, 5))
    days = [datetime.date(2025, 8, day) for day in range(4, 9)]

    created, skipped = generate_sessions(
        program=program,
        dates=days,
        start_time=datetime.time(8, 0),
        end_time=datetime.time(12, 0),
        trainers=[trainer_user],
    )

    assert skipped == [datetime.date(2025, 8, 5)]
    assert [s.date.day for s in created] == [4, 6, 7, 8]
    assert TrainingSession.objects.filter(program=program).count() == 5
    assert TrainingSession.objects.filter(trainers=trainer_user).count() == 4


def test_generate_sessions_other_start_time_is_not_skipped(program):
    TrainingSessionFactory(program=program, date=datetime.date(2025, 8, 5))

    created, skipped = generate_sessions(
        program=program,
        dates=[datetime.date(2025, 8, 5)],
        start_time=datetime.time(13, 0),
        end_time=datetime.time(15, 0),
    )

    assert len(created) == 1
    assert skipped == []


def test_generate_sessions_refuses_more_than_100_and_saves_nothing(program):
    days = [datetime.date(2025, 1, 1) + datetime.timedelta(days=n) for n in range(101)]
    with pytest.raises(ValidationError, match="This would create 101 sessions"):
        generate_sessions(
            program=program,
            dates=days,
            start_time=datetime.time(8, 0),
            end_time=datetime.time(12, 0),
        )
    assert TrainingSession.objects.count() == 0
