"""The navigation bar: who is logged in, where, and the favicon every page links."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse


def brand(page):
    return re.search(r'<a class="navbar-brand[^"]*"[^>]*>(.*?)</a>', page, re.S).group(1)


def test_navigation_trainer_brand_names_trainer_and_partner(client_for, trainer_user, facility):
    trainer_user.first_name, trainer_user.last_name = "Siti", "Aminah"
    trainer_user.save(update_fields=["first_name", "last_name"])

    page = client_for(trainer_user).get(reverse("programs:program_list")).content.decode()

    shown = brand(page)
    assert "Siti Aminah" in shown
    assert "BLK Kota Palangka Raya" in shown
    assert facility.unit_code not in shown


@pytest.mark.parametrize("user", ["admin_user", "staff_user", "viewer_user"])
def test_navigation_facility_brand_for_other_roles(client_for, request, user, facility):
    page = client_for(request.getfixturevalue(user)).get(reverse("dashboard")).content.decode()
    assert facility.name in brand(page)


def test_navigation_pages_link_the_vendored_favicon(client_for, admin_user):
    assert finders.find("img/favicon.svg")
    for response in (
        client_for(admin_user).get(reverse("dashboard")),
        client_for(None).get(reverse("login")),
        client_for(None).get(reverse("verify:verify", args=["no-such-code"])),
    ):
        assert (
            '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">'
            in response.content.decode()
        )
