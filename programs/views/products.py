"""A program's products (hasil karya): what was made, sold, refunded and lost, and the money.

Who may do what: the facility's readers (admin, staff, viewer) read everything, money and the
makers' premiums included; managers (admin, staff) record products, sales, refunds, losses and
the program's revenue split; a trainer of the program's partner sees the products and their
stock and records production batches, but no money and no one's earnings. Other programs are
404 (`in_scope`), other roles 403.
"""

from collections import defaultdict

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from attendance.pdf import facility_signatory, letterhead, render_pdf
from lapas_training import audit
from lapas_training.access import MANAGERS, READERS, in_rollup, role_required, rollup_required
from lapas_training.models import Role
from lapas_training.spreadsheets import Sheet, csv_response, xlsx_response
from programs.forms.products import (
    BatchForm,
    DepositForm,
    LossForm,
    PhotoLinkForm,
    ProductFilterForm,
    ProductForm,
    RefundForm,
    RevenueSplitForm,
    SaleForm,
    add_service_errors,
)
from programs.models import (
    BatchMaker,
    Enrollment,
    Partner,
    PnbpDeposit,
    Product,
    ProductionBatch,
    ProductPhoto,
    Program,
    RevenueSplit,
    Sale,
    StockLoss,
)
from programs.products import (
    deposit_balances,
    deposit_overpaid,
    premiums,
    premiums_by_maker,
    program_products_summary,
    program_split,
    record_batch,
    record_deposit,
    record_loss,
    record_sale,
    refund_sale,
    sale_split,
    sales_totals,
)

# Trainers may see the products of their partner's programs and record batches.
PRODUCT_READERS = READERS | {Role.TRAINER}
BATCH_RECORDERS = MANAGERS | {Role.TRAINER}


def _money_visible(request):
    """Sales, revenue and premiums are for the facility's readers, not for trainers."""
    return request.user.effective_role in READERS


@require_safe
@role_required(PRODUCT_READERS)
def program_products(request, pk):
    """The program's products with their stock; for readers, the revenue and its split and each
    maker's premium.

    Queries: the program; its products with their stock; its sales with their refunded pieces;
    for readers also its split, for the premiums the sales again, the makers and the makers'
    names, and its PNBP deposits with their sale counts.
    """
    program = get_object_or_404(Program.objects.in_scope(request.scope), pk=pk)
    products, sales, totals = program_products_summary(program)
    context = {"program": program, "products": products, "can_manage": request.user.can_manage}
    if _money_visible(request):
        context["split"] = program_split(program)
        context["totals"] = totals
        context["earnings"] = _earnings(
            premiums_by_maker(ProductionBatch.objects.filter(product__program=program))
        )
        context["deposits"] = deposit_balances(
            PnbpDeposit.objects.filter(program=program).annotate(sale_count=Count("sales")),
            sales,
        )
        context["pnbp_owed"] = sum(
            sale.split.pnbp for sale in sales if sale.pnbp_deposit_id is None
        )
    return render(request, "programs/products/program_products.html", context)


def _earnings(earned):
    """[(enrollment with inmate, rupiah)] by name, from {enrollment id: rupiah}. One query."""
    makers = Enrollment.objects.filter(pk__in=earned).select_related("inmate")
    return sorted(
        ((maker, earned[maker.pk]) for maker in makers),
        key=lambda row: (row[0].inmate.full_name, row[0].pk),
    )


@require_safe
@role_required(PRODUCT_READERS)
def product_detail(request, pk):
    """A product's batches with their makers and stock; for readers also its sales with their
    split and refunds, its losses and each maker's premium from it.

    Queries: the product with its program; its photos; its batches with their stock; their
    makers with their names; for readers also the sales with their partners and refunded
    pieces, the refunds, the losses, and for the premiums the sales again and the makers; for
    those who may link photos, the program's other photos offered.
    """
    return _product_page(request, pk)


