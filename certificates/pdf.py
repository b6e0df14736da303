"""Certificates and statements of participation as one PDF, printed from their frozen snapshot.

Everything printed comes from `Certificate.snapshot`, so editing the program later never changes
an issued certificate. This module renders the HTML, one section per printed side;
`certificates.rendering` lays it out with WeasyPrint (there, or in the bulk printing workers), and
`certificates.pdf_cache` keeps the single certificate's PDF once laid out. Only the logos are
current (Facility.logo and the lead Partner.logo, or the default drawings in static/img): they are
decoration, not content; and so are the competency units achieved, the LSP's attestation that
usually comes later (certificates.competency). Uploaded logos go in as data: URIs, so `attendance.pdf.render_pdf`'s
fetcher never has to reach MEDIA_ROOT, and the holder's name and every other snapshot text are
autoescaped: a name made of markup prints as that markup.
"""

import datetime
import re

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from attendance.pdf import DEFAULT_FACILITY_LOGO, DEFAULT_PARTNER_LOGO, logo_url
from certificates import rendering
from certificates.competency import achieved, load_achieved
from programs.models import ProgramPartner

# The sentence already names the kind ("… the Pelatihan Kemandirian “<title>” …"): a title that
# starts with it would print it twice.
PROGRAM_KIND = re.compile(r"^\s*pelatihan\s+kemandirian\s*[:\-–—]?\s*", re.IGNORECASE)


def join_names(names):
    """ "A, B and C" ("A, B dan C" in Indonesian): names as a sentence lists them."""
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def title_without_kind(title):
    """The program's title without a leading "Pelatihan Kemandirian", which the sentence says."""
    return PROGRAM_KIND.sub("", title, count=1) or title


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
            self._cache[key] = logo_url(getattr(owner, "logo", None), default)
        return self._cache[key]


def lead_partner(certificate):
    """The program's lead partner as it is now (not frozen): its logo is printed."""
    for link in certificate.enrollment.program.program_partners.all():
        if link.role == ProgramPartner.Role.LEAD:
            return link.partner
    return None


def _document(certificate, logos, request):
    # Whatever this reads besides the snapshot (the logos, the lead partner, the verification
    # address, the revocation) must be in `certificates.pdf_cache.printed_version`, or a stored
    # PDF would outlive a change to it.
    snapshot = certificate.snapshot
    discreet = bool(snapshot.get("discreet"))
    start = datetime.date.fromisoformat(snapshot["start_date"])
    end = datetime.date.fromisoformat(snapshot["end_date"])
    issued_on = datetime.date.fromisoformat(snapshot["issued_on"])
    issuer = snapshot["issuer"]["name"]
    url = verification_url(certificate, request)
    participation = snapshot.get("participation") or {}
    facility_logo = None if discreet else logos.url(certificate.facility, DEFAULT_FACILITY_LOGO)
    partner_logo = logos.url(lead_partner(certificate), DEFAULT_PARTNER_LOGO)
    place_of_issue = snapshot.get("place_of_issue", "")
    date_of_issue = formats.date_format(issued_on, "j F Y")
    return {
        "certificate": certificate,
        "s": snapshot,
        "discreet": discreet,
        "title": title_without_kind(snapshot["program_title"]),
        "dates": date_range(start, end),
        "start_date": start,
        "end_date": end,
        "issued_on": issued_on,
        "issued_at": f"{place_of_issue}, {date_of_issue}" if place_of_issue else date_of_issue,
        "issuer": issuer,
        # The issuer is named once; "in cooperation with" lists the others.
        "cooperation": join_names(
            p["name"] for p in snapshot.get("partners", []) if p["name"] != issuer
        ),
        # A venue inside the prison would betray it, so a discreet certificate names none.
        "place": "" if discreet else snapshot.get("place", ""),
        "facility_logo": facility_logo,
        "partner_logo": partner_logo,
        # The letter's heading. A discreet one names the lead partner alone; a snapshot from
        # before letterheads were frozen into it names the issuer.
        "letterhead": {"name": issuer, "logo": partner_logo}
        if discreet
        else {**snapshot.get("letterhead", {"name": issuer}), "logo": facility_logo},
        "qr": qr_code(url),
        "code": certificate.verification_code,
        "verify_url": url,
        "participation": participation,
        # Live, not frozen: the LSP's attestation usually comes after this certificate (see
        # certificates.competency), and printed_version digests it.
        "competency": numbered_units(achieved(certificate.enrollment))
        if snapshot["kind"] == "completion"
        else [],
    }


def numbered_units(groups):
    """`groups` of achieved units as (group, [(number, unit)]), numbered on across groups."""
    numbered, count = [], 0
    for group in groups:
        rows = []
        for unit in group.units:
            count += 1
            rows.append((count, unit))
        numbered.append((group, rows))
    return numbered


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
    participation one letter page. A revoked one has "DICABUT" stamped over every page. See
    `certificates.rendering.Assembly`. Pass a shared `logos` cache when rendering a
    program in several parts.
    """
    logos = logos or Logos()
    certificates = list(certificates)
    # The units achieved of every holder in one query (certificates.competency).
    load_achieved(
        certificate.enrollment
        for certificate in certificates
        if not hasattr(certificate.enrollment, "competency_achieved")
    )
    sections = _Sections()
    sequences = []
    with translation.override(language):
        for certificate in certificates:
            doc = _document(certificate, logos, request)
            if doc["s"]["kind"] == "participation":
                css_class = "letter"
                sides = [sections.add("certificates/_statement.html", css_class, doc)]
            else:
                css_class = "certificate"
                front = (
                    sections.add("certificates/_certificate_front.html", css_class, doc),
                    sections.add("certificates/_certificate_holder.html", css_class, doc),
                )
                back = sections.add("certificates/_certificate_back.html", css_class, doc)
                sides = [front, back]
            if certificate.revoked_at is not None:
                # Wherever the file goes, each of its pages says it is no longer valid. The
                # stamp is laid out once per page size and printed over every page.
                stamp = sections.add("certificates/_revoked_stamp.html", css_class, doc)
                sides = [rendering.Stamped(side, stamp) for side in sides]
            sequences.append(sides)
        html = render_to_string("certificates/certificate_pdf.html", {"sections": sections.items})
    return html, sequences


def certificate_pdf(certificates, *, language="id", request=None):
    """Render `certificates` into one PDF: front and back per completion, one page per statement.

    Pass a queryset with `select_related("facility", "enrollment__program")` and
    `prefetch_related("enrollment__program__program_partners__partner")` to keep it to four
    queries whatever the count (the fourth: the holders' competency units). Costs
    WeasyPrint's CPU time, about 50 ms a certificate in one document; many belong in the bulk
    printing task (certificates.bulk).
    """
    html, sequences = certificate_html(certificates, language=language, request=request)
    return rendering.write(html, sequences)
