"""The Open Badges credential (#14) on the public verification page and the staff's page:
what checking it finds, its downloads, and nothing that names a prison."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from certificates import credentials, services, verifying
from tests.certificates import revealing
from tests.certificates.rows import make_certificate
from tests.factories import InmateFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limit(db):
    # The rate limit counts in the database cache: it needs the database, and starts empty.
    cache.clear()


def signed(certificate):
    """`certificate` with its credential, signed as issuing signs it."""
    credentials.create_credentials([certificate])
    return certificate


@pytest.fixture
def certificate(program, admin_user):
    inmate = InmateFactory(facility=program.facility, full_name="Ahmad Fauzi Rahman")
    return signed(make_certificate(program, admin_user, inmate=inmate))


@pytest.fixture
def discreet_certificate(program, partner, admin_user):
    """A discreet certificate, in its lead partner's series as issuing puts it."""
    facility = program.facility
    facility.city = "Kasongan"
    facility.save(update_fields=["city"])
    certificate = make_certificate(program, admin_user, discreet=True)
    certificate.series_partner = partner
    certificate.number = certificate.snapshot["number"] = "001/BLK.PKY/VIII/2025"
    certificate.save(update_fields=["series_partner", "number", "snapshot"])
    return signed(certificate)


def url(certificate):
    return reverse("verify:verify", args=[certificate.verification_code])


def panel(html):
    """The credential section of a page, or None."""
    found = re.search(r'<section[^>]*data-testid="credential".*?</section>', html, re.DOTALL)
    return found and found.group(0)


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_verify_credential_panel_says_signature_verified_and_not_revoked(client, certificate):
    html = client.get(url(certificate)).content.decode()

    section = text(panel(html))
    did = credentials.did_of(certificate.credential.issuer)
    assert "Digital credential (Open Badges 3.0)" in section
    assert f"Signature Verified signed with the issuer's key {did}#key-1" in section
    assert f"Lapas Narkotika Kelas IIA Kasongan {did}" in section
    assert "Revocation status Not revoked" in section
    assert "Checking the credential found" not in section


def test_verify_credential_panel_links_downloads_issuer_and_offline_verifier(client, certificate):
    html = panel(client.get(url(certificate)).content.decode())

    code = certificate.verification_code
    assert f'href="{reverse("verify:credential_jwt", args=[code])}" download' in html
    assert f'href="{reverse("verify:credential_json", args=[code])}" download' in html
    issuer_url = reverse("verify:issuer", args=[certificate.credential.issuer.slug])
    assert f'href="{issuer_url}"' in html
    assert 'href="/verifier/" download="credential-verifier.html"' in html


def test_verify_credential_downloads_are_the_signed_credential(client, certificate):
    code = certificate.verification_code

    jwt = client.get(reverse("verify:credential_jwt", args=[code]))
    wrapper = client.get(reverse("verify:credential_json", args=[code])).json()

    assert jwt.content.decode() == certificate.credential.token
    assert wrapper["compactJws"] == certificate.credential.token


def test_verify_revoked_certificate_panel_says_the_credential_is_revoked(
    client, certificate, admin_user
):
    services.revoke_certificate(certificate=certificate, by=admin_user, reason="Nama salah eja")

    html = client.get(url(certificate)).content.decode()

    section = text(panel(html))
    assert "Signature Verified" in section
    assert (
        "Revocation status Revoked the issuer has set this credential's bit in its signed "
        "revocation list." in section
    )
    assert "Not revoked" not in section
    # A revoked credential is not offered again; the verifier stays, for a copy in hand.
    assert "credential.jwt" not in html
    assert "credential.json" not in html
    assert "credential-verifier.html" in html


def test_verify_tampered_credential_panel_says_not_verified(client, certificate):
    credential = certificate.credential
    header, payload, signature = credential.token.split(".")
    # Another signature of the same length: the content no longer matches it.
    forged = signature[::-1]
    credential.token = f"{header}.{payload}.{forged}"
    credential.save(update_fields=["token"])

    section = text(panel(client.get(url(certificate)).content.decode()))

    assert "Signature Not verified" in section
    assert "Checking the credential found: The signature does not match" in section
    assert "Not revoked" not in section


def test_verify_statement_has_no_credential_panel(client, program, admin_user):
    statement = signed(make_certificate(program, admin_user, kind="participation"))

    html = client.get(url(statement)).content.decode()

    assert not hasattr(statement, "credential")
    assert panel(html) is None
    assert "credential.jwt" not in html
    assert "full name as printed on the paper" not in html


def test_verify_certificate_without_credential_has_no_panel(client, program, admin_user):
    # Issued before credentials existed.
    old = make_certificate(program, admin_user)

    html = client.get(url(old)).content.decode()

    assert panel(html) is None
    assert "Valid" in html


@pytest.mark.parametrize("language", ["en", "id"])
def test_verify_discreet_credential_panel_names_no_prison(
    client, discreet_certificate, settings, language
):
    settings.LANGUAGE_CODE = language

    html = client.get(url(discreet_certificate)).content.decode()

    section = panel(html)
    assert "BLK Kota Palangka Raya" in section
    assert "did:web:" in section
    assert revealing(html, discreet_certificate.facility) == []


