"""The report figures against a hand count of known data (see `world` for what it holds).

Facility F (`facility`) runs:
- program A "Aksesoris" (handicraft; partners BLK lead and LPK co-trainer), closed, 4-8 August
  2025. Enrolments: e1 Budi completed, e2 not completed, e3 withdrawn, e4 released, e5
  transferred. Held sessions a1 (4 Aug, 08:00-12:00 = 5 JP) and a2 (5 Aug, 08:00-11:00 =
  4 JP); a3 (6 Aug) never held.
      a1: e1 H, e2 T, e3 A, e4 sidang      a2: e1 H, e2 S, e3 I, e4 besukan
- program B "Menjahit" (sewing; LPK alone), active, with Budi again (f1) and Sari (f6).
  Held b1 (30 Jul, 13:00-15:00 = 2 JP), b2 (12 Aug, 08:00-12:00 = 5 JP), b3 (2 Sep,
  09:00-10:30 = 2 JP).
      b1: f1 H, f6 A      b2: f1 klinik, f6 T      b3: f1 H, f6 H
- program C (handicraft, no partner), closed, ending 15 September, two completed enrolments
  and no attendance.
- certificates (dated as printed, recorded two days later): two of completion dated 9 and 11
  August (the first revoked), one dated 16 September; statements of participation dated 1 and
  7 August and 1 September.
- agreements: BLK 2025 (in), LPK until 31 July (out), LPK from 31 August (in), BLK from
  1 September (out).
Facility O (`other_facility`) holds one closed program in August with a held session, two
participants, a certificate and an agreement: none of it is F's.
"""

import datetime
import itertools
from decimal import Decimal

import pytest

from attendance.models import AttendanceRecord
from certificates.models import Certificate
from lapas_training.models import Facility
from lapas_training.reports import figures
from lapas_training.reports.periods import Period
from programs.models import Enrollment, Program, ProgramPartner, SkillCategory
from tests.factories import (
    EnrollmentFactory,
    FacilityFactory,
    InmateFactory,
    PartnerAgreementFactory,
    PartnerFactory,
    ProgramFactory,
    ProgramPartnerFactory,
    TrainingSessionFactory,
)

AUGUST = Period.month(2025, 8)
Q3 = Period.quarter(2025, 3)
D = datetime.date
T = datetime.time
# Certificate numbers are unique across facilities: one counter for every test.
SEQUENCES = itertools.count(1)
JAKARTA = datetime.timezone(datetime.timedelta(hours=7))


def held(program, day, start, end, marks):
    """A held session of `program` with {enrolment: status} marks."""
    session = TrainingSessionFactory(
        program=program, date=day, start_time=start, end_time=end, status="held"
    )
    AttendanceRecord.objects.bulk_create(
        AttendanceRecord(session=session, enrollment=enrollment, status=status)
        for enrollment, status in marks.items()
    )
    return session


def ended(program, status, **extra):
    return EnrollmentFactory(
        program=program, status=status, ended_on=D(2025, 8, 6), end_reason="left", **extra
    )


def certificate(enrollment, kind, issued_on, by, **extra):
    """A certificate printed with `issued_on` and recorded two days later."""
    sequence = next(SEQUENCES)
    return Certificate.objects.create(
        enrollment=enrollment,
        facility=enrollment.program.facility,
        kind=kind,
        year=issued_on.year,
        sequence=sequence,
        number=f"{sequence:03d}/TEST/2025",
        verification_code=f"code-{sequence}",
        snapshot={"issued_on": issued_on.isoformat()},
        issued_at=datetime.datetime.combine(issued_on, T(10), JAKARTA) + datetime.timedelta(days=2),
        issued_by=by,
        **extra,
    )