def _product_page(request, pk, **kwargs):
    """The product page; `kwargs` carry a refused form back to it with its errors."""
    product = get_object_or_404(
        Product.objects.in_scope(request.scope).select_related("program"), pk=pk
    )
    batches = list(product.batches.with_stock().order_by("date", "pk"))
    makers = defaultdict(list)
    for maker in (
        BatchMaker.objects.filter(batch__product=product)
        .select_related("enrollment__inmate")
        .order_by("enrollment__inmate__full_name", "pk")
    ):
        makers[maker.batch_id].append(maker)
    context = {
        "program": product.program,
        "product": product,
        "can_manage": request.user.can_manage,
        "can_record_batch": request.user.effective_role in BATCH_RECORDERS,
        "photos": list(product.photos.order_by("uploaded_at", "pk")),
    }
    if context["can_record_batch"] and "photo_form" not in kwargs:
        offered = list(_other_photos(product))
        if offered:
            form = PhotoLinkForm(photos=_other_photos(product))
            # The choices from the list just read, not from a query of their own.
            field = form.fields["photo"]
            field.widget.choices = [
                ("", field.empty_label),
                *((photo.pk, field.label_from_instance(photo)) for photo in offered),
            ]
            kwargs["photo_form"] = form
    context.update(kwargs)
    if _money_visible(request):
        sales = list(
            Sale.objects.filter(batch__product=product)
            .with_refunded()
            .select_related("batch", "partner")
            .prefetch_related("refunds")
            .order_by("date", "pk")
        )
        context["sales"] = sales
        context["totals"] = sales_totals(sales)
        context["losses"] = StockLoss.objects.filter(batch__product=product).select_related("batch")
        premium = premiums(product.batches.all())
        for batch in batches:
            for maker in makers[batch.pk]:
                maker.premium = premium.get(batch.pk, {}).get(maker.enrollment_id, 0)
    for batch in batches:
        batch.maker_list = makers[batch.pk]
    context["batches"] = batches
    return render(request, "programs/products/product_detail.html", context)


def _form_page(request, template, context):
    return render(request, f"programs/products/{template}", context)


@role_required(MANAGERS)
@require_http_methods(["GET", "POST"])
def product_create(request, pk):
    program = get_object_or_404(Program.objects.in_scope(request.scope), pk=pk)
    form = ProductForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        product = form.save()
        messages.success(request, _("The product was added."))
        return redirect(product)
    return _form_page(
        request,
        "record_form.html",
        {
            "program": program,
            "form": form,
            "title": _("New product"),
            "back": _products_url(program),
        },
    )


@role_required(MANAGERS)
@require_http_methods(["GET", "POST"])
def product_update(request, pk):
    product = get_object_or_404(
        Product.objects.in_scope(request.scope).select_related("program"), pk=pk
    )
    form = ProductForm(request.POST or None, instance=product, program=product.program)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The product was saved."))
        return redirect(product)
    return _form_page(
        request,
        "record_form.html",
        {
            "program": product.program,
            "form": form,
            "title": _("Edit product"),
            "back": product.get_absolute_url(),
        },
    )


