"""The second factor at login (security review, #10): a code from an authenticator app (TOTP), or
one of ten one-time backup codes, after the password.

Required for the roles in settings.TWO_FACTOR_ROLES while settings.TWO_FACTOR_REQUIRED is on (the
demo turns it off); anyone else may opt in from their profile, and is then asked too. Until the
session is verified (django-otp's `request.user.is_verified()`), `TwoFactorMiddleware` sends every
page, the Django admin's included, to the verification step, or to enrolment for a user who must
have a second factor and has none yet.
"""

import base64
import datetime
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lapas_training import audit
from lapas_training.forms import TwoFactorCodeForm

# Whether the logged-in user had a confirmed device when they logged in (or enrolled since):
# kept in the session so that no page pays a query to ask again.
SESSION_ENROLLED_KEY = "two_factor_enrolled"
# The backup codes of a fresh enrolment, shown once by `backup_codes` and then forgotten.
SESSION_BACKUP_CODES_KEY = "two_factor_backup_codes"
BACKUP_CODE_COUNT = 10

# Pages an unverified session still reaches: the two steps, leaving, the language switch.
OPEN_URL_NAMES = {"two_factor_verify", "two_factor_enrol", "logout", "switch_language"}


def required_for(user):
    """Whether `user`'s role obliges a second factor now (read at request time, so a test or a
    restart with another TWO_FACTOR_REQUIRED applies at once). No query."""
    if not settings.TWO_FACTOR_REQUIRED:
        return False
    roles = settings.TWO_FACTOR_ROLES
    return (user.is_superuser and "superuser" in roles) or user.role in roles


def remember_enrolment(sender, request, user, **kwargs):
    """user_logged_in receiver: whether the user has a second factor, for the session (two
    queries, one per kind of device, at login only)."""
    request.session[SESSION_ENROLLED_KEY] = django_otp.user_has_device(user)


def pending_step(request):
    """The URL name of the step this request's user must pass first, or None."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return None
    if request.session.get(SESSION_ENROLLED_KEY):
        return "two_factor_verify"
    if required_for(user):
        return "two_factor_enrol"
    return None


class TwoFactorMiddleware:
    """Sends an authenticated but unverified session to its pending step, keeping where it was
    going. After django-otp's OTPMiddleware (it reads `is_verified`) and the idle timeout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match.url_name in OPEN_URL_NAMES:
            return None
        step = pending_step(request)
        if step is None:
            return None
        return HttpResponseRedirect(
            f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}"
        )


def context(request):
    """Template context: `two_factor_off` for the login page's demo notice,
    `two_factor_enrolled` for the profile page (from the session: no query)."""
    return {
        "two_factor_off": not settings.TWO_FACTOR_REQUIRED,
        "two_factor_enrolled": lambda: request.session.get(SESSION_ENROLLED_KEY, False),
    }


def next_url(request):
    """The `next` parameter when it stays on this site, else the dashboard."""
    url = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return reverse("dashboard")


@login_required
def verify(request):
    """The second step for an enrolled user: a code from the app, or a backup code.

    A wrong code counts against the device (django-otp's throttling: each failure doubles the
    wait before the next try) and is recorded in the audit log as a failed login.
    """
    user = request.user
    if user.is_verified():
        return redirect(next_url(request))
    if not django_otp.user_has_device(user):
        # Removed by an administrator (a lost phone) since this session began.
        request.session[SESSION_ENROLLED_KEY] = False
        return redirect(f"{reverse('two_factor_enrol')}?{urlencode({'next': next_url(request)})}")
    form = TwoFactorCodeForm(data=request.POST or None)
    if form.is_valid():
        # Devices locked for the check, as django-otp's own verify_token does: two tries of one
        # backup code at once must not both pass, nor two wrong codes escape the throttling.
        with transaction.atomic():
            devices = form.candidates(django_otp.devices_for_user(user, for_verify=True))
            wait = wait_message(devices)
            device = None if wait else form.matching_device(devices)
        if device is not None:
            django_otp.login(request, device)
            return redirect(next_url(request))
        if not wait:
            audit.record(
                request,
                kind=audit.Kind.LOGIN_FAILED,
                facility=user.facility_id,
                user=user,
                detail=_("Wrong verification code"),
            )
        form.add_error("code", wait or _("That code is not right. Try again."))
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": next_url(request)}
    )


def wait_message(devices):
    """When every device of `devices` refuses tries for now (after a wrong code, django-otp
    waits 1 s, then 2, 4, ...): how long, in words; else None."""
    waits = []
    if not devices:
        return None
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if allowed:
            return None
        waits.append(details.get("locked_until") or timezone.now())
    seconds = max(1, int((min(waits) - timezone.now()) / datetime.timedelta(seconds=1)) + 1)
    return _(
        "Too many wrong codes: wait %(seconds)d seconds, then type the code your app shows."
    ) % {"seconds": seconds}


@login_required
def enrol(request):
    """Adding an authenticator app: a QR code and the secret, confirmed by a first code; then
    the backup codes, once. The key of an unconfirmed device survives reloads, so that a phone
    that scanned it keeps working."""
    user = request.user
    if django_otp.user_has_device(user):
        if user.is_verified():
            messages.info(request, _("Two-step verification is already on for your account."))
            return redirect("profile")
        # Never a second device before the first one's code: that would bypass it.
        request.session[SESSION_ENROLLED_KEY] = True
        return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': next_url(request)})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    form = TwoFactorCodeForm(data=request.POST or None)
    form.fields["code"].help_text = _("The 6 digits the app shows once it has the key.")
    if form.is_valid():
        wait = wait_message([device])
        if not wait and form.matching_device([device]) is not None:
            codes = confirm(request, device)
            request.session[SESSION_BACKUP_CODES_KEY] = codes
            return redirect(
                f"{reverse('two_factor_backup_codes')}?{urlencode({'next': next_url(request)})}"
            )
        form.add_error("code", wait or _("That code is not right. Scan again and retry."))
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": next_url(request),
        "qr_code": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
        # In groups of four, as apps show a key to type in.
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "required": required_for(user),
    }
    return render(request, "registration/two_factor_enrol.html", context)


def confirm(request, device):
    """Confirm `device`, give the user fresh backup codes, verify the session, and record the
    enrolment. Returns the backup codes."""
    user = request.user
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    backup, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": _("Backup codes")}
    )
    backup.token_set.all().delete()
    codes = [StaticToken.random_token() for _index in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    django_otp.login(request, device)
    request.session[SESSION_ENROLLED_KEY] = True
    audit.record(request, kind=audit.Kind.TWO_FACTOR_ENROLLED, facility=user.facility_id, user=user)
    return codes


@login_required
def backup_codes(request):
    """The backup codes of the enrolment that just happened, once: a reload shows none."""
    codes = request.session.pop(SESSION_BACKUP_CODES_KEY, None)
    if not codes:
        return redirect(next_url(request))
    return render(
        request,
        "registration/two_factor_backup_codes.html",
        {"codes": codes, "next": next_url(request)},
    )
