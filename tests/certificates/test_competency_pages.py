"""The competency pages: a program's units and recording a participant's assessment."""

import datetime

import pytest
from django.urls import reverse

from certificates.models import CompetencyAssessment, CompetencyResult, CompetencyUnit
from lapas_training.models import Role
from tests.certificates.competency_rows import BELUM, KOMPETEN, assess, make_units
from tests.factories import EnrollmentFactory, InmateFactory, UserFactory
from tests.helpers import assert_answer, page, shown_messages


@pytest.fixture
def enrollment(program, inmate):
    return EnrollmentFactory(program=program, inmate=inmate)


@pytest.fixture
def units(program):
    return make_units(program)


def assessment_data(units, **changes):
    data = {
        "assessed_on": "2025-09-15",
        "lsp_name": "LSP P1 BLK Palangka Raya",
        "assessor_name": "Rina Marlina",
        "assessor_registration": "MET.000.004512 2021",
        "certificate_number": "LSP-001/IX/2025",
        "valid_until": "2028-09-15",
        f"unit_{units[0].pk}": KOMPETEN,
        f"unit_{units[1].pk}": BELUM,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


ROLES = [
    (None, "login"),
    ("trainer", 403),
    ("viewer", 403),
    ("outsider", 404),
    ("staff", 200),
    ("admin", 200),
]


@pytest.mark.parametrize(("who", "status"), ROLES)
def test_competency_units_page_permissions(client_for, users, program, who, status):
    response = client_for(users.get(who)).get(
        reverse("certificates:competency_units", args=[program.pk])
    )

    assert_answer(response, status)


@pytest.mark.parametrize(("who", "status"), ROLES)
def test_competency_participant_page_permissions(client_for, users, enrollment, who, status):
    response = client_for(users.get(who)).get(
        reverse("certificates:competency_participant", args=[enrollment.pk])
    )

    assert_answer(response, status)


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, "login"), ("trainer", 403), ("viewer", 403), ("outsider", 404), ("staff", 302)],
)
def test_competency_unit_delete_permissions(client_for, users, units, who, status):
    response = client_for(users.get(who)).post(
        reverse("certificates:competency_unit_delete", args=[units[0].pk])
    )

    assert_answer(response, status)
    assert CompetencyUnit.objects.filter(pk=units[0].pk).exists() == (status != 302)


def test_competency_unit_delete_get_not_allowed(client_for, staff_user, units):
    response = client_for(staff_user).get(
        reverse("certificates:competency_unit_delete", args=[units[0].pk])
    )

    assert response.status_code == 405


@pytest.mark.parametrize("who", ["trainer", "viewer", "outsider"])
def test_competency_pages_post_outside_the_role_records_nothing(
    client_for, users, enrollment, units, who
):
    client = client_for(users[who])
    client.post(
        reverse("certificates:competency_units", args=[enrollment.program_id]),
        {"code": "X.1", "title": "X", "standard": "skkni"},
    )
    client.post(
        reverse("certificates:competency_participant", args=[enrollment.pk]),
        assessment_data(units),
    )

    assert CompetencyUnit.objects.count() == 2
    assert not CompetencyAssessment.objects.exists()


def test_competency_units_staff_adds_a_unit(client_for, staff_user, program):
    response = client_for(staff_user).post(
        reverse("certificates:competency_units", args=[program.pk]),
        {"code": " C.10PBJ00.001.1 ", "title": "Merangkai gelang", "standard": "skkni"},
        follow=True,
    )

    unit = CompetencyUnit.objects.get()
    assert (unit.program, unit.code, unit.title) == (program, "C.10PBJ00.001.1", "Merangkai gelang")
    assert "Unit C.10PBJ00.001.1 added." in shown_messages(response)
    assert "Merangkai gelang" in page(response)
    assert unit.history.get().history_user == staff_user


def test_competency_units_duplicate_code_refused(client_for, staff_user, program, units):
    response = client_for(staff_user).post(
        reverse("certificates:competency_units", args=[program.pk]),
        {"code": "c.10pbj00.001.1", "title": "Another", "standard": "skkni"},
    )

    assert response.status_code == 200
    assert "This program already has a unit with this code." in page(response)
    assert CompetencyUnit.objects.count() == 2


def test_competency_units_bad_standard_refused_in_indonesian(
    client_for, staff_user, program, settings
):
    settings.LANGUAGE_CODE = "id"
    response = client_for(staff_user).post(
        reverse("certificates:competency_units", args=[program.pk]),
        {"code": "C.1", "title": "A", "standard": "iso"},
    )

    assert response.status_code == 200
    assert "Masukkan pilihan yang valid." in page(response)
    assert not CompetencyUnit.objects.exists()


