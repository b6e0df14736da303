"""Forms of the products pages (hasil karya). The program, product, batch or sale comes from the
URL, never from the form; the rules that need the database (stock, the program's partners) are
programs.products', and the views put its refusals on these forms (`add_service_errors`)."""

from django import forms
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from lapas_training.scans import SCAN_ACCEPT, checked_scan
from programs.forms.sessions import DATE_WIDGET
from programs.models import Product, RevenueSplit, Sale
from programs.products import sale_split

# Whole rupiah and whole pieces: tablets show a number pad.
NUMBER = {"inputmode": "numeric", "min": 0}
# Beyond these a figure is a typing error, and the database's integers must never overflow.
MAX_PIECES = 1_000_000
MAX_RUPIAH = 10**12


def add_service_errors(form, error):
    """Put a ValidationError of programs.products on `form`: on its field, else on the form."""
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["name", "kind", "material", "unit_price"]
        widgets = {"unit_price": forms.NumberInput(attrs=NUMBER)}

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.program = program

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        # The form leaves `program` out, so Django does not check the constraint itself.
        same = Product.objects.filter(program=self.instance.program, name__iexact=name)
        if same.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This program already has a product of this name."))
        return name


class RevenueSplitForm(forms.ModelForm):
    class Meta:
        model = RevenueSplit
        fields = ["premium_percent", "partner_percent", "pnbp_percent"]
        widgets = {
            name: forms.NumberInput(attrs={**NUMBER, "max": 100})
            for name in ["premium_percent", "partner_percent", "pnbp_percent"]
        }

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.program = program

    def clean(self):
        data = super().clean()
        parts = [data.get(name) for name in self.Meta.fields]
        if None not in parts and sum(parts) != 100:
            raise forms.ValidationError(
                _("The three shares must add up to 100%%; they add up to %(sum)d%%.")
                % {"sum": sum(parts)}
            )
        return data


