"""The units achieved on the certificate's back, on its verification page, and in the stored
PDF, which is rendered again when they change."""

import datetime
import io
import subprocess
import tempfile

import pytest
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from certificates import pdf_cache
from certificates.competency import correct_assessment
from certificates.models import Certificate
from certificates.pdf import certificate_pdf
from tests.certificates.competency_rows import BELUM, KOMPETEN, assess, make_units
from tests.certificates.rows import make_certificate
from tests.factories import InmateFactory, ProgramTopicFactory
from tests.pdf_overlap import assert_no_overlap


@pytest.fixture(autouse=True)
def _fresh_rate_limit(db):
    # The verification page's rate limit counts in the cache: each test starts with none.
    cache.clear()


@pytest.fixture
def certificate(program, admin_user):
    inmate = InmateFactory(facility=program.facility, full_name="Ahmad Fauzi")
    return make_certificate(program, admin_user, inmate=inmate)


@pytest.fixture
def units(program):
    return make_units(program, 3)


def loaded(*certificates):
    return (
        Certificate.objects.filter(pk__in=[c.pk for c in certificates])
        .select_related("facility", "enrollment__program")
        .prefetch_related("enrollment__program__program_partners__partner")
        .order_by("sequence")
    )


def page_texts(pdf):
    # Collapse whitespace: WeasyPrint breaks lines where the layout wraps.
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def back_in_reading_order(pdf):
    """The back page's text as poppler reads it, top to bottom: pypdf's order within a table
    row follows how the cells were positioned, not where they are."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        text = subprocess.run(
            ["pdftotext", "-f", "2", "-l", "2", file.name, "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return " ".join(text.split())


def assessed_twice(certificate, by, units):
    """Kompeten in two units at the first sitting, the third at a second one."""
    assess(
        certificate.enrollment,
        by,
        {units[0]: KOMPETEN, units[1]: KOMPETEN, units[2]: BELUM},
        number="LSP-014/IX/2025",
    )
    assess(
        certificate.enrollment,
        by,
        {units[2]: KOMPETEN},
        on=datetime.date(2025, 11, 3),
        number="LSP-031/XI/2025",
    )


def test_certificate_back_lists_the_units_achieved(certificate, staff_user, units):
    assess(certificate.enrollment, staff_user, {units[0]: KOMPETEN, units[1]: BELUM})

    front, back = page_texts(certificate_pdf(loaded(certificate), language="en"))

    assert "COMPETENCY UNITS ACHIEVED" in back
    assert "C.10PBJ00.001.1" in back
    assert "Menyiapkan bahan dan alat kerajinan batu" in back
    assert (
        "Competency certificate of LSP P1 BLK Palangka Raya, number LSP-001/2025, "
        "valid until 15 September 2028" in back
    )
    # Belum kompeten is not achieved.
    assert "C.10PBJ00.002.1" not in back
    assert "C.10PBJ00.001.1" not in front


def test_certificate_back_numbers_units_across_two_lsp_certificates_in_indonesian(
    certificate, staff_user, units
):
    assessed_twice(certificate, staff_user, units)

    back = back_in_reading_order(certificate_pdf(loaded(certificate)))

    assert "UNIT KOMPETENSI YANG DICAPAI" in back
    first = back.index("Sertifikat kompetensi LSP P1 BLK Palangka Raya, nomor LSP-014/IX/2025")
    second = back.index("nomor LSP-031/XI/2025, berlaku sampai 3 November 2028")
    assert (
        first
        < back.index("1 C.10PBJ00.001.1 Menyiapkan bahan dan alat kerajinan batu")
        < back.index("2 C.10PBJ00.002.1 Merangkai gelang dan kalung")
        < second
        < back.index("3 C.10PBJ00.003.1 Menyelesaikan produk kerajinan")
    )


def test_certificate_back_without_units_achieved_has_no_competency_section(
    certificate, staff_user, units
):
    assess(certificate.enrollment, staff_user, {units[0]: BELUM}, number="")

    _front, back = page_texts(certificate_pdf(loaded(certificate), language="en"))

    assert "COMPETENCY" not in back
    assert "Merangkai gelang" in back


def test_statement_of_participation_lists_no_units(program, admin_user, staff_user, units):
    statement = make_certificate(program, admin_user, kind="participation")
    assess(statement.enrollment, staff_user, {units[0]: KOMPETEN})

    (letter,) = page_texts(certificate_pdf(loaded(statement), language="en"))

    assert "C.10PBJ00.001.1" not in letter


def test_certificate_pdf_each_holder_their_own_units_in_one_query(
    program, admin_user, staff_user, units, django_assert_num_queries
):
    first = make_certificate(program, admin_user, sequence=1)
    second = make_certificate(program, admin_user, sequence=2)
    assess(first.enrollment, staff_user, {units[0]: KOMPETEN})
    assess(second.enrollment, staff_user, {units[1]: KOMPETEN}, number="LSP-002/2025")
    certificates = loaded(first, second)

    # The certificates, the program's partner links, their partners, the holders' units.
    with django_assert_num_queries(4):
        pages = page_texts(certificate_pdf(certificates, language="en"))

    assert "C.10PBJ00.001.1" in pages[1] and "C.10PBJ00.002.1" not in pages[1]
    assert "C.10PBJ00.002.1" in pages[3] and "LSP-002/2025" in pages[3]


@pytest.mark.parametrize("language", ["id", "en"])
def test_certificate_back_with_units_prints_no_text_over_text(
    program, admin_user, staff_user, language
):
    for n in range(3):
        ProgramTopicFactory(program=program, title=f"Materi tambahan {n}", jp=5)
    certificate = make_certificate(program, admin_user)
    units = make_units(program, 4)
    units[3].title = "Menerapkan keselamatan dan kesehatan kerja di tempat kerja kerajinan batu"
    units[3].save()
    assessed_twice(certificate, staff_user, units[:3])
    assess(
        certificate.enrollment,
        staff_user,
        {units[3]: KOMPETEN},
        on=datetime.date(2025, 12, 1),
        number="LSP-040/XII/2025",
    )

    pdf = certificate_pdf(loaded(certificate), language=language)

    assert "C.10PBJ00.004.1" in " ".join(page_texts(pdf))
    assert_no_overlap(pdf)


def test_stored_certificate_pdf_printed_anew_after_an_assessment(
    client_for, admin_user, staff_user, certificate, units
):
    client = client_for(admin_user)
    url = reverse("certificate_documents:pdf", args=[certificate.pk])
    before = client.get(url, {"lang": "en"}).content
    # Served from the stored file until what it prints changes.
    assert b"".join(client.get(url, {"lang": "en"}).streaming_content) == before

    assess(certificate.enrollment, staff_user, {units[0]: KOMPETEN})
    after = client.get(url, {"lang": "en"})

    assert "C.10PBJ00.001.1" not in page_texts(before)[1]
    assert "C.10PBJ00.001.1" in page_texts(after.content)[1]


def test_stored_certificate_pdf_printed_anew_after_a_unit_is_renamed(
    client_for, admin_user, staff_user, certificate, units
):
    assess(certificate.enrollment, staff_user, {units[0]: KOMPETEN})
    client = client_for(admin_user)
    url = reverse("certificate_documents:pdf", args=[certificate.pk])
    client.get(url, {"lang": "en"})

    units[0].title = "Menyiapkan bahan kerajinan"
    units[0].save()
    response = client.get(url, {"lang": "en"})

    assert "C.10PBJ00.001.1 Menyiapkan bahan kerajinan" in back_in_reading_order(response.content)


def verify_url(certificate):
    return reverse("verify:verify", args=[certificate.verification_code])


def test_verify_page_lists_the_units_achieved(client, certificate, staff_user, units):
    assessed_twice(certificate, staff_user, units)

    html = client.get(verify_url(certificate)).content.decode()

    assert "Competency units achieved" in html
    assert "Competency certificate of LSP P1 BLK Palangka Raya, number LSP-014/IX/2025" in html
    assert "valid until 15 September 2028" in html
    for unit in units:
        assert unit.code in html and unit.title in html
    # Neither the assessor nor a unit's failed first attempt is public.
    assert "Rina Marlina" not in html
    assert "Belum kompeten" not in html
    assert "expired" not in html


def test_verify_page_marks_an_expired_competency_certificate(
    client, certificate, staff_user, units
):
    assess(certificate.enrollment, staff_user, {units[0]: KOMPETEN}, on=datetime.date(2020, 1, 6))

    html = client.get(verify_url(certificate)).content.decode()

    assert "valid until 6 January 2023" in html
    assert "expired" in html


def test_verify_page_of_a_revoked_certificate_lists_no_units(
    client, certificate, staff_user, admin_user, units
):
    assess(certificate.enrollment, staff_user, {units[0]: KOMPETEN})
    certificate.revoked_at = certificate.issued_at
    certificate.revoked_by = admin_user
    certificate.revocation_reason = "Salah nama"
    certificate.save()

    html = client.get(verify_url(certificate)).content.decode()

    assert "Revoked" in html
    assert "C.10PBJ00.001.1" not in html


def test_verify_page_without_units_has_no_competency_section(client, certificate):
    html = client.get(verify_url(certificate)).content.decode()

    assert 'data-testid="competency"' not in html


def test_printed_version_follows_a_corrected_lsp_certificate(certificate, staff_user, units):
    assessment = assess(certificate.enrollment, staff_user, {units[0]: KOMPETEN})
    before = pdf_cache.printed_version(Certificate.objects.get(pk=certificate.pk))

    correct_assessment(
        assessment=assessment,
        assessed_on=assessment.assessed_on,
        lsp_name=assessment.lsp_name,
        assessor_name=assessment.assessor_name,
        assessor_registration=assessment.assessor_registration,
        certificate_number="LSP-001/IX/2025",
        valid_until=assessment.valid_until,
        results={units[0]: KOMPETEN},
    )

    assert pdf_cache.printed_version(Certificate.objects.get(pk=certificate.pk)) != before
