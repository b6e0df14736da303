"""The facility's settings page (Pengaturan UPT): its letterhead, head and certificate numbers.

Admins edit their own facility only (a superuser the facility selected in the navigation bar):
the page takes no id, so there is no other facility to reach. What is set here prints on every
document the facility issues from then on; certificates already issued keep their snapshot.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.generic import UpdateView

from inmates.photos import LOGO_SIZE, photo_response, sanitize_logo
from lapas_training.access import ADMIN_ONLY, RoleRequiredMixin, role_required
from lapas_training.models import Facility


class FacilitySettingsForm(forms.ModelForm):
    """The facility's letterhead, head and numbering.

    As on the partner form, the logo is not a model field here: `clean_logo` turns the upload
    into one sanitised PNG (`inmates.photos.sanitize_logo`) and the view stores it, so a refused
    upload writes nothing to disk.
    """

    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_logo = forms.BooleanField(
        label=_("Remove the logo (documents then use the default emblem)"), required=False
    )

    # Shown in these groups, in this order (templates/lapas_training/facility_settings.html).
    letterhead_fields = [
        "letterhead_ministry",
        "letterhead_region",
        "name",
        "letterhead_name",
        "address",
        "city",
        "phone",
        "email",
        "logo",
        "remove_logo",
    ]
    head_fields = ["head_name", "head_nip"]
    numbering_fields = ["unit_code", "certificate_number_pattern"]

    class Meta:
        model = Facility
        fields = [
            "letterhead_ministry",
            "letterhead_region",
            "name",
            "letterhead_name",
            "address",
            "city",
            "phone",
            "email",
            "head_name",
            "head_nip",
            "unit_code",
            "certificate_number_pattern",
        ]
        labels = {"name": _("Short name"), "head_name": _("Name of the head (Kalapas)")}
        help_texts = {
            "name": _(
                "Used in the application and in the head's title, e.g. Kepala Lapas Narkotika "
                "Kelas IIA Kasongan."
            ),
            "head_nip": _("18 digits, printed under the head's signature."),
        }
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set per request: a lazy string interpolated at import time would freeze its language.
        self.fields["logo"].help_text = gettext(
            "Printed on the letterhead and on certificates. JPEG, PNG or WebP (not SVG); it is "
            "stored as a PNG of at most %(size)s px, transparent parts become white."
        ) % {"size": LOGO_SIZE}
        if not self.instance.logo:
            del self.fields["remove_logo"]
            self.letterhead_fields = [f for f in self.letterhead_fields if f != "remove_logo"]

    def clean_logo(self):
        upload = self.cleaned_data["logo"]
        return sanitize_logo(upload) if upload else None

    def groups(self):
        """(legend, bound fields) per fieldset of the page."""
        return [
            (_("Letterhead (kop surat)"), [self[name] for name in self.letterhead_fields]),
            (_("Head of the facility"), [self[name] for name in self.head_fields]),
            (_("Certificate numbers"), [self[name] for name in self.numbering_fields]),
        ]


class FacilitySettingsView(RoleRequiredMixin, UpdateView):
    """Queries: the user, the facility (scope), the facility to edit; a POST adds the unique
    checks (name, unit code) and the save."""

    roles = ADMIN_ONLY
    form_class = FacilitySettingsForm
    template_name = "lapas_training/facility_settings.html"
    context_object_name = "facility"
    success_url = reverse_lazy("facility_settings")

    def get_object(self, queryset=None):
        # A copy, not the scope's: a refused form changes its instance, and the navigation bar
        # must go on showing the saved name.
        return Facility.objects.get(pk=self.request.scope.facility.pk)

    def form_valid(self, form):
        facility = form.instance
        old_logo = facility.logo.name
        if logo := form.cleaned_data["logo"]:
            facility.logo.save(logo.name, logo, save=False)
        elif form.cleaned_data.get("remove_logo"):
            facility.logo = ""
        form.save()
        # Only once the row points at the new file: a failed save keeps the old logo whole.
        if old_logo and old_logo != facility.logo.name:
            facility.logo.storage.delete(old_logo)
        messages.success(self.request, gettext("The facility's settings were saved."))
        return redirect(self.success_url)


@require_safe
@role_required(ADMIN_ONLY)
def facility_logo(request):
    """The active facility's uploaded logo, for its settings page; 404 when it has none."""
    response = photo_response(request.scope.facility.logo)
    # `sanitize_logo` stores PNGs; the address stays when the logo is replaced, so no caching.
    response["Content-Type"] = "image/png"
    response["Cache-Control"] = "private, no-cache"
    return response
