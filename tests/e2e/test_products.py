"""End to end, in Chromium on a tablet: an officer records a sale of bracelets at a stall, with the
photo of the receipt, from the program page."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from programs.models import Product, Sale
from programs.products import record_batch
from tests.e2e.conftest import TABLET
from tests.factories import PASSWORD, EnrollmentFactory
from tests.images import image_bytes

pytestmark = pytest.mark.e2e


def test_staff_records_a_sale_with_its_receipt_on_a_tablet(
    open_page, staff_user, program, partner, tmp_path
):
    product = Product.objects.create(program=program, name="Gelang batu Lilis", unit_price=25_000)
    maker = EnrollmentFactory(program=program, inmate__full_name="Andi Saputra")
    record_batch(
        product=product,
        date=datetime.date(2025, 8, 6),
        quantity=10,
        makers=[(maker, 1)],
        recorded_by=staff_user,
    )
    receipt = tmp_path / "kuitansi.jpg"
    receipt.write_bytes(image_bytes("JPEG", size=(600, 800)))
    page = open_page(TABLET)

    page.goto(reverse("login"))
    page.get_by_label("Username").fill(staff_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(program.get_absolute_url())
    page.get_by_role("link", name="Products and sales").click()
    page.get_by_role("link", name="Record a sale").click()

    expect(page.get_by_role("heading", name="Record a sale")).to_be_visible()
    # One column that fits the tablet, with targets large enough for a finger.
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    quantity = page.get_by_label("Pieces sold")
    assert quantity.bounding_box()["height"] >= 44
    assert quantity.get_attribute("inputmode") == "numeric"
    batch = page.get_by_label("Product (batch)")
    # The only batch with stock, after the empty choice; named with what is left of it.
    expect(batch.locator("option").nth(1)).to_contain_text("Gelang batu Lilis, made ")
    expect(batch.locator("option").nth(1)).to_contain_text("(10 in stock)")
    batch.select_option(index=1)
    page.get_by_label("Date sold").fill("2025-08-09")
    quantity.fill("3")
    page.get_by_label("Partner", exact=True).select_option(label=partner.name)
    page.get_by_label("Buyer").fill("UMKM Marajaki Kreatif")
    page.get_by_label("Receipt number").fill("KW-017")
    page.get_by_label("Scanned receipt").set_input_files(str(receipt))
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "The sale of 3 × Gelang batu Lilis was recorded."
    )
    # 3 x Rp 25.000 = 75.000 net, of which 40% (30.000) is the makers' premium.
    expect(page.locator("#revenue")).to_contain_text("Rp 75,000")
    expect(page.locator("#earnings")).to_contain_text("Andi Saputra")
    expect(page.locator("#earnings")).to_contain_text("Rp 30,000")
    sale = Sale.objects.get()
    assert (sale.quantity, sale.partner, sale.receipt_content_type) == (3, partner, "image/jpeg")
