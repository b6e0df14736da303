"""The demo's regional user, `kanwil`, follows every link they are shown and meets no person.

The crawl starts where the login lands them (and at August 2025, the month of the Kasongan
story, as they would pick it), follows same-site links with GET only, pagination and period
links included, and reads every answer: HTML as text, PDFs with pypdf, spreadsheets with
openpyxl. No answer may name a demo inmate, show a registration number or an inmate photo's
address, and no link they were shown may answer 403, 404 or 500.
"""

import io
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from inmates.models import Inmate
from lapas_training import demo
from tests.helpers import log_in

pytestmark = pytest.mark.django_db

# Enough for every roll-up page, its neighbours in time and its pages; a bound, since period
# links lead on for ever.
MAX_PAGES = 160
# Variants of one path (other periods, filters, pages) followed at most.
MAX_PER_PATH = 8


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def same_site_links(html, base):
    parser = _Links()
    parser.feed(html)
    for href in parser.links:
        url = urldefrag(href)[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url:
            continue
        if url.startswith("?"):
            url = urlsplit(base).path + url
        if url.startswith("/"):
            yield url


def text_of(response):
    kind = response.get("Content-Type", "")
    # Downloads are streamed (FileResponse).
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if kind.startswith("application/pdf"):
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    if "spreadsheetml" in kind:
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return body.decode()


def test_kanwil_reaches_only_aggregates_and_no_refusal(client):
    demo.seed()
    inmates = list(Inmate.objects.values_list("pk", "full_name", "registration_number"))
    assert len(inmates) == 33
    assert log_in(client, "kanwil", demo.DEMO_PASSWORD)

    landing = client.get(reverse("dashboard"))
    assert landing.status_code == 302
    queue = deque([landing.url, landing.url + "?period=month&month=2025-08"])
    seen, per_path, crawled = set(queue), Counter(), []
    while queue and len(crawled) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        crawled.append(url)
        assert response.status_code in (200, 302), (url, response.status_code)
        if response.status_code == 302:
            links = [response.url]
        else:
            text = text_of(response)
            for pk, name, number in inmates:
                assert name not in text, (url, name)
                assert number not in text, (url, number)
                assert reverse("inmates:inmate_photo", args=[pk]) not in text, url
            assert "/private/" not in text, url
            is_html = response.get("Content-Type", "").startswith("text/html")
            links = same_site_links(text, url) if is_html else []
        for link in links:
            path = urlsplit(link).path
            if link in seen or per_path[path] >= MAX_PER_PATH:
                continue
            seen.add(link)
            per_path[path] += 1
            queue.append(link)

    paths = {urlsplit(url).path for url in crawled}
    # Every roll-up page was reached, a program's, a partner's and a facility's included.
    for name in [
        "rollup",
        "rollup_comparison",
        "rollup_programs",
        "rollup_partners",
        "rollup_periodic",
        "rollup_periodic_pdf",
        "rollup_periodic_xlsx",
    ]:
        assert reverse(f"reports:{name}") in paths
    for prefix in ["/reports/rollup/programs/", "/reports/rollup/partners/"]:
        assert any(p.startswith(prefix) and p != prefix for p in paths), prefix
    assert any(p.startswith("/reports/rollup/facilities/") and p.count("/") == 5 for p in paths)
    assert any("month=2025-08" in url for url in crawled)
