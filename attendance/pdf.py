"""Printable documents: a Django template rendered to PDF by WeasyPrint, never touching the network.

The daftar hadir, the recap (and the certificates of #5) are rendered on the server that also holds inmate
data, so the template must not make it fetch anything: a stray `<img src="http://...">` would be
a request from inside the prison network (SSRF) and `file:///etc/...` a read of any local file.
`LocalOnlyFetcher` refuses every URL except `data:` URIs and files inside the static directories;
fonts come from fontconfig (DejaVu Sans), not from URLs.
"""

import base64
import functools
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Raster, not SVG: WeasyPrint draws an SVG again on every page, a PNG is embedded once.
DEFAULT_FACILITY_LOGO = "img/emblem.png"
DEFAULT_PARTNER_LOGO = "img/partner.png"
# The letterhead and signature blocks every printed document shares (certificates too).
DOCUMENTS_STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "documents.css"


def static_roots():
    """The directories whose files a PDF may embed: STATIC_ROOT and STATICFILES_DIRS."""
    roots = [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]
    # A STATICFILES_DIRS entry may be a (prefix, path) pair.
    paths = [root[1] if isinstance(root, (list, tuple)) else root for root in roots if root]
    return [Path(path).resolve() for path in paths]


def static_file_url(path):
    """A `file:` URL for the static file `path` (e.g. "img/logo.png") that the fetcher accepts.

    Templates reference static images through it instead of `{% static %}`, whose URL would
    have to be fetched over HTTP. Raises ValueError if no static directory holds the file.
    """
    found = finders.find(path)
    if not found:
        raise ValueError(f"No static file {path!r}")
    return Path(found).resolve().as_uri()


class LocalOnlyFetcher(URLFetcher):
    """WeasyPrint's fetcher narrowed to `data:` URIs and files under the static directories.

    Anything else raises ValueError, which WeasyPrint logs and skips (the resource is missing
    from the PDF, the rest renders). `roots` defaults to `static_roots()`; a process rendering
    without Django settings (certificates.rendering) passes them in.
    """

    def __init__(self, roots=None, **kwargs):
        super().__init__(**kwargs)
        self.roots = roots

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            # urllib's DataHandler decodes it; no I/O is involved.
            return super().fetch(url, headers)
        if scheme == "file" and parts.netloc in ("", "localhost"):
            return self._static_file(Path(unquote(parts.path)))
        raise ValueError(f"PDF rendering fetches nothing from {url!r}")

    def _static_file(self, path):
        # resolve() follows symlinks and "..", so a link out of the static tree is caught too.
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise ValueError(f"No such static file: {path}") from None
        if not resolved.is_file() or not any(
            resolved.is_relative_to(root) for root in self.roots or static_roots()
        ):
            raise ValueError(f"Not a static file: {path}")
        content_type = mimetypes.guess_type(resolved.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            resolved.as_uri(), resolved.read_bytes(), {"Content-Type": content_type}
        )


def logo_url(logo, default):
    """An uploaded logo (an ImageField's file) as a data: URI, or the static `default`'s URL.

    A data: URI, so the fetcher never has to reach MEDIA_ROOT; a logo lost from MEDIA_ROOT
    falls back to the default rather than stopping the printing.
    """
    if logo:
        try:
            with logo.open("rb") as file:
                data = file.read()
        except OSError:
            return static_file_url(default)
        content_type = mimetypes.guess_type(logo.name)[0] or "image/png"
        return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"
    return static_file_url(default)


def letterhead(facility):
    """What templates/_letterhead.html prints for `facility`: its lines and its logo."""
    return {**facility.letterhead(), "logo": logo_url(facility.logo, DEFAULT_FACILITY_LOGO)}


def facility_signatory(facility):
    """The head of `facility` as templates/_signature.html prints them."""
    return {"office": facility.head_office, "name": facility.head_name, "nip": facility.head_nip}


def partner_signatory(partner):
    """Whoever signs for `partner`: their own title (a head or a representative) or its head."""
    return {
        "office": partner.head_title or f"Kepala {partner.name}",
        "name": partner.head_name,
        "nip": partner.head_nip,
    }


@functools.cache
def documents_stylesheet():
    # Parsed once per process, as certificates.rendering does with its own stylesheet.
    return CSS(filename=str(DOCUMENTS_STYLESHEET))


def render_pdf(template_name, context, *, base_url=None):
    """Render `template_name` with `context` and return the PDF bytes.

    Labels and dates follow the active language, as for a page. Costs no queries of its own
    (whatever the context evaluates aside) but CPU, in pure Python: measured on a busy 2-core
    server, ~0.2 s for a one-page daftar hadir and 0.4-0.6 s for 40 participants (two pages),
    plus ~0.5 s more for the first document of a process (fonts). Render outside transactions,
    one document per request; a batch of hundreds belongs in a background job.
    """
    return pdf_from_html(render_to_string(template_name, context), base_url=base_url)


def pdf_from_html(html, *, base_url=None):
    """The PDF bytes of a document's rendered `html`, laid out as `render_pdf` does."""
    return HTML(string=html, base_url=base_url, url_fetcher=LocalOnlyFetcher()).write_pdf(
        stylesheets=[documents_stylesheet()]
    )
