"""axe-core in Chromium on every page each role can reach, at laptop and tablet width.

Each role logs in to the demo data and crawls, breadth first, every same-origin page its GET
links lead to; one page per kind (numeric ids in the path are one kind, the query is ignored),
checked at 1280 px and at 768 px. Any violation axe rates serious or critical fails the test
(see RUN_AXE), named by page, width, rule and element. New pages are picked up as soon as a link leads there.
"""

import re
import time
import warnings
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from certificates import services
from certificates.models import Certificate
from lapas_training import demo
from programs.models import Program
from tests.e2e.conftest import LAPTOP, TABLET

pytestmark = pytest.mark.e2e

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
# Bounds that keep CI fast: a role stops crawling at this many page kinds or this many seconds;
# the test says so when a bound cut the crawl short.
MAX_KINDS = 120
MAX_SECONDS = 120
# Not pages: logging out, the Django admin (not our templates), language switching (POST only),
# files (PDF, spreadsheets, photos, logos, downloads).
SKIPPED = re.compile(
    r"^/(admin|i18n)/|/logout/|\.(pdf|xlsx|csv)$|/(pdf|download|photo|logo)/$|/scans/\d+/$"
)
NOT_FOUND = "/no-such-page/"
# What fails: what axe rates serious or critical, and a nameless column header (minor to axe,
# but a screen reader announces an action column as nothing at all).
RUN_AXE = """
async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter((v) => ["serious", "critical"].includes(v.impact) || v.id === "empty-table-header")
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => n.target.join(" ")),
    }));
}
"""


def page_kind(path):
    """`/programs/12/recap/` and `/programs/7/recap/` are one kind of page: `/programs/#/recap/`.

    So are two verification pages: a code (a long random token) counts as an id.
    """
    return re.sub(r"/(\d+|[\w-]{20,})(?=/|$)", "/#", path)


def check(page, url):
    """What RUN_AXE finds on the open page, at laptop then tablet width."""
    found = []
    for name, viewport in (("1280", LAPTOP), ("768", TABLET)):
        page.set_viewport_size(viewport)
        for violation in page.evaluate(RUN_AXE):
            targets = ", ".join(violation["targets"][:5])
            found.append(f"{url} @{name}px {violation['id']} ({violation['impact']}): {targets}")
    return found


def same_origin_links(page, origin):
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map((a) => a.href)")
    for href in hrefs:
        url, _fragment = urldefrag(href)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" == origin and not SKIPPED.search(parts.path):
            yield url


def crawl(page, origin):
    """Visit one page of each kind reachable from the landing page; return (kinds, findings)."""
    deadline = time.monotonic() + MAX_SECONDS
    seen = {page_kind("/")}
    queue = deque([origin + "/"])
    checked, findings = [], []
    while queue and len(checked) < MAX_KINDS and time.monotonic() < deadline:
        url = queue.popleft()
        page.set_viewport_size(LAPTOP)
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            # A link to a file the skip list does not know: the browser downloads it.
            if "Download is starting" in str(error):
                continue
            raise
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        assert response.ok, f"{url} answered {response.status}"
        # Where a redirect led (a trainer's "/" is today's sessions): that kind is seen too.
        path = urlsplit(page.url).path
        kind = page_kind(path)
        seen.add(kind)
        if kind in checked:
            continue
        checked.append(kind)
        findings += check(page, path)
        for link in same_origin_links(page, origin):
            kind = page_kind(urlsplit(link).path)
            if kind not in seen:
                seen.add(kind)
                queue.append(link)
    if queue:
        warnings.warn(f"axe: crawl cut short, {len(queue)} page kinds left unchecked", stacklevel=2)
    return checked, findings


@pytest.fixture
def demo_data(transactional_db):
    """The demo data with issued certificates, one of them revoked and replaced.

    Returns the verification URLs of a valid and of a revoked certificate.
    """
    accounts = {user.username: user for user in demo.seed()}
    admin = accounts["admin"]
    stones = Program.objects.get(title=demo.STONES_TITLE)
    # The demo closed the August program and issued its certificates: revoke one of them.
    certificate = Certificate.objects.filter(
        enrollment__program=stones, revoked_at__isnull=True
    ).first()
    replacement = services.reissue_certificate(
        certificate=certificate, by=admin, reason="Name misspelt"
    )
    return {
        "valid": reverse("verify:verify", args=[replacement.verification_code]),
        "revoked": reverse("verify:verify", args=[certificate.verification_code]),
    }


def log_in(page, username):
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(reverse("login")))


@pytest.mark.parametrize(
    "username", ["admin", "staff", "viewer", "trainer.lpk", "superadmin", "kanwil"]
)
def test_every_page_of_a_role_has_no_serious_accessibility_violation(
    open_page, live_server, demo_data, username
):
    page = open_page(LAPTOP)
    page.context.add_init_script(AXE)
    log_in(page, username)

    checked, findings = crawl(page, live_server.url)
    # Our own "not found" page, in the role's layout: no link leads there.
    assert page.goto(NOT_FOUND).status == 404
    findings += check(page, NOT_FOUND)

    print(f"axe: {username} {len(checked)} page kinds, at 1280 and 768 px: {sorted(checked)}")
    assert len(checked) > 5, checked
    assert not findings, "\n".join(findings)


def test_public_pages_have_no_serious_accessibility_violation(open_page, demo_data):
    page = open_page(LAPTOP)
    page.context.add_init_script(AXE)
    findings = []
    pages = [
        (reverse("login"), 200),
        (demo_data["valid"], 200),
        (demo_data["revoked"], 200),
        (NOT_FOUND, 404),
    ]
    for url, status in pages:
        assert page.goto(url).status == status, url
        findings += check(page, url)
    assert not findings, "\n".join(findings)
