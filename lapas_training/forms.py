from django import forms
from django.conf import settings
from django.contrib.auth.forms import BaseUserCreationForm
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from lapas_training.models import Facility, Role, User
from programs.models import Partner

# The roles a facility administrator may give: a regional office account reads a whole region,
# so only a superuser creates one (in the Django admin).
FACILITY_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value != Role.REGIONAL]


class RoleFieldsMixin:
    """Role and partner must agree: a trainer teaches for one of this facility's partners."""

    def setup_role_fields(self, facility):
        self.fields["partner"].queryset = Partner.objects.filter(facility=facility)
        self.fields["partner"].required = False
        self.fields["role"].choices = FACILITY_ROLE_CHOICES

    def clean(self):
        cleaned = super().clean()
        role, partner = cleaned.get("role"), cleaned.get("partner")
        if role == Role.TRAINER and partner is None:
            self.add_error("partner", _("A trainer must belong to a partner."))
        if role and role != Role.TRAINER and partner is not None:
            self.add_error(
                "partner",
                _("Only a trainer account belongs to a partner; leave the partner empty."),
            )
        return cleaned


class UserCreateForm(RoleFieldsMixin, BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "partner", "language"]

    def __init__(self, *args, facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_role_fields(facility)
        # The password validators compare the new password with the facility's name too.
        self.instance.facility = facility


class UserUpdateForm(RoleFieldsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "role", "partner", "language", "is_active"]
        labels = {"is_active": _("Active (may log in)")}

    def __init__(self, *args, facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_role_fields(facility)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A person picks one of the two languages; an unset one reads as the language they see.
        language = self.fields["language"]
        language.choices = User._meta.get_field("language").choices
        language.required = True
        self.initial["language"] = self.instance.language or settings.LANGUAGE_CODE


class TwoFactorCodeForm(forms.Form):
    """A code of the second step: six digits from the authenticator app, or a backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
        help_text=_("The 6 digits your authenticator app shows now, or one of your backup codes."),
    )

    def clean_code(self):
        # As people copy them: with spaces, in capitals.
        return "".join(self.cleaned_data["code"].split()).lower()

    def matching_device(self, devices):
        """The device of `devices` that accepts the code, or None. Six digits are tried on
        the authenticator apps only and anything else on the backup codes only, so that using
        a backup code does not count as a wrong code against the app (django-otp throttles
        each device by its failures). A backup code is used up by its success."""
        for device in self.candidates(devices):
            if device.verify_token(self.cleaned_data["code"]):
                return device
        return None

    def candidates(self, devices):
        """The devices `matching_device` tries for this code."""
        code = self.cleaned_data["code"]
        app_code = len(code) == 6 and code.isdigit()
        return [device for device in devices if isinstance(device, TOTPDevice) == app_code]


class FacilitySearchForm(forms.Form):
    """The facility picker's search: a superuser finds one of hundreds of facilities by any
    word an officer would know it by. An invalid search (too long, a NUL) filters nothing and
    says why, never an error page."""

    q = forms.CharField(
        label=_("Name, unit code, city or region"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def filter(self, facilities):
        """`facilities` narrowed to those whose name, unit code, city or region contain the
        search; no query of its own."""
        text = self.cleaned_data.get("q", "").strip() if self.is_valid() else ""
        if not text:
            return facilities
        return facilities.filter(
            Q(name__icontains=text)
            | Q(unit_code__icontains=text)
            | Q(city__icontains=text)
            | Q(region__name__icontains=text)
        )


class FacilityChoiceForm(forms.Form):
    """The facility a superuser switches to, as the picker's buttons post it."""

    facility = forms.ModelChoiceField(queryset=Facility.objects.all())
