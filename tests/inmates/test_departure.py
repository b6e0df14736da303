import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from inmates.models import Inmate
from inmates.services import record_departure
from programs.models import Enrollment
from tests.factories import EnrollmentFactory, InmateFactory, TrainingSessionFactory

DEPARTURE = "inmates:inmate_departure"
DETAIL = "inmates:inmate_detail"
# Within the factory programs' week (4 to 8 August 2025), so sessions fall either side of it.
DEPARTED = datetime.date(2025, 8, 6)


def departure_data(**overrides):
    return {"kind": "released", "date": DEPARTED.isoformat(), "destination": "", **overrides}


# Permissions -------------------------------------------------------------------------------


def test_departure_anonymous_redirects_to_login(client, inmate):
    response = client.get(reverse(DEPARTURE, args=[inmate.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", ["viewer", "trainer"])
def test_departure_by_reader_is_refused(client_for, users, inmate, role, method):
    client = client_for(users[role])
    response = getattr(client, method)(reverse(DEPARTURE, args=[inmate.pk]), departure_data())
    assert response.status_code == 403
    inmate.refresh_from_db()
    assert inmate.status == Inmate.Status.ACTIVE


@pytest.mark.parametrize("method", ["get", "post"])
def test_departure_other_facility_is_404(client_for, outside_admin, inmate, method):
    client = client_for(outside_admin)
    response = getattr(client, method)(reverse(DEPARTURE, args=[inmate.pk]), departure_data())
    assert response.status_code == 404
    inmate.refresh_from_db()
    assert inmate.status == Inmate.Status.ACTIVE


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_departure_by_manager_shows_form_and_records(client_for, users, inmate, role):
    client = client_for(users[role])
    page = client.get(reverse(DEPARTURE, args=[inmate.pk]))
    assert page.status_code == 200
    assert "Record release or transfer" in page.content.decode()
    assert page.context["form"]["date"].value() == timezone.localdate()

    response = client.post(reverse(DEPARTURE, args=[inmate.pk]), departure_data())
    assert response.status_code == 302
    assert response.url == reverse(DETAIL, args=[inmate.pk])
    inmate.refresh_from_db()
    assert inmate.status == Inmate.Status.RELEASED
    assert inmate.departed_on == DEPARTED


# Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"date": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()},
            "The date cannot be in the future.",
        ),
        ({"date": "2024-01-31"}, "The date cannot be before the admission date."),
        ({"date": ""}, "This field is required."),
        ({"kind": "escaped"}, "Select a valid choice."),
        (
            {"kind": "transferred", "destination": "  "},
            "Enter the facility the inmate is transferred to.",
        ),
        (
            {"kind": "transferred", "destination": "L" * 201},
            "Ensure this value has at most 200 characters",
        ),
    ],
)
def test_departure_bad_input_shows_error_and_changes_nothing(
    client_for, admin_user, program, overrides, message
):
    inmate = InmateFactory(facility=program.facility, admission_date=datetime.date(2024, 2, 1))
    enrollment = EnrollmentFactory(program=program, inmate=inmate)
    history_before = Enrollment.history.count()

    response = client_for(admin_user).post(
        reverse(DEPARTURE, args=[inmate.pk]), departure_data(**overrides)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    inmate.refresh_from_db()
    enrollment.refresh_from_db()
    assert (inmate.status, inmate.departed_on, inmate.transfer_destination) == ("active", None, "")
    assert enrollment.status == Enrollment.Status.ACTIVE
    assert Enrollment.history.count() == history_before


def test_departure_of_departed_inmate_changes_nothing(client_for, admin_user, facility):
    inmate = InmateFactory(
        facility=facility, full_name="Agus Lepas", status="released", departed_on=DEPARTED
    )
    client = client_for(admin_user)

    response = client.post(
        reverse(DEPARTURE, args=[inmate.pk]),
        departure_data(kind="transferred", destination="Lapas Sampit"),
        follow=True,
    )

    assert response.redirect_chain == [(reverse(DETAIL, args=[inmate.pk]), 302)]
    assert "Agus Lepas is no longer in custody." in response.content.decode()
    inmate.refresh_from_db()
    assert (inmate.status, inmate.departed_on, inmate.transfer_destination) == (
        "released",
        DEPARTED,
        "",
    )


# Release and transfer ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "status", "reason", "shown"),
    [
        (departure_data(), "released", "Released", "Released on 6 August 2025"),
        (
            departure_data(kind="transferred", destination="Lapas Kelas IIA Sampit"),
            "transferred",
            "Transferred to Lapas Kelas IIA Sampit",
            "Transferred to Lapas Kelas IIA Sampit on 6 August 2025",
        ),
    ],
)
def test_departure_closes_only_active_enrolments(
    client_for, staff_user, inmate, program, other_program, data, status, reason, shown
):
    active = EnrollmentFactory(program=program, inmate=inmate)
    withdrawn = EnrollmentFactory(
        program=other_program,
        inmate=inmate,
        status=Enrollment.Status.WITHDRAWN,
        ended_on=datetime.date(2025, 8, 5),
        end_reason="Sakit",
    )
    bystander = EnrollmentFactory(program=program)
    history_before = Enrollment.history.count()

    response = client_for(staff_user).post(reverse(DEPARTURE, args=[inmate.pk]), data, follow=True)

    page = response.content.decode()
    assert "The departure of Budi Santoso was recorded; 1 enrolment was closed." in page
    assert shown in page
    assert "Record release or transfer" not in page
    active.refresh_from_db()
    assert (active.status, active.ended_on, active.end_reason) == (status, DEPARTED, reason)
    withdrawn.refresh_from_db()
    assert (withdrawn.status, withdrawn.end_reason) == ("withdrawn", "Sakit")
    bystander.refresh_from_db()
    assert bystander.status == Enrollment.Status.ACTIVE
    assert Enrollment.history.count() == history_before + 1
    record = active.history.latest()
    assert (record.status, record.history_user) == (status, staff_user)
    inmate.refresh_from_db()
    assert inmate.status == status
    assert inmate.history.latest().history_user == staff_user