def test_competency_unit_with_results_cannot_be_deleted(client_for, staff_user, enrollment, units):
    assess(enrollment, staff_user, {units[0]: KOMPETEN})

    response = client_for(staff_user).post(
        reverse("certificates:competency_unit_delete", args=[units[0].pk]), follow=True
    )

    assert CompetencyUnit.objects.filter(pk=units[0].pk).exists()
    assert "Unit C.10PBJ00.001.1 has recorded results and cannot be deleted." in shown_messages(
        response
    )


def test_competency_participant_records_an_assessment(client_for, staff_user, enrollment, units):
    response = client_for(staff_user).post(
        reverse("certificates:competency_participant", args=[enrollment.pk]),
        assessment_data(units),
        follow=True,
    )

    assessment = CompetencyAssessment.objects.get()
    assert assessment.enrollment == enrollment
    assert assessment.recorded_by == staff_user
    assert assessment.valid_until == datetime.date(2028, 9, 15)
    assert dict(CompetencyResult.objects.values_list("unit__code", "result")) == {
        "C.10PBJ00.001.1": KOMPETEN,
        "C.10PBJ00.002.1": BELUM,
    }
    assert "Assessment of Budi Santoso recorded." in shown_messages(response)
    # Back on the program's units page: one of two units achieved, with the LSP's number.
    assert "1 of 2" in page(response)
    assert "LSP-001/IX/2025" in page(response)


def test_competency_participant_unmarked_unit_not_recorded(
    client_for, staff_user, enrollment, units
):
    client_for(staff_user).post(
        reverse("certificates:competency_participant", args=[enrollment.pk]),
        assessment_data(units, **{f"unit_{units[1].pk}": None}),
    )

    assert list(CompetencyResult.objects.values_list("unit", flat=True)) == [units[0].pk]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"valid_until": "2025-09-01"}, "valid until a date after the assessment"),
        ({"assessed_on": "15-09-2025"}, "Enter a valid date."),
        ({"lsp_name": ""}, "This field is required."),
        ({"certificate_number": ""}, "Give the LSP&#x27;s certificate number"),
    ],
)
def test_competency_participant_bad_input_records_nothing(
    client_for, staff_user, enrollment, units, changes, error
):
    response = client_for(staff_user).post(
        reverse("certificates:competency_participant", args=[enrollment.pk]),
        assessment_data(units, **changes),
    )

    assert response.status_code == 200
    assert error in page(response)
    assert not CompetencyAssessment.objects.exists()
    assert not CompetencyResult.objects.exists()


def test_discreet_program_refuses_an_lsp_naming_the_prison_when_recording_and_correcting(
    client_for, staff_user, enrollment, units
):
    program = enrollment.program
    program.discreet_issuing = True
    program.save(update_fields=["discreet_issuing"])
    client = client_for(staff_user)
    message = (
        "This program&#x27;s certificates are discreet: they print the LSP&#x27;s name for "
        "employers, so it may not name a prison (Lapas)."
    )

    response = client.post(
        reverse("certificates:competency_participant", args=[enrollment.pk]),
        assessment_data(units, lsp_name="LSP P1 Lapas Kasongan"),
    )
    assert message in page(response)
    assert not CompetencyAssessment.objects.exists()

    assessment = assess(enrollment, staff_user, {units[0]: KOMPETEN})
    response = client.post(
        reverse("certificates:competency_assessment_edit", args=[assessment.pk]),
        assessment_data(units, lsp_name="LSP P1 Lapas Kasongan"),
    )
    assert message in page(response)
    assessment.refresh_from_db()
    assert assessment.lsp_name == "LSP P1 BLK Palangka Raya"


def test_competency_participant_unit_of_another_program_refused(
    client_for, staff_user, enrollment, units, other_program
):
    (foreign,) = make_units(other_program, 1)
    data = assessment_data(units, **{f"unit_{units[0].pk}": None, f"unit_{units[1].pk}": None})
    data[f"unit_{foreign.pk}"] = KOMPETEN

    response = client_for(staff_user).post(
        reverse("certificates:competency_participant", args=[enrollment.pk]), data
    )

    assert "Give a result for at least one unit." in page(response)
    assert not CompetencyResult.objects.exists()


