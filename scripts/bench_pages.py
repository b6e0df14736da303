"""Time the key pages against a bare 40-row page: p50, p95, queries and the ratio (issue #12).

    make bench-pages                      # SQLite scratch database
    make bench-pages BENCH_DB=postgres://lapas_ci:…@localhost/lapas_bench

A benchmark, not a test: it prints figures and asserts nothing. When the database holds no
facility it is first filled by `lapas_training.scale.seed` (BENCH_FACILITIES, BENCH_INMATES,
BENCH_ATTENDANCE; the default runs in a few minutes); a database filled otherwise is refused,
since the pages are chosen among seed_scale's accounts and shapes.

Every page is requested through Django's test Client in this one process, with the project's
whole middleware, logged in as the role that uses it, in the facility with the most inmates and
in the one with the fewest (that still has a session today and a closed program): two warm-up
requests, then BENCH_N timed ones (the response read to its end, streamed files too), then one
more under CaptureQueriesContext for the query count, so that capturing never weighs on the
times. The yardstick is a view defined here, under this module's own URLconf, that renders
templates/bench/table.html (40 rows, no base template) through the same Client and middleware;
it is timed right before each page (the load of a shared machine drifts) and its p50 divides
that page's p50. The "base page" row, an empty page under base.html, shows what the navbar
and the context processors add to every page. Pages above 3x are marked, as are query counts
that differ between the two facilities.

Settings are production-like (DEBUG off, TWO_FACTOR_REQUIRED off, static files unhashed as in
the tests); files the pages write go to a scratch MEDIA_ROOT.
"""

import math
import os
import sys
import tempfile
import time
import warnings
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapas_training.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("DEBUG", "0")
os.environ["TWO_FACTOR_REQUIRED"] = "0"
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-pages-media-")

from django.conf import settings

settings.ROOT_URLCONF = __name__
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files are served from their sources, as in the tests; whitenoise's note that
# STATIC_ROOT is missing says nothing about the pages.
warnings.filterwarnings("ignore", message="No directory at")
django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import path, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from attendance.models import AttendanceRecord  # noqa: E402
from certificates.models import Certificate  # noqa: E402
from inmates.models import Inmate  # noqa: E402
from lapas_training import scale  # noqa: E402
from lapas_training.middleware import SESSION_FACILITY_KEY  # noqa: E402
from lapas_training.models import Facility, Role, User  # noqa: E402
from lapas_training.urls import urlpatterns as project_urlpatterns  # noqa: E402
from programs.models import Enrollment, Program, TrainingSession  # noqa: E402

RUNS = int(os.environ.get("BENCH_N", "10"))
# BENCH_PAGES="marking,inmate list": only the pages whose label contains one of these words,
# for timing one change without the whole run (the roll-up rows match "superuser").
ONLY = [word.strip() for word in os.environ.get("BENCH_PAGES", "").split(",") if word.strip()]
WARM_UP = 2
LIMIT = 3.0
BARE_ROWS = [
    {"name": f"Warga Binaan {n}", "number": f"B.I-{n}/2025", "block": "Blok A", "status": "Aktif"}
    for n in range(1, 41)
]


def bare(request):
    """The yardstick: a 40-row table from a template, nothing else."""
    return render(request, "bench/table.html", {"rows": BARE_ROWS})


def base_page(request):
    """An empty page under base.html: what the navbar and context processors cost every page."""
    return render(request, "bench/base_page.html")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/base/", base_page, name="bench_base"),
    *project_urlpatterns,
]


class FormFields(HTMLParser):
    """The fields a browser would submit from the page's POST forms (checked choices only)."""

    def __init__(self):
        super().__init__()
        self.data = {}
        self.in_post = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_post = (attrs.get("method") or "").lower() == "post"
        if not self.in_post or "name" not in attrs or tag not in ("input", "textarea", "select"):
            return
        kind = attrs.get("type", "text")
        if kind in ("radio", "checkbox") and "checked" not in attrs:
            return
        if kind in ("submit", "button", "file"):
            return
        value = attrs.get("value") or ""
        if attrs["name"] == "reason" and not value:
            value = "Koreksi untuk pengukuran kinerja"
        self.data.setdefault(attrs["name"], value)

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_post = False


