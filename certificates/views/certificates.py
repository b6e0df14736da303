"""The facility's certificates: the list, one certificate's page, revoking and reissuing.

Admins, staff and the viewer (the Kalapas, who signs them) read the list and the pages; only
admins revoke and reissue. Trainers get 403; another facility's certificate is a 404.
"""

import datetime
from functools import lru_cache

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models.fields.json import KT
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import ListView

from certificates import credentials, services, verifying
from certificates.forms import CertificateFilterForm, ReissueForm, RevokeForm
from certificates.models import Certificate
from certificates.pdf import qr_code, verification_url
from certificates.views.common import error_messages, facility_certificates, form_errors
from lapas_training import audit
from lapas_training.access import ADMIN_ONLY, READERS, RoleRequiredMixin, role_required
from lapas_training.links import url_by_pk
from programs.models import Program

# A certificate's verification address never changes, nor does its code: drawn once per
# address for as long as the process lives, instead of on every view of the page.
cached_qr_code = lru_cache(maxsize=1024)(qr_code)


class CertificateListView(RoleRequiredMixin, ListView):
    """The facility's certificates and statements, newest first, searched and filtered.

    Queries: session, user, facility (scope), the years for the filter, the count, one page of
    certificates with their program's title, the programs for the filter; a chosen program adds
    one to check it. Each row's links and labels are set in Python (`with_row_labels`).
    """

    roles = READERS
    paginate_by = 25
    template_name = "certificates/certificate_list.html"
    context_object_name = "certificates"

    def get_queryset(self):
        certificates = facility_certificates(self.request)
        self.filter_form = CertificateFilterForm(
            self.request.GET,
            # Only the programs that have certificates: the others would always list nothing.
            programs=Program.objects.in_scope(self.request.scope)
            .filter(pk__in=certificates.values("enrollment__program"))
            .only("pk", "title")
            .order_by("-start_date", "title"),
            years=list(certificates.order_by("-year").values_list("year", flat=True).distinct()),
        )
        return (
            self.filter_form.filter(certificates)
            .select_related("enrollment__program")
            # A row shows two keys of the snapshot, not the whole frozen document.
            .only("number", "kind", "revoked_at", "issued_at", "enrollment__program__title")
            .annotate(
                holder_name=KT("snapshot__holder_name"), printed_date=KT("snapshot__issued_on")
            )
            .order_by("-issued_at", "-pk")
        )

    def paginate_queryset(self, queryset, page_size):
        paginator, page, certificates, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = with_row_labels(list(certificates))
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


def with_row_labels(certificates):
    """`certificates` (a list, annotated as CertificateListView's) with `url`, `program_url`,
    `kind_label` and `issued_on`, the date printed on it (which may be earlier than the day it
    was recorded): made once for the page instead of two reverse() and a get_kind_display() a
    row."""
    kinds = {value: str(label) for value, label in Certificate.Kind.choices}
    detail_url = url_by_pk("certificates:certificate_detail")
    program_url = url_by_pk("programs:program_detail")
    for certificate in certificates:
        certificate.url = detail_url(certificate.pk)
        certificate.program_url = program_url(certificate.enrollment.program_id)
        certificate.kind_label = kinds.get(certificate.kind, certificate.kind)
        certificate.issued_on = datetime.date.fromisoformat(certificate.printed_date)
    return certificates


