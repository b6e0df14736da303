"""Checking an Open Badges credential (VC-JWT) with its issuer's DID document alone.

The same check serves the verification page (against the keys and list this installation
holds), `manage.py verify_credential` (against documents fetched or given as files) and the
tests. It trusts nothing in the credential that the DID document does not vouch for: the key is
the document's method named by the header's `kid`, and the document must be the issuer's.
"""

import base64
import gzip
import json
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

ALGORITHM = "ES256"
# A clock this far ahead of ours still accepts a credential signed a moment ago.
CLOCK_SKEW_SECONDS = 300


class Malformed(ValueError):
    """The text is no credential: not a compact JWS, nor a JSON wrapper holding one."""


def token_of(text):
    """The compact JWS in `text`: a bare `.jwt` or the JSON wrapper `{"compactJws": …}`."""
    text = text.strip()
    if text.startswith("{"):
        try:
            text = json.loads(text)["compactJws"].strip()
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise Malformed(_('This JSON holds no credential (no "compactJws").')) from error
    if text.count(".") != 2:
        raise Malformed(_("This is not a signed credential (a compact JWS has three parts)."))
    return text


def _part(segment):
    try:
        decoded = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = json.loads(decoded)
    except ValueError as error:
        raise Malformed(_("A part of the credential cannot be read.")) from error
    if not isinstance(value, dict):
        raise Malformed(_("A part of the credential cannot be read."))
    return value


def unverified(token):
    """(header, payload) of `token` as written, before any check: for display and resolving."""
    header, payload, _signature = token_of(token).split(".")
    return _part(header), _part(payload)


def read_bit(encoded_list, index):
    """The bit `index` of a W3C `encodedList` (multibase base64url of gzip, MSB first)."""
    if not encoded_list.startswith("u"):
        raise Malformed(_("The status list is not multibase base64url."))
    packed = base64.urlsafe_b64decode(encoded_list[1:] + "=" * (-len(encoded_list[1:]) % 4))
    bits = gzip.decompress(packed)
    if index >= len(bits) * 8:
        raise Malformed(_("The status list is shorter than the credential's index."))
    return (bits[index // 8] >> (7 - index % 8)) & 1


@dataclass
class Outcome:
    """What a check found. `valid` only when the signature holds, nothing is wrong and the
    credential is not revoked; `status` is "active", "revoked" or "unchecked" (no list)."""

    signature: bool = False
    status: str = "unchecked"
    problems: list = field(default_factory=list)
    header: dict = field(default_factory=dict)
    credential: dict = field(default_factory=dict)

    @property
    def valid(self):
        return self.signature and not self.problems and self.status != "revoked"


def _verified_payload(token, did_document, outcome):
    """The payload of `token` if its signature holds under the DID document's key named by
    its `kid`; None otherwise, with the reason in `outcome.problems`."""
    header, payload = unverified(token)
    outcome.header = header
    if header.get("alg") != ALGORITHM:
        outcome.problems.append(
            _("Signed with %(alg)s; only ES256 is accepted.") % {"alg": header.get("alg")}
        )
        return None
    methods = {
        method.get("id"): method
        for method in did_document.get("verificationMethod", [])
        if isinstance(method, dict)
    }
    method = methods.get(header.get("kid"))
    if method is None:
        outcome.problems.append(
            _("The issuer's DID document has no key %(kid)s.") % {"kid": header.get("kid")}
        )
        return None
    try:
        key = ECKey.import_key(method["publicKeyJwk"])
        jws.deserialize_compact(token, key, algorithms=[ALGORITHM])
    except (JoseError, KeyError, ValueError, TypeError):
        outcome.problems.append(_("The signature does not match the credential's content."))
        return None
    return payload


def _check_claims(payload, did, outcome, now):
    issuer = payload.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if payload.get("iss") != did or issuer_id != did:
        outcome.problems.append(_("The credential's issuer is not the DID document's."))
    if payload.get("jti") != payload.get("id"):
        outcome.problems.append(_("The credential's jti is not its id."))
    if not isinstance(payload.get("nbf"), int) or payload["nbf"] > now + CLOCK_SKEW_SECONDS:
        outcome.problems.append(_("The credential is not valid yet."))


def check(text, *, did_document, status_list=None, now=None):
    """Check the credential in `text` (JWS or JSON wrapper) against `did_document` (a dict).

    `status_list` is the issuer's signed status list credential (its compact JWS) named by the
    credential's `credentialStatus`; without it the status is left "unchecked". Never raises
    for a bad credential: what is wrong is in the outcome's `problems`.
    """
    outcome = Outcome()
    now = int((now or timezone.now()).timestamp())
    try:
        token = token_of(text)
        payload = _verified_payload(token, did_document, outcome)
    except Malformed as error:
        outcome.problems.append(str(error))
        return outcome
    if payload is None:
        return outcome
    outcome.signature = True
    outcome.credential = payload
    did = did_document.get("id")
    if not str(outcome.header.get("kid", "")).startswith(f"{did}#"):
        outcome.problems.append(_("The signing key is not the issuer's."))
    _check_claims(payload, did, outcome, now)
    types = payload.get("type") or []
    if "OpenBadgeCredential" not in types and "AchievementCredential" not in types:
        outcome.problems.append(_("This is not an Open Badges credential."))
    if status_list is not None:
        _check_status(payload, status_list, did_document, outcome, now)
    return outcome


def _check_status(payload, status_list, did_document, outcome, now):
    entry = payload.get("credentialStatus") or {}
    listed = Outcome()
    try:
        list_payload = _verified_payload(token_of(status_list), did_document, listed)
    except Malformed as error:
        outcome.problems.append(str(error))
        return
    if list_payload is None:
        outcome.problems.append(_("The status list's signature does not hold."))
        return
    _check_claims(list_payload, did_document.get("id"), listed, now)
    if listed.problems:
        outcome.problems.extend(listed.problems)
        return
    if list_payload.get("id") != entry.get("statusListCredential"):
        outcome.problems.append(_("This status list is not the one the credential names."))
        return
    subject = list_payload.get("credentialSubject") or {}
    if subject.get("statusPurpose") != entry.get("statusPurpose"):
        # A set bit in a list of another purpose (e.g. suspension) means something else.
        outcome.problems.append(_("The status list is not for the credential's status purpose."))
        return
    try:
        bit = read_bit(subject.get("encodedList", ""), int(entry.get("statusListIndex", "")))
    except (Malformed, ValueError, OSError, EOFError):
        outcome.problems.append(_("The status list cannot be read."))
        return
    outcome.status = "revoked" if bit else "active"
