"""The activity report (laporan kegiatan) of a program: its data, its PDF and its texts."""

import datetime
import io
import re
from decimal import ROUND_DOWN, Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from attendance.models import ATTENDED_STATUSES, CUSTODY_STATUSES, AttendanceRecord
from lapas_training.demo import seed
from lapas_training.models import Region, Role
from lapas_training.reports.activity import activity_data
from programs.models import (
    ActivityReport,
    Enrollment,
    ProductPhoto,
    Program,
    ProgramEvent,
    ProgramEventGuest,
    SessionPhoto,
    TrainingSession,
)
from tests.certificates import enrol, make_sessions
from tests.factories import (
    PartnerAgreementFactory,
    ProgramTopicFactory,
    UserFactory,
)
from tests.helpers import assert_answer, page
from tests.pdf_overlap import assert_no_overlap

KASONGAN_GUESTS = [
    ("Yurdani", "Kepala Lapas", "Lapas Narkotika Kelas IIA Kasongan"),
    ("M. Noor Ikhsan", "Perwakilan", "BLK Kota Palangka Raya"),
    ("Benny", "Pimpinan", "UMKM Marajaki Kreatif"),
]


def pdf_text(pdf):
    """The PDF's text with its line breaks and runs of spaces made single spaces."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def percent(part, whole):
    """A rate as the report prints it: truncated to one decimal, with a decimal comma."""
    value = (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    return f"{value}%".replace(".", ",")


def photo_bytes(shade):
    """A JPEG of its own colour: the PDF embeds two identical images once."""
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (shade % 256, 120, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def embedded_photos(pdf):
    """The distinct JPEG images of `pdf`: the photos (the letterhead's emblem is a PNG).

    WeasyPrint lists every image in resources every page shares, so they are counted once
    for the whole document.
    """
    reader = PdfReader(io.BytesIO(pdf))
    return {
        image.name for page in reader.pages for image in page.images if image.name.endswith(".jpg")
    }


def add_photo(model, caption, uploaded_by, **fields):
    photo = model(caption=caption, uploaded_by=uploaded_by, **fields)
    data = photo_bytes(model.objects.count() * 37 + len(caption))
    photo.image.save("photo.jpg", ContentFile(data), save=False)
    photo.thumbnail.save("thumb.jpg", ContentFile(data), save=False)
    photo.save()
    return photo


def with_opening_and_photos(program, by):
    """The opening with the founding story's guests and a few documentation photos, unless
    the demo seed already gave them."""
    opening, created = ProgramEvent.objects.get_or_create(
        program=program,
        kind=ProgramEvent.Kind.OPENING,
        defaults={"date": program.start_date, "place": "Aula Utama"},
    )
    if created:
        for order, (name, position, organisation) in enumerate(KASONGAN_GUESTS):
            ProgramEventGuest.objects.create(
                event=opening, order=order, name=name, position=position, organisation=organisation
            )
    if not SessionPhoto.objects.filter(session__program=program).exists():
        first = program.sessions.order_by("date").first()
        add_photo(SessionPhoto, "Pembukaan oleh Kalapas", by, session=first)
        add_photo(SessionPhoto, "Praktik merangkai gelang", by, session=first)
    if not ProductPhoto.objects.filter(program=program).exists():
        add_photo(ProductPhoto, "Gelang batu Lilis", by, program=program)
    return opening


@pytest.fixture
def demo(db):
    """The demo data; returns the Kasongan program and the demo accounts by username."""
    users = {user.username: user for user in seed()}
    program = Program.objects.get(title__contains="Gelang dan Kalung Batu")
    with_opening_and_photos(program, users["staff"])
    return program, users


def test_activity_report_of_demo_program_states_the_story(client, demo):
    program, users = demo
    client.force_login(users["viewer"])

    response = client.get(reverse("reports:activity_pdf", args=[program.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private"
    pdf = response.content
    text = pdf_text(pdf)
    # In Indonesian, though the test client reads English: a government document.
    assert "LAPORAN KEGIATAN" in text
    assert "AKSESORIS GELANG DAN KALUNG BATU" in text
    for heading in ("PENDAHULUAN", "PELAKSANAAN", "HASIL", "PENUTUP", "LAMPIRAN 1", "LAMPIRAN 2"):
        assert heading in text
    for partner in ("BLK Kota Palangka Raya", "LPK Multi Karya", "UMKM Marajaki Kreatif"):
        assert partner in text
    assert "diikuti oleh 20 orang Warga Binaan" in text
    # The hand rule: H and T over the held sessions' records, custody reasons left out.
    records = AttendanceRecord.objects.filter(
        session__program=program, session__status=TrainingSession.Status.HELD
    )
    attended = records.filter(status__in=ATTENDED_STATUSES).count()
    counted = records.exclude(status__in=CUSTODY_STATUSES).count()
    assert f"Rata-rata kehadiran peserta {percent(attended, counted)}" in text
    enrollments = program.enrollments
    completed = enrollments.filter(status=Enrollment.Status.COMPLETED).count()
    base = enrollments.filter(
        status__in=[
            Enrollment.Status.COMPLETED,
            Enrollment.Status.NOT_COMPLETED,
            Enrollment.Status.WITHDRAWN,
        ]
    ).count()
    assert f"Persentase kelulusan: {percent(completed, base)}" in text
    opening = program.events.get(kind=ProgramEvent.Kind.OPENING)
    assert opening.guests.count() >= 3
    for guest in opening.guests.all():
        assert guest.name in text
    # The default legal basis: the law, the regulation and each partner's agreement.
    assert "Undang-Undang Nomor 22 Tahun 2022 tentang Pemasyarakatan" in text
    assert "PKS/014/BLK-PLK/I/2025" in text
    assert "Mengetahui" in text and "Yurdani" in text
    assert_no_overlap(pdf)


def documentation_photos(program):
    return (
        SessionPhoto.objects.filter(session__program=program).count()
        + ProductPhoto.objects.filter(program=program).count()
    )


def test_activity_report_embeds_each_documentation_photo(client, demo):
    program, users = demo
    client.force_login(users["staff"])

    pdf = client.get(reverse("reports:activity_pdf", args=[program.pk])).content

    assert documentation_photos(program) >= 3
    assert len(embedded_photos(pdf)) == documentation_photos(program)
    text = pdf_text(pdf)
    assert "LAMPIRAN 2 DOKUMENTASI KEGIATAN" in text
    for photo in SessionPhoto.objects.filter(session__program=program):
        assert photo.caption in text


def test_activity_report_leaves_out_a_photo_whose_file_is_gone(client, demo):
    program, users = demo
    photo = SessionPhoto.objects.filter(session__program=program).first()
    photo.image.storage.delete(photo.image.name)
    client.force_login(users["admin"])

    response = client.get(reverse("reports:activity_pdf", args=[program.pk]))

    assert response.status_code == 200
    assert len(embedded_photos(response.content)) == documentation_photos(program) - 1


# --- access -------------------------------------------------------------------------------


@pytest.fixture
def regional_user(facility):
    region = Region.objects.create(name="Kanwil Kalimantan Tengah", city="Palangka Raya")
    facility.region = region
    facility.save(update_fields=["region"])
    return UserFactory(username="kanwil", facility=None, role=Role.REGIONAL, region=region)


@pytest.mark.parametrize(
    ("who", "pdf", "edit"),
    [
        (None, "login", "login"),
        ("admin", 200, 200),
        ("staff", 200, 200),
        ("viewer", 200, 403),
        ("trainer", 403, 403),
        ("regional", 403, 403),
        # Another facility's program is not theirs to know of.
        ("outsider", 404, 404),
    ],
)
def test_activity_report_access(client_for, users, regional_user, program, who, pdf, edit):
    user = regional_user if who == "regional" else users.get(who)
    client = client_for(user)

    assert_answer(client.get(reverse("reports:activity_pdf", args=[program.pk])), pdf)
    assert_answer(client.get(reverse("reports:activity_edit", args=[program.pk])), edit)


def test_activity_pdf_refuses_post(client_for, admin_user, program):
    response = client_for(admin_user).post(reverse("reports:activity_pdf", args=[program.pk]))

    assert response.status_code == 405


def test_program_page_links_the_report(client_for, users, program):
    pdf_url = f'href="{reverse("reports:activity_pdf", args=[program.pk])}"'
    edit_url = f'href="{reverse("reports:activity_edit", args=[program.pk])}"'

    staff_page = page(client_for(users["staff"]).get(program.get_absolute_url()))
    viewer_page = page(client_for(users["viewer"]).get(program.get_absolute_url()))
    trainer_page = page(client_for(users["trainer"]).get(program.get_absolute_url()))

    assert pdf_url in staff_page and edit_url in staff_page
    assert pdf_url in viewer_page and edit_url not in viewer_page
    assert pdf_url not in trainer_page


# --- the editable texts ----------------------------------------------------------------------


def test_activity_edit_shows_the_defaults_as_placeholders(client_for, staff_user, program):
    PartnerAgreementFactory(
        partner=program.partners.get(),
        number="PKS/099/TEST/2025",
        valid_from=program.start_date,
        valid_to=program.end_date,
    )

    html = page(client_for(staff_user).get(reverse("reports:activity_edit", args=[program.pk])))

    assert "Undang-Undang Nomor 22 Tahun 2022 tentang Pemasyarakatan" in html
    assert "PKS/099/TEST/2025" in html
    assert reverse("reports:activity_pdf", args=[program.pk]) in html


def test_activity_edit_saves_the_texts_the_report_prints(client_for, staff_user, program):
    client = client_for(staff_user)
    url = reverse("reports:activity_edit", args=[program.pk])

    response = client.post(
        url,
        {
            "background": "Latar belakang yang ditulis petugas.",
            "purpose": "",
            "legal_basis": "Peraturan Menteri Hukum dan HAM Nomor 35 Tahun 2018",
            "conclusions": "Kegiatan berjalan lancar.",
            "suggestions": "Perlu pelatihan lanjutan.",
        },
    )

    assert response.status_code == 302
    report = ActivityReport.objects.get(program=program)
    assert report.background == "Latar belakang yang ditulis petugas."
    assert report.purpose == ""
    assert report.updated_by == staff_user
    text = pdf_text(client.get(reverse("reports:activity_pdf", args=[program.pk])).content)
    assert "Latar belakang yang ditulis petugas." in text
    assert "Peraturan Menteri Hukum dan HAM Nomor 35 Tahun 2018" in text
    assert "Undang-Undang Nomor 22 Tahun 2022" not in text
    # The blank purpose prints its default; the compiler signs with their name.
    assert "Maksud kegiatan ini" in text
    assert staff_user.get_full_name() in text


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("background", "x" * 4001, "Ensure this value has at most 4000 characters"),
        ("conclusions", "Kesimpulan\x00", "Null characters are not allowed."),
    ],
)
def test_activity_edit_refuses_bad_input_and_saves_nothing(
    client_for, admin_user, program, field, value, error
):
    ActivityReport.objects.create(program=program, suggestions="Saran lama.")
    data = dict.fromkeys(("background", "purpose", "legal_basis", "conclusions"), "")
    data |= {"suggestions": "Saran baru.", field: value}

    response = client_for(admin_user).post(
        reverse("reports:activity_edit", args=[program.pk]), data
    )

    assert response.status_code == 200
    assert error in page(response)
    report = ActivityReport.objects.get(program=program)
    assert report.suggestions == "Saran lama."
    assert report.updated_by is None


def test_activity_report_of_a_discreet_program_keeps_the_facility_letterhead(
    client_for, admin_user, program
):
    program.discreet_issuing = True
    program.save(update_fields=["discreet_issuing"])

    response = client_for(admin_user).get(reverse("reports:activity_pdf", args=[program.pk]))

    assert program.facility.name.upper() in pdf_text(response.content)


def test_activity_edit_refuses_the_viewer_and_saves_nothing(client_for, viewer_user, program):
    response = client_for(viewer_user).post(
        reverse("reports:activity_edit", args=[program.pk]), {"background": "Teks."}
    )

    assert response.status_code == 403
    assert not ActivityReport.objects.exists()


def test_activity_report_of_a_new_program_prints_its_blanks(client_for, admin_user, facility):
    program = Program.objects.create(
        facility=facility,
        title="Pelatihan Kemandirian: Barista",
        skill_category="culinary",
        location="Dapur",
        start_date=datetime.date(2025, 9, 1),
        end_date=datetime.date(2025, 9, 5),
        capacity=10,
    )

    response = client_for(admin_user).get(reverse("reports:activity_pdf", args=[program.pk]))

    assert response.status_code == 200
    text = pdf_text(response.content)
    # The title once, without the kind the cover already says.
    assert "PELATIHAN KEMANDIRIAN BARISTA" in text
    assert "Tidak ada acara pembukaan atau penutupan yang dicatat." in text
    assert "Belum ada kehadiran yang dicatat." in text
    assert "Belum ada foto dokumentasi yang dicatat." in text
    assert_no_overlap(response.content)


def test_activity_report_keeps_the_signatures_with_the_longest_texts(
    client_for, admin_user, program
):
    program.facility.head_name = "Yurdani"
    program.facility.save(update_fields=["head_name"])
    sentence = "Kegiatan berjalan tertib dan peserta antusias mengikuti setiap materi. "
    longest = (sentence * 60)[:4000]
    ActivityReport.objects.create(
        program=program,
        background=longest,
        purpose=longest,
        legal_basis="\n".join([sentence] * 50)[:4000],
        conclusions=longest,
        suggestions=("Pelatihan lanjutan perlu dijadwalkan bersama mitra. " * 80)[:4000],
    )

    pdf = client_for(admin_user).get(reverse("reports:activity_pdf", args=[program.pk])).content

    assert_no_overlap(pdf)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    signed = next(text for text in pages if "Mengetahui" in text)
    # Both signature blocks whole, on the page of the suggestions they close.
    assert "Pelatihan lanjutan perlu dijadwalkan" in signed
    assert program.facility.head_name in signed
    assert "Penyusun" in signed and "NIP. ....." in signed


def test_activity_report_texts_in_the_admin_record_who_saved(client_for, superuser, program):
    report = ActivityReport.objects.create(program=program, conclusions="Lama.")
    client = client_for(superuser)
    url = reverse("admin:programs_activityreport_change", args=[report.pk])
    assert client.get(reverse("admin:programs_activityreport_changelist")).status_code == 200
    data = dict.fromkeys(("background", "purpose", "legal_basis", "suggestions"), "")

    response = client.post(url, data | {"program": program.pk, "conclusions": "Baru."})

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.conclusions == "Baru."
    assert report.updated_by == superuser


# --- queries ----------------------------------------------------------------------------------


def program_of(size, facility, partner, by):
    """A program of `facility` with `size` participants over 3 sessions, each photographed,
    an opening with two guests, two topics, an agreement and a product per participant."""
    program = Program.objects.create(
        facility=facility,
        title=f"Program of {size}",
        skill_category="handicraft",
        location="Aula",
        start_date=datetime.date(2025, 8, 4),
        end_date=datetime.date(2025, 8, 8),
        capacity=size,
    )
    program.program_partners.create(partner=partner, role="lead")
    PartnerAgreementFactory(partner=partner)
    ProgramTopicFactory(program=program, title="Topik 1", jp=2)
    ProgramTopicFactory(program=program, title="Topik 2", jp=3)
    sessions = make_sessions(program, 3)
    for session in sessions:
        session.trainers.add(by)
        add_photo(SessionPhoto, "Sesi", by, session=session)
    opening = ProgramEvent.objects.create(
        program=program, kind="opening", date=program.start_date, place="Aula"
    )
    ProgramEventGuest.objects.create(event=opening, name="Tamu 1")
    ProgramEventGuest.objects.create(event=opening, name="Tamu 2")
    for _n in range(size):
        enrollment = enrol(program, sessions, ["H", "T", "A"], inmate__facility=facility)
        ProductPhoto.objects.create(
            program=program, enrollment=enrollment, uploaded_by=by, caption="Gelang"
        )
    return program


@pytest.mark.parametrize("size", [5, 30])
def test_activity_data_costs_the_same_queries_whatever_the_size(
    django_assert_num_queries, facility, partner, trainer_user, size
):
    program = program_of(size, facility, partner, trainer_user)

    # program+facility+texts, partners, agreements, topics, trainers, events, guests,
    # the recap's sessions, enrolments+inmates and records, products with their stock, their
    # sales, certificates, session photos, product photos.
    with django_assert_num_queries(15):
        data = activity_data(program)

    assert len(data.participants) == size
    assert data.attendance.attended == 2 * size
    assert len(data.opening.guests.all()) == 2