@require_safe
@role_required(READERS)
def certificate_detail(request, pk):
    """One certificate: holder, program, status, the verdict it was issued on, PDF, QR, history.

    Queries: session, user, facility (scope), then one for the certificate joined with its
    program, holder, issuer, revoker, the certificates it replaces and was replaced by, and its
    Open Badges credential with the credential's issuer, key and status list.
    """
    certificate = get_object_or_404(
        facility_certificates(request).select_related(
            "enrollment__program",
            "enrollment__inmate",
            "issued_by",
            "revoked_by",
            "replaces",
            "replaced_by__issued_by",
            "credential__issuer__facility",
            "credential__issuer__partner",
            "credential__key",
            "credential__status_list",
        ),
        pk=pk,
    )
    snapshot = certificate.snapshot
    url = verification_url(certificate, request)
    context = {
        "certificate": certificate,
        "snapshot": snapshot,
        "start_date": datetime.date.fromisoformat(snapshot["start_date"]),
        "end_date": datetime.date.fromisoformat(snapshot["end_date"]),
        "issued_on": datetime.date.fromisoformat(snapshot["issued_on"]),
        "is_statement": certificate.kind == Certificate.Kind.PARTICIPATION,
        "replaces": certificate.replaces,
        # A reverse one-to-one raises when empty; the join above fetched it either way.
        "replaced_by": getattr(certificate, "replaced_by", None),
        "verify_url": url,
        "qr": cached_qr_code(url),
        "can_revoke": request.user.is_admin and certificate.revoked_at is None,
    }
    # Statements and certificates issued before #14 have none.
    credential = getattr(certificate, "credential", None)
    if credential is not None:
        did = credentials.did_of(credential.issuer)
        context["credential"] = credential
        context["credential_did"] = did
        context["credential_kid"] = credentials.key_id(did, credential.key)
        context["credential_bit"] = status_bit(credential)
    if context["can_revoke"]:
        # Two forms on one page, each field named "reason": distinct ids keep labels apart.
        context["revoke_form"] = RevokeForm(auto_id="revoke_%s")
        context["reissue_form"] = ReissueForm(auto_id="reissue_%s")
    return render(request, "certificates/certificate_detail.html", context)


def status_bit(credential):
    """Whether `credential`'s bit is set in its status list as the list is served (signed at
    the last revocation); None if the stored list cannot be read."""
    try:
        _header, payload = verifying.unverified(credential.status_list.token)
        encoded = payload["credentialSubject"]["encodedList"]
        return bool(verifying.read_bit(encoded, credential.status_index))
    except (verifying.Malformed, KeyError, TypeError, ValueError, OSError, EOFError):
        return None


@require_POST
@role_required(ADMIN_ONLY)
def certificate_revoke(request, pk):
    """Revoke a certificate with a reason; it stays on the list and verifies as revoked."""
    certificate = get_object_or_404(facility_certificates(request), pk=pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_certificate(
                certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            error_messages(request, error)
        else:
            audit.record(
                request,
                kind=audit.Kind.CERTIFICATE_REVOKED,
                facility=certificate.facility_id,
                user=request.user,
                obj=certificate,
                detail=form.cleaned_data["reason"],
            )
            messages.success(
                request, _("Certificate %(number)s revoked.") % {"number": certificate.number}
            )
    else:
        form_errors(request, form)
    return redirect("certificates:certificate_detail", certificate.pk)


@require_POST
@role_required(ADMIN_ONLY)
def certificate_reissue(request, pk):
    """Revoke a certificate and issue a new number in its place, optionally with a corrected name.

    Leads to the new certificate's page; on an error, back to the old one's with the message.
    """
    certificate = get_object_or_404(facility_certificates(request), pk=pk)
    form = ReissueForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("certificates:certificate_detail", certificate.pk)
    try:
        new = services.reissue_certificate(
            certificate=certificate,
            by=request.user,
            reason=form.cleaned_data["reason"],
            holder_name=form.cleaned_data["holder_name"],
        )
    except ValidationError as error:
        error_messages(request, error)
        return redirect("certificates:certificate_detail", certificate.pk)
    audit.record(
        request,
        kind=audit.Kind.CERTIFICATE_REISSUED,
        facility=new.facility_id,
        user=request.user,
        obj=new,
        detail=reissue_detail(certificate, new, form.cleaned_data["reason"]),
    )
    messages.success(
        request,
        _("Certificate %(old)s revoked and reissued as %(new)s.")
        % {"old": certificate.number, "new": new.number},
    )
    return redirect("certificates:certificate_detail", new.pk)


def reissue_detail(old, new, reason):
    """The audit log's "before → after" of a reissue: the number, the name if it changed, and
    the reason."""
    changes = [f"{old.number} → {new.number}"]
    before, after = old.snapshot.get("holder_name"), new.snapshot.get("holder_name")
    if before != after:
        changes.append(f"{before} → {after}")
    return "; ".join([*changes, reason])
