"""A certificate's PDF, stored after its first render and served from the file after that.

Laying a certificate out costs WeasyPrint a few hundred milliseconds on a busy server, yet what it
prints is frozen in the snapshot. So the PDF view keeps each certificate's PDF per language in the media
storage under private/certificates/ (on disk or in the bucket, never served directly: no URL maps
MEDIA_ROOT, nginx has no /media/ alias, the bucket is private), and the view hands the file out
after its own permission checks.

A stored file's name carries `printed_version`: a digest of everything the paper shows that the
snapshot does not freeze. A change to any of it (revoking stamps DICABUT, reissuing revokes the
old one, a new logo, another lead partner, a competency unit achieved or its LSP certificate
corrected) gives a new name, so the next request renders again and no stale paper is served;
nothing has to remember to delete anything. The files sit in a directory named for
`layout_version`, so a release that prints differently starts an empty one, and
`manage.py prune_certificate_pdfs` deletes the directories of earlier releases. The
letterhead's lines, the signatories and every text are in the snapshot, so editing the facility
or a partner changes no stored certificate and invalidates none.

Writes replace the file whole (`lapas_training.storage.save_replacing`), so concurrent first
requests each write a whole file and a reader never sees half of one. A missing or damaged file is
rendered again.
"""

import functools
import hashlib
import json
import logging
import os
from pathlib import Path

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.template.loader import get_template

from attendance.pdf import DEFAULT_FACILITY_LOGO, DEFAULT_PARTNER_LOGO, DOCUMENTS_STYLESHEET
from certificates import competency, pdf, rendering
from certificates.models import Certificate
from lapas_training.storage import STORAGE_ERRORS, delete_tree, save_replacing

logger = logging.getLogger(__name__)

DIRECTORY = "private/certificates"
# Every file a certificate's PDF is made of, besides the snapshot and the logos.
TEMPLATES = [
    "certificates/certificate_pdf.html",
    "certificates/_certificate_front.html",
    "certificates/_certificate_holder.html",
    "certificates/_certificate_back.html",
    "certificates/_statement.html",
    "certificates/_revoked_stamp.html",
    "_signature.html",
    "_letterhead.html",
]
# A damaged file (a disk error, a copy cut short) rarely keeps its end: a whole PDF ends with
# %%EOF, within the last bytes.
PDF_END = 1024


@functools.cache
def layout_version():
    """A digest of the templates, styles, default logos, translations and code that print.

    Read once per process: a release that changes how a certificate looks stores its PDFs in a
    new directory, and they are rendered again as they are asked for.
    """
    files = [Path(get_template(name).origin.name) for name in TEMPLATES]
    files += [
        rendering.STYLESHEET,
        DOCUMENTS_STYLESHEET,
        Path(pdf.__file__),
        Path(rendering.__file__),
    ]
    files += [Path(finders.find(path)) for path in (DEFAULT_FACILITY_LOGO, DEFAULT_PARTNER_LOGO)]
    for locale_path in settings.LOCALE_PATHS:
        files += sorted(Path(locale_path).glob("*/LC_MESSAGES/django.mo"))
    digest = hashlib.sha256(weasyprint.__version__.encode())
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _logo_stamp(logo):
    # The name changes with each upload; the time tells a file replaced under the same name.
    # A logo lost from storage prints the default drawing, which the layout version covers.
    if not logo:
        return None
    try:
        return [logo.name, logo.storage.get_modified_time(logo.name).isoformat()]
    except STORAGE_ERRORS:
        return None


def printed_version(certificate, request=None):
    """A digest of what `certificate`'s PDF prints beyond its snapshot (see the module).

    Costs one query with the PDF view's queryset (facility and program partners loaded), the
    holder's competency units, which the rendering reuses; and a stat of each uploaded logo.
    """
    discreet = bool(certificate.snapshot.get("discreet"))
    partner = pdf.lead_partner(certificate)
    inputs = [
        certificate.revoked_at is not None,
        # The QR code's address, which follows the host the request came to.
        pdf.verification_url(certificate, request),
        # A discreet certificate prints no facility logo: changing it changes nothing.
        None if discreet else _logo_stamp(certificate.facility.logo),
        partner and [partner.pk, _logo_stamp(partner.logo)],
        # The competency units achieved are printed live (certificates.competency): a new or
        # corrected assessment prints anew.
        [group.as_json() for group in competency.achieved(certificate.enrollment)]
        if certificate.kind == Certificate.Kind.COMPLETION
        else None,
    ]
    return hashlib.sha256(json.dumps(inputs).encode()).hexdigest()[:20]


def stored_name(certificate, *, language, request=None):
    """The storage name of `certificate`'s PDF in `language`, as it prints now."""
    # A thousand certificates a directory: a national install holds a hundred thousand files.
    directory = f"{DIRECTORY}/{layout_version()}/{certificate.pk // 1000}"
    return f"{directory}/{certificate.pk}-{language}-{printed_version(certificate, request)}.pdf"


def open_stored(name):
    """The stored PDF `name` opened for reading, or None when it is missing or damaged."""
    try:
        file = default_storage.open(name, "rb")
    except STORAGE_ERRORS:
        # Missing, as a rule; unreadable (written by another user) is rendered and replaced too.
        return None
    try:
        whole = file.read(5) == b"%PDF-"
        if whole:
            file.seek(0, os.SEEK_END)
            file.seek(max(0, file.tell() - PDF_END))
            whole = b"%%EOF" in file.read()
    except STORAGE_ERRORS:
        whole = False
    if not whole:
        file.close()
        logger.warning("Rendering the damaged stored certificate %s again", name)
        return None
    file.seek(0)
    return file


def store(name, content):
    """Store the PDF `content` as `name`, and delete this certificate's other versions in the
    same language (they are never asked for again).

    A failure is logged, not raised: the PDF was rendered and is served, the next request renders
    it again.
    """
    try:
        save_replacing(default_storage, name, content)
        directory, file_name = name.rsplit("/", 1)
        certificate_id, language, _version = file_name.removesuffix(".pdf").split("-")
        _directories, files = default_storage.listdir(directory)
        for other in files:
            if other != file_name and other.startswith(f"{certificate_id}-{language}-"):
                default_storage.delete(f"{directory}/{other}")
    except STORAGE_ERRORS:
        logger.exception("Storing the certificate PDF %s failed", name)


def prune():
    """Delete the stored PDFs of earlier releases (other layout versions); return their count.

    They are never served again. The current release's files stay, stale versions among them
    being deleted as their certificate is stored anew (`store`).
    """
    try:
        directories, _files = default_storage.listdir(DIRECTORY)
    except FileNotFoundError:
        return 0
    return sum(
        delete_tree(default_storage, f"{DIRECTORY}/{directory}")
        for directory in directories
        if directory != layout_version()
    )
