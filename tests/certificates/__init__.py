"""Shared set-up of the certificate tests: a program week with marks, the task worker."""

import datetime
import re

from django_tasks_db.management.commands.db_worker import Worker

from attendance.models import AttendanceRecord
from certificates.closing import close_program
from programs.models import Enrollment, TrainingSession
from tests.factories import EnrollmentFactory, TrainingSessionFactory

START = datetime.date(2025, 8, 4)

# What would tell an employer where the holder was.
PRISON_WORDS = ("Lapas", "Rutan", "Pemasyarakatan", "Warga Binaan", "WBP", "Narapidana")


def revealing(text, facility):
    """The words of `text` that name a prison or `facility`, case-insensitively.

    Whole words only: a random verification code in a link ("…xWbP…") names nothing.
    """
    names = (*PRISON_WORDS, facility.name, facility.unit_code, facility.city, "Lapas Training")
    return [
        word
        for word in names
        if word and re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE)
    ]


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
    """An enrolment of `program` with one mark per session ("" for none).

    A marked session becomes held, as `attendance.services.save_attendance` makes it.
    """
    enrollment = EnrollmentFactory(program=program, assessment_result=result, **extra)
    records = AttendanceRecord.objects.bulk_create(
        AttendanceRecord(session=session, enrollment=enrollment, status=status)
        for session, status in zip(sessions, marks, strict=True)
        if status
    )
    TrainingSession.objects.filter(
        pk__in=[record.session_id for record in records],
        status=TrainingSession.Status.SCHEDULED,
    ).update(status=TrainingSession.Status.HELD)
    return enrollment


def close(program, by):
    """Close `program` as `by` (its sessions are in 2025, long past) and refresh it."""
    outcome = close_program(program=program, by=by)
    program.refresh_from_db()
    return outcome


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
