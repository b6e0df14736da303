"""End to end, in Chromium: what an admin and a trainer do on their first day."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from programs.models import Enrollment, Program, TrainingSession
from tests.e2e.conftest import LAPTOP, TABLET
from tests.factories import PASSWORD, InmateFactory

pytestmark = pytest.mark.e2e

TITLE = "Pelatihan Kemandirian: Aksesoris Gelang dan Kalung Batu"


def log_in(page, user):
    """Log in through the login form, as a person would, and land on the start page: the
    dashboard, or for a trainer today's sessions."""
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    start = "Today's sessions" if user.is_trainer else "Dashboard"
    expect(page.get_by_role("heading", name=start)).to_be_visible()


def test_admin_creates_program_generates_sessions_and_enrols(
    open_page, admin_user, partner, trainer_user, facility
):
    for name in ("Ahmad Fauzi", "Rizky Pratama", "Dedi Saputra"):
        InmateFactory(facility=facility, full_name=name)
    page = open_page(LAPTOP)
    log_in(page, admin_user)

    # A program with one topic.
    page.get_by_role("link", name="Programs").click()
    page.get_by_role("link", name="New program").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Skill category").select_option(label="Handicraft")
    page.get_by_label("Location").fill("Aula Utama")
    page.get_by_label("Start date").fill("2025-08-04")
    page.get_by_label("End date").fill("2025-08-08")
    page.get_by_label("Capacity").fill("25")
    page.get_by_label("Status").select_option(label="Active")
    page.locator("[name='topics-0-title']").fill("Teknik merangkai gelang batu")
    page.locator("[name='topics-0-jp']").fill("15")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("was created")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()

    # Its lead partner.
    page.get_by_label("Partner").select_option(label=partner.name)
    page.get_by_label("Role").select_option(label="Lead")
    page.get_by_role("button", name="Attach partner").click()
    expect(page.get_by_role("alert")).to_contain_text(f"{partner.name} was added")

    # Sessions on Monday, Wednesday and Friday, 08.00-12.00, taught by the partner's trainer.
    page.get_by_role("link", name="Generate sessions").click()
    expect(page.get_by_label("From date")).to_have_value("2025-08-04")
    expect(page.get_by_label("To date")).to_have_value("2025-08-08")
    page.get_by_label("Tuesday").uncheck()
    page.get_by_label("Thursday").uncheck()
    page.get_by_label("Start time").fill("08:00")
    page.get_by_label("End time").fill("12:00")
    page.get_by_label("Topic").select_option(label="Teknik merangkai gelang batu")
    page.get_by_label(f"{trainer_user} ({partner.name})").check()
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_role("alert")).to_contain_text("3 sessions created.")
    sessions = page.locator("#sessions tbody tr")
    expect(sessions).to_have_count(3)
    expect(sessions.first).to_contain_text("Monday, 4 August 2025")
    expect(sessions.first).to_contain_text("08.00–12.00")
    expect(sessions.last).to_contain_text("Friday, 8 August 2025")

    # Two of the three inmates, through the picker, a preview and a confirmation.
    page.get_by_role("link", name="Enrol inmates").click()
    page.get_by_label("Ahmad Fauzi").check()
    page.get_by_label("Rizky Pratama").check()
    page.get_by_role("button", name="Review the selection").click()
    expect(page.get_by_role("heading", name="Confirm enrolment")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Enrol 2 inmates").click()
    expect(page.get_by_role("alert")).to_contain_text("2 inmates enrolled.")
    participants = page.locator("#participants tbody")
    expect(participants).to_contain_text("Ahmad Fauzi")
    expect(participants).to_contain_text("Rizky Pratama")
    expect(participants).not_to_contain_text("Dedi Saputra")

    program = Program.objects.get(title=TITLE, facility=facility)
    assert program.program_partners.get().partner == partner
    assert list(TrainingSession.objects.filter(program=program).values_list("date", flat=True)) == [
        datetime.date(2025, 8, 4),
        datetime.date(2025, 8, 6),
        datetime.date(2025, 8, 8),
    ]
    assert set(
        Enrollment.objects.filter(program=program).values_list("inmate__full_name", flat=True)
    ) == {"Ahmad Fauzi", "Rizky Pratama"}


def test_trainer_sees_only_their_partners_program(open_page, trainer_user, program, other_program):
    page = open_page(TABLET)
    log_in(page, trainer_user)

    # A 768 px tablet shows the whole navigation bar, without a toggler.
    expect(page.get_by_role("button", name="Toggle navigation")).to_be_hidden()
    page.get_by_role("link", name="Programs").click()
    expect(page.get_by_role("heading", name="Programs")).to_be_visible()
    table = page.locator("table")
    expect(table.get_by_role("link", name=program.title)).to_be_visible()
    expect(table).not_to_contain_text(other_program.title)
    # Wide tables scroll inside their box; the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]

    response = page.goto(other_program.get_absolute_url())
    assert response.status == 404