def read(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def timed(client, method, url, data=None, extra=None):
    """Milliseconds of one request, read to its end, and its status."""
    start = time.perf_counter()
    if method == "post":
        # As a browser sends a form without files (the test client's default is multipart).
        response = client.post(
            url,
            urlencode(data or {}),
            content_type="application/x-www-form-urlencoded",
            **(extra or {}),
        )
    else:
        response = client.get(url, **(extra or {}))
    read(response)
    return (time.perf_counter() - start) * 1000, response.status_code


def measure(client, method, url, data=None, vary_address=False):
    """(p50, p95, queries, statuses) of `url` over RUNS requests after the warm-up."""
    times, statuses = [], set()
    for n in range(WARM_UP + RUNS + 1):
        # The public verification page limits requests per address: each its own.
        extra = {"REMOTE_ADDR": f"10.{n // 250}.{n % 250}.7"} if vary_address else None
        if n == WARM_UP + RUNS:
            with CaptureQueriesContext(connection) as queries:
                _ms, status = timed(client, method, url, data, extra)
            statuses.add(status)
            break
        ms, status = timed(client, method, url, data, extra)
        statuses.add(status)
        if n >= WARM_UP:
            times.append(ms)
    return percentile(times, 50), percentile(times, 95), len(queries), statuses


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def client_for(user, facility=None):
    client = Client()
    if user is not None:
        client.force_login(user)
        if facility is not None:
            session = client.session
            session[SESSION_FACILITY_KEY] = facility.pk
            session.save()
    return client


def ensure_data():
    facilities = Facility.objects.count()
    if facilities and not User.objects.filter(username="scale-root").exists():
        sys.exit(
            f"The database holds {facilities} facilities not seeded by seed_scale: give "
            "bench-pages an empty database (BENCH_DB) or one seed_scale filled."
        )
    if not facilities:
        sizes = {
            "facilities": int(os.environ.get("BENCH_FACILITIES", "20")),
            "inmates": int(os.environ.get("BENCH_INMATES", "8000")),
            "attendance": int(os.environ.get("BENCH_ATTENDANCE", "60000")),
        }
        print(f"Seeding {sizes} …", flush=True)
        report = scale.seed(**sizes, progress=lambda line: print(line, flush=True))
        print(f"Seeded in {report.elapsed:.1f} s: {report.counts}", flush=True)


def pick_facilities():
    """(largest, smallest): by inmates; the smallest one that has a session today and a
    closed program with certificates, so that every page has something to show."""
    today = timezone.localdate()
    ranked = list(
        Facility.objects.annotate(inmate_count=Count("inmates", distinct=True)).order_by(
            "-inmate_count", "pk"
        )
    )
    usable = set(
        TrainingSession.objects.filter(date=today, program__status=Program.Status.ACTIVE)
        .values_list("program__facility", flat=True)
        .distinct()
    ) & set(Certificate.objects.values_list("facility", flat=True).distinct())
    smallest = next(
        (facility for facility in reversed(ranked) if facility.pk in usable), ranked[-1]
    )
    return ranked[0], smallest


def pages_of(facility):
    """[(label, role, method, url, data)] for `facility`; None for a page it cannot show."""
    users = {user.role: user for user in User.objects.filter(facility=facility)}
    today = timezone.localdate()
    inmates = Inmate.objects.filter(facility=facility)
    inmate = (
        inmates.annotate(n=Count("enrollments")).order_by("-n", "pk").first()
        if inmates.exists()
        else None
    )
    closed = (
        Program.objects.filter(facility=facility, status=Program.Status.COMPLETED)
        .annotate(n=Count("enrollments"))
        .order_by("-n", "pk")
        .first()
    )
    session = (
        TrainingSession.objects.filter(
            program__facility=facility, date=today, program__status=Program.Status.ACTIVE
        )
        .annotate(n=Count("program__enrollments", filter=Q(program__enrollments__status="active")))
        .order_by("-n", "pk")
        .first()
    )
    # A valid certificate of completion: the page with the most to show (its competency units
    # and its signed credential checked), in every facility alike.
    certificate = (
        Certificate.objects.filter(
            facility=facility, revoked_at__isnull=True, kind=Certificate.Kind.COMPLETION
        )
        .order_by("pk")
        .first()
    )
    last_page = max(1, math.ceil(inmates.count() / 50))
    word = scale.LAST_NAMES[0][:4]
    staff, admin, viewer, trainer = (
        users.get(Role.STAFF),
        users.get(Role.ADMIN),
        users.get(Role.VIEWER),
        users.get(Role.TRAINER),
    )
    mark_url = reverse("attendance:mark", args=[session.pk]) if session else None
    pages = [
        ("base page", staff, "get", reverse("bench_base")),
        ("dashboard", viewer, "get", reverse("dashboard")),
        ("inmate list", staff, "get", reverse("inmates:inmate_list")),
        ("inmate search", staff, "get", reverse("inmates:inmate_list") + f"?q={word}"),
        (
            f"inmate list, page {last_page}",
            staff,
            "get",
            reverse("inmates:inmate_list") + f"?page={last_page}",
        ),
        (
            "inmate detail",
            staff,
            "get",
            inmate and reverse("inmates:inmate_detail", args=[inmate.pk]),
        ),
        ("program list", staff, "get", reverse("programs:program_list")),
        (
            "program detail (closed)",
            staff,
            "get",
            closed and reverse("programs:program_detail", args=[closed.pk]),
        ),
        ("session list", staff, "get", reverse("programs:session_list")),
        ("today", trainer, "get", reverse("attendance:today")),
        ("marking GET", trainer, "get", mark_url),
        ("marking POST", trainer, "post", mark_url),
        ("recap", staff, "get", closed and reverse("attendance:recap", args=[closed.pk])),
        (
            "completion",
            admin,
            "get",
            closed and reverse("certificates:completion", args=[closed.pk]),
        ),
        ("certificate list", admin, "get", reverse("certificates:certificate_list")),
        (
            "certificate page",
            admin,
            "get",
            certificate and reverse("certificates:certificate_detail", args=[certificate.pk]),
        ),
        (
            "certificate PDF",
            admin,
            "get",
            certificate and reverse("certificate_documents:pdf", args=[certificate.pk]),
        ),
        (
            "verification (public)",
            None,
            "get",
            certificate and reverse("verify:verify", args=[certificate.verification_code]),
        ),
        (
            f"register XLSX ({inmates.count()} inmates)",
            staff,
            "get",
            reverse("inmates:inmate_export", args=["xlsx"]),
        ),
        (
            "recap XLSX",
            staff,
            "get",
            closed and reverse("attendance:recap_export", args=[closed.pk, "xlsx"]),
        ),
        ("reports", viewer, "get", reverse("reports:dashboard")),
        ("periodic report PDF", viewer, "get", reverse("reports:periodic_pdf")),
        ("periodic report XLSX", viewer, "get", reverse("reports:periodic_xlsx")),
        ("SPPN XLSX", staff, "get", reverse("attendance:sppn_export", args=["xlsx"])),
        (
            "activity report PDF",
            admin,
            "get",
            closed and reverse("reports:activity_pdf", args=[closed.pk]),
        ),
    ]
    return pages


def run_pages(facility, bare_client):
    """{label: (p50, p95, queries, statuses, the bare page's p50 just before) or None}"""
    results = {}
    clients = {}
    for label, user, method, url in pages_of(facility):
        if not chosen(label):
            continue
        if url is None:
            results[label] = None
            continue
        key = user.pk if user else None
        if key not in clients:
            clients[key] = client_for(user)
        client = clients[key]
        data = None
        if method == "post":
            form = FormFields()
            form.feed(client.get(url).content.decode())
            data = form.data
        results[label] = measure_against_bare(
            bare_client, client, method, url, data, vary_address=user is None
        )
        print(f"  {facility.unit_code}: {label} done", file=sys.stderr, flush=True)
    return results


def chosen(label):
    return not ONLY or any(word in label for word in ONLY)


def measure_against_bare(bare_client, client, method, url, data=None, vary_address=False):
    """measure() of the page, with the bare page's p50 timed right before it: on a shared
    machine the load drifts within a run, and a ratio is only fair between neighbours."""
    local = bare_p50(bare_client)[0]
    return (*measure(client, method, url, data, vary_address), local)


def bare_p50(client):
    url = reverse("bench_bare")
    p50, p95, queries, _statuses = measure(client, "get", url)
    return p50, p95, queries


def generic_label(label):
    """Page labels without the facility's own numbers, to pair the two facilities' rows."""
    if label.startswith("inmate list, page"):
        return "inmate list, late page"
    if label.startswith("register XLSX"):
        return "register XLSX"
    return label


def main():
    ensure_data()
    largest, smallest = pick_facilities()
    sizes = {
        facility.pk: (
            Inmate.objects.filter(facility=facility).count(),
            Enrollment.objects.filter(program__facility=facility).count(),
        )
        for facility in (largest, smallest)
    }
    print(
        f"Database: {connection.vendor}; {Facility.objects.count()} facilities, "
        f"{Inmate.objects.count():,} inmates, "
        f"{AttendanceRecord.objects.count():,} attendance rows, {Certificate.objects.count():,} certificates. {RUNS} runs a page.",
        flush=True,
    )
    for name, facility in (("largest", largest), ("smallest", smallest)):
        inmates, enrollments = sizes[facility.pk]
        print(f"{name}: {facility} ({inmates:,} inmates, {enrollments:,} enrolments)")
    staff = User.objects.get(facility=largest, role=Role.STAFF)
    bare_client = client_for(staff)
    before = bare_p50(bare_client)
    results = {"L": run_pages(largest, bare_client), "S": run_pages(smallest, bare_client)}
    root = User.objects.get(username="scale-root")
    root_client = client_for(root, largest)
    rollup = {
        label: measure_against_bare(bare_client, root_client, "get", url)
        for label, url in (
            ("roll-up (superuser)", reverse("reports:rollup")),
            ("inmate list (superuser)", reverse("inmates:inmate_list")),
            ("roll-up PDF (superuser)", reverse("reports:rollup_periodic_pdf")),
        )
        if chosen(label)
    }
    after = bare_p50(bare_client)
    print()
    print(
        f"Bare 40-row page: p50 {before[0]:.1f} ms before, {after[0]:.1f} ms after, "
        f"{before[2]} queries (session, user); each ratio divides by its own p50 timed just "
        "before the page."
    )
    print()
    header = (
        f"{'page':<30} {'L p50':>8} {'L p95':>8} {'L q':>4} {'L x':>7}  "
        f"{'S p50':>8} {'S p95':>8} {'S q':>4} {'S x':>7}  {'same q':<6} status"
    )
    print(header)
    print("-" * len(header))
    paired = {}
    for side in ("L", "S"):
        for label, result in results[side].items():
            paired.setdefault(generic_label(label), {})[side] = result
    over = []

    def cells(result):
        if result is None:
            return f"{'-':>8} {'-':>8} {'-':>4} {'-':>7}", None
        p50, p95, queries, _statuses, base = result
        ratio = p50 / base
        mark = "!" if ratio > LIMIT else " "
        return f"{p50:>8.1f} {p95:>8.1f} {queries:>4} {ratio:>6.1f}{mark}", ratio

    for label, sides in paired.items():
        large, small = sides.get("L"), sides.get("S")
        left, ratio_l = cells(large)
        right, ratio_s = cells(small)
        same = (
            "yes"
            if large and small and large[2] == small[2]
            else ("NO" if large and small else "n/a")
        )
        statuses = sorted({status for result in (large, small) if result for status in result[3]})
        print(f"{label:<30} {left}  {right}  {same:<6} {','.join(map(str, statuses))}")
        for ratio in (ratio_l, ratio_s):
            if ratio and ratio > LIMIT:
                over.append((ratio, label))
    for label, result in rollup.items():
        left, ratio = cells(result)
        print(f"{label:<30} {left}  {'':>30}  {'':<6} {','.join(map(str, sorted(result[3])))}")
        if ratio > LIMIT:
            over.append((ratio, label))
    print()
    print(
        "L: the largest facility, S: the smallest; q: queries of one request; x: p50 over "
        f"the bare page's p50 (timed just before), ! above {LIMIT:g}x; status: HTTP statuses seen."
    )
    worst = {}
    for ratio, label in over:
        worst[label] = max(ratio, worst.get(label, 0))
    ranked = sorted(worst.items(), key=lambda item: -item[1])
    print(
        f"{len(ranked)} page(s) above {LIMIT:g}x in either facility, worst first: "
        + ", ".join(f"{label} ({ratio:.0f}x)" for label, ratio in ranked)
    )


if __name__ == "__main__":
    main()
