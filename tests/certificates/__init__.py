"""Shared set-up of the certificate tests: a program week with marks, the task worker."""

import datetime

from django_tasks_db.management.commands.db_worker import Worker

from attendance.models import AttendanceRecord
from programs.models import Enrollment
from tests.factories import EnrollmentFactory, TrainingSessionFactory

START = datetime.date(2025, 8, 4)


def make_sessions(program, count):
    """`count` sessions of `program`, one hour apart from 4 August 2025, 8 a day."""
    return [
        TrainingSessionFactory(
            program=program,
            date=START + datetime.timedelta(days=index // 8),
            start_time=datetime.time(8 + index % 8, 0),
            end_time=datetime.time(8 + index % 8, 50),
        )
        for index in range(count)
    ]


def enrol(program, sessions, marks, *, result=Enrollment.Result.COMPETENT, **extra):
    """An enrolment of `program` with one mark per session ("" for none)."""
    enrollment = EnrollmentFactory(program=program, assessment_result=result, **extra)
    AttendanceRecord.objects.bulk_create(
        AttendanceRecord(session=session, enrollment=enrollment, status=status)
        for session, status in zip(sessions, marks, strict=True)
        if status
    )
    return enrollment


def run_worker(worker_id="test"):
    """Run every queued task here and now, as `manage.py db_worker --batch` would, then return.

    The worker closes a connection it finds inside a transaction (as Django does between
    requests), so the calling test must commit for real: `django_db(transaction=True)`.
    """
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()
