"""End to end, in Chromium: long names never push the navigation bar past the screen's edge."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

# As long as real ones get: a women's narcotics prison, a two-part name twice over.
FACILITY = "Lembaga Pemasyarakatan Narkotika Perempuan Kelas IIA Kasongan Kalimantan Tengah"
PARTNER = "Lembaga Pelatihan Kerja Swasta Multi Karya Mandiri Kotawaringin Barat"
FIRST, LAST = "Cakrawangsa Nasyidah", "Wirabhumi Kusumawardhani Simanjuntak"
WIDTHS = [768, 992, 1280]


@pytest.fixture
def long_names(facility, partner):
    facility.name = FACILITY
    facility.save(update_fields=["name"])
    partner.name = PARTNER
    partner.save(update_fields=["name"])


@pytest.mark.usefixtures("long_names")
@pytest.mark.parametrize("role", ["admin", "staff", "viewer", "trainer", "regional"])
def test_long_names_end_in_an_ellipsis_and_the_page_never_scrolls_sideways(
    open_page, users, regional_user, role
):
    user = regional_user if role == "regional" else users[role]
    user.first_name, user.last_name = FIRST, LAST
    user.save(update_fields=["first_name", "last_name"])
    page = open_page({"width": WIDTHS[-1], "height": 800})
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    navigation = page.get_by_role("navigation", name="Main navigation")
    expect(navigation).to_be_visible()

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
        # Every link of the bar is on the screen, the last one (the user's menu) included.
        for link in navigation.get_by_role("link").all():
            if link.is_visible():
                assert link.bounding_box()["x"] + link.bounding_box()["width"] <= width, width
    # The whole name stays one hover away.
    if role in ("admin", "staff", "viewer"):
        expect(navigation.locator(".navbar-brand")).to_have_attribute("title", FACILITY)
    expect(navigation.get_by_title(f"{FIRST} {LAST}")).to_be_attached()
