"""The public verification page: what it shows, what it hides, and how often."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from certificates.views.verify import mask_name
from tests.certificates.rows import make_certificate
from tests.factories import InmateFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate(program, admin_user):
    inmate = InmateFactory(facility=program.facility, full_name="Ahmad Fauzi Rahman")
    return make_certificate(program, admin_user, inmate=inmate)


def url(certificate):
    return reverse("verify:verify", args=[certificate.verification_code])


def test_verify_valid_certificate_shows_only_the_public_facts(client, certificate):
    response = client.get(url(certificate))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Valid" in html
    assert "001/LPN.KSG/PK/VIII/2025" in html
    assert "Ahmad F. R." in html
    assert "Aksesoris Gelang dan Kalung Batu" in html
    assert "Lapas Narkotika Kelas IIA Kasongan" in html
    assert "8 August 2025" in html
    assert certificate.enrollment.inmate.registration_number not in html
    assert "Kompeten" not in html
    # The standalone page carries no staff navigation.
    assert reverse("logout") not in html


def test_verify_masks_the_name(client, certificate):
    html = client.get(url(certificate)).content.decode()

    assert "Fauzi" not in html
    assert "Rahman" not in html


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Ahmad Fauzi", "Ahmad F."),
        ("Muhammad Rizal Saputra", "Muhammad R. S."),
        ("Sukarno", "Sukarno"),
        ("  Siti   nur  ", "Siti n."),
    ],
)
def test_verify_mask_name(name, masked):
    assert mask_name(name) == masked


def test_verify_revoked_certificate_says_dicabut_with_the_date(client, certificate, admin_user):
    certificate.revoked_at = timezone.make_aware(datetime.datetime(2025, 9, 2, 9, 0))
    certificate.revoked_by = admin_user
    certificate.revocation_reason = "Nama salah eja"
    certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])

    response = client.get(url(certificate), HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Revoked" in html
    assert "revoked on 2 September 2025" in html
    assert "Valid" not in html
    assert "Nama salah eja" not in html


def test_verify_unknown_code_says_so_plainly(client, db):
    response = client.get(reverse("verify:verify", args=["no-such-code"]))

    assert response.status_code == 404
    assert "No certificate has this code." in response.content.decode()
    assert response["X-Robots-Tag"].startswith("noindex")


def test_verify_discreet_names_the_partner_never_the_facility(client, program, admin_user):
    certificate = make_certificate(program, admin_user, discreet=True)

    html = client.get(url(certificate)).content.decode()

    assert "BLK Kota Palangka Raya" in html
    assert program.facility.name not in html
    assert "Lapas" not in html


def test_verify_is_kept_out_of_search_engines(client, certificate):
    response = client.get(url(certificate))

    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
    assert response["X-Robots-Tag"].startswith("noindex")


def test_verify_needs_no_login_even_when_logged_in_elsewhere(
    client_for, certificate, outside_admin
):
    assert client_for(None).get(url(certificate)).status_code == 200
    assert client_for(outside_admin).get(url(certificate)).status_code == 200


def test_verify_rate_limited_per_client_ip(client, certificate, settings):
    settings.VERIFY_RATE_LIMIT = "3/600"

    statuses = [client.get(url(certificate), REMOTE_ADDR="10.0.0.1").status_code for _ in range(4)]
    other = client.get(url(certificate), REMOTE_ADDR="10.0.0.2")

    assert statuses == [200, 200, 200, 429]
    assert other.status_code == 200
    limited = client.get(url(certificate), REMOTE_ADDR="10.0.0.1")
    assert "Too many verification requests" in limited.content.decode()
    assert 0 < int(limited["Retry-After"]) <= 600


def test_verify_in_the_viewers_language(client, certificate, settings):
    settings.LANGUAGE_CODE = "id"

    html = client.get(url(certificate)).content.decode()

    assert '<html lang="id">' in html
    assert "8 Agustus 2025" in html


def test_verify_post_not_allowed(client, certificate):
    assert client.post(url(certificate)).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(("behind_proxy", "limited"), [(False, True), (True, False)])
def test_verify_rate_limit_counts_the_real_client_only_behind_our_proxy(
    client, settings, behind_proxy, limited
):
    # Two clients behind one nginx (same REMOTE_ADDR) are told apart by X-Real-IP only when the
    # install says it runs behind its own proxy; otherwise the header is ignored (forgeable).
    settings.VERIFY_RATE_LIMIT = "1/600"
    settings.BEHIND_PROXY = behind_proxy
    url = reverse("verify:verify", args=["no-such-code"])
    client.get(url, HTTP_X_REAL_IP="10.1.1.1")
    second = client.get(url, HTTP_X_REAL_IP="10.1.1.2")
    assert (second.status_code == 429) is limited