@pytest.mark.parametrize("language", ["en", "id"])
def test_verify_discreet_issuer_profile_names_no_prison(
    client, discreet_certificate, settings, language
):
    settings.LANGUAGE_CODE = language
    issuer = discreet_certificate.credential.issuer

    html = client.get(reverse("verify:issuer", args=[issuer.slug])).content.decode()

    assert "BLK Kota Palangka Raya" in html
    assert revealing(html, discreet_certificate.facility) == []


def test_verify_credential_panel_in_indonesian(client, certificate, settings):
    settings.LANGUAGE_CODE = "id"

    html = client.get(url(certificate)).content.decode()

    section = text(panel(html))
    assert "Kredensial digital (Open Badges 3.0)" in section
    assert "Tanda tangan Terverifikasi" in section
    assert "Tidak dicabut" in section
    assert "Unduh kredensial (.jwt)" in section
    assert "nama lengkap pemegang sebagaimana tercetak pada kertas" in text(html)


def test_verify_privacy_notice_says_the_download_carries_the_full_name(client, certificate):
    html = text(client.get(url(certificate)).content.decode())

    assert (
        "The digital credential offered for download carries the holder's full name as "
        "printed on the paper" in html
    )
    # The page itself still masks it.
    assert "Ahmad" not in html


def test_verify_credential_panel_query_count(
    client, program, admin_user, django_assert_num_queries, settings
):
    # The page's own queries, as in test_verify: the rate limit's cache is not counted.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    valid = signed(make_certificate(program, admin_user))
    revoked = signed(make_certificate(program, admin_user, sequence=2))
    services.revoke_certificate(certificate=revoked, by=admin_user, reason="Nama salah eja")

    # The certificate joined with its replacements and its credential's issuer (with facility
    # or partner) and status list; the issuer's keys for the DID document; a valid certificate
    # of completion adds its holder's competency units.
    for target, count in ((revoked, 2), (valid, 3)):
        with django_assert_num_queries(count):
            response = client.get(url(target))
        assert panel(response.content.decode())


# The staff's certificate page.


def detail_url(certificate):
    return reverse("certificates:certificate_detail", args=[certificate.pk])


def test_certificate_page_shows_the_credential(client_for, viewer_user, certificate):
    credential = certificate.credential

    html = client_for(viewer_user).get(detail_url(certificate)).content.decode()

    section = text(panel(html))
    did = credentials.did_of(credential.issuer)
    assert f"Issuer Lapas Narkotika Kelas IIA Kasongan {did}" in section
    assert f"Signing key {did}#key-1" in section
    assert "Status list List 1" in section
    assert f"index {credential.status_index}" in section
    assert "Revocation bit Not set" in section
    code = certificate.verification_code
    assert reverse("verify:credential_jwt", args=[code]) in panel(html)
    assert reverse("verify:credential_json", args=[code]) in panel(html)


def test_certificate_page_shows_the_bit_set_after_revoking(client_for, admin_user, certificate):
    services.revoke_certificate(certificate=certificate, by=admin_user, reason="Nama salah eja")

    section = text(panel(client_for(admin_user).get(detail_url(certificate)).content.decode()))

    assert "Revocation bit Set verifiers read the credential as revoked." in section


def test_certificate_page_without_credential_says_so(client_for, admin_user, program):
    old = make_certificate(program, admin_user)

    section = text(panel(client_for(admin_user).get(detail_url(old)).content.decode()))

    assert "None: this certificate was issued before digital credentials were signed." in section


def test_certificate_page_credential_keeps_its_query_count(
    client_for, admin_user, certificate, django_assert_num_queries
):
    client = client_for(admin_user)

    # session, user, facility (scope), the certificate joined with all the page shows, its
    # credential with its issuer, key and status list included
    with django_assert_num_queries(4):
        response = client.get(detail_url(certificate))
    assert panel(response.content.decode())


def test_certificate_page_credential_only_for_its_readers(
    client_for, trainer_user, outside_admin, certificate
):
    assert client_for(trainer_user).get(detail_url(certificate)).status_code == 403
    assert client_for(outside_admin).get(detail_url(certificate)).status_code == 404
    response = client_for(None).get(detail_url(certificate))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_credential_reads_in_indonesian_whatever_the_page_language(certificate):
    # Tests run in English; the credential is written in Bahasa Indonesia all the same.
    _header, payload = verifying.unverified(certificate.credential.token)

    achievement = payload["credentialSubject"]["achievement"]
    assert payload["name"] == "Sertifikat Pelatihan: Aksesoris Gelang dan Kalung Batu"
    assert achievement["criteria"]["narrative"].startswith("Mengikuti sekurang-kurangnya")
    assert [item["name"] for item in achievement["resultDescription"]] == [
        "Hasil asesmen",
        "Kehadiran (%)",
    ]
