"""The public side of the credentials (#14): DID documents, status lists, issuer profiles and the
credential downloads, fetched with no login as an employer's verifier or wallet would."""

import json

import jwt
import pytest
from django.core.cache import cache
from django.db import transaction

from certificates import credentials, services
from certificates.models import Issuer, StatusList
from tests.certificates.test_credentials import (
    BASE_URL,
    ISSUED_ON,
    NAMES,
    decode,
    issue,
    participants,
)

DID = "did:web:pelatihan.example.go.id:issuers:lpn-ksg"


@pytest.fixture(autouse=True)
def _public(settings, db):
    settings.PUBLIC_BASE_URL = BASE_URL
    # The downloads share the verification page's rate limit, counted in the cache.
    cache.clear()


@pytest.fixture
def issued(program, admin_user):
    """Two certificates of completion and one statement of participation of `program`."""
    *_completed, released = participants(program, NAMES[:2], released=True)
    certificates = issue(program, admin_user)
    statement = services.issue_statement(enrollment=released, by=admin_user, issued_on=ISSUED_ON)
    return certificates, statement


@pytest.fixture
def locmem_cache(settings):
    # The views' own queries: the rate limit's counter lives in whatever cache is configured
    # (in production the database cache), not counted here.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def rotate(times):
    issuer = Issuer.objects.get(slug="lpn-ksg")
    for _ in range(times):
        with transaction.atomic():
            credentials.rotate_key(issuer)


# DID document


def test_did_json_is_public_json_any_site_may_fetch(client_for, issued, outside_admin):
    for user in (None, outside_admin):
        response = client_for(user).get("/issuers/lpn-ksg/did.json")

        assert response.status_code == 200
        assert response["Content-Type"] == "application/did+ld+json"
        assert response["Access-Control-Allow-Origin"] == "*"
        document = json.loads(response.content)
        assert document["id"] == DID
        assert [method["id"] for method in document["verificationMethod"]] == [f"{DID}#key-1"]
        assert document["verificationMethod"][0]["type"] == "JsonWebKey"
        assert document["verificationMethod"][0]["controller"] == DID


def test_did_json_of_an_unknown_issuer_is_404(client, issued):
    assert client.get("/issuers/no-such-issuer/did.json").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/issuers/lpn-ksg/did.json",
        "/issuers/lpn-ksg/status/1",
        "/issuers/lpn-ksg/",
        "/verify/{code}/credential.jwt",
        "/verify/{code}/credential.json",
    ],
)
def test_public_credential_views_refuse_post(client, issued, path):
    certificates, _statement = issued

    response = client.post(path.format(code=certificates[0].verification_code))

    assert response.status_code == 405


@pytest.mark.parametrize("keys", [1, 3])
def test_did_json_query_count_is_fixed(client, issued, django_assert_num_queries, keys):
    rotate(keys - 1)

    # The issuer with its facility and partner, its keys.
    with django_assert_num_queries(2):
        response = client.get("/issuers/lpn-ksg/did.json")
    assert len(response.json()["verificationMethod"]) == keys


# Status list


def test_status_list_is_served_as_the_signed_jwt(client, issued):
    response = client.get("/issuers/lpn-ksg/status/1")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert response["Access-Control-Allow-Origin"] == "*"
    token = response.content.decode()
    assert token == StatusList.objects.get(issuer__slug="lpn-ksg", number=1).token
    document = client.get("/issuers/lpn-ksg/did.json").json()
    payload = decode(token, document)
    assert payload["id"] == f"{BASE_URL}/issuers/lpn-ksg/status/1"


@pytest.mark.parametrize("path", ["/issuers/lpn-ksg/status/2", "/issuers/nobody/status/1"])
def test_status_list_unknown_is_404(client, issued, path):
    assert client.get(path).status_code == 404


def test_status_list_query_count(client, issued, django_assert_num_queries):
    # The list, found by its issuer's slug and number.
    with django_assert_num_queries(1):
        assert client.get("/issuers/lpn-ksg/status/1").status_code == 200


# Issuer profile


