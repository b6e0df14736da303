import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from inmates.models import Inmate
from programs.models import Enrollment, Program
from tests.factories import EnrollmentFactory, InmateFactory, TrainingSessionFactory
from tests.helpers import assert_answer, page, shown_messages

MANAGER_TABLE = [
    (None, "login"),
    ("viewer", 403),
    ("trainer", 403),
    ("outsider", 404),
    ("admin", 200),
    ("staff", 200),
]


@pytest.fixture
def siti(facility):
    return InmateFactory(
        facility=facility,
        full_name="Siti Rahmawati",
        registration_number="B.II-045/2025",
        block="Blok C",
        expected_release_date=datetime.date(2025, 8, 6),
    )


@pytest.fixture
def enroll_url(program):
    return reverse("programs:enroll", args=[program.pk])


# --- the picker -------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "expected"), MANAGER_TABLE)
def test_enroll_access(client_for, users, enroll_url, who, expected):
    assert_answer(client_for(users.get(who)).get(enroll_url), expected)


@pytest.mark.parametrize("who", ["viewer", "trainer"])
def test_enroll_post_refused_for_readers(client_for, users, enroll_url, inmate, who):
    response = client_for(users[who]).post(enroll_url, {"inmates": [inmate.pk], "confirm": "1"})
    assert response.status_code == 403
    assert Enrollment.objects.count() == 0


def test_enroll_lists_candidates_only(
    client_for, admin_user, program, enroll_url, inmate, siti, outside_inmate
):
    released = InmateFactory(
        facility=program.facility, full_name="Agus Lepas", status=Inmate.Status.RELEASED
    )
    enrolled = EnrollmentFactory(program=program).inmate
    withdrawn = EnrollmentFactory(
        program=program,
        status=Enrollment.Status.WITHDRAWN,
        ended_on=datetime.date(2025, 8, 5),
        end_reason="Sakit",
    ).inmate

    html = page(client_for(admin_user).get(enroll_url))

    assert inmate.full_name in html
    assert "Siti Rahmawati" in html
    assert "B.II-045/2025" in html
    for hidden in [outside_inmate, released, enrolled, withdrawn]:
        assert hidden.full_name not in html
    assert "19 seats left of 20" in html
    assert 'data-filter-target="#pick-list tbody tr"' in html
    assert 'data-check-all="#pick-list input[name=inmates]"' in html


@pytest.mark.parametrize("query", ["rahma", "B.II-045"])
def test_enroll_search_by_name_or_number(client_for, admin_user, enroll_url, inmate, siti, query):
    html = page(client_for(admin_user).get(enroll_url, {"q": query}))
    assert "Siti Rahmawati" in html
    assert inmate.full_name not in html


def test_enroll_filter_by_block(client_for, admin_user, enroll_url, inmate, siti):
    html = page(client_for(admin_user).get(enroll_url, {"block": "Blok C"}))
    assert "Siti Rahmawati" in html
    assert inmate.full_name not in html
    assert '<option value="Blok A">' in html


@pytest.mark.parametrize("rows", [5, 50])
def test_enroll_query_count(
    client_for, admin_user, program, enroll_url, django_assert_num_queries, rows
):
    Inmate.objects.bulk_create(
        Inmate(
            facility=program.facility,
            registration_number=f"B.I-{n:03d}/2025",
            full_name=f"Warga Binaan {n:03d}",
            gender=Inmate.Gender.MALE,
            block=f"Blok {n % 4}",
        )
        for n in range(rows)
    )
    client = client_for(admin_user)
    # 1 session, 2 user, 3 facility, 4 program, 5 active enrolment count,
    # 6 the blocks of the filter, 7 the candidate inmates.
    with django_assert_num_queries(7):
        response = client.get(enroll_url)
    assert page(response).count('name="inmates"') == rows


@pytest.mark.parametrize("status", [Program.Status.CANCELLED, Program.Status.COMPLETED])
def test_enroll_refused_for_closed_program(client_for, admin_user, program, inmate, status):
    program.status = status
    program.closed_at = timezone.now() if status == Program.Status.COMPLETED else None
    program.save()
    response = client_for(admin_user).post(
        reverse("programs:enroll", args=[program.pk]), {"inmates": [inmate.pk], "confirm": "1"}
    )
    assert response.status_code == 302
    assert response.url == program.get_absolute_url()
    assert "A cancelled or completed program takes no new participants." in shown_messages(response)
    assert Enrollment.objects.count() == 0


