"""The certificate PDF stored after its first render: served from the file, rendered again when
what it prints changes (revoked, reissued, a new logo) or the file is lost."""

import io
import threading

import pytest
import weasyprint
from django.conf import settings
from django.core.management import call_command
from django.http import FileResponse
from django.urls import reverse
from pypdf import PdfReader

from certificates import pdf_cache
from certificates.models import Certificate
from inmates.photos import sanitize_logo
from lapas_training.audit import Kind
from lapas_training.models import AuditEvent
from tests.certificates.rows import make_certificate
from tests.factories import InmateFactory
from tests.helpers import assert_answer
from tests.images import image_bytes, upload


@pytest.fixture
def certificate(program, admin_user):
    inmate = InmateFactory(facility=program.facility, full_name="Ahmad Fauzi")
    return make_certificate(program, admin_user, inmate=inmate)


@pytest.fixture
def renders(monkeypatch):
    """How many documents WeasyPrint lays out: a spy that lets every call through."""
    calls = []
    real_render = weasyprint.HTML.render

    def counting_render(self, *args, **kwargs):
        calls.append(1)
        return real_render(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", counting_render)
    return calls


def pdf_url(certificate):
    return reverse("certificate_documents:pdf", args=[certificate.pk])


def get_pdf(client, certificate, language="id"):
    response = client.get(pdf_url(certificate), {"lang": language})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response


def body(response):
    # A stored file is streamed (FileResponse), a fresh render sent whole. A stream reads once.
    return response.getvalue()


def text(content):
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages
    )


def stored_files():
    root = settings.MEDIA_ROOT / pdf_cache.DIRECTORY
    return sorted(root.rglob("*.pdf")) if root.exists() else []


def test_pdf_cache_second_request_serves_the_stored_file(
    client_for, admin_user, certificate, renders
):
    client = client_for(admin_user)

    first = get_pdf(client, certificate)
    [path] = stored_files()
    written = path.stat().st_mtime_ns
    assert len(renders) == 1
    assert path.read_bytes() == body(first)

    second = get_pdf(client, certificate)

    assert isinstance(second, FileResponse)
    content = body(second)
    assert content == body(first)
    assert len(renders) == 1
    assert stored_files() == [path]
    assert path.stat().st_mtime_ns == written
    assert second["Cache-Control"] == "private"
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert "Ahmad Fauzi" in text(content)
    # Each print is still recorded, stored or not.
    assert AuditEvent.objects.filter(kind=Kind.CERTIFICATE_PRINTED).count() == 2


def test_pdf_cache_stored_file_is_private_media(client_for, admin_user, certificate):
    get_pdf(client_for(admin_user), certificate)
    [path] = stored_files()

    assert path.is_relative_to(settings.MEDIA_ROOT / "private")
    # It names its holder: readable by the app's user only.
    assert path.stat().st_mode & 0o777 == 0o600
    relative = path.relative_to(settings.MEDIA_ROOT).as_posix()
    assert client_for(admin_user).get(f"/{settings.MEDIA_URL}{relative}").status_code == 404


def test_pdf_cache_revoking_stamps_the_next_pdf(client_for, admin_user, certificate, renders):
    client = client_for(admin_user)
    assert "DICABUT" not in text(body(get_pdf(client, certificate)))
    [valid_file] = stored_files()

    client.post(
        reverse("certificates:certificate_revoke", args=[certificate.pk]), {"reason": "Salah"}
    )

    revoked = text(body(get_pdf(client, certificate)))
    assert "DICABUT" in revoked
    assert "Ahmad Fauzi" in revoked
    assert len(renders) == 2
    # The valid paper is gone from the disk; the stamped one is served from now on.
    [revoked_file] = stored_files()
    assert revoked_file != valid_file
    again = get_pdf(client, certificate)
    assert isinstance(again, FileResponse)
    assert "DICABUT" in text(body(again))
    assert len(renders) == 2


def test_pdf_cache_reissuing_prints_both_papers_right(client_for, admin_user, certificate):
    client = client_for(admin_user)
    get_pdf(client, certificate)

    client.post(
        reverse("certificates:certificate_reissue", args=[certificate.pk]),
        {"reason": "Nama salah eja", "holder_name": "Achmad Fauzi"},
    )
    new = Certificate.objects.get(replaces=certificate)

    old_text = text(body(get_pdf(client, certificate)))
    assert "DICABUT" in old_text
    assert "Ahmad Fauzi" in old_text
    assert certificate.number in old_text
    new_text = text(body(get_pdf(client, new)))
    assert "DICABUT" not in new_text
    assert "Achmad Fauzi" in new_text
    assert new.number in new_text
    # And again from the stored files.
    assert "DICABUT" in text(body(get_pdf(client, certificate)))
    assert "DICABUT" not in text(body(get_pdf(client, new)))
    assert len(stored_files()) == 2


def test_pdf_cache_deleted_file_is_rendered_again(client_for, admin_user, certificate, renders):
    client = client_for(admin_user)
    get_pdf(client, certificate)
    [path] = stored_files()
    path.unlink()

    again = body(get_pdf(client, certificate))

    assert len(renders) == 2
    assert "Ahmad Fauzi" in text(again)
    assert stored_files() == [path]
    assert path.read_bytes() == again


