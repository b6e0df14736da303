"""Open Badges 3.0 credentials (#14): each certificate of completion, signed by its issuer.

A credential is a VC-JWT (Open Badges 3.0, §8.2): a compact JWS whose payload is the
`OpenBadgeCredential` with the JWT claims `iss`, `jti`, `nbf` and `iat`, signed ES256 by the
issuer's newest key. ES256 rather than EdDSA: WebCrypto verifies P-256 in every browser an
employer may have, which the offline verifier (static/verifier) relies on.

The issuer is the facility, or for a discreet certificate the lead partner whose number series it
takes, so that nothing in a discreet credential names a prison. Its identifier is a `did:web`
built from PUBLIC_BASE_URL, whose DID document (`did_document`) lists every key it ever had
but those withdrawn: rotation (`rotate_key`) adds a key, and old credentials keep verifying;
withdrawal (`withdraw_key`, for a key that leaked) drops a key from the document and signs the
credentials it signed again with a newer one.

Revocation follows the W3C Bitstring Status List: every credential has a random free index in
one of its issuer's lists of STATUS_LIST_SIZE bits; revoking its certificate sets the bit and
signs the list again (`revoke`), stored ready to serve.
"""

import base64
import datetime
import gzip
import json
import secrets
import uuid
from urllib.parse import quote, urlsplit

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from certificates import verifying
from certificates.competency import load_achieved
from certificates.models import (
    Certificate,
    CompetencyUnit,
    Credential,
    Issuer,
    IssuerKey,
    StatusList,
)
from certificates.models_credentials import STATUS_LIST_SIZE

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
ALGORITHM = "ES256"
# A list takes credentials until three quarters full, then the next opens: a random free index
# stays quick to draw, and every list keeps a crowd of unused indexes.
STATUS_LIST_FILL = STATUS_LIST_SIZE * 3 // 4


