"""The certificate PDF, read back: content, fonts, pages, discreet and English variants."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from certificates.models import Certificate
from certificates.pdf import certificate_html, certificate_pdf
from tests.certificates.rows import make_certificate
from tests.factories import InmateFactory

FORBIDDEN = ["Lapas", "Rutan", "pemasyarakatan", "narapidana", "WBP", "warga binaan"]


def read(pdf):
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf):
    # Collapse whitespace: WeasyPrint breaks lines where the layout wraps.
    return [" ".join(page.extract_text().split()) for page in read(pdf).pages]


def fonts(reader):
    """Every font dictionary used on the pages, descendant fonts included."""
    found = []
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        for font in resources.get("/Font", {}).get_object().values():
            font = font.get_object()
            found.append(font)
            for descendant in font.get("/DescendantFonts", []):
                found.append(descendant.get_object())
    return found


def loaded(*certificates):
    return (
        Certificate.objects.filter(pk__in=[c.pk for c in certificates])
        .select_related("facility", "enrollment__program")
        .prefetch_related("enrollment__program__program_partners__partner")
        .order_by("sequence")
    )


@pytest.fixture
def certificate(program, admin_user):
    inmate = InmateFactory(facility=program.facility, full_name="Ahmad Fauzi")
    return make_certificate(program, admin_user, inmate=inmate)


def test_certificate_pdf_front_and_back_carry_the_snapshot(certificate):
    front, back = page_texts(certificate_pdf(loaded(certificate), language="en"))

    assert "CERTIFICATE" in front
    assert "Number: 001/LPN.KSG/PK/VIII/2025" in front
    assert "Ahmad Fauzi" in front
    assert "Aksesoris Gelang dan Kalung Batu" in front
    assert "4 to 8 August 2025" in front
    assert "25 JP" in front
    assert "Lapas Narkotika Kelas IIA Kasongan" in front
    assert "BLK Kota Palangka Raya" in front
    assert "Kasongan, 8 August 2025" in front
    assert "NIP. 197401011999031001" in front
    assert certificate.verification_code in front
    assert "Merangkai gelang" in back
    assert "Mengenal batu dan alat" in back
    assert "25" in back
    assert "Kompeten" in back
    assert "Siti Rahmawati" in back


def test_certificate_pdf_indonesian_by_default_names_the_month_in_indonesian(certificate):
    front, _back = page_texts(certificate_pdf(loaded(certificate)))

    assert "8 Agustus 2025" in front
    assert "Ahmad Fauzi" in front


def test_certificate_pdf_embeds_every_font(certificate):
    reader = read(certificate_pdf(loaded(certificate), language="en"))
    descriptors = [
        f["/FontDescriptor"].get_object() for f in fonts(reader) if "/FontDescriptor" in f
    ]

    assert descriptors
    assert all("/FontFile2" in d or "/FontFile3" in d for d in descriptors)


@pytest.mark.parametrize("count", [1, 3])
def test_certificate_pdf_two_pages_per_certificate(program, admin_user, count):
    certificates = [make_certificate(program, admin_user, sequence=n) for n in range(1, count + 1)]

    assert len(read(certificate_pdf(loaded(*certificates))).pages) == 2 * count


def test_certificate_pdf_discreet_never_names_the_prison(program, admin_user):
    program.discreet_issuing = True
    program.save(update_fields=["discreet_issuing"])
    certificate = make_certificate(program, admin_user, discreet=True)
    registration_number = certificate.enrollment.inmate.registration_number

    for language in ("id", "en"):
        pdf = certificate_pdf(loaded(certificate), language=language)
        text = " ".join(page_texts(pdf))
        assert "held by BLK Kota Palangka Raya" in text or language == "id"
        assert "BLK Kota Palangka Raya" in text
        assert program.facility.name not in text
        assert registration_number not in text
        for word in FORBIDDEN:
            assert word.lower() not in text.lower(), word
        assert b"Lapas" not in pdf


def test_certificate_pdf_statement_of_participation_one_page(program, admin_user):
    statement = make_certificate(program, admin_user, kind="participation")

    (text,) = page_texts(certificate_pdf(loaded(statement), language="en"))

    assert "STATEMENT OF PARTICIPATION" in text
    assert "attending 3 of 5 sessions (15 JP)" in text
    assert "because of: Bebas" in text
    assert statement.snapshot["holder_name"] in text


def test_certificate_pdf_mixes_certificates_and_statements_in_one_document(program, admin_user):
    completion = make_certificate(program, admin_user, sequence=1)
    statement = make_certificate(program, admin_user, sequence=2, kind="participation")

    reader = read(certificate_pdf(loaded(completion, statement)))

    assert len(reader.pages) == 3
    # A4 landscape for the certificate, portrait for the letter.
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height
    assert reader.pages[2].mediabox.width < reader.pages[2].mediabox.height


def test_certificate_pdf_view_english_on_request(client_for, admin_user, certificate):
    response = client_for(admin_user).get(
        reverse("certificate_documents:pdf", args=[certificate.pk]), {"lang": "en"}
    )

    assert response["Content-Type"] == "application/pdf"
    assert "CERTIFICATE" in page_texts(response.content)[0]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("staff", 200),
        ("viewer", 200),
        ("trainer", 403),
        ("outsider", 404),
        ("admin", 200),
    ],
)
def test_certificate_pdf_view_permissions(client_for, users, certificate, who, status):
    response = client_for(users.get(who)).get(
        reverse("certificate_documents:pdf", args=[certificate.pk])
    )

    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert "Ahmad Fauzi" in page_texts(response.content)[0]


def test_certificate_pdf_shares_the_program_front_and_back_among_holders(program, admin_user):
    certificates = [make_certificate(program, admin_user, sequence=n) for n in range(1, 4)]

    html, sequences = certificate_html(loaded(*certificates), language="en")
    texts = page_texts(certificate_pdf(loaded(*certificates), language="en"))

    # The program's front and its back laid out once; each holder adds only their own layer.
    assert html.count("<section ") == 5
    assert [len(sequence) for sequence in sequences] == [2, 2, 2]
    assert len({sequence[0][0] for sequence in sequences}) == 1
    assert len({sequence[0][1] for sequence in sequences}) == 3
    assert len({sequence[1] for sequence in sequences}) == 1
    assert [
        certificate.snapshot["holder_name"] in texts[2 * n]
        for n, certificate in enumerate(certificates)
    ] == [True] * 3
    assert texts[1] == texts[3] == texts[5]


def test_certificate_pdf_a_back_running_over_a_page_keeps_its_pages_in_order(program, admin_user):
    first, second = (make_certificate(program, admin_user, sequence=n) for n in (1, 2))
    topics = [{"title": f"Topik nomor {n}", "jp": 1} for n in range(1, 61)]
    for certificate in (first, second):
        certificate.snapshot["topics"] = topics
        certificate.save(update_fields=["snapshot"])

    texts = page_texts(certificate_pdf(loaded(first, second), language="en"))

    # Each holder: front, then the back over as many pages as the topics need.
    back_pages = (len(texts) - 2) // 2
    assert back_pages >= 2
    assert len(texts) == 2 * (1 + back_pages)
    assert first.snapshot["holder_name"] in texts[0]
    assert "TRAINING TOPICS" in texts[1]
    assert "Topik nomor 60" not in texts[1]
    assert "Topik nomor 60" in texts[back_pages]
    assert second.snapshot["holder_name"] in texts[1 + back_pages]
    assert "Topik nomor 60" in texts[-1]


def test_certificate_pdf_fronts_print_one_shared_drawing_of_the_program_page(program, admin_user):
    certificates = [make_certificate(program, admin_user, sequence=n) for n in range(1, 4)]

    reader = read(certificate_pdf(loaded(*certificates), language="en"))

    def forms(page):
        xobjects = page["/Resources"]["/XObject"]
        return {
            xobjects.raw_get(name).idnum
            for name in xobjects
            if xobjects[name].get_object()["/Subtype"] == "/Form"
        }

    # Each front draws the same object (the program's page) under the holder's own layer.
    fronts = [forms(page) for page in reader.pages[0::2]]
    assert len(set.intersection(*fronts)) == 1
    assert all(len(front) == 1 for front in fronts)


@pytest.mark.parametrize(
    "name",
    [
        "Ahmad Fauzi",
        "Muhammad Rizky Pratama bin Abdul Rahman Hakim",
        "Raden Mas Muhammad Rizky Pratama Wicaksono bin Abdul Rahman Hakim Saputra",
    ],
)
def test_certificate_pdf_prints_a_long_name_whole_on_one_line(program, admin_user, name):
    certificate = make_certificate(program, admin_user, holder_name=name)

    front = read(certificate_pdf(loaded(certificate), language="en")).pages[0].extract_text()

    # One line: the whole name, with no line break inside it.
    assert name in front.splitlines()
