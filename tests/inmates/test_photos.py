import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageFile

from inmates.models import Inmate
from inmates.photos import sanitize_image
from programs.models import Enrollment
from tests.factories import EnrollmentFactory
from tests.helpers import assert_answer, page
from tests.images import (
    NOT_AN_IMAGE,
    TOO_MANY_PIXELS,
    assert_clean_jpeg,
    image_bytes,
    media_files,
    stored,
    truncated_jpeg,
    upload,
)

UPDATE = "inmates:inmate_update"
PHOTO = "inmates:inmate_photo"
THUMBNAIL = "inmates:inmate_photo_thumbnail"


def form_data(inmate, **overrides):
    return {
        "registration_number": inmate.registration_number,
        "full_name": inmate.full_name,
        "gender": inmate.gender,
        "block": inmate.block,
        "status": inmate.status,
        **overrides,
    }


def post_photo(client, inmate, photo, **overrides):
    return client.post(
        reverse(UPDATE, args=[inmate.pk]), form_data(inmate, photo=photo, **overrides)
    )


@pytest.fixture
def inmate_with_photo(inmate):
    full, thumbnail = sanitize_image(upload(image_bytes(size=(400, 300))))
    inmate.photo.save(full.name, full, save=False)
    inmate.photo_thumbnail.save(thumbnail.name, thumbnail, save=False)
    inmate.save()
    return inmate


# Refused uploads ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("photo", "message"),
    [
        # ~100 megapixels in a few KB: refused from the header, never decoded.
        pytest.param(
            lambda: upload(image_bytes(size=(10_000, 10_000), mode="1")),
            TOO_MANY_PIXELS,
            id="png-bomb",
        ),
        pytest.param(
            lambda: upload(image_bytes(size=(8000, 6000), mode="1")),
            TOO_MANY_PIXELS,
            id="above-our-limit",
        ),
        pytest.param(
            lambda: upload(truncated_jpeg(), "photo.jpg", "image/jpeg"),
            NOT_AN_IMAGE,
            id="truncated-jpeg",
        ),
        pytest.param(
            lambda: upload(b"I am not a picture\n" * 20, "photo.jpg", "image/jpeg"),
            NOT_AN_IMAGE,
            id="text-named-jpg",
        ),
        pytest.param(
            lambda: upload(image_bytes("GIF"), "photo.png", "image/png"),
            NOT_AN_IMAGE,
            id="gif-named-png",
        ),
    ],
)
def test_photo_upload_bad_file_is_refused(client_for, admin_user, inmate, photo, message):
    before = media_files()
    response = post_photo(client_for(admin_user), inmate, photo())
    assert response.status_code == 200
    assert message in page(response)
    inmate.refresh_from_db()
    assert not inmate.photo and not inmate.photo_thumbnail
    assert media_files() == before


def test_photo_upload_over_size_limit_is_refused(settings, client_for, admin_user, inmate):
    settings.PHOTO_MAX_UPLOAD_BYTES = 100
    data = image_bytes(size=(200, 200), mode="RGB", optimize=False)
    assert len(data) > 100
    response = post_photo(client_for(admin_user), inmate, upload(data))
    assert "The photo is too large; the limit is 100\xa0bytes." in page(response)
    inmate.refresh_from_db()
    assert not inmate.photo
    assert media_files() == []


def test_photo_upload_bomb_leaves_pillow_limit_alone(client_for, admin_user, inmate):
    limit = Image.MAX_IMAGE_PIXELS
    post_photo(client_for(admin_user), inmate, upload(image_bytes(size=(10_000, 10_000), mode="1")))
    assert limit == Image.MAX_IMAGE_PIXELS


# Stored uploads ----------------------------------------------------------------------------


def test_photo_upload_png_with_html_appended_is_reencoded(client_for, admin_user, inmate):
    html = b"<html><script>alert('xss')</script></html>"
    response = post_photo(client_for(admin_user), inmate, upload(image_bytes() + html))
    assert response.status_code == 302
    inmate.refresh_from_db()
    for field in (inmate.photo, inmate.photo_thumbnail):
        data, image = stored(field)
        assert_clean_jpeg(image)
        assert b"<script" not in data
        assert field.name.startswith("private/inmates/") and field.name.endswith(".jpg")
    assert "photo.png" not in inmate.photo.name


def test_photo_upload_jpeg_loses_gps_exif_and_comment(client_for, admin_user, inmate):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[0x8825] = {1: "S", 2: (2.0, 12.0, 30.0), 3: "E", 4: (113.0, 55.0, 0.0)}
    data = image_bytes("JPEG", exif=exif, comment=b"taken in block C")
    response = post_photo(client_for(admin_user), inmate, upload(data, "p.jpg", "image/jpeg"))
    assert response.status_code == 302
    inmate.refresh_from_db()
    stored_data, image = stored(inmate.photo)
    assert_clean_jpeg(image)
    assert b"SecretCam" not in stored_data
    assert b"taken in block C" not in stored_data


def test_photo_upload_applies_exif_orientation(client_for, admin_user, inmate):
    exif = Image.Exif()
    exif[0x0112] = 6  # Rotate 90° clockwise to display.
    data = image_bytes("JPEG", size=(20, 10), exif=exif)
    post_photo(client_for(admin_user), inmate, upload(data, "p.jpg", "image/jpeg"))
    inmate.refresh_from_db()
    assert stored(inmate.photo)[1].size == (10, 20)


