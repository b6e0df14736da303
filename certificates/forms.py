from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from certificates.models import BulkPrint

REASON_MAX_LENGTH = 500
HOLDER_NAME_MAX_LENGTH = 200


class IssueForm(forms.Form):
    """The completion page's choice: every eligible participant, or the ticked ones.

    Choices are all of the program's enrolments; eligibility is checked by the issuing service,
    which names who is not eligible and why.
    """

    enrollments = forms.TypedMultipleChoiceField(
        label=_("Participants"), coerce=int, required=False
    )
    issue_all = forms.BooleanField(label=_("Issue to all eligible"), required=False)

    def __init__(self, *args, enrollment_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollments"].choices = [(pk, pk) for pk in enrollment_ids]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("issue_all") and not cleaned.get("enrollments"):
            raise forms.ValidationError(_("Choose at least one eligible participant."))
        return cleaned


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
