"""Partner and facility logos: uploaded, checked, re-encoded as PNG, served and printed."""

import io

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from certificates.models import Certificate
from certificates.pdf import certificate_pdf
from inmates.photos import sanitize_logo
from programs.models import Partner
from tests.certificates.rows import make_certificate
from tests.factories import PartnerFactory
from tests.helpers import assert_answer, page, shown_messages
from tests.images import (
    LOGO_TOO_MANY_PIXELS,
    NOT_A_LOGO,
    SVG_LOGO,
    assert_clean_png,
    gps_jpeg,
    image_bytes,
    media_files,
    stored,
    transparent_png,
    truncated_jpeg,
    upload,
)

LOGO = "programs:partner_logo"
DEFAULT_USED = "None uploaded: certificates print the default drawing."


def partner_data(**overrides):
    return {
        "name": "UMKM Marajaki Kreatif",
        "kind": "umkm",
        "license_number": "",
        "address": "Jl. Tjilik Riwut Km 5",
        "contact_person": "Ibu Sari",
        "phone": "0813-555-0102",
        "email": "",
        "head_name": "Sari Wulandari",
        "head_title": "",
        "head_nip": "",
        "is_active": "on",
        **overrides,
    }


def post_update(client, partner, **overrides):
    return client.post(
        reverse("programs:partner_update", args=[partner.pk]),
        partner_data(name=partner.name, kind=partner.kind, **overrides),
    )


def give_logo(partner, size=(300, 120)):
    logo = sanitize_logo(upload(image_bytes(size=size)))
    partner.logo.save(logo.name, logo)
    return partner


@pytest.fixture
def partner_with_logo(partner):
    return give_logo(partner)


@pytest.fixture
def outside_partner_with_logo(other_facility):
    return give_logo(PartnerFactory(facility=other_facility, name="BLK Pangkalan Bun"))


# Stored uploads ----------------------------------------------------------------------------


def test_partner_logo_upload_png_is_stored_as_small_clean_png(client_for, admin_user, partner):
    client = client_for(admin_user)
    response = post_update(client, partner, logo=upload(image_bytes(size=(1500, 500)), "blk.png"))
    assert response.status_code == 302
    assert "The partner BLK Kota Palangka Raya was saved." in shown_messages(response)
    partner.refresh_from_db()
    _data, image = stored(partner.logo)
    assert_clean_png(image)
    assert image.size == (600, 200)
    assert partner.logo.name.startswith("logos/") and partner.logo.name.endswith(".png")
    assert "blk.png" not in partner.logo.name
    assert len(media_files()) == 1


def test_partner_logo_upload_jpeg_with_exif_is_stored_as_png_without_it(
    client_for, staff_user, facility
):
    response = client_for(staff_user).post(
        reverse("programs:partner_create"),
        partner_data(logo=upload(gps_jpeg(), "logo.jpg", "image/jpeg")),
    )
    assert response.status_code == 302
    created = Partner.objects.get(name="UMKM Marajaki Kreatif", facility=facility)
    data, image = stored(created.logo)
    assert_clean_png(image)
    assert image.size == (40, 30)
    assert b"SecretCam" not in data
    assert b"block C" not in data


def test_partner_logo_upload_large_jpeg_shrinks_to_600_px_long_side(
    client_for, admin_user, partner
):
    jpeg = image_bytes("JPEG", size=(900, 1200))
    post_update(client_for(admin_user), partner, logo=upload(jpeg, "tall.jpg", "image/jpeg"))
    partner.refresh_from_db()
    assert stored(partner.logo)[1].size == (450, 600)


def test_partner_logo_upload_transparency_becomes_white(client_for, admin_user, partner):
    post_update(client_for(admin_user), partner, logo=upload(transparent_png()))
    partner.refresh_from_db()
    _data, image = stored(partner.logo)
    assert_clean_png(image)
    assert image.getpixel((10, 10)) == (255, 0, 0)
    assert image.getpixel((70, 10)) == (255, 255, 255)


