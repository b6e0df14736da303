"""End to end, in Chromium: the prison head opens the reports dashboard."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, TABLET
from tests.factories import PASSWORD
from tests.reports.test_figures import world  # noqa: F401 (the known data, a fixture)

pytestmark = pytest.mark.e2e

CHARTS = {
    "attendance": "Attendance per month",
    "completion": "Completion by program",
    "partners": "Participants by partner",
    "skills": "Participants by skill category",
    "custody": "Custody reasons",
}


def screenshot_dir(tmp_path):
    """Where the screenshots go: E2E_SCREENSHOTS when set (to look at them), else tmp_path."""
    directory = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("viewport", "name"), [(LAPTOP, "1280"), (TABLET, "768")])
def test_viewer_sees_the_charts_and_their_tables(open_page, viewer_user, tmp_path, viewport, name):
    page = open_page(viewport)
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(viewer_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    navigation = page.get_by_role("navigation", name="Main navigation")
    navigation.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()

    page.get_by_label("Month", exact=True).fill("2025-08")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("period-label")).to_have_text("August 2025")
    expect(page.get_by_role("link", name="Average attendance 57.1%")).to_be_visible()

    for anchor, caption in CHARTS.items():
        figure = page.locator(f"figure#{anchor}")
        expect(figure.locator("figcaption")).to_contain_text(caption)
        expect(figure.get_by_role("img")).to_be_visible()
        expect(figure.get_by_role("table")).to_be_visible()
        # The chart is drawn at a readable size and its table is not squeezed beside it.
        chart_box = figure.get_by_role("img").bounding_box()
        assert chart_box["width"] >= 300
        assert figure.get_by_role("table").bounding_box()["width"] >= 250
    # Nothing runs off the side of a tablet.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    partners = page.locator("figure#partners")
    expect(partners.get_by_role("row", name="LPK Multi Karya 5")).to_be_visible()
    page.screenshot(path=screenshot_dir(tmp_path) / f"reports_{name}.png", full_page=True)

    # On paper the navigation, the period form and the buttons give way to the figures.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main navigation")).to_be_hidden()
    expect(page.get_by_role("button", name="Show")).to_be_hidden()
    expect(page.get_by_role("link", name="Average attendance 57.1%")).to_be_visible()
    expect(page.get_by_role("img").first).to_be_visible()
    page.screenshot(path=screenshot_dir(tmp_path) / f"reports_{name}_print.png", full_page=True)