@pytest.fixture
def world(facility, other_facility, partner, other_partner, admin_user, outside_admin):
    budi = InmateFactory(facility=facility, full_name="Budi Santoso")
    program_a = ProgramFactory(
        facility=facility,
        title="Aksesoris",
        status=Program.Status.COMPLETED,
        start_date=D(2025, 8, 4),
        end_date=D(2025, 8, 8),
    )
    ProgramPartnerFactory(program=program_a, partner=partner)
    ProgramPartnerFactory(
        program=program_a, partner=other_partner, role=ProgramPartner.Role.CO_TRAINER
    )
    e1 = EnrollmentFactory(program=program_a, inmate=budi, status=Enrollment.Status.COMPLETED)
    e2 = ended(program_a, Enrollment.Status.NOT_COMPLETED)
    e3 = ended(program_a, Enrollment.Status.WITHDRAWN)
    e4 = ended(program_a, Enrollment.Status.RELEASED)
    e5 = ended(program_a, Enrollment.Status.TRANSFERRED)
    held(program_a, D(2025, 8, 4), T(8), T(12), {e1: "H", e2: "T", e3: "A", e4: "sidang"})
    held(program_a, D(2025, 8, 5), T(8), T(11), {e1: "H", e2: "S", e3: "I", e4: "besukan"})
    TrainingSessionFactory(program=program_a, date=D(2025, 8, 6))

    program_b = ProgramFactory(
        facility=facility,
        title="Menjahit",
        skill_category=SkillCategory.SEWING,
        start_date=D(2025, 7, 28),
        end_date=D(2025, 9, 30),
    )
    ProgramPartnerFactory(program=program_b, partner=other_partner)
    f1 = EnrollmentFactory(program=program_b, inmate=budi)
    f6 = EnrollmentFactory(program=program_b, inmate__full_name="Sari")
    held(program_b, D(2025, 7, 30), T(13), T(15), {f1: "H", f6: "A"})
    held(program_b, D(2025, 8, 12), T(8), T(12), {f1: "klinik", f6: "T"})
    held(program_b, D(2025, 9, 2), T(9), T(10, 30), {f1: "H", f6: "H"})

    program_c = ProgramFactory(
        facility=facility,
        title="Anyaman",
        status=Program.Status.COMPLETED,
        start_date=D(2025, 9, 1),
        end_date=D(2025, 9, 15),
    )
    EnrollmentFactory.create_batch(2, program=program_c, status=Enrollment.Status.COMPLETED)

    completion, participation = Certificate.Kind.COMPLETION, Certificate.Kind.PARTICIPATION
    revoked = datetime.datetime(2025, 8, 13, 9, tzinfo=JAKARTA)
    certificate(
        e1,
        completion,
        D(2025, 8, 9),
        admin_user,
        revoked_at=revoked,
        revoked_by=admin_user,
        revocation_reason="Salah nama",
    )
    certificate(e1, completion, D(2025, 8, 11), admin_user)
    certificate(e4, participation, D(2025, 8, 7), admin_user)
    certificate(e5, participation, D(2025, 8, 1), admin_user)
    certificate(e3, participation, D(2025, 9, 1), admin_user)
    certificate(
        program_c.enrollments.first(),
        completion,
        D(2025, 9, 16),
        admin_user,
    )

    PartnerAgreementFactory(partner=partner, valid_from=D(2025, 1, 1), valid_to=D(2025, 12, 31))
    PartnerAgreementFactory(
        partner=other_partner, valid_from=D(2024, 1, 1), valid_to=D(2025, 7, 31)
    )
    PartnerAgreementFactory(
        partner=other_partner, valid_from=D(2025, 8, 31), valid_to=D(2026, 8, 30)
    )
    PartnerAgreementFactory(partner=partner, valid_from=D(2025, 9, 1), valid_to=D(2026, 8, 31))

    # The other facility: everything in August, nothing of it F's.
    outside = ProgramFactory(
        facility=other_facility,
        title="Budidaya Lele",
        skill_category=SkillCategory.FISHERY,
        status=Program.Status.COMPLETED,
        start_date=D(2025, 8, 4),
        end_date=D(2025, 8, 8),
    )
    outside_partner = PartnerFactory(facility=other_facility, name="UMKM Lele Jaya")
    ProgramPartnerFactory(program=outside, partner=outside_partner)
    o1 = EnrollmentFactory(program=outside, status=Enrollment.Status.COMPLETED)
    o2 = ended(outside, Enrollment.Status.WITHDRAWN)
    held(outside, D(2025, 8, 5), T(8), T(10), {o1: "H", o2: "razia"})
    certificate(o1, completion, D(2025, 8, 9), outside_admin)
    PartnerAgreementFactory(
        partner=outside_partner, valid_from=D(2025, 1, 1), valid_to=D(2025, 12, 31)
    )
    return {"a": program_a, "b": program_b, "c": program_c, "outside": outside}


def only(facility):
    return Facility.objects.filter(pk=facility.pk)


