"""Printable documents: a Django template rendered to PDF by WeasyPrint, never touching the network.

The daftar hadir (and the certificates of #5) are rendered on the server that also holds inmate
data, so the template must not make it fetch anything: a stray `<img src="http://...">` would be
a request from inside the prison network (SSRF) and `file:///etc/...` a read of any local file.
`LocalOnlyFetcher` refuses every URL except `data:` URIs and files inside the static directories;
fonts come from fontconfig (DejaVu Sans), not from URLs.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


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


def render_pdf(template_name, context, *, base_url=None):
    """Render `template_name` with `context` and return the PDF bytes.

    Labels and dates follow the active language, as for a page. Costs no queries of its own
    (whatever the context evaluates aside) but CPU, in pure Python: measured on a busy 2-core
    server, ~0.2 s for a one-page daftar hadir and 0.4-0.6 s for 40 participants (two pages),
    plus ~0.5 s more for the first document of a process (fonts). Render outside transactions,
    one document per request; a batch of hundreds belongs in a background job.
    """
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=base_url, url_fetcher=LocalOnlyFetcher()).write_pdf()
