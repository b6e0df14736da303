"""Competency units and assessments: the units achieved, recording, and the rules held."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError

from certificates.competency import (
    PeriodCounts,
    UnitCount,
    achieved,
    load_achieved,
    period_counts,
    record_assessment,
)
from certificates.models import CompetencyAssessment, CompetencyResult, CompetencyUnit
from lapas_training.models import Facility
from lapas_training.reports.periods import Period
from tests.certificates.competency_rows import BELUM, KOMPETEN, assess, make_units
from tests.factories import EnrollmentFactory


@pytest.fixture
def enrollment(program, inmate):
    return EnrollmentFactory(program=program, inmate=inmate)


def codes(groups):
    return [[unit.code for unit in group.units] for group in groups]


def test_achieved_lists_the_kompeten_units_with_the_lsp_certificate(enrollment, staff_user):
    first, second = make_units(enrollment.program)
    assess(enrollment, staff_user, {first: KOMPETEN, second: BELUM}, number="LSP-7/IX/2025")

    (group,) = achieved(enrollment)

    assert group.certificate_number == "LSP-7/IX/2025"
    assert group.lsp_name == "LSP P1 BLK Palangka Raya"
    assert group.valid_until == datetime.date(2028, 9, 15)
    assert [(u.code, u.title) for u in group.units] == [
        ("C.10PBJ00.001.1", "Menyiapkan bahan dan alat kerajinan batu")
    ]


def test_achieved_a_later_kompeten_after_belum_kompeten_counts(enrollment, staff_user):
    first, second = make_units(enrollment.program)
    assess(enrollment, staff_user, {first: KOMPETEN, second: BELUM}, number="A-1")
    assess(enrollment, staff_user, {second: KOMPETEN}, on=datetime.date(2025, 11, 3), number="A-2")

    groups = achieved(enrollment)

    assert [g.certificate_number for g in groups] == ["A-1", "A-2"]
    assert codes(groups) == [["C.10PBJ00.001.1"], ["C.10PBJ00.002.1"]]


def test_achieved_the_latest_result_of_a_unit_decides(enrollment, staff_user):
    (unit,) = make_units(enrollment.program, 1)
    assess(enrollment, staff_user, {unit: KOMPETEN}, number="A-1")
    assess(enrollment, staff_user, {unit: BELUM}, on=datetime.date(2025, 12, 1), number="")

    assert achieved(enrollment) == []


def test_achieved_nothing_without_an_assessment(enrollment):
    make_units(enrollment.program)

    assert achieved(enrollment) == []


def test_achieved_loaded_for_many_in_one_query(program, staff_user, django_assert_num_queries):
    first, second = make_units(program)
    enrollments = [EnrollmentFactory(program=program) for _ in range(3)]
    assess(enrollments[0], staff_user, {first: KOMPETEN, second: KOMPETEN})
    assess(enrollments[2], staff_user, {first: BELUM})
    with django_assert_num_queries(1):
        load_achieved(enrollments)
    with django_assert_num_queries(0):
        assert [codes(achieved(e)) for e in enrollments] == [
            [["C.10PBJ00.001.1", "C.10PBJ00.002.1"]],
            [],
            [],
        ]
    assert [e.competency_assessed for e in enrollments] == [True, False, True]


def assessment_values(enrollment, by, **changes):
    """What the recording service takes, with an ordinary LSP and `changes`."""
    return {
        "enrollment": enrollment,
        "by": by,
        "assessed_on": datetime.date(2025, 9, 15),
        "lsp_name": "LSP P1 BLK Palangka Raya",
        "assessor_name": "Rina Marlina",
        "assessor_registration": "MET.000.004512 2021",
        "certificate_number": "LSP-001/2025",
        "valid_until": datetime.date(2028, 9, 15),
        "results": {},
        **changes,
    }


def refused(enrollment, by, **changes):
    with pytest.raises(ValidationError) as error:
        record_assessment(**assessment_values(enrollment, by, **changes))
    assert not CompetencyAssessment.objects.exists()
    assert not CompetencyResult.objects.exists()
    return error.value.messages


def test_record_assessment_refuses_a_unit_of_another_program(enrollment, staff_user, other_program):
    (foreign,) = make_units(other_program, 1)

    messages = refused(enrollment, staff_user, results={foreign: KOMPETEN})

    assert messages == ["A competency unit belongs to another program."]


def test_record_assessment_refuses_an_expiry_before_the_date(enrollment, staff_user):
    (unit,) = make_units(enrollment.program, 1)

    messages = refused(
        enrollment, staff_user, results={unit: KOMPETEN}, valid_until=datetime.date(2025, 9, 1)
    )

    assert messages == ["The certificate must be valid until a date after the assessment."]


def test_record_assessment_refuses_kompeten_without_a_certificate_number(enrollment, staff_user):
    (unit,) = make_units(enrollment.program, 1)

    messages = refused(enrollment, staff_user, results={unit: KOMPETEN}, certificate_number=" ")

    assert messages == ["Give the LSP's certificate number: a unit was judged Kompeten."]


def discreet(program):
    program.discreet_issuing = True
    program.save(update_fields=["discreet_issuing"])
    return program


@pytest.mark.parametrize(
    ("lsp_name", "words"),
    [
        ("LSP P1 Lapas Narkotika Kasongan", "Lapas"),
        ("lsp p1 rutan pangkalan bun", "Rutan"),
        ("LSP Lapas Narkotika Kelas IIA Kasongan", "Lapas, Lapas Narkotika Kelas IIA Kasongan"),
        ("LSP LPN.KSG", "LPN.KSG"),
    ],
)
def test_record_assessment_refuses_an_lsp_naming_a_prison_in_a_discreet_program(
    enrollment, staff_user, lsp_name, words
):
    (unit,) = make_units(discreet(enrollment.program), 1)

    messages = refused(enrollment, staff_user, results={unit: KOMPETEN}, lsp_name=lsp_name)

    assert messages == [
        "This program's certificates are discreet: they print the LSP's name for employers, "
        f"so it may not name a prison ({words})."
    ]


def test_an_lsp_named_after_the_prison_is_fine_where_certificates_name_it(enrollment, staff_user):
    # Not discreet: the certificate names the facility anyway.
    (unit,) = make_units(enrollment.program, 1)
    assessment = record_assessment(
        **assessment_values(
            enrollment,
            staff_user,
            lsp_name="LSP P1 Lapas Narkotika Kasongan",
            results={unit: KOMPETEN},
        )
    )
    assert assessment.lsp_name == "LSP P1 Lapas Narkotika Kasongan"


def test_a_discreet_program_takes_an_lsp_whose_name_merely_contains_a_prison_word(
    enrollment, staff_user
):
    (unit,) = make_units(discreet(enrollment.program), 1)
    # Whole words only: "Rutan" is not in "Rutanusa".
    assessment = record_assessment(
        **assessment_values(
            enrollment, staff_user, lsp_name="LSP Kriya Rutanusa", results={unit: KOMPETEN}
        )
    )
    assert assessment.lsp_name == "LSP Kriya Rutanusa"


def test_record_assessment_refuses_no_result_and_a_future_date(enrollment, staff_user):
    messages = refused(enrollment, staff_user, assessed_on=datetime.date(2999, 1, 1))

    assert messages == [
        "Give a result for at least one unit.",
        "The date of assessment cannot be in the future.",
        "The certificate must be valid until a date after the assessment.",
    ]


def test_record_assessment_keeps_who_recorded_each_result_in_history(enrollment, staff_user):
    first, second = make_units(enrollment.program)

    assessment = assess(enrollment, staff_user, {first: KOMPETEN, second: BELUM})

    assert assessment.recorded_by == staff_user
    assert assessment.history.count() == 1
    results = CompetencyResult.history.filter(assessment_id=assessment.pk)
    assert sorted(results.values_list("unit_id", "result", "history_type")) == [
        (first.pk, "kompeten", "+"),
        (second.pk, "belum_kompeten", "+"),
    ]


def test_competency_unit_code_unique_per_program(program, other_program):
    CompetencyUnit.objects.create(program=program, code="C.10PBJ00.001.1", title="A")
    CompetencyUnit.objects.create(program=other_program, code="C.10PBJ00.001.1", title="A")

    with pytest.raises(IntegrityError):
        CompetencyUnit.objects.create(program=program, code="C.10PBJ00.001.1", title="B")


def test_competency_assessment_expiry_after_the_date_in_the_database(enrollment, staff_user):
    with pytest.raises(IntegrityError):
        CompetencyAssessment.objects.create(
            enrollment=enrollment,
            assessed_on=datetime.date(2025, 9, 15),
            lsp_name="LSP",
            assessor_name="A",
            assessor_registration="MET",
            valid_until=datetime.date(2025, 9, 15),
            recorded_by=staff_user,
        )


def test_competency_unit_with_results_is_protected(enrollment, staff_user):
    (unit,) = make_units(enrollment.program, 1)
    assess(enrollment, staff_user, {unit: KOMPETEN})

    with pytest.raises(ProtectedError):
        unit.delete()


def test_period_counts_hand_counted(program, other_program, outside_program, staff_user):
    # Program A: three participants assessed in September on two units; one more in October.
    first, second = make_units(program)
    # Another program of the facility has a unit of the same code and title: counted together.
    (same,) = make_units(other_program, 1)
    ahmad, budi, citra, dedi = (EnrollmentFactory(program=program) for _ in range(4))
    eko = EnrollmentFactory(program=other_program)
    assess(ahmad, staff_user, {first: KOMPETEN, second: KOMPETEN})
    assess(budi, staff_user, {first: BELUM, second: KOMPETEN})
    # Budi again, found Kompeten in the first unit: still one participant of that unit.
    assess(budi, staff_user, {first: KOMPETEN}, on=datetime.date(2025, 9, 29))
    assess(citra, staff_user, {first: BELUM}, number="")
    assess(eko, staff_user, {same: KOMPETEN})
    # Outside the period, and another facility: not counted.
    assess(dedi, staff_user, {first: KOMPETEN}, on=datetime.date(2025, 10, 1))
    (outside,) = make_units(outside_program, 1)
    assess(EnrollmentFactory(program=outside_program), staff_user, {outside: KOMPETEN})
    september = Period(datetime.date(2025, 9, 1), datetime.date(2025, 9, 30), "month")

    counts = period_counts(Facility.objects.filter(pk=program.facility_id), september)

    # Assessed: Ahmad, Budi, Citra, Eko; Kompeten in a unit: Ahmad, Budi, Eko.
    assert (counts.assessed, counts.competent) == (4, 3)
    assert counts.units == [
        # Ahmad, Budi, Citra, Eko; Kompeten: Ahmad, Budi (second time), Eko.
        UnitCount("C.10PBJ00.001.1", "Menyiapkan bahan dan alat kerajinan batu", 4, 3),
        # Ahmad, Budi; both Kompeten.
        UnitCount("C.10PBJ00.002.1", "Merangkai gelang dan kalung", 2, 2),
    ]


def test_period_counts_nothing_assessed(program, django_assert_num_queries):
    make_units(program)
    september = Period(datetime.date(2025, 9, 1), datetime.date(2025, 9, 30), "month")

    with django_assert_num_queries(2):
        counts = period_counts(Facility.objects.filter(pk=program.facility_id), september)

    assert counts == PeriodCounts(assessed=0, competent=0, units=[])