class BatchForm(forms.Form):
    """A production batch, with a share field per participant of the program: the makers are
    those given a share."""

    date = forms.DateField(label=_("Date made"), widget=DATE_WIDGET)
    quantity = forms.IntegerField(
        label=_("Pieces made"),
        min_value=1,
        max_value=MAX_PIECES,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, enrollments, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.enrollments = list(enrollments)
        for enrollment in self.enrollments:
            self.fields[self.share_name(enrollment)] = forms.IntegerField(
                label=enrollment.inmate.full_name,
                min_value=0,
                max_value=1000,
                required=False,
                widget=forms.NumberInput(attrs={**NUMBER, "max": 1000}),
            )

    @staticmethod
    def share_name(enrollment):
        return f"share_{enrollment.pk}"

    def share_fields(self):
        """(enrollment, bound field) for the makers' table."""
        return [(e, self[self.share_name(e)]) for e in self.enrollments]

    def clean(self):
        data = super().clean()
        if not self.errors and not self.makers():
            raise forms.ValidationError(
                _("Give a share to at least one maker (e.g. 1 each for equal parts).")
            )
        return data

    def makers(self):
        """(enrollment, share) of the participants given a share above 0."""
        return [
            (enrollment, share)
            for enrollment in self.enrollments
            if (share := self.cleaned_data.get(self.share_name(enrollment)))
        ]


class BatchChoiceField(forms.ModelChoiceField):
    """A batch named by its product, date and stock (from `with_stock()`)."""

    def label_from_instance(self, batch):
        return _("%(product)s, made %(date)s (%(stock)d in stock)") % {
            "product": batch.product.name,
            "date": date_format(batch.date),
            "stock": batch.stock,
        }


class SaleForm(forms.Form):
    batch = BatchChoiceField(label=_("Product (batch)"), queryset=None)
    date = forms.DateField(label=_("Date sold"), widget=DATE_WIDGET)
    quantity = forms.IntegerField(
        label=_("Pieces sold"),
        min_value=1,
        max_value=MAX_PIECES,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    unit_price = forms.IntegerField(
        label=_("Unit price (Rp)"),
        min_value=0,
        max_value=MAX_RUPIAH,
        required=False,
        help_text=_("Leave empty for the product's price."),
        widget=forms.NumberInput(attrs=NUMBER),
    )
    channel = forms.ChoiceField(
        label=_("Sold"), choices=Sale.Channel.choices, widget=forms.RadioSelect
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=None,
        required=False,
        help_text=_("For a sale through a partner."),
    )
    buyer = forms.CharField(label=_("Buyer"), max_length=200, required=False)
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=100, required=False)
    receipt = forms.FileField(
        label=_("Scanned receipt"),
        required=False,
        help_text=_("A photo (JPEG, PNG or WebP) or a PDF of the receipt."),
        widget=forms.FileInput(attrs={"accept": SCAN_ACCEPT}),
    )

    def __init__(self, *args, batches, partners, **kwargs):
        kwargs.setdefault(
            "initial", {"date": timezone.localdate(), "channel": Sale.Channel.PARTNER}
        )
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = batches
        self.fields["partner"].queryset = partners
        # Recorded at a stall on a tablet, too: large targets for a finger.
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select-lg"
            elif not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-control-lg"

    def clean_receipt(self):
        upload = self.cleaned_data.get("receipt")
        return checked_scan(upload) if upload else None

    def clean(self):
        data = super().clean()
        if data.get("channel") == Sale.Channel.PARTNER and not data.get("partner"):
            self.add_error("partner", _("Choose the partner who sold it."))
        return data


class LossForm(forms.Form):
    batch = BatchChoiceField(label=_("Product (batch)"), queryset=None)
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    quantity = forms.IntegerField(
        label=_("Pieces damaged or lost"),
        min_value=1,
        max_value=MAX_PIECES,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, batches, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = batches


class RefundForm(forms.Form):
    date = forms.DateField(label=_("Date refunded"), widget=DATE_WIDGET)
    quantity = forms.IntegerField(
        label=_("Pieces given back"),
        min_value=1,
        max_value=MAX_PIECES,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        help_text=_("E.g. returned broken, or the sale was recorded by mistake."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ProductFilterForm(forms.Form):
    """The facility's products and sales list's GET filters; an invalid value shows its error
    and filters nothing."""

    q = forms.CharField(label=_("Search by product"), required=False, max_length=200)
    program = forms.ModelChoiceField(
        label=_("Program"), required=False, queryset=None, empty_label=_("All programs")
    )
    partner = forms.ModelChoiceField(
        label=_("Sold through"), required=False, queryset=None, empty_label=_("All partners")
    )
    sold_from = forms.DateField(label=_("Sold from"), required=False, widget=DATE_WIDGET)
    sold_to = forms.DateField(label=_("Sold until"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, programs, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["partner"].queryset = partners


class DepositSalesField(forms.ModelMultipleChoiceField):
    """Sales (annotated with `refunded`, product selected) named with what they owe as PNBP."""

    def label_from_instance(self, sale):
        return _("%(date)s: %(quantity)d × %(product)s, PNBP Rp %(pnbp)s") % {
            "date": date_format(sale.date),
            "quantity": sale.quantity - sale.refunded,
            "product": sale.batch.product.name,
            "pnbp": intcomma(sale_split(sale).pnbp),
        }


class DepositForm(forms.Form):
    sales = DepositSalesField(
        label=_("Sales covered"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    date = forms.DateField(label=_("Date deposited"), widget=DATE_WIDGET)
    amount = forms.IntegerField(
        label=_("Amount (Rp)"),
        min_value=0,
        max_value=MAX_RUPIAH,
        help_text=_("As on the deposit receipt: it must be the PNBP of the sales chosen."),
        widget=forms.NumberInput(attrs=NUMBER),
    )
    reference = forms.CharField(
        label=_("Deposit reference"),
        max_length=100,
        help_text=_("E.g. the NTPN on the receipt."),
    )

    def __init__(self, *args, sales, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["sales"].queryset = sales


class PhotoChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, photo):
        return photo.caption or _("Photo of %(date)s") % {"date": date_format(photo.uploaded_at)}


class PhotoLinkForm(forms.Form):
    """Says which of the program's product photos shows this product."""

    photo = PhotoChoiceField(label=_("Product photo"), queryset=None)

    def __init__(self, *args, photos, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].queryset = photos
