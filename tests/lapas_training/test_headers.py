"""Security headers: the Content-Security-Policy every page answers with and that its HTML keeps
(no inline script, no on*= attribute), Permissions-Policy, and a clean `check --deploy` with the
README's production variables."""

import os
import re
import subprocess
import sys
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import path, reverse

from certificates.models import Certificate
from lapas_training import demo
from lapas_training.urls import urlpatterns as project_urlpatterns


def broken_view(request):
    raise RuntimeError("a bug")


# This module is also the URLconf of the 500 page's test: the project's URLs plus a failing view.
urlpatterns = [path("test-only/broken/", broken_view), *project_urlpatterns]

# Pages are crawled per kind (numeric ids and long codes in the path are one kind), at most this
# many kinds per role.
MAX_KINDS = 80
# Not pages: logging out, the Django admin (Django's templates), language switching (POST only),
# files (PDF, spreadsheets, photos, logos, downloads).
SKIPPED = re.compile(
    r"^/(admin|i18n)/|/logout/|\.(pdf|xlsx|csv)$|/(pdf|download|photo|logo)/$|/scans/\d+/$"
)


class PageParts(HTMLParser):
    """The links of an HTML page, and what in it the CSP would block: inline scripts without
    the nonce and event-handler attributes."""

    def __init__(self, nonce):
        super().__init__()
        self.nonce = nonce
        self.links, self.blocked = [], []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        inline = tag == "script" and not attributes.get("src")
        if inline and (not self.nonce or attributes.get("nonce") != self.nonce):
            self.blocked.append(f"<script> without src: {self.getpos()}")
        for name, _value in attrs:
            if re.fullmatch(r"on[a-z]+", name):
                self.blocked.append(f"<{tag} {name}=…> at {self.getpos()}")


def csp_directives(response):
    header = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def problems(response, url):
    """What is wrong with one HTML response: a missing CSP header or HTML the CSP blocks."""
    if "Content-Security-Policy" not in response.headers:
        return [f"{url}: no Content-Security-Policy header"], []
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    parts = PageParts(nonce and nonce.group(1))
    parts.feed(response.content.decode())
    return [f"{url}: {blocked}" for blocked in parts.blocked], parts.links


def page_kind(path):
    return re.sub(r"/(\d+|[\w-]{20,})(?=/|$)", "/#", path)


def crawl(client):
    """Visit one page of each kind reachable from "/", breadth first; return (kinds, findings)."""
    seen, checked, findings = {page_kind("/")}, [], []
    queue = deque(["/"])
    while queue and len(checked) < MAX_KINDS:
        url = queue.popleft()
        response = client.get(url, follow=True)
        if not response.headers.get("Content-Type", "").startswith("text/html"):
            continue
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        checked.append(page_kind(url))
        found, links = problems(response, url)
        findings += found
        for link in links:
            link_path = urlsplit(urldefrag(link).url)
            if link_path.netloc or link_path.scheme or SKIPPED.search(link_path.path):
                continue
            kind = page_kind(link_path.path)
            if link_path.path.startswith("/") and kind not in seen:
                seen.add(kind)
                queue.append(link_path.path + (f"?{link_path.query}" if link_path.query else ""))
    return checked, findings


@pytest.fixture
def demo_accounts(db):
    return {user.username: user for user in demo.seed()}


def test_headers_dashboard_answers_with_a_strict_csp(client_for, admin_user):
    response = client_for(admin_user).get(reverse("dashboard"))

    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]


def test_headers_permissions_policy_refuses_camera_and_location(client_for, admin_user):
    response = client_for(admin_user).get(reverse("dashboard"))

    policy = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy


def test_headers_referrer_policy_same_origin(client):
    response = client.get(reverse("login"))

    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "username", ["superadmin", "admin", "staff", "viewer", "trainer.lpk", "kanwil"]
)
def test_headers_every_page_of_a_role_keeps_the_csp(client, demo_accounts, username):
    client.force_login(demo_accounts[username])

    checked, findings = crawl(client)

    assert len(checked) > 5, checked
    assert not findings, "\n".join(findings)


