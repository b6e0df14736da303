"""A program's life: closing after the last session, outcomes, locks, reopening (#9)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from certificates import services
from certificates.closing import close_program, closing_problems, reopen_program
from certificates.models import Certificate
from inmates.models import Inmate
from inmates.services import record_departure
from programs.models import Enrollment, Program, ProgramStatusChange, TrainingSession
from tests.certificates import close, enrol, make_sessions
from tests.factories import InmateFactory
from tests.helpers import shown_messages

DAY_ONE = datetime.date(2025, 8, 4)
CLOSE = "certificates:program_close"
REOPEN = "certificates:program_reopen"


@pytest.fixture
def week(program):
    """Five daily sessions, 4 to 8 August 2025."""
    return [
        TrainingSession.objects.create(
            program=program,
            date=DAY_ONE + datetime.timedelta(days=n),
            start_time=datetime.time(8),
            end_time=datetime.time(12),
        )
        for n in range(5)
    ]


def named(program, name):
    return InmateFactory(facility=program.facility, full_name=name)


# What was seen, 1: a certificate on day 1 of a 5-day program


def test_day_one_cannot_close_or_issue_although_attendance_is_full(program, week, admin_user):
    ahmad = enrol(program, week[:1], "H", inmate=named(program, "Ahmad Fauzi"))

    problems = closing_problems(program, today=DAY_ONE)
    with pytest.raises(ValidationError, match="issued once the program is closed"):
        services.issue_certificates(
            program=program, by=admin_user, enrollments=[ahmad], issued_on=DAY_ONE
        )

    assert problems == [
        "The last session is on 8 August 2025; the program can be closed from that day on."
    ]
    assert not Certificate.objects.exists()


def test_closing_counts_every_planned_session_not_only_those_held(program, week, admin_user):
    # Present on day one only; the other four days were held without them.
    ahmad = enrol(program, week, "HAAAA", inmate=named(program, "Ahmad Fauzi"))
    budi = enrol(program, week, "HHHHH", inmate=named(program, "Budi Santoso"))

    assert close(program, admin_user) == (1, 1)

    ahmad.refresh_from_db()
    budi.refresh_from_db()
    assert budi.status == Enrollment.Status.COMPLETED
    assert ahmad.status == Enrollment.Status.NOT_COMPLETED
    assert ahmad.end_reason == "Attendance 20.0% is below the threshold of 80%."
    assert ahmad.ended_on == budi.ended_on == week[-1].date
    assert program.is_closed and program.closed_by == admin_user
    assert ProgramStatusChange.objects.get().action == ProgramStatusChange.Action.CLOSED
    assert ahmad.history.first().history_change_reason == "Program closed"


def test_closing_refuses_past_sessions_without_attendance(program, week, admin_user):
    enrol(program, week[:3], "HHH")

    with pytest.raises(ValidationError) as raised:
        close_program(program=program, by=admin_user)

    assert raised.value.messages == [
        "The session of 7 August 2025 at 08.00 has no attendance: record it or cancel the session.",
        "The session of 8 August 2025 at 08.00 has no attendance: record it or cancel the session.",
    ]
    program.refresh_from_db()
    assert program.status == Program.Status.ACTIVE


def test_closing_ignores_cancelled_sessions(program, week, admin_user):
    week[-1].status = TrainingSession.Status.CANCELLED
    week[-1].cancel_reason = "Razia"
    week[-1].cancelled_at = datetime.datetime(2025, 8, 8, 7, tzinfo=datetime.UTC)
    week[-1].save()
    budi = enrol(program, week[:4], "HHHH")

    close(program, admin_user)

    budi.refresh_from_db()
    assert (budi.status, budi.ended_on) == (Enrollment.Status.COMPLETED, week[3].date)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Program.Status.CANCELLED, "A cancelled program is not closed."),
        (Program.Status.COMPLETED, "The program is already closed."),
    ],
)
def test_closing_refuses_a_cancelled_or_closed_program(program, admin_user, status, message):
    Program.objects.filter(pk=program.pk).update(status=status, closed_at="2025-08-09T10:00Z")
    program.refresh_from_db()

    assert closing_problems(program) == [message]


def test_closing_refuses_a_program_without_sessions(program):
    assert closing_problems(program) == ["The program has no sessions yet."]


# What was seen, 2: a release after the program ended


def test_release_after_the_end_keeps_a_finished_participant_completing(program, week, admin_user):
    inmate = named(program, "Supriadi")
    enrollment = enrol(program, week, "HHHHH", inmate=inmate)

    record_departure(
        inmate=inmate, kind=Inmate.Status.RELEASED, date=datetime.date(2025, 8, 15), by=admin_user
    )
    close(program, admin_user)
    [certificate] = services.issue_certificates(
        program=program, by=admin_user, issued_on=program.end_date
    )

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED
    assert certificate.enrollment == enrollment
    assert certificate.kind == Certificate.Kind.COMPLETION


# Locks and reopening


def test_closed_program_locks_results(client_for, staff_user, program, week, admin_user):
    enrollment = enrol(program, week, "HHHHH")
    close(program, admin_user)
    url = reverse("attendance:assessment", args=[program.pk])
    client = client_for(staff_user)

    response = client.post(url, {f"e{enrollment.pk}-assessment_result": "belum_kompeten"})

    assert "its results are locked" in " ".join(shown_messages(response))
    assert "its results are locked" in client.get(url).content.decode()
    enrollment.refresh_from_db()
    assert enrollment.assessment_result == Enrollment.Result.COMPETENT


def test_reopen_restores_outcomes_logs_the_reason_and_closes_again(program, week, admin_user):
    budi = enrol(program, week, "HHHHH")
    close(program, admin_user)

    reopen_program(program=program, by=admin_user, reason="Nilai praktik salah ketik")

    program.refresh_from_db()
    budi.refresh_from_db()
    assert (program.status, program.closed_at) == (Program.Status.ACTIVE, None)
    assert (budi.status, budi.ended_on, budi.end_reason) == (Enrollment.Status.ACTIVE, None, "")
    assert budi.history.first().history_change_reason == "Nilai praktik salah ketik"
    change = ProgramStatusChange.objects.latest("at")
    assert (change.action, change.reason, change.by) == (
        "reopened",
        "Nilai praktik salah ketik",
        admin_user,
    )
    assert close(program, admin_user) == (1, 0)


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopen_needs_a_reason(program, week, admin_user, reason):
    enrol(program, week, "HHHHH")
    close(program, admin_user)

    with pytest.raises(ValidationError, match="Give a reason for reopening"):
        reopen_program(program=program, by=admin_user, reason=reason)
    program.refresh_from_db()
    assert program.is_closed


def test_closing_again_refuses_while_a_holder_no_longer_completes(program, week, admin_user):
    budi = enrol(program, week, "HHHHH", inmate=named(program, "Budi Santoso"))
    close(program, admin_user)
    [certificate] = services.issue_certificates(program=program, by=admin_user)
    reopen_program(program=program, by=admin_user, reason="Hasil asesmen keliru")
    Enrollment.objects.filter(pk=budi.pk).update(assessment_result="belum_kompeten")

    with pytest.raises(ValidationError, match=f"holds certificate {certificate.number}"):
        close_program(program=program, by=admin_user)
    program.refresh_from_db()
    assert not program.is_closed


# The pages: permissions, confirmation, bad input


@pytest.mark.parametrize("name", [CLOSE, REOPEN])
def test_closing_pages_send_anonymous_users_to_login(client, program, name):
    response = client.get(reverse(name, args=[program.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", [CLOSE, REOPEN])
@pytest.mark.parametrize(("role", "status"), [("staff", 403), ("viewer", 403), ("trainer", 403)])
def test_closing_pages_refuse_other_roles(
    client_for, users, program, week, name, method, role, status
):
    enrol(program, week, "HHHHH")
    response = getattr(client_for(users[role]), method)(
        reverse(name, args=[program.pk]), {"reason": "x"}
    )
    assert response.status_code == status
    program.refresh_from_db()
    assert program.status == Program.Status.ACTIVE


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", [CLOSE, REOPEN])
def test_closing_pages_hide_another_facility(client_for, outside_admin, program, name, method):
    response = getattr(client_for(outside_admin), method)(
        reverse(name, args=[program.pk]), {"reason": "x"}
    )
    assert response.status_code == 404


def test_close_page_shows_the_outcomes_then_closes(client_for, admin_user, program, week):
    enrol(program, week, "HAAAA", inmate=named(program, "Ahmad Fauzi"))
    enrol(program, week, "HHHHH", inmate=named(program, "Budi Santoso"))
    client = client_for(admin_user)
    url = reverse(CLOSE, args=[program.pk])

    page = client.get(url).content.decode()
    assert "Outcomes that closing will fix" in page
    assert "Attendance 20.0% is below the threshold of 80%." in page
    program.refresh_from_db()
    assert not program.is_closed

    response = client.post(url, follow=True)
    assert "The program is closed: 1 completed, 1 did not." in response.content.decode()
    program.refresh_from_db()
    assert program.is_closed


def test_close_page_explains_why_not_and_post_changes_nothing(
    client_for, admin_user, program, week
):
    enrol(program, week[:2], "HH")
    client = client_for(admin_user)
    url = reverse(CLOSE, args=[program.pk])

    page = client.get(url).content.decode()
    response = client.post(url, follow=True)

    assert "The program cannot be closed yet:" in page
    assert "The session of 6 August 2025 at 08.00 has no attendance" in page
    assert "The session of 6 August 2025 at 08.00 has no attendance" in " ".join(
        shown_messages(response)
    )
    program.refresh_from_db()
    assert not program.is_closed


def test_reopen_page_refuses_an_empty_reason_and_reopens_with_one(
    client_for, admin_user, program, week
):
    enrol(program, week, "HHHHH")
    close(program, admin_user)
    client = client_for(admin_user)
    url = reverse(REOPEN, args=[program.pk])

    refused = client.post(url, {"reason": "  "})
    assert "This field is required." in refused.content.decode()
    program.refresh_from_db()
    assert program.is_closed

    response = client.post(url, {"reason": "Absen hari Rabu salah isi"}, follow=True)
    assert "The program is open again" in response.content.decode()
    assert "Reopened on" in response.content.decode()
    program.refresh_from_db()
    assert program.status == Program.Status.ACTIVE


def test_program_page_flags_past_sessions_without_attendance(client_for, staff_user, program):
    sessions = make_sessions(program, 3)
    enrol(program, sessions[:1], "H")

    html = client_for(staff_user).get(program.get_absolute_url()).content.decode()

    assert "2 past sessions have no attendance recorded" in html
    assert html.count("No attendance recorded") == 2
    assert "Held" in html
