"""Withdrawing an issuer's signing key that leaked (`credentials.withdraw_key` and
`manage.py withdraw_issuer_key`): a credential forged with it stops verifying against the served
DID document, while the honest ones it signed are signed again and verify, unchanged."""

import io

import jwt
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from certificates import credentials, services
from certificates.models import Credential, Issuer, IssuerKey
from tests.certificates.test_credentials import (
    BASE_URL,
    NAMES,
    bit,
    decode,
    header_of,
    issue,
    participants,
    resolve,
    served_bits,
    token_of,
)
from tests.certificates.test_verify_credential_panel import (
    _fresh_rate_limit,  # noqa: F401
    panel,
    text,
)
from tests.factories import ProgramFactory, ProgramPartnerFactory

DID = "did:web:pelatihan.example.go.id:issuers:lpn-ksg"


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    settings.PUBLIC_BASE_URL = BASE_URL


@pytest.fixture
def issued(program, admin_user):
    """Three certificates of completion signed with key 1; the last one revoked."""
    certificates = issue(program, admin_user, participants(program, NAMES))
    services.revoke_certificate(certificate=certificates[2], by=admin_user, reason="Nama salah")
    return certificates


def leaked_private_key(key):
    """What whoever stole `key` holds: its private key, as PEM."""
    return credentials._fernet().decrypt(key.private_key.encode())


def forged(key, payload):
    """A credential signed with the stolen `key`, naming it as an honest one does."""
    return jwt.encode(
        payload,
        leaked_private_key(key),
        algorithm="ES256",
        headers={"kid": f"{DID}#key-{key.number}", "typ": "JWT"},
    )


def withdraw(number=1, reason="Laptop operator hilang"):
    out = io.StringIO()
    call_command("withdraw_issuer_key", "lpn-ksg", str(number), reason=reason, stdout=out)
    return out.getvalue()


def test_withdrawn_key_leaves_the_did_document_and_a_forgery_fails(client, issued):
    key = IssuerKey.objects.get()
    honest = decode(token_of(issued[0]), resolve(client, DID))
    forgery = forged(key, {**honest, "credentialSubject": {"name": "Orang Lain"}})
    # Before: the forgery verifies like any credential of the issuer.
    assert decode(forgery, resolve(client, DID))["credentialSubject"]["name"] == "Orang Lain"

    output = withdraw()

    document = resolve(client, DID)
    assert [method["id"] for method in document["verificationMethod"]] == [f"{DID}#key-2"]
    assert document["assertionMethod"] == [f"{DID}#key-2"]
    with pytest.raises(ValueError):
        decode(forgery, document)
    assert f"{DID}#key-1 withdrawn" in output
    assert f"3 credential(s) signed again with {DID}#key-2" in output
    key.refresh_from_db()
    assert key.withdrawn_at is not None
    assert key.withdrawn_reason == "Laptop operator hilang"


def test_credentials_of_the_withdrawn_key_are_signed_again_unchanged(client, issued):
    before = {c.pk: decode(token_of(c), resolve(client, DID)) for c in issued}

    withdraw()

    document = resolve(client, DID)
    for certificate in issued:
        token = token_of(certificate)
        assert header_of(token)["kid"] == f"{DID}#key-2"
        after = decode(token, document)
        old = before[certificate.pk]
        assert {k: v for k, v in after.items() if k != "iat"} == {
            k: v for k, v in old.items() if k != "iat"
        }
        assert after["iat"] >= old["iat"]
    assert set(Credential.objects.values_list("key__number", flat=True)) == {2}
    # The revocation list is signed again by key 2 and still holds the revoked bit alone.
    entries = [decode(token_of(c), document)["credentialStatus"] for c in issued]
    bits = served_bits(client, entries[0]["statusListCredential"], document)
    assert [bit(bits, entry) for entry in entries] == [0, 0, 1]


def test_the_verification_page_still_says_valid_after_the_withdrawal(client, issued):
    withdraw()
    response = client.get(reverse("verify:verify", args=[issued[0].verification_code]))
    assert response.status_code == 200
    section = text(panel(response.content.decode()))
    assert f"Signature Verified signed with the issuer's key {DID}#key-2" in section
    assert "Revocation status Not revoked" in section


def test_after_withdrawal_new_credentials_are_signed_by_the_new_key(client, program, admin_user):
    first, second = participants(program, NAMES[:2])
    issue(program, admin_user, [first])
    withdraw()
    [later] = issue(program, admin_user, [second])
    assert header_of(token_of(later))["kid"] == f"{DID}#key-2"
    assert decode(token_of(later), resolve(client, DID))["credentialSubject"]


def test_withdrawing_an_older_key_keeps_the_newest_signing(client, program, admin_user):
    first, second = participants(program, NAMES[:2])
    [old] = issue(program, admin_user, [first])
    call_command("rotate_issuer_key", "lpn-ksg", stdout=io.StringIO())
    [new] = issue(program, admin_user, [second])
    new_token = token_of(new)

    output = withdraw(1)

    # No third key: key 2 signs the old credential again and keeps its own untouched.
    assert IssuerKey.objects.count() == 2
    assert "1 credential(s) signed again" in output
    assert token_of(new) == new_token
    document = resolve(client, DID)
    assert [method["id"] for method in document["verificationMethod"]] == [f"{DID}#key-2"]
    assert header_of(token_of(old))["kid"] == f"{DID}#key-2"


