"""Products made in a program (hasil karya): what was made, sold, refunded and lost.

Money is whole rupiah in integer fields. A sale keeps the revenue split it was made under, so a
later change to the program's split never rewrites a past sale; its parts, and each maker's
premium, are computed by `programs.products` with the one rounding rule written there. Nothing
here is deleted: a mistaken sale is refunded with a reason, a damaged piece is a loss.
Imported by `programs.models`, so Django finds these models as the app's.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programs.models import Enrollment, Partner, Program


def summed(rows, field):
    """The sum of `field` over `rows` (filtered on an OuterRef) as a subquery, 0 for none."""
    return Coalesce(
        models.Subquery(
            # Func, not Sum: an aggregate would add a GROUP BY the subquery must not have.
            rows.order_by().annotate(n=models.Func(F(field), function="SUM")).values("n"),
            output_field=models.BigIntegerField(),
        ),
        0,
    )


class ProductQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Products of the programs the scope may see (a trainer: their partner's)."""
        return self.filter(program__in=Program.objects.in_scope(scope))

    def with_stock(self):
        """Annotate `made`, `sold`, `refunded`, `net_sold`, `lost` and `stock` over all the
        product's batches, as subqueries: no query of their own, whatever the number of products."""
        product = models.OuterRef("pk")
        return self.annotate(
            made=summed(ProductionBatch.objects.filter(product=product), "quantity"),
            sold=summed(Sale.objects.filter(batch__product=product), "quantity"),
            refunded=summed(SaleRefund.objects.filter(sale__batch__product=product), "quantity"),
            lost=summed(StockLoss.objects.filter(batch__product=product), "quantity"),
        ).annotate(
            net_sold=F("sold") - F("refunded"),
            stock=F("made") - F("sold") + F("refunded") - F("lost"),
        )


class Product(models.Model):
    """A kind of piece a program makes and sells, e.g. a bracelet of batu Lilis."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=100, blank=True, help_text=_("E.g. bracelet."))
    material = models.CharField(
        _("material"), max_length=200, blank=True, help_text=_("E.g. batu Lilis, rattan.")
    )
    unit_price = models.PositiveBigIntegerField(
        _("unit price (Rp)"), help_text=_("The usual selling price of one piece, in rupiah.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ProductQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"], name="programs_product_unique_name_per_program"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programs:product_detail", args=[self.pk])


def default_split():
    """The settings' split as (premium, partner, PNBP) percentages."""
    split = settings.PRODUCT_REVENUE_SPLIT
    return split["premium"], split["partner"], split["pnbp"]


class RevenueSplit(models.Model):
    """A program's own split of sales revenue; without one, settings.PRODUCT_REVENUE_SPLIT."""

    program = models.OneToOneField(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="revenue_split"
    )
    premium_percent = models.PositiveSmallIntegerField(
        _("makers' premium (%)"), validators=[MaxValueValidator(100)]
    )
    partner_percent = models.PositiveSmallIntegerField(
        _("partner's share (%)"), validators=[MaxValueValidator(100)]
    )
    pnbp_percent = models.PositiveSmallIntegerField(
        _("PNBP (%)"),
        validators=[MaxValueValidator(100)],
        help_text=_("The state's non-tax revenue, deposited to the treasury."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("revenue split")
        verbose_name_plural = _("revenue splits")
        constraints = [
            models.CheckConstraint(
                # Each part is >= 0 (positive fields), so none can pass 100 either.
                condition=Q(premium_percent=100 - F("partner_percent") - F("pnbp_percent")),
                name="programs_revenuesplit_sums_to_100",
            ),
        ]

    def __str__(self):
        return f"{self.premium_percent}/{self.partner_percent}/{self.pnbp_percent}"


class ProductionBatchQuerySet(models.QuerySet):
    def in_scope(self, scope):
        return self.filter(product__program__in=Program.objects.in_scope(scope))

    def with_stock(self):
        """Annotate `sold`, `refunded`, `net_sold`, `lost` and `stock` (= quantity - sold +
        refunded - lost) as subqueries: no query of their own, whatever the number of batches."""
        batch = models.OuterRef("pk")
        return self.annotate(
            sold=summed(Sale.objects.filter(batch=batch), "quantity"),
            refunded=summed(SaleRefund.objects.filter(sale__batch=batch), "quantity"),
            lost=summed(StockLoss.objects.filter(batch=batch), "quantity"),
        ).annotate(
            net_sold=F("sold") - F("refunded"),
            stock=F("quantity") - F("sold") + F("refunded") - F("lost"),
        )


class ProductionBatch(models.Model):
    """Pieces of one product made on a day by some of the program's participants."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="batches"
    )
    date = models.DateField(_("date"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = ProductionBatchQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("production batch")
        verbose_name_plural = _("production batches")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="programs_productionbatch_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.product} – {self.date:%Y-%m-%d} ({self.quantity})"

    def get_absolute_url(self):
        return self.product.get_absolute_url()


class BatchMaker(models.Model):
    """A participant who made a batch, with their share of its makers' premium (a weight:
    e.g. the pieces they made, or 1 each for equal parts)."""

    batch = models.ForeignKey(
        ProductionBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="makers"
    )
    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("maker"), on_delete=models.PROTECT, related_name="batch_shares"
    )
    share = models.PositiveIntegerField(_("share"), validators=[MinValueValidator(1)])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("maker")
        verbose_name_plural = _("makers")
        ordering = ["enrollment_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "enrollment"], name="programs_batchmaker_unique_maker"
            ),
            models.CheckConstraint(
                condition=Q(share__gte=1), name="programs_batchmaker_share_positive"
            ),
        ]

    def __str__(self):
        return f"{self.enrollment.inmate} ({self.share})"


class PnbpDepositQuerySet(models.QuerySet):
    def in_scope(self, scope):
        return self.filter(program__in=Program.objects.in_scope(scope))


class PnbpDeposit(models.Model):
    """The state's share (PNBP) of some of a program's sales, paid into the treasury: the date,
    the amount and the deposit's reference (e.g. the NTPN of the billing code). Its sales are
    those whose `pnbp_deposit` it is."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="pnbp_deposits"
    )
    date = models.DateField(_("date deposited"))
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    reference = models.CharField(
        _("deposit reference"), max_length=100, help_text=_("E.g. the NTPN on the receipt.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = PnbpDepositQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("PNBP deposit")
        verbose_name_plural = _("PNBP deposits")
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "reference"], name="programs_pnbpdeposit_unique_reference"
            ),
            models.CheckConstraint(
                condition=~Q(reference=""), name="programs_pnbpdeposit_has_reference"
            ),
        ]

    def __str__(self):
        return f"{self.reference} ({self.date:%Y-%m-%d})"


