"""Shared set-up of the certificate tests: a program week with marks."""

import datetime

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