def test_departure_button_only_for_managers_of_active_inmate(
    client_for, admin_user, viewer_user, inmate
):
    button = "Record release or transfer"
    assert button in client_for(admin_user).get(reverse(DETAIL, args=[inmate.pk])).content.decode()
    assert (
        button
        not in client_for(viewer_user).get(reverse(DETAIL, args=[inmate.pk])).content.decode()
    )


def test_inmate_departure_constraint_refuses_active_with_departure(facility):
    with pytest.raises(IntegrityError):
        InmateFactory(facility=facility, status=Inmate.Status.ACTIVE, departed_on=DEPARTED)


def test_inmate_departure_constraint_refuses_destination_unless_transferred(facility):
    with pytest.raises(IntegrityError):
        InmateFactory(
            facility=facility, status=Inmate.Status.RELEASED, transfer_destination="Lapas Sampit"
        )


# Session lists -----------------------------------------------------------------------------


def test_enrollment_listed_on_excludes_departed_from_later_sessions(
    client_for, admin_user, inmate, program
):
    EnrollmentFactory(program=program, inmate=inmate)
    stayer = EnrollmentFactory(program=program)
    client_for(admin_user).post(reverse(DEPARTURE, args=[inmate.pk]), departure_data())

    def listed(day):
        session = TrainingSessionFactory(program=program, date=day)
        return set(
            Enrollment.objects.filter(program=session.program)
            .listed_on(session.date)
            .values_list("inmate", flat=True)
        )

    assert listed(datetime.date(2025, 8, 5)) == {inmate.pk, stayer.inmate_id}
    assert listed(DEPARTED) == {stayer.inmate_id}
    assert listed(datetime.date(2025, 8, 7)) == {stayer.inmate_id}


def test_enrollment_listed_on_excludes_sessions_before_enrolment(program):
    late = EnrollmentFactory(program=program, enrolled_on=datetime.date(2025, 8, 6))
    assert not Enrollment.objects.listed_on(datetime.date(2025, 8, 5)).filter(pk=late.pk).exists()
    assert Enrollment.objects.listed_on(datetime.date(2025, 8, 6)).filter(pk=late.pk).exists()


def test_record_departure_refuses_inmate_not_in_custody(admin_user, facility):
    inmate = InmateFactory(facility=facility, status="released", departed_on=DEPARTED)
    with pytest.raises(ValidationError, match="no longer in custody"):
        record_departure(inmate=inmate, kind="transferred", date=DEPARTED, by=admin_user)
    inmate.refresh_from_db()
    assert inmate.status == Inmate.Status.RELEASED