def test_partner_logo_replaced_removes_the_old_file(client_for, admin_user, partner_with_logo):
    old_name = partner_with_logo.logo.name
    post_update(client_for(admin_user), partner_with_logo, logo=upload(image_bytes(size=(90, 90))))
    partner_with_logo.refresh_from_db()
    assert partner_with_logo.logo.name != old_name
    assert stored(partner_with_logo.logo)[1].size == (90, 90)
    assert [path.name for path in media_files()] == [partner_with_logo.logo.name.split("/")[-1]]


def test_partner_logo_edit_without_upload_keeps_the_logo(client_for, admin_user, partner_with_logo):
    name = partner_with_logo.logo.name
    response = post_update(client_for(admin_user), partner_with_logo, contact_person="Pak Andi")
    assert response.status_code == 302
    partner_with_logo.refresh_from_db()
    assert partner_with_logo.contact_person == "Pak Andi"
    assert partner_with_logo.logo.name == name
    assert len(media_files()) == 1


# Refused uploads ---------------------------------------------------------------------------


BAD_LOGOS = [
    pytest.param(
        lambda: upload(b"I am not a picture\n" * 20, "logo.png", "image/png"),
        NOT_A_LOGO,
        id="text-named-png",
    ),
    pytest.param(lambda: upload(SVG_LOGO, "logo.svg", "image/svg+xml"), NOT_A_LOGO, id="svg"),
    pytest.param(lambda: upload(image_bytes("GIF"), "logo.png"), NOT_A_LOGO, id="gif-named-png"),
    pytest.param(
        lambda: upload(truncated_jpeg(), "logo.jpg", "image/jpeg"), NOT_A_LOGO, id="truncated"
    ),
    # ~100 megapixels in a few KB: refused from the header, never decoded.
    pytest.param(
        lambda: upload(image_bytes(size=(10_000, 10_000), mode="1")),
        LOGO_TOO_MANY_PIXELS,
        id="png-bomb",
    ),
]


@pytest.mark.parametrize(("logo", "message"), BAD_LOGOS)
def test_partner_logo_update_bad_file_shows_error_and_saves_nothing(
    client_for, admin_user, partner, logo, message
):
    response = post_update(client_for(admin_user), partner, contact_person="Pak Andi", logo=logo())
    assert response.status_code == 200
    assert message in page(response)
    partner.refresh_from_db()
    assert partner.contact_person == ""
    assert not partner.logo
    assert media_files() == []


@pytest.mark.parametrize(("logo", "message"), BAD_LOGOS)
def test_partner_logo_create_bad_file_shows_error_and_saves_nothing(
    client_for, staff_user, partner, logo, message
):
    before = Partner.objects.count()
    response = client_for(staff_user).post(
        reverse("programs:partner_create"), partner_data(logo=logo())
    )
    assert response.status_code == 200
    assert message in page(response)
    assert Partner.objects.count() == before
    assert media_files() == []


def test_partner_logo_over_size_limit_is_refused(settings, client_for, admin_user, partner):
    settings.PHOTO_MAX_UPLOAD_BYTES = 100
    data = image_bytes(size=(200, 200), optimize=False)
    assert len(data) > 100
    response = post_update(client_for(admin_user), partner, logo=upload(data))
    assert "The logo is too large; the limit is 100\xa0bytes." in page(response)
    partner.refresh_from_db()
    assert not partner.logo
    assert media_files() == []


def test_partner_logo_bad_file_keeps_the_current_logo(client_for, admin_user, partner_with_logo):
    name = partner_with_logo.logo.name
    response = post_update(client_for(admin_user), partner_with_logo, logo=upload(SVG_LOGO))
    assert NOT_A_LOGO in page(response)
    partner_with_logo.refresh_from_db()
    assert partner_with_logo.logo.name == name
    assert len(media_files()) == 1


# Removing the logo -------------------------------------------------------------------------


def test_partner_logo_remove_goes_back_to_the_default(client_for, admin_user, partner_with_logo):
    client = client_for(admin_user)
    response = post_update(client, partner_with_logo, remove_logo="on")
    assert response.status_code == 302
    partner_with_logo.refresh_from_db()
    assert not partner_with_logo.logo
    assert media_files() == []
    assert DEFAULT_USED in page(client.get(response.url))


