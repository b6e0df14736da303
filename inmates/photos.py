"""Inmate portraits: an upload is decoded under limits and re-encoded before anything is stored.

Only fresh pixels reach the disk, so nothing the uploader smuggled in survives: no EXIF (GPS,
camera serial), no ICC profile, no comment, no bytes appended after the image (a PNG that is
also an HTML page), no original file name. Files are stored under MEDIA_ROOT/private, which the
web server must never serve; `inmates.views.inmates.inmate_photo` serves them after an access check.
"""

import io
import secrets
import threading
import warnings
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps

# Pillow's plugin names; `Image.open` tries only these, so no other parser sees the bytes.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
FULL_SIZE = 1600
THUMBNAIL_SIZE = 160
JPEG_QUALITY = 85
# Certificates print a logo at most 24 mm high: 600 px is sharp at print resolution.
LOGO_SIZE = 600

# What Pillow raises on hostile or broken files: truncated data (OSError), malformed headers
# (SyntaxError, ValueError, EOFError), and its own bomb guards.
DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


def sanitize_image(uploaded_file):
    """Check an uploaded portrait and return `(full, thumbnail)` JPEG ContentFiles.

    Raises ValidationError when the file is too large, not a JPEG, PNG or WebP, has too many
    pixels, or cannot be decoded. The returned files have random names; the original bytes are
    never kept.
    """
    # The size is known before a byte is read: refuse early, whatever the file claims to be.
    if uploaded_file.size > settings.PHOTO_MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The photo is too large; the limit is %(limit)s.")
            % {"limit": filesizeformat(settings.PHOTO_MAX_UPLOAD_BYTES)},
            code="too_large",
        )
    image = _decode(uploaded_file)
    return _encode(image, FULL_SIZE), _encode(image, THUMBNAIL_SIZE)


def sanitize_logo(uploaded_file):
    """Check an uploaded logo and return it as one PNG ContentFile with a random name.

    The same size, format and pixel limits as `sanitize_image`, worded for a logo. Logos are
    printed on white paper, so transparency is flattened onto white; the long side is at most
    `LOGO_SIZE` px and nothing but the pixels is written (no EXIF, ICC profile or text chunks).
    """
    if uploaded_file.size > settings.PHOTO_MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The logo is too large; the limit is %(limit)s.")
            % {"limit": filesizeformat(settings.PHOTO_MAX_UPLOAD_BYTES)},
            code="too_large",
        )
    try:
        image = _decode(uploaded_file)
    except ValidationError as error:
        # `_decode` speaks of photos; a partner's or facility's logo is not one.
        if error.code == "too_many_pixels":
            raise ValidationError(
                _("The logo has too many pixels; the limit is %(limit)s megapixels.")
                % {"limit": settings.PHOTO_MAX_PIXELS // 1_000_000},
                code="too_many_pixels",
            ) from None
        raise ValidationError(
            _("Upload a JPEG, PNG or WebP logo; this file is not one or is damaged."),
            code="invalid_image",
        ) from None
    image.thumbnail((LOGO_SIZE, LOGO_SIZE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    # No pnginfo, icc_profile or exif argument: only the pixels are written.
    image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue(), name=secrets.token_urlsafe(16) + ".png")


def _decode(uploaded_file):
    """The uploaded image's pixels, upright and flattened to RGB, after the format and pixel checks."""
    not_an_image = ValidationError(
        _("Upload a JPEG, PNG or WebP photo; this file is not one or is damaged."),
        code="invalid_image",
    )
    too_many_pixels = ValidationError(
        _("The photo has too many pixels; the limit is %(limit)s megapixels.")
        % {"limit": settings.PHOTO_MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )
    uploaded_file.seek(0)
    # A few KB of PNG can claim 100 megapixels and need gigabytes once decoded. Pillow's own
    # guard only warns below twice its global limit, so the warning is an error here; the global
    # limit itself is left alone as other code in the process shares it.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(uploaded_file, formats=ALLOWED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels from None
        except DECODE_ERRORS:
            raise not_an_image from None
        # The header gave the size; the pixels are not decoded yet.
        width, height = image.size
        if width * height > settings.PHOTO_MAX_PIXELS:
            raise too_many_pixels
        if image.format not in ALLOWED_FORMATS:
            raise not_an_image
        try:
            with _refusing_truncated_files():
                image.load()
            return _flatten(ImageOps.exif_transpose(image))
        except DECODE_ERRORS:
            raise not_an_image from None


_truncation_lock = threading.Lock()


@contextmanager
def _refusing_truncated_files():
    """Make Pillow raise on a truncated file while we decode an upload.

    WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES on import, after which a half
    file decodes silently with grey padding; an upload must be refused instead. The flag is
    restored afterwards for WeasyPrint, and the lock keeps two decodes from racing on it.
    """
    with _truncation_lock:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _flatten(image):
    """A new RGB image of the pixels: transparency becomes white, nothing of `image.info` stays."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    source = image.convert("RGBA") if has_alpha else image.convert("RGB")
    flat = Image.new("RGB", source.size, "white")
    flat.paste(source, mask=source.getchannel("A") if has_alpha else None)
    return flat


def _encode(image, long_side):
    """`image` shrunk to at most `long_side` px, re-encoded as a JPEG with a random name."""
    resized = image.copy()
    resized.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    # Only quality and optimize are passed: no exif, icc_profile or comment can be written.
    buffer = io.BytesIO()
    resized.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return ContentFile(buffer.getvalue(), name=secrets.token_urlsafe(16) + ".jpg")


def photo_response(field_file):
    """Serve a stored photo (an ImageField's file) after the caller checked access; 404 if none."""
    if not field_file:
        raise Http404
    try:
        response = FileResponse(field_file.open("rb"), content_type="image/jpeg")
    except FileNotFoundError:
        # The row outlived its file (a restore without MEDIA_ROOT): no photo, not an error page.
        raise Http404 from None
    # Photos show inmates, which is personal data: the browser may keep one briefly, shared
    # caches never.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
