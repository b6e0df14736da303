"""Session documentation photos and product photos (hasil karya): who may do what, and the files."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from inmates.photos import sanitize_image
from programs.models import Enrollment, ProductPhoto, SessionPhoto
from tests.factories import EnrollmentFactory, InmateFactory, TrainingSessionFactory
from tests.helpers import assert_answer, page, shown_messages
from tests.images import (
    NOT_AN_IMAGE,
    TOO_MANY_PIXELS,
    assert_clean_jpeg,
    gps_jpeg,
    image_bytes,
    media_files,
    stored,
    upload,
)

TOO_LONG = "Ensure this value has at most 200 characters (it has 201)."
REQUIRED = "This field is required."
NOT_A_CHOICE = "Select a valid choice. That choice is not one of the available choices."


@pytest.fixture
def session(program):
    return TrainingSessionFactory(program=program)


@pytest.fixture
def enrollment(program, inmate):
    return EnrollmentFactory(program=program, inmate=inmate)


def add_photo(model, uploader, caption="", **fields):
    """A stored photo, written the way the upload view writes it."""
    full, thumbnail = sanitize_image(upload(image_bytes(size=(400, 300))))
    photo = model(uploaded_by=uploader, caption=caption, **fields)
    photo.image.save(full.name, full, save=False)
    photo.thumbnail.save(thumbnail.name, thumbnail, save=False)
    photo.save()
    return photo


@pytest.fixture
def targets(session, program, other_program, outside_program, admin_user):
    """For each kind of photo: its model, and a parent (and photo) seen from each corner."""
    other_session = TrainingSessionFactory(program=other_program)
    outside_session = TrainingSessionFactory(program=outside_program)
    return {
        "session": {
            "model": SessionPhoto,
            "add": "programs:session_photo_add",
            "parent": session,
            "other_partner": other_session,
            "outside": outside_session,
            "photo": lambda parent: add_photo(SessionPhoto, admin_user, session=parent),
        },
        "product": {
            "model": ProductPhoto,
            "add": "programs:product_photo_add",
            "parent": program,
            "other_partner": other_program,
            "outside": outside_program,
            "photo": lambda parent: add_photo(ProductPhoto, admin_user, program=parent),
        },
    }


def who_is(users, other_trainer_user, who):
    return {"anonymous": None, "other_trainer": other_trainer_user}.get(who, users.get(who))


# Who may upload -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["session", "product"])
@pytest.mark.parametrize(
    ("who", "where", "expected"),
    [
        ("anonymous", "parent", "login"),
        ("admin", "parent", 302),
        ("staff", "parent", 302),
        # Trainers photograph in the hall.
        ("trainer", "parent", 302),
        ("viewer", "parent", 403),
        ("other_trainer", "parent", 404),
        ("trainer", "other_partner", 404),
        ("outsider", "parent", 404),
        ("admin", "outside", 404),
    ],
)
def test_photo_add_access(
    client_for, users, other_trainer_user, targets, kind, who, where, expected
):
    target = targets[kind]
    parent = target[where]
    response = client_for(who_is(users, other_trainer_user, who)).post(
        reverse(target["add"], args=[parent.pk]),
        {"image": upload(image_bytes()), "caption": "Opening"},
    )
    assert_answer(response, expected)
    assert target["model"].objects.count() == (1 if expected == 302 else 0)
    assert len(media_files()) == (2 if expected == 302 else 0)


@pytest.mark.parametrize("name", ["programs:session_photo_add", "programs:product_photo_add"])
def test_photo_add_get_is_405(client_for, admin_user, session, name):
    pk = session.pk if name == "programs:session_photo_add" else session.program_id
    assert client_for(admin_user).get(reverse(name, args=[pk])).status_code == 405


# Uploads: what is stored --------------------------------------------------------------------


def test_session_photo_add_stores_clean_jpeg(client_for, trainer_user, session):
    client = client_for(trainer_user)
    response = client.post(
        reverse("programs:session_photo_add", args=[session.pk]),
        {"image": upload(gps_jpeg(), "IMG_0001.jpg", "image/jpeg"), "caption": "Pembukaan"},
    )
    assert response.url == session.get_absolute_url() + "#photos"
    assert shown_messages(response) == ["The photo was added."]
    photo = SessionPhoto.objects.get()
    assert (photo.session, photo.caption, photo.uploaded_by) == (session, "Pembukaan", trainer_user)
    for field in (photo.image, photo.thumbnail):
        data, image = stored(field)
        assert_clean_jpeg(image)
        assert b"SecretCam" not in data
        assert b"taken in block C" not in data
        assert field.name.startswith("private/sessions/") and field.name.endswith(".jpg")
        assert "IMG_0001" not in field.name
    assert stored(photo.thumbnail)[1].size == (40, 30)


def test_product_photo_add_stores_participant(client_for, staff_user, program, enrollment):
    response = client_for(staff_user).post(
        reverse("programs:product_photo_add", args=[program.pk]),
        {
            "image": upload(gps_jpeg(), "gelang.jpg", "image/jpeg"),
            "caption": "Gelang batu kecubung",
            "enrollment": enrollment.pk,
        },
    )
    assert response.url == program.get_absolute_url() + "#products"
    assert shown_messages(response) == ["The product photo was added."]
    photo = ProductPhoto.objects.get()
    assert (photo.program, photo.enrollment, photo.caption) == (
        program,
        enrollment,
        "Gelang batu kecubung",
    )
    assert photo.image.name.startswith("private/products/")
    data, image = stored(photo.image)
    assert_clean_jpeg(image)
    assert b"SecretCam" not in data


def test_product_photo_add_without_participant(client_for, admin_user, program):
    response = client_for(admin_user).post(
        reverse("programs:product_photo_add", args=[program.pk]),
        {"image": upload(image_bytes("WEBP"), "p.webp", "image/webp"), "enrollment": ""},
    )
    assert response.status_code == 302
    assert ProductPhoto.objects.get().enrollment is None


# Uploads: refused input ---------------------------------------------------------------------


BAD_INPUT = [
    # ~100 megapixels in a few KB: refused from the header, never decoded.
    pytest.param(
        lambda o: {"image": upload(image_bytes(size=(10_000, 10_000), mode="1"))},
        TOO_MANY_PIXELS,
        id="png-bomb",
    ),
    pytest.param(
        lambda o: {"image": upload(b"I am not a picture\n" * 20, "photo.jpg", "image/jpeg")},
        NOT_AN_IMAGE,
        id="text-named-jpg",
    ),
    pytest.param(lambda o: {"caption": "Pembukaan"}, REQUIRED, id="no-file"),
    pytest.param(
        lambda o: {"image": upload(image_bytes()), "caption": "x" * 201},
        TOO_LONG,
        id="caption-too-long",
    ),
]


@pytest.mark.parametrize("kind", ["session", "product"])
@pytest.mark.parametrize(("data", "message"), BAD_INPUT)
def test_photo_add_bad_input_is_refused(client_for, admin_user, targets, kind, data, message):
    target = targets[kind]
    response = client_for(admin_user).post(
        reverse(target["add"], args=[target["parent"].pk]), data(target)
    )
    assert response.status_code == 200
    assert message in page(response)
    assert target["model"].objects.count() == 0
    assert media_files() == []


@pytest.mark.parametrize("kind", ["session", "product"])
def test_photo_add_over_size_limit_is_refused(settings, client_for, admin_user, targets, kind):
    settings.PHOTO_MAX_UPLOAD_BYTES = 100
    target = targets[kind]
    data = image_bytes(size=(200, 200), optimize=False)
    assert len(data) > 100
    response = client_for(admin_user).post(
        reverse(target["add"], args=[target["parent"].pk]), {"image": upload(data)}
    )
    assert "The photo is too large; the limit is 100\xa0bytes." in page(response)
    assert target["model"].objects.count() == 0
    assert media_files() == []


def test_product_photo_add_participant_of_other_program_is_refused(
    client_for, admin_user, program, other_program
):
    stranger = EnrollmentFactory(program=other_program)
    response = client_for(admin_user).post(
        reverse("programs:product_photo_add", args=[program.pk]),
        {"image": upload(image_bytes()), "enrollment": stranger.pk},
    )
    assert response.status_code == 200
    assert NOT_A_CHOICE in page(response)
    assert ProductPhoto.objects.count() == 0
    assert media_files() == []


# The sections on the session and program pages ---------------------------------------------


@pytest.mark.parametrize(
    ("who", "upload_form", "delete_button"),
    [
        ("admin", True, True),
        ("staff", True, True),
        ("trainer", True, False),
        ("viewer", False, False),
    ],
)
def test_session_detail_shows_photos(
    client_for, users, admin_user, session, who, upload_form, delete_button
):
    photo = add_photo(SessionPhoto, admin_user, session=session, caption="Kalapas membuka")
    untitled = add_photo(SessionPhoto, admin_user, session=session)
    html = page(client_for(users[who]).get(session.get_absolute_url()))
    assert (
        f'<a href="{reverse("programs:session_photo", args=[photo.pk])}">'
        f'<img src="{reverse("programs:session_photo_thumbnail", args=[photo.pk])}" '
        'alt="Kalapas membuka"'
    ) in html
    assert (
        f'src="{reverse("programs:session_photo_thumbnail", args=[untitled.pk])}" alt="Session photo"'
        in html
    )
    assert '<figcaption class="figure-caption">Kalapas membuka</figcaption>' in html
    assert (reverse("programs:session_photo_add", args=[session.pk]) in html) is upload_form
    assert ("Upload photo" in html) is upload_form
    assert (reverse("programs:session_photo_delete", args=[photo.pk]) in html) is delete_button


def test_session_detail_without_photos_says_so(client_for, viewer_user, session):
    assert "No photos of this session yet." in page(
        client_for(viewer_user).get(session.get_absolute_url())
    )


@pytest.mark.parametrize(
    ("who", "upload_form", "delete_button"),
    [("admin", True, True), ("trainer", True, False), ("viewer", False, False)],
)
def test_program_detail_shows_product_photos(
    client_for, users, admin_user, program, enrollment, who, upload_form, delete_button
):
    photo = add_photo(
        ProductPhoto, admin_user, program=program, enrollment=enrollment, caption="Kalung"
    )
    html = page(client_for(users[who]).get(program.get_absolute_url()))
    assert (
        f'src="{reverse("programs:product_photo_thumbnail", args=[photo.pk])}" alt="Kalung"' in html
    )
    assert "Made by Budi Santoso" in html
    assert (reverse("programs:product_photo_add", args=[program.pk]) in html) is upload_form
    assert (reverse("programs:product_photo_delete", args=[photo.pk]) in html) is delete_button


def test_product_photo_form_offers_participants_by_name_only(
    client_for, trainer_user, program, enrollment
):
    EnrollmentFactory(
        program=program,
        inmate=InmateFactory(facility=program.facility, full_name="Andi Wijaya"),
        status=Enrollment.Status.WITHDRAWN,
        ended_on=program.start_date,
        end_reason="Sakit berkepanjangan",
    )
    html = page(client_for(trainer_user).get(program.get_absolute_url()))
    assert f'<option value="{enrollment.pk}">Budi Santoso</option>' in html
    # A trainer is offered the current participants only, as in the participant list.
    assert "Andi Wijaya" not in html


@pytest.mark.parametrize("photos", [1, 10])
def test_session_detail_query_count_is_fixed(
    client_for, admin_user, session, django_assert_num_queries, photos
):
    for _ in range(photos):
        add_photo(SessionPhoto, admin_user, session=session, caption="Praktik")
    client = client_for(admin_user)
    # 1 session, 2 user, 3 user's facility (scope), 4 the session with program, topic and who
    # cancelled it, 5 its trainers, 6 its photos, 7 its sheet scans with who uploaded them.
    with django_assert_num_queries(7):
        response = client.get(session.get_absolute_url())
    assert page(response).count(">Praktik</figcaption>") == photos


@pytest.mark.parametrize("photos", [1, 10])
def test_program_detail_query_count_with_photos_is_fixed(
    client_for, admin_user, program, django_assert_num_queries, photos
):
    for _ in range(photos):
        enrollment = EnrollmentFactory(program=program)
        add_photo(ProductPhoto, admin_user, program=program, enrollment=enrollment)
    client = client_for(admin_user)
    # 1 session, 2 user, 3 user's facility (scope), 4 the program, 5 topics, 6 partners with the
    # partner, 7 sessions with topic, 8 enrolments with the inmate, 9 product photos with the
    # participant, 10 the choices of the "attach partner" form, 11 events. (The photo form
    # offers the participants of 8; no trainers query: no session; no guests query: no event.)
    with django_assert_num_queries(11):
        response = client.get(program.get_absolute_url())
    assert page(response).count("Made by ") == photos


# Serving ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["session", "product"])
@pytest.mark.parametrize("thumbnail", [False, True])
@pytest.mark.parametrize(
    ("who", "where", "expected"),
    [
        ("anonymous", "parent", "login"),
        ("admin", "parent", 200),
        ("staff", "parent", 200),
        ("viewer", "parent", 200),
        ("trainer", "parent", 200),
        ("other_trainer", "parent", 404),
        ("trainer", "other_partner", 404),
        ("outsider", "parent", 404),
        ("admin", "outside", 404),
    ],
)
def test_photo_view_access(
    client_for, users, other_trainer_user, targets, kind, thumbnail, who, where, expected
):
    target = targets[kind]
    photo = target["photo"](target[where])
    name = f"programs:{kind}_photo" + ("_thumbnail" if thumbnail else "")
    response = client_for(who_is(users, other_trainer_user, who)).get(
        reverse(name, args=[photo.pk])
    )
    assert_answer(response, expected)
    if expected == 200:
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, max-age=300"
        assert response["X-Content-Type-Options"] == "nosniff"
        image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
        assert image.size == ((160, 120) if thumbnail else (400, 300))


@pytest.mark.parametrize("kind", ["session", "product"])
def test_photo_view_missing_file_is_404(client_for, admin_user, targets, kind):
    target = targets[kind]
    photo = target["photo"](target["parent"])
    photo.image.storage.delete(photo.image.name)
    response = client_for(admin_user).get(reverse(f"programs:{kind}_photo", args=[photo.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("kind", ["session", "product"])
def test_photo_view_post_is_405(client_for, admin_user, targets, kind):
    target = targets[kind]
    photo = target["photo"](target["parent"])
    response = client_for(admin_user).post(reverse(f"programs:{kind}_photo", args=[photo.pk]))
    assert response.status_code == 405


# Deleting -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["session", "product"])
@pytest.mark.parametrize(
    ("who", "where", "expected"),
    [
        ("anonymous", "parent", "login"),
        ("admin", "parent", 302),
        ("staff", "parent", 302),
        # Photos are the facility's documentation: trainers add, only officers remove.
        ("trainer", "parent", 403),
        ("viewer", "parent", 403),
        ("other_trainer", "parent", 403),
        ("outsider", "parent", 404),
        ("admin", "outside", 404),
    ],
)
def test_photo_delete_access(
    client_for, users, other_trainer_user, targets, kind, who, where, expected
):
    target = targets[kind]
    photo = target["photo"](target[where])
    response = client_for(who_is(users, other_trainer_user, who)).post(
        reverse(f"programs:{kind}_photo_delete", args=[photo.pk])
    )
    assert_answer(response, expected)
    assert target["model"].objects.filter(pk=photo.pk).exists() is (expected != 302)
    assert len(media_files()) == (0 if expected == 302 else 2)


def test_session_photo_delete_removes_row_and_files(client_for, staff_user, admin_user, session):
    photo = add_photo(SessionPhoto, admin_user, session=session)
    kept = add_photo(SessionPhoto, admin_user, session=session)
    response = client_for(staff_user).post(
        reverse("programs:session_photo_delete", args=[photo.pk])
    )
    assert response.url == session.get_absolute_url() + "#photos"
    assert shown_messages(response) == ["The photo was deleted."]
    assert list(SessionPhoto.objects.all()) == [kept]
    assert {path.name for path in media_files()} == {
        kept.image.name.rsplit("/", 1)[1],
        kept.thumbnail.name.rsplit("/", 1)[1],
    }


def test_product_photo_delete_removes_row_and_files(client_for, admin_user, program, enrollment):
    photo = add_photo(ProductPhoto, admin_user, program=program, enrollment=enrollment)
    response = client_for(admin_user).post(
        reverse("programs:product_photo_delete", args=[photo.pk])
    )
    assert response.url == program.get_absolute_url() + "#products"
    assert shown_messages(response) == ["The product photo was deleted."]
    assert not ProductPhoto.objects.exists()
    assert media_files() == []


@pytest.mark.parametrize("kind", ["session", "product"])
def test_photo_delete_get_is_405(client_for, admin_user, targets, kind):
    target = targets[kind]
    photo = target["photo"](target["parent"])
    response = client_for(admin_user).get(reverse(f"programs:{kind}_photo_delete", args=[photo.pk]))
    assert response.status_code == 405
    assert target["model"].objects.filter(pk=photo.pk).exists()
