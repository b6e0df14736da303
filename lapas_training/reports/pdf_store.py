"""Report PDFs stored after their first render and served from the file while nothing printed
changes: the activity report of a program and the periodic reports.

Laying a report out costs WeasyPrint from a few hundred milliseconds (a periodic report) to
seconds (the activity report of a big program), on every download. Rendering its HTML costs a
few dozen milliseconds, so the HTML is the key: the stored file is named for a digest of that
HTML and of `layout_version` (the stylesheet, the default logos, the printing code, WeasyPrint's
version), found by that name, and rendered only when no file has it. Whatever edit changes the
paper (a mark, a text, a photo, a revoked certificate, another day on a report dated today)
changes the HTML, so the name, and nothing has to remember to invalidate anything.

A caller may key on HTML that stands in for what is costly or changes without changing the
paper: the activity report names each photo by its stored file (the name is random and written
once, by inmates.photos.sanitize_image) instead of decoding it, and the periodic report leaves
out the minute it was generated (a stored one states when its figures were first printed, which
they still are). `stored_pdf` then renders the HTML to print only on a miss.

Files go through Django's default storage under private/reports/ (so an object-storage setting
holds them too), never served but by the report views after their permission checks, and left
out of backups (lapas_training.backups.DERIVED_MEDIA): they are rendered again as asked for.
Storing a version deletes the report's earlier ones in the same language, which are never asked
for again; `manage.py prune_report_pdfs` deletes files older than REPORT_PDF_KEEP_DAYS (reports
nobody has asked for since, such as a custom period's).
"""

import datetime
import functools
import hashlib
import logging
from pathlib import Path

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.utils import timezone

from attendance import pdf
from attendance.pdf import DEFAULT_FACILITY_LOGO, DEFAULT_PARTNER_LOGO, DOCUMENTS_STYLESHEET
from lapas_training.storage import STORAGE_ERRORS, save_replacing

logger = logging.getLogger(__name__)

ROOT = "private/reports"
# A damaged or half-written file (a disk error, a copy cut short, a concurrent first write)
# rarely keeps its end: a whole PDF ends with %%EOF, within the last bytes.
PDF_END = 1024
# The WeasyPrint renders of this process: the tests count them to tell a stored file served
# from a render.
renders = 0


@functools.cache
def layout_version():
    """A digest of what prints a report besides its HTML: read once per process, so a release
    that prints differently stores its files under new names."""
    files = [
        DOCUMENTS_STYLESHEET,
        Path(pdf.__file__),
        # Its photo embedding decides the pixels a stored PDF shows for a named photo.
        Path(__file__).with_name("activity_pdf.py"),
    ]
    files += [Path(finders.find(path)) for path in (DEFAULT_FACILITY_LOGO, DEFAULT_PARTNER_LOGO)]
    digest = hashlib.sha256(weasyprint.__version__.encode())
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def stored_pdf(report, key_html, *, language, html=None):
    """The PDF of `report` (a path under ROOT naming the report, e.g. "activity/12"), stored or
    rendered now and stored.

    `key_html` is the report's HTML, or what stands in for it (see the module); `html`, when
    given, a callable returning the HTML to print, called only when no stored file matches.
    Costs a digest of the HTML and a read from storage; on a miss WeasyPrint's render, a write
    and a listing of the report's directory. A storage failure is logged, not raised: the PDF is
    rendered and served.
    """
    global renders
    key = hashlib.sha256(f"{layout_version()}\n{key_html}".encode()).hexdigest()[:32]
    name = f"{ROOT}/{report}/{language}-{key}.pdf"
    content = _read(name)
    if content is not None:
        return content
    content = pdf.pdf_from_html(html() if html else key_html)
    renders += 1
    _store(name, content)
    return content


def _read(name):
    """The whole stored file `name`, or None when there is none (or half of one)."""
    try:
        with default_storage.open(name, "rb") as file:
            content = file.read()
    except FileNotFoundError:
        return None
    except STORAGE_ERRORS:
        logger.exception("Reading the stored report %s failed", name)
        return None
    if content.startswith(b"%PDF-") and b"%%EOF" in content[-PDF_END:]:
        return content
    logger.warning("Rendering the damaged stored report %s again", name)
    return None


def _store(name, content):
    directory, filename = name.rsplit("/", 1)
    language = filename.split("-", 1)[0]
    try:
        # Whole or not at all, over a damaged file too; concurrent first requests write the
        # same bytes.
        save_replacing(default_storage, name, content)
        _directories, siblings = default_storage.listdir(directory)
        for sibling in siblings:
            if sibling != filename and sibling.startswith(f"{language}-"):
                default_storage.delete(f"{directory}/{sibling}")
    except STORAGE_ERRORS:
        logger.exception("Storing the report %s failed", name)


def prune(*, now=None):
    """Delete the stored report PDFs written more than REPORT_PDF_KEEP_DAYS ago; return their
    count. A report asked for again is rendered anew."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.REPORT_PDF_KEEP_DAYS)
    return _prune(ROOT, cutoff)


def _prune(directory, cutoff):
    try:
        directories, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return 0
    deleted = sum(_prune(f"{directory}/{child}", cutoff) for child in directories)
    for filename in files:
        name = f"{directory}/{filename}"
        if default_storage.get_modified_time(name) < cutoff:
            default_storage.delete(name)
            deleted += 1
    return deleted
