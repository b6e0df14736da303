"""The public verification page an employer reaches from a certificate's QR code.

No login: it shows only whether the certificate is valid, its number, the holder's masked name
(see `mask_name`), the program, the issuer and the date, the competency units achieved with
the LSP's certificate number, the number that replaced a revoked one or that a reissued one
replaces, and never the facility of a discreet certificate. It is kept out of search engines
and rate limited per client IP, as anyone may call it.

A certificate of completion signed as an Open Badges credential (#14) also offers it for
download and shows what checking it finds: its signature under the issuer's DID document and its
bit in the issuer's signed status list, as an employer's verifier would find them.
"""

import datetime

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from certificates import credentials, ratelimit
from certificates.competency import achieved_by_id
from certificates.models import Certificate


def mask_name(name):
    """The holder's name as the public sees it: enough to match a paper in hand, no more.

    The first word keeps its first two letters and every other letter becomes "*" (a word of
    two letters or fewer keeps only its first); each later word becomes its initial and a dot.
    So "Supriadi" → "Su******", "Muhammad Rizal Saputra" → "Mu****** R. S.", "Ai" → "A*".
    A one-word name is masked too: printed in full it would name the holder to anyone.
    """
    parts = name.split()
    if not parts:
        return ""
    first, *others = parts
    shown = 2 if len(first) > 2 else 1
    return " ".join(
        [first[:shown] + "*" * (len(first) - shown), *(f"{part[0]}." for part in others)]
    )


def _noindex(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def verify(request, code):
    """Show a certificate's validity by its verification code.

    Queries: the certificate joined with the certificates it replaces and that replaced it and
    with its credential's issuer (facility or partner) and status list; a credential adds its
    issuer's keys (the DID document), a valid certificate of completion its competency units.
    """
    refused = ratelimit.verify_refusal(request)
    if refused is not None:
        return _noindex(refused)
    # The certificate it replaces, the one that replaced it and the credential with what
    # checking it needs but the keys come in the same query.
    certificate = (
        Certificate.objects.select_related(
            "replaces",
            "replaced_by",
            "credential__issuer__facility",
            "credential__issuer__partner",
            "credential__status_list",
        )
        .filter(verification_code=code)
        .first()
    )
    if certificate is None:
        return _noindex(render(request, "certificates/verify.html", {"code": code}, status=404))
    snapshot = certificate.snapshot
    # Old certificates were issued before credentials existed, statements never get one.
    credential = getattr(certificate, "credential", None)
    context = {
        "certificate": certificate,
        "number": snapshot.get("number", certificate.number),
        "holder": mask_name(snapshot.get("holder_name", "")),
        "program_title": snapshot.get("program_title", ""),
        "issuer": snapshot.get("issuer", {}).get("name", ""),
        "issued_on": datetime.date.fromisoformat(snapshot["issued_on"]),
        "is_statement": certificate.kind == Certificate.Kind.PARTICIPATION,
        "replaces": certificate.replaces,
        # A reverse one-to-one raises when empty; the join above fetched it either way.
        "replaced_by": getattr(certificate, "replaced_by", None),
        # The LSP's units achieved, as they are now (see certificates.competency); a revoked
        # paper attests nothing, so it lists none.
        "competency": achieved_by_id(certificate.enrollment_id)
        if certificate.kind == Certificate.Kind.COMPLETION and certificate.revoked_at is None
        else [],
        "today": timezone.localdate(),
        "credential": credential,
    }
    if credential is not None:
        context["check"] = credentials.check_stored(credential)
        context["credential_did"] = credentials.did_of(credential.issuer)
    return _noindex(render(request, "certificates/verify.html", context))