@role_required(BATCH_RECORDERS)
@require_http_methods(["GET", "POST"])
def batch_create(request, pk):
    """Record a batch of the product: a trainer of the program's partner may, naming the
    current participants as makers; managers may name anyone who stayed in the program."""
    product = get_object_or_404(
        Product.objects.in_scope(request.scope).select_related("program"), pk=pk
    )
    enrollments = Enrollment.objects.filter(program=product.program).select_related("inmate")
    if request.scope.is_trainer:
        enrollments = enrollments.filter(status=Enrollment.Status.ACTIVE)
    else:
        enrollments = enrollments.filter(status__in=Enrollment.STAYING_STATUSES)
    form = BatchForm(
        request.POST or None, enrollments=enrollments.order_by("inmate__full_name", "pk")
    )
    if request.method == "POST" and form.is_valid():
        try:
            record_batch(
                product=product,
                date=form.cleaned_data["date"],
                quantity=form.cleaned_data["quantity"],
                note=form.cleaned_data["note"],
                makers=form.makers(),
                recorded_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The batch was recorded."))
            return redirect(product)
    return _form_page(
        request,
        "batch_form.html",
        {"program": product.program, "product": product, "form": form},
    )


def _batches(program):
    """The program's batches with stock left, for a sale's or a loss's choice."""
    return (
        ProductionBatch.objects.filter(product__program=program)
        .with_stock()
        .filter(stock__gt=0)
        .select_related("product")
        .order_by("product__name", "date", "pk")
    )


@role_required(MANAGERS)
@require_http_methods(["GET", "POST"])
def sale_create(request, pk):
    """Record a sale (on a tablet at a stall, too): one column, number pads, the receipt scan
    checked as an attendance sheet scan is."""
    program = get_object_or_404(Program.objects.in_scope(request.scope), pk=pk)
    partners = Partner.objects.filter(program_links__program=program).order_by("name")
    form = SaleForm(
        request.POST or None,
        request.FILES or None,
        batches=_batches(program),
        partners=partners,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        batch = data["batch"]
        try:
            sale = record_sale(
                batch=batch,
                date=data["date"],
                quantity=data["quantity"],
                unit_price=(
                    batch.product.unit_price if data["unit_price"] is None else data["unit_price"]
                ),
                channel=data["channel"],
                partner=data["partner"],
                buyer=data["buyer"],
                receipt_number=data["receipt_number"],
                receipt=data["receipt"],
                recorded_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The sale of %(quantity)d × %(product)s was recorded.")
                % {"quantity": sale.quantity, "product": batch.product.name},
            )
            return redirect(_products_url(program))
    return _form_page(
        request,
        "record_form.html",
        {
            "program": program,
            "form": form,
            "title": _("Record a sale"),
            "back": _products_url(program),
            "narrow": True,
        },
    )


@role_required(MANAGERS)
@require_http_methods(["GET", "POST"])
def loss_create(request, pk):
    program = get_object_or_404(Program.objects.in_scope(request.scope), pk=pk)
    form = LossForm(request.POST or None, batches=_batches(program))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_loss(
                batch=data["batch"],
                date=data["date"],
                quantity=data["quantity"],
                reason=data["reason"],
                recorded_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The damaged or lost pieces were recorded."))
            return redirect(data["batch"].product)
    return _form_page(
        request,
        "record_form.html",
        {
            "program": program,
            "form": form,
            "title": _("Record damaged or lost pieces"),
            "back": _products_url(program),
        },
    )


@role_required(MANAGERS)
@require_http_methods(["GET", "POST"])
def sale_refund(request, pk):
    """Give back pieces of a sale, or the whole of a sale recorded by mistake, with a reason."""
    sale = get_object_or_404(
        Sale.objects.in_scope(request.scope).select_related(
            "batch__product__program", "pnbp_deposit"
        ),
        pk=pk,
    )
    product = sale.batch.product
    form = RefundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            refund_sale(sale=sale, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The refund was recorded."))
            if sale.pnbp_deposit is not None:
                # The state was paid its share of pieces now given back: the officer must
                # know, to claim it back or set it against the next deposit.
                messages.warning(
                    request,
                    _(
                        "This sale's PNBP was already deposited (%(reference)s): that deposit "
                        "now holds Rp %(amount)s more than its sales owe."
                    )
                    % {
                        "reference": sale.pnbp_deposit.reference,
                        "amount": intcomma(deposit_overpaid(sale.pnbp_deposit)),
                    },
                )
            return redirect(f"{product.get_absolute_url()}#sales")
    return _form_page(
        request,
        "record_form.html",
        {
            "program": product.program,
            "form": form,
            "title": _("Refund a sale"),
            "subject": _("%(quantity)d × %(product)s sold on %(date)s")
            % {
                "quantity": sale.quantity,
                "product": product.name,
                "date": date_format(sale.date),
            },
            "back": f"{product.get_absolute_url()}#sales",
        },
    )


@role_required(MANAGERS)
@require_http_methods(["GET", "POST"])
def revenue_split_edit(request, pk):
    """The program's own split of its sales' revenue; sales already recorded keep theirs."""
    program = get_object_or_404(Program.objects.in_scope(request.scope), pk=pk)
    split = RevenueSplit.objects.filter(program=program).first()
    if split is None:
        premium, partner, pnbp = program_split(program)
        split = RevenueSplit(premium_percent=premium, partner_percent=partner, pnbp_percent=pnbp)
    form = RevenueSplitForm(request.POST or None, instance=split, program=program)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The revenue split was saved; it applies to new sales."))
        return redirect(_products_url(program))
    return _form_page(
        request,
        "record_form.html",
        {
            "program": program,
            "form": form,
            "title": _("Revenue split"),
            "intro": _(
                "How the revenue of this program's sales is divided. Sales already recorded keep "
                "the split they were recorded under."
            ),
            "back": _products_url(program),
        },
    )


@require_safe
@role_required(READERS)
def sale_receipt(request, pk):
    """A sale's scanned receipt to the facility's readers; 404 for others or without a file."""
    sale = get_object_or_404(Sale.objects.in_scope(request.scope).exclude(receipt=""), pk=pk)
    try:
        response = FileResponse(sale.receipt.open("rb"), content_type=sale.receipt_content_type)
    except (FileNotFoundError, ValueError):
        # The row outlived its file (a restore without MEDIA_ROOT): nothing to show, not a 500.
        raise Http404 from None
    extension = "pdf" if sale.receipt_content_type == "application/pdf" else "jpg"
    response["Content-Disposition"] = content_disposition_header(
        False, f"kuitansi-{sale.pk}.{extension}"
    )
    response["Cache-Control"] = "private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _products_url(program):
    return reverse("programs:program_products", args=[program.pk])


# Sales listed a page; the totals count every sale the filters select.
SALES_PER_PAGE = 50
EXPORT_FORMATS = ("csv", "xlsx", "pdf")


def filtered_products_and_sales(request):
    """The list's filter form, and the facility's products (with stock and program) and sales
    (with product, program, partner, deposit and refunded pieces, newest first) it selects.
    Querysets: nothing runs here but the filter's validation (its programs and partners)."""
    scope = request.scope
    form = ProductFilterForm(
        request.GET,
        programs=Program.objects.in_scope(scope).order_by("-start_date", "title"),
        partners=Partner.objects.in_scope(scope).order_by("name"),
    )
    products = Product.objects.in_scope(scope).with_stock().select_related("program")
    sales = (
        Sale.objects.in_scope(scope)
        .with_refunded()
        .select_related("batch__product__program", "partner", "pnbp_deposit")
        .order_by("-date", "-pk")
    )
    if form.is_valid():
        data = form.cleaned_data
        if text := data["q"].strip():
            products = products.filter(name__icontains=text)
            sales = sales.filter(batch__product__name__icontains=text)
        if data["program"]:
            products = products.filter(program=data["program"])
            sales = sales.filter(batch__product__program=data["program"])
        if data["partner"]:
            sales = sales.filter(partner=data["partner"])
        if data["sold_from"]:
            sales = sales.filter(date__gte=data["sold_from"])
        if data["sold_to"]:
            sales = sales.filter(date__lte=data["sold_to"])
    return form, products.order_by("program__title", "name", "pk"), sales


@require_safe
@role_required(READERS)
def product_list(request):
    """The facility's products with their stock, and its sales with their split, filtered by
    product name, program, selling partner and dates of sale.

    Queries: the programs and the partners of the filter, the products with their stock and
    program, and every selected sale with its product, program, partner and deposit and its
    refunded pieces (the totals count them all; the page shows SALES_PER_PAGE of them).
    """
    form, products, sales = filtered_products_and_sales(request)
    sales = list(sales)
    totals = sales_totals(sales)
    # A list, not a queryset: the paginator counts it without a query of its own.
    page = Paginator(sales, SALES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "programs/products/product_list.html",
        {
            "filter_form": form,
            "products": products,
            "page_obj": page,
            "sales": page.object_list,
            "totals": totals,
        },
    )


@require_safe
@role_required(READERS)
def product_list_export(request, fmt):
    """The sales the list's filters select, each with its split, as CSV, XLSX or a PDF report
    with the letterhead; the XLSX and the PDF add the products with their stock. Labels are
    translated here: a CSV's rows are written after the view returns.

    Queries: the filter's programs and partners, the audit event's INSERT, the sales, and for
    XLSX and PDF the products.
    """
    if fmt not in EXPORT_FORMATS:
        raise Http404
    form, products, sales = filtered_products_and_sales(request)
    # As the inmate and SPPN exports are: who took the facility's sales out of the app, and
    # with which filters (the PDF names buyers and the receipts' numbers too).
    audit.record(
        request,
        kind=audit.Kind.EXPORT,
        facility=request.scope.facility,
        user=request.user,
        detail=f"{_('Sales')} ({fmt.upper()}) {request.GET.urlencode()}".strip(),
    )
    if fmt == "pdf":
        return _sales_report_pdf(request, form, products, sales)
    channels = {value: str(label) for value, label in Sale.Channel.choices}
    header = [
        _("Date sold"),
        _("Program"),
        _("Product"),
        _("Sold through"),
        _("Buyer"),
        _("Receipt number"),
        _("Pieces sold"),
        _("Pieces given back"),
        _("Unit price (Rp)"),
        _("Net (Rp)"),
        _("Makers' premium (Rp)"),
        _("Partner's share (Rp)"),
        _("PNBP (Rp)"),
        _("Deposit reference"),
    ]

    def rows():
        for sale in sales.iterator(chunk_size=2000):
            split = sale_split(sale)
            yield [
                sale.date,
                sale.batch.product.program.title,
                sale.batch.product.name,
                sale.partner.name if sale.partner else channels[sale.channel],
                sale.buyer,
                sale.receipt_number,
                sale.quantity,
                sale.refunded,
                sale.unit_price,
                split.total,
                split.premium,
                split.partner,
                split.pnbp,
                sale.pnbp_deposit.reference if sale.pnbp_deposit else "",
            ]

    filename = f"penjualan-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return csv_response(f"{filename}.csv", header, rows())
    product_header = [
        _("Product"),
        _("Program"),
        _("Unit price (Rp)"),
        _("Made"),
        _("Sold"),
        _("Lost"),
        _("In stock"),
    ]
    product_rows = (
        [p.name, p.program.title, p.unit_price, p.made, p.net_sold, p.lost, p.stock]
        for p in products
    )
    return xlsx_response(
        f"{filename}.xlsx",
        [
            Sheet(str(_("Sales")), header, rows()),
            Sheet(str(_("Products")), product_header, product_rows),
        ],
    )


@role_required(MANAGERS)
@require_http_methods(["GET", "POST"])
def deposit_create(request, pk):
    """Record the PNBP of some of the program's sales paid into the treasury; every sale not
    yet deposited is offered, and chosen at first."""
    program = get_object_or_404(Program.objects.in_scope(request.scope), pk=pk)
    sales = (
        Sale.objects.filter(batch__product__program=program, pnbp_deposit__isnull=True)
        .with_refunded()
        .select_related("batch__product")
        .order_by("date", "pk")
    )
    initial = None
    if request.method == "GET":
        initial = {"date": timezone.localdate(), "sales": [sale.pk for sale in sales]}
    form = DepositForm(request.POST or None, sales=sales, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record_deposit(program=program, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The PNBP deposit was recorded."))
            return redirect(f"{_products_url(program)}#deposits")
    return _form_page(
        request,
        "record_form.html",
        {
            "program": program,
            "form": form,
            "title": _("Record a PNBP deposit"),
            "back": _products_url(program),
        },
    )


def _sales_report_pdf(request, form, products, sales):
    """The sales report (A4 landscape) with the facility's letterhead, the filters it was
    printed for, the sales with their split and totals, the products and two signatures."""
    facility = request.scope.facility
    sales = list(sales)
    totals = sales_totals(sales)
    filters = []
    if form.is_valid():
        data = form.cleaned_data
        for name in ("q", "program", "partner", "sold_from", "sold_to"):
            value = data[name]
            if value:
                shown = date_format(value) if name.startswith("sold_") else str(value).strip()
                filters.append((form.fields[name].label, shown))
    today = timezone.localdate()
    officer = request.user
    pdf = render_pdf(
        "programs/products/sales_report_pdf.html",
        {
            "letterhead": letterhead(facility),
            "filters": filters,
            "today": today,
            "sales": sales,
            "totals": totals,
            "products": products,
            "head": facility_signatory(facility),
            "officer": {
                "office": _("Officer"),
                "name": officer.get_full_name() or officer.username,
                "nip": "",
            },
            "place_and_date": f"{facility.city}, {date_format(today)}",
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    # Inline: the browser opens its viewer, from which the officer prints.
    response["Content-Disposition"] = content_disposition_header(
        False, f"laporan-penjualan-{today:%Y-%m-%d}.pdf"
    )
    return response


# A facility's figures in the roll-up: products, pieces made, sold (net) and in stock, the net
# revenue and its three parts, and the PNBP paid in.
ROLLUP_COLUMNS = (
    "products",
    "made",
    "sold",
    "stock",
    "total",
    "premium",
    "partner",
    "pnbp",
    "paid",
)


@require_safe
@rollup_required
def product_rollup(request):
    """The products and sales of the region's facilities (every facility, for a superuser),
    a row per facility and a total: figures only, no person named.

    Queries: the facilities, their products with their stock, their sales with the pieces
    refunded, and their PNBP deposits.
    """
    scope = request.scope
    facilities = list(scope.rollup_facilities().order_by("name"))
    rows = {facility.pk: dict.fromkeys(ROLLUP_COLUMNS, 0) for facility in facilities}
    products = in_rollup(Product.objects.with_stock(), scope, "program__facility").values_list(
        "program__facility", "made", "net_sold", "stock"
    )
    for facility_id, made, sold, stock in products:
        row = rows[facility_id]
        row["products"] += 1
        row["made"] += made
        row["sold"] += sold
        row["stock"] += stock
    sales = (
        in_rollup(Sale.objects.with_refunded(), scope, "batch__product__program__facility")
        .annotate(facility_pk=F("batch__product__program__facility"))
        .order_by()
    )
    for sale in sales:
        split = sale_split(sale)
        row = rows[sale.facility_pk]
        for part in ("total", "premium", "partner", "pnbp"):
            row[part] += getattr(split, part)
    deposits = in_rollup(PnbpDeposit.objects.all(), scope, "program__facility").values_list(
        "program__facility", "amount"
    )
    for facility_id, amount in deposits:
        rows[facility_id]["paid"] += amount
    table = [(facility, rows[facility.pk]) for facility in facilities]
    total = {key: sum(row[key] for row in rows.values()) for key in ROLLUP_COLUMNS}
    return render(request, "programs/products/product_rollup.html", {"rows": table, "total": total})


def _other_photos(product):
    """The program's product photos that do not show `product` yet: those one may link."""
    return (
        ProductPhoto.objects.filter(program_id=product.program_id)
        .exclude(product=product)
        .order_by("uploaded_at", "pk")
    )


@role_required(BATCH_RECORDERS)
@require_POST
def product_photo_link(request, pk):
    """Say that one of the program's product photos shows this product (whoever may upload
    the photos may)."""
    product = get_object_or_404(Product.objects.in_scope(request.scope), pk=pk)
    form = PhotoLinkForm(request.POST, photos=_other_photos(product))
    if not form.is_valid():
        return _product_page(request, pk, photo_form=form)
    photo = form.cleaned_data["photo"]
    photo.product = product
    photo.save(update_fields=["product"])
    messages.success(request, _("The photo now shows this product."))
    return redirect(f"{product.get_absolute_url()}#photos")