def test_partner_logo_remove_checkbox_only_when_there_is_a_logo(
    client_for, admin_user, partner, other_partner
):
    give_logo(partner)
    client = client_for(admin_user)
    with_logo = page(client.get(reverse("programs:partner_update", args=[partner.pk])))
    without = page(client.get(reverse("programs:partner_update", args=[other_partner.pk])))
    assert "Remove the logo" in with_logo
    assert reverse(LOGO, args=[partner.pk]) in with_logo
    assert 'enctype="multipart/form-data"' in with_logo
    assert "Remove the logo" not in without
    assert "at most 600 px" in without


# Detail page -------------------------------------------------------------------------------


def test_partner_detail_shows_the_uploaded_logo(client_for, viewer_user, partner_with_logo):
    response = client_for(viewer_user).get(partner_with_logo.get_absolute_url())
    assert f'src="{reverse(LOGO, args=[partner_with_logo.pk])}"' in page(response)
    assert 'alt="Logo of BLK Kota Palangka Raya"' in page(response)
    assert DEFAULT_USED not in page(response)


def test_partner_detail_without_logo_says_the_default_is_used(client_for, viewer_user, partner):
    response = client_for(viewer_user).get(partner.get_absolute_url())
    assert DEFAULT_USED in page(response)
    assert reverse(LOGO, args=[partner.pk]) not in page(response)


# Serving the logo --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, "login"), ("trainer", 403), ("viewer", 200), ("staff", 200), ("admin", 200)],
)
def test_partner_logo_view_access(client_for, users, partner_with_logo, role, expected):
    client = client_for(users[role] if role else None)
    response = client.get(reverse(LOGO, args=[partner_with_logo.pk]))
    assert_answer(response, expected)
    if expected == 200:
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        body = b"".join(response.streaming_content)
        assert body == stored(partner_with_logo.logo)[0]
        assert Image.open(io.BytesIO(body)).format == "PNG"


def test_partner_logo_view_other_facility_not_found(
    client_for, admin_user, outside_partner_with_logo
):
    response = client_for(admin_user).get(reverse(LOGO, args=[outside_partner_with_logo.pk]))
    assert response.status_code == 404


def test_partner_logo_view_without_logo_not_found(client_for, admin_user, partner):
    assert client_for(admin_user).get(reverse(LOGO, args=[partner.pk])).status_code == 404


def test_partner_logo_view_file_gone_not_found(client_for, admin_user, partner_with_logo):
    partner_with_logo.logo.storage.delete(partner_with_logo.logo.name)
    response = client_for(admin_user).get(reverse(LOGO, args=[partner_with_logo.pk]))
    assert response.status_code == 404


def test_partner_logo_view_post_not_allowed(client_for, admin_user, partner_with_logo):
    response = client_for(admin_user).post(reverse(LOGO, args=[partner_with_logo.pk]))
    assert response.status_code == 405


# Facility logo in the Django admin ---------------------------------------------------------


def facility_admin_post(client, facility, **overrides):
    return client.post(
        reverse("admin:lapas_training_facility_change", args=[facility.pk]),
        {
            "name": facility.name,
            "kind": facility.kind,
            "grade": facility.grade,
            "unit_code": facility.unit_code,
            "city": facility.city,
            "address": "",
            "head_name": "",
            "head_nip": "",
            "certificate_number_pattern": facility.certificate_number_pattern,
            "letterhead_ministry": facility.letterhead_ministry,
            **overrides,
        },
    )


@pytest.mark.parametrize(("logo", "message"), BAD_LOGOS)
def test_facility_admin_logo_bad_file_is_refused(client_for, superuser, facility, logo, message):
    response = facility_admin_post(client_for(superuser), facility, head_name="X", logo=logo())
    assert response.status_code == 200
    assert message in page(response)
    facility.refresh_from_db()
    assert not facility.logo
    assert facility.head_name == ""
    assert media_files() == []


