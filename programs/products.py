"""Products (hasil karya): recording batches, sales, refunds and losses; stock, the revenue split
of each sale and each maker's premium.

Rupiah are whole numbers throughout. Every split, of a sale's revenue into the makers' premium,
the partner's share and PNBP, and of a batch's premium among its makers, goes through
`largest_remainder`, the one rounding rule: the parts always add up to the whole.

Rules written down here:
- A sale sells pieces of one batch; its premium goes to that batch's makers, by their shares.
- A sale's parts are those of its net total (pieces sold less pieces refunded, at its price),
  split by the percentages copied onto the sale when it was recorded.
- A batch's premium is the sum of its sales' premium parts, split among its makers once (not
  sale by sale), so a maker's premium does not depend on how the pieces were sold.
- Stock of a batch = made - sold + refunded - lost, never negative: a sale or loss of more
  pieces than are in stock is refused.
- A PNBP deposit covers whole sales, each once, and its amount is exactly their PNBP parts. A
  refund after the deposit changes the sale's parts but not what was paid in.

Each recording function is keyword-only, validates before it saves, saves all or nothing and
raises ValidationError with a message for the user.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from programs.models import (
    BatchMaker,
    Enrollment,
    PnbpDeposit,
    Product,
    ProductionBatch,
    RevenueSplit,
    Sale,
    SaleRefund,
    StockLoss,
)
from programs.models_products import default_split

# A sale's parts, in the order that breaks ties of the rounding rule.
PARTS = ("premium", "partner", "pnbp")


def largest_remainder(total, weights):
    """Split the whole number `total` into whole parts proportional to `weights`.

    `weights` is a list of (key, weight) pairs, weights >= 0 and not all 0; returns {key: part}.
    Each part is first rounded down; the rupiah left over go one each to the parts with the
    largest remainders, ties to the pair listed first. Rp 10.001 split 40/20/40 is 4.001 / 2.000
    / 4.000 (remainders .4, .2, .4: the tie goes to the first).
    """
    whole = sum(weight for _key, weight in weights)
    parts, remainders = {}, []
    for index, (key, weight) in enumerate(weights):
        parts[key], remainder = divmod(total * weight, whole)
        remainders.append((-remainder, index, key))
    left = total - sum(parts.values())
    for _remainder, _index, key in sorted(remainders)[:left]:
        parts[key] += 1
    return parts


@dataclass(frozen=True)
class SaleSplit:
    """A sale's net revenue and its three parts, in rupiah (premium + partner + pnbp = total)."""

    total: int
    premium: int
    partner: int
    pnbp: int


def program_split(program):
    """The program's (premium, partner, PNBP) percentages: its own, else the settings'.
    One query."""
    split = RevenueSplit.objects.filter(program=program).first()
    if split is None:
        return default_split()
    return split.premium_percent, split.partner_percent, split.pnbp_percent


def sale_split(sale, refunded=None):
    """The parts of `sale`'s net total. `refunded` is the pieces given back; without it, the
    sale's `refunded` annotation (`Sale.objects.with_refunded()`) or one query."""
    if refunded is None:
        refunded = getattr(sale, "refunded", None)
    if refunded is None:
        refunded = sale.refunds.aggregate(n=Sum("quantity"))["n"] or 0
    total = (sale.quantity - refunded) * sale.unit_price
    percents = (sale.premium_percent, sale.partner_percent, sale.pnbp_percent)
    return SaleSplit(
        total=total, **largest_remainder(total, list(zip(PARTS, percents, strict=True)))
    )


def sales_totals(sales):
    """{"total", "premium", "partner", "pnbp"} summed over `sales` (annotated with `refunded`);
    each sale gets its `split` too."""
    total = dict.fromkeys(("total", *PARTS), 0)
    for sale in sales:
        sale.split = sale_split(sale)
        for part in total:
            total[part] += getattr(sale.split, part)
    return total


def program_products_summary(program):
    """`(products, sales, totals)` of `program`: its products with their stock
    (`ProductQuerySet.with_stock`) and `revenue`, the net rupiah of their sales; its sales with
    their `split`; the totals of `sales_totals`. Two queries."""
    products = list(Product.objects.filter(program=program).with_stock().order_by("name", "pk"))
    sales = list(
        Sale.objects.filter(batch__product__program=program)
        .with_refunded()
        .annotate(product_pk=F("batch__product"))
        .order_by()
    )
    totals = sales_totals(sales)
    revenue = defaultdict(int)
    for sale in sales:
        revenue[sale.product_pk] += sale.split.total
    for product in products:
        product.revenue = revenue[product.pk]
    return products, sales, totals


