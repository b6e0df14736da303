"""The products pages: who may see and record what, the figures they show, bad input refused
with nothing changed, and a fixed number of queries."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from lapas_training.models import AuditEvent
from programs.models import (
    Product,
    ProductionBatch,
    ProductPhoto,
    RevenueSplit,
    Sale,
    SaleRefund,
    StockLoss,
)
from programs.products import record_batch, record_deposit, record_sale
from tests.factories import EnrollmentFactory, InmateFactory
from tests.helpers import assert_answer, page, shown_messages
from tests.images import image_bytes, media_files, upload
from tests.pdf_overlap import assert_no_overlap
from tests.programs.test_photos import add_photo
from tests.test_accessibility import ControlCollector
from tests.test_hostile_input import FIXED

MADE_ON = datetime.date(2025, 8, 6)
SOLD_ON = datetime.date(2025, 8, 9)


@pytest.fixture
def product(program):
    return Product.objects.create(
        program=program, name="Gelang batu Lilis", kind="Gelang", unit_price=25_000
    )


@pytest.fixture
def makers(program, facility):
    return [
        EnrollmentFactory(program=program, inmate=InmateFactory(facility=facility, full_name=name))
        for name in ("Andi Saputra", "Budi Santoso")
    ]


@pytest.fixture
def batch(product, makers, staff_user):
    return record_batch(
        product=product,
        date=MADE_ON,
        quantity=10,
        makers=[(makers[0], 3), (makers[1], 2)],
        recorded_by=staff_user,
    )


@pytest.fixture
def sale(batch, staff_user, partner):
    return record_sale(
        batch=batch,
        date=SOLD_ON,
        quantity=3,
        unit_price=25_000,
        channel=Sale.Channel.PARTNER,
        partner=partner,
        buyer="UMKM Marajaki Kreatif",
        recorded_by=staff_user,
    )


@pytest.fixture
def outside_product(outside_program):
    return Product.objects.create(program=outside_program, name="Lele asap", unit_price=30_000)


@pytest.fixture
def other_product(other_program):
    return Product.objects.create(program=other_program, name="Sarung bantal", unit_price=40_000)


def pdf_text(pdf):
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def who_is(users, other_trainer_user, regional_user, who):
    extra = {"anonymous": None, "other_trainer": other_trainer_user, "regional": regional_user}
    return extra[who] if who in extra else users[who]


def sale_data(batch, sold_by, **changes):
    return {
        "batch": batch.pk,
        "date": "2025-08-09",
        "quantity": "2",
        "unit_price": "",
        "channel": "partner",
        "partner": sold_by.pk,
        "buyer": "UMKM Marajaki Kreatif",
        "receipt_number": "KW-017",
        **changes,
    }


# Who may see -----------------------------------------------------------------------------------

READ_ANSWERS = {
    "anonymous": "login",
    "admin": 200,
    "staff": 200,
    "viewer": 200,
    "trainer": 200,
    "other_trainer": 404,
    "outsider": 404,
    "regional": 403,
}


@pytest.mark.parametrize("who", READ_ANSWERS)
@pytest.mark.parametrize("view", ["program_products", "product_detail"])
def test_products_pages_answer_by_role(
    client_for, users, other_trainer_user, regional_user, program, product, who, view
):
    target = program if view == "program_products" else product
    client = client_for(who_is(users, other_trainer_user, regional_user, who))

    response = client.get(reverse(f"programs:{view}", args=[target.pk]))

    assert_answer(response, READ_ANSWERS[who])


@pytest.mark.parametrize("view", ["program_products", "product_detail"])
def test_products_pages_of_another_facility_are_404(client_for, admin_user, outside_product, view):
    target = outside_product.program if view == "program_products" else outside_product

    response = client_for(admin_user).get(reverse(f"programs:{view}", args=[target.pk]))

    assert response.status_code == 404


MANAGER_ANSWERS = {
    "anonymous": "login",
    "admin": 200,
    "staff": 200,
    "viewer": 403,
    "trainer": 403,
    "outsider": 404,
}


def manager_targets(program, product, sale):
    return {
        "product_create": program,
        "product_update": product,
        "sale_create": program,
        "loss_create": program,
        "revenue_split_edit": program,
        "sale_refund": sale,
        "deposit_create": program,
    }


@pytest.mark.parametrize("who", MANAGER_ANSWERS)
@pytest.mark.parametrize(
    "view",
    [
        "product_create",
        "product_update",
        "sale_create",
        "loss_create",
        "revenue_split_edit",
        "sale_refund",
        "deposit_create",
    ],
)
def test_recording_pages_are_for_managers(
    client_for, users, other_trainer_user, regional_user, program, product, sale, who, view
):
    target = manager_targets(program, product, sale)[view]
    client = client_for(who_is(users, other_trainer_user, regional_user, who))

    response = client.get(reverse(f"programs:{view}", args=[target.pk]))

    assert_answer(response, MANAGER_ANSWERS[who])


@pytest.mark.parametrize(
    "who,expected",
    [
        ("anonymous", "login"),
        ("admin", 200),
        ("staff", 200),
        ("trainer", 200),
        ("viewer", 403),
        ("other_trainer", 404),
        ("outsider", 404),
    ],
)
def test_batch_page_is_for_managers_and_the_partners_trainers(
    client_for, users, other_trainer_user, regional_user, product, who, expected
):
    client = client_for(who_is(users, other_trainer_user, regional_user, who))

    response = client.get(reverse("programs:batch_create", args=[product.pk]))

    assert_answer(response, expected)


def test_refund_of_a_sale_of_another_facility_is_404(
    client_for, admin_user, outside_product, outside_admin
):
    outside_batch = record_batch(
        product=outside_product,
        date=MADE_ON,
        quantity=2,
        makers=[(EnrollmentFactory(program=outside_product.program), 1)],
        recorded_by=outside_admin,
    )
    outside_sale = record_sale(
        batch=outside_batch,
        date=SOLD_ON,
        quantity=1,
        unit_price=30_000,
        channel=Sale.Channel.DIRECT,
        recorded_by=outside_admin,
    )
    client = client_for(admin_user)

    get = client.get(reverse("programs:sale_refund", args=[outside_sale.pk]))
    post = client.post(
        reverse("programs:sale_refund", args=[outside_sale.pk]),
        {"date": "2025-08-10", "quantity": "1", "reason": "Salah"},
    )

    assert get.status_code == post.status_code == 404
    assert not SaleRefund.objects.exists()


def test_recording_pages_refuse_other_methods(client_for, staff_user, program):
    response = client_for(staff_user).delete(reverse("programs:sale_create", args=[program.pk]))

    assert response.status_code == 405


# What the pages show --------------------------------------------------------------------------


def test_products_page_shows_stock_revenue_split_and_premiums(
    client_for, viewer_user, product, sale, staff_user
):
    SaleRefund.objects.create(
        sale=sale, date=SOLD_ON, quantity=1, reason="Retak", recorded_by=staff_user
    )
    StockLoss.objects.create(
        batch=sale.batch, date=SOLD_ON, quantity=1, reason="Pecah", recorded_by=staff_user
    )

    html = page(
        client_for(viewer_user).get(reverse("programs:program_products", args=[product.program_id]))
    )

    # 10 made, 3 sold less 1 refunded = 2, 1 lost: 7 in stock. Net 2 x 25.000 = 50.000 at
    # 40/20/40: premium 20.000, partner 10.000, PNBP 20.000; premium 3:2 = 12.000 and 8.000.
    assert '<td class="text-end">2</td>' in html
    assert '<td class="text-end fw-semibold">7</td>' in html
    assert "Rp 50,000" in html
    assert "Rp 20,000" in html and "Rp 10,000" in html
    assert "Andi Saputra" in html and "Rp 12,000" in html
    assert "Budi Santoso" in html and "Rp 8,000" in html
    assert "New sales are split 40% makers' premium, 20% partner, 40% PNBP." in html
    assert "Record a sale" not in html  # the viewer reads only


def test_trainer_sees_stock_but_no_money(client_for, trainer_user, product, sale):
    listing = page(
        client_for(trainer_user).get(
            reverse("programs:program_products", args=[product.program_id])
        )
    )
    detail = page(
        client_for(trainer_user).get(reverse("programs:product_detail", args=[product.pk]))
    )

    assert '<td class="text-end fw-semibold">7</td>' in listing
    for html in (listing, detail):
        assert "Rp 75,000" not in html
        assert "Premium" not in html
        assert "UMKM Marajaki Kreatif" not in html
    assert "Record a production batch" in detail


def test_product_detail_shows_each_sale_split(client_for, staff_user, product, sale):
    html = page(client_for(staff_user).get(reverse("programs:product_detail", args=[product.pk])))

    # 3 x 25.000 = 75.000: 30.000 / 15.000 / 30.000; the makers 3:2 of 30.000.
    assert "Rp 75,000" in html
    assert html.count("Rp 30,000") == 4  # the sale's premium and PNBP, and their totals
    assert "Andi Saputra (3): Rp 18,000" in html
    assert "Budi Santoso (2): Rp 12,000" in html
    assert reverse("programs:sale_refund", args=[sale.pk]) in html


def test_program_page_links_to_its_products(client_for, staff_user, program):
    html = page(client_for(staff_user).get(reverse("programs:program_detail", args=[program.pk])))

    assert reverse("programs:program_products", args=[program.pk]) in html


# Recording ------------------------------------------------------------------------------------


def test_product_create_saves_it(client_for, staff_user, program):
    response = client_for(staff_user).post(
        reverse("programs:product_create", args=[program.pk]),
        {"name": "Kalung batu Lilis", "kind": "Kalung", "material": "", "unit_price": "45000"},
    )

    product = Product.objects.get(program=program)
    assert response.url == product.get_absolute_url()
    assert (product.name, product.unit_price) == ("Kalung batu Lilis", 45_000)


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"name": "gelang BATU lilis"}, "name", "This program already has a product of this name."),
        ({"unit_price": "-5"}, "unit_price", "Ensure this value is greater than or equal to 0."),
        ({"unit_price": "dua puluh"}, "unit_price", "Enter a whole number."),
    ],
)
def test_product_create_refuses_bad_input(
    client_for, staff_user, program, product, changes, field, message
):
    data = {"name": "Kalung", "kind": "", "material": "", "unit_price": "45000", **changes}

    response = client_for(staff_user).post(
        reverse("programs:product_create", args=[program.pk]), data
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert Product.objects.count() == 1


def test_trainer_records_a_batch_with_makers(client_for, trainer_user, product, makers):
    response = client_for(trainer_user).post(
        reverse("programs:batch_create", args=[product.pk]),
        {
            "date": "2025-08-06",
            "quantity": "12",
            "note": "",
            f"share_{makers[0].pk}": "1",
            f"share_{makers[1].pk}": "",
        },
    )

    assert response.status_code == 302
    batch = ProductionBatch.objects.get()
    assert (batch.quantity, batch.recorded_by) == (12, trainer_user)
    assert [(m.enrollment, m.share) for m in batch.makers.all()] == [(makers[0], 1)]
    assert batch.history.get().history_user == trainer_user


@pytest.mark.parametrize(
    "changes,message",
    [
        ({}, "Give a share to at least one maker (e.g. 1 each for equal parts)."),
        ({"quantity": "0", "share": "1"}, "Ensure this value is greater than or equal to 1."),
        ({"share": "-1"}, "Ensure this value is greater than or equal to 0."),
    ],
)
def test_batch_refuses_bad_input(client_for, staff_user, product, makers, changes, message):
    data = {"date": "2025-08-06", "quantity": changes.get("quantity", "5"), "note": ""}
    if "share" in changes:
        data[f"share_{makers[0].pk}"] = changes["share"]

    response = client_for(staff_user).post(
        reverse("programs:batch_create", args=[product.pk]), data
    )

    assert response.status_code == 200
    assert message in page(response)
    assert not ProductionBatch.objects.exists()


def test_sale_with_a_scanned_receipt_is_recorded(client_for, staff_user, batch, partner):
    client = client_for(staff_user)
    data = sale_data(batch, partner, receipt=upload(image_bytes("JPEG"), "kuitansi.jpg"))

    response = client.post(reverse("programs:sale_create", args=[batch.product.program_id]), data)

    assert response.status_code == 302
    assert shown_messages(response) == ["The sale of 2 × Gelang batu Lilis was recorded."]
    sale = Sale.objects.get()
    # The product's price, the program's default split copied onto the sale.
    assert (sale.quantity, sale.unit_price, sale.partner, sale.receipt_number) == (
        2,
        25_000,
        partner,
        "KW-017",
    )
    assert (sale.premium_percent, sale.partner_percent, sale.pnbp_percent) == (40, 20, 40)
    receipt = client.get(reverse("programs:sale_receipt", args=[sale.pk]))
    assert receipt["Content-Type"] == "image/jpeg"
    assert b"".join(receipt.streaming_content)[:2] == b"\xff\xd8"


def test_sale_uses_the_programs_own_split(client_for, staff_user, batch, partner):
    RevenueSplit.objects.create(
        program=batch.product.program, premium_percent=50, partner_percent=0, pnbp_percent=50
    )
    client_for(staff_user).post(
        reverse("programs:sale_create", args=[batch.product.program_id]),
        sale_data(batch, partner, channel="direct", partner="", unit_price="30000"),
    )

    sale = Sale.objects.get()
    assert (sale.unit_price, sale.partner, sale.premium_percent, sale.pnbp_percent) == (
        30_000,
        None,
        50,
        50,
    )


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"quantity": "11"}, "quantity", "Only 10 in stock; this cannot take 11."),
        ({"quantity": "0"}, "quantity", "Ensure this value is greater than or equal to 1."),
        (
            {"quantity": "99999999999999999999999"},
            "quantity",
            "Ensure this value is less than or equal to 1000000.",
        ),
        (
            {"unit_price": "99999999999999999999999"},
            "unit_price",
            "Ensure this value is less than or equal to 1000000000000.",
        ),
        ({"partner": ""}, "partner", "Choose the partner who sold it."),
        ({"date": "2025-08-05"}, "date", "This is before the batch was made."),
        ({"date": "9 Agustus"}, "date", "Enter a valid date."),
        (
            {"receipt": upload(b"MZ not a receipt", "kuitansi.pdf", "application/pdf")},
            "receipt",
            "Upload a JPEG, PNG or WebP image or a PDF; this file is not one or is damaged.",
        ),
    ],
)
def test_sale_refuses_bad_input(client_for, staff_user, batch, partner, changes, field, message):
    response = client_for(staff_user).post(
        reverse("programs:sale_create", args=[batch.product.program_id]),
        sale_data(batch, partner, **changes),
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message.replace("'", "&#x27;") in page(response)
    assert not Sale.objects.exists()
    assert media_files() == []


def test_sale_refuses_a_partner_of_another_program(client_for, staff_user, batch, other_partner):
    response = client_for(staff_user).post(
        reverse("programs:sale_create", args=[batch.product.program_id]),
        sale_data(batch, other_partner),
    )

    assert response.status_code == 200
    assert "partner" in response.context["form"].errors
    assert not Sale.objects.exists()


def test_sale_refuses_a_batch_of_another_program(client_for, staff_user, batch, other_product):
    other_batch = record_batch(
        product=other_product,
        date=MADE_ON,
        quantity=3,
        makers=[(EnrollmentFactory(program=other_product.program), 1)],
        recorded_by=staff_user,
    )

    response = client_for(staff_user).post(
        reverse("programs:sale_create", args=[batch.product.program_id]),
        sale_data(other_batch, batch.product.program.partners.get()),
    )

    assert response.status_code == 200
    assert "batch" in response.context["form"].errors
    assert not Sale.objects.exists()


def test_loss_is_recorded_and_refused_beyond_stock(client_for, staff_user, batch):
    client = client_for(staff_user)
    url = reverse("programs:loss_create", args=[batch.product.program_id])
    data = {"batch": batch.pk, "date": "2025-08-07", "quantity": "2", "reason": "Tali putus"}

    refused = client.post(url, {**data, "quantity": "11"})
    no_reason = client.post(url, {**data, "reason": ""})
    assert not StockLoss.objects.exists()
    client.post(url, data)

    assert refused.context["form"].errors["quantity"] == ["Only 10 in stock; this cannot take 11."]
    assert no_reason.context["form"].errors["reason"] == ["This field is required."]
    loss = StockLoss.objects.get()
    assert (loss.quantity, loss.reason, loss.recorded_by) == (2, "Tali putus", staff_user)


def test_refund_is_recorded_and_refused_beyond_the_sale(client_for, staff_user, sale):
    client = client_for(staff_user)
    url = reverse("programs:sale_refund", args=[sale.pk])

    refused = client.post(url, {"date": "2025-08-10", "quantity": "4", "reason": "Retak"})
    assert not SaleRefund.objects.exists()
    response = client.post(url, {"date": "2025-08-10", "quantity": "3", "reason": "Salah catat"})

    assert refused.context["form"].errors["quantity"] == ["Only 3 of this sale are left to refund."]
    assert response.status_code == 302
    refund = SaleRefund.objects.get()
    assert (refund.quantity, refund.reason) == (3, "Salah catat")


def test_revenue_split_is_saved_and_refused_unless_it_adds_up(client_for, admin_user, program):
    client = client_for(admin_user)
    url = reverse("programs:revenue_split_edit", args=[program.pk])

    refused = client.post(
        url, {"premium_percent": "50", "partner_percent": "30", "pnbp_percent": "30"}
    )
    assert not RevenueSplit.objects.exists()
    client.post(url, {"premium_percent": "50", "partner_percent": "20", "pnbp_percent": "30"})

    assert "The three shares must add up to 100%; they add up to 110%." in page(refused)
    split = RevenueSplit.objects.get(program=program)
    assert (split.premium_percent, split.partner_percent, split.pnbp_percent) == (50, 20, 30)


def test_receipt_is_not_served_to_a_trainer_nor_without_a_file(
    client_for, trainer_user, staff_user, sale
):
    assert (
        client_for(trainer_user).get(reverse("programs:sale_receipt", args=[sale.pk])).status_code
        == 403
    )
    assert (
        client_for(staff_user).get(reverse("programs:sale_receipt", args=[sale.pk])).status_code
        == 404
    )


# Queries ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [5, 50])
def test_products_pages_query_count_is_fixed(
    client_for, admin_user, program, partner, facility, django_assert_num_queries, rows
):
    for n in range(rows):
        product = Product.objects.create(program=program, name=f"Gelang {n}", unit_price=20_000)
        maker = EnrollmentFactory(program=program, inmate=InmateFactory(facility=facility))
        batch = record_batch(
            product=product, date=MADE_ON, quantity=3, makers=[(maker, 1)], recorded_by=admin_user
        )
        record_sale(
            batch=batch,
            date=SOLD_ON,
            quantity=1,
            unit_price=20_000,
            channel=Sale.Channel.PARTNER,
            partner=partner,
            recorded_by=admin_user,
        )
    client = client_for(admin_user)

    # 1 session, 2 user, 3 user's facility (scope), 4 the program, 5 the products with their
    # stock, 6 the sales with their refunded pieces, 7 the program's split, 8 the sales again
    # and 9 the makers for the premiums, 10 the makers' names, 11 the PNBP deposits.
    with django_assert_num_queries(11):
        response = client.get(reverse("programs:program_products", args=[program.pk]))
    assert page(response).count("Rp 8,000") == rows  # each maker's premium: 40% of 20.000

    # Same product, one batch and sale per row: 4 the product with its program, 5 its batches
    # with their stock, 6 their makers, 7 its photos, 8 the program's other photos to link,
    # 9 the sales with partner and refunded pieces, 10 their refunds, 11 the sales again and
    # 12 the makers for the premiums, 13 the losses (read by the template).
    for _ in range(rows - 1):
        batch = record_batch(
            product=product, date=MADE_ON, quantity=3, makers=[(maker, 1)], recorded_by=admin_user
        )
        record_sale(
            batch=batch,
            date=SOLD_ON,
            quantity=1,
            unit_price=20_000,
            channel=Sale.Channel.DIRECT,
            recorded_by=admin_user,
        )
    with django_assert_num_queries(13):
        response = client.get(reverse("programs:product_detail", args=[product.pk]))
    assert page(response).count("btn btn-sm btn-outline-danger") == rows  # a refund button each


# The facility's products and sales -------------------------------------------------------------


@pytest.mark.parametrize(
    "who,expected",
    [
        ("anonymous", "login"),
        ("admin", 200),
        ("staff", 200),
        ("viewer", 200),
        ("trainer", 403),
        ("regional", 403),
    ],
)
def test_product_list_is_for_the_facilitys_readers(
    client_for, users, other_trainer_user, regional_user, who, expected
):
    client = client_for(who_is(users, other_trainer_user, regional_user, who))

    assert_answer(client.get(reverse("programs:product_list")), expected)


@pytest.fixture
def two_programs_sales(sale, staff_user, other_product, outside_product, outside_admin):
    """Besides `sale` (3 x 25.000 through BLK, 9 August): 2 x 40.000 sold directly on 20 August
    in the other program, and a sale of another facility."""
    other = record_batch(
        product=other_product,
        date=MADE_ON,
        quantity=5,
        makers=[(EnrollmentFactory(program=other_product.program), 1)],
        recorded_by=staff_user,
    )
    record_sale(
        batch=other,
        date=datetime.date(2025, 8, 20),
        quantity=2,
        unit_price=40_000,
        channel=Sale.Channel.DIRECT,
        buyer="Pengunjung pameran",
        recorded_by=staff_user,
    )
    outside = record_batch(
        product=outside_product,
        date=MADE_ON,
        quantity=5,
        makers=[(EnrollmentFactory(program=outside_product.program), 1)],
        recorded_by=outside_admin,
    )
    record_sale(
        batch=outside,
        date=SOLD_ON,
        quantity=1,
        unit_price=30_000,
        channel=Sale.Channel.DIRECT,
        buyer="Pembeli luar",
        recorded_by=outside_admin,
    )


def sales_total(response):
    """The footer of the sales table: the sales counted and the net total."""
    html = page(response)
    footer = html[html.index("<tfoot>", html.index('id="sales"')) :]
    return footer[: footer.index("</tfoot>")]


def test_product_list_shows_the_facilitys_products_and_sales(
    client_for, viewer_user, two_programs_sales
):
    response = client_for(viewer_user).get(reverse("programs:product_list"))

    html = page(response)
    assert "Gelang batu Lilis" in html and "Sarung bantal" in html
    assert "Lele asap" not in html and "Pembeli luar" not in html
    # 75.000 + 80.000 = 155.000; premium 30.000 + 32.000 = 62.000; partner 15.000 + 16.000.
    footer = sales_total(response)
    assert "Total of 2 sales" in footer
    assert "Rp 155,000" in footer and "Rp 62,000" in footer and "Rp 31,000" in footer


@pytest.mark.parametrize(
    "query,count,total",
    [
        ({"program": "other"}, 1, "Rp 80,000"),
        ({"partner": "partner"}, 1, "Rp 75,000"),
        ({"sold_from": "2025-08-10"}, 1, "Rp 80,000"),
        ({"sold_to": "2025-08-09"}, 1, "Rp 75,000"),
        ({"q": "SARUNG"}, 1, "Rp 80,000"),
        ({"sold_from": "2025-08-21"}, 0, "Rp 0"),
    ],
)
def test_product_list_filters_the_sales(
    client_for, staff_user, two_programs_sales, other_program, partner, query, count, total
):
    values = {"other": other_program.pk, "partner": partner.pk}
    query = {key: values.get(value, value) for key, value in query.items()}

    response = client_for(staff_user).get(reverse("programs:product_list"), query)

    footer = sales_total(response)
    assert f"Total of {count} sale" in footer
    assert total in footer


def test_product_list_shows_a_bad_filter_and_filters_nothing(
    client_for, staff_user, two_programs_sales
):
    response = client_for(staff_user).get(
        reverse("programs:product_list"), {"sold_from": "9 Agustus", "program": "999999"}
    )

    assert response.status_code == 200
    errors = response.context["filter_form"].errors
    assert errors["sold_from"] == ["Enter a valid date."]
    assert errors["program"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert "Total of 2 sales" in sales_total(response)


@pytest.mark.parametrize("rows", [5, 50])
def test_product_list_query_count_is_fixed(
    client_for, admin_user, program, partner, facility, django_assert_num_queries, rows
):
    maker = EnrollmentFactory(program=program)
    for n in range(rows):
        product = Product.objects.create(program=program, name=f"Kalung {n}", unit_price=10_000)
        batch = record_batch(
            product=product, date=MADE_ON, quantity=2, makers=[(maker, 1)], recorded_by=admin_user
        )
        record_sale(
            batch=batch,
            date=SOLD_ON,
            quantity=1,
            unit_price=10_000,
            channel=Sale.Channel.PARTNER,
            partner=partner,
            recorded_by=admin_user,
        )
    client = client_for(admin_user)

    # 1 session, 2 user, 3 user's facility (scope), 4 the programs and 5 the partners of the
    # filter, 6 every selected sale with product, program, partner and refunded pieces, 7 the
    # products with their stock and program.
    with django_assert_num_queries(7):
        response = client.get(reverse("programs:product_list"))
    assert f"Total of {rows} sales" in sales_total(response)
    assert f"Rp {rows * 10_000:,}" in sales_total(response)


# A maker's earnings on the inmate's page ------------------------------------------------------


def test_inmate_page_shows_the_premium_earned(client_for, staff_user, makers, sale, program):
    response = client_for(staff_user).get(
        reverse("inmates:inmate_detail", args=[makers[0].inmate_id])
    )

    # 3 x 25.000 = 75.000, premium 30.000, Andi's share 3 of 5: 18.000.
    html = page(response)
    section = html[html.index('id="product-earnings"') :]
    assert program.title in section[: section.index("</section>")]
    assert "Rp 18,000" in section[: section.index("</section>")]


def test_inmate_page_without_earnings_has_no_premium_section(client_for, staff_user, inmate):
    response = client_for(staff_user).get(reverse("inmates:inmate_detail", args=[inmate.pk]))

    assert 'id="product-earnings"' not in page(response)


@pytest.mark.parametrize("who,linked", [("viewer", True), ("staff", True), ("trainer", False)])
def test_program_list_links_to_the_products_and_sales(client_for, users, who, linked):
    html = page(client_for(users[who]).get(reverse("programs:program_list")))

    assert (reverse("programs:product_list") in html) is linked


# PNBP deposits ----------------------------------------------------------------------------------


def deposit_data(sale, **changes):
    return {
        "sales": [sale.pk],
        "date": "2025-08-12",
        "amount": "30000",
        "reference": "NTPN 0A1B2C3D4E5F6G7H",
        **changes,
    }


def test_deposit_is_recorded_and_shown(client_for, staff_user, sale, program):
    client = client_for(staff_user)

    form_page = client.get(reverse("programs:deposit_create", args=[program.pk]))
    response = client.post(
        reverse("programs:deposit_create", args=[program.pk]), deposit_data(sale)
    )

    # 3 x 25.000 = 75.000: PNBP 40% = 30.000, offered and chosen at first.
    assert "PNBP Rp 30,000" in page(form_page)
    assert response.status_code == 302
    assert Sale.objects.get().pnbp_deposit.reference == "NTPN 0A1B2C3D4E5F6G7H"
    html = page(client.get(reverse("programs:program_products", args=[program.pk])))
    assert "PNBP not yet deposited: Rp 0" in html
    assert "NTPN 0A1B2C3D4E5F6G7H" in html


def test_refund_after_the_deposit_warns_and_the_deposit_shows_the_excess(
    client_for, staff_user, sale, program
):
    client = client_for(staff_user)
    client.post(reverse("programs:deposit_create", args=[program.pk]), deposit_data(sale))
    products_url = reverse("programs:program_products", args=[program.pk])
    assert 'data-testid="deposit-overpaid"' not in page(client.get(products_url))

    response = client.post(
        reverse("programs:sale_refund", args=[sale.pk]),
        {"date": "2025-08-13", "quantity": "1", "reason": "Retak"},
    )

    # 30.000 deposited for 3 x 25.000; after one piece back, 2 x 25.000 owe 20.000.
    assert shown_messages(response) == [
        "The refund was recorded.",
        "This sale's PNBP was already deposited (NTPN 0A1B2C3D4E5F6G7H): that deposit now "
        "holds Rp 10,000 more than its sales owe.",
    ]
    html = page(client.get(products_url))
    assert "Rp 10,000 more than its sales owe after a refund" in html
    assert "PNBP not yet deposited: Rp 0" in html


def test_refund_of_a_sale_not_deposited_warns_of_nothing(client_for, staff_user, sale, program):
    response = client_for(staff_user).post(
        reverse("programs:sale_refund", args=[sale.pk]),
        {"date": "2025-08-13", "quantity": "1", "reason": "Retak"},
    )
    assert shown_messages(response) == ["The refund was recorded."]
    html = page(client_for(staff_user).get(reverse("programs:program_products", args=[program.pk])))
    assert "PNBP not yet deposited: Rp 20,000" in html
    assert 'data-testid="deposit-overpaid"' not in html


@pytest.mark.parametrize(
    "changes,field,message",
    [
        (
            {"amount": "29999"},
            "amount",
            "The chosen sales owe Rp 30,000 of PNBP; the amount is Rp 29,999.",
        ),
        ({"sales": []}, "sales", "This field is required."),
        ({"reference": ""}, "reference", "This field is required."),
        ({"amount": "tiga puluh ribu"}, "amount", "Enter a whole number."),
    ],
)
def test_deposit_refuses_bad_input(client_for, staff_user, sale, program, changes, field, message):
    response = client_for(staff_user).post(
        reverse("programs:deposit_create", args=[program.pk]), deposit_data(sale, **changes)
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert Sale.objects.get().pnbp_deposit is None


def test_deposit_refuses_a_sale_of_another_program(
    client_for, staff_user, sale, other_program, program
):
    response = client_for(staff_user).post(
        reverse("programs:deposit_create", args=[other_program.pk]), deposit_data(sale)
    )

    assert response.status_code == 200
    assert "sales" in response.context["form"].errors
    assert Sale.objects.get().pnbp_deposit is None


# Exports ----------------------------------------------------------------------------------------


def body(response):
    return b"".join(response.streaming_content)


def test_sales_export_as_csv_follows_the_filters(
    client_for, viewer_user, two_programs_sales, partner
):
    response = client_for(viewer_user).get(
        reverse("programs:product_list_export", args=["csv"]), {"partner": partner.pk}
    )

    rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Date sold", "Program", "Product"]
    # Only the sale through BLK: 3 x 25.000 = 75.000, 30.000 / 15.000 / 30.000.
    assert rows[1:] == [
        [
            "2025-08-09",
            "Aksesoris Gelang dan Kalung Batu",
            "Gelang batu Lilis",
            "BLK Kota Palangka Raya",
            "UMKM Marajaki Kreatif",
            "",
            "3",
            "0",
            "25000",
            "75000",
            "30000",
            "15000",
            "30000",
            "",
        ]
    ]


def test_sales_export_is_audited_with_its_filters(client_for, viewer_user, partner, facility):
    client_for(viewer_user).get(
        reverse("programs:product_list_export", args=["csv"]), {"partner": partner.pk}
    )

    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert (event.user, event.facility) == (viewer_user, facility)
    assert event.detail == f"Sales (CSV) partner={partner.pk}"


def test_sales_export_as_xlsx_has_sales_and_products(client_for, staff_user, two_programs_sales):
    response = client_for(staff_user).get(reverse("programs:product_list_export", args=["xlsx"]))

    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    sales, products = workbook.worksheets
    assert [row[2] for row in sales.iter_rows(min_row=2, values_only=True)] == [
        "Sarung bantal",
        "Gelang batu Lilis",
    ]
    assert [row[9] for row in sales.iter_rows(min_row=2, values_only=True)] == [80_000, 75_000]
    # Stock: Gelang 10 made - 3 sold = 7; Sarung 5 - 2 = 3. Nothing of the other facility.
    assert [(row[0], row[6]) for row in products.iter_rows(min_row=2, values_only=True)] == [
        ("Gelang batu Lilis", 7),
        ("Sarung bantal", 3),
    ]


@pytest.mark.parametrize("who,expected", [("anonymous", "login"), ("trainer", 403), ("admin", 200)])
def test_sales_export_is_for_the_facilitys_readers(client_for, users, who, expected):
    client = client_for(None if who == "anonymous" else users[who])

    assert_answer(client.get(reverse("programs:product_list_export", args=["csv"])), expected)


def test_sales_export_of_an_unknown_format_is_404(client_for, staff_user):
    response = client_for(staff_user).get(reverse("programs:product_list_export", args=["odt"]))

    assert response.status_code == 404


def test_sales_report_pdf_has_the_letterhead_filters_sales_and_totals(
    client_for, staff_user, two_programs_sales, facility
):
    response = client_for(staff_user).get(
        reverse("programs:product_list_export", args=["pdf"]), {"sold_from": "2025-08-01"}
    )

    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert facility.name.upper() in text.upper()
    assert "LAPORAN PENJUALAN HASIL KARYA WARGA BINAAN" in text
    assert "Sold from 1 August 2025" in text
    # 75.000 through BLK and 80.000 direct: 155.000; premium 62.000, partner 31.000, PNBP 62.000.
    assert "Total 155,000 62,000 31,000 62,000" in text
    assert "Pembeli luar" not in text
    assert_no_overlap(response.content)


# Labels -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "view",
    [
        "product_list",
        "program_products",
        "product_detail",
        "product_create",
        "batch_create",
        "sale_create",
        "loss_create",
        "deposit_create",
        "revenue_split_edit",
        "sale_refund",
    ],
)
def test_every_form_control_of_the_products_pages_has_a_label(
    client_for, admin_user, program, product, sale, view
):
    target = {
        "product_list": None,
        "program_products": program,
        "deposit_create": program,
        "sale_create": program,
        "loss_create": program,
        "revenue_split_edit": program,
        "product_detail": product,
        "product_create": program,
        "batch_create": product,
        "sale_refund": sale,
    }[view]
    args = [] if target is None else [target.pk]

    response = client_for(admin_user).get(reverse(f"programs:{view}", args=args))

    assert response.status_code == 200
    collector = ControlCollector()
    collector.feed(page(response))
    assert collector.controls or view in {"program_products", "product_detail"}
    assert collector.unlabelled() == []


# The regional roll-up ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who,expected",
    [("anonymous", "login"), ("admin", 403), ("viewer", 403), ("trainer", 403), ("regional", 200)],
)
def test_product_rollup_is_for_the_regional_office(
    client_for, users, other_trainer_user, regional_user, who, expected
):
    client = client_for(who_is(users, other_trainer_user, regional_user, who))

    assert_answer(client.get(reverse("programs:product_rollup")), expected)


def test_product_rollup_counts_the_regions_facilities_and_names_no_one(
    client_for, regional_user, two_programs_sales, staff_user, facility, other_facility
):
    deposit_sale = Sale.objects.get(buyer="UMKM Marajaki Kreatif")
    record_deposit(
        program=deposit_sale.batch.product.program,
        date=datetime.date(2025, 8, 12),
        amount=30_000,
        reference="NTPN 1",
        sales=[deposit_sale],
        recorded_by=staff_user,
    )

    html = page(client_for(regional_user).get(reverse("programs:product_rollup")))

    # Only Kasongan is in the region: 2 products, 15 made, 5 sold, 10 in stock; 75.000 + 80.000
    # = 155.000 of which premium 62.000, partner 31.000, PNBP 62.000, 30.000 deposited.
    row = html[html.index(facility.name) :]
    row = row[: row.index("</tr>")]
    cells = [cell.split(">")[-1] for cell in row.split("</td>")[:-1]]
    assert cells == [
        "2",
        "15",
        "5",
        "10",
        "Rp 155,000",
        "Rp 62,000",
        "Rp 31,000",
        "Rp 62,000",
        "Rp 30,000",
    ]
    assert other_facility.name not in html
    assert "Andi Saputra" not in html and "UMKM Marajaki Kreatif" not in html


@pytest.mark.parametrize("rows", [5, 50])
def test_product_rollup_query_count_is_fixed(
    client_for, superuser, product, makers, staff_user, django_assert_num_queries, rows
):
    batch = record_batch(
        product=product,
        date=MADE_ON,
        quantity=rows,
        makers=[(makers[0], 1)],
        recorded_by=staff_user,
    )
    for _ in range(rows):
        record_sale(
            batch=batch,
            date=SOLD_ON,
            quantity=1,
            unit_price=10_000,
            channel=Sale.Channel.DIRECT,
            recorded_by=staff_user,
        )
    client = client_for(superuser)

    # 1 session, 2 user, 3 the superuser's working facility (scope), 4 the facilities, 5 their
    # products with stock, 6 their sales with refunded pieces, 7 their deposits.
    with django_assert_num_queries(7):
        response = client.get(reverse("programs:product_rollup"))
    assert f"Rp {rows * 10_000:,}" in page(response)


# Photos of a product ----------------------------------------------------------------------------


@pytest.fixture
def photo(program, admin_user):
    return add_photo(ProductPhoto, admin_user, caption="Gelang siap dijual", program=program)


@pytest.mark.parametrize(
    "who,expected",
    [
        ("anonymous", "login"),
        ("viewer", 403),
        ("other_trainer", 404),
        ("outsider", 404),
        ("trainer", 302),
        ("staff", 302),
    ],
)
def test_photo_link_answers_by_role(
    client_for, users, other_trainer_user, regional_user, product, photo, who, expected
):
    client = client_for(who_is(users, other_trainer_user, regional_user, who))

    response = client.post(
        reverse("programs:product_photo_link", args=[product.pk]), {"photo": photo.pk}
    )

    assert_answer(response, expected)
    photo.refresh_from_db()
    assert (photo.product == product) is (expected == 302)


def test_photo_link_refuses_get(client_for, staff_user, product):
    response = client_for(staff_user).get(reverse("programs:product_photo_link", args=[product.pk]))

    assert response.status_code == 405


def test_linked_photo_shows_on_the_product_page(client_for, staff_user, product, photo):
    client = client_for(staff_user)
    before = page(client.get(reverse("programs:product_detail", args=[product.pk])))

    client.post(reverse("programs:product_photo_link", args=[product.pk]), {"photo": photo.pk})

    after = page(client.get(reverse("programs:product_detail", args=[product.pk])))
    thumbnail = reverse("programs:product_photo_thumbnail", args=[photo.pk])
    assert "Gelang siap dijual" in before and thumbnail not in before  # offered, not shown
    assert thumbnail in after


def test_photo_link_refuses_a_photo_of_another_program(
    client_for, staff_user, product, other_program, admin_user
):
    stranger = add_photo(ProductPhoto, admin_user, program=other_program)

    response = client_for(staff_user).post(
        reverse("programs:product_photo_link", args=[product.pk]), {"photo": stranger.pk}
    )

    assert response.status_code == 200
    assert "Select a valid choice." in page(response)
    stranger.refresh_from_db()
    assert stranger.product is None


# Hostile values ---------------------------------------------------------------------------------


def test_hostile_values_in_the_products_forms_never_give_a_server_error(
    client_for, admin_user, program, product, sale, photo
):
    """Each field of each form, one hostile value at a time in place of a valid one: refused
    or accepted, never a 500. A number too large for the database in a choice of rows is the
    project's 400 with its explanation (lapas_training.middleware), as elsewhere."""
    valid = {
        "product_create": (program, {"name": "Kalung", "unit_price": "1000"}),
        "batch_create": (product, {"date": "2025-08-06", "quantity": "1"}),
        "sale_create": (program, sale_data(sale.batch, sale.partner)),
        "loss_create": (
            program,
            {"batch": sale.batch.pk, "date": "2025-08-09", "quantity": "1", "reason": "Pecah"},
        ),
        "sale_refund": (sale, {"date": "2025-08-10", "quantity": "1", "reason": "Retak"}),
        "revenue_split_edit": (
            program,
            {"premium_percent": "40", "partner_percent": "20", "pnbp_percent": "40"},
        ),
        "deposit_create": (program, deposit_data(sale)),
        "product_photo_link": (product, {"photo": photo.pk}),
    }
    client = client_for(admin_user)
    for view, (target, data) in valid.items():
        for field in data:
            for value in FIXED:
                response = client.post(
                    reverse(f"programs:{view}", args=[target.pk]), {**data, field: value}
                )
                assert response.status_code in {200, 302, 400}, (view, field, value)
                if response.status_code == 400:
                    assert "The request could not be understood" in page(response)
    response = client.get(
        reverse("programs:product_list"), dict.fromkeys(["program", "sold_from", "page"], FIXED[0])
    )
    assert response.status_code == 200
