import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from inmates.models import Inmate
from programs.models import Enrollment
from tests.factories import (
    AttendanceRecordFactory,
    EnrollmentFactory,
    InmateFactory,
    ProgramFactory,
    TrainingSessionFactory,
)
from tests.helpers import page

LIST = "inmates:inmate_list"
CREATE = "inmates:inmate_create"
DETAIL = "inmates:inmate_detail"
UPDATE = "inmates:inmate_update"

READ_ONLY = {"admin": 200, "staff": 200, "viewer": 200, "trainer": 403}
MANAGE = {"admin": 200, "staff": 200, "viewer": 403, "trainer": 403}


def url_for(name, inmate):
    return reverse(name, args=[inmate.pk]) if name in (DETAIL, UPDATE) else reverse(name)


def valid_data(**overrides):
    return {
        "registration_number": "B.I-777/2025",
        "full_name": "Agus Salim",
        "birth_date": "1990-05-17",
        "gender": "L",
        "block": "Blok C",
        "room": "12",
        "admission_date": "2024-02-01",
        "expected_release_date": "2027-02-01",
        "status": "active",
        **overrides,
    }


# Permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [LIST, CREATE, DETAIL, UPDATE])
def test_inmate_pages_anonymous_redirects_to_login(client, inmate, name):
    response = client.get(url_for(name, inmate))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [(LIST, READ_ONLY), (DETAIL, READ_ONLY), (CREATE, MANAGE), (UPDATE, MANAGE)],
)
@pytest.mark.parametrize("role", ["admin", "staff", "viewer", "trainer"])
def test_inmate_pages_by_role(client_for, users, inmate, name, expected, role):
    response = client_for(users[role]).get(url_for(name, inmate))
    assert response.status_code == expected[role]


@pytest.mark.parametrize("name", [DETAIL, UPDATE])
def test_inmate_pages_other_facility_is_404(client_for, admin_user, outside_inmate, name):
    response = client_for(admin_user).get(url_for(name, outside_inmate))
    assert response.status_code == 404


def test_inmate_post_by_viewer_is_refused(client_for, viewer_user, inmate):
    response = client_for(viewer_user).post(
        reverse(UPDATE, args=[inmate.pk]), valid_data(full_name="Changed")
    )
    assert response.status_code == 403
    inmate.refresh_from_db()
    assert inmate.full_name == "Budi Santoso"


def test_inmate_create_by_trainer_is_refused(client_for, trainer_user, facility):
    response = client_for(trainer_user).post(reverse(CREATE), valid_data())
    assert response.status_code == 403
    assert not Inmate.objects.exists()


def test_inmate_update_other_facility_post_is_404(client_for, admin_user, outside_inmate):
    response = client_for(admin_user).post(
        reverse(UPDATE, args=[outside_inmate.pk]), valid_data(full_name="Changed")
    )
    assert response.status_code == 404
    outside_inmate.refresh_from_db()
    assert outside_inmate.full_name == "Rahmat Hidayat"


# List ---------------------------------------------------------------------------------------


def test_inmate_list_shows_only_own_facility(client_for, viewer_user, inmate, outside_inmate):
    page = client_for(viewer_user).get(reverse(LIST)).content.decode()
    assert inmate.full_name in page
    assert inmate.registration_number in page
    assert outside_inmate.full_name not in page


def test_inmate_list_shows_columns(client_for, staff_user, facility, program, other_program):
    inmate = InmateFactory(
        facility=facility,
        full_name="Siti Aminah",
        gender=Inmate.Gender.FEMALE,
        block="Blok W",
        room="3",
        status=Inmate.Status.RELEASED,
        expected_release_date=datetime.date(2026, 1, 15),
    )
    EnrollmentFactory(program=program, inmate=inmate)
    EnrollmentFactory(program=other_program, inmate=inmate)
    page = client_for(staff_user).get(reverse(LIST)).content.decode()
    assert "Female" in page
    assert "Blok W / 3" in page
    assert "Released" in page
    assert "15 January 2026" in page
    assert '<td class="text-end">2</td>' in page
    assert f'<a href="{reverse(DETAIL, args=[inmate.pk])}">Siti Aminah</a>' in page
    assert '<span class="badge text-bg-secondary">Released</span>' in page