def test_inmate_edit_keeps_a_recorded_departure(client_for, admin_user, facility):
    inmate = InmateFactory(facility=facility, status="transferred", departed_on=DEPARTED)
    data = {
        "registration_number": inmate.registration_number,
        "full_name": "Nama Diperbaiki",
        "gender": "L",
        "status": "active",
    }
    response = client_for(admin_user).post(reverse("inmates:inmate_update", args=[inmate.pk]), data)
    assert response.status_code == 302
    inmate.refresh_from_db()
    assert (inmate.full_name, inmate.status, inmate.departed_on) == (
        "Nama Diperbaiki",
        "transferred",
        DEPARTED,
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "released"},
        {"status": "transferred", "departed_on": DEPARTED},
    ],
    ids=["release without date", "transfer without destination"],
)
def test_inmate_departure_constraint_requires_date_and_destination(facility, fields):
    inmate = InmateFactory(facility=facility)
    with pytest.raises(IntegrityError), transaction.atomic():
        Inmate.objects.filter(pk=inmate.pk).update(**fields)


def test_transferred_inmate_history_stays_readable_at_old_facility(
    client_for, staff_user, viewer_user, inmate, program
):
    EnrollmentFactory(program=program, inmate=inmate)
    record_departure(
        inmate=inmate,
        kind=Inmate.Status.TRANSFERRED,
        date=DEPARTED,
        destination="Lapas Kelas IIA Palangka Raya",
        by=staff_user,
    )
    page = client_for(viewer_user).get(reverse(DETAIL, args=[inmate.pk])).content.decode()
    assert "Transferred to Lapas Kelas IIA Palangka Raya on 6 August 2025" in page
    assert program.title in page
    program_page = client_for(viewer_user).get(program.get_absolute_url()).content.decode()
    assert inmate.full_name in program_page


def test_enrollment_listed_on_keeps_completed_participants(program):
    finished = EnrollmentFactory(program=program, status=Enrollment.Status.COMPLETED)
    assert finished in Enrollment.objects.listed_on(program.end_date)


# A departure after a program ended, or before an enrolment began (#9) ----------------------


def test_departure_after_the_program_ended_keeps_the_finished_enrolment(
    admin_user, inmate, program
):
    # The program ran from 4 to 8 August; released on the 20th, before anyone closed it.
    enrollment = EnrollmentFactory(program=program, inmate=inmate)

    closed = record_departure(
        inmate=inmate, kind=Inmate.Status.RELEASED, date=datetime.date(2025, 8, 20), by=admin_user
    )

    enrollment.refresh_from_db()
    assert closed == 0
    assert (enrollment.status, enrollment.ended_on) == (Enrollment.Status.ACTIVE, None)
    inmate.refresh_from_db()
    assert inmate.status == Inmate.Status.RELEASED


def test_departure_on_the_last_day_still_ends_the_enrolment(admin_user, inmate, program):
    enrollment = EnrollmentFactory(program=program, inmate=inmate)

    record_departure(
        inmate=inmate, kind=Inmate.Status.RELEASED, date=program.end_date, by=admin_user
    )

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.ended_on) == (
        Enrollment.Status.RELEASED,
        program.end_date,
    )


def test_departure_before_an_enrolment_began_is_refused_and_changes_nothing(
    client_for, admin_user, inmate, program
):
    enrollment = EnrollmentFactory(
        program=program, inmate=inmate, enrolled_on=datetime.date(2025, 8, 5)
    )

    response = client_for(admin_user).post(
        reverse(DEPARTURE, args=[inmate.pk]), departure_data(date="2025-08-04")
    )

    assert response.status_code == 200
    assert "The date is before the enrolment in Aksesoris Gelang dan Kalung Batu began" in (
        response.content.decode()
    )
    inmate.refresh_from_db()
    enrollment.refresh_from_db()
    assert inmate.status == Inmate.Status.ACTIVE
    assert (enrollment.status, enrollment.ended_on) == (Enrollment.Status.ACTIVE, None)


def test_enrollment_constraint_refuses_an_end_before_the_start(program, inmate):
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrollmentFactory(
            program=program,
            inmate=inmate,
            enrolled_on=datetime.date(2025, 8, 5),
            status=Enrollment.Status.WITHDRAWN,
            ended_on=datetime.date(2025, 8, 4),
            end_reason="Mundur",
        )
