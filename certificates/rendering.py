"""WeasyPrint's share of printing certificates: HTML in, PDF pages out, no database, no settings.

`certificates.pdf` renders the HTML with Django: one `<section id="section-N">` per distinct
page, written once. Most of a certificate is the same for the whole program: the front but for
the holder's name, number and QR code, and the back. So the program's front and back are laid
out once, each holder adds only a small layer, and `Assembly` (pikepdf) prints the layer over
the shared front and repeats the back. Laying pages out is most of WeasyPrint's time: this took
a certificate from about 60 to about 20 ms of CPU.

Bulk printing runs `write_once` in processes forked from the worker that never query the
database; the static directories come in as `roots`.
"""

import functools
import io
from pathlib import Path
from typing import NamedTuple

import pikepdf
from weasyprint import CSS, HTML

from attendance.pdf import LocalOnlyFetcher, documents_stylesheet

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
        stylesheets=[documents_stylesheet(), _stylesheet()]
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


def write_once(html, target, *, roots=None):
    """Write every section's pages once, in document order, to `target` (a path or a file).

    Returns each section's page numbers (0-based) in that file, for `assemble`.
    """
    document = layout(html, roots)
    numbers, number = {}, 0
    for section, pages in pages_by_section(document).items():
        numbers[section] = list(range(number, number + len(pages)))
        number += len(pages)
    document.write_pdf(target)
    return numbers


class Stamped(NamedTuple):
    """A side with the one-page section `stamp` printed over each of its pages."""

    side: str | tuple[str, str]
    stamp: str


class Assembly:
    """A PDF put together from the pages `write_once` wrote, in print order.

    A side is a section id, or a pair (under, over) of one-page sections printed one over the
    other: the front of a certificate is the program's page (laid out once) under the holder's
    layer (name, number, QR code), which is all a holder costs to lay out. Either may be
    `Stamped`, with a page printed over each of its pages (a revoked certificate's "DICABUT").
    Pages repeated (the shared back) and the page under every front are copied by reference,
    so they are in the file once per source.
    """

    def __init__(self):
        self.pdf = pikepdf.Pdf.new()
        self._sources = []
        self._forms = {}

    def add(self, source, page_numbers, sequences):
        """Append `sequences` (per holder, a list of sides) from `source`.

        `source` is a path or bytes, closed by `save`, or an open pikepdf.Pdf its caller closes.
        """
        if not isinstance(source, pikepdf.Pdf):
            source = pikepdf.Pdf.open(io.BytesIO(source) if isinstance(source, bytes) else source)
            self._sources.append(source)
        for sequence in sequences:
            for side in sequence:
                stamp = None
                if isinstance(side, Stamped):
                    side, stamp = side
                first = len(self.pdf.pages)
                if isinstance(side, str):
                    for number in page_numbers[side]:
                        self.pdf.pages.append(source.pages[number])
                else:
                    under, over = side
                    self.pdf.pages.append(source.pages[page_numbers[over][0]])
                    self.pdf.pages[-1].add_underlay(self._form(source, page_numbers[under][0]))
                if stamp is not None:
                    for page in self.pdf.pages[first:]:
                        page.add_overlay(self._form(source, page_numbers[stamp][0]))

    def _form(self, source, number):
        key = (id(source), number)
        if key not in self._forms:
            self._forms[key] = self.pdf.copy_foreign(source.pages[number].as_form_xobject())
        return self._forms[key]

    def save(self, target=None):
        """Write the PDF to `target`, or return its bytes; closes the sources."""
        try:
            if target is None:
                out = io.BytesIO()
                self.pdf.save(out)
                return out.getvalue()
            self.pdf.save(target)
            return None
        finally:
            for source in self._sources:
                source.close()
            self.pdf.close()


def write(html, sequences, *, target=None, roots=None):
    """One PDF of every sequence of sides in turn, written to `target` or returned."""
    pdf = io.BytesIO()
    page_numbers = write_once(html, pdf, roots=roots)
    assembly = Assembly()
    assembly.add(pdf.getvalue(), page_numbers, sequences)
    return assembly.save(target)


def write_files(html, sequences, names, directory, *, roots=None):
    """One PDF per sequence of sides (one holder's), saved as `directory`/name."""
    pdf = io.BytesIO()
    page_numbers = write_once(html, pdf, roots=roots)
    # The part is read once; each holder's file takes its pages from it.
    with pikepdf.Pdf.open(io.BytesIO(pdf.getvalue())) as source:
        for name, sequence in zip(names, sequences, strict=True):
            assembly = Assembly()
            assembly.add(source, page_numbers, [sequence])
            assembly.save(str(Path(directory) / name))
    return names
