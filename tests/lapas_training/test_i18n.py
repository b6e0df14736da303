"""Bahasa Indonesia by default, English per user or by the browser; dates as "4 Agustus 2025"."""

import re

import pytest
from django.urls import reverse

from programs.models import Program

NAVIGATION_ID = ["Dasbor", "Program", "Mitra", "Warga Binaan", "Sesi", "Sertifikat", "Pengguna"]
NAVIGATION_EN = [
    "Dashboard",
    "Programs",
    "Partners",
    "Inmates",
    "Sessions",
    "Certificates",
    "Users",
]


@pytest.fixture(autouse=True)
def _indonesian_default(settings):
    settings.LANGUAGE_CODE = "id"


def nav_labels(page):
    nav = page.split('<ul class="navbar-nav me-auto text-nowrap">')[1].split("</ul>")[0]
    return re.findall(r'<a class="nav-link[^"]*" href="[^"]*">([^<]+)</a>', nav)


def test_i18n_admin_navigation_in_indonesian(client_for, admin_user):
    page = client_for(admin_user).get(reverse("dashboard")).content.decode()
    assert nav_labels(page) == NAVIGATION_ID


def test_i18n_browser_language_english(client_for, admin_user):
    page = (
        client_for(admin_user)
        .get(reverse("dashboard"), headers={"accept-language": "en-US,en;q=0.9"})
        .content.decode()
    )
    assert nav_labels(page) == NAVIGATION_EN


def test_i18n_user_choice_wins_over_browser(client_for, admin_user):
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    response = client_for(admin_user).get(reverse("dashboard"), headers={"accept-language": "id"})
    assert nav_labels(response.content.decode()) == NAVIGATION_EN


def test_i18n_trainer_navigation_has_no_inmates_or_users(client_for, trainer_user):
    page = client_for(trainer_user).get(reverse("dashboard"), follow=True).content.decode()
    assert nav_labels(page) == ["Sesi hari ini", "Program", "Sesi"]


def test_i18n_dates_spell_the_month_in_indonesian(client_for, staff_user, program):
    page = client_for(staff_user).get(program.get_absolute_url()).content.decode()
    assert "4 Agustus 2025" in page
    assert "Senin, 4 Agustus 2025" in page or "Agu " not in page


def test_i18n_form_error_in_indonesian_and_nothing_saved(client_for, staff_user):
    before = Program.objects.count()
    response = client_for(staff_user).post(reverse("programs:program_create"), {"title": ""})
    assert response.status_code == 200
    assert "Bidang ini tidak boleh kosong." in response.content.decode()
    assert Program.objects.count() == before


def test_i18n_login_page_in_indonesian(client):
    page = client.get(reverse("login")).content.decode()
    assert "Masuk" in page
    assert 'lang="id"' in page