def deposit_balances(deposits, sales):
    """Give each of `deposits` its `owed_now`, the PNBP its sales owe after their refunds, and
    `overpaid`, what was paid in beyond that (a sale refunded after its deposit). `sales` are
    the program's sales with their `split` (`program_products_summary`). No query."""
    owed = defaultdict(int)
    for sale in sales:
        if sale.pnbp_deposit_id is not None:
            owed[sale.pnbp_deposit_id] += sale.split.pnbp
    for deposit in deposits:
        deposit.owed_now = owed[deposit.pk]
        deposit.overpaid = max(deposit.amount - deposit.owed_now, 0)
    return deposits


def deposit_overpaid(deposit):
    """What `deposit` paid in beyond the PNBP its sales owe after their refunds. One query."""
    owed = sales_totals(Sale.objects.filter(pnbp_deposit=deposit).with_refunded())["pnbp"]
    return max(deposit.amount - owed, 0)


def premiums(batches):
    """Each maker's premium from `batches` (a queryset): {batch id: {enrollment id: rupiah}}.

    Two queries, whatever the number of batches: their sales with the pieces refunded, and
    their makers.
    """
    premium = defaultdict(int)
    for sale in Sale.objects.filter(batch__in=batches).with_refunded().order_by():
        premium[sale.batch_id] += sale_split(sale).premium
    shares = defaultdict(list)
    for maker in BatchMaker.objects.filter(batch__in=batches).order_by("enrollment_id"):
        shares[maker.batch_id].append((maker.enrollment_id, maker.share))
    return {
        batch_id: largest_remainder(premium[batch_id], makers) if premium[batch_id] else {}
        for batch_id, makers in shares.items()
    }


def premiums_by_maker(batches):
    """Each maker's premium summed over `batches`: {enrollment id: rupiah}. Two queries."""
    total = defaultdict(int)
    for parts in premiums(batches).values():
        for enrollment_id, amount in parts.items():
            total[enrollment_id] += amount
    return dict(total)


def inmate_earnings(inmate):
    """[(program, rupiah)]: the premium `inmate` earned as a maker, per program, newest program
    first. Three queries: the sales and the makers of their batches, and their enrolments."""
    earned = premiums_by_maker(ProductionBatch.objects.filter(makers__enrollment__inmate=inmate))
    enrollments = (
        Enrollment.objects.filter(inmate=inmate, pk__in=earned)
        .select_related("program")
        .order_by("-program__start_date", "pk")
    )
    return [(enrollment.program, earned[enrollment.pk]) for enrollment in enrollments]


def _locked_stock(batch):
    """The batch's stock, its row locked until the transaction ends (PostgreSQL), so that two
    sales at once cannot both take the last pieces."""
    ProductionBatch.objects.select_for_update().only("pk").get(pk=batch.pk)
    return ProductionBatch.objects.with_stock().get(pk=batch.pk).stock


def _check_date(date, batch):
    if date < batch.date:
        raise ValidationError(
            {"date": _("This is before the batch was made.")}, code="before_batch"
        )


def _check_stock(quantity, stock):
    if quantity > stock:
        raise ValidationError(
            {
                "quantity": _("Only %(stock)d in stock; this cannot take %(quantity)d.")
                % {"stock": stock, "quantity": quantity}
            },
            code="not_in_stock",
        )


@transaction.atomic
def record_batch(*, product, date, quantity, makers, recorded_by, note=""):
    """Record a production batch of `product` and its makers: `makers` is a list of
    (enrollment, share) pairs, enrolments of the product's program, each once."""
    if not makers:
        raise ValidationError({"makers": _("Name at least one maker.")}, code="no_makers")
    enrollments = [enrollment for enrollment, _share in makers]
    if len({enrollment.pk for enrollment in enrollments}) < len(enrollments):
        raise ValidationError({"makers": _("Name each maker once.")}, code="duplicate_maker")
    if any(enrollment.program_id != product.program_id for enrollment in enrollments):
        raise ValidationError(
            {"makers": _("Makers must be participants of this program.")}, code="wrong_program"
        )
    batch = ProductionBatch.objects.create(
        product=product, date=date, quantity=quantity, note=note, recorded_by=recorded_by
    )
    for enrollment, share in makers:
        BatchMaker.objects.create(batch=batch, enrollment=enrollment, share=share)
    return batch


