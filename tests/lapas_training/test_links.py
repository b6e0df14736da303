"""lapas_training.links: remembered reverse() for pages that print many links."""

from django.test import override_settings
from django.urls import clear_script_prefix, reverse, set_script_prefix

from lapas_training.links import url_by_pk, url_of


def test_url_of_is_reverse():
    assert url_of("dashboard") == reverse("dashboard") == "/"
    assert url_of("inmates:inmate_list") == reverse("inmates:inmate_list")


def test_url_by_pk_is_reverse_for_every_pk():
    detail = url_by_pk("inmates:inmate_detail")
    for pk in (1, 7, 10, 123456789):
        assert detail(pk) == reverse("inmates:inmate_detail", args=[pk])


def test_links_follow_the_script_prefix():
    url_of("dashboard"), url_by_pk("inmates:inmate_detail")(3)
    set_script_prefix("/lapas/")
    try:
        assert url_of("dashboard") == "/lapas/"
        assert url_by_pk("inmates:inmate_detail")(3) == "/lapas/inmates/3/"
    finally:
        clear_script_prefix()
    assert url_of("dashboard") == "/"


@override_settings(ROOT_URLCONF="tests.lapas_training.urls_links")
def test_links_follow_an_overridden_urlconf():
    assert url_of("dashboard") == "/home/"
    assert url_by_pk("inmates:inmate_detail")(3) == "/people/3/"
