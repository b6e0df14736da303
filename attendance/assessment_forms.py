"""The assessment grid: one small form per participant, saved together by the assessment view."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import Enrollment

# The order of the grid's columns, and the Enrollment fields a save writes.
ASSESSMENT_FIELDS = [
    "pre_test_score",
    "post_test_score",
    "practical_score",
    "assessment_result",
    "assessment_note",
]
SCORE_FIELDS = ASSESSMENT_FIELDS[:3]


class ScoreField(forms.DecimalField):
    """A score from 0 to 100 with up to two decimals, typed with a point or, as Indonesians
    write it, a comma ("85,5").

    Django's own `localize=True` would not do: in Indonesian it reads "." as a thousands
    separator, so "85.5" would become 855. Only the widget is localized, so a saved score is
    shown with the separator of the user's language.
    """

    # A text input, not type="number": a number input refuses the comma on many tablets.
    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(
            max_digits=5,
            decimal_places=2,
            min_value=Decimal(0),
            max_value=Decimal(100),
            required=False,
            **kwargs,
        )
        self.widget.is_localized = True

    def to_python(self, value):
        if isinstance(value, str) and "," in value and "." not in value:
            value = value.replace(",", ".")
        return super().to_python(value)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}


class NoteField(forms.CharField):
    """Browsers send a textarea's line breaks as CRLF; store (and count) them as one character,
    so an unchanged note compares equal to the saved one."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


class AssessmentRowForm(forms.Form):
    """One participant's scores, result and note. A plain form, not a ModelForm: a ModelForm
    validates the model's check constraints with one query each, per row."""

    pre_test_score = ScoreField(label=_("Pre-test score"))
    post_test_score = ScoreField(label=_("Post-test score"))
    practical_score = ScoreField(label=_("Practical score"))
    assessment_result = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[("", "—"), *Enrollment.Result.choices],
    )
    assessment_note = NoteField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 1})
    )

    def __init__(self, *args, enrollment, **kwargs):
        initial = {name: getattr(enrollment, name) for name in ASSESSMENT_FIELDS}
        super().__init__(*args, initial=initial, prefix=f"e{enrollment.pk}", **kwargs)
        self.enrollment = enrollment
        for name, field in self.fields.items():
            css = "form-select" if name == "assessment_result" else "form-control"
            field.widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        # Tie each error to its input, for the eye (red border) and for screen readers.
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] += " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    def changed_values(self):
        """The cleaned values that differ from the enrolment's (valid forms only)."""
        return {
            name: self.cleaned_data[name]
            for name in ASSESSMENT_FIELDS
            if self.cleaned_data[name] != getattr(self.enrollment, name)
        }