def absolute(path):
    """`path` on the public address the QR codes print (PUBLIC_BASE_URL)."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def did_of(issuer):
    """`did:web:<host>[%3A<port>][:<path>]:issuers:<slug>`, resolving to its `did.json`."""
    address = urlsplit(settings.PUBLIC_BASE_URL)
    segments = [address.netloc, *address.path.split("/"), "issuers", issuer.slug]
    return "did:web:" + ":".join(quote(part, safe="") for part in segments if part)


def key_id(did, key):
    return f"{did}#key-{key.number}"


def _fernet():
    """The cipher of the stored private keys, from CREDENTIAL_KEY (or SECRET_KEY, see settings)."""
    secret = (settings.CREDENTIAL_KEY or settings.SECRET_KEY).encode()
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"lapas-training credential keys"
    ).derive(secret)
    return Fernet(base64.urlsafe_b64encode(derived))


def _new_key(issuer, number):
    private = ECKey.generate_key("P-256", private=True)
    public = private.as_dict(private=False)
    return IssuerKey.objects.create(
        issuer=issuer,
        number=number,
        public_jwk={name: public[name] for name in ("kty", "crv", "x", "y")},
        private_key=_fernet().encrypt(private.as_pem(private=True)).decode(),
    )


def _free_slug(base):
    slug = base[:70] or "issuer"
    number = 1
    while Issuer.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base[:70]}-{number}"
    return slug


def issuer_of(certificate):
    """The issuer of `certificate`'s credential, created with its first key when first needed.

    A discreet certificate's is its series partner (the program's lead partner); any other's is
    its facility. The slug comes from the partner's name or the facility's unit code once and
    never changes, as every credential names it.
    """
    partner = certificate.series_partner
    if partner is not None:
        subject, base = {"partner": partner}, slugify(partner.name)
    else:
        facility = certificate.facility
        subject, base = {"facility": facility}, slugify(facility.unit_code.replace(".", "-"))
    issuer, created = Issuer.objects.get_or_create(**subject, defaults={"slug": _free_slug(base)})
    if created:
        _new_key(issuer, 1)
    return issuer


def rotate_key(issuer):
    """Add a new signing key to `issuer`; the old ones stay in its DID document."""
    issuer = Issuer.objects.select_for_update().get(pk=issuer.pk)
    last = issuer.keys.order_by("-number").values_list("number", flat=True).first() or 0
    return _new_key(issuer, last + 1)


# Credentials signed again per round trip when a key is withdrawn: memory stays bounded for an
# issuer of tens of thousands.
RESIGN_CHUNK = 1000


@transaction.atomic
def withdraw_key(key, *, reason):
    """Withdraw `key` (it leaked): it leaves the issuer's DID document, so nothing signed with it
    verifies any more, and every credential it signed, and the issuer's status lists, are signed
    again, unchanged but for `iat`, by the newest key left (a new one when none is).

    Returns (the key that signs now, the number of credentials signed again). Raises
    ValidationError, changing nothing, without a reason, for a key already withdrawn, or when a
    stored credential does not verify with the key it names.
    """
    key = IssuerKey.objects.get(pk=key.pk)
    if key.withdrawn_at is not None:
        raise ValidationError(_("This key was already withdrawn."))
    return _withdraw(key.issuer_id, [key.pk], reason)


def withdraw_all_keys(issuer, *, reason):
    """Withdraw every key of `issuer` still published and sign with a new one: for a leaked
    CREDENTIAL_KEY, which opens them all. Only the new key is decrypted, so this works once
    CREDENTIAL_KEY is already the new secret. Returns what `withdraw_key` returns."""
    keys = list(issuer.keys.filter(withdrawn_at__isnull=True).values_list("pk", flat=True))
    return _withdraw(issuer.pk, keys, reason)


@transaction.atomic
def _withdraw(issuer_id, key_ids, reason):
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the key is withdrawn."))
    issuer = Issuer.objects.select_for_update().get(pk=issuer_id)
    keys = list(IssuerKey.objects.filter(pk__in=key_ids, withdrawn_at__isnull=True))
    for key in keys:
        key.withdrawn_at = timezone.now()
        key.withdrawn_reason = reason
        key.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    if not issuer.keys.filter(withdrawn_at__isnull=True).exists():
        rotate_key(issuer)
    signer = Signer(issuer)
    public = {key.pk: ECKey.import_key(key.public_jwk) for key in keys}
    count = 0
    signed_by_keys = (
        Credential.objects.filter(key__in=public).select_related("certificate").order_by("pk")
    )
    while chunk := list(signed_by_keys[:RESIGN_CHUNK]):
        for credential in chunk:
            try:
                credential.token = signer.resign(credential.token, public[credential.key_id])
            except JoseError as error:
                # A stored token its own key does not verify was altered in the database:
                # signing it again would make the alteration genuine.
                raise ValidationError(
                    _(
                        "The stored credential of certificate %(number)s does not verify with "
                        "the key it names; nothing was changed."
                    )
                    % {"number": credential.certificate.number}
                ) from error
            credential.key = signer.key
        Credential.objects.bulk_update(chunk, ["token", "key"])
        count += len(chunk)
    for status_list in issuer.status_lists.all():
        sign_status_list(status_list, signer)
    return signer.key, count


def did_document(issuer, keys=None):
    """The DID document of `issuer`: every key it had but those withdrawn, as JsonWebKey
    verification methods.

    `keys` are its IssuerKey rows when already loaded; otherwise one query.
    """
    did = did_of(issuer)
    if keys is None:
        keys = issuer.keys.filter(withdrawn_at__isnull=True).order_by("number")
    else:
        keys = [key for key in keys if key.withdrawn_at is None]
    methods = [
        {
            "id": key_id(did, key),
            "type": "JsonWebKey",
            "controller": did,
            "publicKeyJwk": key.public_jwk,
        }
        for key in keys
    ]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


class Signer:
    """An issuer's newest key not withdrawn, decrypted once for a batch of signatures."""

    def __init__(self, issuer):
        self.issuer = issuer
        self.did = did_of(issuer)
        self.key = issuer.keys.filter(withdrawn_at__isnull=True).order_by("-number").first()
        try:
            pem = _fernet().decrypt(self.key.private_key.encode())
        except InvalidToken as error:
            raise ValidationError(
                _(
                    "The signing key of %(issuer)s cannot be opened: CREDENTIAL_KEY is not the "
                    "secret it was stored with. Ask the server's administrator."
                )
                % {"issuer": issuer.name}
            ) from error
        self._private = ECKey.import_key(pem)

    def sign(self, credential, valid_from):
        """The compact JWS of `credential` with its JWT claims (OB 3.0 §8.2.4)."""
        claims = {
            **credential,
            "iss": self.did,
            "jti": credential["id"],
            "nbf": int(valid_from.timestamp()),
            "iat": int(timezone.now().timestamp()),
        }
        return self._serialize(claims)

    def resign(self, token, public_key):
        """`token` (signed by `public_key`, checked first: only what this app signed is signed
        again) with the same claims but `iat`, under this signer's key."""
        claims = json.loads(
            jws.deserialize_compact(token, public_key, algorithms=[ALGORITHM]).payload
        )
        claims["iat"] = int(timezone.now().timestamp())
        return self._serialize(claims)

    def _serialize(self, claims):
        header = {"alg": ALGORITHM, "typ": "JWT", "kid": key_id(self.did, self.key)}
        payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode()
        return jws.serialize_compact(header, payload, self._private, algorithms=[ALGORITHM])


