"""The follow-up pages: consent at release and later, recording a follow-up, the list of those
due, the inmate's page, the outcome report and its regional roll-up."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from inmates.models import FollowUp, FollowUpConsent, Inmate
from inmates.outcomes import add_months, record_consent, record_follow_up
from programs.models import Enrollment
from tests.factories import EnrollmentFactory, InmateFactory
from tests.helpers import assert_answer, page, shown_messages

TODAY = timezone.localdate()
# Released seven months ago: the 3- and 6-month follow-ups are overdue.
RELEASED_ON = add_months(TODAY, -7)


def released(facility, name="Budi Santoso", departed_on=RELEASED_ON, **fields):
    return InmateFactory(
        facility=facility,
        full_name=name,
        status=Inmate.Status.RELEASED,
        departed_on=departed_on,
        **fields,
    )


@pytest.fixture
def former(facility):
    return released(facility)


@pytest.fixture
def consenting(former, staff_user):
    record_consent(inmate=former, consented=True, on=RELEASED_ON, by=staff_user)
    return former


def follow_up_data(**overrides):
    return {
        "contacted_on": TODAY.isoformat(),
        "reached": "yes",
        "source": "self",
        "status": "employed",
        "employer": "Bengkel Jaya Motor",
        "uses_skill": "yes",
        "income_band": "1m_2_5m",
        "note": "",
        **overrides,
    }


def consent_url(inmate):
    return reverse("inmates:follow_up_consent", args=[inmate.pk])


def record_url(inmate, milestone=6):
    return reverse("inmates:follow_up_record", args=[inmate.pk, milestone])


LIST = reverse("inmates:follow_up_list")
REPORT = reverse("inmates:outcome_report")
ROLLUP = reverse("inmates:outcome_rollup")


# Consent at release ------------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "stored"), [("yes", True), ("no", False)])
def test_release_records_the_answer_to_follow_up(client_for, staff_user, inmate, answer, stored):
    response = client_for(staff_user).post(
        reverse("inmates:inmate_departure", args=[inmate.pk]),
        {
            "kind": "released",
            "date": TODAY.isoformat(),
            "destination": "",
            "follow_up_consent": answer,
        },
    )

    assert response.status_code == 302
    consent = FollowUpConsent.objects.get(inmate=inmate)
    assert (consent.consented, consent.consented_on, consent.recorded_by) == (
        stored,
        TODAY,
        staff_user,
    )


def test_release_without_an_answer_shows_consent_not_recorded(client_for, staff_user, inmate):
    client = client_for(staff_user)
    departure = reverse("inmates:inmate_departure", args=[inmate.pk])
    assert "Agrees to follow-up after release" in page(client.get(departure))

    client.post(departure, {"kind": "released", "date": TODAY.isoformat(), "destination": ""})

    assert not FollowUpConsent.objects.exists()
    detail = page(client.get(inmate.get_absolute_url()))
    assert "Consent not recorded" in detail
    assert consent_url(inmate) in detail


def test_transfer_records_no_consent(client_for, staff_user, inmate):
    client_for(staff_user).post(
        reverse("inmates:inmate_departure", args=[inmate.pk]),
        {
            "kind": "transferred",
            "date": TODAY.isoformat(),
            "destination": "Lapas Sampit",
            "follow_up_consent": "yes",
        },
    )
    inmate.refresh_from_db()
    assert inmate.status == Inmate.Status.TRANSFERRED
    assert not FollowUpConsent.objects.exists()


# Consent later -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, "login"), ("viewer", 403), ("trainer", 403), ("outsider", 404)],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_consent_page_refuses_others(client_for, users, former, role, expected, method):
    client = client_for(users[role] if role else None)
    response = getattr(client, method)(
        consent_url(former), {"consented": "yes", "consented_on": TODAY.isoformat()}
    )
    assert_answer(response, expected)
    assert not FollowUpConsent.objects.exists()


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_consent_page_records_and_changes_the_answer_with_history(client_for, users, former, role):
    client = client_for(users[role])
    assert page(client.get(consent_url(former))).count('name="consented"') == 2

    client.post(consent_url(former), {"consented": "yes", "consented_on": TODAY.isoformat()})
    response = client.post(
        consent_url(former), {"consented": "no", "consented_on": TODAY.isoformat()}, follow=True
    )

    assert "Declined follow-up on" in page(response)
    consent = FollowUpConsent.objects.get(inmate=former)
    assert consent.consented is False
    assert [row.consented for row in consent.history.order_by("history_date")] == [True, False]
    assert {row.history_user for row in consent.history.all()} == {users[role]}
    shown = page(client.get(consent_url(former)))
    assert "Current answer: no, given on" in shown
    assert shown.index("No, given on") < shown.index("Yes, given on")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"consented": "", "consented_on": TODAY.isoformat()}, "Record the answer: yes or no."),
        ({"consented": "maybe", "consented_on": TODAY.isoformat()}, "Select a valid choice."),
        ({"consented": "yes", "consented_on": "kemarin"}, "Enter a valid date."),
        (
            {"consented": "yes", "consented_on": (RELEASED_ON - datetime.timedelta(1)).isoformat()},
            "The date cannot be before the release date.",
        ),
        (
            {"consented": "yes", "consented_on": (TODAY + datetime.timedelta(1)).isoformat()},
            "The date cannot be in the future.",
        ),
    ],
)
def test_consent_page_bad_input_changes_nothing(client_for, staff_user, former, data, message):
    response = client_for(staff_user).post(consent_url(former), data)
    assert response.status_code == 200
    assert message in page(response)
    assert not FollowUpConsent.objects.exists()


def test_consent_page_for_inmate_in_custody_records_nothing(client_for, staff_user, inmate):
    response = client_for(staff_user).post(
        consent_url(inmate), {"consented": "yes", "consented_on": TODAY.isoformat()}, follow=True
    )
    assert "Follow-up is recorded only for a released inmate." in shown_messages(response)
    assert not FollowUpConsent.objects.exists()


# Recording a follow-up ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, "login"), ("viewer", 403), ("trainer", 403), ("outsider", 404)],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_follow_up_page_refuses_others(client_for, users, consenting, role, expected, method):
    client = client_for(users[role] if role else None)
    response = getattr(client, method)(record_url(consenting), follow_up_data())
    assert_answer(response, expected)
    assert not FollowUp.objects.exists()


def test_follow_up_page_unknown_milestone_is_404(client_for, staff_user, consenting):
    response = client_for(staff_user).get(record_url(consenting, milestone=9))
    assert response.status_code == 404


@pytest.mark.parametrize("answer", [None, "no"])
def test_follow_up_without_consent_is_refused(client_for, staff_user, former, answer):
    if answer:
        record_consent(inmate=former, consented=False, on=RELEASED_ON, by=staff_user)
    client = client_for(staff_user)

    response = client.post(record_url(former), follow_up_data(), follow=True)

    assert response.redirect_chain == [(former.get_absolute_url(), 302)]
    assert shown_messages(response) == [
        "Budi Santoso did not consent to follow-up: nothing can be recorded."
    ]
    assert not FollowUp.objects.exists()


def test_follow_up_page_records_then_corrects(client_for, staff_user, admin_user, consenting):
    response = client_for(staff_user).post(
        record_url(consenting), follow_up_data(reached="no", source="family")
    )
    assert response.status_code == 302
    first = FollowUp.objects.get()
    # Not reached: what was typed about a job is not kept.
    assert (first.reached, first.status, first.employer, first.uses_skill) == (
        False,
        "",
        "",
        None,
    )

    client = client_for(admin_user)
    form = client.get(record_url(consenting)).context["form"]
    assert form["reached"].value() == "no"
    response = client.post(record_url(consenting) + "?next=list", follow_up_data(next="list"))

    assert response.url == LIST
    follow_up = FollowUp.objects.get()
    assert (follow_up.reached, follow_up.status, follow_up.employer, follow_up.recorded_by) == (
        True,
        "employed",
        "Bengkel Jaya Motor",
        admin_user,
    )
    assert [row.history_user for row in follow_up.history.order_by("history_date")] == [
        staff_user,
        admin_user,
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"status": ""}, "status", "Choose the person's situation."),
        ({"reached": ""}, "reached", "This field is required."),
        ({"source": "tetangga"}, "source", "Select a valid choice."),
        ({"status": "escaped"}, "status", "Select a valid choice."),
        ({"income_band": "10m"}, "income_band", "Select a valid choice."),
        ({"contacted_on": "2-3-2026x"}, "contacted_on", "Enter a valid date."),
        (
            {"contacted_on": (RELEASED_ON - datetime.timedelta(1)).isoformat()},
            "contacted_on",
            "The date cannot be before the release date.",
        ),
        (
            {"contacted_on": (TODAY + datetime.timedelta(1)).isoformat()},
            "contacted_on",
            "The date cannot be in the future.",
        ),
        ({"employer": "B" * 201}, "employer", "Ensure this value has at most 200 characters"),
        ({"note": "N" * 1001}, "note", "Ensure this value has at most 1000 characters"),
    ],
)
def test_follow_up_page_bad_input_changes_nothing(
    client_for, staff_user, consenting, overrides, field, message
):
    response = client_for(staff_user).post(record_url(consenting), follow_up_data(**overrides))

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message.replace("'", "&#x27;") in page(response)
    assert not FollowUp.objects.exists()


# The inmate's page -------------------------------------------------------------------------


def test_inmate_page_shows_follow_ups_to_managers_only(client_for, users, consenting):
    record_follow_up(
        inmate=consenting,
        milestone=3,
        values={
            "contacted_on": TODAY,
            "reached": True,
            "source": "bapas",
            "status": "own_business",
            "employer": "Jualan gelang batu di pasar",
            "uses_skill": True,
            "income_band": "",
            "note": "",
        },
        by=users["staff"],
    )
    for role in ("staff", "admin"):
        shown = page(client_for(users[role]).get(consenting.get_absolute_url()))
        assert "Agreed to follow-up on" in shown
        assert "Own business: Jualan gelang batu di pasar" in shown
        assert record_url(consenting, 6) in shown
    shown = page(client_for(users["viewer"]).get(consenting.get_absolute_url()))
    assert "Follow-up after release" not in shown
    assert "Jualan gelang batu" not in shown


# The list of those due ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, "login"), ("viewer", 403), ("trainer", 403), ("staff", 200), ("admin", 200)],
)
def test_follow_up_list_permissions(client_for, users, role, expected):
    assert_answer(client_for(users[role] if role else None).get(LIST), expected)


def test_follow_up_list_shows_only_this_facility(
    client_for, staff_user, consenting, other_facility, outside_admin
):
    outsider = released(other_facility, "Rahmat Hidayat")
    record_consent(inmate=outsider, consented=True, on=RELEASED_ON, by=outside_admin)

    shown = page(client_for(staff_user).get(LIST))

    assert shown.count("Budi Santoso") == 2
    assert "2 follow-ups are overdue." in shown
    assert "Rahmat Hidayat" not in shown
    assert record_url(consenting, 3) + "?next=list" in shown


@pytest.mark.parametrize("count", [5, 50])
def test_follow_up_list_queries_do_not_grow(
    client_for, staff_user, facility, count, django_assert_num_queries
):
    for index in range(count):
        inmate = released(facility, f"WBP {index:02d}")
        record_consent(inmate=inmate, consented=True, on=RELEASED_ON, by=staff_user)
    client = client_for(staff_user)
    # Session, user, facility (scope); the consenting released inmates with their recorded
    # milestones.
    with django_assert_num_queries(4):
        response = client.get(LIST)
    assert len(response.context["due"]) == 2 * count


# The outcome report ------------------------------------------------------------------------


@pytest.fixture
def reported(program, consenting, staff_user, other_facility, outside_admin):
    """Budi took part in `program` and was employed at 6 months; a participant of another
    facility was not reached."""
    EnrollmentFactory(program=program, inmate=consenting, status=Enrollment.Status.COMPLETED)
    values = {
        "contacted_on": TODAY,
        "reached": True,
        "source": "self",
        "status": "employed",
        "employer": "Bengkel Jaya Motor",
        "uses_skill": True,
        "income_band": "",
        "note": "",
    }
    record_follow_up(inmate=consenting, milestone=6, values=values, by=staff_user)
    return consenting


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, "login"), ("trainer", 403), ("viewer", 200), ("staff", 200), ("admin", 200)],
)
def test_outcome_report_permissions(client_for, users, role, expected):
    assert_answer(client_for(users[role] if role else None).get(REPORT), expected)


def test_outcome_report_shows_rates_without_names(client_for, viewer_user, reported, program):
    shown = page(client_for(viewer_user).get(REPORT))

    assert program.title in shown
    assert '100%<div class="small text-body-secondary">1 of 1</div>' in shown
    assert "Budi Santoso" not in shown
    assert "Bengkel Jaya Motor" not in shown


def test_outcome_report_of_another_facility_is_empty(client_for, outside_admin, reported, program):
    shown = page(client_for(outside_admin).get(REPORT))
    assert program.title not in shown
    assert "No follow-up recorded yet." in shown


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, "login"), ("viewer", 403), ("staff", 403), ("trainer", 403), ("regional", 200)],
)
def test_outcome_rollup_permissions(client_for, users, regional_user, role, expected):
    user = regional_user if role == "regional" else users.get(role)
    assert_answer(client_for(user).get(ROLLUP), expected)


def test_outcome_rollup_counts_the_region_and_names_no_one(
    client_for, regional_user, reported, program, outside_program, outside_admin
):
    outsider = released(outside_program.facility, "Rahmat Hidayat")
    EnrollmentFactory(program=outside_program, inmate=outsider, status="completed")
    record_consent(inmate=outsider, consented=True, on=RELEASED_ON, by=outside_admin)
    record_follow_up(
        inmate=outsider,
        milestone=6,
        values={
            "contacted_on": TODAY,
            "reached": True,
            "source": "self",
            "status": "looking",
            "employer": "",
            "uses_skill": None,
            "income_band": "",
            "note": "",
        },
        by=outside_admin,
    )

    shown = page(client_for(regional_user).get(ROLLUP))

    assert f"{program.title} ({program.facility.name})" in shown
    # The other facility is outside the region.
    assert outside_program.title not in shown
    assert "Budi Santoso" not in shown and "Bengkel Jaya Motor" not in shown


def test_dashboard_counts_follow_ups_due_for_managers_only(client_for, users, consenting):
    # Released seven months ago: the 3- and 6-month follow-ups are both overdue.
    shown = page(client_for(users["staff"]).get(reverse("dashboard")))
    assert "2 follow-ups after release are due, 2 overdue." in " ".join(shown.split())
    assert LIST in shown
    shown = page(client_for(users["viewer"]).get(reverse("dashboard")))
    assert "follow-ups after release" not in shown


@pytest.mark.parametrize("count", [5, 50])
def test_outcome_report_queries_do_not_grow(
    client_for, viewer_user, staff_user, program, count, django_assert_num_queries
):
    values = {
        "contacted_on": TODAY,
        "reached": True,
        "source": "family",
        "status": "looking",
        "employer": "",
        "uses_skill": None,
        "income_band": "",
        "note": "",
    }
    for index in range(count):
        inmate = released(program.facility, f"WBP {index:02d}")
        EnrollmentFactory(program=program, inmate=inmate, status=Enrollment.Status.COMPLETED)
        record_consent(inmate=inmate, consented=True, on=RELEASED_ON, by=staff_user)
        record_follow_up(inmate=inmate, milestone=6, values=values, by=staff_user)
    client = client_for(viewer_user)
    # Session, user, facility (scope); the follow-ups, the enrolments with their programs,
    # the programs' partners.
    with django_assert_num_queries(6):
        response = client.get(REPORT)
    assert f'<td class="text-end">{count}</td>' in page(response)
