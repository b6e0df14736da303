"""Discreet issuing (#9): nothing on a discreet paper or its public page names a prison.

Read as an employer would: the PDF's text and metadata, and the verification page.
"""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from certificates import services
from certificates.models import Certificate, CertificateCounter
from programs.models import Enrollment
from tests.certificates import close, enrol, make_sessions, revealing
from tests.factories import InmateFactory, ProgramFactory, ProgramPartnerFactory


@pytest.fixture
def discreet(program, partner, facility, admin_user):
    """The program issuing discreetly, its lead partner with its own series, 2 completed and
    1 released participant."""
    facility.city = "Kasongan"
    facility.save()
    partner.certificate_code = "BLK-PKY"
    partner.head_name = "M. Noor Ikhsan"
    partner.save()
    program.discreet_issuing = True
    program.save()
    sessions = make_sessions(program, 3)
    completed = [
        enrol(program, sessions, "HHH", inmate=InmateFactory(facility=facility, full_name=name))
        for name in ("Supriadi", "Ahmad Fauzi")
    ]
    released = enrol(
        program,
        sessions,
        ["H", "", ""],
        status=Enrollment.Status.RELEASED,
        ended_on=sessions[1].date,
        end_reason="Bebas",
        inmate=InmateFactory(facility=facility, full_name="Eko Prasetyo", status="released"),
    )
    close(program, admin_user)
    return completed, released


def pdf_of(client, certificate, language="id"):
    url = reverse("certificate_documents:pdf", args=[certificate.pk])
    reader = PdfReader(io.BytesIO(client.get(url, {"lang": language}).content))
    text = " ".join(page.extract_text() for page in reader.pages)
    metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
    return f"{text} {metadata}"


def test_discreet_certificates_take_the_partner_series_gap_free(
    discreet, program, partner, facility, admin_user
):
    certificates = services.issue_certificates(
        program=program, by=admin_user, issued_on=program.end_date
    )

    assert [c.number for c in certificates] == ["001/BLK-PKY/VIII/2025", "002/BLK-PKY/VIII/2025"]
    assert {c.series_partner for c in certificates} == {partner}
    # The facility's own series is untouched: its next ordinary certificate is still 001.
    assert not CertificateCounter.objects.filter(partner=None, last__gt=0).exists()
    other = ProgramFactory(facility=facility)
    ProgramPartnerFactory(program=other)
    sessions = make_sessions(other, 1)
    participant = enrol(other, sessions, "H")
    close(other, admin_user)
    [ordinary] = services.issue_certificates(
        program=other, by=admin_user, enrollments=[participant], issued_on=other.end_date
    )
    assert ordinary.number == "001/LPN.KSG/PK/VIII/2025"


def test_discreet_issuing_needs_the_partner_code(program, partner, admin_user):
    program.discreet_issuing = True
    program.save()
    enrol(program, make_sessions(program, 1), "H")
    close(program, admin_user)

    with pytest.raises(Exception, match="set the certificate code of BLK Kota Palangka Raya"):
        services.issue_certificates(program=program, by=admin_user, issued_on=program.end_date)
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("language", ["id", "en"])
def test_discreet_pdfs_and_pages_name_no_prison(
    client_for, discreet, program, facility, admin_user, language
):
    _completed, released = discreet
    certificates = services.issue_certificates(
        program=program, by=admin_user, issued_on=program.end_date
    )
    statement = services.issue_statement(
        enrollment=released, by=admin_user, issued_on=program.end_date
    )
    client = client_for(admin_user)

    for paper in [*certificates, statement]:
        text = pdf_of(client, paper, language)
        assert paper.number in text
        assert revealing(text, facility) == [], paper.get_kind_display()
        with translation.override(language):
            page = client.get(reverse("verify:verify", args=[paper.verification_code]))
        html = page.content.decode()
        assert page.status_code == 200 and paper.number in html
        assert revealing(html, facility) == []