def receipt_path(instance, filename):
    # Under MEDIA_ROOT/private, never served directly; the view checks access.
    return f"private/receipts/{filename}"


class SaleQuerySet(models.QuerySet):
    def in_scope(self, scope):
        return self.filter(batch__product__program__in=Program.objects.in_scope(scope))

    def with_refunded(self):
        """Annotate `refunded`, the pieces given back, as a subquery (no query of its own)."""
        return self.annotate(
            refunded=summed(SaleRefund.objects.filter(sale=models.OuterRef("pk")), "quantity")
        )


class Sale(models.Model):
    """Pieces of one batch sold on a day, through a partner of the program or directly."""

    class Channel(models.TextChoices):
        PARTNER = "partner", _("Through a partner")
        DIRECT = "direct", _("Direct")

    batch = models.ForeignKey(
        ProductionBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="sales"
    )
    date = models.DateField(_("date"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = models.PositiveBigIntegerField(_("unit price (Rp)"))
    channel = models.CharField(_("sold"), max_length=10, choices=Channel.choices)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="product_sales",
    )
    buyer = models.CharField(_("buyer"), max_length=200, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=100, blank=True)
    receipt = models.FileField(_("scanned receipt"), upload_to=receipt_path, blank=True)
    receipt_content_type = models.CharField(_("content type"), max_length=50, blank=True)
    # The split this sale was made under, copied from the program's when it was recorded.
    premium_percent = models.PositiveSmallIntegerField(_("makers' premium (%)"))
    partner_percent = models.PositiveSmallIntegerField(_("partner's share (%)"))
    pnbp_percent = models.PositiveSmallIntegerField(_("PNBP (%)"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    pnbp_deposit = models.ForeignKey(
        PnbpDeposit,
        verbose_name=_("PNBP deposit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales",
    )

    objects = SaleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="programs_sale_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(channel="partner", partner__isnull=False)
                | Q(channel="direct", partner__isnull=True),
                name="programs_sale_partner_matches_channel",
            ),
            models.CheckConstraint(
                condition=Q(premium_percent=100 - F("partner_percent") - F("pnbp_percent")),
                name="programs_sale_split_sums_to_100",
            ),
            models.CheckConstraint(
                condition=Q(receipt="", receipt_content_type="")
                | Q(receipt_content_type__in=["image/jpeg", "application/pdf"]),
                name="programs_sale_receipt_content_type_valid",
            ),
        ]

    def __str__(self):
        return f"{self.batch.product} – {self.date:%Y-%m-%d} ({self.quantity})"

    def get_absolute_url(self):
        return reverse("programs:product_detail", args=[self.batch.product_id])

    @property
    def total(self):
        """What the buyer paid, before any refund."""
        return self.quantity * self.unit_price


class SaleRefund(models.Model):
    """Pieces of a sale given back (or a sale recorded by mistake), with the reason: the money
    goes back to the buyer and the pieces back into the batch's stock."""

    sale = models.ForeignKey(
        Sale, verbose_name=_("sale"), on_delete=models.PROTECT, related_name="refunds"
    )
    date = models.DateField(_("date"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    reason = models.TextField(_("reason"), max_length=1000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="programs_salerefund_quantity_positive"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="programs_salerefund_has_reason"),
        ]

    def __str__(self):
        return f"{self.sale} – {self.date:%Y-%m-%d} ({self.quantity})"


class StockLoss(models.Model):
    """Pieces of a batch damaged or lost, with the reason: they leave the stock unsold."""

    batch = models.ForeignKey(
        ProductionBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="losses"
    )
    date = models.DateField(_("date"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    reason = models.TextField(_("reason"), max_length=1000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stock loss")
        verbose_name_plural = _("stock losses")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="programs_stockloss_quantity_positive"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="programs_stockloss_has_reason"),
        ]

    def __str__(self):
        return f"{self.batch} – {self.date:%Y-%m-%d} ({self.quantity})"
