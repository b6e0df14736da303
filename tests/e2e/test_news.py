"""The news item page in Chromium, under the Content-Security-Policy: the text area is editable,
"Copy" puts its text on the clipboard, a download carries the edits and "Back to the draft"
restores the draft."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from lapas_training.reports.news import news_draft
from tests.e2e.test_csp import log_in, open_watched_page, violations

pytestmark = pytest.mark.e2e


def test_news_copy_and_back_to_the_draft(open_page, live_server, staff_user, program):
    draft = news_draft(program).text
    page, console = open_watched_page(open_page)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in(page, staff_user)
    page.goto(reverse("reports:news", args=[program.pk]))
    text = page.get_by_label("Text of the news item")
    expect(text).to_have_value(draft)

    text.fill(draft + "\n\nTambahan dari petugas humas.")
    page.get_by_role("button", name="Copy").click()

    expect(page.get_by_role("status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == (
        draft + "\n\nTambahan dari petugas humas."
    )
    # The download carries the text as edited on the page.
    with page.expect_download() as download:
        page.get_by_role("button", name="Text (.txt)").click()
    with open(download.value.path(), encoding="utf-8") as file:
        assert file.read() == draft + "\n\nTambahan dari petugas humas.\n"

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Back to the draft").click()

    expect(text).to_have_value(draft)
    assert not violations(page, console)


def test_news_back_to_the_draft_keeps_the_edits_when_declined(open_page, staff_user, program):
    page, console = open_watched_page(open_page)
    log_in(page, staff_user)
    page.goto(reverse("reports:news", args=[program.pk]))
    text = page.get_by_label("Text of the news item")
    text.fill("Judul baru\n\nIsi yang sudah disunting.")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Back to the draft").click()

    expect(text).to_have_value("Judul baru\n\nIsi yang sudah disunting.")
    assert not violations(page, console)
