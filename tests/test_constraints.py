"""Every database rule: a violating save raises and writes nothing."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from attendance.models import AttendanceRecord
from certificates.models import Certificate
from inmates.models import Inmate
from lapas_training.models import Facility, Role, User
from programs.models import (
    Enrollment,
    Partner,
    PartnerAgreement,
    Program,
    ProgramPartner,
    ProgramTopic,
    TrainingSession,
)
from tests.factories import (
    EnrollmentFactory,
    FacilityFactory,
    InmateFactory,
    PartnerAgreementFactory,
    PartnerFactory,
    ProgramFactory,
    ProgramPartnerFactory,
    ProgramTopicFactory,
    TrainingSessionFactory,
    UserFactory,
)


def certificate(enrollment, **kwargs):
    defaults = {
        "enrollment": enrollment,
        "facility": enrollment.program.facility,
        "year": 2025,
        "sequence": 1,
        "number": "001/LPN.KSG/PK/VIII/2025",
        "verification_code": "code-1",
        "issued_at": timezone.now(),
        "issued_by": UserFactory(facility=enrollment.program.facility),
    }
    return Certificate.objects.create(**{**defaults, **kwargs})


def record(session, enrollment, **kwargs):
    return AttendanceRecord.objects.create(session=session, enrollment=enrollment, **kwargs)


def mark_twice(enrollment):
    session = TrainingSessionFactory(program=enrollment.program)
    record(session, enrollment, status="H")
    record(session, enrollment, status="A")


def two_leads(facility):
    program = ProgramFactory(facility=facility)
    ProgramPartnerFactory.create_batch(2, program=program, role="lead")


# Each case: (model whose rows must not change, a function that makes the violating write).
CASES = {
    "facility kind": (Facility, lambda f: FacilityFactory(kind="penjara")),
    "facility unit code unique": (Facility, lambda f: FacilityFactory(unit_code=f.unit_code)),
    "user role": (User, lambda f: UserFactory(facility=f, role="boss")),
    "user needs facility": (User, lambda f: UserFactory(facility=None)),
    "trainer needs partner": (User, lambda f: UserFactory(facility=f, role=Role.TRAINER)),
    "partner only for trainer": (
        User,
        lambda f: UserFactory(facility=f, role=Role.STAFF, partner=PartnerFactory(facility=f)),
    ),
    "partner name unique per facility": (
        Partner,
        lambda f: [
            PartnerFactory(facility=f, name="BLK X"),
            PartnerFactory(facility=f, name="BLK X"),
        ],
    ),
    "partner kind": (Partner, lambda f: PartnerFactory(facility=f, kind="ngo")),
    "agreement ends before it starts": (
        PartnerAgreement,
        lambda f: PartnerAgreementFactory(
            partner=PartnerFactory(facility=f),
            valid_from=datetime.date(2025, 5, 1),
            valid_to=datetime.date(2025, 4, 30),
        ),
    ),
    "agreement number unique per partner": (
        PartnerAgreement,
        lambda f: PartnerAgreementFactory.create_batch(
            2, partner=PartnerFactory(facility=f), number="PKS/1"
        ),
    ),
    "program ends before it starts": (
        Program,
        lambda f: ProgramFactory(facility=f, end_date=datetime.date(2025, 8, 1)),
    ),
    "program capacity zero": (Program, lambda f: ProgramFactory(facility=f, capacity=0)),
    "program threshold over 100": (
        Program,
        lambda f: ProgramFactory(facility=f, attendance_threshold=101),
    ),
    "program status": (Program, lambda f: ProgramFactory(facility=f, status="paused")),
    "program skill category": (Program, lambda f: ProgramFactory(facility=f, skill_category="x")),
    "topic JP zero": (ProgramTopic, lambda f: ProgramTopicFactory(program__facility=f, jp=0)),
    "topic title unique per program": (
        ProgramTopic,
        lambda f: ProgramTopicFactory.create_batch(
            2, program=ProgramFactory(facility=f), title="Kewirausahaan"
        ),
    ),
    "one lead partner per program": (ProgramPartner, two_leads),
    "program partner unique": (
        ProgramPartner,
        lambda f: (
            lambda p, partner: [
                ProgramPartnerFactory(program=p, partner=partner, role="lead"),
                ProgramPartnerFactory(program=p, partner=partner, role="market"),
            ]
        )(ProgramFactory(facility=f), PartnerFactory(facility=f)),
    ),
    "session ends before it starts": (
        TrainingSession,
        lambda f: TrainingSessionFactory(
            program__facility=f, start_time=datetime.time(10), end_time=datetime.time(9)
        ),
    ),
    "cancelled session needs a reason": (
        TrainingSession,
        lambda f: TrainingSessionFactory(
            program__facility=f, status="cancelled", cancelled_at=timezone.now()
        ),
    ),
    "session slot unique": (
        TrainingSession,
        lambda f: TrainingSessionFactory.create_batch(2, program=ProgramFactory(facility=f)),
    ),
    "registration number unique per facility": (
        Inmate,
        lambda f: InmateFactory.create_batch(2, facility=f, registration_number="B.I-1/2025"),
    ),
    "inmate status": (Inmate, lambda f: InmateFactory(facility=f, status="escaped")),
    "inmate gender": (Inmate, lambda f: InmateFactory(facility=f, gender="X")),
    "inmate registration number required": (
        Inmate,
        lambda f: InmateFactory(facility=f, registration_number=""),
    ),
    "enrolment unique per program and inmate": (
        Enrollment,
        lambda f: (lambda p, i: EnrollmentFactory.create_batch(2, program=p, inmate=i))(
            ProgramFactory(facility=f), InmateFactory(facility=f)
        ),
    ),
    "withdrawn enrolment needs date and reason": (
        Enrollment,
        lambda f: EnrollmentFactory(program__facility=f, status="withdrawn"),
    ),
    "enrolment result": (
        Enrollment,
        lambda f: EnrollmentFactory(program__facility=f, assessment_result="lulus"),
    ),
    "attendance unique per session and enrolment": (
        AttendanceRecord,
        lambda f: mark_twice(EnrollmentFactory(program__facility=f)),
    ),
    "attendance status": (
        AttendanceRecord,
        lambda f: (lambda e: record(TrainingSessionFactory(program=e.program), e, status="X"))(
            EnrollmentFactory(program__facility=f)
        ),
    ),
    "minutes late only when late": (
        AttendanceRecord,
        lambda f: (
            lambda e: record(
                TrainingSessionFactory(program=e.program), e, status="H", minutes_late=5
            )
        )(EnrollmentFactory(program__facility=f)),
    ),
    "one valid certificate per enrolment": (
        Certificate,
        lambda f: (
            lambda e: [
                certificate(e),
                certificate(e, sequence=2, number="002", verification_code="code-2"),
            ]
        )(EnrollmentFactory(program__facility=f)),
    ),
    "certificate number unique": (
        Certificate,
        lambda f: [
            certificate(EnrollmentFactory(program__facility=f)),
            certificate(EnrollmentFactory(program__facility=f), sequence=2, verification_code="c2"),
        ],
    ),
    "certificate code unique": (
        Certificate,
        lambda f: [
            certificate(EnrollmentFactory(program__facility=f)),
            certificate(EnrollmentFactory(program__facility=f), sequence=2, number="002"),
        ],
    ),
    "certificate sequence unique per facility and year": (
        Certificate,
        lambda f: [
            certificate(EnrollmentFactory(program__facility=f)),
            certificate(EnrollmentFactory(program__facility=f), number="X", verification_code="c2"),
        ],
    ),
    "revoked certificate needs a reason": (
        Certificate,
        lambda f: certificate(EnrollmentFactory(program__facility=f), revoked_at=timezone.now()),
    ),
}


@pytest.mark.parametrize("case", CASES.keys())
def test_constraint_violation_raises_and_writes_nothing(facility, case):
    model, violate = CASES[case]
    before = model.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        violate(facility)
    assert model.objects.count() == before


def test_revoked_certificate_frees_the_enrolment_for_a_new_one(facility):
    enrollment = EnrollmentFactory(program__facility=facility)
    old = certificate(enrollment, revoked_at=timezone.now(), revocation_reason="Nama salah eja")
    new = certificate(enrollment, sequence=2, number="002", verification_code="c2", replaces=old)
    assert list(enrollment.certificates.order_by("sequence")) == [old, new]


@pytest.mark.parametrize(
    "delete",
    [
        lambda e, s: e.inmate.delete(),
        lambda e, s: e.program.delete(),
        lambda e, s: s.delete(),
        lambda e, s: e.delete(),
        lambda e, s: e.program.facility.delete(),
    ],
    ids=["inmate", "program", "session", "enrolment", "facility"],
)
def test_history_is_protected_from_deletion(facility, delete):
    enrollment = EnrollmentFactory(program__facility=facility)
    session = TrainingSessionFactory(program=enrollment.program)
    record(session, enrollment, status="H")
    with pytest.raises(ProtectedError):
        delete(enrollment, session)
    assert AttendanceRecord.objects.filter(enrollment=enrollment, session=session).exists()


def test_history_records_who_changed_an_inmate(facility, staff_user):
    inmate = InmateFactory(facility=facility, block="Blok A")
    inmate._history_user = staff_user
    inmate.block = "Blok C"
    inmate.save()
    latest, first = inmate.history.all()[:2]
    assert (first.block, latest.block, latest.history_user) == ("Blok A", "Blok C", staff_user)
