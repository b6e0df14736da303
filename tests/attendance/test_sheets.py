"""The printable daftar hadir and the scans of signed sheets (issue #4, point 4)."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from attendance.models import AttendanceSheetScan
from attendance.pdf import LocalOnlyFetcher, static_file_url
from inmates.photos import sanitize_logo
from programs.models import Enrollment, TrainingSession
from tests.factories import (
    EnrollmentFactory,
    InmateFactory,
    ProgramTopicFactory,
    TrainingSessionFactory,
)
from tests.helpers import assert_answer, page, shown_messages
from tests.images import assert_clean_jpeg, gps_jpeg, image_bytes, media_files, stored, upload

MONDAY = datetime.date(2025, 8, 4)
NOT_A_SCAN = "Upload a JPEG, PNG or WebP image or a PDF; this file is not one or is damaged."


@pytest.fixture
def session(program, trainer_user):
    session = TrainingSessionFactory(
        program=program,
        date=MONDAY,
        start_time=datetime.time(8, 0),
        end_time=datetime.time(11, 30),
        topic=ProgramTopicFactory(program=program, title="Merangkai gelang"),
        location="Bengkel Kerja",
    )
    session.trainers.add(trainer_user)
    return session


@pytest.fixture
def other_session(other_program):
    return TrainingSessionFactory(program=other_program, date=MONDAY)


@pytest.fixture
def outside_session(outside_program):
    return TrainingSessionFactory(program=outside_program, date=MONDAY)


@pytest.fixture
def roster(program, other_program, inmate):
    """Who the sheet of the Monday session lists, and who it must leave out."""
    facility = program.facility

    def enrol(name, registration_number, **fields):
        inmate = InmateFactory(
            facility=facility, full_name=name, registration_number=registration_number
        )
        return EnrollmentFactory(program=fields.pop("program", program), inmate=inmate, **fields)

    inmate.block = "Blok C"
    inmate.save()
    return {
        "listed": [
            EnrollmentFactory(program=program, inmate=inmate),
            enrol("Siti Aminah", "B.I-0100/2025"),
            # Left on Wednesday: still on Monday's sheet.
            enrol(
                "Rina Kartika",
                "B.I-0101/2025",
                status=Enrollment.Status.WITHDRAWN,
                ended_on=MONDAY + datetime.timedelta(days=2),
                end_reason="Pindah kegiatan",
            ),
        ],
        "left_out": [
            # Joined on Tuesday: not on Monday's sheet.
            enrol("Joko Susilo", "B.I-0102/2025", enrolled_on=MONDAY + datetime.timedelta(days=1)),
            # Withdrew on Monday itself: no longer listed that day.
            enrol(
                "Andi Wijaya",
                "B.I-0103/2025",
                status=Enrollment.Status.WITHDRAWN,
                ended_on=MONDAY,
                end_reason="Sakit berkepanjangan",
            ),
            enrol("Dewi Lestari", "B.I-0104/2025", program=other_program),
        ],
    }


def sheet_url(session):
    return reverse("attendance:sheet_pdf", args=[session.pk])


def scan_add_url(session):
    return reverse("attendance:scan_add", args=[session.pk])


def pdf_bytes(pages=1):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(data=None, name="daftar-hadir.pdf"):
    return upload(pdf_bytes() if data is None else data, name, "application/pdf")


def pdf_text(response):
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def add_scan(client, session, file=None):
    return client.post(scan_add_url(session), {"file": file or pdf_upload()})


# The printable sheet -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "login"),
        ("admin", 200),
        ("staff", 200),
        ("viewer", 200),
        ("trainer", 200),
        ("outsider", 404),
    ],
)
def test_sheet_pdf_access(client_for, users, session, who, expected):
    response = client_for(users.get(who)).get(sheet_url(session))
    assert_answer(response, expected)
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")


def test_sheet_pdf_superuser_gets_it(client_for, superuser, session):
    assert client_for(superuser).get(sheet_url(session)).status_code == 200


def test_sheet_pdf_trainer_of_other_partner_gets_404(
    client_for, trainer_user, other_trainer_user, session, other_session
):
    assert client_for(other_trainer_user).get(sheet_url(session)).status_code == 404
    assert client_for(trainer_user).get(sheet_url(other_session)).status_code == 404


def test_sheet_pdf_outside_facility_gets_404(client_for, admin_user, outside_session):
    assert client_for(admin_user).get(sheet_url(outside_session)).status_code == 404


def test_sheet_pdf_post_not_allowed(client_for, staff_user, session):
    assert client_for(staff_user).post(sheet_url(session)).status_code == 405


def test_sheet_pdf_is_an_inline_download_named_after_date_and_program(
    client_for, staff_user, session
):
    response = client_for(staff_user).get(sheet_url(session))
    assert response["Content-Disposition"] == (
        'inline; filename="daftar-hadir-2025-08-04-aksesoris-gelang-dan-kalung-batu.pdf"'
    )
    assert response["Cache-Control"] == "private"


def test_sheet_pdf_lists_participants_of_the_day_in_indonesian(
    client_for, staff_user, trainer_user, session, roster
):
    staff_user.language = "id"
    staff_user.save()
    text = pdf_text(client_for(staff_user).get(sheet_url(session)))
    assert "DAFTAR HADIR PESERTA" in text
    assert "Senin, 4 Agustus 2025" in text
    assert "08.00–11.30" in text
    assert "Lapas Narkotika Kelas IIA Kasongan".upper() in text
    assert "Aksesoris Gelang dan Kalung Batu" in text
    assert "Bengkel Kerja" in text
    assert "Merangkai gelang" in text
    assert str(trainer_user) in text
    for enrollment in roster["listed"]:
        assert enrollment.inmate.full_name in text
        assert enrollment.inmate.registration_number in text
    for enrollment in roster["left_out"]:
        assert enrollment.inmate.full_name not in text
        assert enrollment.inmate.registration_number not in text
    # Managers see the block; the heading stays Indonesian with no English subtitle.
    assert "Blok C" in text
    assert "Participant attendance sheet" not in text


def test_sheet_pdf_rows_are_numbered_by_name(client_for, staff_user, session, roster):
    text = pdf_text(client_for(staff_user).get(sheet_url(session)))
    rows = re.findall(r"^(\d+) (.+?) (B\.I-\d{4}/2025)", text, flags=re.MULTILINE)
    assert rows == [
        ("1", "Budi Santoso", roster["listed"][0].inmate.registration_number),
        ("2", "Rina Kartika", "B.I-0101/2025"),
        ("3", "Siti Aminah", "B.I-0100/2025"),
    ]


def test_sheet_pdf_signatures_zig_zag(client_for, staff_user, session):
    for _ in range(4):
        EnrollmentFactory(program=session.program)
    response = client_for(staff_user).get(sheet_url(session))
    # Where each "n." of the signature column starts, left to right, read from the text matrix.
    starts = {}

    def visit(text, cm, tm, font, size):
        if re.fullmatch(r"\d+\.", text.strip()):
            starts[int(text.strip()[:-1])] = tm[4]

    PdfReader(io.BytesIO(response.content)).pages[0].extract_text(visitor_text=visit)
    assert sorted(starts) == [1, 2, 3, 4]
    left, right = starts[1], starts[2]
    assert left < right
    assert starts[3] == left
    assert starts[4] == right


def test_sheet_pdf_in_english_has_subtitle_and_english_date(client_for, staff_user, session):
    text = pdf_text(client_for(staff_user).get(sheet_url(session)))
    assert "DAFTAR HADIR PESERTA" in text
    assert "Participant attendance sheet" in text
    assert "Monday, 4 August 2025" in text
    assert "Instructor" in text
    assert "Acknowledged by" in text


def test_sheet_pdf_for_trainer_leaves_out_the_block(client_for, trainer_user, session, roster):
    text = pdf_text(client_for(trainer_user).get(sheet_url(session)))
    assert "Budi Santoso" in text
    assert roster["listed"][0].inmate.registration_number in text
    assert "Blok C" not in text
    assert "Block" not in text


def test_sheet_pdf_prints_the_marking_url_for_the_qr_code(client_for, staff_user, session):
    response = client_for(staff_user).get(sheet_url(session))
    mark_url = "http://testserver" + reverse("attendance:mark", args=[session.pk])
    # The URL wraps under the QR code; the text extraction puts a line break in it.
    assert mark_url in re.sub(r"\s", "", pdf_text(response))


def test_sheet_pdf_embeds_its_fonts(client_for, staff_user, session, roster):
    response = client_for(staff_user).get(sheet_url(session))
    reader = PdfReader(io.BytesIO(response.content))
    checked = 0
    for pdf_page in reader.pages:
        for font in pdf_page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/DescendantFonts" in font:
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
            checked += 1
    assert checked


def test_sheet_pdf_without_participants_says_so(client_for, staff_user, session):
    text = pdf_text(client_for(staff_user).get(sheet_url(session)))
    assert "No participants are listed for this date." in text


def test_sheet_pdf_of_cancelled_session_redirects_with_message(client_for, staff_user, session):
    TrainingSession.objects.filter(pk=session.pk).update(
        status=TrainingSession.Status.CANCELLED,
        cancel_reason="Razia",
        cancelled_at=timezone.now(),
    )
    response = client_for(staff_user).get(sheet_url(session))
    assert response.status_code == 302
    assert response.url == session.get_absolute_url()
    assert shown_messages(response) == ["A cancelled session has no attendance sheet."]


@pytest.mark.parametrize("participants", [5, 40])
def test_sheet_pdf_query_count_is_fixed(
    client_for, staff_user, session, django_assert_num_queries, participants
):
    for _ in range(participants):
        EnrollmentFactory(program=session.program)
    client = client_for(staff_user)
    # 1 session, 2 user, 3 user's facility (scope), 4 the session with program, facility and
    # topic, 5 its trainers, 6 the participants listed on its date with their inmate.
    with django_assert_num_queries(6):
        response = client.get(sheet_url(session))
    assert len(re.findall(r"B\.I-\d{4}/2025", pdf_text(response))) == participants


# The PDF renderer's fetcher -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "https://example.com/logo.png",
        "ftp://127.0.0.1/x",
        "file:///etc/passwd",
        "file://otherhost/etc/passwd",
        # Out of the static tree through "..".
        (Path(settings.STATICFILES_DIRS[0]) / ".." / "manage.py").as_uri(),
        (Path(settings.STATICFILES_DIRS[0]) / "css" / "missing.css").as_uri(),
    ],
)
def test_fetcher_refuses_network_and_other_files(url):
    with pytest.raises(ValueError):
        LocalOnlyFetcher().fetch(url)


def test_fetcher_refuses_symlink_out_of_static(settings, tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "passwd.css").symlink_to("/etc/passwd")
    settings.STATICFILES_DIRS = [static]
    with pytest.raises(ValueError):
        LocalOnlyFetcher().fetch((static / "passwd.css").as_uri())


def test_fetcher_reads_data_uri_and_static_file():
    response = LocalOnlyFetcher().fetch("data:text/plain;base64,SGFsbw==")
    assert response.read() == b"Halo"
    response = LocalOnlyFetcher().fetch(static_file_url("css/app.css"))
    assert response.content_type == "text/css"
    assert response.read() == (Path(settings.STATICFILES_DIRS[0]) / "css" / "app.css").read_bytes()


# Scans of signed sheets ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "login"),
        ("admin", 302),
        ("staff", 302),
        ("viewer", 403),
        ("trainer", 403),
        ("outsider", 404),
    ],
)
def test_scan_add_access(client_for, users, session, who, expected):
    response = add_scan(client_for(users.get(who)), session)
    assert_answer(response, expected)
    assert AttendanceSheetScan.objects.count() == (1 if expected == 302 else 0)


def test_scan_add_other_partners_trainer_gets_403(client_for, other_trainer_user, session):
    assert add_scan(client_for(other_trainer_user), session).status_code == 403
    assert not AttendanceSheetScan.objects.exists()


def test_scan_add_outside_facility_gets_404(client_for, admin_user, outside_session):
    assert add_scan(client_for(admin_user), outside_session).status_code == 404
    assert not AttendanceSheetScan.objects.exists()


def test_scan_add_get_not_allowed(client_for, staff_user, session):
    assert client_for(staff_user).get(scan_add_url(session)).status_code == 405


def test_scan_add_stores_pdf_as_uploaded(client_for, staff_user, session):
    data = pdf_bytes(pages=2)
    response = add_scan(client_for(staff_user), session, pdf_upload(data, name="Blok C budi.pdf"))
    assert response.status_code == 302
    assert response.url == f"{session.get_absolute_url()}#sheet-scans"
    assert shown_messages(response) == ["The scan of the attendance sheet was attached."]
    scan = AttendanceSheetScan.objects.get()
    assert (scan.session, scan.uploaded_by, scan.content_type) == (
        session,
        staff_user,
        "application/pdf",
    )
    with scan.file.open("rb") as file:
        assert file.read() == data
    # A random name: nothing of the uploader's file name reaches the disk.
    assert "budi" not in scan.file.name
    assert scan.file.name.endswith(".pdf")


def test_scan_add_strips_jpeg_metadata(client_for, staff_user, session):
    response = add_scan(
        client_for(staff_user), session, upload(gps_jpeg(), "IMG_0001.jpg", "image/jpeg")
    )
    assert response.status_code == 302
    scan = AttendanceSheetScan.objects.get()
    assert scan.content_type == "image/jpeg"
    assert "IMG_0001" not in scan.file.name
    data, image = stored(scan.file)
    assert_clean_jpeg(image)
    assert b"SecretCam" not in data
    assert b"block C" not in data
    assert len(media_files()) == 1


def test_scan_add_stores_png_as_jpeg(client_for, staff_user, session):
    add_scan(client_for(staff_user), session, upload(image_bytes("PNG"), "scan.png"))
    scan = AttendanceSheetScan.objects.get()
    assert scan.content_type == "image/jpeg"
    assert stored(scan.file)[1].format == "JPEG"


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (upload(b"Daftar hadir\nBudi Santoso\n", "sheet.pdf", "application/pdf"), NOT_A_SCAN),
        (upload(b"%PDF-1.7\nnot really a pdf\n", "sheet.pdf", "application/pdf"), NOT_A_SCAN),
        (upload(pdf_bytes(pages=0), "sheet.pdf", "application/pdf"), "The PDF has no pages."),
        (
            upload(pdf_bytes(pages=51), "sheet.pdf", "application/pdf"),
            "The PDF has 51 pages; the limit is 50.",
        ),
        (upload(b"<html><script>alert(1)</script>", "sheet.html", "text/html"), NOT_A_SCAN),
        (upload(b"", "sheet.pdf", "application/pdf"), "The submitted file is empty."),
    ],
    ids=["text-named-pdf", "garbage-pdf", "no-pages", "too-many-pages", "html", "empty"],
)
def test_scan_add_refuses_bad_files(client_for, staff_user, session, file, message):
    file.seek(0)
    response = add_scan(client_for(staff_user), session, file)
    assert response.status_code == 302
    assert shown_messages(response) == [message]
    assert not AttendanceSheetScan.objects.exists()
    assert media_files() == []


def test_scan_add_without_file_is_refused(client_for, staff_user, session):
    response = client_for(staff_user).post(scan_add_url(session), {})
    assert shown_messages(response) == ["This field is required."]
    assert not AttendanceSheetScan.objects.exists()


def test_scan_add_refuses_oversized_file(client_for, staff_user, session, settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 1024
    data = pdf_bytes() + b"%" * 2048
    response = add_scan(client_for(staff_user), session, pdf_upload(data))
    assert shown_messages(response) == ["The file is too large; the limit is 1.0\xa0KB."]
    assert not AttendanceSheetScan.objects.exists()
    assert media_files() == []


def test_scan_add_refused_for_cancelled_session(client_for, staff_user, session):
    TrainingSession.objects.filter(pk=session.pk).update(
        status=TrainingSession.Status.CANCELLED,
        cancel_reason="Razia",
        cancelled_at=timezone.now(),
    )
    response = add_scan(client_for(staff_user), session)
    assert shown_messages(response) == ["A cancelled session takes no attendance sheet scans."]
    assert not AttendanceSheetScan.objects.exists()
    assert media_files() == []


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "login"),
        ("admin", 200),
        ("staff", 200),
        ("viewer", 200),
        ("trainer", 200),
        ("outsider", 404),
    ],
)
def test_scan_file_access(client_for, users, staff_user, session, who, expected):
    add_scan(client_for(staff_user), session)
    scan = AttendanceSheetScan.objects.get()
    response = client_for(users.get(who)).get(reverse("attendance:scan_file", args=[scan.pk]))
    assert_answer(response, expected)


def test_scan_file_other_partners_trainer_gets_404(
    client_for, staff_user, other_trainer_user, session
):
    add_scan(client_for(staff_user), session)
    scan = AttendanceSheetScan.objects.get()
    response = client_for(other_trainer_user).get(reverse("attendance:scan_file", args=[scan.pk]))
    assert response.status_code == 404


def test_scan_file_serves_pdf_inline_privately(client_for, staff_user, viewer_user, session):
    data = pdf_bytes()
    add_scan(client_for(staff_user), session, pdf_upload(data))
    scan = AttendanceSheetScan.objects.get()
    response = client_for(viewer_user).get(reverse("attendance:scan_file", args=[scan.pk]))
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="daftar-hadir-scan-{scan.pk}.pdf"'
    assert response["Cache-Control"] == "private"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_scan_file_serves_image_as_jpeg(client_for, staff_user, trainer_user, session):
    add_scan(
        client_for(staff_user), session, upload(image_bytes("WEBP"), "scan.webp", "image/webp")
    )
    scan = AttendanceSheetScan.objects.get()
    response = client_for(trainer_user).get(reverse("attendance:scan_file", args=[scan.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


def test_scan_file_missing_on_disk_gets_404(client_for, staff_user, session):
    add_scan(client_for(staff_user), session)
    scan = AttendanceSheetScan.objects.get()
    scan.file.storage.delete(scan.file.name)
    response = client_for(staff_user).get(reverse("attendance:scan_file", args=[scan.pk]))
    assert response.status_code == 404


def test_scan_file_post_not_allowed(client_for, staff_user, session):
    add_scan(client_for(staff_user), session)
    scan = AttendanceSheetScan.objects.get()
    response = client_for(staff_user).post(reverse("attendance:scan_file", args=[scan.pk]))
    assert response.status_code == 405


# The session page --------------------------------------------------------------------------


def test_session_page_offers_scan_upload_to_managers(client_for, staff_user, session):
    html = page(client_for(staff_user).get(session.get_absolute_url()))
    assert "Signed attendance sheets" in html
    assert "No scan of a signed sheet yet." in html
    assert f'action="{scan_add_url(session)}"' in html
    assert "Scan of the signed sheet" in html
    assert 'accept="image/jpeg,image/png,image/webp,application/pdf,.pdf"' in html


@pytest.mark.parametrize("who", ["viewer", "trainer"])
def test_session_page_lists_scans_without_upload_for_readers(
    client_for, users, staff_user, session, who
):
    add_scan(client_for(staff_user), session)
    scan = AttendanceSheetScan.objects.get()
    html = page(client_for(users[who]).get(session.get_absolute_url()))
    assert f'href="{reverse("attendance:scan_file", args=[scan.pk])}"' in html
    assert "Open PDF" in html
    assert str(staff_user) in html
    assert f'action="{scan_add_url(session)}"' not in html


def test_session_page_of_cancelled_session_offers_no_upload(client_for, staff_user, session):
    TrainingSession.objects.filter(pk=session.pk).update(
        status=TrainingSession.Status.CANCELLED,
        cancel_reason="Razia",
        cancelled_at=timezone.now(),
    )
    html = page(client_for(staff_user).get(session.get_absolute_url()))
    assert f'action="{scan_add_url(session)}"' not in html


@pytest.mark.parametrize("scans", [1, 10])
def test_session_page_query_count_with_scans_is_fixed(
    client_for, staff_user, session, django_assert_num_queries, scans
):
    client = client_for(staff_user)
    for _ in range(scans):
        add_scan(client, session)
    # 1 session, 2 user, 3 user's facility (scope), 4 the session with program, topic and who
    # cancelled it, 5 its trainers, 6 its photos, 7 its sheet scans with who uploaded them.
    with django_assert_num_queries(7):
        response = client.get(session.get_absolute_url())
    assert page(response).count("Open PDF") == scans


# Letterhead and signature block (issue #9) -----------------------------------------------------


def enrol_many(program, count):
    for number in range(1, count + 1):
        EnrollmentFactory(
            program=program,
            inmate=InmateFactory(
                facility=program.facility, full_name=f"Peserta Nomor {number:02d}"
            ),
        )


def page_texts(response):
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_sheet_pdf_prints_the_facility_letterhead_and_logo(client_for, staff_user, session):
    facility = session.program.facility
    facility.letterhead_region = (
        "KANTOR WILAYAH DIREKTORAT JENDERAL PEMASYARAKATAN KALIMANTAN TENGAH"
    )
    facility.letterhead_name = "LEMBAGA PEMASYARAKATAN NARKOTIKA KELAS IIA KASONGAN"
    facility.address = "Jl. Tjilik Riwut Km 2, Kasongan"
    facility.email = "lapas.kasongan@example.go.id"
    facility.save()
    logo = sanitize_logo(upload(image_bytes(size=(320, 200))))
    facility.logo.save(logo.name, logo)

    response = client_for(staff_user).get(sheet_url(session))
    text = pdf_text(response)

    for line in [
        "KEMENTERIAN IMIGRASI DAN PEMASYARAKATAN REPUBLIK INDONESIA",
        "KANTOR WILAYAH DIREKTORAT JENDERAL PEMASYARAKATAN KALIMANTAN TENGAH",
        "LEMBAGA PEMASYARAKATAN NARKOTIKA KELAS IIA KASONGAN",
        "Jl. Tjilik Riwut Km 2, Kasongan",
        "Email: lapas.kasongan@example.go.id",
    ]:
        assert line in text
    # The uploaded logo, not the default emblem (300 x 300 px).
    images = PdfReader(io.BytesIO(response.content)).pages[0].images
    assert [image.image.size for image in images] == [(320, 200)]


def test_sheet_pdf_signature_blocks_have_name_and_nip_lines(client_for, staff_user, session):
    staff_user.language = "id"
    staff_user.save()
    instructor = str(session.trainers.get())

    text = pdf_text(client_for(staff_user).get(sheet_url(session)))

    assert "Mengetahui," in text
    assert "Kasongan, 4 Agustus 2025" in text
    assert "Instruktur" in text
    assert instructor in text.split("Instruktur")[-1]
    # The officer writes their name and NIP by hand.
    assert "NIP. ......" in text


@pytest.mark.parametrize("participants", [18, 20, 22, 40])
def test_sheet_pdf_never_leaves_the_signature_block_alone_on_a_page(
    client_for, staff_user, session, participants
):
    enrol_many(session.program, participants)

    pages = page_texts(client_for(staff_user).get(sheet_url(session)))

    last = pages[-1]
    assert "Acknowledged by" in last
    assert "Acknowledged by" not in "".join(pages[:-1])
    # The last rows go over with it.
    assert f"Peserta Nomor {participants:02d}" in last
    assert f"Peserta Nomor {participants - 1:02d}" in last