def test_inmate_list_labels_rows_in_the_users_language(client_for, staff_user, facility):
    InmateFactory(facility=facility, gender=Inmate.Gender.MALE, status=Inmate.Status.ACTIVE)
    staff_user.language = "id"
    staff_user.save(update_fields=["language"])
    page = client_for(staff_user).get(reverse(LIST)).content.decode()
    assert "<td>Laki-laki</td>" in page
    assert '<span class="badge text-bg-success">Dalam pembinaan</span>' in page


@pytest.mark.parametrize("term", ["santoso", "B.I-4242"])
def test_inmate_list_search_by_name_or_number(client_for, admin_user, facility, term):
    InmateFactory(facility=facility, full_name="Budi Santoso", registration_number="B.I-4242/2025")
    InmateFactory(facility=facility, full_name="Joko Widodo", registration_number="B.II-1/2025")
    page = client_for(admin_user).get(reverse(LIST), {"q": term}).content.decode()
    assert "Budi Santoso" in page
    assert "Joko Widodo" not in page


def test_inmate_list_filters_by_status_and_block(client_for, admin_user, facility):
    InmateFactory(facility=facility, full_name="Andi Active A", block="Blok A")
    InmateFactory(facility=facility, full_name="Bima Active B", block="Blok B")
    InmateFactory(
        facility=facility, full_name="Candra Released A", block="Blok A", status="released"
    )
    client = client_for(admin_user)

    page = client.get(reverse(LIST), {"status": "active", "block": "Blok A"}).content.decode()
    assert "Andi Active A" in page
    assert "Bima Active B" not in page
    assert "Candra Released A" not in page

    page = client.get(reverse(LIST), {"status": "released"}).content.decode()
    assert "Candra Released A" in page
    assert "Andi Active A" not in page


def test_inmate_list_block_choices_are_the_facilitys(
    client_for, admin_user, facility, other_facility
):
    InmateFactory(facility=facility, block="Blok Mawar")
    InmateFactory(facility=other_facility, block="Blok Rahasia")
    page = client_for(admin_user).get(reverse(LIST)).content.decode()
    assert '<option value="Blok Mawar">Blok Mawar</option>' in page
    assert "Blok Rahasia" not in page


def test_inmate_list_unknown_filter_values_are_ignored(client_for, admin_user, inmate):
    response = client_for(admin_user).get(
        reverse(LIST), {"status": "escaped", "block": "Blok Z", "q": "Budi"}
    )
    assert response.status_code == 200
    assert inmate.full_name in response.content.decode()


def test_inmate_list_hides_new_button_from_viewer(client_for, viewer_user, admin_user, facility):
    assert reverse(CREATE) not in client_for(viewer_user).get(reverse(LIST)).content.decode()
    assert reverse(CREATE) in client_for(admin_user).get(reverse(LIST)).content.decode()


def test_inmate_list_paginates_by_50(client_for, admin_user, facility):
    InmateFactory.create_batch(51, facility=facility)
    page = client_for(admin_user).get(reverse(LIST)).content.decode()
    assert "Page 1 of 2" in page
    assert "51 inmates" in page


