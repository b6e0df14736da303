"""`manage.py verify_credential FILE`: check an Open Badges credential as an employer would (#14).

FILE is the credential as a verification page offers it: the `.jwt` or the JSON wrapper. The
issuer's DID document is resolved from the credential's `did:web` and its revocation list fetched
from the address the credential names, unless they are given as files (--did-document,
--status-list): then nothing goes over the network, and a credential can be checked on a machine
cut off from our server, or after it is gone. Plain HTTP only with --allow-http (an intranet
installation, a test server): over it, anyone on the way could hand over another key.

The status list is fetched only once the signature holds, so the only address taken from an
unverified credential is its issuer's DID document.

Exit status: 0 valid, 1 not valid (signature, claims, revoked), 2 when the input cannot be used
(a missing or unreadable file, an issuer or a list that cannot be fetched).
"""

import http.client
import json
import re
import ssl
import urllib.error
import urllib.request
from urllib.parse import unquote, urlsplit

from django.core.management.base import BaseCommand, CommandError, no_translations

from certificates import verifying

# A DID document or a status list is a few kilobytes (the list's 16 KiB of bits are gzipped): a
# bigger answer is no such document, and is not read into memory.
MAX_BYTES = 1_000_000
INVALID = 1
UNUSABLE = 2
# did:web method-specific identifier: host[%3Aport] then path segments, ':'-separated.
DID_WEB = re.compile(r"did:web:([A-Za-z0-9._%-]+(?::[A-Za-z0-9._%-]+)*)")
HOST = re.compile(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")


class Unusable(Exception):
    """The input cannot be checked at all: exit status 2."""


def did_web_url(did, *, allow_http=False):
    """The address of the DID document of `did`, by the did:web method's Read rule.

    `did:web:host%3Aport:a:b` → `https://host:port/a/b/did.json`; a bare host's document is
    at `https://host/.well-known/did.json`. Only the port's colon is percent-decoded: the path
    segments stay as written, already percent-encoded for a URL.
    """
    match = DID_WEB.fullmatch(did or "")
    if match is None:
        raise Unusable(
            f"The issuer {did!r} is not a did:web identifier, which this command can resolve: "
            "give its DID document with --did-document."
        )
    host, *path = match[1].split(":")
    host = unquote(host)
    if not HOST.fullmatch(host):
        raise Unusable(f"The issuer {did!r} names no valid host.")
    scheme = "http" if allow_http else "https"
    location = "/".join(path) if path else ".well-known"
    return f"{scheme}://{host}/{location}/did.json"


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to an accepted scheme: https may not turn into plain http."""

    def __init__(self, schemes):
        super().__init__()
        self.schemes = schemes

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in self.schemes:
            fp.close()
            raise Unusable(
                f"{req.full_url} redirects to {newurl}: refused, plain HTTP needs --allow-http."
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def capital(text):
    return text[:1].upper() + text[1:]


def fetch(url, *, what, option, allow_http, timeout):
    """The body of `url` (at most MAX_BYTES), over https, or http with `allow_http`."""
    schemes = ("https", "http") if allow_http else ("https",)
    scheme = urlsplit(url).scheme
    if scheme == "http" and not allow_http:
        raise Unusable(
            f"{capital(what)} is at {url}, over plain HTTP: refused. Give --allow-http to fetch "
            f"it anyway (an intranet or a test server), or the file with {option}."
        )
    if scheme not in schemes:
        raise Unusable(f"{capital(what)} is at {url!r}, which is no https:// address.")
    opener = urllib.request.build_opener(_Redirects(schemes))
    request = urllib.request.Request(
        url, headers={"User-Agent": "lapas-training verify_credential"}
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise Unusable(
            f"Cannot fetch {what} from {url}: the server answered {error.code} {error.reason}."
        ) from error
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        hint = ""
        if isinstance(reason, ssl.SSLError) and not allow_http:
            hint = " If the issuer's server speaks plain HTTP (an intranet), give --allow-http."
        raise Unusable(f"Cannot fetch {what} from {url}: {reason}.{hint}") from error
    if len(body) > MAX_BYTES:
        raise Unusable(f"{capital(what)} at {url} is larger than {MAX_BYTES:,} bytes: refused.")
    return body


def read_file(path, what):
    try:
        with open(path, "rb") as file:
            body = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise Unusable(f"Cannot read {what} {path}: {error.strerror or error}.") from error
    if len(body) > MAX_BYTES:
        raise Unusable(f"{capital(what)} {path} is larger than {MAX_BYTES:,} bytes: refused.")
    return body


def text_of(body, what):
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unusable(f"{what} is not text (UTF-8).") from error


def did_document_of(body, what):
    try:
        document = json.loads(text_of(body, what))
    except ValueError as error:
        raise Unusable(f"{what} is not JSON.") from error
    if not isinstance(document, dict):
        raise Unusable(f"{what} is not a DID document (a JSON object).")
    return document


def dig(value, *keys):
    """`value[key][key]…`, or None where the untrusted credential has no such object."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def printable(value):
    """`value` for a terminal: what a forged credential says is printed too, and a control
    character in it could move the cursor and overwrite the verdict."""
    if value in (None, ""):
        return "-"
    return "".join(
        char if char.isprintable() else "\N{REPLACEMENT CHARACTER}" for char in str(value)
    )


def holder_of(credential):
    identifiers = dig(credential, "credentialSubject", "identifier")
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if dig(identifier, "identityType") == "name" and not dig(identifier, "hashed"):
            return dig(identifier, "identityHash")
    return None


class Command(BaseCommand):
    help = (
        "Check an Open Badges credential (.jwt or the JSON wrapper) against its issuer's DID "
        "document and revocation list, fetched over HTTPS or given as files. Exit status 0 "
        "valid, 1 not valid or revoked, 2 unusable input."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the credential: a .jwt file or the JSON wrapper")
        parser.add_argument(
            "--did-document",
            metavar="FILE",
            help="the issuer's DID document (did.json) from a file, instead of fetching it",
        )
        parser.add_argument(
            "--status-list",
            metavar="FILE",
            help="the issuer's signed status list from a file, instead of fetching it",
        )
        parser.add_argument(
            "--allow-http",
            action="store_true",
            help="fetch over plain HTTP (an intranet or a test server) instead of HTTPS",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=10.0,
            metavar="S",
            help="seconds to wait for each fetch (default 10)",
        )

    # English, like the other commands: an operator's tool, and a report half in the server's
    # language (verifying's problems are translated) would read worse than one in either.
    @no_translations
    def handle(self, *args, file, did_document, status_list, allow_http, timeout, **options):
        if timeout <= 0:
            raise CommandError("--timeout must be a positive number of seconds.", returncode=2)
        network = {"allow_http": allow_http, "timeout": timeout}
        try:
            header, credential, outcome = self.examine(
                file, did_document, status_list, network=network
            )
        except Unusable as error:
            raise CommandError(str(error), returncode=UNUSABLE) from error
        self.report(header, credential, outcome)
        if outcome.status == "revoked":
            raise CommandError("Not valid: revoked by its issuer.", returncode=INVALID)
        if not outcome.valid:
            more = len(outcome.problems) - 1
            extra = f" (and {more} more)" if more else ""
            raise CommandError(
                f"Not valid: {printable(outcome.problems[0])}{extra}", returncode=INVALID
            )

    def examine(self, file, did_document_file, status_list_file, *, network):
        """(header, credential as written, outcome): the credential checked against its
        issuer's DID document and status list, read from the files or fetched."""
        text = text_of(read_file(file, "the credential"), "The credential")
        try:
            header, credential = verifying.unverified(text)
        except verifying.Malformed as error:
            raise Unusable(f"{file} is not a credential: {error}") from error
        if did_document_file:
            body = read_file(did_document_file, "the DID document")
            document = did_document_of(body, "The DID document")
        else:
            url = did_web_url(credential.get("iss"), allow_http=network["allow_http"])
            body = fetch(url, what="the issuer's DID document", option="--did-document", **network)
            document = did_document_of(body, f"The DID document at {url}")
        if status_list_file:
            listed = text_of(read_file(status_list_file, "the status list"), "The status list")
            return (
                header,
                credential,
                verifying.check(text, did_document=document, status_list=listed),
            )
        outcome = verifying.check(text, did_document=document)
        url = dig(outcome.credential, "credentialStatus", "statusListCredential")
        if not outcome.signature or not isinstance(url, str):
            return header, credential, outcome
        body = fetch(url, what="the status list", option="--status-list", **network)
        listed = text_of(body, f"The status list at {url}")
        return header, credential, verifying.check(text, did_document=document, status_list=listed)

    def report(self, header, credential, outcome):
        issuer = credential.get("issuer")
        issuer_name = dig(issuer, "name") if isinstance(issuer, dict) else None
        issuer_id = dig(issuer, "id") if isinstance(issuer, dict) else issuer
        achievement = dig(credential, "credentialSubject", "achievement", "name")
        credits = dig(credential, "credentialSubject", "achievement", "creditsAvailable")
        if achievement and credits:
            achievement = f"{achievement} ({credits} JP)"
        valid_from = credential.get("validFrom")
        rows = [
            ("Credential", credential.get("name")),
            ("Issuer", issuer_name),
            ("Issuer DID", issuer_id),
            ("Holder", holder_of(credential)),
            ("Achievement", achievement),
            ("Issued on", valid_from[:10] if isinstance(valid_from, str) else None),
            ("Signing key", header.get("kid")),
        ]
        if outcome.signature:
            rows.append(("Signature", "valid"))
        else:
            rows.append(("Signature", "NOT valid: nothing above is vouched for by the issuer"))
        rows.append(
            (
                "Status",
                {
                    "active": "active (not revoked)",
                    "revoked": "REVOKED",
                    "unchecked": "not checked",
                }[outcome.status],
            )
        )
        width = max(len(label) for label, _value in rows)
        for label, value in rows:
            self.stdout.write(f"{label.ljust(width)}  {printable(value)}")
        for problem in outcome.problems:
            self.stdout.write(f"{'Problem'.ljust(width)}  {printable(problem)}")
        if outcome.valid:
            self.stdout.write(self.style.SUCCESS(f"{'Result'.ljust(width)}  VALID"))
        else:
            self.stdout.write(self.style.ERROR(f"{'Result'.ljust(width)}  NOT VALID"))