# --- preview and confirm ----------------------------------------------------------------------


def test_enroll_preview_lists_chosen_with_warnings(
    client_for, admin_user, enroll_url, inmate, siti
):
    response = client_for(admin_user).post(enroll_url, {"inmates": [inmate.pk, siti.pk]})

    html = page(response)
    assert "Confirm enrolment" in html
    assert inmate.full_name in html
    assert "Siti Rahmawati" in html
    assert "table-warning" in html
    assert "Expected release on 6 August 2025, before the program ends on 8 August 2025." in html
    assert 'name="confirm" value="1"' in html
    assert "Enrol 2 inmates" in html
    assert Enrollment.objects.count() == 0


def test_enroll_preview_warns_of_overlapping_program(
    client_for, admin_user, program, other_program, enroll_url, inmate
):
    TrainingSessionFactory(program=program)
    TrainingSessionFactory(
        program=other_program, start_time=datetime.time(10, 0), end_time=datetime.time(14, 0)
    )
    EnrollmentFactory(program=other_program, inmate=inmate)

    html = page(client_for(admin_user).post(enroll_url, {"inmates": [inmate.pk]}))

    assert "Already enrolled in “Menjahit Dasar”, which has sessions at the same time." in html


def test_enroll_preview_capacity_error_has_no_confirm(
    client_for, admin_user, program, enroll_url, inmate, siti
):
    program.capacity = 2
    program.save()
    EnrollmentFactory(program=program)

    html = page(client_for(admin_user).post(enroll_url, {"inmates": [inmate.pk, siti.pk]}))

    assert "Capacity exceeded: 1 seat left, 2 inmates chosen." in html
    assert "alert-danger" in html
    assert 'name="confirm"' not in html
    assert Enrollment.objects.count() == 1


def test_enroll_confirm_enrols(client_for, staff_user, program, enroll_url, inmate, siti):
    response = client_for(staff_user).post(
        enroll_url, {"inmates": [inmate.pk, siti.pk], "confirm": "1"}
    )

    assert response.status_code == 302
    assert response.url == program.get_absolute_url()
    assert shown_messages(response) == ["2 inmates enrolled."]
    enrollments = Enrollment.objects.filter(program=program)
    assert {e.inmate for e in enrollments} == {inmate, siti}
    assert all(e.status == Enrollment.Status.ACTIVE for e in enrollments)
    assert all(e.enrolled_by == staff_user for e in enrollments)
    assert all(e.enrolled_on == timezone.localdate() for e in enrollments)
    assert Enrollment.history.filter(history_user=staff_user).count() == 2


def test_enroll_confirm_capacity_exceeded_saves_nothing(
    client_for, admin_user, program, enroll_url, inmate, siti
):
    program.capacity = 1
    program.save()

    response = client_for(admin_user).post(
        enroll_url, {"inmates": [inmate.pk, siti.pk], "confirm": "1"}
    )

    html = page(response)
    assert response.status_code == 200
    assert "Capacity exceeded (capacity 1): 0 enrolled, 2 chosen. Nobody was enrolled." in html
    assert 'name="confirm"' not in html
    assert Enrollment.objects.count() == 0


@pytest.mark.parametrize("confirm", ["", "1"])
def test_enroll_refuses_inmate_of_other_facility(
    client_for, admin_user, enroll_url, inmate, outside_inmate, confirm
):
    response = client_for(admin_user).post(
        enroll_url, {"inmates": [inmate.pk, outside_inmate.pk], "confirm": confirm}
    )
    assert response.status_code == 200
    assert "One of the chosen inmates cannot be enrolled in this program" in page(response)
    assert Enrollment.objects.count() == 0


def test_enroll_refuses_already_enrolled(client_for, admin_user, program, enroll_url, inmate):
    EnrollmentFactory(program=program, inmate=inmate)
    response = client_for(admin_user).post(enroll_url, {"inmates": [inmate.pk], "confirm": "1"})
    assert "One of the chosen inmates cannot be enrolled in this program" in page(response)
    assert Enrollment.objects.count() == 1