def test_competency_participant_bad_result_value_refused(client_for, staff_user, enrollment, units):
    response = client_for(staff_user).post(
        reverse("certificates:competency_participant", args=[enrollment.pk]),
        assessment_data(units, **{f"unit_{units[0].pk}": "lulus"}),
    )

    assert "Select a valid choice." in page(response)
    assert not CompetencyAssessment.objects.exists()


def test_competency_participant_without_units_says_so(client_for, staff_user, enrollment):
    response = client_for(staff_user).get(
        reverse("certificates:competency_participant", args=[enrollment.pk])
    )

    assert "This program has no competency units yet." in page(response)


def test_program_page_links_to_competency_units(client_for, staff_user, viewer_user, program):
    url = reverse("certificates:competency_units", args=[program.pk])

    assert url in page(client_for(staff_user).get(program.get_absolute_url()))
    assert url not in page(client_for(viewer_user).get(program.get_absolute_url()))


@pytest.mark.parametrize("count", [5, 50])
def test_competency_units_page_fixed_queries(
    client_for, staff_user, program, units, count, django_assert_num_queries
):
    for n in range(count):
        enrollment = EnrollmentFactory(
            program=program, inmate=InmateFactory(facility=program.facility)
        )
        if n % 2:
            assess(enrollment, staff_user, {units[0]: KOMPETEN, units[1]: BELUM})
    client = client_for(staff_user)
    url = reverse("certificates:competency_units", args=[program.pk])
    # Session, user, facility (scope), the program, its units, the enrolments with inmates,
    # their results with assessments and units.
    with django_assert_num_queries(7):
        response = client.get(url)

    assert response.status_code == 200
    assert page(response).count("Record assessment") == count


@pytest.mark.parametrize(("who", "status"), ROLES)
def test_competency_unit_edit_page_permissions(client_for, users, units, who, status):
    response = client_for(users.get(who)).get(
        reverse("certificates:competency_unit_edit", args=[units[0].pk])
    )

    assert_answer(response, status)


@pytest.mark.parametrize(("who", "status"), ROLES)
def test_competency_assessment_edit_page_permissions(
    client_for, users, staff_user, enrollment, units, who, status
):
    assessment = assess(enrollment, staff_user, {units[0]: KOMPETEN})

    response = client_for(users.get(who)).get(
        reverse("certificates:competency_assessment_edit", args=[assessment.pk])
    )

    assert_answer(response, status)


def test_competency_unit_edit_saves_with_history(client_for, admin_user, units):
    client_for(admin_user).post(
        reverse("certificates:competency_unit_edit", args=[units[0].pk]),
        {"code": "C.10PBJ00.001.2", "title": "Menyiapkan bahan", "standard": "kkni"},
    )

    units[0].refresh_from_db()
    assert (units[0].code, units[0].title, units[0].standard) == (
        "C.10PBJ00.001.2",
        "Menyiapkan bahan",
        "kkni",
    )
    before, after = units[0].history.order_by("history_date")
    assert before.code == "C.10PBJ00.001.1"
    assert after.history_user == admin_user


def test_competency_unit_edit_to_a_duplicate_code_refused(client_for, staff_user, units):
    response = client_for(staff_user).post(
        reverse("certificates:competency_unit_edit", args=[units[1].pk]),
        {"code": units[0].code, "title": "X", "standard": "skkni"},
    )

    assert "This program already has a unit with this code." in page(response)
    units[1].refresh_from_db()
    assert units[1].title == "Merangkai gelang dan kalung"


def test_competency_assessment_edit_shows_the_recorded_values(
    client_for, staff_user, enrollment, units
):
    assessment = assess(enrollment, staff_user, {units[0]: KOMPETEN, units[1]: BELUM})

    html = page(
        client_for(staff_user).get(
            reverse("certificates:competency_assessment_edit", args=[assessment.pk])
        )
    )

    assert 'value="LSP-001/2025"' in html
    assert 'value="2025-09-15"' in html
    assert f'name="unit_{units[0].pk}" id="id_unit_{units[0].pk}_0" value="kompeten" ' in html
    assert 'value="kompeten" autocomplete="off" checked' in html
    assert 'value="belum_kompeten" autocomplete="off" checked' in html