def test_the_issuer_profile_says_the_key_was_withdrawn(client, issued):
    withdraw()
    shown = " ".join(client.get("/issuers/lpn-ksg/").content.decode().split())
    assert "Withdrawn" in shown
    assert "no longer published, so nothing signed with it verifies" in shown
    assert "Laptop operator hilang" not in shown
    assert shown.count("Signs new credentials") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-issuer", "1"], "No issuer no-such-issuer; nothing changed. Issuers: lpn-ksg."),
        (["lpn-ksg", "7"], "lpn-ksg has no key 7; nothing changed. Keys: 1."),
    ],
)
def test_command_refuses_an_unknown_issuer_or_key(issued, args, message):
    with pytest.raises(CommandError) as error:
        call_command("withdraw_issuer_key", *args, reason="Bocor", stdout=io.StringIO())
    assert str(error.value) == message
    assert not IssuerKey.objects.filter(withdrawn_at__isnull=False).exists()


def test_command_refuses_a_blank_reason_and_a_second_withdrawal(issued):
    tokens = list(Credential.objects.order_by("pk").values_list("token", flat=True))
    with pytest.raises(CommandError) as blank:
        withdraw(reason="   ")
    assert str(blank.value) == "Say why the key is withdrawn. Nothing was changed."
    assert list(Credential.objects.order_by("pk").values_list("token", flat=True)) == tokens
    assert IssuerKey.objects.count() == 1

    withdraw()
    with pytest.raises(CommandError) as again:
        withdraw()
    assert str(again.value) == "This key was already withdrawn. Nothing was changed."
    assert IssuerKey.objects.count() == 2


def test_after_credential_key_leaked_every_key_is_withdrawn_under_the_new_secret(
    client, settings, program, other_program, partner, other_partner, admin_user
):
    # Two issuers: the facility, and a partner leading a discreet program; the facility also
    # has a rotated key, so two of its keys are published.
    [facility_certificate] = issue(program, admin_user, participants(program, NAMES[:1]))
    call_command("rotate_issuer_key", "lpn-ksg", stdout=io.StringIO())
    other_program.discreet_issuing = True
    other_program.save(update_fields=["discreet_issuing"])
    other_partner.certificate_code = "LPK-MK"
    other_partner.save(update_fields=["certificate_code"])
    [discreet] = issue(other_program, admin_user, participants(other_program, NAMES[1:2]))
    partner_issuer = Issuer.objects.get(partner__isnull=False)
    # The old secret leaked; the administrator sets a new one, then withdraws every key.
    settings.CREDENTIAL_KEY = "a-new-credential-key-after-the-leak"

    out = io.StringIO()
    call_command("withdraw_issuer_key", "--all", reason="CREDENTIAL_KEY bocor", stdout=out)

    assert "2 issuer(s) sign with a new key." in out.getvalue()
    published = {
        issuer.slug: list(
            issuer.keys.filter(withdrawn_at__isnull=True).values_list("number", flat=True)
        )
        for issuer in Issuer.objects.all()
    }
    assert published == {"lpn-ksg": [3], partner_issuer.slug: [2]}
    for certificate, issuer in ((facility_certificate, "lpn-ksg"), (discreet, partner_issuer.slug)):
        did = f"did:web:pelatihan.example.go.id:issuers:{issuer}"
        document = resolve(client, did)
        assert len(document["verificationMethod"]) == 1
        assert decode(token_of(certificate), document)["jti"].endswith(
            f"/{certificate.verification_code}/"
        )
    # The new keys open with the new secret: issuing goes on.
    third = ProgramFactory(facility=program.facility, title="Menjahit Lanjutan")
    ProgramPartnerFactory(program=third, partner=partner)
    [later] = issue(third, admin_user, participants(third, ("Gita Permata",)))
    assert header_of(token_of(later))["kid"].endswith("#key-3")


def test_command_wants_an_issuer_and_key_or_all_but_not_both(issued):
    for args in ([], ["lpn-ksg", "1", "--all"]):
        with pytest.raises(CommandError) as error:
            call_command("withdraw_issuer_key", *args, reason="Bocor", stdout=io.StringIO())
        assert str(error.value) == "Name an issuer and a key number, or give --all (not both)."
    assert not IssuerKey.objects.filter(withdrawn_at__isnull=False).exists()


def test_a_stored_credential_altered_in_the_database_stops_the_withdrawal(issued):
    altered = issued[1]
    token = token_of(altered)
    header, payload, signature = token.split(".")
    Credential.objects.filter(certificate=altered).update(
        token=f"{header}.{payload[:-2]}AA.{signature}"
    )
    before = list(Credential.objects.order_by("pk").values_list("token", flat=True))

    with pytest.raises(ValidationError) as error:
        credentials.withdraw_key(IssuerKey.objects.get(), reason="Bocor")

    assert error.value.messages == [
        f"The stored credential of certificate {altered.number} does not verify with the key "
        "it names; nothing was changed."
    ]
    # Nothing was changed: the withdrawal ran in one transaction.
    assert list(Credential.objects.order_by("pk").values_list("token", flat=True)) == before
    assert IssuerKey.objects.get().withdrawn_at is None


def test_database_refuses_a_withdrawal_without_reason_or_date(issued):
    key = IssuerKey.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        IssuerKey.objects.filter(pk=key.pk).update(withdrawn_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        IssuerKey.objects.filter(pk=key.pk).update(withdrawn_reason="Bocor")
    assert IssuerKey.objects.filter(withdrawn_at__isnull=True, withdrawn_reason="").count() == 1