def test_inmate_list_counts_programs_of_each_inmate_on_a_later_page(
    client_for, admin_user, facility, program, other_program
):
    InmateFactory.create_batch(50, facility=facility, full_name="Agus")
    busy = InmateFactory(facility=facility, full_name="Zainal")
    InmateFactory(facility=facility, full_name="Zulkifli")
    EnrollmentFactory(program=program, inmate=busy)
    EnrollmentFactory(program=other_program, inmate=busy)
    # Another inmate's enrolment on page 1 must not leak into the counts of page 2.
    EnrollmentFactory(program=program, inmate=Inmate.objects.filter(full_name="Agus").first())
    response = client_for(admin_user).get(reverse(LIST), {"page": 2})
    assert [(i.full_name, i.program_count) for i in response.context["inmates"]] == [
        ("Zainal", 2),
        ("Zulkifli", 0),
    ]
    assert '<td class="text-end">2</td>' in response.content.decode()


@pytest.mark.parametrize("rows", [5, 50])
def test_inmate_list_query_count_is_fixed(
    client_for, admin_user, facility, program, rows, django_assert_num_queries
):
    for inmate in InmateFactory.create_batch(rows, facility=facility, block="Blok A"):
        EnrollmentFactory(program=program, inmate=inmate)
    client = client_for(admin_user)
    # 1 session, 2 user, 3 the user's facility (scope), 4 the facility's distinct blocks,
    # 5 count for the paginator, 6 the page of inmates, 7 the program counts of the page's
    # inmates.
    with django_assert_num_queries(7):
        response = client.get(reverse(LIST), {"block": "Blok A"})
    assert response.status_code == 200
    assert response.context["inmates"][0].program_count == 1


# Detail -------------------------------------------------------------------------------------


def test_inmate_detail_shows_data_and_history_newest_first(client_for, viewer_user, inmate):
    old = ProgramFactory(
        facility=inmate.facility,
        title="Menjahit 2024",
        start_date=datetime.date(2024, 3, 4),
        end_date=datetime.date(2024, 3, 8),
    )
    new = ProgramFactory(
        facility=inmate.facility,
        title="Gelang Batu 2025",
        start_date=datetime.date(2025, 8, 4),
        end_date=datetime.date(2025, 8, 8),
    )
    EnrollmentFactory(
        program=old,
        inmate=inmate,
        status=Enrollment.Status.WITHDRAWN,
        ended_on=datetime.date(2024, 3, 6),
        end_reason="Dipindahkan ke blok lain",
    )
    EnrollmentFactory(program=new, inmate=inmate, assessment_result=Enrollment.Result.COMPETENT)
    page = client_for(viewer_user).get(reverse(DETAIL, args=[inmate.pk])).content.decode()
    assert inmate.registration_number in page
    assert page.index("Gelang Batu 2025") < page.index("Menjahit 2024")
    assert f'href="{new.get_absolute_url()}"' in page
    assert "4 August 2025 – 8 August 2025" in page
    assert "Withdrawn" in page
    assert "Dipindahkan ke blok lain" in page
    assert "Kompeten" in page


def test_inmate_detail_edit_link_only_for_managers(client_for, viewer_user, staff_user, inmate):
    edit_url = reverse(UPDATE, args=[inmate.pk])
    assert edit_url not in client_for(viewer_user).get(inmate.get_absolute_url()).content.decode()
    assert edit_url in client_for(staff_user).get(inmate.get_absolute_url()).content.decode()


def test_inmate_detail_lists_recorded_changes(client_for, admin_user, staff_user, inmate):
    client_for(staff_user).post(
        reverse(UPDATE, args=[inmate.pk]),
        valid_data(registration_number=inmate.registration_number, full_name="Budi Santoso"),
    )
    page = client_for(admin_user).get(inmate.get_absolute_url()).content.decode()
    assert "Record created." in page
    assert "Block: Blok A → Blok C" in page
    assert str(staff_user) in page


# Create -------------------------------------------------------------------------------------


def test_inmate_create_saves_in_the_users_facility(client_for, staff_user, facility):
    response = client_for(staff_user).post(reverse(CREATE), valid_data(), follow=True)
    inmate = Inmate.objects.get()
    assert inmate.facility == facility
    assert inmate.full_name == "Agus Salim"
    assert inmate.expected_release_date == datetime.date(2027, 2, 1)
    assert response.redirect_chain[-1][0] == inmate.get_absolute_url()
    assert "Agus Salim was added." in response.content.decode()


