"""Certificates and statements of participation as one PDF, printed from their frozen snapshot.

Everything printed comes from `Certificate.snapshot`, so editing the program later never changes
an issued certificate. This module renders the HTML, one section per printed side;
`certificates.rendering` lays it out with WeasyPrint (there, or in the bulk printing workers). Only the logos are current (Facility.logo and the lead Partner.logo, or the
default drawings in static/img): they are decoration, not content. Uploaded logos go in as data:
URIs, so `attendance.pdf.render_pdf`'s fetcher never has to reach MEDIA_ROOT, and the holder's name
and every other snapshot text are autoescaped: a name made of markup prints as that markup.
"""

import base64
import datetime
import mimetypes

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from attendance.pdf import static_file_url
from certificates import rendering
from programs.models import ProgramPartner

# Raster, not SVG: WeasyPrint draws an SVG again on every page, a PNG is embedded once.
DEFAULT_FACILITY_LOGO = "img/emblem.png"
DEFAULT_PARTNER_LOGO = "img/partner.png"


def verification_url(certificate, request=None):
    """The absolute address of the certificate's public verification page."""
    path = reverse("verify:verify", args=[certificate.verification_code])
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def date_range(start, end):
    """ "4 to 8 August 2025" in the active language, naming month and year once where shared."""
    if (start.year, start.month) == (end.year, end.month):
        first = str(start.day)
    elif start.year == end.year:
        first = formats.date_format(start, "j F")
    else:
        first = formats.date_format(start, "j F Y")
    return _("%(start)s to %(end)s") % {"start": first, "end": formats.date_format(end, "j F Y")}


class Logos:
    """Logo URLs per facility and partner, each file read once per document."""

    def __init__(self):
        self._cache = {}

    def url(self, owner, default):
        key = (type(owner).__name__, owner.pk) if owner is not None else default
        if key not in self._cache:
            self._cache[key] = self._load(owner, default)
        return self._cache[key]

    @staticmethod
    def _load(owner, default):
        logo = getattr(owner, "logo", None)
        if logo:
            try:
                with logo.open("rb") as file:
                    data = file.read()
            except OSError:
                # A logo lost from MEDIA_ROOT must not stop the printing: fall back to the default.
                return static_file_url(default)
            content_type = mimetypes.guess_type(logo.name)[0] or "image/png"
            return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"
        return static_file_url(default)


def _lead_partner(certificate):
    for link in certificate.enrollment.program.program_partners.all():
        if link.role == ProgramPartner.Role.LEAD:
            return link.partner
    return None


def _document(certificate, logos, request):
    snapshot = certificate.snapshot
    discreet = bool(snapshot.get("discreet"))
    start = datetime.date.fromisoformat(snapshot["start_date"])
    end = datetime.date.fromisoformat(snapshot["end_date"])
    issuer = snapshot["issuer"]["name"]
    url = verification_url(certificate, request)
    participation = snapshot.get("participation") or {}
    return {
        "certificate": certificate,
        "s": snapshot,
        "discreet": discreet,
        "dates": date_range(start, end),
        "start_date": start,
        "end_date": end,
        "issued_on": datetime.date.fromisoformat(snapshot["issued_on"]),
        "issuer": issuer,
        # The issuer is named once; "in cooperation with" lists the others.
        "cooperation": [p["name"] for p in snapshot.get("partners", []) if p["name"] != issuer],
        # A venue inside the prison would betray it, so a discreet certificate names none.
        "place": "" if discreet else snapshot.get("place", ""),
        "facility_logo": None
        if discreet
        else logos.url(certificate.facility, DEFAULT_FACILITY_LOGO),
        "partner_logo": logos.url(_lead_partner(certificate), DEFAULT_PARTNER_LOGO),
        "qr": qr_code(url),
        "code": certificate.verification_code,
        "verify_url": url,
        "participation": participation,
    }


def qr_code(url):
    """The QR code of `url` as a PNG data URI, one pixel per module (the PDF scales it up).

    The mask is fixed: any of the eight is valid for every reader, and searching for the best
    one took 9.5 of the 10.5 ms a code cost, which adds up over a program's certificates.
    """
    return segno.make(url, error="m", mask=0).png_data_uri(scale=1, border=0)


class _Sections:
    """The document's printed sides, each identical side once, in order of first use."""

    def __init__(self):
        self._ids = {}
        self.items = []

    def add(self, template_name, css_class, doc):
        html = render_to_string(template_name, {"doc": doc})
        key = (css_class, html)
        if key not in self._ids:
            self._ids[key] = f"{rendering.SECTION_PREFIX}{len(self.items) + 1}"
            self.items.append({"id": self._ids[key], "css_class": css_class, "html": html})
        return self._ids[key]


def certificate_html(certificates, *, language="id", request=None, logos=None):
    """The HTML of `certificates` and, per certificate, its sides in print order.

    A certificate of completion has a front, printed from the program's page (shared) under the
    holder's layer, and a back (usually shared by the whole program); a statement of
    participation one letter page. See `certificates.rendering.Assembly`. Pass a shared `logos` cache when rendering a
    program in several parts.
    """
    logos = logos or Logos()
    sections = _Sections()
    sequences = []
    with translation.override(language):
        for certificate in certificates:
            doc = _document(certificate, logos, request)
            if doc["s"]["kind"] == "participation":
                sequences.append([sections.add("certificates/_statement.html", "letter", doc)])
            else:
                front = (
                    sections.add("certificates/_certificate_front.html", "certificate", doc),
                    sections.add("certificates/_certificate_holder.html", "certificate", doc),
                )
                back = sections.add("certificates/_certificate_back.html", "certificate", doc)
                sequences.append([front, back])
        html = render_to_string("certificates/certificate_pdf.html", {"sections": sections.items})
    return html, sequences


def certificate_pdf(certificates, *, language="id", request=None):
    """Render `certificates` into one PDF: front and back per completion, one page per statement.

    Pass a queryset with `select_related("facility", "enrollment__program")` and
    `prefetch_related("enrollment__program__program_partners__partner")` to keep it to three
    queries whatever the count. Costs WeasyPrint's CPU time, about 50 ms a certificate in one
    document; many belong in the bulk printing task (certificates.bulk).
    """
    html, sequences = certificate_html(certificates, language=language, request=request)
    return rendering.write(html, sequences)