def test_competency_assessment_edit_corrects_details_and_results_with_history(
    client_for, staff_user, admin_user, enrollment, units
):
    assessment = assess(enrollment, staff_user, {units[0]: KOMPETEN, units[1]: BELUM})
    data = assessment_data(
        units,
        certificate_number="LSP-001/IX/2025",
        **{f"unit_{units[0].pk}": None, f"unit_{units[1].pk}": KOMPETEN},
    )

    response = client_for(admin_user).post(
        reverse("certificates:competency_assessment_edit", args=[assessment.pk]), data, follow=True
    )

    assessment.refresh_from_db()
    assert assessment.certificate_number == "LSP-001/IX/2025"
    assert dict(assessment.results.values_list("unit__code", "result")) == {
        "C.10PBJ00.002.1": KOMPETEN
    }
    assert "Assessment of Budi Santoso corrected." in shown_messages(response)
    changed = assessment.history.latest()
    assert (changed.history_type, changed.history_user) == ("~", admin_user)
    assert changed.prev_record.certificate_number == "LSP-001/2025"
    removed = CompetencyResult.history.get(unit_id=units[0].pk, history_type="-")
    assert removed.history_user == admin_user
    updated = CompetencyResult.history.get(unit_id=units[1].pk, history_type="~")
    assert (updated.result, updated.prev_record.result) == (KOMPETEN, BELUM)


def test_competency_assessment_edit_bad_input_changes_nothing(
    client_for, staff_user, enrollment, units
):
    assessment = assess(enrollment, staff_user, {units[0]: KOMPETEN})
    data = assessment_data(units, valid_until="2025-01-01", **{f"unit_{units[0].pk}": BELUM})

    response = client_for(staff_user).post(
        reverse("certificates:competency_assessment_edit", args=[assessment.pk]), data
    )

    assert "The certificate must be valid until a date after the assessment." in page(response)
    assessment.refresh_from_db()
    assert assessment.valid_until == datetime.date(2028, 9, 15)
    assert dict(assessment.results.values_list("unit", "result")) == {units[0].pk: KOMPETEN}
    assert assessment.history.count() == 1


def test_competency_assessment_edit_removes_a_unit_not_assessed_after_all(
    client_for, staff_user, enrollment, units
):
    assessment = assess(enrollment, staff_user, {units[0]: KOMPETEN, units[1]: BELUM})
    url = reverse("certificates:competency_assessment_edit", args=[assessment.pk])
    client = client_for(staff_user)
    # The third choice, "Not assessed", is offered when correcting, not when recording.
    assert 'value="" autocomplete="off"' in page(client.get(url))
    assert 'value="" autocomplete="off"' not in page(
        client.get(reverse("certificates:competency_participant", args=[enrollment.pk]))
    )

    client.post(url, assessment_data(units, **{f"unit_{units[1].pk}": ""}))

    assert list(assessment.results.values_list("unit", flat=True)) == [units[0].pk]


# --- The Django admin: read and corrected by the facility's admins, history shown ------------


@pytest.fixture
def admin_staff(facility):
    # Admins hold the Django admin's permissions by role (RolePermissionBackend).
    return UserFactory(username="lapas-admin", facility=facility, role=Role.ADMIN, is_staff=True)


def test_competency_admin_lists_only_the_facility_rows(
    client_for, admin_staff, staff_user, enrollment, units, outside_program
):
    assess(enrollment, staff_user, {units[0]: KOMPETEN})
    (outside_unit,) = make_units(outside_program, 1)
    outside_unit.title = "Beternak lele"
    outside_unit.save()
    client = client_for(admin_staff)

    unit_list = page(client.get(reverse("admin:certificates_competencyunit_changelist")))
    assessment_list = client.get(reverse("admin:certificates_competencyassessment_changelist"))

    assert "Menyiapkan bahan dan alat kerajinan batu" in unit_list
    assert "Beternak lele" not in unit_list
    assert assessment_list.context["cl"].result_count == 1
    outside = client.get(
        reverse("admin:certificates_competencyunit_change", args=[outside_unit.pk])
    )
    assert outside.status_code == 302


def test_competency_admin_shows_an_assessment_and_its_history(
    client_for, superuser, staff_user, enrollment, units
):
    client_for(staff_user).post(
        reverse("certificates:competency_participant", args=[enrollment.pk]),
        assessment_data(units),
    )
    assessment = CompetencyAssessment.objects.get()
    client = client_for(superuser)

    change = client.get(
        reverse("admin:certificates_competencyassessment_change", args=[assessment.pk])
    )
    history = client.get(
        reverse("admin:certificates_competencyassessment_history", args=[assessment.pk])
    )

    assert change.status_code == 200
    assert "Belum kompeten" in page(change)
    # Who recorded it, from the request (simple_history's middleware).
    assert history.context["page_obj"].object_list[0].history_user == staff_user
    # Recorded on the staff page, which checks each unit against the program.
    assert client.get(reverse("admin:certificates_competencyassessment_add")).status_code == 403
