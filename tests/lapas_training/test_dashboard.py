import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AttendanceRecordFactory,
    EnrollmentFactory,
    PartnerAgreementFactory,
    ProgramFactory,
    TrainingSessionFactory,
)


def test_dashboard_anonymous_redirects_to_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_dashboard_shows_active_programs(client_for, admin_user, program, outside_program):
    response = client_for(admin_user).get(reverse("dashboard"))
    assert response.status_code == 200
    assert program.title in response.content.decode()
    assert outside_program.title not in response.content.decode()


def test_dashboard_links_programs_sessions_and_partners_to_their_pages(
    client_for, admin_user, facility
):
    today = timezone.localdate()
    program = ProgramFactory(facility=facility, title="Menjahit Dasar")
    EnrollmentFactory(program=program)
    session = TrainingSessionFactory(program=program, date=today)
    upcoming = TrainingSessionFactory(program=program, date=today + datetime.timedelta(days=2))
    agreement = PartnerAgreementFactory(partner__facility=facility, valid_to=today)

    page = client_for(admin_user).get(reverse("dashboard")).content.decode()

    program_url = reverse("programs:program_detail", args=[program.pk])
    assert f'<a href="{program_url}">Menjahit Dasar</a>' in page
    assert "1 participant<" in page
    assert f'<a href="{reverse("programs:session_detail", args=[session.pk])}">' in page
    assert f'<a href="{reverse("programs:session_detail", args=[upcoming.pk])}">' in page
    partner_url = reverse("programs:partner_detail", args=[agreement.partner.pk])
    assert f'<a href="{partner_url}">{agreement.partner.name}</a>' in page


def test_dashboard_sends_a_trainer_to_todays_sessions(client_for, trainer_user):
    response = client_for(trainer_user).get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url == reverse("attendance:today")


@pytest.mark.parametrize("rows", [5, 50])
def test_dashboard_query_count_is_fixed(
    client_for, admin_user, facility, rows, django_assert_num_queries
):
    for program in ProgramFactory.create_batch(rows, facility=facility):
        EnrollmentFactory(program=program)
        TrainingSessionFactory(program=program, date=timezone.localdate())
        PartnerAgreementFactory(partner__facility=facility, valid_to=timezone.localdate())
    client = client_for(admin_user)
    # session, user, facility (scope), active programs with counts, sessions of the week,
    # past sessions without attendance, participant count, this month's figures (records,
    # time slots, enrolments of closed programs, certificates, agreements), partners with
    # expiring agreements, follow-ups due (released inmates who consented, with their
    # recorded milestones)
    with django_assert_num_queries(14):
        response = client.get(reverse("dashboard"))
    assert len(response.context["active_programs"]) == rows
    assert len(response.context["todays_sessions"]) == min(rows, 20)
    assert response.context["participant_count"] == rows
    assert len(response.context["expiring_partners"]) == rows


def test_dashboard_lists_past_sessions_without_attendance(client_for, staff_user, program):
    today = timezone.localdate()
    forgotten = TrainingSessionFactory(program=program, date=today - datetime.timedelta(days=2))
    TrainingSessionFactory(program=program, date=today - datetime.timedelta(days=3), status="held")
    TrainingSessionFactory(program=program, date=today + datetime.timedelta(days=1))

    response = client_for(staff_user).get(reverse("dashboard"))

    assert response.context["unrecorded_sessions"] == [forgotten]
    assert reverse("attendance:mark", args=[forgotten.pk]) in response.content.decode()


def test_dashboard_shows_this_months_figures_leading_to_the_reports(
    client_for, viewer_user, program, outside_program
):
    today = timezone.localdate()
    session = TrainingSessionFactory(program=program, date=today, status="held")
    for status in ["H", "H", "T", "A"]:
        AttendanceRecordFactory(session=session, status=status)
    outside = TrainingSessionFactory(program=outside_program, date=today, status="held")
    AttendanceRecordFactory(session=outside, status="A")
    html = client_for(viewer_user).get(reverse("dashboard")).content.decode()
    reports = f"{reverse('reports:dashboard')}?period=month&amp;month={today:%Y-%m}"
    assert f"This month: {today:%B %Y}" in html
    # Four participants in one session, 3 of 4 present or late; the other facility's not.
    for label, value in [
        ("Participants", "4"),
        ("Sessions held", "1"),
        ("Average attendance", "75.0%"),
        ("Certificates issued", "0"),
    ]:
        assert re.search(
            rf'href="{re.escape(reports)}">\s*<span[^>]*>\s*<span[^>]*>{label}</span>\s*'
            rf"<span[^>]*>{re.escape(value)}</span>",
            html,
        ), label
