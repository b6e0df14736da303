"""Checking an uploaded scan (an image or a PDF) of a paper document: a signed attendance sheet,
a sales receipt.

What the file is comes from its bytes, never from its name or the browser's content type. An
image is decoded and re-encoded (`inmates.photos.sanitize_image`), so no EXIF location or
smuggled bytes survive; a PDF is kept as it came, once pypdf has opened it and counted its pages.
`checked_scan` returns `(ContentFile with a random name, content type)` and the caller stores
it, so a refused upload writes nothing to disk.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader

from inmates.photos import sanitize_image

PDF_MAGIC = b"%PDF-"
# A day's sheet is a page or two; a stack of 50 is already a whole program's paper.
MAX_PDF_PAGES = 50
# What a file input for a scan offers to choose.
SCAN_ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,.pdf"

NOT_A_SCAN = _("Upload a JPEG, PNG or WebP image or a PDF; this file is not one or is damaged.")


def checked_scan(upload):
    """`(ContentFile, content type)` of an uploaded image or PDF, or ValidationError."""
    # The size is known before a byte is read: refuse early, whatever the file claims to be.
    if upload.size > settings.PHOTO_MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is too large; the limit is %(limit)s.")
            % {"limit": filesizeformat(settings.PHOTO_MAX_UPLOAD_BYTES)},
            code="too_large",
        )
    upload.seek(0)
    if upload.read(len(PDF_MAGIC)) == PDF_MAGIC:
        return _checked_pdf(upload), "application/pdf"
    try:
        full, _thumbnail = sanitize_image(upload)
    except ValidationError as error:
        if error.code == "invalid_image":
            raise ValidationError(NOT_A_SCAN, code="invalid") from None
        raise
    return full, "image/jpeg"


def _checked_pdf(upload):
    """The upload's bytes with a random name, once pypdf opened them and found 1-50 pages."""
    upload.seek(0)
    data = upload.read()
    try:
        pages = len(PdfReader(ContentFile(data)).pages)
    except Exception:
        # pypdf reports malformed input through many exception types (its own errors, but also
        # ValueError, KeyError, RecursionError...): any of them means the file is refused.
        raise ValidationError(NOT_A_SCAN, code="invalid") from None
    if pages < 1:
        raise ValidationError(_("The PDF has no pages."), code="no_pages")
    if pages > MAX_PDF_PAGES:
        raise ValidationError(
            _("The PDF has %(pages)d pages; the limit is %(limit)d.")
            % {"pages": pages, "limit": MAX_PDF_PAGES},
            code="too_many_pages",
        )
    return ContentFile(data, name=secrets.token_urlsafe(16) + ".pdf")
