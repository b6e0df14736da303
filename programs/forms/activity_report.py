"""The editable texts of a program's activity report (laporan kegiatan).

A blank text prints a default written from the program's data
(lapas_training.reports.activity.default_texts); the form shows each default as the field's
placeholder, so the officer sees what will print and writes only what should differ.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import ActivityReport

LEAVE_BLANK = _("Leave blank to print the text shown in grey, written from the program's data.")


class ActivityReportForm(forms.ModelForm):
    class Meta:
        model = ActivityReport
        fields = ["background", "purpose", "legal_basis", "conclusions", "suggestions"]
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in fields}

    def __init__(self, *args, defaults, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["placeholder"] = defaults[name]
            field.help_text = f"{field.help_text} {LEAVE_BLANK}" if field.help_text else LEAVE_BLANK
