"""The second factor at login: required for admins and superusers, open to others, off in the demo."""

import pytest
from django.urls import reverse
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lapas_training.models import AuditEvent
from tests.factories import PASSWORD
from tests.helpers import log_in, page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _second_factor_required(settings):
    # tests/conftest.py turns the requirement off for the rest of the suite.
    settings.TWO_FACTOR_REQUIRED = True
    settings.TWO_FACTOR_ROLES = ["admin", "superuser"]


def enrol_device(user):
    """A confirmed authenticator app and backup codes for `user`, as after enrolment."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    backup = StaticDevice.objects.create(user=user, name="backup")
    backup.token_set.create(token="abcd2345")
    return device


def code_of(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def assert_sent_to(response, url_name, next_url="/"):
    assert response.status_code == 302
    assert response.url == f"{reverse(url_name)}?next={next_url.replace('/', '%2F')}"


def test_two_factor_password_alone_gives_no_working_session(client, admin_user):
    enrol_device(admin_user)
    assert log_in(client, "admin", PASSWORD)

    assert_sent_to(client.get(reverse("dashboard")), "two_factor_verify")
    assert_sent_to(client.get(reverse("programs:program_list")), "two_factor_verify", "/programs/")


def test_two_factor_right_code_lets_the_admin_in(client, admin_user):
    device = enrol_device(admin_user)
    log_in(client, "admin", PASSWORD)

    response = client.post(reverse("two_factor_verify"), {"code": code_of(device), "next": "/"})

    assert response.status_code == 302 and response.url == "/"
    assert client.get(reverse("dashboard")).status_code == 200


def test_two_factor_wrong_code_refused_in_indonesian_and_throttled(client, admin_user, settings):
    settings.LANGUAGE_CODE = "id"
    device = enrol_device(admin_user)
    log_in(client, "admin", PASSWORD)
    right = code_of(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = client.post(reverse("two_factor_verify"), {"code": wrong})

    assert response.status_code == 200
    with translation.override("id"):
        assert "Kode itu tidak benar" in page(response)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN_FAILED)
    assert event.user == admin_user
    # Right away the right code too waits for the throttle: tries cannot be hammered.
    response = client.post(reverse("two_factor_verify"), {"code": right})
    assert "tunggu" in page(response)
    assert_sent_to(client.get(reverse("dashboard")), "two_factor_verify")


def test_two_factor_empty_code_refused(client, admin_user):
    enrol_device(admin_user)
    log_in(client, "admin", PASSWORD)

    response = client.post(reverse("two_factor_verify"), {"code": "  "})

    assert "This field is required." in page(response)
    assert_sent_to(client.get(reverse("dashboard")), "two_factor_verify")


def test_two_factor_backup_code_works_once(client, admin_user):
    device = enrol_device(admin_user)
    log_in(client, "admin", PASSWORD)

    response = client.post(reverse("two_factor_verify"), {"code": "ABCD 2345"})

    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    assert not StaticToken.objects.exists()
    # Using a backup code is no failure against the phone's app.
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    log_in(client, "admin", PASSWORD)
    response = client.post(reverse("two_factor_verify"), {"code": "abcd2345"})
    assert "That code is not right." in page(response)
    assert_sent_to(client.get(reverse("dashboard")), "two_factor_verify")


def test_two_factor_enrolment_end_to_end(client, admin_user):
    assert log_in(client, "admin", PASSWORD)
    assert_sent_to(client.get(reverse("dashboard")), "two_factor_enrol")

    response = client.get(reverse("two_factor_enrol") + "?next=/")
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    html = page(response)
    assert 'src="data:image/svg+xml' in html
    secret = response.context["secret"]
    assert secret in html and secret.replace(" ", "") in device.config_url
    # A reload shows the same key: the phone that scanned it keeps working.
    assert client.get(reverse("two_factor_enrol")).context["secret"] == secret

    response = client.post(reverse("two_factor_enrol"), {"code": "000000x", "next": "/"})
    assert "That code is not right. Scan again and retry." in page(response)
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(reverse("two_factor_enrol"), {"code": code_of(device), "next": "/"})
    assert response.status_code == 302
    response = client.get(response.url)

    codes = response.context["codes"]
    assert len(codes) == 10 and all(code in page(response) for code in codes)
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=admin_user).values_list("token", flat=True)
    )
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("dashboard")).status_code == 200
    # Shown once only.
    assert client.get(reverse("two_factor_backup_codes")).status_code == 302
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TWO_FACTOR_ENROLLED)
    assert (event.user, event.facility) == (admin_user, admin_user.facility)
    # The next login asks for a code, not for a new enrolment.
    log_in(client, "admin", PASSWORD)
    assert_sent_to(client.get(reverse("dashboard")), "two_factor_verify")
    assert_sent_to(client.get(reverse("two_factor_enrol")), "two_factor_verify")


def test_two_factor_staff_not_required_but_may_opt_in(client, staff_user):
    assert log_in(client, "staff", PASSWORD)
    assert client.get(reverse("dashboard")).status_code == 200
    profile = client.get(reverse("profile"))
    assert "Turn on two-step verification" in page(profile)

    client.get(reverse("two_factor_enrol"))
    device = TOTPDevice.objects.get(user=staff_user)
    response = client.post(reverse("two_factor_enrol"), {"code": code_of(device)})
    assert response.status_code == 302
    assert "Two-step verification is on" in page(client.get(response.url))

    log_in(client, "staff", PASSWORD)
    assert_sent_to(client.get(reverse("dashboard")), "two_factor_verify")


def test_two_factor_not_required_shows_the_demo_notice_and_lets_the_admin_in(
    client, admin_user, settings
):
    settings.TWO_FACTOR_REQUIRED = False
    settings.LANGUAGE_CODE = "id"

    with translation.override("id"):
        assert "Mode demo: verifikasi dua langkah tidak diwajibkan" in page(
            client.get(reverse("login"))
        )
    assert log_in(client, "admin", PASSWORD)
    assert client.get(reverse("dashboard")).status_code == 200


def test_two_factor_required_no_demo_notice(client):
    assert "two-step verification is not required" not in page(client.get(reverse("login")))


def test_two_factor_django_admin_refuses_unverified_superuser(client, superuser):
    enrol_device(superuser)
    assert log_in(client, "root", PASSWORD)

    assert_sent_to(client.get(reverse("admin:index")), "two_factor_verify", "/admin/")


def test_two_factor_superuser_required_to_enrol(client, superuser):
    assert log_in(client, "root", PASSWORD)

    assert_sent_to(client.get(reverse("admin:index")), "two_factor_enrol", "/admin/")


def test_two_factor_logout_and_language_reachable_before_the_code(client, admin_user):
    enrol_device(admin_user)
    log_in(client, "admin", PASSWORD)

    response = client.post(reverse("switch_language"), {"language": "id", "next": "/"})
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.language == "id"
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).url.startswith(reverse("login"))


def test_two_factor_lost_phone_devices_removed_means_enrol_again(client, admin_user):
    enrol_device(admin_user)
    log_in(client, "admin", PASSWORD)
    TOTPDevice.objects.filter(user=admin_user).delete()
    StaticDevice.objects.filter(user=admin_user).delete()

    response = client.get(reverse("two_factor_verify") + "?next=/")

    assert_sent_to(response, "two_factor_enrol")
    assert client.get(response.url).status_code == 200


def test_two_factor_pages_need_login(client):
    for name in ("two_factor_verify", "two_factor_enrol", "two_factor_backup_codes"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_two_factor_next_off_site_ignored(client, admin_user):
    device = enrol_device(admin_user)
    log_in(client, "admin", PASSWORD)

    response = client.post(
        reverse("two_factor_verify"), {"code": code_of(device), "next": "https://evil.example/"}
    )

    assert response.url == reverse("dashboard")