def test_headers_public_and_error_pages_keep_the_csp(client, demo_accounts, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    verification = reverse("verify:verify", args=[Certificate.objects.first().verification_code])
    findings = []
    for url, status in (
        (reverse("login"), 200),
        (verification, 200),
        ("/no-such-page/", 404),
        ("/test-only/broken/", 500),
    ):
        response = client.get(url)
        assert response.status_code == status, url
        findings += problems(response, url)[0]
    assert not findings, "\n".join(findings)


def test_headers_crawl_finds_an_inline_script_and_an_event_attribute(client):
    # The crawl's own check, on a page the CSP would break: it must notice.
    response = client.get(reverse("login"))
    response.content = b'<p><script>alert(1)</script><select onchange="go()"></select></p>'

    found, _links = problems(response, "/login/")

    assert len(found) == 2, found


PRODUCTION_ENV = {
    "SECRET_KEY": "x7Q!pZ2m@Lr9#vT4kN8$wB6^yH3&cF1*jD5(sG0)eU7-aR2+iO9=uY4_oP6",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "pelatihan.example.go.id",
    "CSRF_TRUSTED_ORIGINS": "https://pelatihan.example.go.id",
    "BEHIND_PROXY": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "CREDENTIAL_KEY": "m4V#tq8!Wz2@Lp6$Rc9^Ny3&Hd7*Kb1(Gf5)Xs0-Je4+Ua8=Io2_Ev6",
}


def run_in_production(code, **env):
    """Run `code` with Django set up in a fresh interpreter whose environment holds only the
    production variables (and `env`): nothing of this test run's own environment leaks in."""
    base = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "lapas_training.settings"}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**base, **PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_headers_check_deploy_clean_with_the_readme_production_variables():
    result = run_in_production(
        "from django.core.management import call_command; "
        "call_command('check', '--deploy', '--fail-level', 'WARNING')"
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "True True"),
        ({"SECURE_HSTS_PRELOAD": "0"}, "True False"),
        ({"SECURE_HSTS_INCLUDE_SUBDOMAINS": "0"}, "False True"),
        ({"SECURE_HSTS_SECONDS": "0"}, "False False"),
    ],
)
def test_headers_hsts_subdomains_and_preload_follow_hsts_unless_turned_off(env, expected):
    result = run_in_production(
        "from django.conf import settings; "
        "print(settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD)",
        **env,
    )

    assert result.stdout.strip() == expected, result.stderr


def test_headers_production_cache_is_the_database_shared_by_workers():
    result = run_in_production(
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    )

    assert result.stdout.strip() == "django.core.cache.backends.db.DatabaseCache", result.stderr


def test_headers_migrate_alone_creates_the_cache_table(tmp_path):
    # A fresh install's database, built by `migrate` alone (the test database cannot tell: Django
    # creates cache tables for it after migrating).
    result = run_in_production(
        "from django.core.management import call_command; "
        "from django.core.cache import cache; "
        "call_command('migrate', verbosity=0); "
        "cache.set('probe', 42); print(cache.get('probe'))",
        DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
    )

    assert result.stdout.strip() == "42", result.stderr


@pytest.mark.parametrize(
    ("trusted", "behind_proxy", "expected"),
    [
        ("", "0", "[]"),
        ("", "1", "['127.0.0.1', '::1']"),
        ("10.0.0.5, 192.168.1.0/24", "1", "['10.0.0.5', '192.168.1.0/24']"),
    ],
)
def test_headers_trusted_proxies_from_the_environment(trusted, behind_proxy, expected):
    result = run_in_production(
        "from django.conf import settings; print(settings.TRUSTED_PROXIES)",
        TRUSTED_PROXIES=trusted,
        BEHIND_PROXY=behind_proxy,
    )

    assert result.stdout.strip() == expected, result.stderr


def test_headers_trusted_proxies_refuse_a_typo():
    result = run_in_production("pass", TRUSTED_PROXIES="10.0.0.300")

    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr
