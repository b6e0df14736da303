import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certificates.models import BulkPrint, Certificate, CompetencyUnit
from certificates.services import check_issue_date
from programs.models import Enrollment

REASON_MAX_LENGTH = 500
HOLDER_NAME_MAX_LENGTH = 200


class IssueForm(forms.Form):
    """The completion page's choice: everyone who completed, or the ticked ones; then, on the
    confirmation page, the date of issue.

    Choices are all of the program's enrolments; eligibility is checked by the issuing service,
    which names who is not eligible and why.
    """

    enrollments = forms.TypedMultipleChoiceField(
        label=_("Participants"), coerce=int, required=False
    )
    issue_all = forms.BooleanField(label=_("Issue to all eligible"), required=False)
    issued_on = forms.DateField(
        label=_("Date of issue"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Printed on the certificates: from the program's end up to today."),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, enrollment_ids=(), program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["enrollments"].choices = [(pk, pk) for pk in enrollment_ids]
        # Certificates are usually dated the day the program ended, as the paper ones were.
        self.fields["issued_on"].initial = min(program.end_date, timezone.localdate())

    def clean_issued_on(self):
        issued_on = self.cleaned_data["issued_on"] or self.fields["issued_on"].initial
        try:
            check_issue_date(self.program, issued_on)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return issued_on

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("issue_all") and not cleaned.get("enrollments"):
            raise forms.ValidationError(_("Choose at least one eligible participant."))
        return cleaned


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with your name; for example, a result entered wrongly."),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReissueForm(RevokeForm):
    holder_name = forms.CharField(
        label=_("Corrected name"),
        max_length=HOLDER_NAME_MAX_LENGTH,
        required=False,
        help_text=_("Leave empty to keep the name as printed."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Reason for reissuing")


class BulkPrintForm(forms.Form):
    """ "Cetak semua": one PDF or a ZIP of one PDF per holder, in Indonesian or English."""

    format = forms.ChoiceField(
        label=_("File"),
        choices=BulkPrint.Format.choices,
        initial=BulkPrint.Format.PDF,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )


class CertificateFilterForm(forms.Form):
    """The certificate list's search and filters; an invalid value shows its error and is ignored."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")

    q = forms.CharField(label=_("Name or number"), required=False, max_length=100)
    program = forms.ModelChoiceField(
        label=_("Program"), required=False, queryset=None, empty_label=_("All programs")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Status.choices]
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Certificate.Kind.choices]
    )
    # The reports link the certificates dated (as printed) in a period.
    issued_from = forms.DateField(
        label=_("Dated from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    issued_to = forms.DateField(
        label=_("Dated until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, programs, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["year"].choices = [("", _("All years")), *((year, year) for year in years)]

    def filter(self, queryset):
        """Narrow `queryset` by the valid part of the search (a chosen program costs a query)."""
        # Only valid fields reach cleaned_data: "?year=abc" is dropped, the rest still applies.
        self.is_valid()
        data = self.cleaned_data
        if text := (data.get("q") or "").strip():
            queryset = queryset.filter(
                Q(number__icontains=text)
                | Q(snapshot__holder_name__icontains=text)
                # The register's spelling finds a certificate printed with a corrected name.
                | Q(enrollment__inmate__full_name__icontains=text)
            )
        if data.get("program"):
            queryset = queryset.filter(enrollment__program=data["program"])
        if data.get("status") == self.Status.VALID:
            queryset = queryset.filter(revoked_at__isnull=True)
        elif data.get("status") == self.Status.REVOKED:
            queryset = queryset.filter(revoked_at__isnull=False)
        if data.get("year"):
            queryset = queryset.filter(year=data["year"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("issued_from") or data.get("issued_to"):
            # The printed date of issue. ISO dates compare as text; a range, since a JSON key's
            # lte/gte would read the bound as JSON.
            start = data.get("issued_from") or datetime.date.min
            end = data.get("issued_to") or datetime.date.max
            queryset = queryset.alias(issued_on=KT("snapshot__issued_on")).filter(
                issued_on__range=(start.isoformat(), end.isoformat())
            )
        return queryset


class CompetencyUnitForm(forms.ModelForm):
    """A competency unit of the program; the code is unique within the program."""

    class Meta:
        model = CompetencyUnit
        fields = ["code", "title", "standard"]

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.program = program

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        others = CompetencyUnit.objects.filter(program=self.instance.program, code__iexact=code)
        if others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This program already has a unit with this code."))
        return code


class CompetencyAssessmentForm(forms.Form):
    """An LSP's assessment of one participant: who assessed, the certificate, and a result per
    unit of the program (a unit left unmarked was not assessed this time).

    The service (certificates.competency.record_assessment) checks the rules across fields.
    """

    assessed_on = forms.DateField(
        label=_("Date of assessment"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    lsp_name = forms.CharField(label=_("Certification body (LSP)"), max_length=200)
    assessor_name = forms.CharField(label=_("Assessor"), max_length=200)
    assessor_registration = forms.CharField(
        label=_("Assessor registration number"),
        max_length=60,
        help_text=_("The assessor's BNSP registration (MET) number."),
    )
    certificate_number = forms.CharField(
        label=_("Competency certificate number"),
        max_length=100,
        required=False,
        help_text=_("Given by the LSP to those judged competent."),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    HEADER_FIELDS = (
        "assessed_on",
        "lsp_name",
        "assessor_name",
        "assessor_registration",
        "certificate_number",
        "valid_until",
    )

    def __init__(self, *args, units, correcting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        # A radio cannot be unticked: correcting a result entered for a unit that was not
        # assessed needs a choice of its own.
        choices = [*Enrollment.Result.choices, *([("", _("Not assessed"))] if correcting else [])]
        for unit in self.units:
            self.fields[self.unit_field(unit)] = forms.ChoiceField(
                label=f"{unit.code} {unit.title}",
                choices=choices,
                initial="" if correcting else None,
                required=False,
                widget=forms.RadioSelect,
            )

    @staticmethod
    def unit_field(unit):
        return f"unit_{unit.pk}"

    @classmethod
    def initial_for(cls, assessment):
        """The form's initial values: `assessment` as recorded, to correct it."""
        initial = {name: getattr(assessment, name) for name in cls.HEADER_FIELDS}
        for result in assessment.results.all():
            initial[f"unit_{result.unit_id}"] = result.result
        return initial

    def unit_rows(self):
        """(unit, bound field) per unit, for the table of units with their two choices."""
        return [(unit, self[self.unit_field(unit)]) for unit in self.units]

    def results(self):
        """{unit: result} of the units marked; call after is_valid()."""
        return {
            unit: self.cleaned_data[self.unit_field(unit)]
            for unit in self.units
            if self.cleaned_data.get(self.unit_field(unit))
        }

    def clean_valid_until(self):
        valid_until = self.cleaned_data["valid_until"]
        assessed_on = self.cleaned_data.get("assessed_on")
        if valid_until and assessed_on and valid_until <= assessed_on:
            raise forms.ValidationError(
                _("The certificate must be valid until a date after the assessment.")
            )
        return valid_until
