"""What the printed certificates and statements say (issue #9): wording, letterhead, signatories,
and the "DICABUT" stamp of a revoked one. Read back from real PDFs."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from attendance.rules import program_recap
from certificates.models import Certificate
from certificates.pdf import certificate_pdf, join_names, title_without_kind
from certificates.services import build_snapshot
from inmates.photos import sanitize_logo
from tests.certificates.rows import make_certificate
from tests.factories import EnrollmentFactory, PartnerFactory, ProgramPartnerFactory
from tests.images import image_bytes, upload
from tests.pdf_overlap import assert_no_overlap, words

FORBIDDEN = ["Lapas", "Rutan", "pemasyarakatan", "narapidana", "WBP", "warga binaan"]
REGION = "KANTOR WILAYAH DIREKTORAT JENDERAL PEMASYARAKATAN KALIMANTAN TENGAH"


def loaded(*certificates):
    return (
        Certificate.objects.filter(pk__in=[c.pk for c in certificates])
        .select_related("facility", "enrollment__program")
        .prefetch_related("enrollment__program__program_partners__partner")
        .order_by("sequence")
    )


def page_texts(pdf):
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def revoke(certificate, by):
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = by
    certificate.revocation_reason = "Salah tulis nama"
    certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    return certificate


@pytest.fixture
def letterhead_facility(facility):
    facility.letterhead_region = REGION
    facility.letterhead_name = "LEMBAGA PEMASYARAKATAN NARKOTIKA KELAS IIA KASONGAN"
    facility.address = "Jl. Tjilik Riwut Km 2, Kasongan"
    facility.phone = "(0536) 4041234"
    facility.head_name = "Yurdani"
    facility.head_nip = "197406152000031002"
    facility.save()
    return facility


# Wording ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "english", "indonesian"),
    [
        ([], "", ""),
        (["A"], "A", "A"),
        (["A", "B"], "A and B", "A dan B"),
        (["A", "B", "C"], "A, B and C", "A, B dan C"),
    ],
)
def test_join_names_lists_names_as_a_sentence(names, english, indonesian):
    with translation.override("en"):
        assert join_names(names) == english
    with translation.override("id"):
        assert join_names(names) == indonesian


@pytest.mark.parametrize(
    ("title", "printed"),
    [
        ("Pelatihan Kemandirian: Aksesoris Gelang", "Aksesoris Gelang"),
        ("pelatihan kemandirian - Menjahit", "Menjahit"),
        ("Pelatihan Kemandirian Budidaya Lele", "Budidaya Lele"),
        ("Aksesoris Gelang", "Aksesoris Gelang"),
        ("Pelatihan Barista", "Pelatihan Barista"),
        ("Pelatihan Kemandirian", "Pelatihan Kemandirian"),
    ],
)
def test_title_without_kind(title, printed):
    assert title_without_kind(title) == printed


def test_certificate_names_the_program_kind_once_and_joins_partners_with_dan(
    program, admin_user, other_partner
):
    ProgramPartnerFactory(program=program, partner=other_partner, role="co_trainer")
    umkm = PartnerFactory(facility=program.facility, name="UMKM Marajaki Kreatif", kind="umkm")
    ProgramPartnerFactory(program=program, partner=umkm, role="market")
    program.title = "Pelatihan Kemandirian: Aksesoris Gelang dan Kalung Batu"
    program.save(update_fields=["title"])
    certificate = make_certificate(program, admin_user)

    (front_id, _back), (front_en, _back_en) = (
        page_texts(certificate_pdf(loaded(certificate), language=language))
        for language in ("id", "en")
    )

    assert front_id.count("Pelatihan Kemandirian") == 1
    assert "Pelatihan Kemandirian “Aksesoris Gelang dan Kalung Batu”" in front_id
    assert (
        "bekerja sama dengan LPK Multi Karya, BLK Kota Palangka Raya dan UMKM Marajaki Kreatif"
        in front_id
    )
    assert "LPK Multi Karya, BLK Kota Palangka Raya and UMKM Marajaki Kreatif" in front_en


def test_statement_names_the_program_kind_once(program, admin_user):
    program.title = "Pelatihan Kemandirian: Aksesoris Gelang dan Kalung Batu"
    program.save(update_fields=["title"])
    statement = make_certificate(program, admin_user, kind="participation")

    (text,) = page_texts(certificate_pdf(loaded(statement)))

    assert text.count("Pelatihan Kemandirian") == 1
    assert "Pelatihan Kemandirian “Aksesoris Gelang dan Kalung Batu”" in text


# Letterhead and signatories -------------------------------------------------------------------


def test_snapshot_freezes_the_letterhead_and_the_signatories(program, partner, letterhead_facility):
    partner.head_name = "M. Noor Ikhsan"
    partner.head_title = "Perwakilan BLK Kota Palangka Raya"
    partner.save()
    enrollment = EnrollmentFactory(program=program)
    row = program_recap(program).rows[0]

    snapshot = build_snapshot(
        enrollment=enrollment, kind="participation", issued_on=program.end_date, recap_row=row
    )

    assert snapshot["letterhead"] == {
        "ministry": "KEMENTERIAN IMIGRASI DAN PEMASYARAKATAN REPUBLIK INDONESIA",
        "region": REGION,
        "name": "LEMBAGA PEMASYARAKATAN NARKOTIKA KELAS IIA KASONGAN",
        "address": "Jl. Tjilik Riwut Km 2, Kasongan",
        "phone": "(0536) 4041234",
        "email": "",
    }
    assert snapshot["signatories"] == [
        {
            "office": "Kepala Lapas Narkotika Kelas IIA Kasongan",
            "name": "Yurdani",
            "nip": "197406152000031002",
        },
        {"office": "Perwakilan BLK Kota Palangka Raya", "name": "M. Noor Ikhsan", "nip": ""},
    ]


def test_discreet_snapshot_has_no_letterhead(program, letterhead_facility):
    program.discreet_issuing = True
    program.save(update_fields=["discreet_issuing"])
    enrollment = EnrollmentFactory(program=program)

    snapshot = build_snapshot(
        enrollment=enrollment,
        kind="participation",
        issued_on=program.end_date,
        recap_row=program_recap(program).rows[0],
    )

    assert "letterhead" not in snapshot
    assert "KASONGAN" not in str(snapshot).upper()


def test_statement_prints_the_frozen_letterhead_not_todays(
    program, admin_user, letterhead_facility
):
    statement = make_certificate(program, admin_user, kind="participation")
    statement.snapshot["letterhead"] = letterhead_facility.letterhead()
    statement.save(update_fields=["snapshot"])
    letterhead_facility.letterhead_region = "KANTOR WILAYAH BARU"
    letterhead_facility.save()

    (text,) = page_texts(certificate_pdf(loaded(statement)))

    assert "KEMENTERIAN IMIGRASI DAN PEMASYARAKATAN REPUBLIK INDONESIA" in text
    assert REGION in text
    assert "LEMBAGA PEMASYARAKATAN NARKOTIKA KELAS IIA KASONGAN" in text
    assert "Jl. Tjilik Riwut Km 2, Kasongan" in text
    assert "Telp. (0536) 4041234" in text
    assert "KANTOR WILAYAH BARU" not in text
    # The signature block: office, name, NIP.
    assert "Kepala Lapas Narkotika Kelas IIA Kasongan Yurdani NIP. 197401011999031001" in text


def test_statement_prints_the_uploaded_logo_not_the_default(
    program, admin_user, letterhead_facility
):
    statement = make_certificate(program, admin_user, kind="participation")
    logo = sanitize_logo(upload(image_bytes(size=(320, 200))))
    letterhead_facility.logo.save(logo.name, logo)

    pdf = certificate_pdf(loaded(statement))

    # The logo (not the default emblem, 300 x 300 px) and the QR code.
    sizes = [image.image.size for image in PdfReader(io.BytesIO(pdf)).pages[0].images]
    assert (320, 200) in sizes
    assert (300, 300) not in sizes
    assert len(sizes) == 2


def test_discreet_statement_is_headed_by_the_lead_partner_and_names_no_prison(
    program, admin_user, letterhead_facility
):
    program.discreet_issuing = True
    program.save(update_fields=["discreet_issuing"])
    statement = make_certificate(program, admin_user, discreet=True, kind="participation")

    pdf = certificate_pdf(loaded(statement))
    (text,) = page_texts(pdf)

    assert text.startswith("BLK KOTA PALANGKA RAYA SURAT KETERANGAN")
    assert "Kepala BLK Kota Palangka Raya M. Noor Ikhsan" in text
    for word in [*FORBIDDEN, "KEMENTERIAN", "KANTOR WILAYAH", "Kasongan"]:
        assert word.lower() not in text.lower(), word
    assert_no_overlap(pdf)


# Revoked -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "stamp"), [("id", "DICABUT"), ("en", "REVOKED")])
def test_revoked_certificate_is_stamped_on_every_page(program, admin_user, language, stamp):
    certificate = revoke(make_certificate(program, admin_user), admin_user)
    certificate.snapshot["topics"] = [{"title": f"Topik nomor {n}", "jp": 1} for n in range(60)]
    certificate.save(update_fields=["snapshot"])

    texts = page_texts(certificate_pdf(loaded(certificate), language=language))

    # The front and a back long enough for two pages.
    assert len(texts) >= 3
    assert all(stamp in text for text in texts)


def test_revoked_statement_is_stamped(program, admin_user):
    statement = revoke(make_certificate(program, admin_user, kind="participation"), admin_user)

    (text,) = page_texts(certificate_pdf(loaded(statement)))

    assert "DICABUT" in text


def test_stamp_stays_off_the_valid_certificates_printed_with_a_revoked_one(program, admin_user):
    valid = make_certificate(program, admin_user, sequence=1)
    revoked = revoke(make_certificate(program, admin_user, sequence=2), admin_user)

    texts = page_texts(certificate_pdf(loaded(valid, revoked)))

    # Both share the program's back, laid out once: only the revoked one's copy is stamped.
    assert ["DICABUT" in text for text in texts] == [False, False, True, True]


def test_revoked_certificate_keeps_its_layout_under_the_stamp(program, admin_user):
    certificate = make_certificate(program, admin_user)
    valid_pdf = certificate_pdf(loaded(certificate))
    revoke(certificate, admin_user)

    revoked_pdf = certificate_pdf(loaded(certificate))

    # The stamp is drawn over the page on purpose, and pdftotext reads its slanted letters one
    # by one: what lies under it is the valid certificate's layout, checked for overlaps.
    assert_no_overlap(valid_pdf)

    def longer_words(pdf):
        return sorted((w.page, w.text) for w in words(pdf) if len(w.text) > 1)

    assert longer_words(revoked_pdf) == longer_words(valid_pdf)


def test_partner_form_asks_for_the_signatorys_title(client_for, admin_user, partner):
    response = client_for(admin_user).get(reverse("programs:partner_update", args=[partner.pk]))

    content = response.content.decode()
    # A representative signs as such, not as the partner's head.
    assert "Signatory&#x27;s title" in content
    assert "Perwakilan BLK Kota Palangka Raya" in content
