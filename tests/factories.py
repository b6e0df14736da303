import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from inmates.models import Inmate
from lapas_training.models import Facility, Role, User
from programs.models import (
    Enrollment,
    Partner,
    PartnerAgreement,
    Program,
    ProgramPartner,
    ProgramTopic,
    SkillCategory,
    TrainingSession,
)

PASSWORD = "pelatihan-2025"


class FacilityFactory(DjangoModelFactory):
    class Meta:
        model = Facility

    name = factory.Sequence(lambda n: f"Lapas Kelas IIA Uji {n}")
    unit_code = factory.Sequence(lambda n: f"LP.UJI{n}")
    city = "Kasongan"
    grade = Facility.Grade.IIA


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    facility = factory.SubFactory(FacilityFactory)
    name = factory.Sequence(lambda n: f"BLK Mitra {n}")
    kind = Partner.Kind.BLK


class PartnerAgreementFactory(DjangoModelFactory):
    class Meta:
        model = PartnerAgreement

    partner = factory.SubFactory(PartnerFactory)
    number = factory.Sequence(lambda n: f"PKS/{n:03d}/2025")
    valid_from = datetime.date(2025, 1, 1)
    valid_to = datetime.date(2030, 12, 31)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="id_ID")
    last_name = factory.Faker("last_name", locale="id_ID")
    facility = factory.SubFactory(FacilityFactory)
    role = Role.STAFF
    password = factory.django.Password(PASSWORD)


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program

    facility = factory.SubFactory(FacilityFactory)
    title = factory.Sequence(lambda n: f"Pelatihan Kemandirian {n}")
    skill_category = SkillCategory.HANDICRAFT
    location = "Aula Utama"
    start_date = datetime.date(2025, 8, 4)
    end_date = datetime.date(2025, 8, 8)
    capacity = 20
    status = Program.Status.ACTIVE
    # The database requires a closing date on a closed program.
    closed_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == Program.Status.COMPLETED else None
    )


class ProgramTopicFactory(DjangoModelFactory):
    class Meta:
        model = ProgramTopic

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Materi {n}")
    jp = 4


class ProgramPartnerFactory(DjangoModelFactory):
    class Meta:
        model = ProgramPartner

    program = factory.SubFactory(ProgramFactory)
    partner = factory.SubFactory(
        PartnerFactory, facility=factory.SelfAttribute("..program.facility")
    )
    role = ProgramPartner.Role.LEAD


class TrainingSessionFactory(DjangoModelFactory):
    class Meta:
        model = TrainingSession

    program = factory.SubFactory(ProgramFactory)
    date = factory.LazyAttribute(lambda o: o.program.start_date)
    start_time = datetime.time(8, 0)
    end_time = datetime.time(12, 0)


class InmateFactory(DjangoModelFactory):
    class Meta:
        model = Inmate

    facility = factory.SubFactory(FacilityFactory)
    registration_number = factory.Sequence(lambda n: f"B.I-{n:04d}/2025")
    full_name = factory.Faker("name", locale="id_ID")
    gender = Inmate.Gender.MALE
    block = "Blok A"
    status = Inmate.Status.ACTIVE
    # A departed inmate has a departure date, and a transferred one a destination (constraint).
    departed_on = factory.LazyAttribute(
        lambda o: None if o.status == Inmate.Status.ACTIVE else datetime.date(2025, 8, 6)
    )
    transfer_destination = factory.LazyAttribute(
        lambda o: "Lapas Kelas IIA Palangka Raya" if o.status == Inmate.Status.TRANSFERRED else ""
    )


class EnrollmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrollment

    program = factory.SubFactory(ProgramFactory)
    inmate = factory.SubFactory(InmateFactory, facility=factory.SelfAttribute("..program.facility"))
    enrolled_on = factory.LazyAttribute(lambda o: o.program.start_date)


class AttendanceRecordFactory(DjangoModelFactory):
    class Meta:
        # By label: appended factories leave the imports at the top untouched.
        model = "attendance.AttendanceRecord"

    session = factory.SubFactory(TrainingSessionFactory)
    enrollment = factory.SubFactory(
        EnrollmentFactory, program=factory.SelfAttribute("..session.program")
    )
    status = "H"
