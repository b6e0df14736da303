"""The printed certificate (or statement of participation) of one holder.

Everyone who reads the facility's certificates may print one: admins, staff and the viewer
(the Kalapas, who signs them). Trainers get 403; another facility's certificate is a 404.
"""

from django.db.models import Prefetch
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from certificates import pdf_cache
from certificates.pdf import certificate_pdf
from certificates.views.common import facility_certificates
from lapas_training import audit
from lapas_training.access import READERS, role_required
from programs.models import ProgramPartner


@require_safe
@role_required(READERS)
def certificate_pdf_view(request, pk):
    """One certificate as a PDF, Indonesian unless `?lang=en`.

    A revoked certificate still prints (the verification page tells it is revoked). Rendered
    once per language and what it prints, then served from the stored file
    (certificates.pdf_cache) after the same checks.

    Queries: session, user, facility (scope); the certificate with facility and program; the
    program's partner links with their partners; the holder's competency units; the audit
    event's INSERT. From the stored file that is all it costs.
    """
    certificate = get_object_or_404(
        facility_certificates(request)
        .select_related("facility", "enrollment__program")
        # The lead partner's logo is printed; one query brings the links with their partners.
        .prefetch_related(
            Prefetch(
                "enrollment__program__program_partners",
                queryset=ProgramPartner.objects.select_related("partner"),
            )
        ),
        pk=pk,
    )
    language = "en" if request.GET.get("lang") == "en" else "id"
    name = pdf_cache.stored_name(certificate, language=language, request=request)
    stored = pdf_cache.open_stored(name)
    if stored is None:
        pdf = certificate_pdf([certificate], language=language, request=request)
        pdf_cache.store(name, pdf)
        response = HttpResponse(pdf, content_type="application/pdf")
    else:
        response = FileResponse(stored, content_type="application/pdf")
    audit.record(
        request,
        kind=audit.Kind.CERTIFICATE_PRINTED,
        facility=certificate.facility_id,
        user=request.user,
        obj=certificate,
    )
    filename = f"sertifikat-{slugify(certificate.number.replace('/', '-'))}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename)
    # A certificate names its holder: no shared cache may keep it.
    response["Cache-Control"] = "private"
    return response