def record_sale(
    *,
    batch,
    date,
    quantity,
    unit_price,
    channel,
    recorded_by,
    partner=None,
    buyer="",
    receipt_number="",
    receipt=None,
):
    """Record a sale of `quantity` pieces of `batch` under the program's split of today.

    `partner` must be one of the program's partners when `channel` is PARTNER and None when it
    is DIRECT. `receipt` is the checked scan as (ContentFile, content type), or None; its file
    is written only once the sale is valid and removed again if the row cannot be saved.
    """
    program = batch.product.program
    if channel == Sale.Channel.PARTNER:
        if partner is None or not program.program_partners.filter(partner=partner).exists():
            raise ValidationError(
                {"partner": _("Choose a partner of this program.")}, code="partner_required"
            )
    else:
        partner = None
    _check_date(date, batch)
    premium, partner_share, pnbp = program_split(program)
    sale = Sale(
        batch=batch,
        date=date,
        quantity=quantity,
        unit_price=unit_price,
        channel=channel,
        partner=partner,
        buyer=buyer,
        receipt_number=receipt_number,
        premium_percent=premium,
        partner_percent=partner_share,
        pnbp_percent=pnbp,
        recorded_by=recorded_by,
    )
    with transaction.atomic():
        _check_stock(quantity, _locked_stock(batch))
        if receipt is not None:
            content, content_type = receipt
            sale.receipt_content_type = content_type
            sale.receipt.save(content.name, content, save=False)
        try:
            sale.save()
        except DatabaseError:
            # A failed save must not leave a file that no row points at.
            if sale.receipt:
                sale.receipt.storage.delete(sale.receipt.name)
            raise
    return sale


@transaction.atomic
def refund_sale(*, sale, date, quantity, reason, recorded_by):
    """Give back `quantity` pieces of `sale` (all of them for a sale recorded by mistake): the
    money goes back, the pieces return to the batch's stock."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the sale is refunded.")}, code="no_reason")
    if date < sale.date:
        raise ValidationError({"date": _("This is before the sale.")}, code="before_sale")
    # Locked first: two refunds at once cannot both give back the last pieces.
    Sale.objects.select_for_update().only("pk").get(pk=sale.pk)
    refunded = sale.refunds.aggregate(n=Sum("quantity"))["n"] or 0
    if quantity > sale.quantity - refunded:
        raise ValidationError(
            {
                "quantity": _("Only %(left)d of this sale are left to refund.")
                % {"left": sale.quantity - refunded}
            },
            code="more_than_sold",
        )
    return SaleRefund.objects.create(
        sale=sale, date=date, quantity=quantity, reason=reason, recorded_by=recorded_by
    )


@transaction.atomic
def record_loss(*, batch, date, quantity, reason, recorded_by):
    """Record `quantity` pieces of `batch` damaged or lost; refused beyond its stock."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what happened to the pieces.")}, code="no_reason")
    _check_date(date, batch)
    _check_stock(quantity, _locked_stock(batch))
    return StockLoss.objects.create(
        batch=batch, date=date, quantity=quantity, reason=reason, recorded_by=recorded_by
    )


@transaction.atomic
def record_deposit(*, program, date, amount, reference, sales, recorded_by):
    """Record the PNBP of `sales` (of `program`, none deposited yet) paid in on `date` under
    `reference`; `amount` must be exactly their PNBP parts, as a cross-check of the receipt."""
    reference = reference.strip()
    if not sales:
        raise ValidationError(
            {"sales": _("Choose the sales this deposit covers.")}, code="no_sales"
        )
    ids = [sale.pk for sale in sales]
    # Locked, then read with their refunds: a sale deposited meanwhile by someone else is
    # refused. Only the sales' rows are locked, not the products and programs the filter joins.
    locked = list(
        Sale.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, batch__product__program=program, pnbp_deposit__isnull=True)
        .values_list("pk", flat=True)
    )
    sales = list(Sale.objects.filter(pk__in=locked).with_refunded())
    if len(sales) != len(set(ids)):
        raise ValidationError(
            {"sales": _("A chosen sale is of another program or already deposited.")},
            code="wrong_sale",
        )
    if PnbpDeposit.objects.filter(program=program, reference__iexact=reference).exists():
        raise ValidationError(
            {"reference": _("A deposit with this reference is already recorded.")},
            code="duplicate_reference",
        )
    owed = sum(sale_split(sale).pnbp for sale in sales)
    if amount != owed:
        raise ValidationError(
            {
                "amount": _(
                    "The chosen sales owe Rp %(owed)s of PNBP; the amount is Rp %(amount)s."
                )
                % {"owed": intcomma(owed), "amount": intcomma(amount)}
            },
            code="wrong_amount",
        )
    deposit = PnbpDeposit.objects.create(
        program=program, date=date, amount=amount, reference=reference, recorded_by=recorded_by
    )
    for sale in sales:
        # One save a sale, not an update(): each change goes into the sale's history.
        sale.pnbp_deposit = deposit
        sale.save(update_fields=["pnbp_deposit"])
    return deposit
