"""Documentation photos for the demo: drawn scenes of the August program (the hall, the work
tables, the bracelets and necklaces of batu Lilis), stored as real uploads are.

No photograph of a person is shipped with the code: the pictures are drawn with Pillow, simple
but recognisable in the activity report's annex. Each goes through the upload form, so it is
decoded, checked and re-encoded by `inmates.photos.sanitize_image` like any upload.
"""

import io
import math
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from programs.forms.photos import ProductPhotoForm, SessionPhotoForm
from programs.models import ProductPhoto, SessionPhoto

SIZE = (1200, 800)
BAND = 70
# Batu Lilis comes in browns, reds and greens; the strings are waxed cord.
STONE_COLOURS = [
    (122, 62, 40),
    (160, 82, 45),
    (176, 48, 40),
    (92, 112, 64),
    (58, 90, 70),
    (196, 150, 92),
    (84, 52, 36),
    (150, 120, 96),
]
SKIN = [(141, 96, 68), (163, 114, 80), (120, 82, 58), (176, 128, 92)]
SHIRT_ORANGE = (222, 120, 40)  # the inmates' vests
SHIRT_OFFICER = (82, 96, 62)


def _font(size):
    return ImageFont.load_default(size=size)


def _band(draw, text):
    """The dark strip at the foot with a line of text, as a camera's or an album's caption."""
    width, height = SIZE
    draw.rectangle([0, height - BAND, width, height], fill=(30, 34, 40))
    draw.text((24, height - BAND + 18), text, fill=(240, 240, 240), font=_font(30))


def _person(draw, x, y, scale, shirt, skin):
    """A seated figure seen from behind or the front: shoulders and a head."""
    draw.rounded_rectangle(
        [x - 34 * scale, y, x + 34 * scale, y + 70 * scale], radius=int(18 * scale), fill=shirt
    )
    draw.ellipse([x - 20 * scale, y - 42 * scale, x + 20 * scale, y + 2 * scale], fill=skin)
    draw.chord(
        [x - 21 * scale, y - 44 * scale, x + 21 * scale, y - 4 * scale], 180, 360, fill=(28, 24, 22)
    )


def _beads(draw, rng, centre, radius, count, bead, *, arc=(0, 360)):
    """A strand of stones along a circle's arc (a bracelet, or a necklace's U)."""
    cx, cy = centre
    start, end = arc
    for n in range(count):
        angle = math.radians(start + (end - start) * n / max(count - 1, 1))
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        colour = rng.choice(STONE_COLOURS)
        size = bead * rng.uniform(0.85, 1.15)
        draw.ellipse([x - size, y - size, x + size, y + size], fill=colour, outline=(40, 26, 20))
        # A highlight, so the stones look polished.
        draw.ellipse(
            [x - size * 0.5, y - size * 0.6, x - size * 0.1, y - size * 0.2],
            fill=tuple(min(255, c + 70) for c in colour),
        )


def hall(rng, caption):
    """The opening in the Aula Utama: a banner, a head table and rows of participants."""
    image = Image.new("RGB", SIZE, (214, 204, 184))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 470, SIZE[0], SIZE[1]], fill=(150, 112, 78))
    draw.rectangle([180, 60, 1020, 190], fill=(150, 28, 34))
    draw.text(
        (600, 105), "PEMBUKAAN PELATIHAN KEMANDIRIAN", fill="white", font=_font(40), anchor="mm"
    )
    draw.text(
        (600, 155),
        "Aksesoris Gelang dan Kalung Batu · Lapas Narkotika Kasongan",
        fill=(250, 230, 200),
        font=_font(26),
        anchor="mm",
    )
    draw.rectangle([300, 330, 900, 420], fill=(96, 60, 40))
    draw.rectangle([300, 330, 900, 350], fill=(232, 232, 232))
    for x in (400, 540, 660, 800):
        _person(draw, x, 262, 0.9, SHIRT_OFFICER, rng.choice(SKIN))
    for row, (y, scale) in enumerate([(520, 1.0), (610, 1.15)]):
        for n in range(7):
            x = 130 + n * 160 + (40 if row else 0)
            _person(draw, x, y, scale, SHIRT_ORANGE, rng.choice(SKIN))
    _band(draw, caption)
    return image