@pytest.mark.parametrize("damage", [b"", b"%PDF-1.7\n", b"not a pdf at all %%EOF"])
def test_pdf_cache_damaged_file_is_rendered_again(
    client_for, admin_user, certificate, renders, damage
):
    client = client_for(admin_user)
    get_pdf(client, certificate)
    [path] = stored_files()
    path.write_bytes(damage)

    again = body(get_pdf(client, certificate))

    assert len(renders) == 2
    assert "Ahmad Fauzi" in text(again)
    assert path.read_bytes() == again


def test_pdf_cache_english_and_indonesian_stored_separately(
    client_for, viewer_user, certificate, renders
):
    client = client_for(viewer_user)
    get_pdf(client, certificate, "id")
    get_pdf(client, certificate, "en")
    assert len(stored_files()) == 2
    assert len(renders) == 2

    indonesian = text(body(get_pdf(client, certificate, "id")))
    english = text(body(get_pdf(client, certificate, "en")))

    assert len(renders) == 2
    assert "SERTIFIKAT" in indonesian and "8 Agustus 2025" in indonesian
    assert "CERTIFICATE" in english and "8 August 2025" in english


def test_pdf_cache_new_logo_is_printed(client_for, admin_user, certificate, facility, renders):
    client = client_for(admin_user)
    get_pdf(client, certificate)
    [before] = stored_files()

    logo = sanitize_logo(upload(image_bytes(size=(301, 117))))
    facility.logo.save(logo.name, logo)
    response = get_pdf(client, certificate)

    assert len(renders) == 2
    [after] = stored_files()
    assert after != before
    sizes = [
        (image.image.width, image.image.height)
        for image in PdfReader(io.BytesIO(body(response))).pages[0].images
    ]
    assert (301, 117) in sizes


def test_pdf_cache_editing_the_letterhead_keeps_the_stored_file(
    client_for, admin_user, certificate, facility, renders
):
    # The letterhead and signatories are frozen in the snapshot: the paper does not change.
    client = client_for(admin_user)
    get_pdf(client, certificate)
    facility.head_name = "Kepala Baru"
    facility.address = "Jalan Baru 1"
    facility.save()

    again = get_pdf(client, certificate)

    assert isinstance(again, FileResponse)
    assert len(renders) == 1
    assert "Kepala Baru" not in text(body(again))


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", "login"), ("trainer", 403), ("outsider", 404), ("staff", 200), ("viewer", 200)],
)
def test_pdf_cache_stored_file_keeps_the_access_rules(
    client_for, users, admin_user, certificate, renders, who, expected
):
    get_pdf(client_for(admin_user), certificate)

    response = client_for(users.get(who)).get(pdf_url(certificate))

    assert_answer(response, expected)
    if expected == 200:
        assert isinstance(response, FileResponse)
        assert "Ahmad Fauzi" in text(body(response))
    assert len(renders) == 1


def test_pdf_cache_concurrent_stores_leave_one_whole_file():
    directory = settings.MEDIA_ROOT / pdf_cache.DIRECTORY / "layout" / "0"
    directory.mkdir(parents=True)
    path = directory / "7-id-version.pdf"
    stale = directory / "7-id-older.pdf"
    english = directory / "7-en-version.pdf"
    stale.write_bytes(b"old")
    english.write_bytes(b"english")
    name = f"{pdf_cache.DIRECTORY}/layout/0/{path.name}"
    contents = [b"%PDF-" + bytes([n]) * 200_000 + b"%%EOF" for n in range(8)]
    threads = [threading.Thread(target=pdf_cache.store, args=(name, c)) for c in contents]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert path.read_bytes() in contents
    # The other version is gone, the other language kept, no temporary file left over.
    assert sorted(p.name for p in directory.iterdir()) == [english.name, path.name]


def test_pdf_cache_stored_file_query_count(
    client_for, admin_user, certificate, django_assert_num_queries
):
    client = client_for(admin_user)
    get_pdf(client, certificate)

    # Session, user, facility (scope), the certificate with facility and program, its program's
    # partner links with their partners, the holder's competency units (printed live), the
    # audit event's INSERT.
    with django_assert_num_queries(7):
        response = get_pdf(client, certificate)

    assert isinstance(response, FileResponse)


def test_pdf_cache_prune_deletes_only_earlier_releases(client_for, admin_user, certificate):
    get_pdf(client_for(admin_user), certificate)
    [current] = stored_files()
    root = settings.MEDIA_ROOT / pdf_cache.DIRECTORY
    earlier = root / "0123456789abcdef" / "0"
    earlier.mkdir(parents=True)
    (earlier / f"{certificate.pk}-id-0a1b2c.pdf").write_bytes(b"%PDF-1.7 earlier %%EOF")
    out = io.StringIO()

    call_command("prune_certificate_pdfs", stdout=out)

    assert stored_files() == [current]
    assert not (root / "0123456789abcdef").exists()
    assert "1 stored certificate PDF(s) of earlier releases deleted." in out.getvalue()
