"""In Chromium, under the Content-Security-Policy: key pages raise no violation, and what their
inline scripts and on*= attributes used to do still works from the static files."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP
from tests.factories import PASSWORD, EnrollmentFactory, TrainingSessionFactory

pytestmark = pytest.mark.e2e

# Every violation fires this DOM event, whatever the browser prints to its console.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def open_watched_page(open_page):
    """A page that records CSP violations, from the DOM event and from the console."""
    page = open_page(LAPTOP)
    page.context.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page, console


def violations(page, console):
    return console + page.evaluate("window.cspViolations")


def log_in(page, user):
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(reverse("login"))


def test_csp_key_pages_raise_no_violation(open_page, admin_user, program):
    session = TrainingSessionFactory(program=program)
    EnrollmentFactory(program=program, inmate__full_name="Ahmad Fauzi")
    page, console = open_watched_page(open_page)
    log_in(page, admin_user)

    found = []
    for url in (
        reverse("dashboard"),
        reverse("programs:program_create"),
        reverse("programs:program_update", args=[program.pk]),
        reverse("attendance:mark", args=[session.pk]),
        reverse("certificates:completion", args=[program.pk]),
        reverse("verify:verify", args=["no-such-code"]),
    ):
        assert page.goto(url).status in (200, 404), url
        page.wait_for_load_state("networkidle")
        found += [f"{url}: {violation}" for violation in violations(page, console)]
        console.clear()

    assert not found, "\n".join(found)


def test_csp_program_form_adds_a_topic_row(open_page, admin_user):
    page, console = open_watched_page(open_page)
    log_in(page, admin_user)
    page.goto(reverse("programs:program_create"))
    rows = page.locator("#topic-table tbody tr")
    before = rows.count()

    page.get_by_role("button", name="Add a topic line").click()

    expect(rows).to_have_count(before + 1)
    expect(page.locator("#id_topics-TOTAL_FORMS")).to_have_value(str(before + 1))
    expect(page.locator(f"[name='topics-{before}-title']")).to_be_visible()
    assert not violations(page, console)


def test_csp_facility_picker_searches_and_switches(open_page, superuser, facility, other_facility):
    page, console = open_watched_page(open_page)
    log_in(page, superuser)
    page.goto(reverse("programs:program_list"))

    page.get_by_role("link", name="Switch facility").click()
    expect(page.get_by_label("Name, unit code, city or region")).to_be_focused()
    page.get_by_label("Name, unit code, city or region").fill(other_facility.unit_code)
    page.get_by_label("Name, unit code, city or region").press("Enter")
    page.get_by_role("button", name=f"Choose {other_facility.name}").click()

    # Back on the page the superuser came from, now in the chosen facility.
    expect(page).to_have_url(re.compile(re.escape(reverse("programs:program_list")) + "$"))
    expect(page.locator(".navbar-brand")).to_have_attribute("title", other_facility.name)
    expect(page.get_by_role("alert")).to_contain_text(other_facility.name)
    assert not violations(page, console)


def test_csp_verifier_page_runs_where_the_site_serves_it(open_page):
    """/verifier/ sends its own policy allowing exactly its inline script: the site's policy
    would keep it from starting, and it would tell the visitor to save it first."""
    page, console = open_watched_page(open_page)

    response = page.goto(reverse("verify:verifier"))

    assert "script-src 'sha256-" in response.headers["content-security-policy"]
    expect(page.locator("#not-started")).to_be_hidden()
    page.locator("#check").click()
    expect(page.locator("#result")).not_to_be_empty()
    assert violations(page, console) == []