def worktable(rng, caption):
    """Hands at a table stringing stones, trays of beads, pliers and cord."""
    image = Image.new("RGB", SIZE, (120, 86, 60))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, SIZE[0], 180], fill=(204, 196, 176))
    for n in range(5):
        _person(draw, 160 + n * 220, 80, 1.1, SHIRT_ORANGE, rng.choice(SKIN))
    draw.rectangle([0, 170, SIZE[0], SIZE[1]], fill=(150, 108, 72))
    for tx, ty in ((120, 260), (470, 300), (820, 250)):
        draw.rounded_rectangle([tx, ty, tx + 260, ty + 170], radius=16, fill=(238, 234, 224))
        for _ in range(40):
            x, y = tx + rng.randint(20, 240), ty + rng.randint(20, 150)
            r = rng.randint(8, 13)
            draw.ellipse([x - r, y - r, x + r, y + r], fill=rng.choice(STONE_COLOURS))
    draw.line([(150, 600), (520, 560), (900, 610)], fill=(60, 40, 30), width=4)
    _beads(draw, rng, (520, 420), 200, 14, 13, arc=(60, 120))
    draw.polygon([(960, 520), (1090, 640), (1070, 655), (945, 540)], fill=(70, 70, 78))
    draw.polygon([(1010, 500), (980, 660), (1000, 664), (1030, 505)], fill=(70, 70, 78))
    _band(draw, caption)
    return image


def bracelets(rng, caption):
    """Bracelets of batu Lilis laid out on a woven cloth (a product photo)."""
    image = Image.new("RGB", SIZE, (236, 226, 200))
    draw = ImageDraw.Draw(image)
    for x in range(0, SIZE[0], 60):
        draw.line([(x, 0), (x, SIZE[1])], fill=(222, 206, 170), width=18)
    for y in range(0, SIZE[1], 60):
        draw.line([(0, y), (SIZE[0], y)], fill=(214, 196, 158), width=10)
    for cx, cy, radius in ((330, 340, 170), (800, 320, 150), (600, 560, 120)):
        draw.ellipse(
            [cx - radius, cy - radius, cx + radius, cy + radius], outline=(70, 50, 36), width=3
        )
        _beads(draw, rng, (cx, cy), radius, int(radius / 9), 17)
    _band(draw, caption)
    return image


def necklace(rng, caption):
    """A necklace of batu Lilis with a pendant, on a dark cloth (a product photo)."""
    image = Image.new("RGB", SIZE, (46, 52, 60))
    draw = ImageDraw.Draw(image)
    # The cord runs up out of the picture, as when the necklace lies on the cloth.
    draw.ellipse([260, -210, 940, 470], outline=(190, 170, 140), width=3)
    _beads(draw, rng, (600, 130), 340, 26, 16, arc=(20, 160))
    draw.line([(600, 470), (600, 500)], fill=(190, 170, 140), width=4)
    draw.polygon([(600, 500), (650, 570), (600, 650), (550, 570)], fill=(92, 112, 64))
    draw.polygon([(600, 515), (630, 565), (600, 600)], fill=(132, 160, 96))
    _band(draw, caption)
    return image


def upload(image):
    """`image` as the JPEG a phone would send."""
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    return SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")


def store(form, **fields):
    """Save a valid photo form's sanitised files and row, as `programs.views.photos` does."""
    if not form.is_valid():
        raise ValueError(form.errors.as_text())
    photo = form.instance
    for name, value in fields.items():
        setattr(photo, name, value)
    full, thumbnail = form.cleaned_data["image"]
    photo.image.save(full.name, full, save=False)
    photo.thumbnail.save(thumbnail.name, thumbnail, save=False)
    form.save()
    return photo


def seed_session_photos(sessions, rows, uploaded_by):
    """`rows` of (day index, draw function, caption, band text): one photo each, only if the
    session has no photo with that caption yet."""
    rng = random.Random(2025)
    for day, drawing, caption, band in rows:
        session = sessions[day]
        if SessionPhoto.objects.filter(session=session, caption=caption).exists():
            continue
        form = SessionPhotoForm({"caption": caption}, {"image": upload(drawing(rng, band))})
        store(form, session=session, uploaded_by=uploaded_by)


def seed_product_photos(program, rows, enrollments, uploaded_by):
    """`rows` of (draw function, caption, band text, maker's registration number or None)."""
    rng = random.Random(808)
    for drawing, caption, band, maker in rows:
        if ProductPhoto.objects.filter(program=program, caption=caption).exists():
            continue
        enrollment = enrollments.get(inmate__registration_number=maker) if maker else None
        form = ProductPhotoForm(
            {"caption": caption, "enrollment": enrollment.pk if enrollment else ""},
            {"image": upload(drawing(rng, band))},
            enrollments=enrollments,
        )
        store(form, program=program, uploaded_by=uploaded_by)
