"""Our own error pages, in Indonesian and in the app's layout, with DEBUG off as in production.

This module is also the URLconf of its tests: the project's URLs plus views that fail on purpose.
"""

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.views.defaults import server_error

from lapas_training.urls import urlpatterns as project_urlpatterns


def broken_view(request):
    raise RuntimeError("a bug")


def suspicious_view(request):
    raise SuspiciousOperation("forged input")


urlpatterns = [
    path("test-only/broken/", broken_view),
    path("test-only/suspicious/", suspicious_view),
    *project_urlpatterns,
]


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False
    settings.LANGUAGE_CODE = "id"
    settings.ROOT_URLCONF = __name__


def nav_present(page):
    return 'aria-label="Navigasi utama"' in page


def test_error_page_403_trainer_on_admin_page_in_indonesian(client_for, trainer_user):
    response = client_for(trainer_user).get(reverse("user_list"))

    page = response.content.decode()
    assert response.status_code == 403
    assert "Anda tidak memiliki akses ke halaman ini" in page
    assert "Forbidden" not in page
    assert nav_present(page)
    assert f'href="{reverse("dashboard")}">Kembali ke dasbor</a>' in page


def test_error_page_404_unknown_address(client_for, admin_user):
    response = client_for(admin_user).get("/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in page
    assert "Not Found" not in page
    assert nav_present(page)
    assert "Kembali ke dasbor" in page


def test_error_page_404_other_facilitys_program(client_for, admin_user, outside_program):
    response = client_for(admin_user).get(outside_program.get_absolute_url())
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_error_page_404_anonymous_offers_the_login_page(client, db):
    response = client.get("/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in page
    assert not nav_present(page)
    assert f'href="{reverse("login")}">Buka halaman masuk</a>' in page


def test_error_page_500_from_a_failing_view(client_for, admin_user):
    client = client_for(admin_user)
    client.raise_request_exception = False

    response = client.get("/test-only/broken/")

    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="id">' in page
    assert "Terjadi kesalahan di pihak kami" in page
    assert 'href="/">Kembali ke dasbor</a>' in page
    assert "Server Error" not in page


def test_error_page_500_renders_without_database_or_request_context():
    # No `db` fixture: any query here would fail the test, as it would fail a broken server.
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Terjadi kesalahan di pihak kami" in page
    assert 'rel="icon" type="image/svg+xml" href="data:image/svg+xml,' in page
    assert "/static/" not in page


def test_error_page_400_for_a_suspicious_request(client_for, admin_user):
    response = client_for(admin_user).get("/test-only/suspicious/")

    page = response.content.decode()
    assert response.status_code == 400
    assert "Permintaan tidak dapat dipahami" in page
    assert "Kembali ke dasbor" in page


def test_error_page_csrf_failure_explains_the_expired_form(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post(reverse("logout"))

    page = response.content.decode()
    assert response.status_code == 403
    assert "Formulir sudah kedaluwarsa" in page
    assert "CSRF" not in page
    # Still logged in: the refused form did nothing.
    assert client.get(reverse("dashboard")).status_code == 200


def test_error_page_403_in_english_for_a_user_who_chose_it(client_for, trainer_user):
    trainer_user.language = "en"
    trainer_user.save(update_fields=["language"])
    page = client_for(trainer_user).get(reverse("user_list")).content.decode()
    assert "You may not open this page" in page
