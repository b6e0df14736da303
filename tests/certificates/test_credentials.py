"""Open Badges 3.0 credentials (#14), read as an employer's verifier reads them.

Certificates are issued, revoked and reissued through `certificates.services`; every credential is
then checked with PyJWT, a JOSE library independent of the one that signs (joserfc), against the
key in the DID document the app serves, and the revocation bits are read from the served, signed
status list by hand (multibase base64url, gzip, most significant bit first).
"""

import base64
import datetime
import gzip
import json
import zoneinfo
from urllib.parse import unquote, urlsplit

import jwt
import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates import credentials, services, verifying
from certificates.models import Certificate, Credential, Issuer, IssuerKey, StatusList
from programs.models import Enrollment
from tests.certificates import close, enrol, make_sessions, revealing
from tests.certificates.competency_rows import BELUM, KOMPETEN, assess, make_units
from tests.factories import (
    InmateFactory,
    ProgramFactory,
    ProgramPartnerFactory,
    ProgramTopicFactory,
)

ISSUED_ON = datetime.date(2025, 8, 8)
BASE_URL = "https://pelatihan.example.go.id"
# The W3C Bitstring Status List's minimum size, for herd privacy.
LIST_BITS = 131_072
NAMES = ("Ahmad Fauzi", "Budi Santoso", "Citra Lestari")


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    settings.PUBLIC_BASE_URL = BASE_URL


def participants(program, names=NAMES, *, released=False):
    """Enrolments of `program` (20 JP over three topics) who attended all three sessions; with
    `released`, also one who left after the first and ends the list."""
    for order, (title, jp) in enumerate([("Desain", 5), ("Merangkai", 10), ("Pemasaran", 5)]):
        ProgramTopicFactory(program=program, order=order, title=title, jp=jp)
    sessions = make_sessions(program, 3)
    enrollments = [
        enrol(
            program,
            sessions,
            "HHH",
            inmate=InmateFactory(facility=program.facility, full_name=name),
        )
        for name in names
    ]
    if released:
        enrollments.append(
            enrol(
                program,
                sessions,
                ["H", "", ""],
                status=Enrollment.Status.RELEASED,
                ended_on=sessions[1].date,
                end_reason="Bebas",
                inmate=InmateFactory(facility=program.facility, full_name="Eko Prasetyo"),
            )
        )
    return enrollments


def issue(program, by, enrollments=None):
    """Certificates of completion for `enrollments` (all who completed when None), closing first."""
    if not program.is_closed:
        close(program, by)
    return services.issue_certificates(
        program=program, by=by, enrollments=enrollments, issued_on=ISSUED_ON
    )


def did_path(did):
    """The host and the path a did:web resolves to (W3C did:web method, §3.2)."""
    assert did.startswith("did:web:")
    host, *path = did.removeprefix("did:web:").split(":")
    return unquote(host), "/" + "/".join(unquote(part) for part in path) + "/did.json"


def resolve(client, did):
    """The DID document served for `did`, fetched as an employer's resolver would."""
    host, path = did_path(did)
    assert host == urlsplit(BASE_URL).netloc
    response = client.get(path)
    assert response.status_code == 200
    return response.json()


def header_of(token):
    return jwt.get_unverified_header(token)


def decode(token, did_document):
    """The payload of `token`, verified by PyJWT with the DID document's key its `kid` names."""
    kid = header_of(token)["kid"]
    [method] = [m for m in did_document["verificationMethod"] if m["id"] == kid]
    key = jwt.PyJWK(method["publicKeyJwk"], algorithm="ES256")
    return jwt.decode(
        token,
        key,
        algorithms=["ES256"],
        issuer=did_document["id"],
        options={"require": ["iss", "jti", "nbf", "iat"]},
    )


def token_of(certificate):
    return Credential.objects.get(certificate=certificate).token


def served_bits(client, url, did_document):
    """The bitstring of the status list credential served at `url`, its signature checked."""
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200
    payload = decode(response.content.decode(), did_document)
    assert payload["id"] == payload["jti"] == url
    assert "BitstringStatusListCredential" in payload["type"]
    subject = payload["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    encoded = subject["encodedList"]
    assert encoded.startswith("u")  # multibase base64url
    return gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))


def bit(bits, entry):
    index = int(entry["statusListIndex"])
    return (bits[index // 8] >> (7 - index % 8)) & 1


def altered(token, segment, position):
    """`token` with one character of its `segment` (0 header, 1 payload, 2 signature) changed."""
    parts = token.split(".")
    text = parts[segment]
    position %= len(text)
    parts[segment] = (
        text[:position] + ("A" if text[position] != "A" else "B") + text[position + 1 :]
    )
    return ".".join(parts)


@pytest.mark.parametrize(
    ("base_url", "did"),
    [
        (BASE_URL, "did:web:pelatihan.example.go.id:issuers:lpn-ksg"),
        ("http://127.0.0.1:8000", "did:web:127.0.0.1%3A8000:issuers:lpn-ksg"),
    ],
)
def test_credential_verifies_with_pyjwt_and_the_served_did_document(
    client, program, admin_user, settings, base_url, did
):
    settings.PUBLIC_BASE_URL = base_url
    participants(program, NAMES[:1])
    [certificate] = issue(program, admin_user)
    token = token_of(certificate)

    header = header_of(token)
    assert header == {"alg": "ES256", "typ": "JWT", "kid": f"{did}#key-1"}
    host, path = did_path(did)
    assert host == urlsplit(base_url).netloc
    document = client.get(path).json()
    assert document["id"] == did
    payload = decode(token, document)
    verification_url = f"{base_url}/verify/{certificate.verification_code}/"
    assert payload["iss"] == did == payload["issuer"]["id"]
    assert payload["jti"] == payload["id"] == verification_url
    midnight = datetime.datetime(2025, 8, 8, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta"))
    assert datetime.datetime.fromisoformat(payload["validFrom"]) == midnight
    assert payload["nbf"] == int(midnight.timestamp()) == 1754586000


def test_credential_has_the_open_badges_structure(client, program, admin_user):
    program.description = "Membuat gelang dan kalung dari batu kecubung untuk dijual."
    program.save(update_fields=["description"])
    units = make_units(program, 2)
    participants(program, NAMES[:1])
    [certificate] = issue(program, admin_user)
    token = token_of(certificate)

    payload = decode(token, resolve(client, header_of(token)["kid"].split("#")[0]))

    assert payload["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert "VerifiableCredential" in payload["type"]
    assert "OpenBadgeCredential" in payload["type"]
    issuer = payload["issuer"]
    assert issuer["id"] == "did:web:pelatihan.example.go.id:issuers:lpn-ksg"
    assert issuer["type"] == ["Profile"]
    assert issuer["name"] == "Lapas Narkotika Kelas IIA Kasongan"
    assert payload["validFrom"] == "2025-08-08T00:00:00+07:00"
    assert "Aksesoris Gelang dan Kalung Batu" in payload["name"]
    subject = payload["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": "Ahmad Fauzi",
        }
    ]
    achievement = subject["achievement"]
    assert achievement["id"].startswith("urn:uuid:")
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == "Aksesoris Gelang dan Kalung Batu"
    assert achievement["description"] == program.description
    assert "80%" in achievement["criteria"]["narrative"]
    assert achievement["creditsAvailable"] == 20
    assert [(a["targetCode"], a["targetName"]) for a in achievement["alignment"]] == [
        (unit.code, unit.title) for unit in units
    ]
    assert all(a["type"] == ["Alignment"] for a in achievement["alignment"])
    assert "Kompeten" in [result["value"] for result in subject["result"]]
    status = payload["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert isinstance(status["statusListIndex"], str)
    assert 0 <= int(status["statusListIndex"]) < LIST_BITS
    assert status["statusListCredential"] == f"{BASE_URL}/issuers/lpn-ksg/status/1"


def test_credential_without_competency_units_has_no_alignment(client, program, admin_user):
    participants(program, NAMES[:1])
    [certificate] = issue(program, admin_user)
    token = token_of(certificate)

    payload = decode(token, resolve(client, header_of(token)["kid"].split("#")[0]))

    assert "alignment" not in payload["credentialSubject"]["achievement"]
    assert payload["credentialSubject"]["achievement"]["creditsAvailable"] == 20


def test_units_achieved_before_issue_are_results_aligned_to_them(client, program, admin_user):
    units = make_units(program, 3)
    [enrollment] = participants(program, NAMES[:1])
    assess(enrollment, admin_user, {units[0]: KOMPETEN, units[1]: BELUM, units[2]: KOMPETEN})
    [certificate] = issue(program, admin_user)
    token = token_of(certificate)

    payload = decode(token, resolve(client, header_of(token)["kid"].split("#")[0]))

    aligned = [
        (result["value"], alignment["targetCode"])
        for result in payload["credentialSubject"]["result"]
        for alignment in result.get("alignment", [])
    ]
    assert aligned == [("Kompeten", units[0].code), ("Kompeten", units[2].code)]
    # The achievement still names every unit the program prepares for.
    assert len(payload["credentialSubject"]["achievement"]["alignment"]) == 3


@pytest.mark.parametrize(("segment", "position"), [(1, 0), (1, 1000), (1, -2), (2, 0), (2, 40)])
def test_altering_one_character_fails_verification(client, program, admin_user, segment, position):
    participants(program, NAMES[:1])
    [certificate] = issue(program, admin_user)
    token = token_of(certificate)
    document = resolve(client, header_of(token)["kid"].split("#")[0])
    assert decode(token, document)["jti"].endswith(f"/{certificate.verification_code}/")

    tampered = altered(token, segment, position)

    assert tampered != token
    with pytest.raises(jwt.InvalidSignatureError):
        decode(tampered, document)


def test_revoking_flips_its_bit_in_the_served_signed_status_list(client, program, admin_user):
    participants(program)
    certificates = issue(program, admin_user)
    tokens = [token_of(certificate) for certificate in certificates]
    document = resolve(client, header_of(tokens[0])["kid"].split("#")[0])
    entries = [decode(token, document)["credentialStatus"] for token in tokens]
    [url] = {entry["statusListCredential"] for entry in entries}

    before = served_bits(client, url, document)
    assert len(before) * 8 >= LIST_BITS
    assert [bit(before, entry) for entry in entries] == [0, 0, 0]
    assert not any(before)

    services.revoke_certificate(certificate=certificates[1], by=admin_user, reason="Nama salah")
    after = served_bits(client, url, document)

    assert [bit(after, entry) for entry in entries] == [0, 1, 0]
    # Nothing else in the list is set: the one bit is the revoked credential's.
    assert sum(bin(byte).count("1") for byte in after) == 1


def test_reissue_gets_a_new_credential_with_its_own_index(client, program, admin_user):
    participants(program, NAMES[:1])
    [old] = issue(program, admin_user)
    old_token = token_of(old)

    new = services.reissue_certificate(
        certificate=old, by=admin_user, reason="Nama salah eja", holder_name="Ahmad Fauzi Rahman"
    )

    document = resolve(client, header_of(old_token)["kid"].split("#")[0])
    old_payload = decode(token_of(old), document)
    new_payload = decode(token_of(new), document)
    assert token_of(old) == old_token  # the old credential stays as it was signed
    assert new_payload["id"] == f"{BASE_URL}/verify/{new.verification_code}/"
    assert new_payload["id"] != old_payload["id"]
    assert new_payload["credentialSubject"]["identifier"][0]["identityHash"] == (
        "Ahmad Fauzi Rahman"
    )
    old_entry, new_entry = old_payload["credentialStatus"], new_payload["credentialStatus"]
    assert new_entry["statusListIndex"] != old_entry["statusListIndex"]
    assert new_entry["statusListCredential"] == old_entry["statusListCredential"]
    bits = served_bits(client, new_entry["statusListCredential"], document)
    assert (bit(bits, old_entry), bit(bits, new_entry)) == (1, 0)
    assert Credential.objects.filter(certificate__in=[old, new]).count() == 2


def test_statements_get_no_credential_and_certificates_exactly_one(program, admin_user):
    *completed, released = participants(program, released=True)
    certificates = issue(program, admin_user)
    statement = services.issue_statement(enrollment=released, by=admin_user, issued_on=ISSUED_ON)

    # A corrected statement is a statement still.
    corrected = services.reissue_certificate(
        certificate=statement, by=admin_user, reason="Nama salah eja", issued_on=ISSUED_ON
    )

    assert (statement.kind, corrected.kind) == (Certificate.Kind.PARTICIPATION,) * 2
    assert not Credential.objects.filter(certificate__in=[statement, corrected]).exists()
    assert len(certificates) == len(completed) == 3
    assert sorted(
        Credential.objects.filter(certificate__in=certificates).values_list(
            "certificate_id", flat=True
        )
    ) == sorted(certificate.pk for certificate in certificates)
    assert Credential.objects.count() == 3


@pytest.fixture
def discreet(program, partner, facility):
    """The program issues discreetly in its lead partner's series; its own description names
    the prison, which no credential may repeat."""
    facility.city = "Kasongan"
    facility.save()
    partner.certificate_code = "BLK-PKY"
    partner.head_name = "M. Noor Ikhsan"
    partner.save()
    program.discreet_issuing = True
    program.description = "Pelatihan kerajinan bagi Warga Binaan Lapas Narkotika Kasongan."
    program.save()
    make_units(program, 2)
    return participants(program, NAMES[:2])


def test_discreet_credential_and_issuer_documents_name_no_prison(
    client, discreet, program, partner, facility, admin_user
):
    certificates = issue(program, admin_user)
    # A reissue keeps the partner's series, so the partner signs it too; the revocation it
    # implies signs the status list again.
    reissued = services.reissue_certificate(
        certificate=certificates[0], by=admin_user, reason="Nama salah eja", issued_on=ISSUED_ON
    )
    tokens = [token_of(certificate) for certificate in [*certificates, reissued]]
    did = header_of(tokens[0])["kid"].split("#")[0]

    assert did == "did:web:pelatihan.example.go.id:issuers:blk-kota-palangka-raya"
    assert {header_of(token)["kid"] for token in tokens} == {f"{did}#key-1"}
    issuer = Issuer.objects.get()
    assert (issuer.partner, issuer.facility, issuer.slug) == (
        partner,
        None,
        "blk-kota-palangka-raya",
    )
    _host, path = did_path(did)
    document_text = client.get(path).content.decode()
    document = json.loads(document_text)
    assert revealing(document_text, facility) == []
    for token in tokens:
        payload = decode(token, document)
        assert payload["issuer"]["name"] == "BLK Kota Palangka Raya"
        assert revealing(json.dumps(payload, ensure_ascii=False), facility) == []
        # The segments as an employer's tool shows them: header and payload, decoded.
        for part in token.split(".")[:2]:
            decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()
            assert revealing(decoded, facility) == []
    profile = client.get(urlsplit(payload["issuer"]["url"]).path)
    assert profile.status_code == 200
    assert "BLK Kota Palangka Raya" in profile.content.decode()
    assert revealing(profile.content.decode(), facility) == []
    status_list = client.get(urlsplit(payload["credentialStatus"]["statusListCredential"]).path)
    list_payload = decode(status_list.content.decode(), document)
    assert revealing(json.dumps(list_payload, ensure_ascii=False), facility) == []


def test_credential_signed_before_rotation_still_verifies(client, program, admin_user):
    first, second = participants(program, NAMES[:2])
    [before] = issue(program, admin_user, [first])
    issuer = Issuer.objects.get()

    with transaction.atomic():
        credentials.rotate_key(issuer)
    [after] = issue(program, admin_user, [second])

    did = "did:web:pelatihan.example.go.id:issuers:lpn-ksg"
    document = resolve(client, did)
    assert [method["id"] for method in document["verificationMethod"]] == [
        f"{did}#key-1",
        f"{did}#key-2",
    ]
    assert document["assertionMethod"] == [f"{did}#key-1", f"{did}#key-2"]
    old_token, new_token = token_of(before), token_of(after)
    assert header_of(old_token)["kid"] == f"{did}#key-1"
    assert header_of(new_token)["kid"] == f"{did}#key-2"
    assert decode(old_token, document)["jti"].endswith(f"/{before.verification_code}/")
    assert decode(new_token, document)["jti"].endswith(f"/{after.verification_code}/")
    # Each verifies with its own key only.
    [old_key] = [m for m in document["verificationMethod"] if m["id"].endswith("#key-1")]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            new_token, jwt.PyJWK(old_key["publicKeyJwk"], algorithm="ES256"), algorithms=["ES256"]
        )
    # A revocation after rotation signs the list with the new key; the old credential's bit
    # reads as set in it.
    services.revoke_certificate(certificate=before, by=admin_user, reason="Nama salah")
    entry = decode(old_token, document)["credentialStatus"]
    response = client.get(urlsplit(entry["statusListCredential"]).path)
    assert header_of(response.content.decode())["kid"] == f"{did}#key-2"
    assert bit(served_bits(client, entry["statusListCredential"], document), entry) == 1


def test_private_key_never_appears_and_another_secret_cannot_sign(
    client, program, admin_user, settings
):
    first, second = participants(program, NAMES[:2])
    [certificate] = issue(program, admin_user, [first])

    document_text = client.get("/issuers/lpn-ksg/did.json").content.decode()
    [method] = json.loads(document_text)["verificationMethod"]
    assert set(method["publicKeyJwk"]) == {"kty", "crv", "x", "y"}
    assert '"d"' not in document_text
    [key] = IssuerKey.objects.all()
    assert "PRIVATE KEY" not in key.private_key
    assert "BEGIN" not in key.private_key
    profile = client.get("/issuers/lpn-ksg/").content.decode()
    assert key.private_key not in profile and "PRIVATE KEY" not in profile
    assert "d" not in header_of(token_of(certificate))

    settings.CREDENTIAL_KEY = "a-different-secret-than-the-keys-were-stored-with"
    with pytest.raises(ValidationError, match="CREDENTIAL_KEY"):
        issue(program, admin_user, [second])

    assert list(Certificate.objects.all()) == [certificate]
    assert list(Credential.objects.values_list("certificate_id", flat=True)) == [certificate.pk]


def test_a_set_credential_key_outlives_a_new_secret_key(client, program, admin_user, settings):
    settings.CREDENTIAL_KEY = "kept-with-the-database-backups"
    first, second = participants(program, NAMES[:2])
    [before] = issue(program, admin_user, [first])

    settings.SECRET_KEY = "a-new-secret-key-after-a-leak-0123456789"
    [after] = issue(program, admin_user, [second])

    document = resolve(client, "did:web:pelatihan.example.go.id:issuers:lpn-ksg")
    assert len(document["verificationMethod"]) == 1
    for certificate in (before, after):
        assert decode(token_of(certificate), document)["jti"].endswith(
            f"/{certificate.verification_code}/"
        )


def test_batch_indexes_are_distinct_and_queries_do_not_grow(program, facility, admin_user):
    # The facility's issuer, its key and its status list exist from an earlier issue.
    participants(program, NAMES[:1])
    issue(program, admin_user)
    counts = {}
    for size in (2, 6):
        other = ProgramFactory(facility=facility, title=f"Menjahit {size}")
        ProgramPartnerFactory(program=other)
        enrollments = participants(other, [f"Peserta {n}" for n in range(size)])
        close(other, admin_user)
        with CaptureQueriesContext(connection) as queries:
            certificates = issue(other, admin_user, enrollments)
        counts[size] = len(queries.captured_queries)
        indexes = list(
            Credential.objects.filter(certificate__in=certificates).values_list(
                "status_index", flat=True
            )
        )
        assert len(indexes) == size

    assert counts[2] == counts[6]
    all_indexes = list(Credential.objects.values_list("status_list_id", "status_index"))
    assert len(all_indexes) == 1 + 2 + 6 == len(set(all_indexes))


def test_the_apps_verifier_agrees(client, program, admin_user):
    participants(program, NAMES[:2])
    certificate, other = issue(program, admin_user)
    token = token_of(certificate)
    document = resolve(client, header_of(token)["kid"].split("#")[0])
    list_url = decode(token, document)["credentialStatus"]["statusListCredential"]

    def served_list():
        return client.get(urlsplit(list_url).path).content.decode()

    fresh = verifying.check(token, did_document=document, status_list=served_list())
    assert (fresh.valid, fresh.signature, fresh.status, fresh.problems) == (
        True,
        True,
        "active",
        [],
    )

    tampered = verifying.check(
        altered(token, 1, 1000), did_document=document, status_list=served_list()
    )
    assert not tampered.valid and not tampered.signature
    assert tampered.problems

    services.revoke_certificate(certificate=certificate, by=admin_user, reason="Nama salah")
    revoked = verifying.check(token, did_document=document, status_list=served_list())
    assert (revoked.valid, revoked.signature, revoked.status) == (False, True, "revoked")
    still = verifying.check(token_of(other), did_document=document, status_list=served_list())
    assert (still.valid, still.status) == (True, "active")


def test_the_apps_verifier_refuses_a_list_of_another_purpose(client, program, admin_user):
    """A list the issuer signed for another purpose (here suspension) is not read as the
    credential's revocation list, even at the same address."""
    participants(program, NAMES[:1])
    [certificate] = issue(program, admin_user)
    token = token_of(certificate)
    document = resolve(client, header_of(token)["kid"].split("#")[0])
    status_list = StatusList.objects.select_related("issuer__facility").get()
    signer = credentials.Signer(status_list.issuer)
    list_payload = decode(status_list.token, document)
    list_payload["credentialSubject"]["statusPurpose"] = "suspension"
    for claim in ("iss", "jti", "nbf", "iat"):
        del list_payload[claim]
    other_purpose = signer.sign(list_payload, timezone.now())

    outcome = verifying.check(token, did_document=document, status_list=other_purpose)

    assert outcome.signature and not outcome.valid
    assert outcome.status == "unchecked"
    assert outcome.problems == ["The status list is not for the credential's status purpose."]
