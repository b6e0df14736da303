"""Undoing a release or transfer recorded by mistake (inmates.services.undo_departure)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inmates.models import Inmate
from inmates.services import record_departure, undo_departure
from programs.models import Enrollment, Program
from tests.certificates.rows import make_certificate
from tests.factories import EnrollmentFactory, ProgramFactory
from tests.helpers import assert_answer, page, shown_messages

UNDO = "inmates:departure_undo"
DETAIL = "inmates:inmate_detail"
# Within the factory programs' week (4 to 8 August 2025).
DEPARTED = datetime.date(2025, 8, 6)
REASON = "Salah pilih WBP: yang bebas adalah Budi Santosa"


@pytest.fixture
def running(program, inmate):
    """An enrolment the departure closes and the undo re-opens."""
    return EnrollmentFactory(program=program, inmate=inmate)


@pytest.fixture
def withdrawn(facility, inmate):
    """Ended before the departure for another reason: the undo leaves it alone."""
    return EnrollmentFactory(
        program=ProgramFactory(facility=facility, title="Menjahit Dasar"),
        inmate=inmate,
        status=Enrollment.Status.WITHDRAWN,
        ended_on=datetime.date(2025, 8, 5),
        end_reason="Mengundurkan diri",
    )


@pytest.fixture
def released(inmate, running, withdrawn, admin_user):
    record_departure(inmate=inmate, kind="released", date=DEPARTED, by=admin_user)
    inmate.refresh_from_db()
    return inmate


def post_undo(client, inmate, reason=REASON):
    return client.post(reverse(UNDO, args=[inmate.pk]), {"reason": reason})


def state(inmate):
    """What the undo may change: the inmate's departure and each enrolment's end."""
    inmate.refresh_from_db()
    return (
        (inmate.status, inmate.departed_on, inmate.transfer_destination),
        sorted(inmate.enrollments.values_list("pk", "status", "ended_on", "end_reason")),
        inmate.history.count(),
    )


# Permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, "login"), ("staff", 403), ("viewer", 403), ("trainer", 403), ("outsider", 404)],
)
def test_departure_undo_refused_outside_admins(client_for, users, released, method, who, expected):
    before = state(released)
    client = client_for(users.get(who))

    response = getattr(client, method)(reverse(UNDO, args=[released.pk]), {"reason": REASON})

    assert_answer(response, expected)
    assert state(released) == before


def test_departure_undo_put_is_405(client_for, admin_user, released):
    response = client_for(admin_user).put(reverse(UNDO, args=[released.pk]))
    assert response.status_code == 405


def test_departure_undo_of_inmate_in_custody_says_so(client_for, admin_user, inmate):
    response = client_for(admin_user).get(reverse(UNDO, args=[inmate.pk]))

    assert response.url == reverse(DETAIL, args=[inmate.pk])
    assert shown_messages(response) == [
        "Budi Santoso is in custody: there is no departure to undo."
    ]


# The confirmation and the undo -------------------------------------------------------------


def test_departure_undo_get_shows_what_it_does_and_changes_nothing(
    client_for, admin_user, released
):
    before = state(released)

    response = client_for(admin_user).get(reverse(UNDO, args=[released.pk]))

    html = page(response)
    assert response.status_code == 200
    assert "is recorded as released on 6 August 2025." in html
    reopen = html.split('id="undo-reopen"', 1)[1].split("</ul>", 1)[0]
    assert "Aksesoris Gelang dan Kalung Batu" in reopen
    assert "Menjahit Dasar" not in html
    assert "Reason for undoing" in html
    assert '<button type="submit" class="btn btn-danger">Undo the departure</button>' in html
    assert state(released) == before


def test_departure_undo_restores_custody_and_reopens_what_the_departure_closed(
    client_for, admin_user, released, running, withdrawn
):
    response = post_undo(client_for(admin_user), released)

    assert response.url == reverse(DETAIL, args=[released.pk])
    assert shown_messages(response) == [
        "The departure of Budi Santoso was undone; 1 enrolment was re-opened."
    ]
    released.refresh_from_db()
    assert (released.status, released.departed_on, released.transfer_destination) == (
        Inmate.Status.ACTIVE,
        None,
        "",
    )
    running.refresh_from_db()
    assert (running.status, running.ended_on, running.end_reason) == ("active", None, "")
    withdrawn.refresh_from_db()
    assert (withdrawn.status, withdrawn.ended_on) == ("withdrawn", datetime.date(2025, 8, 5))
    # Who and why, on the inmate's and the enrolment's history.
    for record in (released.history.first(), running.history.first()):
        assert record.history_user == admin_user
        assert record.history_change_reason == REASON
    assert running.history.all()[1].status == "released"


def test_departure_undo_of_a_transfer_clears_the_destination(
    client_for, admin_user, inmate, running
):
    record_departure(
        inmate=inmate,
        kind="transferred",
        date=DEPARTED,
        destination="Lapas Kelas IIA Palangka Raya",
        by=admin_user,
    )

    post_undo(client_for(admin_user), inmate)

    inmate.refresh_from_db()
    assert (inmate.status, inmate.departed_on, inmate.transfer_destination) == ("active", None, "")
    running.refresh_from_db()
    assert running.status == Enrollment.Status.ACTIVE


@pytest.mark.parametrize("program_status", ["completed", "cancelled"])
def test_departure_undo_leaves_enrolments_of_finished_programs_closed(
    client_for, admin_user, released, running, program, program_status
):
    Program.objects.filter(pk=program.pk).update(status=program_status, closed_at=timezone.now())
    client = client_for(admin_user)

    html = page(client.get(reverse(UNDO, args=[released.pk])))
    stay = html.split('id="undo-stay-closed"', 1)[1].split("</ul>", 1)[0]
    assert "Aksesoris Gelang dan Kalung Batu" in stay
    response = post_undo(client, released)

    assert shown_messages(response) == [
        "The departure of Budi Santoso was undone; 0 enrolments were re-opened. "
        "1 stays closed: its program was closed or cancelled."
    ]
    released.refresh_from_db()
    running.refresh_from_db()
    assert released.status == Inmate.Status.ACTIVE
    assert (running.status, running.ended_on) == ("released", DEPARTED)


def test_departure_undo_leaves_an_enrolment_ended_on_another_day(admin_user, released, facility):
    other = EnrollmentFactory(
        program=ProgramFactory(facility=facility),
        inmate=released,
        status=Enrollment.Status.RELEASED,
        ended_on=datetime.date(2025, 8, 7),
        end_reason="Released",
    )

    plan = undo_departure(inmate=released, by=admin_user, reason=REASON)

    assert len(plan.reopen) == 1
    other.refresh_from_db()
    assert other.status == Enrollment.Status.RELEASED


def test_inmate_page_shows_the_departure_and_its_undo(client_for, admin_user, released):
    client = client_for(admin_user)
    post_undo(client, released)

    html = page(client.get(reverse(DETAIL, args=[released.pk])))

    changes = html.split("Changes to this record", 1)[1]
    undo, departure = changes.split('<li class="list-group-item">')[1:3]
    assert f"Reason: {REASON}" in undo
    assert "Status: Released → In custody" in undo
    assert "Departed on: 6 August 2025 → –" in undo
    assert "Status: In custody → Released" in departure
    assert "Reason:" not in departure


def test_undo_button_only_for_admins_of_a_departed_inmate(
    client_for, admin_user, staff_user, released, inmate
):
    button = "Undo the departure"
    url = reverse(DETAIL, args=[released.pk])
    assert button in page(client_for(admin_user).get(url))
    assert button not in page(client_for(staff_user).get(url))
    post_undo(client_for(admin_user), released)
    assert button not in page(client_for(admin_user).get(url))


# Bad input and refusals --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Give the reason for undoing the departure."),
        ("x" * 101, "Ensure this value has at most 100 characters (it has 101)."),
    ],
)
def test_departure_undo_bad_reason_changes_nothing(
    client_for, admin_user, released, reason, message
):
    before = state(released)

    response = post_undo(client_for(admin_user), released, reason)

    assert response.status_code == 200
    assert message in page(response)
    assert state(released) == before


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("   ", "Give the reason for undoing the departure."),
        ("x" * 101, "Keep the reason to 100 characters."),
    ],
)
def test_undo_departure_service_checks_the_reason(admin_user, released, reason, message):
    before = state(released)
    with pytest.raises(ValidationError, match=message):
        undo_departure(inmate=released, by=admin_user, reason=reason)
    assert state(released) == before


def test_undo_departure_of_inmate_in_custody_is_refused(admin_user, inmate):
    with pytest.raises(ValidationError, match="there is no departure to undo"):
        undo_departure(inmate=inmate, by=admin_user, reason=REASON)


def statement_after_departure(program, inmate, admin_user):
    """A statement of participation issued on 8 August for an enrolment released on the 6th."""
    statement = make_certificate(program, admin_user, kind="participation", inmate=inmate)
    record_departure(inmate=inmate, kind="released", date=DEPARTED, by=admin_user)
    inmate.refresh_from_db()
    return statement


def test_departure_undo_refused_after_a_statement_was_issued(
    client_for, admin_user, program, inmate
):
    statement = statement_after_departure(program, inmate, admin_user)
    before = state(inmate)
    client = client_for(admin_user)
    refusal = (
        f"Statement of participation {statement.number} was issued for Aksesoris Gelang dan "
        "Kalung Batu on 8 August 2025, after this departure: revoke it first, then undo the "
        "departure."
    )

    html = page(client.get(reverse(UNDO, args=[inmate.pk])))
    assert "This departure cannot be undone while these papers, issued after it, are valid:" in html
    assert statement.number in html.split('id="undo-blocked"', 1)[1].split("</div>", 1)[0]
    assert "Undo the departure</button>" not in html
    response = post_undo(client, inmate)

    assert response.status_code == 200
    assert refusal in page(response)
    assert state(inmate) == before


def test_departure_undo_allowed_once_the_statement_is_revoked(
    client_for, admin_user, program, inmate
):
    statement = statement_after_departure(program, inmate, admin_user)
    statement.revoked_at = timezone.now()
    statement.revoked_by = admin_user
    statement.revocation_reason = "Keberangkatan salah dicatat"
    statement.save()

    post_undo(client_for(admin_user), inmate)

    inmate.refresh_from_db()
    assert inmate.status == Inmate.Status.ACTIVE
    assert Enrollment.objects.get(pk=statement.enrollment_id).status == "active"


def test_departure_undo_not_refused_by_a_paper_issued_before_the_departure(
    admin_user, program, inmate
):
    certificate = make_certificate(program, admin_user, inmate=inmate)
    certificate.issued_at = timezone.make_aware(datetime.datetime(2025, 8, 5, 10, 0))
    certificate.save()
    record_departure(inmate=inmate, kind="released", date=DEPARTED, by=admin_user)

    plan = undo_departure(inmate=inmate, by=admin_user, reason=REASON)

    assert [enrollment.pk for enrollment in plan.reopen] == [certificate.enrollment_id]


def test_departure_undo_refused_once_personal_data_is_anonymised(admin_user, released):
    Inmate.objects.filter(pk=released.pk).update(anonymised_on=datetime.date(2031, 8, 7))
    released.refresh_from_db()

    with pytest.raises(ValidationError, match="personal data was anonymised"):
        undo_departure(inmate=released, by=admin_user, reason=REASON)
    released.refresh_from_db()
    assert released.status == Inmate.Status.RELEASED