def _date_time(day):
    """Midnight of `day` in the installation's time zone (Asia/Jakarta), as VC dates want."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _stamp(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds")


def status_list_url(status_list, issuer):
    return absolute(reverse("verify:status_list", args=[issuer.slug, status_list.number]))


def encode_bits(indexes):
    """The W3C `encodedList` of a list whose `indexes` are set: multibase base64url of gzip.

    Index 0 is the most significant bit of the first byte.
    """
    bits = bytearray(STATUS_LIST_SIZE // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def sign_status_list(status_list, signer):
    """Sign `status_list` again with its revoked credentials' bits set; saves its token."""
    url = status_list_url(status_list, signer.issuer)
    revoked = status_list.credentials.filter(certificate__revoked_at__isnull=False).values_list(
        "status_index", flat=True
    )
    now = timezone.now()
    status_list.token = signer.sign(
        {
            "@context": [VC_CONTEXT],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": {"id": signer.did, "type": ["Profile"], "name": signer.issuer.name},
            "validFrom": _stamp(now),
            "credentialSubject": {
                "id": f"{url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": encode_bits(revoked),
            },
        },
        now,
    )
    status_list.save(update_fields=["token", "updated_at"])


def _allocate(signer, count):
    """The open status list of the signer's issuer (locked) and `count` random free indexes."""
    issuer = signer.issuer
    status_list = (
        StatusList.objects.select_for_update().filter(issuer=issuer).order_by("-number").first()
    )
    used = set()
    if status_list is not None:
        used = set(status_list.credentials.values_list("status_index", flat=True))
    if status_list is None or len(used) + count > STATUS_LIST_FILL:
        number = status_list.number + 1 if status_list else 1
        status_list, used = StatusList.objects.create(issuer=issuer, number=number), set()
    draw = secrets.SystemRandom()
    chosen = []
    while len(chosen) < count:
        index = draw.randrange(STATUS_LIST_SIZE)
        if index not in used:
            used.add(index)
            chosen.append(index)
    return status_list, chosen


def _criteria(program):
    if program.assessment_required:
        return _(
            "Attended at least %(percent)s%% of the program's sessions and was judged "
            "Kompeten (competent) in its final assessment."
        ) % {"percent": program.attendance_threshold}
    return _("Attended at least %(percent)s%% of the program's sessions.") % {
        "percent": program.attendance_threshold
    }


class _Achievement:
    """The parts of a program's credentials its certificates share, built once per batch."""

    def __init__(self, program, issuer, snapshot):
        self.id = "urn:uuid:" + str(
            uuid.uuid5(
                uuid.NAMESPACE_URL, absolute(f"/issuers/{issuer.slug}/programs/{program.pk}")
            )
        )
        self.assessment_id = f"{self.id}:assessment"
        self.attendance_id = f"{self.id}:attendance"
        units = list(program.competency_units.order_by("code"))
        if snapshot.get("discreet") or not program.description.strip():
            # A discreet program's own description may name where it ran.
            description = _("Vocational training in %(skill)s, %(jp)s lesson hours (JP).") % {
                "skill": snapshot["skill_category"],
                "jp": snapshot["total_jp"],
            }
        else:
            description = program.description.strip()
        self.fields = {
            "id": self.id,
            "type": ["Achievement"],
            "achievementType": "CertificateOfCompletion",
            "name": snapshot["program_title"],
            "description": description,
            "criteria": {"narrative": _criteria(program)},
            "creditsAvailable": snapshot["total_jp"],
            "fieldOfStudy": snapshot["skill_category"],
            "inLanguage": "id",
            "resultDescription": [
                {
                    "id": self.assessment_id,
                    "type": ["ResultDescription"],
                    "name": _("Assessment result"),
                    "resultType": "Result",
                    "allowedValue": ["Kompeten", "Belum kompeten"],
                },
                {
                    "id": self.attendance_id,
                    "type": ["ResultDescription"],
                    "name": _("Attendance (%)"),
                    "resultType": "Percent",
                },
            ],
        }
        self.units = units

    def alignment(self, code, title, standard, url):
        return {
            "type": ["Alignment"],
            "targetCode": code,
            "targetName": title,
            "targetFramework": standard,
            "targetType": "ceasn:Competency",
            "targetUrl": url,
        }