def test_issuer_profile_shows_the_name_and_every_key(client, issued):
    rotate(1)

    response = client.get("/issuers/lpn-ksg/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Lapas Narkotika Kelas IIA Kasongan" in html
    assert DID in html
    assert "#key-1" in html and "#key-2" in html
    assert "Signs new credentials" in html
    assert "Earlier key: credentials it signed stay valid" in html
    assert "/issuers/lpn-ksg/did.json" in html
    assert "/issuers/lpn-ksg/status/1" in html


def test_issuer_profile_unknown_is_404(client, issued):
    assert client.get("/issuers/no-such-issuer/").status_code == 404


@pytest.mark.parametrize("keys", [1, 3])
def test_issuer_profile_query_count_is_fixed(client, issued, django_assert_num_queries, keys):
    rotate(keys - 1)

    # The issuer with its facility and partner, its keys, its status lists.
    with django_assert_num_queries(3):
        response = client.get("/issuers/lpn-ksg/")
    assert response.content.decode().count("#key-") == keys


# Credential downloads


def test_credential_jwt_download_is_the_signed_credential(client, issued):
    certificate = issued[0][0]

    response = client.get(f"/verify/{certificate.verification_code}/credential.jwt")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert response["Content-Disposition"] == (
        'attachment; filename="001-lpn-ksg-pk-viii-2025.jwt"'
    )
    assert response.content.decode() == certificate.credential.token


def test_credential_json_download_wraps_the_jwt_and_its_payload(client, issued):
    certificate = issued[0][0]

    response = client.get(f"/verify/{certificate.verification_code}/credential.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == (
        'attachment; filename="001-lpn-ksg-pk-viii-2025.json"'
    )
    wrapper = json.loads(response.content)
    assert set(wrapper) == {"compactJws", "credential"}
    assert wrapper["compactJws"] == certificate.credential.token
    document = client.get("/issuers/lpn-ksg/did.json").json()
    assert wrapper["credential"] == decode(wrapper["compactJws"], document)
    assert wrapper["credential"]["id"] == (f"{BASE_URL}/verify/{certificate.verification_code}/")


@pytest.mark.parametrize("extension", ["jwt", "json"])
def test_credential_download_of_an_unknown_code_or_a_statement_is_404(client, issued, extension):
    _certificates, statement = issued

    unknown = client.get(f"/verify/no-such-code/credential.{extension}")
    of_statement = client.get(f"/verify/{statement.verification_code}/credential.{extension}")

    assert unknown.status_code == 404
    assert of_statement.status_code == 404


def test_credential_downloads_are_rate_limited_per_client_ip(client, issued, settings):
    settings.VERIFY_RATE_LIMIT = "3/600"
    code = issued[0][0].verification_code
    paths = [f"/verify/{code}/credential.{extension}" for extension in ("jwt", "json")] * 2

    statuses = [client.get(path, REMOTE_ADDR="10.0.0.1").status_code for path in paths]
    other = client.get(paths[0], REMOTE_ADDR="10.0.0.2")

    assert statuses == [200, 200, 200, 429]
    assert other.status_code == 200
    limited = client.get(paths[1], REMOTE_ADDR="10.0.0.1")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert "Too many verification requests" in limited.content.decode()


@pytest.mark.parametrize("extension", ["jwt", "json"])
def test_credential_download_query_count(
    client, issued, locmem_cache, django_assert_num_queries, extension
):
    certificate = issued[0][0]

    # The credential joined with its certificate.
    with django_assert_num_queries(1):
        response = client.get(f"/verify/{certificate.verification_code}/credential.{extension}")
    assert response.status_code == 200


def test_credential_downloads_verify_with_pyjwt_after_a_rotation(client, issued):
    certificate = issued[0][0]
    rotate(1)

    token = client.get(f"/verify/{certificate.verification_code}/credential.jwt").content.decode()

    assert jwt.get_unverified_header(token)["kid"] == f"{DID}#key-1"
    document = client.get("/issuers/lpn-ksg/did.json").json()
    assert decode(token, document)["jti"] == f"{BASE_URL}/verify/{certificate.verification_code}/"
