import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from programs.models import Enrollment
from tests.factories import EnrollmentFactory, InmateFactory
from tests.helpers import assert_answer, page, shown_messages
from tests.test_accessibility import ControlCollector

FIELDS = [
    "pre_test_score",
    "post_test_score",
    "practical_score",
    "assessment_result",
    "assessment_note",
]


def row(enrollment, **values):
    """The POST data of one grid row: the enrolment's current values, overridden by `values`."""
    data = {}
    for name in FIELDS:
        value = values.get(name, getattr(enrollment, name))
        data[f"e{enrollment.pk}-{name}"] = "" if value is None else str(value)
    return data


def history_rows():
    return Enrollment.history.filter(history_type="~").count()


@pytest.fixture
def budi(program, inmate):
    return EnrollmentFactory(program=program, inmate=inmate)


@pytest.fixture
def siti(program):
    inmate = InmateFactory(
        facility=program.facility, full_name="Siti Rahmawati", registration_number="B.II-045/2025"
    )
    return EnrollmentFactory(
        program=program,
        inmate=inmate,
        pre_test_score=Decimal("60.00"),
        assessment_result=Enrollment.Result.COMPETENT,
    )


@pytest.fixture
def withdrawn(program):
    inmate = InmateFactory(facility=program.facility, full_name="Agus Mundur")
    return EnrollmentFactory(
        program=program,
        inmate=inmate,
        status=Enrollment.Status.WITHDRAWN,
        ended_on=datetime.date(2025, 8, 5),
        end_reason="Sakit",
        pre_test_score=Decimal("40.00"),
    )


@pytest.fixture
def url(program):
    return reverse("attendance:assessment", args=[program.pk])


@pytest.fixture
def cast(users, other_trainer_user, superuser):
    return {**users, "other_trainer": other_trainer_user, "superuser": superuser}


# --- who may see and save -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "login"),
        ("other_trainer", 404),
        ("outsider", 404),
        ("viewer", 200),
        ("trainer", 200),
        ("staff", 200),
        ("admin", 200),
        ("superuser", 200),
    ],
)
def test_assessment_page_access(client_for, cast, url, budi, who, expected):
    response = client_for(cast.get(who)).get(url)

    assert_answer(response, expected)
    if expected == 200:
        assert "Budi Santoso" in page(response)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "login"),
        ("other_trainer", 404),
        ("outsider", 404),
        ("viewer", 403),
        ("trainer", 302),
        ("staff", 302),
        ("admin", 302),
        ("superuser", 302),
    ],
)
def test_assessment_save_access(client_for, cast, url, budi, who, expected):
    response = client_for(cast.get(who)).post(url, row(budi, pre_test_score="70"))

    assert_answer(response, expected)
    budi.refresh_from_db()
    assert budi.pre_test_score == (Decimal("70") if expected == 302 else None)


def test_assessment_of_other_facility_is_404(client_for, admin_user, outside_program):
    enrollment = EnrollmentFactory(program=outside_program)
    url = reverse("attendance:assessment", args=[outside_program.pk])

    response = client_for(admin_user).post(url, row(enrollment, pre_test_score="70"))

    assert response.status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.pre_test_score is None


def test_assessment_other_methods_not_allowed(client_for, staff_user, url):
    assert client_for(staff_user).put(url).status_code == 405


def test_assessment_viewer_reads_without_inputs(client_for, viewer_user, url, siti):
    html = page(client_for(viewer_user).get(url))

    assert "Siti Rahmawati" in html
    assert "60.00" in html
    assert "Kompeten" in html
    assert f'name="e{siti.pk}-pre_test_score"' not in html
    assert "Save assessment" not in html
    assert "You can read the assessment" in html
    assert "Recent changes" in html


def test_assessment_trainer_sees_name_and_number_only(client_for, trainer_user, url, budi, siti):
    siti.pre_test_score = Decimal("65")
    siti.save()

    html = page(client_for(trainer_user).get(url))

    assert "Budi Santoso" in html
    assert budi.inmate.registration_number in html
    assert f'name="e{budi.pk}-pre_test_score"' in html
    assert "Blok A" not in html  # the inmate's block, one of the fields trainers never see
    assert "Recent changes" not in html


# --- the grid ---------------------------------------------------------------------------------


def test_assessment_grid_lists_participants_by_name(client_for, staff_user, url, budi, siti):
    other = EnrollmentFactory(program=siti.program, inmate__full_name="Andi Wijaya")

    html = page(client_for(staff_user).get(url))

    assert html.index("Andi Wijaya") < html.index("Budi Santoso") < html.index("Siti Rahmawati")
    for enrollment in [budi, siti, other]:
        assert f'name="e{enrollment.pk}-assessment_note"' in html
    assert 'value="60.00"' in html
    assert '<option value="kompeten" selected>Kompeten</option>' in html


