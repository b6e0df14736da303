from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inmates.photos import LOGO_SIZE, sanitize_logo
from lapas_training.models import nip_validator
from programs.models import Partner, PartnerAgreement


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates whatever the UI language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PartnerFilterForm(forms.Form):
    """The partner list's GET filters; on an invalid value the error shows, unfiltered."""

    q = forms.CharField(label=_("Search by name"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Partner.Kind.choices]
    )
    # The reports link the partners with an agreement valid on at least one day of a period.
    agreement_from = forms.DateField(
        label=_("Agreement valid from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    agreement_to = forms.DateField(
        label=_("Agreement valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("agreement_from"), cleaned.get("agreement_to")
        if start and end and start > end:
            self.add_error("agreement_to", _("The end date must not be before the start date."))
        return cleaned


class PartnerForm(forms.ModelForm):
    """The partner's details and its logo.

    The logo is not a model field of the form: `clean_logo` turns the upload into one sanitized
    PNG (`inmates.photos.sanitize_logo`) and the view stores it, so a refused upload writes
    nothing to disk.
    """

    # The model leaves the NIP free; a signatory's NIP printed on a certificate must be valid.
    head_nip = forms.CharField(
        label=_("Signatory's NIP"),
        max_length=18,
        required=False,
        validators=[nip_validator],
        help_text=_("Only for a civil servant: 18 digits, printed under the name."),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_logo = forms.BooleanField(
        label=_("Remove the logo (certificates then use the default drawing)"), required=False
    )

    class Meta:
        model = Partner
        fields = [
            "name",
            "kind",
            "license_number",
            "address",
            "contact_person",
            "phone",
            "email",
            "head_name",
            "head_title",
            "head_nip",
            "is_active",
            "certificate_code",
            "certificate_number_pattern",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        # Who signs certificates for the partner need not be its head: a representative often is.
        labels = {"head_name": _("Signatory's name"), "head_title": _("Signatory's title")}
        help_texts = {
            "head_name": _("Signs certificates and reports for the partner."),
            "head_title": _(
                "Printed over the signature, e.g. Kepala BLK Kota Palangka Raya or Perwakilan "
                "BLK Kota Palangka Raya. Empty: Kepala and the partner's name."
            ),
        }

    def __init__(self, *args, facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.facility = facility
        # Set per request: a lazy string interpolated at import time would freeze its language.
        self.fields["logo"].help_text = gettext(
            "Printed on certificates when the partner leads the program. JPEG, PNG or WebP (not "
            "SVG); it is stored as a PNG of at most %(size)s px, transparent parts become white."
        ) % {"size": LOGO_SIZE}
        if not self.instance.logo:
            del self.fields["remove_logo"]
        self.fields["certificate_number_pattern"].required = False

    def clean_logo(self):
        upload = self.cleaned_data["logo"]
        return sanitize_logo(upload) if upload else None

    def clean_name(self):
        # The facility is not a form field, so ModelForm skips the per-facility unique constraint.
        name = self.cleaned_data["name"].strip()
        clash = Partner.objects.filter(facility=self.facility, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("This facility already has a partner with this name."))
        return name

    def clean_certificate_number_pattern(self):
        # Most partners never issue discreetly: an empty field keeps the usual pattern.
        pattern = self.cleaned_data["certificate_number_pattern"].strip()
        return pattern or Partner._meta.get_field("certificate_number_pattern").default

    def clean_certificate_code(self):
        # Unique in the installation, also across facilities: two series must never meet.
        code = self.cleaned_data["certificate_code"].strip()
        clash = Partner.objects.filter(certificate_code__iexact=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if code and clash.exists():
            raise forms.ValidationError(_("Another partner already uses this certificate code."))
        return code


class AgreementForm(forms.ModelForm):
    class Meta:
        model = PartnerAgreement
        fields = ["number", "title", "valid_from", "valid_to"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}
        help_texts = {"number": _("The PKS / MoU number, e.g. 500/012/PKS/2025.")}

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner

    def clean_number(self):
        # The partner is not a form field, so ModelForm skips the per-partner unique constraint.
        number = self.cleaned_data["number"].strip()
        clash = PartnerAgreement.objects.filter(partner=self.partner, number__iexact=number)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("This partner already has an agreement with this number.")
            )
        return number

    def clean(self):
        cleaned = super().clean()
        valid_from, valid_to = cleaned.get("valid_from"), cleaned.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", _("The end of validity cannot be before its start."))
        return cleaned