def test_photo_upload_downscales_and_makes_thumbnail(client_for, admin_user, inmate):
    data = image_bytes("WEBP", size=(2000, 1000), mode="RGBA")
    post_photo(client_for(admin_user), inmate, upload(data, "p.webp", "image/webp"))
    inmate.refresh_from_db()
    full, thumbnail = stored(inmate.photo)[1], stored(inmate.photo_thumbnail)[1]
    assert full.size == (1600, 800)
    assert thumbnail.size == (160, 80)
    # Transparency is flattened on white.
    assert full.getpixel((5, 5)) == pytest.approx((255, 255, 255), abs=2)


def test_photo_replace_deletes_old_files(client_for, admin_user, inmate_with_photo):
    old = media_files()
    response = post_photo(client_for(admin_user), inmate_with_photo, upload(image_bytes()))
    assert response.status_code == 302
    inmate_with_photo.refresh_from_db()
    now = {path.name for path in media_files()}
    assert now == {
        inmate_with_photo.photo.name.rsplit("/", 1)[1],
        inmate_with_photo.photo_thumbnail.name.rsplit("/", 1)[1],
    }
    assert not {path.name for path in old} & now


def test_photo_remove_clears_fields_and_files(client_for, admin_user, inmate_with_photo):
    client = client_for(admin_user)
    assert "Remove the current photo" in page(
        client.get(reverse(UPDATE, args=[inmate_with_photo.pk]))
    )
    response = post_photo(client, inmate_with_photo, "", remove_photo="on")
    assert response.status_code == 302
    inmate_with_photo.refresh_from_db()
    assert not inmate_with_photo.photo and not inmate_with_photo.photo_thumbnail
    assert media_files() == []


def test_photo_edit_without_upload_keeps_photo(client_for, admin_user, inmate_with_photo):
    name = inmate_with_photo.photo.name
    response = post_photo(client_for(admin_user), inmate_with_photo, "", full_name="Budi S.")
    assert response.status_code == 302
    inmate_with_photo.refresh_from_db()
    assert inmate_with_photo.full_name == "Budi S."
    assert inmate_with_photo.photo.name == name
    assert len(media_files()) == 2


def test_photo_form_without_photo_has_no_remove_box(client_for, admin_user, inmate):
    html = page(client_for(admin_user).get(reverse(UPDATE, args=[inmate.pk])))
    assert 'accept="image/jpeg,image/png,image/webp"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "Remove the current photo" not in html


def test_photo_detail_page_shows_thumbnail(client_for, viewer_user, inmate_with_photo):
    html = page(
        client_for(viewer_user).get(reverse("inmates:inmate_detail", args=[inmate_with_photo.pk]))
    )
    thumbnail_url = reverse(THUMBNAIL, args=[inmate_with_photo.pk])
    assert f'src="{thumbnail_url}" alt="Budi Santoso"' in html


def test_photo_change_shown_in_history_without_file_name(
    client_for, viewer_user, inmate_with_photo
):
    html = page(
        client_for(viewer_user).get(reverse("inmates:inmate_detail", args=[inmate_with_photo.pk]))
    )
    assert "Photo: – → a photo" in html
    assert "private/inmates" not in html.replace(reverse(PHOTO, args=[inmate_with_photo.pk]), "")


# Serving -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [PHOTO, THUMBNAIL])
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", "login"),
        ("outsider", 404),
        ("other_trainer", 404),
        ("trainer_not_enrolled", 404),
        ("trainer", 200),
        ("admin", 200),
        ("staff", 200),
        ("viewer", 200),
    ],
)
def test_photo_view_access(
    client_for, users, other_trainer_user, program, inmate_with_photo, name, who, expected
):
    if who != "trainer_not_enrolled":
        # Any status counts: a finished participant's trainer still sees the portrait.
        EnrollmentFactory(
            program=program, inmate=inmate_with_photo, status=Enrollment.Status.COMPLETED
        )
    user = {
        "anonymous": None,
        "other_trainer": other_trainer_user,
        "trainer_not_enrolled": users["trainer"],
    }.get(who, users.get(who))
    response = client_for(user).get(reverse(name, args=[inmate_with_photo.pk]))
    assert_answer(response, expected)
    if expected == 200:
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, max-age=300"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert Image.open(io.BytesIO(b"".join(response.streaming_content))).format == "JPEG"


@pytest.mark.parametrize("name", [PHOTO, THUMBNAIL])
def test_photo_view_without_photo_is_404(client_for, admin_user, inmate, name):
    response = client_for(admin_user).get(reverse(name, args=[inmate.pk]))
    assert response.status_code == 404


def test_photo_view_missing_file_is_404(client_for, admin_user, inmate_with_photo):
    inmate_with_photo.photo.storage.delete(inmate_with_photo.photo.name)
    response = client_for(admin_user).get(reverse(PHOTO, args=[inmate_with_photo.pk]))
    assert response.status_code == 404


def test_photo_view_post_is_405(client_for, admin_user, inmate_with_photo):
    response = client_for(admin_user).post(reverse(PHOTO, args=[inmate_with_photo.pk]))
    assert response.status_code == 405


def test_photo_not_reachable_under_media_url(client_for, admin_user, inmate_with_photo):
    response = client_for(admin_user).get("/" + settings.MEDIA_URL + inmate_with_photo.photo.name)
    assert response.status_code == 404
    assert Inmate.objects.get(pk=inmate_with_photo.pk).photo


def test_sanitize_refuses_truncated_file_after_weasyprint_import():
    # WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES when imported; uploads must not follow.
    import weasyprint  # noqa: F401 -- importing it is what flips the flag

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    with pytest.raises(ValidationError):
        sanitize_image(SimpleUploadedFile("x.jpg", truncated_jpeg(), content_type="image/jpeg"))
    assert ImageFile.LOAD_TRUNCATED_IMAGES
