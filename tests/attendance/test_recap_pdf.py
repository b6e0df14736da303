"""The printed attendance recap: letterhead and signatures (issue #9). Access and content are
tested with the other forms of the recap in test_recap.py."""

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from programs.models import ProgramPartner
from tests.factories import (
    AttendanceRecordFactory,
    EnrollmentFactory,
    InmateFactory,
    TrainingSessionFactory,
)

MONDAY = datetime.date(2025, 8, 4)


@pytest.fixture
def signed_program(program, partner):
    facility = program.facility
    facility.letterhead_region = (
        "KANTOR WILAYAH DIREKTORAT JENDERAL PEMASYARAKATAN KALIMANTAN TENGAH"
    )
    facility.head_name = "Yurdani"
    facility.head_nip = "197406152000031002"
    facility.save()
    partner.head_name = "M. Noor Ikhsan"
    partner.head_title = "Perwakilan BLK Kota Palangka Raya"
    partner.save()
    return program


def enrol_many(program, count):
    session = TrainingSessionFactory(program=program, date=MONDAY)
    for number in range(1, count + 1):
        inmate = InmateFactory(facility=program.facility, full_name=f"Peserta Nomor {number:02d}")
        AttendanceRecordFactory(
            session=session, enrollment=EnrollmentFactory(program=program, inmate=inmate)
        )


def pages(client, program):
    response = client.get(reverse("attendance:recap_export", args=[program.pk, "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_recap_pdf_has_the_letterhead_and_both_signatures(client_for, staff_user, signed_program):
    staff_user.language = "id"
    staff_user.save()
    enrol_many(signed_program, 3)

    (text,) = pages(client_for(staff_user), signed_program)

    assert "KEMENTERIAN IMIGRASI DAN PEMASYARAKATAN REPUBLIK INDONESIA" in text
    assert "KANTOR WILAYAH DIREKTORAT JENDERAL PEMASYARAKATAN KALIMANTAN TENGAH" in text
    assert "LAPAS NARKOTIKA KELAS IIA KASONGAN" in text
    assert "Mengetahui," in text
    assert "Kepala Lapas Narkotika Kelas IIA Kasongan" in text
    assert "Yurdani" in text
    assert "NIP. 197406152000031002" in text
    assert "Perwakilan BLK Kota Palangka Raya" in text
    assert "M. Noor Ikhsan" in text
    # A partner's representative without an NIP gets no NIP line.
    assert text.count("NIP.") == 1


def test_recap_pdf_without_a_lead_partner_leaves_the_instructor_to_sign(
    client_for, staff_user, signed_program
):
    ProgramPartner.objects.filter(program=signed_program).delete()
    enrol_many(signed_program, 2)

    (text,) = pages(client_for(staff_user), signed_program)

    assert "Instructor" in text
    assert "M. Noor Ikhsan" not in text


@pytest.mark.parametrize("participants", [22, 26, 60])
def test_recap_pdf_never_leaves_the_signatures_alone_on_a_page(
    client_for, staff_user, signed_program, participants
):
    enrol_many(signed_program, participants)

    texts = pages(client_for(staff_user), signed_program)

    assert "Acknowledged by" in texts[-1]
    assert f"Peserta Nomor {participants:02d}" in texts[-1]
    assert f"Peserta Nomor {participants - 1:02d}" in texts[-1]
