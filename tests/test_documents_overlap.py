"""Every printed document kind, read back as word boxes: no text is printed over other text.

Issue #9, item 8: the statement of participation printed its paragraphs over each other while
every test that read its text passed. `tests.pdf_overlap` checks the layout, not the words.
"""

import datetime

import pytest
from django.urls import reverse

from certificates import rendering
from certificates.models import Certificate
from certificates.pdf import certificate_html, certificate_pdf
from inmates.photos import sanitize_logo
from tests.certificates.rows import make_certificate
from tests.factories import (
    AttendanceRecordFactory,
    EnrollmentFactory,
    InmateFactory,
    ProgramTopicFactory,
    TrainingSessionFactory,
)
from tests.images import image_bytes, upload
from tests.pdf_overlap import assert_no_overlap, overlaps, words

MONDAY = datetime.date(2025, 8, 4)


@pytest.fixture(autouse=True)
def full_letterhead(facility):
    """Every line of the letterhead filled in, the longest an office has, and a logo."""
    facility.letterhead_region = (
        "KANTOR WILAYAH DIREKTORAT JENDERAL PEMASYARAKATAN KALIMANTAN TENGAH"
    )
    facility.letterhead_name = "LEMBAGA PEMASYARAKATAN NARKOTIKA KELAS IIA KASONGAN"
    facility.address = (
        "Jl. Tjilik Riwut Km 2, Kasongan, Kabupaten Katingan, Kalimantan Tengah 74413"
    )
    facility.phone = "(0536) 4041234"
    facility.email = "lapasnarkotikakasongan@example.go.id"
    facility.head_name = "Yurdani"
    facility.head_nip = "197406152000031002"
    logo = sanitize_logo(upload(image_bytes(size=(300, 300))))
    facility.logo.save(logo.name, logo, save=False)
    facility.save()


def loaded(*certificates):
    return (
        Certificate.objects.filter(pk__in=[c.pk for c in certificates])
        .select_related("facility", "enrollment__program")
        .prefetch_related("enrollment__program__program_partners__partner")
        .order_by("sequence")
    )


@pytest.fixture
def session(program, trainer_user):
    session = TrainingSessionFactory(
        program=program,
        date=MONDAY,
        topic=ProgramTopicFactory(program=program, title="Merangkai gelang"),
    )
    session.trainers.add(trainer_user)
    return session


def enrol(program, count):
    for number in range(1, count + 1):
        inmate = InmateFactory(
            facility=program.facility,
            full_name=f"Peserta Pelatihan Nomor {number}",
            block="Blok C",
        )
        EnrollmentFactory(program=program, inmate=inmate)


def test_overlap_helper_finds_text_printed_over_text():
    # Two paragraphs put on the same spot: the failure the helper exists to catch.
    html = (
        '<p style="position: absolute; top: 20mm">Surat keterangan pelatihan</p>'
        '<p style="position: absolute; top: 21mm">Nomor keterangan berikutnya</p>'
    )
    pdf = rendering.HTML(string=html).write_pdf()

    assert overlaps(pdf)
    assert not overlaps(pdf, ignore={"Surat", "keterangan", "pelatihan"})


@pytest.mark.parametrize("language", ["id", "en"])
def test_certificate_front_and_back_print_no_text_over_text(program, admin_user, language):
    certificate = make_certificate(program, admin_user)

    pdf = certificate_pdf(loaded(certificate), language=language)

    assert {word.page for word in words(pdf)} == {1, 2}
    assert_no_overlap(pdf)


@pytest.mark.parametrize("language", ["id", "en"])
def test_statement_prints_no_text_over_text(program, admin_user, language):
    statement = make_certificate(program, admin_user, kind="participation")
    statement.snapshot["letterhead"] = program.facility.letterhead()
    statement.save(update_fields=["snapshot"])

    pdf = certificate_pdf(loaded(statement), language=language)

    assert_no_overlap(pdf)


def test_discreet_certificate_prints_no_text_over_text(program, admin_user):
    program.discreet_issuing = True
    program.save(update_fields=["discreet_issuing"])
    certificate = make_certificate(program, admin_user, discreet=True)

    assert_no_overlap(certificate_pdf(loaded(certificate)))


def test_discreet_statement_prints_no_text_over_text(program, admin_user):
    program.discreet_issuing = True
    program.save(update_fields=["discreet_issuing"])
    statement = make_certificate(program, admin_user, discreet=True, kind="participation")

    assert_no_overlap(certificate_pdf(loaded(statement)))


def test_long_holder_name_prints_no_text_over_text(program, admin_user):
    name = "Raden Mas Muhammad Rizky Pratama Wicaksono bin Abdul Rahman Hakim Saputra"
    certificate = make_certificate(program, admin_user, holder_name=name)

    assert_no_overlap(certificate_pdf(loaded(certificate)))


def test_bulk_print_part_files_print_no_text_over_text(program, admin_user, tmp_path):
    certificates = [make_certificate(program, admin_user, sequence=n) for n in range(1, 4)]
    html, sequences = certificate_html(loaded(*certificates))
    names = [f"{n}.pdf" for n in range(1, 4)]

    rendering.write_files(html, sequences, names, tmp_path)

    for name in names:
        assert_no_overlap((tmp_path / name).read_bytes())


@pytest.mark.parametrize("participants", [20, 40])
def test_daftar_hadir_prints_no_text_over_text(client_for, staff_user, session, participants):
    enrol(session.program, participants)

    response = client_for(staff_user).get(reverse("attendance:sheet_pdf", args=[session.pk]))

    assert_no_overlap(response.content)


def test_recap_pdf_prints_no_text_over_text(client_for, staff_user, program, session):
    enrol(program, 20)
    for enrollment in program.enrollments.all():
        AttendanceRecordFactory(session=session, enrollment=enrollment)

    response = client_for(staff_user).get(
        reverse("attendance:recap_export", args=[program.pk, "pdf"])
    )

    assert response["Content-Type"] == "application/pdf"
    assert_no_overlap(response.content)