def test_summary_of_august_counts_by_hand(world, facility):
    assert figures.summary(only(facility), AUGUST) == figures.Summary(
        # Budi, e2, e3, e4 in A and Sari in B (e5 never attended).
        participants=5,
        # a1, a2, b2; 5 + 4 + 5 JP.
        sessions_held=3,
        jp_delivered=14,
        # 10 records, 3 custody; H/T: a1 e1 e2, a2 e1, b2 f6 = 4 of 7.
        attendance_rate=Decimal("57.1"),
        # Program A: e1 completed of e1, e2, e3 (e4 released, e5 transferred not counted).
        completed=1,
        completion_base=3,
        completion_rate=Decimal("33.3"),
        # 9 and 11 August (the first revoked); e5's on 1 August, e4's on 7 August.
        certificates_issued=2,
        statements_issued=2,
        # BLK 2025 and LPK from 31 August.
        active_agreements=2,
    )


def test_summary_of_the_quarter_counts_by_hand(world, facility):
    result = figures.summary(only(facility), Q3)
    # Sessions a1, a2, b1, b2, b3: 5 + 4 + 2 + 5 + 2 JP.
    assert (result.sessions_held, result.jp_delivered, result.participants) == (5, 18, 5)
    # 14 records, 3 custody, 7 H/T: 63.63... truncated.
    assert result.attendance_rate == Decimal("63.6")
    # A's 1 of 3 and C's 2 of 2.
    assert (result.completed, result.completion_base, result.completion_rate) == (
        3,
        5,
        Decimal("60.0"),
    )
    # Plus the September certificate and statement.
    assert (result.certificates_issued, result.statements_issued) == (3, 3)
    # All four agreements touch the quarter, LPK's ending 31 July too.
    assert result.active_agreements == 4


def test_summary_of_an_empty_period_is_zero_without_rates(world, facility):
    result = figures.summary(only(facility), Period.month(2024, 1))
    assert result == figures.Summary(0, 0, 0, None, 0, 0, None, 0, 0, 1)


def test_attendance_by_month_counts_each_status_group(world, facility):
    july, august, september = figures.period_figures(only(facility), Q3).months
    assert july == figures.MonthAttendance(D(2025, 7, 1), 1, 0, 0, 0, 1, 0)
    assert july.rate == Decimal("50.0")
    assert august == figures.MonthAttendance(
        D(2025, 8, 1), present=2, late=2, excused=1, sick=1, absent=1, custody=3
    )
    assert august.rate == Decimal("57.1")
    assert september == figures.MonthAttendance(D(2025, 9, 1), 2, 0, 0, 0, 0, 0)
    assert september.rate == Decimal("100.0")


def test_attendance_by_month_lists_empty_months(world, facility):
    rows = figures.period_figures(only(facility), Period.year(2025)).months
    assert [row.month.month for row in rows] == list(range(1, 13))
    assert rows[0].total == 0
    assert rows[0].rate is None


def test_completion_by_program_counts_each_outcome(world, facility):
    assert figures.completion_by_program(only(facility), AUGUST) == [
        figures.ProgramCompletion(
            program_id=world["a"].pk,
            title="Aksesoris",
            facility_name=facility.name,
            enrolled=5,
            completed=1,
            not_completed=1,
            withdrawn=1,
            released_or_transferred=2,
        )
    ]
    rows = figures.completion_by_program(only(facility), Q3)
    assert [(row.title, row.rate) for row in rows] == [
        ("Aksesoris", Decimal("33.3")),
        ("Anyaman", Decimal("100.0")),
    ]


def test_participants_by_partner_counts_a_person_once_per_partner(world, facility):
    # LPK teaches A and B: e1-e4's inmates and Sari, Budi once. BLK teaches A only.
    result = figures.participants_by_partner(only(facility), AUGUST)
    assert [(count.label, count.value) for count in result] == [
        ("LPK Multi Karya", 5),
        ("BLK Kota Palangka Raya", 4),
    ]


def test_participants_by_skill_counts_distinct_people(world, facility):
    result = figures.period_figures(only(facility), AUGUST).by_skill
    assert [(count.key, count.label, count.value) for count in result] == [
        ("handicraft", "Handicraft", 4),
        ("sewing", "Sewing and tailoring", 2),
    ]


