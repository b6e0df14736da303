"""Two devices saving the same session at the same moment, on PostgreSQL with real threads."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from attendance.models import AttendanceRecord
from attendance.services import Mark, save_attendance
from tests.factories import EnrollmentFactory, TrainingSessionFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's row locks (set DATABASE_URL=postgres://…)",
    ),
    pytest.mark.django_db(transaction=True),
]

PARTICIPANTS = 30


def test_concurrent_saves_never_duplicate_a_record(program, trainer_user, staff_user):
    session = TrainingSessionFactory(program=program, date=timezone.localdate())
    enrollments = EnrollmentFactory.create_batch(PARTICIPANTS, program=program)
    barrier = threading.Barrier(2)
    errors = []

    def save(user, status):
        try:
            barrier.wait(timeout=10)
            save_attendance(
                session=session, marks=[Mark(e.pk, status) for e in enrollments], by=user
            )
        except Exception as error:  # reported to the main thread below
            errors.append(error)
        finally:
            # Each thread has its own connection; an open one would block the test database's
            # teardown.
            connection.close()

    threads = [
        threading.Thread(target=save, args=(trainer_user, "H")),
        threading.Thread(target=save, args=(staff_user, "I")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    records = AttendanceRecord.objects.filter(session=session)
    assert records.count() == PARTICIPANTS
    assert sorted(records.values_list("enrollment_id", flat=True)) == sorted(
        e.pk for e in enrollments
    )
    # The last save wins for every row (both wrote all rows in the same order, one after the other).
    assert records.values("status").distinct().count() == 1
    history = AttendanceRecord.history.filter(session_id=session.pk)
    assert history.filter(history_user=trainer_user, status="H").count() == PARTICIPANTS
    assert history.filter(history_user=staff_user, status="I").count() == PARTICIPANTS
