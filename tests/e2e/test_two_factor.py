"""In Chromium: an admin's login with the second factor, and a first login's enrolment."""

import base64

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, TABLET
from tests.e2e.test_axe import AXE, check
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _second_factor_required(settings):
    # tests/conftest.py turns it off for the rest of the suite; the live server runs in this
    # process and reads the setting at each request.
    settings.TWO_FACTOR_REQUIRED = True


def log_in_with_password(page, user):
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_admin_logs_in_with_the_code_of_their_app(open_page, admin_user):
    device = TOTPDevice.objects.create(user=admin_user, name="phone", confirmed=True)
    page = open_page(LAPTOP)
    page.context.add_init_script(AXE)

    log_in_with_password(page, admin_user)
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    # Not reached by test_axe's crawl, which logs in without a second factor.
    assert check(page, page.url) == []
    page.set_viewport_size(LAPTOP)
    # The password alone opens nothing.
    page.goto(reverse("dashboard"))
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()

    page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_admin_enrols_at_first_login(open_page, admin_user):
    page = open_page(TABLET)
    page.context.add_init_script(AXE)

    log_in_with_password(page, admin_user)
    expect(page.get_by_role("heading", name="Set up two-step verification")).to_be_visible()
    assert check(page, page.url) == []
    expect(page.get_by_role("img", name="QR code for the authenticator app")).to_be_visible()
    # What a person would type into their phone's app when it cannot scan.
    key = base64.b32decode(page.locator("#two-factor-secret").inner_text().replace(" ", ""))
    page.get_by_label("Code").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm").click()

    expect(page.locator("#backup-codes li")).to_have_count(10)
    assert check(page, page.url) == []
    page.get_by_role("link", name="I have kept my codes, continue").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
