"""The public side of the Open Badges credentials (#14): no login, as an employer's verifier
or wallet must read them.

- `/issuers/<slug>/did.json`: the issuer's DID document (its `did:web`), every key it ever had;
- `/issuers/<slug>/`: the issuer's profile page;
- `/issuers/<slug>/status/<n>`: a signed revocation list, as stored at the last revocation;
- `/verify/<code>/credential.jwt` and `.json`: a certificate's credential, found by the code
  printed in its QR code, rate limited with the verification page;
- `/verifier/`: the offline verifier page (static/verifier), to use here or save and open
  from a file.

A discreet program's issuer is its lead partner: none of these name the facility.
"""

import base64
import functools
import hashlib
import json
import re

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from certificates import credentials, ratelimit, verifying
from certificates.models import Credential, Issuer, StatusList

VERIFIER = settings.BASE_DIR / "static" / "verifier" / "credential-verifier.html"

# Public documents that change rarely: caches may keep them a while, any site may fetch them.
PUBLIC_SECONDS = 300


def _public(response, seconds=PUBLIC_SECONDS):
    response["Cache-Control"] = f"public, max-age={seconds}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _issuer(slug):
    return get_object_or_404(Issuer.objects.select_related("facility", "partner"), slug=slug)


@require_safe
def did_json(request, slug):
    """The issuer's DID document. Two queries: the issuer, its keys."""
    issuer = _issuer(slug)
    return _public(
        JsonResponse(
            credentials.did_document(issuer),
            content_type="application/did+ld+json",
            json_dumps_params={"indent": 2},
        )
    )


@require_safe
def status_list(request, slug, number):
    """A signed status list credential (application/vc+jwt). One query."""
    found = get_object_or_404(StatusList, issuer__slug=slug, number=number)
    if not found.token:
        raise Http404
    # Short: a verifier must see a revocation within minutes.
    return _public(HttpResponse(found.token, content_type="application/vc+jwt"), seconds=60)


@require_safe
def profile(request, slug):
    """The issuer's profile: its name, DID, keys and lists. Three queries."""
    issuer = _issuer(slug)
    keys = list(issuer.keys.order_by("number"))
    signing = [key for key in keys if key.withdrawn_at is None][-1:]
    did = credentials.did_of(issuer)
    context = {
        "issuer": issuer,
        "did": did,
        "keys": [
            {"id": credentials.key_id(did, key), "key": key, "current": key in signing}
            for key in keys
        ],
        "status_lists": list(issuer.status_lists.order_by("number")),
    }
    return render(request, "certificates/issuer_profile.html", context)


def _credential(code):
    return get_object_or_404(
        Credential.objects.select_related("certificate"), certificate__verification_code=code
    )


def _download(response, credential, extension):
    number = credential.certificate.number.replace("/", "-").replace(".", "-")
    response["Content-Disposition"] = f'attachment; filename="{slugify(number)}.{extension}"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def credential_jwt(request, code):
    """The certificate's credential as its compact JWS. One query."""
    refused = ratelimit.verify_refusal(request)
    if refused is not None:
        return refused
    credential = _credential(code)
    return _download(
        HttpResponse(credential.token, content_type="application/vc+jwt"), credential, "jwt"
    )


@require_safe
def credential_json(request, code):
    """The credential in a JSON wrapper: the JWS and, to read, its payload. One query."""
    refused = ratelimit.verify_refusal(request)
    if refused is not None:
        return refused
    credential = _credential(code)
    _header, payload = verifying.unverified(credential.token)
    body = json.dumps(
        {"compactJws": credential.token, "credential": payload}, ensure_ascii=False, indent=2
    )
    return _download(
        HttpResponse(body, content_type="application/json; charset=utf-8"), credential, "json"
    )


@functools.cache
def _verifier_page():
    """The verifier page's bytes and the policy that lets its inline script (only) run.

    Served by the app's own policy it would not start (`script-src 'self'`), and an exception
    by path for 'unsafe-inline' would be wider than this page: its script's hash is exact.
    """
    page = VERIFIER.read_bytes()
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in re.findall(rb"<script>(.*?)</script>", page, re.DOTALL)
    )
    policy = (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; "
        "form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
    return page, policy


@require_safe
def verifier(request):
    """The offline verifier, to use in place or to save (no query)."""
    page, policy = _verifier_page()
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    # Set here, the middleware leaves it as it is.
    response["Content-Security-Policy"] = policy
    return _public(response, seconds=3600)
