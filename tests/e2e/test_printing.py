"""End to end, in Chromium: an admin prints all of a program's certificates and downloads them."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from certificates import services
from certificates.models import BulkPrint
from programs.models import Enrollment
from tests.certificates import close, enrol, make_sessions, run_worker
from tests.e2e.conftest import LAPTOP
from tests.factories import PASSWORD, InmateFactory, ProgramTopicFactory

pytestmark = pytest.mark.e2e

ELIGIBLE = ("Ahmad Fauzi", "Budi Santoso", "Citra Lestari", "Dewi Anggraini")

# Every aria-valuenow the progress bar shows, kept in the page as htmx swaps the bar in.
RECORD_PROGRESS = """
window.progressSeen = [];
const seen = () => {
  const bar = document.querySelector('[role=progressbar]');
  if (bar) window.progressSeen.push(Number(bar.getAttribute('aria-valuenow')));
};
seen();
new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, attributes: true});
"""


def test_admin_prints_all_watches_the_progress_and_downloads_the_pdf(
    open_page, admin_user, program, settings
):
    # One certificate per part: the bar moves through the parts before the file is joined.
    settings.CERTIFICATE_PRINT_CHUNK = 1
    ProgramTopicFactory(program=program, title="Merangkai gelang", jp=10)
    sessions = make_sessions(program, 3)
    eligible = [
        enrol(
            program, sessions, "HHH", inmate=InmateFactory(facility=program.facility, full_name=n)
        )
        for n in ELIGIBLE
    ]
    # Not eligible: no certificate, so not in the print.
    enrol(program, sessions, "HAA", result=Enrollment.Result.NOT_YET_COMPETENT)
    close(program, admin_user)
    services.issue_certificates(program=program, enrollments=eligible, by=admin_user)
    page = open_page(LAPTOP)

    page.goto(reverse("login"))
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(reverse("certificates:completion", args=[program.pk]))
    page.get_by_role("button", name="Print all (4)").click()

    expect(page.get_by_role("heading", name=f"Print all: {program.title}")).to_be_visible()
    expect(page.locator("#print-status")).to_have_text("Waiting")
    page.evaluate(RECORD_PROGRESS)

    # The database worker (`manage.py db_worker`'s loop) runs the queued task in this thread,
    # while the browser goes on asking the live server for the bar every second.
    run_worker("e2e")

    bar = page.get_by_role("progressbar", name="Printing progress")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("#print-status")).to_have_text("Ready")
    expect(page.get_by_role("status")).to_contain_text("4 certificates printed.")
    seen = page.evaluate("window.progressSeen")
    assert seen[0] == 0 and seen[-1] == 100
    assert seen == sorted(seen)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    download = download_info.value

    assert download.suggested_filename.endswith(".pdf")
    reader = PdfReader(download.path())
    # A page pair per eligible participant, in number order: front (name), back (topics).
    assert len(reader.pages) == 2 * len(ELIGIBLE)
    for index, name in enumerate(sorted(ELIGIBLE)):
        assert name in reader.pages[2 * index].extract_text()
        assert "Merangkai gelang" in reader.pages[2 * index + 1].extract_text()
    assert BulkPrint.objects.get().status == BulkPrint.Status.DONE
