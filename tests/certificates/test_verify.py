"""The public verification page: what it shows, what it hides, and how often."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from certificates import credentials
from certificates.models import Certificate
from certificates.views.verify import mask_name
from tests.certificates import revealing
from tests.certificates.rows import make_certificate
from tests.factories import InmateFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limit(db):
    # The rate limit counts in the database cache: it needs the database, and starts empty.
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
    assert "Ah*** F. R." in html
    assert "Aksesoris Gelang dan Kalung Batu" in html
    assert "Lapas Narkotika Kelas IIA Kasongan" in html
    assert "8 August 2025" in html
    assert certificate.enrollment.inmate.registration_number not in html
    assert "Kompeten" not in html
    # The standalone page carries no staff navigation.
    assert reverse("logout") not in html


def test_verify_masks_the_name(client, certificate):
    html = client.get(url(certificate)).content.decode()

    assert "Ahmad" not in html
    assert "Fauzi" not in html
    assert "Rahman" not in html


def test_verify_masks_a_one_word_name_too(client, program, admin_user):
    inmate = InmateFactory(facility=program.facility, full_name="Supriadi")
    certificate = make_certificate(program, admin_user, inmate=inmate)

    html = client.get(url(certificate)).content.decode()

    assert "Su******" in html
    assert "Supriadi" not in html


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Ahmad Fauzi", "Ah*** F."),
        ("Muhammad Rizal Saputra", "Mu****** R. S."),
        ("Supriadi", "Su******"),
        ("  Siti   nur  ", "Si** n."),
        ("Ai", "A*"),
        ("Ni Made Ayu", "N* M. A."),
        ("", ""),
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
@pytest.mark.parametrize(
    ("remote_addr", "limited"),
    [("203.0.113.7", True), ("10.9.0.2", False), ("10.9.9.9", False)],
)
def test_verify_rate_limit_believes_x_real_ip_only_from_a_trusted_proxy(
    client, settings, remote_addr, limited
):
    # Two clients behind our nginx (same REMOTE_ADDR) are told apart by the X-Real-IP it sets;
    # from any other address the header is forgeable, so each spoofed value counts as that address.
    settings.VERIFY_RATE_LIMIT = "1/600"
    settings.TRUSTED_PROXIES = ["10.9.9.9", "10.9.0.0/24"]
    url = reverse("verify:verify", args=["no-such-code"])

    client.get(url, REMOTE_ADDR=remote_addr, HTTP_X_REAL_IP="198.51.100.1")
    second = client.get(url, REMOTE_ADDR=remote_addr, HTTP_X_REAL_IP="198.51.100.2")

    assert (second.status_code == 429) is limited


@pytest.mark.django_db
def test_verify_rate_limit_counts_one_client_behind_a_trusted_proxy(client, settings):
    settings.VERIFY_RATE_LIMIT = "1/600"
    settings.TRUSTED_PROXIES = ["10.9.9.9"]
    url = reverse("verify:verify", args=["no-such-code"])

    client.get(url, REMOTE_ADDR="10.9.9.9", HTTP_X_REAL_IP="198.51.100.1")
    again = client.get(url, REMOTE_ADDR="10.9.9.9", HTTP_X_REAL_IP="198.51.100.1")

    assert again.status_code == 429


@pytest.mark.django_db
def test_verify_rate_limit_without_trusted_proxies_ignores_x_real_ip(client, settings):
    settings.VERIFY_RATE_LIMIT = "1/600"
    settings.TRUSTED_PROXIES = []
    url = reverse("verify:verify", args=["no-such-code"])

    client.get(url, HTTP_X_REAL_IP="198.51.100.1")
    second = client.get(url, HTTP_X_REAL_IP="198.51.100.2")

    assert second.status_code == 429


def reissued(certificate, by, *, number, discreet=False):
    """`certificate` revoked and replaced by a new row, as reissuing leaves them."""
    certificate.revoked_at = timezone.make_aware(datetime.datetime(2025, 9, 2, 9, 0))
    certificate.revoked_by = by
    certificate.revocation_reason = "Nama salah eja"
    certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    new = make_certificate(certificate.enrollment.program, by, sequence=2, discreet=discreet)
    new.number = new.snapshot["number"] = number
    new.replaces = certificate
    new.save(update_fields=["number", "snapshot", "replaces"])
    return new


def test_verify_revoked_links_to_its_replacement_and_back(client, certificate, admin_user):
    new = reissued(certificate, admin_user, number="002/LPN.KSG/PK/IX/2025")

    old_html = client.get(url(certificate)).content.decode()
    new_html = client.get(url(new)).content.decode()

    assert f'href="{url(new)}">Replaced by certificate number 002/LPN.KSG/PK/IX/2025</a>' in (
        old_html
    )
    assert f'href="{url(certificate)}">Certificate number 001/LPN.KSG/PK/VIII/2025 (revoked)' in (
        new_html
    )
    assert "Valid" in new_html


def test_verify_replacement_link_in_indonesian(client, certificate, admin_user, settings):
    settings.LANGUAGE_CODE = "id"
    reissued(certificate, admin_user, number="002/LPN.KSG/PK/IX/2025")

    html = client.get(url(certificate)).content.decode()

    assert "Diganti dengan sertifikat nomor 002/LPN.KSG/PK/IX/2025" in html


def test_verify_query_count(client, certificate, admin_user, django_assert_num_queries, settings):
    # The page's own queries: the rate limit's counter lives in whatever cache is configured
    # (in production the database cache, about a dozen more queries), not counted here.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    credentials.create_credentials([certificate])
    new = reissued(certificate, admin_user, number="002/LPN.KSG/PK/IX/2025")
    credentials.create_credentials([new])

    # The certificate joined with the one it replaces, the one that replaced it and its
    # credential with the credential's issuer (its facility or partner) and status list; the
    # issuer's keys, for checking the credential against its DID document; a valid certificate
    # of completion adds its holder's competency units with their assessments.
    for target, count in ((certificate, 2), (new, 3)):
        with django_assert_num_queries(count):
            client.get(url(target))


@pytest.mark.parametrize("language", ["en", "id"])
def test_verify_discreet_pages_name_no_prison(client, program, admin_user, settings, language):
    settings.LANGUAGE_CODE = language
    facility = program.facility
    facility.city = "Kasongan"
    facility.save(update_fields=["city"])
    old = make_certificate(program, admin_user, discreet=True)
    old.number = old.snapshot["number"] = "001/BLK.PKY/VIII/2025"
    old.save(update_fields=["number", "snapshot"])
    new = reissued(old, admin_user, number="002/BLK.PKY/IX/2025", discreet=True)

    for certificate in (old, new):
        html = client.get(url(certificate)).content.decode()
        assert "BLK Kota Palangka Raya" in html
        assert revealing(html, facility) == []
    assert Certificate.objects.filter(snapshot__discreet=True).count() == 2


def test_verify_privacy_notice_says_what_is_shown_and_whom_to_ask(client, certificate):
    html = client.get(url(certificate)).content.decode()

    assert "About this page" in html
    assert "so that an employer or institution can check the paper" in html
    assert "Nothing else about the holder is shown." in html
    assert "contact the issuer, Lapas Narkotika Kelas IIA Kasongan, who can correct it" in html


def test_verify_privacy_notice_in_indonesian(client, certificate, settings):
    settings.LANGUAGE_CODE = "id"

    html = client.get(url(certificate)).content.decode()

    assert "Tentang halaman ini" in html
    assert "Tidak ada data lain tentang pemegang yang ditampilkan." in html
    assert "hubungi penerbit, Lapas Narkotika Kelas IIA Kasongan," in html


def test_verify_privacy_notice_on_a_discreet_page_names_the_partner(client, program, admin_user):
    certificate = make_certificate(program, admin_user, discreet=True)

    html = client.get(url(certificate)).content.decode()

    assert "contact the issuer, BLK Kota Palangka Raya, who can correct it" in html


def test_verify_privacy_notice_on_an_unknown_code(client, db):
    html = client.get(reverse("verify:verify", args=["no-such-code"])).content.decode()

    assert "contact the issuer named on the paper" in html