def test_custody_reasons_count_records_of_each_reason(world, facility):
    result = {
        count.key: count.value for count in figures.period_figures(only(facility), AUGUST).custody
    }
    assert result == {
        "sidang": 1,
        "besukan": 1,
        "klinik": 1,
        "razia": 0,
        "mutasi": 0,
        "bebas": 0,
    }


def test_by_facility_groups_each_facility_apart(world, facility, other_facility):
    empty = FacilityFactory(name="Zz Lapas Tanpa Kegiatan")
    both = Facility.objects.filter(pk__in=[facility.pk, other_facility.pk, empty.pk])
    rows = figures.by_facility(both, AUGUST)
    assert [row.facility for row in rows] == [facility, other_facility, empty]
    ours, theirs, nothing = rows
    assert (ours.participants, ours.sessions_held, ours.jp_delivered) == (5, 3, 14)
    assert ours.attendance_rate == Decimal("57.1")
    assert ours.completion_rate == Decimal("33.3")
    # O: o1 H and o2 razia (custody): 1 of 1; o1 completed of o1 and o2 (withdrawn).
    assert theirs == figures.FacilityRow(
        facility=other_facility,
        participants=2,
        sessions_held=1,
        jp_delivered=2,
        attendance_rate=Decimal("100.0"),
        completed=1,
        completion_base=2,
        completion_rate=Decimal("50.0"),
        certificates_issued=1,
        statements_issued=0,
        active_agreements=1,
    )
    assert nothing.participants == 0
    assert nothing.attendance_rate is None


def test_figures_of_two_facilities_add_up(world, facility, other_facility):
    both = Facility.objects.filter(pk__in=[facility.pk, other_facility.pk])
    result = figures.summary(both, AUGUST)
    assert (result.participants, result.sessions_held, result.certificates_issued) == (7, 4, 3)
    # 4 + 1 attended of 7 + 1 counted.
    assert result.attendance_rate == Decimal("62.5")
    # Handicraft 4; fishery and sewing 2 each, a tie ordered by name.
    assert [(c.label, c.value) for c in figures.period_figures(both, AUGUST).by_skill] == [
        ("Handicraft", 4),
        ("Fishery", 2),
        ("Sewing and tailoring", 2),
    ]


def test_figures_cost_a_fixed_number_of_queries(world, facility, django_assert_num_queries):
    facilities = only(facility)
    # Records, time slots, enrolments of closed programs, certificates, agreements.
    with django_assert_num_queries(5):
        figures.summary(facilities, Q3)
    # The same five grouped by facility, and the facilities.
    with django_assert_num_queries(6):
        figures.by_facility(Facility.objects.all(), Q3)
    # Records by month and status, participants overall and by skill, by partner, time
    # slots, completion by program, certificates, agreements.
    with django_assert_num_queries(7):
        figures.period_figures(facilities, Q3)
    with django_assert_num_queries(1):
        figures.completion_by_program(facilities, Q3)
    with django_assert_num_queries(1):
        figures.participants_by_partner(facilities, Q3)


@pytest.mark.parametrize("period", [AUGUST, Q3, Period.year(2025), Period.month(2024, 1)])
def test_period_figures_sum_up_to_the_summary(world, facility, other_facility, period):
    # The page's summary adds up its breakdowns; it must say what figures.summary counts.
    for facilities in (only(facility), Facility.objects.all()):
        assert figures.period_figures(facilities, period).summary == figures.summary(
            facilities, period
        )


@pytest.mark.parametrize("period", [AUGUST, Q3])
def test_figures_of_every_facility_count_as_those_of_each_listed(
    world, facility, other_facility, period
):
    # Every facility is read without a facility condition (figures.of_facilities).
    listed = Facility.objects.filter(pk__in=[facility.pk, other_facility.pk])
    assert Facility.objects.count() == 2
    every = Facility.objects.all()
    assert figures.period_figures(every, period) == figures.period_figures(listed, period)
    assert figures.by_facility(every, period) == figures.by_facility(listed, period)


def test_certificates_count_by_their_printed_date(world, facility):
    # Program C's certificate is dated 16 September and was recorded on the 18th.
    printed = Period.custom(D(2025, 9, 16), D(2025, 9, 17))
    recorded = Period.custom(D(2025, 9, 18), D(2025, 9, 20))
    assert figures.summary(only(facility), printed).certificates_issued == 1
    assert figures.summary(only(facility), recorded).certificates_issued == 0