def test_assessment_grid_is_labelled_and_tablet_friendly(client_for, staff_user, url, budi):
    html = page(client_for(staff_user).get(url))

    controls = ControlCollector()
    controls.feed(html)
    assert controls.controls
    assert controls.unlabelled() == []
    assert "Pre-test score for Budi Santoso" in html
    assert "Result for Budi Santoso" in html
    assert html.count('inputmode="decimal"') == 3
    assert '<div class="table-responsive">' in html


def test_assessment_left_participant_is_greyed_and_read_only(
    client_for, staff_user, url, budi, withdrawn
):
    html = page(client_for(staff_user).get(url))

    assert "Agus Mundur" in html
    assert "Withdrawn" in html
    assert "40.00" in html
    assert html.count("data-left") == 1
    assert f'name="e{withdrawn.pk}-' not in html
    assert f'name="e{budi.pk}-pre_test_score"' in html


def test_assessment_completed_participant_is_editable(client_for, staff_user, url, budi):
    budi.status = Enrollment.Status.COMPLETED
    budi.save()

    response = client_for(staff_user).post(url, row(budi, assessment_result="kompeten"))

    assert response.status_code == 302
    budi.refresh_from_db()
    assert budi.assessment_result == "kompeten"


# --- saving -----------------------------------------------------------------------------------


def test_assessment_save_writes_changed_rows_with_history(client_for, staff_user, url, budi, siti):
    data = {
        **row(
            budi,
            pre_test_score="55",
            post_test_score="80.25",
            practical_score="90",
            assessment_result="kompeten",
            assessment_note="Rapi dan teliti.",
        ),
        **row(siti, assessment_result="belum_kompeten"),
    }

    response = client_for(staff_user).post(url, data)

    assert response.status_code == 302
    assert response.url == url
    assert shown_messages(response) == ["Assessment saved for 2 participants."]
    budi.refresh_from_db()
    assert (budi.pre_test_score, budi.post_test_score, budi.practical_score) == (
        Decimal("55"),
        Decimal("80.25"),
        Decimal("90"),
    )
    assert budi.assessment_result == "kompeten"
    assert budi.assessment_note == "Rapi dan teliti."
    siti.refresh_from_db()
    assert siti.assessment_result == "belum_kompeten"
    assert siti.pre_test_score == Decimal("60")
    changes = Enrollment.history.filter(history_type="~").order_by("id")
    assert [(h.id, h.history_user) for h in changes] == [
        (budi.pk, staff_user),
        (siti.pk, staff_user),
    ]
    assert changes[1].prev_record.assessment_result == "kompeten"


def test_assessment_history_lists_who_changed_what(client_for, staff_user, url, siti):
    client = client_for(staff_user)
    client.post(url, row(siti, pre_test_score="72,5", assessment_result=""))

    html = page(client.get(url))

    assert "Recent changes" in html
    assert str(staff_user) in html
    assert "Pre-test score: 60.00 → 72.50" in html
    assert "Result: Kompeten → —" in html
    assert "Note:" not in html  # unchanged fields are not listed


def test_assessment_history_leaves_out_other_changes(client_for, staff_user, url, siti):
    siti.status = Enrollment.Status.WITHDRAWN
    siti.ended_on = datetime.date(2025, 8, 5)
    siti.end_reason = "Sakit"
    siti.save()

    html = page(client_for(staff_user).get(url))

    assert "No changes yet." in html


def test_assessment_history_shows_the_latest_30(client_for, staff_user, url, budi):
    for score in range(35):
        budi.pre_test_score = Decimal(score)
        budi.save()

    html = page(client_for(staff_user).get(url))

    assert html.count("Pre-test score: ") == 30
    assert "Pre-test score: 33.00 → 34.00" in html
    assert "Pre-test score: 3.00 → 4.00" not in html


@pytest.mark.parametrize("typed", ["85,5", "85.5", " 85,50 "])
def test_assessment_accepts_a_decimal_comma(client_for, staff_user, url, budi, typed):
    response = client_for(staff_user).post(url, row(budi, practical_score=typed))

    assert response.status_code == 302
    budi.refresh_from_db()
    assert budi.practical_score == Decimal("85.50")


def test_assessment_in_indonesian_shows_and_reads_a_decimal_comma(
    client_for, staff_user, url, siti
):
    siti.practical_score = Decimal("85.50")
    siti.save()
    staff_user.language = "id"
    staff_user.save()
    client = client_for(staff_user)
    before = history_rows()

    html = page(client.get(url))
    response = client.post(
        url, {**row(siti, practical_score="85,50"), **row(siti, pre_test_score="60,00")}
    )

    assert f'name="e{siti.pk}-practical_score" value="85,50"' in html
    assert response.status_code == 302
    assert history_rows() == before


def test_assessment_unchanged_save_writes_no_history(client_for, staff_user, url, budi, siti):
    siti.practical_score = Decimal("85.50")
    siti.save()
    before = history_rows()
    # "85,5" is the same score as the saved 85.50.
    data = {**row(budi), **row(siti, practical_score="85,5")}

    response = client_for(staff_user).post(url, data)

    assert response.status_code == 302
    assert shown_messages(response) == ["Nothing was changed."]
    assert history_rows() == before


