from django import forms
from django.template.loader import render_to_string
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
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


def status_choices():
    """Every attendance status, as MarkForm's status choices."""
    return AttendanceStatus.choices


class MarkForm(forms.Form):
    """One participant's row of the marking page; a row left without a status is not saved."""

    enrollment = forms.IntegerField(label=_("Participant"), widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"),
        # A function, not the list: each of a POST's 40 forms deep-copies its fields, and
        # copying the 11 choices (lazy labels and all) for each was a third of the save's time.
        choices=status_choices,
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


class StatusButtons:
    """The status radios of the marking page's rows, each variant rendered once per page.

    Every row shows the same 11 buttons; only the row's prefix (in the names and ids), the
    checked one and the invalid mark differ. So the group is rendered from its template once
    per (status, invalid) seen on the page, with the formset's "__prefix__" placeholder
    where the row's prefix goes, and each row puts its own prefix in: 40 rows cost a handful
    of small renders instead of 440 radios' worth of template work.
    """

    PLACEHOLDER = "__prefix__"

    def __init__(self):
        # In the request's language; dicts, since the template's lookups try a key first.
        self.options = [
            {
                "value": value,
                "label": str(label),
                "button": STATUS_BUTTONS.get(value, CUSTODY_BUTTON),
                "custody": value in CUSTODY_STATUSES,
            }
            for value, label in AttendanceStatus.choices
        ]
        self.rendered = {}

    def html(self, prefix, status, invalid):
        """The row's radios (everyday ones, then the custody reasons in their <details>)."""
        key = (status, invalid)
        if key not in self.rendered:
            choices = [
                {
                    **option,
                    "id": f"id_{self.PLACEHOLDER}-status_{index}",
                    "checked": option["value"] == status,
                }
                for index, option in enumerate(self.options)
            ]
            self.rendered[key] = render_to_string(
                "attendance/_mark_choices.html",
                {
                    "name": f"{self.PLACEHOLDER}-status",
                    "everyday": [choice for choice in choices if not choice["custody"]],
                    "custody": [choice for choice in choices if choice["custody"]],
                    # The custody group starts open when one of its reasons is the status.
                    "custody_chosen": status in CUSTODY_STATUSES,
                    "invalid": invalid,
                },
            ).strip()
        # The prefix is the formset's own ("form-3"), never what a user typed.
        return mark_safe(self.rendered[key].replace(self.PLACEHOLDER, prefix))


def _shown(value):
    """An input's value attribute as Django's widgets write it (None: the input has no value)."""
    return None if value is None or value == "" else str(value)


class MarkRow:
    """One participant's row of the marking page, with its inputs written out.

    Rendering the 11 radios, the two inputs and the hidden field of 40 rows through Django's
    widget templates (~560 template renders) took most of the page's time, and so did
    building 40 forms only to read their values back; writing the inputs through the row
    template's variables and tags still cost more than the rest of the page. So the inputs are
    written here, with the names, ids and aria attributes MarkForm's widgets would give them
    (tests/attendance/test_marking.py compares the two), and the template places them.

    `values` holds the row's enrollment, status, minutes_late and note as the inputs show them;
    `form` is the bound MarkForm after a refused POST, whose errors the row then shows, each
    field's in an element whose id the field's aria-describedby names (`error_lists`).
    """

    FIELDS = MarkForm.base_fields
    # Each input's type and its attributes after the value, as MarkForm's widgets write them.
    MINUTES_ATTRS = (
        "number",
        format_html(
            ' class="form-control" inputmode="numeric" data-minutes-late="" min="{}" max="{}"',
            FIELDS["minutes_late"].min_value,
            FIELDS["minutes_late"].max_value,
        ),
    )
    NOTE_ATTRS = (
        "text",
        format_html(' class="form-control" maxlength="{}"', FIELDS["note"].max_length),
    )
    HIDDEN_ATTRS = ("hidden", "")

    def __init__(self, prefix, enrollment, values, buttons, form=None):
        self.form = form
        self.enrollment = enrollment
        self.errors = form.errors if form is not None else {}
        self.status = _shown(values["status"]) or ""
        self.buttons = buttons.html(prefix, self.status, "status" in self.errors)
        self.minutes_id, self.note_id = f"id_{prefix}-minutes_late", f"id_{prefix}-note"
        self.minutes_input = self._input(prefix, "minutes_late", values, self.MINUTES_ATTRS)
        self.note_input = self._input(prefix, "note", values, self.NOTE_ATTRS)
        self.enrollment_input = self._input(prefix, "enrollment", values, self.HIDDEN_ATTRS)

    @classmethod
    def sent(cls, form, enrollment, buttons):
        """The row of a refused POST: what was sent, with the form's errors."""
        values = {name: form[name].value() for name in cls.FIELDS}
        return cls(form.prefix, enrollment, values, buttons, form=form)

    def _input(self, prefix, field, values, attrs):
        """The <input> of `field`, its value in place and, as Django's widgets do, an input
        with an error marked invalid and described by its error list. Plain f-strings rather
        than format_html: only the value comes from a user, and it is escaped."""
        kind, attrs = attrs
        html_id = f"id_{prefix}-{field}"
        value = _shown(values[field])
        value = "" if value is None else f' value="{escape(value)}"'
        state = ""
        if field in self.errors and field != "enrollment":
            state = f' aria-invalid="true" aria-describedby="{html_id}_error"'
        # The prefix is the formset's own ("form-3"), never what a user typed.
        return mark_safe(
            f'<input type="{kind}" name="{prefix}-{field}"{value}{attrs}{state} id="{html_id}">'
        )

    def error_lists(self):
        """[(id, [error text, …])] of the fields with errors, then (None, the row's own)."""
        if self.form is None:
            return []
        lists = [
            (f"{field.auto_id}_error", [f"{field.label}: {error}" for error in field.errors])
            for field in self.form
            if field.errors
        ]
        if self.form.non_field_errors():
            lists.append((None, list(self.form.non_field_errors())))
        return lists


class CorrectionForm(forms.Form):
    """The reason staff give when they change attendance after it was locked."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=MAX_REASON_LENGTH,
        help_text=_("Required once the attendance is locked; kept in the history."),
        error_messages={"required": REASON_REQUIRED},
    )