def test_inmate_create_superuser_uses_the_selected_facility(client_for, superuser, facility):
    response = client_for(superuser).post(reverse(CREATE), valid_data())
    assert response.status_code == 302
    assert Inmate.objects.get().facility == facility


def test_inmate_create_same_number_in_another_facility_is_allowed(
    client_for, admin_user, outside_inmate
):
    data = valid_data(registration_number=outside_inmate.registration_number)
    response = client_for(admin_user).post(reverse(CREATE), data)
    assert response.status_code == 302
    assert Inmate.objects.filter(registration_number=data["registration_number"]).count() == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"registration_number": "", "full_name": ""}, "This field is required."),
        ({"gender": ""}, "This field is required."),
        ({"registration_number": "B" * 51}, "at most 50 characters"),
        ({"full_name": "N" * 201}, "at most 200 characters"),
        ({"block": "B" * 51}, "at most 50 characters"),
        ({"birth_date": "2999-01-01"}, "The date of birth must be in the past."),
        ({"birth_date": "31/02/1990"}, "Enter a valid date."),
        (
            {"admission_date": "2025-06-01", "expected_release_date": "2025-05-31"},
            "The expected release date cannot be before the admission date.",
        ),
        ({"gender": "X"}, "Select a valid choice."),
    ],
)
def test_inmate_create_bad_input_shows_error_and_saves_nothing(
    client_for, admin_user, inmate, overrides, message
):
    before = Inmate.objects.count()
    response = client_for(admin_user).post(reverse(CREATE), valid_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Inmate.objects.count() == before


@pytest.mark.parametrize("number", ["B.I-0001/2025", "b.i-0001/2025"])
def test_inmate_create_duplicate_number_shows_error(client_for, admin_user, facility, number):
    InmateFactory(facility=facility, registration_number="B.I-0001/2025")
    response = client_for(admin_user).post(reverse(CREATE), valid_data(registration_number=number))
    assert response.status_code == 200
    assert "already used in this facility" in response.content.decode()
    assert Inmate.objects.count() == 1


def test_inmate_create_birth_date_today_is_refused(client_for, admin_user, facility):
    today = timezone.localdate().isoformat()
    response = client_for(admin_user).post(reverse(CREATE), valid_data(birth_date=today))
    assert "The date of birth must be in the past." in response.content.decode()
    assert not Inmate.objects.exists()


def test_inmate_create_form_asks_only_the_minimum(client_for, admin_user, facility):
    response = client_for(admin_user).get(reverse(CREATE))
    assert list(response.context["form"].fields) == [
        "registration_number",
        "full_name",
        "birth_date",
        "gender",
        "block",
        "room",
        "admission_date",
        "expected_release_date",
        "photo",
    ]
    assert 'name="facility"' not in response.content.decode()


# Update -------------------------------------------------------------------------------------


def test_inmate_update_saves_changes(client_for, staff_user, inmate):
    data = valid_data(registration_number=inmate.registration_number, status="released")
    response = client_for(staff_user).post(reverse(UPDATE, args=[inmate.pk]), data, follow=True)
    inmate.refresh_from_db()
    # The status is not a form field: only "Record release or transfer" changes it.
    assert inmate.status == Inmate.Status.ACTIVE
    assert inmate.full_name == "Agus Salim"
    assert "The changes to Agus Salim were saved." in response.content.decode()


def test_inmate_update_duplicate_number_shows_error(client_for, admin_user, facility, inmate):
    InmateFactory(facility=facility, registration_number="B.I-9999/2025")
    response = client_for(admin_user).post(
        reverse(UPDATE, args=[inmate.pk]), valid_data(registration_number="B.I-9999/2025")
    )
    assert response.status_code == 200
    assert "already used in this facility" in response.content.decode()
    inmate.refresh_from_db()
    assert inmate.registration_number != "B.I-9999/2025"
    assert inmate.full_name == "Budi Santoso"


def test_inmate_update_bad_dates_change_nothing(client_for, admin_user, inmate):
    data = valid_data(
        registration_number=inmate.registration_number,
        admission_date="2025-06-01",
        expected_release_date="2024-01-01",
    )
    response = client_for(admin_user).post(reverse(UPDATE, args=[inmate.pk]), data)
    assert "cannot be before the admission date" in response.content.decode()
    inmate.refresh_from_db()
    assert inmate.full_name == "Budi Santoso"
    assert inmate.admission_date is None


def test_inmate_list_filters_who_took_part_in_training_between(
    client_for, viewer_user, facility, program, other_program, partner
):
    """The reports link their participant counts here: an attendance record in a held
    session of those days, optionally of one partner's or one skill's programs."""
    other_program.skill_category = "sewing"
    other_program.save()
    august = TrainingSessionFactory(program=program, date=datetime.date(2025, 8, 4), status="held")
    sewing = TrainingSessionFactory(
        program=other_program, date=datetime.date(2025, 8, 5), status="held"
    )
    planned = TrainingSessionFactory(program=program, date=datetime.date(2025, 8, 6))
    july = TrainingSessionFactory(program=program, date=datetime.date(2025, 7, 30), status="held")
    for name, session in [
        ("Agus Handicraft", august),
        ("Sari Menjahit", sewing),
        ("Tono Terjadwal", planned),
        ("Joko Juli", july),
    ]:
        AttendanceRecordFactory(
            session=session,
            enrollment=EnrollmentFactory(
                program=session.program, inmate=InmateFactory(facility=facility, full_name=name)
            ),
        )
    client = client_for(viewer_user)
    url = reverse("inmates:inmate_list")
    august_range = {"trained_from": "2025-08-01", "trained_to": "2025-08-31"}

    def listed(**extra):
        html = page(client.get(url, {**august_range, **extra}))
        names = ["Agus Handicraft", "Sari Menjahit", "Tono Terjadwal", "Joko Juli"]
        return {name for name in names if name in html}

    assert listed() == {"Agus Handicraft", "Sari Menjahit"}
    assert listed(trained_partner=partner.pk) == {"Agus Handicraft"}
    assert listed(trained_skill="sewing") == {"Sari Menjahit"}


def test_inmate_list_training_filter_reads_only_the_facilitys_sessions(
    client_for, viewer_user, facility, other_facility, program
):
    """The list stands behind the reports' participant counts, which count the facility's
    programs: training elsewhere (before a transfer) does not list an inmate here."""
    inmate = InmateFactory(facility=facility, full_name="Rudi Pindahan")
    elsewhere = TrainingSessionFactory(
        program=ProgramFactory(facility=other_facility),
        date=datetime.date(2025, 8, 4),
        status="held",
    )
    AttendanceRecordFactory(
        session=elsewhere, enrollment=EnrollmentFactory(program=elsewhere.program, inmate=inmate)
    )
    url = reverse("inmates:inmate_list")
    august = {"trained_from": "2025-08-01", "trained_to": "2025-08-31"}
    client = client_for(viewer_user)
    assert "Rudi Pindahan" not in page(client.get(url, august))
    here = TrainingSessionFactory(program=program, date=datetime.date(2025, 8, 5), status="held")
    AttendanceRecordFactory(
        session=here, enrollment=EnrollmentFactory(program=program, inmate=inmate)
    )
    assert "Rudi Pindahan" in page(client.get(url, august))


def test_inmate_list_reversed_training_range_shows_error(client_for, viewer_user, inmate):
    html = page(
        client_for(viewer_user).get(
            reverse("inmates:inmate_list"),
            {"trained_from": "2025-08-31", "trained_to": "2025-08-01"},
        )
    )
    assert "The end date must not be before the start date." in html
    assert inmate.full_name in html