def test_assessment_leaves_rows_missing_from_the_post(client_for, staff_user, url, budi, siti):
    # Siti was enrolled after the page was loaded, so the POST has no row for her.
    response = client_for(staff_user).post(url, row(budi, pre_test_score="50"))

    assert response.status_code == 302
    siti.refresh_from_db()
    assert siti.pre_test_score == Decimal("60")
    assert siti.assessment_result == "kompeten"


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pre_test_score", "101", "Ensure this value is less than or equal to 100."),
        ("post_test_score", "-1", "Ensure this value is greater than or equal to 0."),
        ("practical_score", "abc", "Enter a number."),
        ("practical_score", "85.555", "Ensure that there are no more than 2 decimal places."),
        ("practical_score", "85,555", "Ensure that there are no more than 2 decimal places."),
        ("assessment_result", "lulus", "Select a valid choice. lulus is not one of the"),
        ("assessment_note", "x" * 1001, "Ensure this value has at most 1000 characters"),
    ],
)
def test_assessment_bad_input_saves_nothing(
    client_for, staff_user, url, budi, siti, field, value, message
):
    before = history_rows()
    data = {**row(budi, **{field: value}), **row(siti, pre_test_score="99")}

    response = client_for(staff_user).post(url, data)

    assert response.status_code == 200
    html = page(response)
    assert message in html
    assert f'id="id_e{budi.pk}-{field}-error"' in html
    assert "Some entries need correcting (marked below). Nothing was saved." in html
    assert f'aria-describedby="id_e{budi.pk}-{field}-error"' in html
    # What was typed stays in the form, to be corrected.
    assert 'value="99"' in html
    siti.refresh_from_db()
    assert siti.pre_test_score == Decimal("60")
    budi.refresh_from_db()
    assert getattr(budi, field) in (None, "")
    assert history_rows() == before


@pytest.mark.parametrize("where", ["other_program", "outside_program"])
def test_assessment_tampered_enrolment_is_refused(
    client_for, staff_user, url, budi, request, where
):
    stranger = EnrollmentFactory(program=request.getfixturevalue(where))
    data = {**row(budi, pre_test_score="70"), **row(stranger, pre_test_score="10")}

    response = client_for(staff_user).post(url, data)

    assert response.status_code == 200
    assert "cannot be assessed here" in page(response)
    assert stranger.inmate.full_name not in page(response)
    budi.refresh_from_db()
    stranger.refresh_from_db()
    assert budi.pre_test_score is None
    assert stranger.pre_test_score is None
    assert history_rows() == 0


def test_assessment_post_for_a_withdrawn_participant_is_refused(
    client_for, trainer_user, url, budi, withdrawn
):
    data = {**row(budi, pre_test_score="70"), **row(withdrawn, pre_test_score="90")}

    response = client_for(trainer_user).post(url, data)

    assert response.status_code == 200
    assert "cannot be assessed here" in page(response)
    withdrawn.refresh_from_db()
    budi.refresh_from_db()
    assert withdrawn.pre_test_score == Decimal("40")
    assert budi.pre_test_score is None


# --- queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 50])
def test_assessment_page_query_count(
    client_for, staff_user, url, program, count, django_assert_num_queries
):
    enrollments = EnrollmentFactory.create_batch(count, program=program)
    for enrollment in enrollments:
        enrollment.pre_test_score = Decimal(50)
        enrollment.save()
    client = client_for(staff_user)
    # session, user, facility, program, enrolments with inmates, history of changes
    with django_assert_num_queries(6):
        response = client.get(url)
    assert page(response).count("Pre-test score: — → 50.00") == min(count, 30)


@pytest.mark.parametrize("count", [5, 50])
def test_assessment_trainer_page_query_count(
    client_for, trainer_user, url, program, count, django_assert_num_queries
):
    EnrollmentFactory.create_batch(count, program=program)
    client = client_for(trainer_user)
    # session, user, facility, program, enrolments with inmates (no history for trainers)
    with django_assert_num_queries(5):
        response = client.get(url)
    assert page(response).count('inputmode="decimal"') == 3 * count


@pytest.mark.parametrize("count", [5, 50])
def test_assessment_save_query_count(
    client_for, staff_user, url, program, count, django_assert_num_queries
):
    enrollments = EnrollmentFactory.create_batch(count, program=program)
    data = {}
    for enrollment in enrollments:
        data.update(row(enrollment, practical_score="75,25", assessment_result="kompeten"))
    client = client_for(staff_user)
    # session, user, facility, program, enrolments with inmates, the bulk update, the bulk
    # insert of history rows (the message travels in a cookie)
    with django_assert_num_queries(7):
        response = client.post(url, data)
    assert response.status_code == 302
    assert Enrollment.objects.filter(practical_score=Decimal("75.25")).count() == count
    assert history_rows() == count