def test_facility_admin_logo_image_is_reencoded(client_for, superuser, facility):
    jpeg = image_bytes("JPEG", size=(1000, 800))
    response = facility_admin_post(
        client_for(superuser), facility, logo=upload(jpeg, "lapas.jpg", "image/jpeg")
    )
    assert response.status_code == 302
    facility.refresh_from_db()
    _data, image = stored(facility.logo)
    assert_clean_png(image)
    assert image.size == (600, 480)
    assert "lapas.jpg" not in facility.logo.name


def test_facility_admin_logo_exif_is_dropped(client_for, superuser, facility):
    facility_admin_post(client_for(superuser), facility, logo=upload(gps_jpeg(), "a.jpg"))
    facility.refresh_from_db()
    data, image = stored(facility.logo)
    assert_clean_png(image)
    assert b"SecretCam" not in data


def test_facility_admin_logo_replaced_or_cleared_removes_the_old_file(
    client_for, superuser, facility, django_capture_on_commit_callbacks
):
    client = client_for(superuser)
    facility_admin_post(client, facility, logo=upload(image_bytes()))
    facility.refresh_from_db()
    first = facility.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        facility_admin_post(client, facility, logo=upload(image_bytes(size=(50, 50))))
    facility.refresh_from_db()
    assert facility.logo.name != first
    assert [path.name for path in media_files()] == [facility.logo.name.split("/")[-1]]
    with django_capture_on_commit_callbacks(execute=True):
        response = facility_admin_post(client, facility, **{"logo-clear": "on"})
    assert response.status_code == 302
    facility.refresh_from_db()
    assert not facility.logo
    assert media_files() == []


# Printed on the certificate ----------------------------------------------------------------


def first_page_image_sizes(pdf):
    """(width, height) of every image XObject drawn on the first page, inside form XObjects too."""
    sizes = []

    def walk(resources):
        for xobject in resources.get("/XObject", {}).values():
            xobject = xobject.get_object()
            if xobject["/Subtype"] == "/Image":
                sizes.append((xobject["/Width"], xobject["/Height"]))
            elif "/Resources" in xobject:
                walk(xobject["/Resources"].get_object())

    walk(PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"].get_object())
    return sizes


def test_certificate_pdf_prints_the_lead_partners_uploaded_logo(program, partner, admin_user):
    certificate = make_certificate(program, admin_user)
    certificates = (
        Certificate.objects.filter(pk=certificate.pk)
        .select_related("facility", "enrollment__program")
        .prefetch_related("enrollment__program__program_partners__partner")
    )
    default = first_page_image_sizes(certificate_pdf(certificates, language="en"))
    # An odd size that no default drawing has, so the image found is the uploaded one. Counting
    # images would not tell: the default drawing may itself be a bitmap that the logo replaces.
    give_logo(partner, size=(301, 117))
    uploaded = first_page_image_sizes(certificate_pdf(certificates.all(), language="en"))
    assert (301, 117) in uploaded
    assert (301, 117) not in default


def partner_admin_post(client, partner, **overrides):
    return client.post(
        reverse("admin:programs_partner_change", args=[partner.pk]),
        {
            "facility": partner.facility_id,
            "name": partner.name,
            "kind": partner.kind,
            "is_active": "on",
            "certificate_number_pattern": partner.certificate_number_pattern,
            # The agreements inline: none, none added.
            "agreements-TOTAL_FORMS": "0",
            "agreements-INITIAL_FORMS": "0",
            **overrides,
        },
    )


def test_partner_admin_logo_bad_file_is_refused(client_for, superuser, partner):
    response = partner_admin_post(client_for(superuser), partner, logo=upload(SVG_LOGO))

    assert response.status_code == 200
    assert "Upload a JPEG, PNG or WebP logo" in page(response)
    partner.refresh_from_db()
    assert not partner.logo
    assert media_files() == []


def test_partner_admin_logo_image_is_reencoded(client_for, superuser, partner):
    jpeg = image_bytes("JPEG", size=(1000, 800))

    response = partner_admin_post(
        client_for(superuser), partner, logo=upload(jpeg, "blk.jpg", "image/jpeg")
    )

    assert response.status_code == 302
    partner.refresh_from_db()
    _data, image = stored(partner.logo)
    assert_clean_png(image)
    assert image.size == (600, 480)
    assert "blk.jpg" not in partner.logo.name
