"""WeasyPrint's share of printing certificates: HTML in, PDF pages out, no database, no settings.

`certificates.pdf` renders the HTML with Django (one `<section id="section-N">` per printed side,
identical sides written once: the back of every certificate of a program is usually the same).
Here that HTML is laid out once and its pages are put in print order, a shared side repeated
for each holder. Laying a page out costs about as much as everything else together, so the
back page, laid out once per document instead of once per holder, roughly halves the work.

The bulk printing task runs these functions in worker processes that never set Django up, so
this module imports nothing that needs settings at call time; the static directories come in
as `roots`.
"""

import functools
from pathlib import Path

from weasyprint import CSS, HTML

from attendance.pdf import LocalOnlyFetcher

SECTION_PREFIX = "section-"
STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "certificate_pdf.css"


@functools.cache
def _stylesheet():
    # Parsed once per process: in a <style> element it was parsed again for every document,
    # which cost about as much as laying out a page.
    return CSS(filename=str(STYLESHEET))


def layout(html, roots=None):
    """The laid-out WeasyPrint document of `html`; fetches only data: URIs and static files."""
    return HTML(string=html, url_fetcher=LocalOnlyFetcher(roots)).render(
        stylesheets=[_stylesheet()]
    )


def pages_by_section(document):
    """Each section's pages, by section id.

    Every section starts a page (break-before). A section that runs over (a long list of
    topics) carries its id on each of its pages, so a page belongs to the section whose id it
    shows, and one showing none to the section before it.
    """
    pages = {}
    current = None
    for page in document.pages:
        ids = [anchor for anchor in page.anchors if anchor.startswith(SECTION_PREFIX)]
        if ids:
            current = ids[0]
        pages.setdefault(current, []).append(page)
    return pages


def write(html, sequences, *, target=None, roots=None):
    """One PDF of every sequence of section ids in turn, written to `target` or returned."""
    document = layout(html, roots)
    pages = pages_by_section(document)
    return document.copy(
        [page for sequence in sequences for section in sequence for page in pages[section]]
    ).write_pdf(target)


def write_once(html, target, *, roots=None):
    """Write every section's pages once, in document order, to `target`.

    Returns each section's page numbers (0-based) in that file: whoever assembles the print
    order repeats shared pages by reference, so a shared back is also drawn only once.
    """
    document = layout(html, roots)
    numbers, number = {}, 0
    for section, pages in pages_by_section(document).items():
        numbers[section] = list(range(number, number + len(pages)))
        number += len(pages)
    document.write_pdf(target)
    return numbers


def write_files(html, sequences, names, directory, *, roots=None):
    """One PDF per sequence of section ids (one holder's sides), saved as `directory`/name."""
    document = layout(html, roots)
    pages = pages_by_section(document)
    for name, sequence in zip(names, sequences, strict=True):
        document.copy([page for section in sequence for page in pages[section]]).write_pdf(
            str(Path(directory) / name)
        )
    return names
