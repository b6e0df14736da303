"""Products (hasil karya): stock, the revenue split of sales and each maker's premium, against
figures worked out by hand in each test (whole rupiah), and the refusals of programs.products."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from programs.models import (
    BatchMaker,
    PnbpDeposit,
    Product,
    ProductionBatch,
    RevenueSplit,
    Sale,
    SaleRefund,
)
from programs.products import (
    deposit_balances,
    deposit_overpaid,
    largest_remainder,
    premiums_by_maker,
    program_products_summary,
    record_batch,
    record_deposit,
    record_loss,
    record_sale,
    refund_sale,
    sale_split,
)
from tests.factories import EnrollmentFactory, InmateFactory

MADE_ON = datetime.date(2025, 8, 6)
SOLD_ON = datetime.date(2025, 8, 9)


@pytest.fixture
def product(program):
    return Product.objects.create(
        program=program, name="Gelang batu Lilis", kind="Gelang", unit_price=25_000
    )


@pytest.fixture
def makers(program, facility):
    """Three participants, in the order of their enrolment ids (the rounding rule's tie order)."""
    return [
        EnrollmentFactory(program=program, inmate=InmateFactory(facility=facility, full_name=name))
        for name in ("Andi", "Budi", "Citra")
    ]


def batch_of(product, makers, quantity=20, shares=None, by=None):
    shares = shares or [1] * len(makers)
    return record_batch(
        product=product,
        date=MADE_ON,
        quantity=quantity,
        makers=list(zip(makers, shares, strict=True)),
        recorded_by=by,
    )


def sell(batch, quantity, by, unit_price=25_000, **fields):
    fields = {"channel": Sale.Channel.DIRECT, **fields}
    return record_sale(
        batch=batch,
        date=SOLD_ON,
        quantity=quantity,
        unit_price=unit_price,
        recorded_by=by,
        **fields,
    )


def stock_of(batch):
    return ProductionBatch.objects.with_stock().get(pk=batch.pk).stock


# --- The rounding rule ------------------------------------------------------------------------


def test_largest_remainder_gives_the_leftover_rupiah_to_the_largest_remainders():
    # 10.001 x 40/20/40 = 4000.4 / 2000.2 / 4000.4: 10.000 rounded down, 1 left over; the
    # remainders .4 and .4 tie, and the first listed (premium) takes it.
    parts = largest_remainder(10_001, [("premium", 40), ("partner", 20), ("pnbp", 40)])

    assert parts == {"premium": 4_001, "partner": 2_000, "pnbp": 4_000}


def test_largest_remainder_prefers_the_larger_remainder_to_the_first_listed():
    # 10.003 x 20/40/40 = 2000.6 / 4001.2 / 4001.2: 10.002 rounded down, 1 left; .6 is largest.
    parts = largest_remainder(10_003, [("premium", 20), ("partner", 40), ("pnbp", 40)])

    assert parts == {"premium": 2_001, "partner": 4_001, "pnbp": 4_001}


# --- Stock ------------------------------------------------------------------------------------


def test_stock_is_made_less_sold_plus_refunded_less_lost(product, makers, staff_user):
    batch = batch_of(product, makers, quantity=20, by=staff_user)
    sale = sell(batch, 4, staff_user)
    sell(batch, 3, staff_user)
    refund_sale(sale=sale, date=SOLD_ON, quantity=1, reason="Retak", recorded_by=staff_user)
    record_loss(batch=batch, date=SOLD_ON, quantity=2, reason="Pecah", recorded_by=staff_user)

    # 20 made - (4 + 3) sold + 1 refunded - 2 lost = 12.
    assert stock_of(batch) == 12


def test_sale_beyond_stock_is_refused_and_nothing_saved(product, makers, staff_user):
    batch = batch_of(product, makers, quantity=5, by=staff_user)
    sell(batch, 4, staff_user)

    with pytest.raises(ValidationError) as error:
        sell(batch, 2, staff_user)

    assert error.value.message_dict == {"quantity": ["Only 1 in stock; this cannot take 2."]}
    assert Sale.objects.count() == 1
    assert stock_of(batch) == 1


def test_loss_beyond_stock_is_refused(product, makers, staff_user):
    batch = batch_of(product, makers, quantity=3, by=staff_user)
    sell(batch, 3, staff_user)

    with pytest.raises(ValidationError) as error:
        record_loss(batch=batch, date=SOLD_ON, quantity=1, reason="Hilang", recorded_by=staff_user)

    assert error.value.message_dict == {"quantity": ["Only 0 in stock; this cannot take 1."]}
    assert stock_of(batch) == 0


def test_refunded_pieces_may_be_sold_again(product, makers, staff_user):
    batch = batch_of(product, makers, quantity=2, by=staff_user)
    sale = sell(batch, 2, staff_user)
    refund_sale(sale=sale, date=SOLD_ON, quantity=2, reason="Salah catat", recorded_by=staff_user)

    sell(batch, 2, staff_user)

    assert stock_of(batch) == 0


def test_refund_of_more_than_is_left_of_the_sale_is_refused(product, makers, staff_user):
    batch = batch_of(product, makers, by=staff_user)
    sale = sell(batch, 3, staff_user)
    refund_sale(sale=sale, date=SOLD_ON, quantity=2, reason="Retak", recorded_by=staff_user)

    with pytest.raises(ValidationError) as error:
        refund_sale(sale=sale, date=SOLD_ON, quantity=2, reason="Retak", recorded_by=staff_user)

    assert error.value.message_dict == {"quantity": ["Only 1 of this sale are left to refund."]}
    assert SaleRefund.objects.count() == 1


def test_refund_without_reason_is_refused(product, makers, staff_user):
    sale = sell(batch_of(product, makers, by=staff_user), 1, staff_user)

    with pytest.raises(ValidationError):
        refund_sale(sale=sale, date=SOLD_ON, quantity=1, reason="  ", recorded_by=staff_user)

    assert not SaleRefund.objects.exists()


def test_sale_before_the_batch_was_made_is_refused(product, makers, staff_user):
    batch = batch_of(product, makers, by=staff_user)

    with pytest.raises(ValidationError) as error:
        record_sale(
            batch=batch,
            date=MADE_ON - datetime.timedelta(days=1),
            quantity=1,
            unit_price=25_000,
            channel=Sale.Channel.DIRECT,
            recorded_by=staff_user,
        )

    assert error.value.message_dict == {"date": ["This is before the batch was made."]}


def test_sale_through_a_partner_not_of_the_program_is_refused(
    product, makers, staff_user, other_partner
):
    batch = batch_of(product, makers, by=staff_user)

    with pytest.raises(ValidationError) as error:
        sell(batch, 1, staff_user, channel=Sale.Channel.PARTNER, partner=other_partner)

    assert error.value.message_dict == {"partner": ["Choose a partner of this program."]}


def test_batch_with_a_maker_of_another_program_is_refused(
    product, makers, staff_user, other_program
):
    stranger = EnrollmentFactory(program=other_program)

    with pytest.raises(ValidationError):
        batch_of(product, [makers[0], stranger], by=staff_user)

    assert not ProductionBatch.objects.exists()


# --- The revenue split ------------------------------------------------------------------------


def test_sale_split_by_the_default_40_20_40(product, makers, staff_user, partner):
    sale = sell(
        batch_of(product, makers, by=staff_user),
        3,
        staff_user,
        channel=Sale.Channel.PARTNER,
        partner=partner,
    )

    # 3 x Rp 25.000 = Rp 75.000: 40% = 30.000, 20% = 15.000, 40% = 30.000.
    assert sale_split(sale).__dict__ == {
        "total": 75_000,
        "premium": 30_000,
        "partner": 15_000,
        "pnbp": 30_000,
    }


def test_sale_split_rounds_to_whole_rupiah_that_add_up(product, makers, staff_user):
    RevenueSplit.objects.create(
        program=product.program, premium_percent=35, partner_percent=35, pnbp_percent=30
    )
    sale = sell(batch_of(product, makers, by=staff_user), 1, staff_user, unit_price=10_001)

    # 10.001 x 35/35/30 = 3500.35 / 3500.35 / 3000.3: 10.000 rounded down; the one rupiah left
    # goes to the first of the tied .35 remainders, the premium.
    split = sale_split(sale)
    assert (split.premium, split.partner, split.pnbp) == (3_501, 3_500, 3_000)
    assert split.premium + split.partner + split.pnbp == 10_001


def test_sale_keeps_its_split_when_the_program_changes_its_own(product, makers, staff_user):
    sale = sell(batch_of(product, makers, by=staff_user), 2, staff_user)
    RevenueSplit.objects.create(
        program=product.program, premium_percent=10, partner_percent=10, pnbp_percent=80
    )
    later = sell(sale.batch, 2, staff_user)

    # 2 x 25.000 = 50.000 at 40/20/40 (recorded before) and at 10/10/80 (after).
    assert sale_split(Sale.objects.get(pk=sale.pk)).premium == 20_000
    assert sale_split(later).premium == 5_000


def test_refund_takes_its_pieces_out_of_every_part(product, makers, staff_user):
    sale = sell(batch_of(product, makers, by=staff_user), 4, staff_user)
    refund_sale(sale=sale, date=SOLD_ON, quantity=1, reason="Retak", recorded_by=staff_user)

    # (4 - 1) x 25.000 = 75.000 net: 30.000 / 15.000 / 30.000 (before: 40.000 / 20.000 / 40.000).
    split = sale_split(Sale.objects.with_refunded().get(pk=sale.pk))
    assert (split.total, split.premium, split.partner, split.pnbp) == (
        75_000,
        30_000,
        15_000,
        30_000,
    )


# --- Each maker's premium ---------------------------------------------------------------------


def test_premium_divided_by_shares(product, makers, staff_user):
    batch = batch_of(product, makers[:2], shares=[3, 2], by=staff_user)
    sell(batch, 3, staff_user)

    # Premium 40% of 75.000 = 30.000, shares 3:2 -> 18.000 and 12.000.
    assert premiums_by_maker(ProductionBatch.objects.all()) == {
        makers[0].pk: 18_000,
        makers[1].pk: 12_000,
    }


def test_premium_rounding_leftover_goes_by_enrolment_order(product, makers, staff_user):
    batch = batch_of(product, makers, by=staff_user)
    sell(batch, 1, staff_user, unit_price=10_001)

    # Premium 4.001 (see the split's rounding) in three equal shares: 1333.67 each; 3.999
    # rounded down, the 2 left go to the first two enrolments.
    assert premiums_by_maker(ProductionBatch.objects.all()) == {
        makers[0].pk: 1_334,
        makers[1].pk: 1_334,
        makers[2].pk: 1_333,
    }


def test_premium_after_a_refund_and_over_two_batches(product, makers, staff_user):
    first = batch_of(product, makers[:2], shares=[1, 1], by=staff_user)
    second = batch_of(product, makers[1:], shares=[1, 3], by=staff_user)
    sale = sell(first, 4, staff_user)
    refund_sale(sale=sale, date=SOLD_ON, quantity=1, reason="Retak", recorded_by=staff_user)
    sell(second, 2, staff_user, unit_price=30_000)

    # First batch: 3 x 25.000 = 75.000 net, premium 30.000, halves of 15.000 for Andi and Budi.
    # Second: 2 x 30.000 = 60.000, premium 24.000, 1:3 -> Budi 6.000, Citra 18.000.
    assert premiums_by_maker(ProductionBatch.objects.all()) == {
        makers[0].pk: 15_000,
        makers[1].pk: 21_000,
        makers[2].pk: 18_000,
    }


def test_premiums_cost_two_queries_whatever_the_sales(
    product, makers, staff_user, django_assert_num_queries
):
    batch = batch_of(product, makers, by=staff_user)
    for _ in range(5):
        sell(batch, 1, staff_user)

    # The sales with their refunded pieces; the makers.
    with django_assert_num_queries(2):
        premiums_by_maker(ProductionBatch.objects.all())


# --- What the database holds ------------------------------------------------------------------


def test_sales_and_batches_keep_their_history(product, makers, staff_user):
    sale = sell(batch_of(product, makers, by=staff_user), 1, staff_user)

    assert sale.history.get().history_type == "+"
    assert ProductionBatch.history.count() == 1
    assert BatchMaker.history.count() == 3


def test_database_refuses_a_split_not_adding_up_to_100(program):
    with pytest.raises(IntegrityError):
        RevenueSplit.objects.create(
            program=program, premium_percent=50, partner_percent=30, pnbp_percent=30
        )


def test_database_refuses_a_partner_sale_without_partner(product, makers, staff_user):
    sale = sell(batch_of(product, makers, by=staff_user), 1, staff_user)

    with pytest.raises(IntegrityError):
        Sale.objects.filter(pk=sale.pk).update(channel=Sale.Channel.PARTNER)


# --- PNBP deposits ----------------------------------------------------------------------------


def test_deposit_covers_its_sales_pnbp_after_refunds(product, makers, staff_user):
    batch = batch_of(product, makers, by=staff_user)
    first = sell(batch, 4, staff_user)
    second = sell(batch, 1, staff_user, unit_price=10_001)
    refund_sale(sale=first, date=SOLD_ON, quantity=1, reason="Retak", recorded_by=staff_user)

    # PNBP: 40% of 3 x 25.000 = 30.000, and of 10.001 = 4.000 (the rupiah left went to the
    # premium): 34.000.
    deposit = record_deposit(
        program=product.program,
        date=SOLD_ON,
        amount=34_000,
        reference="NTPN 0A1B2C3D4E5F6G7H",
        sales=[first, second],
        recorded_by=staff_user,
    )

    assert set(deposit.sales.all()) == {first, second}
    assert Sale.history.filter(pnbp_deposit=deposit).count() == 2


def test_refund_after_the_deposit_shows_what_was_paid_in_beyond_the_pnbp(
    product, makers, staff_user
):
    batch = batch_of(product, makers, by=staff_user)
    sale = sell(batch, 3, staff_user, unit_price=10_001)
    other = sell(batch, 1, staff_user)
    # PNBP: 40% of 3 x 10.001 = 30.003 is 12.001,2, so 12.001 (the rupiah left goes to the
    # premium); of 25.000, 10.000.
    deposit = record_deposit(
        program=product.program,
        date=SOLD_ON,
        amount=12_001,
        reference="NTPN 0A1B2C3D4E5F6G7H",
        sales=[sale],
        recorded_by=staff_user,
    )
    assert deposit_overpaid(deposit) == 0

    refund_sale(sale=sale, date=SOLD_ON, quantity=1, reason="Retak", recorded_by=staff_user)

    # Now 40% of 2 x 10.001 = 20.002 is 8.000,8, so 8.001: 4.000 was paid in beyond it.
    assert deposit_overpaid(deposit) == 4_000
    _products, sales, _totals = program_products_summary(product.program)
    [shown] = deposit_balances([PnbpDeposit.objects.get()], sales)
    assert (shown.owed_now, shown.overpaid) == (8_001, 4_000)
    # The sale not deposited is owed in full, and counted in no deposit.
    assert [s.split.pnbp for s in sales if s.pk == other.pk] == [10_000]


def test_deposit_of_another_amount_is_refused(product, makers, staff_user):
    sale = sell(batch_of(product, makers, by=staff_user), 3, staff_user)

    with pytest.raises(ValidationError) as error:
        record_deposit(
            program=product.program,
            date=SOLD_ON,
            amount=30_001,
            reference="NTPN 1",
            sales=[sale],
            recorded_by=staff_user,
        )

    assert error.value.message_dict == {
        "amount": ["The chosen sales owe Rp 30,000 of PNBP; the amount is Rp 30,001."]
    }
    assert not PnbpDeposit.objects.exists()


def test_sale_is_deposited_once(product, makers, staff_user):
    sale = sell(batch_of(product, makers, by=staff_user), 1, staff_user)
    fields = {"program": product.program, "date": SOLD_ON, "amount": 10_000, "sales": [sale]}
    record_deposit(reference="NTPN 1", recorded_by=staff_user, **fields)

    with pytest.raises(ValidationError) as error:
        record_deposit(reference="NTPN 2", recorded_by=staff_user, **fields)

    assert error.value.message_dict == {
        "sales": ["A chosen sale is of another program or already deposited."]
    }
    assert PnbpDeposit.objects.count() == 1
