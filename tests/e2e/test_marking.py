"""End to end, in Chromium on a tablet: a trainer marks today's session."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from attendance.models import AttendanceRecord
from tests.e2e.conftest import TABLET
from tests.factories import PASSWORD, EnrollmentFactory, TrainingSessionFactory

pytestmark = pytest.mark.e2e

NAMES = ("Ahmad Fauzi", "Dedi Saputra", "Rizky Pratama", "Yusuf Hidayat")


def status(page, participant, label):
    """The status radio `label` (e.g. "Izin") in the row (fieldset) of `participant`."""
    return page.get_by_role("group", name=participant).get_by_role("radio", name=label, exact=True)


def test_trainer_marks_todays_session_all_present_with_two_exceptions(
    open_page, trainer_user, program
):
    session = TrainingSessionFactory(program=program, date=timezone.localdate())
    for name in NAMES:
        EnrollmentFactory(program=program, inmate__full_name=name)
    page = open_page(TABLET)

    # Logging in leads a trainer straight to their sessions.
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(trainer_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Today's sessions")).to_be_visible()
    card = page.locator(f"[data-session='{session.pk}']")
    expect(card).to_contain_text(program.title)
    expect(card).to_contain_text("4 participants")
    card.get_by_role("link", name="Take attendance").click()

    expect(page.get_by_role("heading", name=f"Attendance: {program.title}")).to_be_visible()
    # "All present" fills every row in the page, without a round trip.
    page.get_by_role("button", name="All present").click()
    for name in NAMES:
        expect(status(page, name, "Hadir")).to_be_checked()
    expect(page.locator("[data-marked-count]")).to_have_text("4")
    assert not AttendanceRecord.objects.exists()

    # Large targets: every status button is at least 44 px on a side.
    box = page.get_by_role("group", name="Dedi Saputra").get_by_title("Izin").bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44

    # A tap lands on the button (the label); the radio itself is visually hidden behind it.
    page.get_by_role("group", name="Dedi Saputra").get_by_title("Izin").click()
    page.get_by_role("group", name="Rizky Pratama").get_by_title("Sakit").click()
    expect(status(page, "Dedi Saputra", "Izin")).to_be_checked()
    page.get_by_role("button", name="Save attendance").click()

    expect(page.get_by_role("alert")).to_contain_text("Attendance saved: 4 new, 0 changed.")
    expect(status(page, "Dedi Saputra", "Izin")).to_be_checked()
    expect(status(page, "Rizky Pratama", "Sakit")).to_be_checked()
    expect(status(page, "Ahmad Fauzi", "Hadir")).to_be_checked()
    expect(page.locator("#attendance-history tbody tr")).to_have_count(4)
    # The page never scrolls sideways on the tablet.
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]

    assert dict(
        AttendanceRecord.objects.filter(session=session).values_list(
            "enrollment__inmate__full_name", "status"
        )
    ) == {"Ahmad Fauzi": "H", "Dedi Saputra": "I", "Rizky Pratama": "S", "Yusuf Hidayat": "H"}