@pytest.mark.parametrize(
    ("chosen", "message"),
    [([], "Choose at least one inmate."), (["abc"], "“abc” is not an inmate.")],
)
def test_enroll_bad_selection(client_for, admin_user, enroll_url, inmate, chosen, message):
    response = client_for(admin_user).post(enroll_url, {"inmates": chosen, "confirm": "1"})
    assert message in page(response)
    assert Enrollment.objects.count() == 0


def test_enroll_back_keeps_the_selection(client_for, admin_user, enroll_url, inmate, siti):
    html = page(client_for(admin_user).post(enroll_url, {"inmates": [siti.pk], "back": "1"}))
    assert f'value="{siti.pk}" id="inmate-{siti.pk}" checked' in html
    assert f'value="{inmate.pk}" id="inmate-{inmate.pk}">' in html
    assert Enrollment.objects.count() == 0


# --- withdraw ---------------------------------------------------------------------------------


@pytest.fixture
def enrollment(program, inmate):
    return EnrollmentFactory(program=program, inmate=inmate)


@pytest.fixture
def withdraw_url(enrollment):
    return reverse("programs:enrollment_withdraw", args=[enrollment.pk])


@pytest.mark.parametrize(("who", "expected"), MANAGER_TABLE)
def test_enrollment_withdraw_access(client_for, users, withdraw_url, who, expected):
    assert_answer(client_for(users.get(who)).get(withdraw_url), expected)


def test_enrollment_withdraw_form_proposes_today(client_for, admin_user, withdraw_url, inmate):
    html = page(client_for(admin_user).get(withdraw_url))
    assert inmate.full_name in html
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in html


def test_enrollment_withdraw_saves(client_for, staff_user, program, enrollment, withdraw_url):
    response = client_for(staff_user).post(
        withdraw_url, {"ended_on": "2025-08-06", "end_reason": "Dipindahkan ke blok lain"}
    )

    assert response.status_code == 302
    assert response.url == program.get_absolute_url()
    assert shown_messages(response) == [f"{enrollment.inmate} was withdrawn from the program."]
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN
    assert enrollment.ended_on == datetime.date(2025, 8, 6)
    assert enrollment.end_reason == "Dipindahkan ke blok lain"
    assert enrollment.history.first().history_user == staff_user


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"ended_on": "2025-08-06", "end_reason": ""}, "Give a reason for withdrawal."),
        ({"ended_on": "", "end_reason": "Sakit"}, "This field is required."),
        (
            {"ended_on": "2025-08-01", "end_reason": "Sakit"},
            "The withdrawal date cannot be before the enrolment on 4 August 2025.",
        ),
        ({"ended_on": "2025-08-06", "end_reason": "x" * 1001}, "at most 1000 characters"),
    ],
)
def test_enrollment_withdraw_bad_input(
    client_for, admin_user, enrollment, withdraw_url, data, message
):
    response = client_for(admin_user).post(withdraw_url, data)
    assert response.status_code == 200
    assert message in page(response)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE
    assert enrollment.end_reason == ""


def test_enrollment_withdraw_refuses_future_date(client_for, admin_user, enrollment, withdraw_url):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client_for(admin_user).post(
        withdraw_url, {"ended_on": f"{tomorrow:%Y-%m-%d}", "end_reason": "Bebas"}
    )
    assert "The withdrawal date cannot be in the future." in page(response)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE


def test_enrollment_withdraw_only_active(client_for, admin_user, program, enrollment, withdraw_url):
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.ended_on = datetime.date(2025, 8, 5)
    enrollment.end_reason = "Sakit"
    enrollment.save()

    response = client_for(admin_user).post(
        withdraw_url, {"ended_on": "2025-08-07", "end_reason": "Lagi"}
    )

    assert response.status_code == 302
    assert shown_messages(response) == ["Only an active enrolment can be withdrawn."]
    enrollment.refresh_from_db()
    assert enrollment.ended_on == datetime.date(2025, 8, 5)
    assert enrollment.end_reason == "Sakit"
