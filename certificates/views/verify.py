"""The public verification page an employer reaches from a certificate's QR code.

No login: it shows only whether the certificate is valid, its number, the holder's masked name,
the program, the issuer and the date, and never the facility of a discreet certificate. It is
kept out of search engines and rate limited per client IP, as anyone may call it.
"""

import datetime

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from certificates import ratelimit
from certificates.models import Certificate


def mask_name(name):
    """The first name in full, the others as initials: "Muhammad Rizal Saputra" → "Muhammad R. S."."""
    parts = name.split()
    if not parts:
        return ""
    first, *others = parts
    return " ".join([first, *(f"{part[0]}." for part in others)])


def _noindex(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def verify(request, code):
    """Show a certificate's validity by its verification code. One query."""
    retry_after = ratelimit.hit("verify", ratelimit.client_ip(request), settings.VERIFY_RATE_LIMIT)
    if retry_after is not None:
        response = HttpResponse(
            _("Too many verification requests. Please try again later."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(retry_after)
        return _noindex(response)
    certificate = Certificate.objects.filter(verification_code=code).first()
    if certificate is None:
        return _noindex(render(request, "certificates/verify.html", {"code": code}, status=404))
    snapshot = certificate.snapshot
    context = {
        "certificate": certificate,
        "number": snapshot.get("number", certificate.number),
        "holder": mask_name(snapshot.get("holder_name", "")),
        "program_title": snapshot.get("program_title", ""),
        "issuer": snapshot.get("issuer", {}).get("name", ""),
        "issued_on": datetime.date.fromisoformat(snapshot["issued_on"]),
        "is_statement": certificate.kind == Certificate.Kind.PARTICIPATION,
    }
    return _noindex(render(request, "certificates/verify.html", context))
