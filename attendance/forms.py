from django import forms
from django.utils.translation import gettext_lazy as _

from attendance.models import CUSTODY_STATUSES, AttendanceStatus
from attendance.services import (
    MAX_MINUTES_LATE,
    MAX_REASON_LENGTH,
    NOTE_MAX_LENGTH,
    REASON_REQUIRED,
    Mark,
)

# The button colour of each everyday status; custody reasons share a neutral one.
STATUS_BUTTONS = {
    AttendanceStatus.PRESENT: "btn-outline-success",
    AttendanceStatus.LATE: "btn-outline-warning",
    AttendanceStatus.EXCUSED: "btn-outline-primary",
    AttendanceStatus.SICK: "btn-outline-info",
    AttendanceStatus.ABSENT: "btn-outline-danger",
}
CUSTODY_BUTTON = "btn-outline-secondary"


class MarkForm(forms.Form):
    """One participant's row of the marking page; a row left without a status is not saved."""

    enrollment = forms.IntegerField(label=_("Participant"), widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=AttendanceStatus.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    minutes_late = forms.IntegerField(
        label=_("Minutes late"),
        required=False,
        min_value=0,
        max_value=MAX_MINUTES_LATE,
        widget=forms.NumberInput(
            attrs={"class": "form-control", "inputmode": "numeric", "data-minutes-late": ""}
        ),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def clean(self):
        cleaned = super().clean()
        late = cleaned.get("status") == AttendanceStatus.LATE
        if cleaned.get("minutes_late") is not None and not late:
            self.add_error("minutes_late", _("Minutes late can only be given with T (Terlambat)."))
        return cleaned

    def status_buttons(self):
        """(radio, css class, is custody reason) for each status, in the order they are shown."""
        return [
            (radio, STATUS_BUTTONS.get(radio.data["value"], CUSTODY_BUTTON), custody)
            for radio in self["status"]
            for custody in [radio.data["value"] in CUSTODY_STATUSES]
        ]

    def everyday_buttons(self):
        return [button for button in self.status_buttons() if not button[2]]

    def custody_buttons(self):
        return [button for button in self.status_buttons() if button[2]]

    def custody_chosen(self):
        """Whether the row's current status is a custody reason (its group then starts open)."""
        return self["status"].value() in CUSTODY_STATUSES

    def mark(self, all_present=False):
        """This row as a Mark, or None when it has no status (H when `all_present`)."""
        status = self.cleaned_data["status"] or (AttendanceStatus.PRESENT if all_present else "")
        if not status:
            return None
        return Mark(
            enrollment_id=self.cleaned_data["enrollment"],
            status=status,
            minutes_late=self.cleaned_data["minutes_late"],
            note=self.cleaned_data["note"],
        )


class BaseMarkFormSet(forms.BaseFormSet):
    def marks(self, all_present=False):
        """The marks of every row that has a status (or every row with `all_present`)."""
        marks = (form.mark(all_present) for form in self.forms)
        return [mark for mark in marks if mark is not None]


MarkFormSet = forms.formset_factory(MarkForm, formset=BaseMarkFormSet, extra=0)


class CorrectionForm(forms.Form):
    """The reason staff give when they change attendance after it was locked."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=MAX_REASON_LENGTH,
        help_text=_("Required once the attendance is locked; kept in the history."),
        error_messages={"required": REASON_REQUIRED},
    )
