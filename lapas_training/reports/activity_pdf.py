"""The activity report (laporan kegiatan) of a program as an A4 PDF, always in Bahasa Indonesia.

A government document: the facility's letterhead (also for a discreet program, whose report
stays inside the facility), the four chapters, the signatures, and two annexes: the attendance
recap and the documentation photos. The photos live under MEDIA_ROOT/private, which the PDF
fetcher never reaches: each is read here through its storage field, decoded, shrunk and
embedded as a data: URI, so nothing but checked pixels enters the document.

Each version of a report is stored after its first render (lapas_training.reports.pdf_store):
the HTML it is found by names each photo by its stored file rather than decoding it.
"""

import base64
import io
import math

from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import pgettext
from PIL import Image, ImageOps

from attendance.pdf import facility_signatory, letterhead
from inmates.photos import DECODE_ERRORS
from lapas_training.reports import pdf_store
from lapas_training.reports.activity import report_texts

TEMPLATE = "lapas_training/reports/activity_pdf.html"
# Two photos a row, about 85 mm wide: 800 px is sharp in print and keeps the file small.
PHOTO_SIZE = 800
PHOTO_QUALITY = 80
# A program with hundreds of photos still prints a readable annex; the rest stay in the app.
MAX_PHOTOS = 24
# The recap annex turns to a landscape page when more session columns than this would crowd it.
PORTRAIT_SESSION_COLUMNS = 8


def activity_pdf(data):
    """The PDF bytes of the report of `data` (lapas_training.reports.activity.ActivityData):
    the stored file when one prints the same, else rendered now and stored.

    No queries: everything comes from `data`. Costs the HTML's rendering (tens of milliseconds
    for forty participants) and a read from storage; a new version costs WeasyPrint's CPU time
    too (seconds for a big program) and the decoding of up to MAX_PHOTOS photos.
    """
    with translation.override("id"):
        return pdf_store.stored_pdf(
            f"activity/{data.program.pk}",
            render_to_string(TEMPLATE, _context(data, photo_src=_stored_name)),
            language="id",
            html=lambda: render_to_string(TEMPLATE, _context(data, photo_src=embedded_photo)),
        )


def _stored_name(field):
    # A photo's file is written once under a random name (inmates.photos.sanitize_image): its
    # name stands for its pixels in the HTML a stored report is found by.
    return f"stored:{field.name}" if field else None


def _context(data, *, photo_src):
    facility = data.facility
    texts = report_texts(data)
    compiler = data.report.updated_by if data.report else None
    photos, photos_left_out = _photos(data, photo_src)
    return {
        "data": data,
        "program": data.program,
        "letterhead": letterhead(facility),
        # Each line its own paragraph: WeasyPrint justifies a line that ends in a <br> across
        # the whole width, so one-line suggestions printed with wide gaps between words.
        "texts": {
            key: "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
            for key, text in texts.items()
        },
        "legal_basis": [line.strip() for line in texts["legal_basis"].splitlines() if line.strip()],
        "time_range": _time_range(data.sessions),
        "recap_totals": [data.attendance.totals[status] for status in data.recap.status_columns],
        "issued_papers": [
            (pgettext("activity report", "Certificates of completion"), data.certificates),
            (pgettext("activity report", "Statements of participation"), data.statements),
        ],
        "recap_landscape": len(data.sessions) > PORTRAIT_SESSION_COLUMNS,
        "photos": photos,
        "photos_left_out": photos_left_out,
        "head": facility_signatory(facility),
        # The officer who wrote the texts signs as the compiler; else the name is written by hand.
        "compiler": {
            "office": pgettext("activity report", "Training officer"),
            "name": compiler.get_full_name() if compiler else "",
            "nip": "",
        },
        "place_and_date": f"{facility.city}, {formats.date_format(data.report_date, 'j F Y')}",
    }


def _time_range(sessions):
    """ "08.00-12.00" when the sessions share their hours, else "" (the schedule varies)."""
    held = [session for session in sessions if not session.is_cancelled]
    slots = {(session.start_time, session.end_time) for session in held}
    if len(slots) != 1:
        return ""
    start, end = slots.pop()
    return f"{start:%H.%M}–{end:%H.%M}"


def _photos(data, photo_src):
    """The documentation photos, sessions first, as {"src", "caption"} (`photo_src` of the
    photo's file); and how many were left out beyond MAX_PHOTOS. A file that cannot be read is
    left out of the grid, not fatal."""
    entries = [(photo.image, _session_caption(photo)) for photo in data.session_photos] + [
        (photo.image, _product_caption(photo)) for photo in data.products
    ]
    shown = []
    for field, caption in entries[:MAX_PHOTOS]:
        src = photo_src(field)
        if src:
            shown.append({"src": src, "caption": caption})
    return shown, max(0, len(entries) - MAX_PHOTOS)


def _session_caption(photo):
    session = photo.session
    day = formats.date_format(session.date, "l, j F Y")
    return f"{photo.caption} ({day})" if photo.caption else day


def _product_caption(photo):
    caption = photo.caption or pgettext("activity report", "Product")
    if photo.enrollment_id:
        caption += " – " + pgettext("activity report", "made by %(name)s") % {
            "name": photo.enrollment.inmate.full_name
        }
    return caption


def embedded_photo(field):
    """A stored photo (an ImageField's file) as a JPEG data: URI at most PHOTO_SIZE px wide.

    Read through the field's storage, which refuses a name outside MEDIA_ROOT; decoded with the
    upload limits of inmates.photos, so only an image's pixels reach the PDF. None when the
    file is missing or is not an image.
    """
    if not field:
        return None
    try:
        with (
            field.open("rb") as file,
            Image.open(file, formats=["JPEG", "PNG", "WEBP"]) as image,
        ):
            # A JPEG decodes at 1/2, 1/4 or 1/8 of its size for a few times less CPU: a stored
            # 1600 px photo, at the 800 px it prints (decoding took most of a documented
            # report's render). Never below the box the photo shrinks into.
            scale = PHOTO_SIZE / max(image.size)
            if scale < 1:
                image.draft(
                    "RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale))
                )
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((PHOTO_SIZE, PHOTO_SIZE))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=PHOTO_QUALITY)
    except (*DECODE_ERRORS, SuspiciousFileOperation):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")
