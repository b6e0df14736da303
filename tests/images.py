"""Test images and checks shared by the photo tests (inmate portraits, session and product photos)."""

import io

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# What `inmates.photos.sanitize_image` says when it refuses a file.
NOT_AN_IMAGE = "Upload a JPEG, PNG or WebP photo; this file is not one or is damaged."
TOO_MANY_PIXELS = "The photo has too many pixels; the limit is 40 megapixels."


def image_bytes(fmt="PNG", size=(40, 30), mode="RGB", **params):
    buffer = io.BytesIO()
    Image.new(mode, size, "white" if mode != "1" else 0).save(buffer, fmt, **params)
    return buffer.getvalue()


def upload(data, name="photo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def media_files():
    root = settings.MEDIA_ROOT
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def stored(field):
    with field.open("rb") as file:
        data = file.read()
    return data, Image.open(io.BytesIO(data))


def truncated_jpeg():
    buffer = io.BytesIO()
    Image.effect_noise((300, 300), 80).convert("RGB").save(buffer, "JPEG", quality=95)
    data = buffer.getvalue()
    return data[: len(data) // 2]


def gps_jpeg():
    """A JPEG whose EXIF names the camera and the place, with a comment: all must be dropped."""
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[0x8825] = {1: "S", 2: (2.0, 12.0, 30.0), 3: "E", 4: (113.0, 55.0, 0.0)}
    return image_bytes("JPEG", exif=exif, comment=b"taken in block C")


def assert_clean_jpeg(image):
    assert image.format == "JPEG"
    assert "exif" not in image.info
    assert "comment" not in image.info
    assert "icc_profile" not in image.info
    assert not image.getexif()


# What `inmates.photos.sanitize_logo` says when it refuses a file.
NOT_A_LOGO = "Upload a JPEG, PNG or WebP logo; this file is not one or is damaged."
LOGO_TOO_MANY_PIXELS = "The logo has too many pixels; the limit is 40 megapixels."

SVG_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b'<circle cx="50" cy="50" r="40" fill="green"/></svg>'
)


def transparent_png(size=(80, 40)):
    """An RGBA PNG, fully transparent but for a red left half."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (0, 0, size[0] // 2, size[1]))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def assert_clean_png(image):
    """A PNG that carries its pixels only: no EXIF, ICC profile or text chunks."""
    assert image.format == "PNG"
    assert image.mode == "RGB"
    assert not image.getexif()
    assert "icc_profile" not in image.info
    assert not getattr(image, "text", {})
