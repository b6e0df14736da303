"""The activity report (laporan kegiatan, always in Indonesian) counts the program's products made
and sold, with the split of their sales, read from the PDF's text."""

import datetime
import io
import re

from django.urls import reverse
from pypdf import PdfReader

from programs.models import Product, Sale
from programs.products import record_batch, record_loss, record_sale, refund_sale
from tests.factories import EnrollmentFactory
from tests.pdf_overlap import assert_no_overlap


def pdf_text(pdf):
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def test_activity_report_counts_products_made_and_sold(client_for, admin_user, program, partner):
    product = Product.objects.create(program=program, name="Gelang batu Lilis", unit_price=25_000)
    batch = record_batch(
        product=product,
        date=datetime.date(2025, 8, 6),
        quantity=20,
        makers=[(EnrollmentFactory(program=program), 1)],
        recorded_by=admin_user,
    )
    sale = record_sale(
        batch=batch,
        date=datetime.date(2025, 8, 9),
        quantity=5,
        unit_price=25_000,
        channel=Sale.Channel.PARTNER,
        partner=partner,
        recorded_by=admin_user,
    )
    refund_sale(
        sale=sale,
        date=datetime.date(2025, 8, 9),
        quantity=1,
        reason="Retak",
        recorded_by=admin_user,
    )
    record_loss(
        batch=batch,
        date=datetime.date(2025, 8, 9),
        quantity=2,
        reason="Pecah",
        recorded_by=admin_user,
    )

    response = client_for(admin_user).get(reverse("reports:activity_pdf", args=[program.pk]))

    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    text = pdf_text(pdf)
    # 20 made, 5 - 1 = 4 sold, 2 damaged: 14 in stock; 4 x 25.000 = 100.000 at 40/20/40.
    assert "Gelang batu Lilis 20 4 2 14 100.000" in text
    assert (
        "Dari hasil penjualan tersebut, Rp 40.000 merupakan premi pembuat, Rp 20.000 bagian "
        "mitra dan Rp 40.000 penerimaan negara bukan pajak (PNBP)." in text
    )
    assert_no_overlap(pdf)
