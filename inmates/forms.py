from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from inmates.imports import check_size, read_file
from inmates.models import FollowUp, Inmate
from inmates.photos import sanitize_image
from inmates.services import UNDO_REASON_MAX_LENGTH
from programs.models import Enrollment, SkillCategory, TrainingSession, held_on


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class InmateForm(forms.ModelForm):
    """The minimum personal data the training needs (UU 27/2022): no NIK, no offence.

    The photo is not a model field of the form: `clean_photo` turns the upload into sanitized
    `(full, thumbnail)` files and the view stores them (see `InmateFormMixin.form_valid`).
    """

    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP. Location and other hidden data in the file are removed."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove the current photo"), required=False)

    class Meta:
        model = Inmate
        fields = [
            "registration_number",
            "full_name",
            "birth_date",
            "gender",
            "block",
            "room",
            "admission_date",
            "expected_release_date",
        ]
        widgets = {
            "birth_date": DateInput(),
            "admission_date": DateInput(),
            "expected_release_date": DateInput(),
        }

    def __init__(self, *args, facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.facility = facility
        if not self.instance.photo:
            del self.fields["remove_photo"]

    def clean_photo(self):
        upload = self.cleaned_data["photo"]
        return sanitize_image(upload) if upload else None

    def clean_registration_number(self):
        number = self.cleaned_data["registration_number"]
        # The database constraint needs the facility, which is not a form field, so the
        # form checks it itself. Case is ignored: "b.i-1/2025" is the same WBP as "B.I-1/2025".
        clashes = Inmate.objects.filter(facility=self.facility, registration_number__iexact=number)
        if self.instance.pk:
            clashes = clashes.exclude(pk=self.instance.pk)
        if clashes.exists():
            raise forms.ValidationError(
                _("This registration number is already used in this facility.")
            )
        return number

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if birth_date and birth_date >= timezone.localdate():
            raise forms.ValidationError(_("The date of birth must be in the past."))
        return birth_date

    def clean(self):
        cleaned = super().clean()
        admission, release = cleaned.get("admission_date"), cleaned.get("expected_release_date")
        if admission and release and release < admission:
            self.add_error(
                "expected_release_date",
                _("The expected release date cannot be before the admission date."),
            )
        return cleaned


class DepartureForm(forms.Form):
    """A release or a transfer of one inmate; `inmates.services.record_departure` applies it."""

    kind = forms.ChoiceField(
        label=_("Departure"),
        choices=[
            (Inmate.Status.RELEASED, _("Released")),
            (Inmate.Status.TRANSFERRED, _("Transferred")),
        ],
        initial=Inmate.Status.RELEASED,
        widget=forms.RadioSelect,
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    destination = forms.CharField(
        label=_("Transferred to"),
        required=False,
        max_length=Inmate._meta.get_field("transfer_destination").max_length,
        help_text=_("The receiving facility. Only for a transfer."),
    )
    # Optional: the person may not be there when the release is entered; the inmate's page then
    # says the answer is missing and staff record it later (inmates.views.outcomes).
    follow_up_consent = forms.TypedChoiceField(
        label=_("Agrees to follow-up after release"),
        required=False,
        choices=[("", _("Not asked yet")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
        help_text=_(
            "Whether the person agrees to be asked about work and training 3, 6 and 12 months "
            "after release. Only for a release."
        ),
    )

    def __init__(self, *args, inmate, **kwargs):
        super().__init__(*args, **kwargs)
        self.inmate = inmate
        self.fields["date"].initial = timezone.localdate

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        admission = self.inmate.admission_date
        if admission and date < admission:
            raise forms.ValidationError(_("The date cannot be before the admission date."))
        return date

    def clean(self):
        cleaned = super().clean()
        destination = cleaned.get("destination", "").strip()
        if cleaned.get("kind") == Inmate.Status.TRANSFERRED and not destination:
            self.add_error("destination", _("Enter the facility the inmate is transferred to."))
        return cleaned


class DepartureUndoForm(forms.Form):
    """Why a recorded release or transfer is undone; `inmates.services.undo_departure` does it."""

    reason = forms.CharField(
        label=_("Reason for undoing"),
        max_length=UNDO_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the wrong inmate was chosen. Kept in the inmate's history."),
        error_messages={"required": _("Give the reason for undoing the departure.")},
    )


class InmateFilterForm(forms.Form):
    """The inmate list's search and filters; invalid values are ignored, never an error page."""

    q = forms.CharField(label=_("Name or registration number"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Inmate.Status.choices],
    )
    block = forms.ChoiceField(label=_("Block"), required=False)
    # "Took part in training between": an attendance record in a held session of those days,
    # as the reports count participants; a report's link may narrow it to one partner's or
    # one skill category's programs.
    trained_from = forms.DateField(
        label=_("Took part in training from"),
        required=False,
        widget=DateInput(attrs={"class": "form-control"}),
    )
    trained_to = forms.DateField(
        label=_("Took part in training until"),
        required=False,
        widget=DateInput(attrs={"class": "form-control"}),
    )
    trained_partner = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    trained_skill = forms.ChoiceField(
        required=False, choices=[("", ""), *SkillCategory.choices], widget=forms.HiddenInput
    )

    def __init__(self, *args, blocks, facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["block"].choices = [("", _("All blocks"))] + [(b, b) for b in blocks]
        # The facility whose sessions the trained_* filters read: its inmates trained in its
        # own programs, and the sessions come through its programs' index rather than the
        # whole country's sessions of those days.
        self.facility = facility

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("trained_from"), cleaned.get("trained_to")
        if start and end and start > end:
            self.add_error("trained_to", _("The end date must not be before the start date."))
            del cleaned["trained_from"]
        return cleaned

    def filter(self, queryset):
        """Narrow `queryset` by the submitted search (adds no query of its own)."""
        # Only the valid fields reach cleaned_data: a stale block in a bookmarked URL is
        # dropped while the rest of the search still applies.
        self.is_valid()
        data = self.cleaned_data
        queryset = queryset.search(data.get("q"))
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("block"):
            queryset = queryset.filter(block=data["block"])
        trained = {
            "held_on__gte": data.get("trained_from"),
            "held_on__lte": data.get("trained_to"),
            "program__program_partners__partner": data.get("trained_partner"),
            "program__skill_category": data.get("trained_skill"),
        }
        trained = {key: value for key, value in trained.items() if value}
        if trained:
            sessions = TrainingSession.objects.alias(held_on=held_on()).filter(
                program__facility=self.facility, held_on__isnull=False, **trained
            )
            queryset = queryset.filter(
                pk__in=Enrollment.objects.filter(attendance_records__session__in=sessions).values(
                    "inmate"
                )
            )
        return queryset


class InmateImportForm(forms.Form):
    """Step 1 of an import: the uploaded register, read and checked by `inmates.imports`.

    Once valid, `parsed` holds its rows (a ParsedFile) and `content` its bytes, which the view
    keeps for the confirm step. A file refused whole is this field's error.
    """

    file = forms.FileField(
        label=_("Register file"),
        widget=forms.FileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "CSV (UTF-8) or Excel (XLSX), at most %(size)s and %(rows)s rows."
        ) % {
            "size": filesizeformat(settings.IMPORT_MAX_BYTES),
            "rows": formats.number_format(settings.IMPORT_MAX_ROWS, force_grouping=True),
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refused on the declared size before a byte is read into memory.
        check_size(upload.size)
        self.content = upload.read()
        self.parsed = read_file(self.content)
        return upload


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def yes_no_field(label, **kwargs):
    """A required yes / no question as two radio buttons, cleaned to True or False."""
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        **kwargs,
    )


class FollowUpConsentForm(forms.Form):
    """A released inmate's answer to follow-up; `inmates.outcomes.record_consent` keeps it."""

    consented = yes_no_field(
        _("Agrees to follow-up after release"),
        help_text=_("Asked about work and training 3, 6 and 12 months after release."),
        error_messages={"required": _("Record the answer: yes or no.")},
    )
    consented_on = forms.DateField(label=_("Answer given on"), widget=DateInput())

    def __init__(self, *args, inmate, **kwargs):
        super().__init__(*args, **kwargs)
        self.inmate = inmate
        self.fields["consented_on"].initial = timezone.localdate

    def clean_consented_on(self):
        return _check_after_release(self.cleaned_data["consented_on"], self.inmate)


def _check_after_release(date, inmate):
    if date > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    if date < inmate.departed_on:
        raise forms.ValidationError(_("The date cannot be before the release date."))
    return date


class FollowUpForm(forms.ModelForm):
    """One follow-up of a consenting released inmate; `inmates.outcomes.record_follow_up`
    saves it. The situation is required only when the person was reached."""

    reached = yes_no_field(_("Reached"), help_text=_("Whether anyone answered the call."))
    uses_skill = forms.TypedChoiceField(
        label=_("Uses the trained skill"),
        required=False,
        choices=[("", _("Not known")), *YES_NO],
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = FollowUp
        fields = [
            "contacted_on",
            "reached",
            "source",
            "status",
            "employer",
            "uses_skill",
            "income_band",
            "note",
        ]
        widgets = {
            "contacted_on": DateInput(),
            "source": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, inmate, **kwargs):
        super().__init__(*args, **kwargs)
        self.inmate = inmate
        self.fields["contacted_on"].initial = timezone.localdate
        # Radio buttons need no empty "---------" choice: the source is required.
        self.fields["source"].choices = FollowUp.Source.choices
        self.fields["status"].label = _("Situation")
        self.fields["status"].help_text = _("Only when the person was reached.")
        if self.instance.pk:
            # The radio buttons need the stored booleans as their "yes" / "no" choices.
            self.initial["reached"] = "yes" if self.instance.reached else "no"
            if self.instance.uses_skill is not None:
                self.initial["uses_skill"] = "yes" if self.instance.uses_skill else "no"

    def clean_contacted_on(self):
        return _check_after_release(self.cleaned_data["contacted_on"], self.inmate)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reached") is False:
            # Nobody answered: there is no situation to keep, whatever was filled in.
            cleaned.update(status="", employer="", uses_skill=None, income_band="")
        elif cleaned.get("reached") and not cleaned.get("status"):
            self.add_error("status", _("Choose the person's situation."))
        return cleaned