def credential_of(certificate, achievement, signer, status_list, index):
    """The OpenBadgeCredential of `certificate` (a dict, unsigned), in Bahasa Indonesia."""
    snapshot = certificate.snapshot
    url = absolute(reverse("verify:verify", args=[certificate.verification_code]))
    units_url = f"{url}#competency"
    list_url = status_list_url(status_list, signer.issuer)
    standards = dict(CompetencyUnit.Standard.choices)
    results = []
    if snapshot.get("assessment_result"):
        results.append(
            {
                "type": ["Result"],
                "resultDescription": achievement.assessment_id,
                "value": snapshot["assessment_result"],
                "status": "Completed",
            }
        )
    percent = snapshot.get("attendance", {}).get("percent")
    if percent is not None:
        results.append(
            {
                "type": ["Result"],
                "resultDescription": achievement.attendance_id,
                "value": f"{percent:g}",
            }
        )
    for group in certificate.enrollment.competency_achieved:
        for unit in group.units:
            results.append(
                {
                    "type": ["Result"],
                    "value": "Kompeten",
                    "alignment": [
                        achievement.alignment(
                            unit.code, unit.title, str(standards[unit.standard]), units_url
                        )
                    ],
                }
            )
    achievement_fields = dict(achievement.fields)
    if achievement.units:
        achievement_fields["alignment"] = [
            achievement.alignment(
                unit.code, unit.title, str(unit.get_standard_display()), units_url
            )
            for unit in achievement.units
        ]
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": signer.did,
            "type": ["Profile"],
            "name": signer.issuer.name,
            "url": absolute(reverse("verify:issuer", args=[signer.issuer.slug])),
        },
        "validFrom": _stamp(_date_time(datetime.date.fromisoformat(snapshot["issued_on"]))),
        "name": _("Certificate of completion: %(program)s")
        % {"program": snapshot["program_title"]},
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": snapshot["holder_name"],
                }
            ],
            "achievement": achievement_fields,
            "result": results,
            "creditsEarned": snapshot["total_jp"],
            "activityStartDate": _stamp(
                _date_time(datetime.date.fromisoformat(snapshot["start_date"]))
            ),
            "activityEndDate": _stamp(
                _date_time(datetime.date.fromisoformat(snapshot["end_date"]))
            ),
        },
        "credentialStatus": {
            "id": f"{list_url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": list_url,
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def create_credentials(certificates):
    """Sign a credential for each certificate of completion among `certificates`.

    They are one program's, from one issuing (a batch, or one reissue), so they share an
    issuer, a key and a status list: a fixed number of queries whatever their number, and one
    insert. Statements of participation get none.
    """
    certificates = [c for c in certificates if c.kind == Certificate.Kind.COMPLETION]
    if not certificates:
        return []
    first = certificates[0]
    program = first.enrollment.program
    issuer = issuer_of(first)
    signer = Signer(issuer)
    status_list, indexes = _allocate(signer, len(certificates))
    load_achieved([certificate.enrollment for certificate in certificates])
    with translation.override("id"):
        achievement = _Achievement(program, issuer, first.snapshot)
        credentials = [
            Credential(
                certificate=certificate,
                issuer=issuer,
                key=signer.key,
                status_list=status_list,
                status_index=index,
                token=signer.sign(
                    credential_of(certificate, achievement, signer, status_list, index),
                    _date_time(datetime.date.fromisoformat(certificate.snapshot["issued_on"])),
                ),
            )
            for certificate, index in zip(certificates, indexes, strict=True)
        ]
    Credential.objects.bulk_create(credentials)
    if not status_list.token:
        sign_status_list(status_list, signer)
    return credentials


def revoke(certificate):
    """Set the bit of `certificate`'s credential (if it has one) and sign its list again.

    Called in the revoking transaction, after `revoked_at` is saved; the list's row is locked so
    that two revocations at once each sign a list holding both bits.
    """
    credential = Credential.objects.filter(certificate=certificate).first()
    if credential is None:
        return
    status_list = (
        # Only the list's row: PostgreSQL locks no row of an outer join's nullable side.
        StatusList.objects.select_for_update(of=("self",))
        .select_related("issuer__facility", "issuer__partner")
        .get(pk=credential.status_list_id)
    )
    sign_status_list(status_list, Signer(status_list.issuer))


def check_stored(credential):
    """`verifying.check` of a stored credential against its issuer's DID document and status
    list as this installation serves them: what an employer's verifier would find.

    `credential` comes with its issuer (and the issuer's facility or partner) and status list
    loaded; one query for the issuer's keys.
    """
    return verifying.check(
        credential.token,
        did_document=did_document(credential.issuer),
        status_list=credential.status_list.token,
    )
