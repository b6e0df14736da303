"""Bahasa Indonesia whatever the browser asks; English only as a person's choice; "4 Agustus 2025"."""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst

from programs.models import Program

NAVIGATION_ID = [
    "Dasbor",
    "Program",
    "Mitra",
    "Warga Binaan",
    "Sesi",
    "Sertifikat",
    "Laporan",
    "Pengguna",
]
NAVIGATION_EN = [
    "Dashboard",
    "Programs",
    "Partners",
    "Inmates",
    "Sessions",
    "Certificates",
    "Reports",
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


ENGLISH_BROWSER = {"accept-language": "en-US,en;q=0.9"}


def test_i18n_english_browser_still_gets_indonesian(client_for, admin_user):
    response = client_for(admin_user).get(reverse("dashboard"), headers=ENGLISH_BROWSER)
    assert nav_labels(response.content.decode()) == NAVIGATION_ID
    assert response["Content-Language"] == "id"


def test_i18n_english_browser_gets_indonesian_login_page(client):
    page = client.get(reverse("login"), headers=ENGLISH_BROWSER).content.decode()
    assert 'lang="id"' in page
    assert ">Masuk</button>" in page


def test_i18n_english_browser_gets_indonesian_verification_page(client, db):
    response = client.get(reverse("verify:verify", args=["no-such-code"]), headers=ENGLISH_BROWSER)
    assert "Tidak ada sertifikat dengan kode ini." in response.content.decode()


def test_i18n_django_language_cookie_is_ignored(client, db):
    # Django's own set_language view would have left this cookie; the browser may still send it.
    client.cookies["django_language"] = "en"
    assert 'lang="id"' in client.get(reverse("login")).content.decode()


def test_i18n_user_choice_wins(client_for, admin_user):
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    response = client_for(admin_user).get(reverse("dashboard"), headers={"accept-language": "id"})
    assert nav_labels(response.content.decode()) == NAVIGATION_EN


def test_i18n_navigation_switch_saves_the_users_language(client_for, admin_user, program):
    client = client_for(admin_user)
    page = client.get(program.get_absolute_url()).content.decode()
    assert 'name="language" value="en" lang="en"' in page

    response = client.post(
        reverse("switch_language"), {"language": "en", "next": program.get_absolute_url()}
    )

    assert response.status_code == 302
    assert response.url == program.get_absolute_url()
    admin_user.refresh_from_db()
    assert admin_user.language == "en"
    page = client.get(response.url).content.decode()
    assert nav_labels(page) == NAVIGATION_EN
    # A new browser (a new session) of the same user keeps the choice.
    assert nav_labels(client_for(admin_user).get(reverse("dashboard")).content.decode()) == (
        NAVIGATION_EN
    )


def test_i18n_switch_back_to_indonesian(client_for, admin_user):
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    client = client_for(admin_user)
    client.post(reverse("switch_language"), {"language": "id"})
    admin_user.refresh_from_db()
    assert admin_user.language == "id"
    assert nav_labels(client.get(reverse("dashboard")).content.decode()) == NAVIGATION_ID


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", ""])
def test_i18n_switch_never_leaves_the_site(client_for, admin_user, next_url):
    response = client_for(admin_user).post(
        reverse("switch_language"), {"language": "en", "next": next_url}
    )
    assert response.url == reverse("dashboard")


@pytest.mark.parametrize("language", ["fr", "", "en-us"])
def test_i18n_switch_unknown_language_changes_nothing(client_for, admin_user, language):
    client = client_for(admin_user)
    response = client.post(reverse("switch_language"), {"language": language}, follow=True)
    assert "Pilih Bahasa Indonesia atau English." in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.language == ""


def test_i18n_switch_is_post_only(client_for, admin_user):
    assert client_for(admin_user).get(reverse("switch_language")).status_code == 405


def test_i18n_switch_needs_the_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(reverse("switch_language"), {"language": "en"})
    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.language == ""


def test_i18n_anonymous_switch_lasts_for_the_browser_session(client, db):
    login_url = reverse("login")
    page = client.get(login_url).content.decode()
    assert 'action="/language/"' in page

    response = client.post(reverse("switch_language"), {"language": "en", "next": login_url})

    assert response.url == login_url
    assert 'lang="en"' in client.get(login_url).content.decode()
    # Another browser is not affected.
    assert 'lang="id"' in Client().get(login_url).content.decode()


def test_i18n_users_own_language_wins_over_the_login_pages_switch(client, admin_user):
    client.post(reverse("switch_language"), {"language": "en"})
    client.force_login(admin_user)
    assert nav_labels(client.get(reverse("dashboard")).content.decode()) == NAVIGATION_ID


def test_i18n_profile_offers_the_two_languages(client_for, staff_user):
    page = client_for(staff_user).get(reverse("profile")).content.decode()
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', page)
    assert options == [("id", "Bahasa Indonesia"), ("en", "English")]
    assert '<option value="id" selected>' in page


@pytest.mark.parametrize("language", ["", "fr"])
def test_i18n_profile_without_a_known_language_saves_nothing(client_for, staff_user, language):
    before = (staff_user.first_name, staff_user.language)
    response = client_for(staff_user).post(
        reverse("profile"),
        {"first_name": "Nama Baru", "last_name": "", "email": "", "language": language},
    )
    assert response.status_code == 200
    assert 'id="error_1_id_language"' in response.content.decode()
    staff_user.refresh_from_db()
    assert (staff_user.first_name, staff_user.language) == before


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


def admin_index_names(page):
    """The application and model names the admin index lists."""
    apps = re.findall(r'<a href="[^"]*" class="section" title="[^"]*">([^<]+)</a>', page)
    models = re.findall(r'<th scope="row" id="[^"]+">\s*<a href="[^"]*">([^<]+)</a>', page)
    return apps, models


def registered_names(language):
    with translation.override(language):
        apps = {str(model._meta.app_config.verbose_name) for model in admin.site._registry}
        models = {str(capfirst(model._meta.verbose_name_plural)) for model in admin.site._registry}
    return apps, models


@pytest.mark.parametrize("user", ["superuser", "admin_user"])
def test_i18n_admin_branded_and_in_indonesian(client_for, request, user):
    user = request.getfixturevalue(user)
    user.is_staff = True  # as a facility admin account is created
    user.save(update_fields=["is_staff"])
    page = client_for(user).get(reverse("admin:index")).content.decode()

    assert "<title>Administrasi data | Pelatihan Lapas</title>" in page
    assert '<a href="/admin/">Pelatihan Lapas</a>' in page
    assert "Django" not in page
    apps, models = admin_index_names(page)
    indonesian_apps, indonesian_models = registered_names("id")
    english_apps, english_models = registered_names("en")
    assert apps and set(apps) <= indonesian_apps
    assert models and set(models) <= indonesian_models
    assert not set(apps) & english_apps
    assert not set(models) & english_models


def test_i18n_admin_list_in_indonesian(client_for, superuser, program):
    page = client_for(superuser).get(reverse("admin:programs_program_changelist")).content.decode()
    assert "Pilih program untuk diubah" in page
    assert "Select program to change" not in page
