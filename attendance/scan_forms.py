"""Uploading the scan of a signed daftar hadir: an image or a PDF, checked while validating by
`lapas_training.scans.checked_scan` (sales receipts go through the same checks).

`clean_file` returns `(ContentFile with a random name, content type)` and the view stores it, so
a refused upload writes nothing to disk.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from lapas_training.scans import SCAN_ACCEPT, checked_scan


class SheetScanForm(forms.Form):
    file = forms.FileField(
        label=_("Scan of the signed sheet"),
        help_text=_("A photo (JPEG, PNG or WebP) or a PDF of the signed attendance sheet."),
        widget=forms.FileInput(attrs={"accept": SCAN_ACCEPT}),
    )

    def clean_file(self):
        return checked_scan(self.cleaned_data["file"])
