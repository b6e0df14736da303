"""The facility settings page (Pengaturan UPT): letterhead, head, numbering; admins only."""

import pytest
from django.urls import reverse

from lapas_training.models import Facility
from tests.helpers import assert_answer, page, shown_messages
from tests.images import (
    NOT_A_LOGO,
    SVG_LOGO,
    assert_clean_png,
    gps_jpeg,
    image_bytes,
    media_files,
    stored,
    upload,
)

URL = reverse("facility_settings")
LOGO_URL = reverse("facility_logo")
SAVED = "The facility's settings were saved."
REGION = "KANTOR WILAYAH DIREKTORAT JENDERAL PEMASYARAKATAN KALIMANTAN TENGAH"


def settings_data(facility, **overrides):
    """The form as the page renders it for `facility`, with `overrides`."""
    return {
        "letterhead_ministry": facility.letterhead_ministry,
        "letterhead_region": REGION,
        "name": facility.name,
        "letterhead_name": "LEMBAGA PEMASYARAKATAN NARKOTIKA KELAS IIA KASONGAN",
        "address": "Jl. Tjilik Riwut Km 2, Kasongan, Katingan",
        "city": "Kasongan",
        "phone": "(0536) 4041234",
        "email": "lapaskasongan@example.go.id",
        "head_name": "Yurdani",
        "head_nip": "197406152000031002",
        "unit_code": facility.unit_code,
        "certificate_number_pattern": facility.certificate_number_pattern,
        **overrides,
    }


def saved_fields(facility):
    facility = Facility.objects.get(pk=facility.pk)
    return {name: getattr(facility, name) for name in settings_data(facility)} | {
        "logo": facility.logo.name
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", "login"),
        ("staff", 403),
        ("viewer", 403),
        ("trainer", 403),
        ("admin", 200),
    ],
)
def test_facility_settings_access(client_for, users, who, expected):
    assert_answer(client_for(users.get(who)).get(URL), expected)


@pytest.mark.parametrize("who", ["anonymous", "staff", "viewer", "trainer"])
def test_facility_settings_post_refused_outside_the_role(client_for, users, facility, who):
    before = saved_fields(facility)

    response = client_for(users.get(who)).post(URL, settings_data(facility, head_name="X"))

    assert_answer(response, "login" if who == "anonymous" else 403)
    assert saved_fields(facility) == before


def test_facility_settings_show_the_admins_own_facility(client_for, admin_user, other_facility):
    content = page(client_for(admin_user).get(URL))

    assert 'value="Lapas Narkotika Kelas IIA Kasongan"' in content
    assert 'value="LPN.KSG"' in content
    assert other_facility.name not in content
    # The ministry line is filled in for a new facility.
    assert 'value="KEMENTERIAN IMIGRASI DAN PEMASYARAKATAN REPUBLIK INDONESIA"' in content


def test_facility_settings_save_only_the_admins_facility(
    client_for, admin_user, facility, outside_admin, other_facility
):
    other_before = saved_fields(other_facility)

    response = client_for(admin_user).post(URL, settings_data(facility))

    assert response.status_code == 302
    assert response.url == URL
    assert shown_messages(response) == [SAVED]
    facility.refresh_from_db()
    assert facility.letterhead_region == REGION
    assert facility.letterhead()["name"] == "LEMBAGA PEMASYARAKATAN NARKOTIKA KELAS IIA KASONGAN"
    assert facility.phone == "(0536) 4041234"
    assert facility.head_nip == "197406152000031002"
    assert saved_fields(other_facility) == other_before


def test_facility_settings_superuser_edits_the_selected_facility(
    client_for, superuser, facility, other_facility
):
    client = client_for(superuser)
    client.post(reverse("switch_facility"), {"facility": other_facility.pk})

    content = page(client.get(URL))
    response = client.post(URL, settings_data(other_facility, head_name="Hendrik Sitanggang"))

    assert 'value="Rutan Kelas IIB Pangkalan Bun"' in content
    assert response.status_code == 302
    assert Facility.objects.get(pk=other_facility.pk).head_name == "Hendrik Sitanggang"
    assert Facility.objects.get(pk=facility.pk).head_name == ""


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"head_nip": "19740615200003100"}, "Enter an NIP of exactly 18 digits."),
        ({"head_nip": "19740615200003100A"}, "Enter an NIP of exactly 18 digits."),
        (
            {"certificate_number_pattern": "{seq:03d}/{unit}/{year}"},
            "Use only the placeholders {seq}",
        ),
        (
            {"certificate_number_pattern": "{seq:03d/{unit_code}"},
            "Use only the placeholders {seq}",
        ),
        (
            {"certificate_number_pattern": "SERT/{unit_code}/{year}"},
            "The pattern must contain {seq}, the certificate&#x27;s sequence number.",
        ),
        ({"unit_code": "RTN.PBN"}, "Facility with this Unit code already exists."),
        ({"email": "not an address"}, "Enter a valid email address."),
        ({"letterhead_ministry": ""}, "This field is required."),
    ],
)
def test_facility_settings_bad_input_shows_the_error_and_saves_nothing(
    client_for, admin_user, facility, other_facility, overrides, message
):
    before = saved_fields(facility)

    response = client_for(admin_user).post(URL, settings_data(facility, **overrides))

    assert response.status_code == 200
    assert message in page(response)
    assert saved_fields(facility) == before
    # The navigation bar keeps the saved name.
    assert "Lapas Narkotika Kelas IIA Kasongan" in page(response)


@pytest.mark.parametrize(
    "file",
    [
        upload(SVG_LOGO, "logo.svg", "image/svg+xml"),
        upload(b"%PDF-1.4 not an image", "logo.png"),
        upload(image_bytes("GIF"), "logo.gif", "image/gif"),
    ],
    ids=["svg", "pdf", "gif"],
)
def test_facility_settings_bad_logo_is_refused_and_nothing_saved(
    client_for, admin_user, facility, file
):
    before = saved_fields(facility)

    response = client_for(admin_user).post(
        URL, settings_data(facility, head_name="Changed", logo=file)
    )

    assert response.status_code == 200
    assert NOT_A_LOGO in page(response)
    assert saved_fields(facility) == before
    assert media_files() == []


def test_facility_settings_logo_is_stored_clean_and_served(client_for, admin_user, facility):
    client = client_for(admin_user)

    response = client.post(URL, settings_data(facility, logo=upload(gps_jpeg(), "kop.jpg")))

    assert response.status_code == 302
    facility.refresh_from_db()
    _data, image = stored(facility.logo)
    assert_clean_png(image)
    served = client.get(LOGO_URL)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert 'alt="Current logo"' in page(client.get(URL))


def test_facility_settings_replacing_and_removing_the_logo_deletes_the_old_file(
    client_for, admin_user, facility
):
    client = client_for(admin_user)
    client.post(URL, settings_data(facility, logo=upload(image_bytes(size=(200, 100)))))
    first = media_files()
    client.post(URL, settings_data(facility, logo=upload(image_bytes(size=(300, 100)))))
    second = media_files()

    client.post(URL, settings_data(facility, remove_logo="on"))

    assert len(first) == len(second) == 1
    assert first != second
    assert media_files() == []
    assert not Facility.objects.get(pk=facility.pk).logo
    assert client.get(LOGO_URL).status_code == 404


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", "login"), ("staff", 403), ("viewer", 403), ("trainer", 403)],
)
def test_facility_logo_access(client_for, users, who, expected):
    assert_answer(client_for(users.get(who)).get(LOGO_URL), expected)


def test_facility_settings_link_only_for_admins(client_for, admin_user, staff_user):
    assert f'href="{URL}"' in page(client_for(admin_user).get(reverse("profile")))
    assert f'href="{URL}"' not in page(client_for(staff_user).get(reverse("profile")))
