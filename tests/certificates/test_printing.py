"""Bulk printing ("Cetak semua"): starting, the background task, progress, download, access.

The task runs for real: after the POST, `run_worker` runs django-tasks-db's database worker in
this process until the queue is empty, as `manage.py db_worker --batch` would.
"""

import datetime
import io
import os
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from certificates import services
from certificates.bulk import prune_prints
from certificates.models import BulkPrint
from tests.certificates import run_worker
from tests.certificates.rows import make_certificate
from tests.factories import InmateFactory

FAILED_TEXT = "Printing failed. Try again; if it fails again, tell the system administrator."


# The worker closes a connection it finds inside a transaction, as Django does between
# requests: the tests that run it commit for real instead of rolling back one transaction.
runs_the_worker = pytest.mark.django_db(transaction=True)


def certificate_for(program, by, name, *, sequence, kind="completion"):
    inmate = InmateFactory(facility=program.facility, full_name=name)
    return make_certificate(program, by, sequence=sequence, kind=kind, inmate=inmate)


def start(client, program, **data):
    return client.post(
        reverse("certificates:print_start", args=[program.pk]),
        {"format": "pdf", "language": "en", **data},
    )


def page_texts(pdf_bytes):
    # Collapse whitespace: WeasyPrint breaks lines where the layout wraps.
    return [
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf_bytes)).pages
    ]


def downloaded(response):
    content = b"".join(response.streaming_content)
    response.close()
    return content


def make_print(program, by, *, status=BulkPrint.Status.QUEUED, file_format="pdf", finished_at=None):
    """A BulkPrint row as the view and the task leave it, without running the task."""
    bulk_print = BulkPrint.objects.create(
        facility=program.facility,
        program=program,
        requested_by=by,
        format=file_format,
        language="en",
        status=status,
    )
    if status == BulkPrint.Status.DONE:
        bulk_print.total = bulk_print.done = 1
        bulk_print.finished_at = finished_at or timezone.now()
        bulk_print.file.save(f"result.{file_format}", ContentFile(b"%PDF-1.7 fake"))
    return bulk_print


@pytest.fixture
def one_certificate(program, admin_user):
    return certificate_for(program, admin_user, "Ahmad Fauzi", sequence=1)


@pytest.fixture
def mixed(program, admin_user):
    """Numbers 1-3 valid (a statement of participation as number 2), number 4 revoked.

    Made out of number order, so the print's order can only come from the numbers.
    """
    third = certificate_for(program, admin_user, "Citra Lestari", sequence=3)
    first = certificate_for(program, admin_user, "Ahmad Fauzi", sequence=1)
    second = certificate_for(program, admin_user, "Budi Santoso", sequence=2, kind="participation")
    revoked = certificate_for(program, admin_user, "Dedi Kurniawan", sequence=4)
    services.revoke_certificate(certificate=revoked, by=admin_user, reason="Nama salah ketik")
    return [first, second, third]


@pytest.fixture
def outside_print(outside_program, outside_admin):
    return make_print(outside_program, outside_admin, status=BulkPrint.Status.DONE)


# Access


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("staff", 403),
        ("viewer", 403),
        ("trainer", 403),
        ("outsider", 404),
        ("admin", 302),
    ],
)
def test_print_start_permissions(client_for, users, program, one_certificate, who, status):
    response = start(client_for(users.get(who)), program)

    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if who == "admin":
        bulk_print = BulkPrint.objects.get()
        assert response["Location"] == reverse("certificates:print_detail", args=[bulk_print.pk])
    else:
        assert not BulkPrint.objects.exists()
        assert not DBTaskResult.objects.exists()


@pytest.mark.parametrize("view", ["certificates:print_detail", "certificates:print_download"])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("staff", 403),
        ("viewer", 403),
        ("trainer", 403),
        ("outsider", 404),
        ("admin", 200),
    ],
)
def test_print_pages_permissions(client_for, users, program, admin_user, view, who, status):
    bulk_print = make_print(program, admin_user, status=BulkPrint.Status.DONE)

    response = client_for(users.get(who)).get(reverse(view, args=[bulk_print.pk]))

    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if status == 200 and view == "certificates:print_download":
        assert downloaded(response) == b"%PDF-1.7 fake"


def test_print_start_another_facilitys_program_is_404(
    client_for, admin_user, outside_program, outside_admin
):
    make_certificate(outside_program, outside_admin)

    response = start(client_for(admin_user), outside_program)

    assert response.status_code == 404
    assert not BulkPrint.objects.exists()


@pytest.mark.parametrize("view", ["certificates:print_detail", "certificates:print_download"])
def test_print_pages_another_facilitys_print_is_404(client_for, admin_user, outside_print, view):
    response = client_for(admin_user).get(reverse(view, args=[outside_print.pk]))

    assert response.status_code == 404


def test_print_start_get_is_405(client_for, admin_user, program, one_certificate):
    response = client_for(admin_user).get(reverse("certificates:print_start", args=[program.pk]))

    assert response.status_code == 405
    assert not BulkPrint.objects.exists()


# Starting


def test_print_start_records_the_print_and_enqueues_the_task(
    client_for, admin_user, program, one_certificate
):
    response = start(client_for(admin_user), program, format="zip", language="id")

    bulk_print = BulkPrint.objects.get()
    assert (bulk_print.status, bulk_print.format, bulk_print.language) == ("queued", "zip", "id")
    assert bulk_print.requested_by == admin_user
    assert bulk_print.program == program
    assert bulk_print.facility == program.facility
    task_result = DBTaskResult.objects.get()
    assert task_result.task_path == "certificates.bulk.print_certificates"
    assert task_result.args_kwargs["args"] == [bulk_print.pk]
    assert response["Location"] == reverse("certificates:print_detail", args=[bulk_print.pk])


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"format": "docx"}, "File: Select a valid choice. docx is not one of the available"),
        ({"language": "fr"}, "Language: Select a valid choice. fr is not one of the available"),
        ({"format": ""}, "File: This field is required."),
        ({"language": ""}, "Language: This field is required."),
    ],
)
def test_print_start_bad_input_shows_the_error_and_saves_nothing(
    client_for, admin_user, program, one_certificate, data, error
):
    client = client_for(admin_user)

    response = start(client, program, **data)

    assert response["Location"] == reverse("certificates:completion", args=[program.pk])
    assert error in client.get(response["Location"]).content.decode()
    assert not BulkPrint.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_print_start_without_valid_certificates_refuses(client_for, admin_user, program):
    revoked = make_certificate(program, admin_user)
    services.revoke_certificate(certificate=revoked, by=admin_user, reason="Salah program")
    client = client_for(admin_user)

    response = start(client, program)

    assert response["Location"] == reverse("certificates:completion", args=[program.pk])
    page = client.get(response["Location"]).content.decode()
    assert "This program has no valid certificates to print yet." in page
    assert not BulkPrint.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_print_start_twice_shows_the_print_under_way(
    client_for, admin_user, program, one_certificate
):
    client = client_for(admin_user)
    start(client, program)
    first = BulkPrint.objects.get()

    response = start(client, program, format="zip")

    assert response["Location"] == reverse("certificates:print_detail", args=[first.pk])
    assert (
        "This program is being printed already."
        in client.get(response["Location"]).content.decode()
    )
    assert BulkPrint.objects.get() == first
    assert DBTaskResult.objects.count() == 1


def test_print_start_again_once_the_last_print_is_done(
    client_for, admin_user, program, one_certificate
):
    client = client_for(admin_user)
    make_print(program, admin_user, status=BulkPrint.Status.DONE)

    start(client, program)

    assert BulkPrint.objects.filter(status=BulkPrint.Status.QUEUED).count() == 1
    assert DBTaskResult.objects.count() == 1


def test_print_start_after_a_print_cut_off_an_hour_ago_marks_it_failed(
    client_for, admin_user, program, one_certificate
):
    client = client_for(admin_user)
    cut_off = make_print(program, admin_user, status=BulkPrint.Status.RUNNING)
    BulkPrint.objects.filter(pk=cut_off.pk).update(
        requested_at=timezone.now() - datetime.timedelta(hours=1, minutes=1)
    )

    response = start(client, program)

    cut_off.refresh_from_db()
    assert cut_off.status == BulkPrint.Status.FAILED
    new = BulkPrint.objects.get(status=BulkPrint.Status.QUEUED)
    assert response["Location"] == reverse("certificates:print_detail", args=[new.pk])


# Running


@runs_the_worker
def test_print_pdf_holds_every_valid_certificate_in_number_order(
    client_for, admin_user, program, mixed
):
    client = client_for(admin_user)
    start(client, program, language="id")

    run_worker()

    bulk_print = BulkPrint.objects.get()
    assert bulk_print.status == BulkPrint.Status.DONE
    assert (bulk_print.total, bulk_print.done, bulk_print.percent) == (3, 3, 100)
    assert bulk_print.finished_at is not None
    assert DBTaskResult.objects.successful().count() == 1
    response = client.get(reverse("certificates:print_download", args=[bulk_print.pk]))
    pages = page_texts(downloaded(response))
    # Completion: front and back; the statement of participation: one page.
    assert len(pages) == 5
    assert "SERTIFIKAT" in pages[0]
    assert "Ahmad Fauzi" in pages[0]
    assert "001/LPN.KSG/PK/VIII/2025" in pages[0]
    assert "Budi Santoso" in pages[2]
    assert "Citra Lestari" in pages[3]
    assert "003/LPN.KSG/PK/VIII/2025" in pages[3]
    assert not any("Dedi Kurniawan" in page for page in pages)


@runs_the_worker
def test_print_pdf_in_english(client_for, admin_user, program, one_certificate):
    client = client_for(admin_user)
    start(client, program, language="en")

    run_worker()

    bulk_print = BulkPrint.objects.get()
    response = client.get(reverse("certificates:print_download", args=[bulk_print.pk]))
    front, back = page_texts(downloaded(response))
    assert "CERTIFICATE" in front
    assert "SERTIFIKAT" not in front
    assert "Ahmad Fauzi" in front
    assert "Merangkai gelang" in back


@runs_the_worker
def test_print_zip_holds_one_pdf_per_holder(client_for, admin_user, program):
    certificate_for(program, admin_user, "Budi Santoso", sequence=2)
    certificate_for(program, admin_user, "Ahmad Fauzi", sequence=1)
    client = client_for(admin_user)
    start(client, program, format="zip")

    run_worker()

    bulk_print = BulkPrint.objects.get()
    assert (bulk_print.status, bulk_print.total, bulk_print.done) == ("done", 2, 2)
    response = client.get(reverse("certificates:print_download", args=[bulk_print.pk]))
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        'attachment; filename="sertifikat-aksesoris-gelang-dan-kalung-batu-2025-08.zip"'
    )
    with zipfile.ZipFile(io.BytesIO(downloaded(response))) as archive:
        names = archive.namelist()
        assert names == [
            "001-lpnksg-pk-viii-2025-ahmad-fauzi.pdf",
            "002-lpnksg-pk-viii-2025-budi-santoso.pdf",
        ]
        ahmad, budi = (page_texts(archive.read(name)) for name in names)
    assert len(ahmad) == len(budi) == 2
    assert "Ahmad Fauzi" in ahmad[0]
    assert "Budi Santoso" in budi[0]
    assert "Ahmad Fauzi" not in " ".join(budi)


@runs_the_worker
def test_print_failure_marks_the_print_failed(
    client_for, admin_user, program, one_certificate, settings, tmp_path
):
    client = client_for(admin_user)
    start(client, program)
    # MEDIA_ROOT a regular file: the rendering succeeds, saving the result cannot.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker

    run_worker()

    bulk_print = BulkPrint.objects.get()
    assert bulk_print.status == BulkPrint.Status.FAILED
    assert bulk_print.finished_at is not None
    assert not bulk_print.file
    assert DBTaskResult.objects.failed().get().exception_class_path == (
        "builtins.NotADirectoryError"
    )
    page = client.get(reverse("certificates:print_detail", args=[bulk_print.pk])).content.decode()
    assert FAILED_TEXT in page
    assert "hx-trigger" not in page
    assert "Download the PDF" not in page
    response = client.get(reverse("certificates:print_download", args=[bulk_print.pk]))
    assert response.status_code == 404


# The page and the download


def test_print_detail_while_queued_polls(client_for, admin_user, program, one_certificate):
    client = client_for(admin_user)
    response = start(client, program)

    page = client.get(response["Location"]).content.decode()

    assert "Printing started. The file can be downloaded here when ready." in page
    assert "Waiting" in page
    assert "Waiting for the background worker to start." in page
    assert 'aria-valuenow="0"' in page
    assert 'hx-trigger="every 1s"' in page
    assert f'hx-get="{response["Location"]}"' in page
    assert "Download the PDF" not in page


def test_print_detail_htmx_returns_only_the_fragment(client_for, admin_user, program):
    bulk_print = make_print(program, admin_user)

    response = client_for(admin_user).get(
        reverse("certificates:print_detail", args=[bulk_print.pk]), headers={"HX-Request": "true"}
    )

    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.lstrip().startswith('<div id="print-progress"')
    assert "<html" not in fragment
    assert "<nav" not in fragment
    assert 'hx-trigger="every 1s"' in fragment
    assert 'aria-valuenow="0"' in fragment


def test_print_detail_running_shows_the_count(client_for, admin_user, program):
    bulk_print = make_print(program, admin_user, status=BulkPrint.Status.RUNNING)
    BulkPrint.objects.filter(pk=bulk_print.pk).update(total=4, done=1)

    page = (
        client_for(admin_user)
        .get(reverse("certificates:print_detail", args=[bulk_print.pk]))
        .content.decode()
    )

    assert "1 of 4 certificates printed." in page
    assert 'aria-valuenow="25"' in page
    assert 'hx-trigger="every 1s"' in page


@runs_the_worker
def test_print_detail_when_done_offers_the_download(
    client_for, admin_user, program, one_certificate
):
    client = client_for(admin_user)
    start(client, program)
    bulk_print = BulkPrint.objects.get()
    detail = reverse("certificates:print_detail", args=[bulk_print.pk])
    download = reverse("certificates:print_download", args=[bulk_print.pk])
    assert client.get(download).status_code == 404

    run_worker()

    page = client.get(detail).content.decode()
    fragment = client.get(detail, headers={"HX-Request": "true"}).content.decode()
    for html in (page, fragment):
        assert "Ready" in html
        assert "1 certificate printed." in html
        assert 'aria-valuenow="100"' in html
        assert "hx-trigger" not in html
        assert f'href="{download}"' in html
        assert "Download the PDF" in html
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="sertifikat-aksesoris-gelang-dan-kalung-batu-2025-08.pdf"'
    )
    assert response["Cache-Control"] == "private"
    content = downloaded(response)
    assert content.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(content)).pages) == 2


def test_print_download_of_a_zip_offers_the_zip(client_for, admin_user, program):
    bulk_print = make_print(program, admin_user, status=BulkPrint.Status.DONE, file_format="zip")

    page = (
        client_for(admin_user)
        .get(reverse("certificates:print_detail", args=[bulk_print.pk]))
        .content.decode()
    )

    assert "Download the ZIP" in page


def test_print_download_with_the_file_gone_is_404(client_for, admin_user, program):
    bulk_print = make_print(program, admin_user, status=BulkPrint.Status.DONE)
    bulk_print.file.storage.delete(bulk_print.file.name)

    response = client_for(admin_user).get(
        reverse("certificates:print_download", args=[bulk_print.pk])
    )

    assert response.status_code == 404


@pytest.mark.parametrize("status", list(BulkPrint.Status))
def test_print_detail_query_count(
    client_for, admin_user, program, django_assert_num_queries, status
):
    bulk_print = make_print(program, admin_user, status=status)
    client = client_for(admin_user)
    url = reverse("certificates:print_detail", args=[bulk_print.pk])

    # session, user, facility (scope), the print with its program and requester
    with django_assert_num_queries(4):
        response = client.get(url)

    assert response.status_code == 200
    assert bulk_print.get_status_display() in response.content.decode()


# How long a file is kept, and deleting it (prune_prints)


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def file_path(settings, bulk_print):
    return settings.MEDIA_ROOT / bulk_print.file.name


def orphan_file(settings, name, *, age_days):
    """A file in the prints folder that no print names, last modified `age_days` ago."""
    path = settings.MEDIA_ROOT / "private" / "prints" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.7 left behind")
    stamp = days_ago(age_days).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_print_detail_says_since_when_the_file_is_ready_and_until_when(
    client_for, admin_user, program
):
    # 07.03 UTC is 14.03 in Jakarta.
    ready = datetime.datetime(2026, 12, 1, 7, 3, tzinfo=datetime.UTC)
    bulk_print = make_print(program, admin_user, status=BulkPrint.Status.DONE, finished_at=ready)

    html = page_of(client_for(admin_user), bulk_print)

    assert (
        "The file has been ready since 14.03, 1 December 2026. It is kept for 7 days, until "
        "8 December 2026, then deleted." in html
    )
    assert "Download the PDF" in html


def test_print_detail_in_indonesian(client_for, admin_user, program, settings):
    settings.LANGUAGE_CODE = "id"
    ready = datetime.datetime(2026, 12, 1, 7, 3, tzinfo=datetime.UTC)
    bulk_print = make_print(program, admin_user, status=BulkPrint.Status.DONE, finished_at=ready)

    html = page_of(client_for(admin_user), bulk_print)

    assert (
        "Berkas siap sejak 14.03, 1 Desember 2026. Berkas disimpan 7 hari, sampai "
        "8 Desember 2026, lalu dihapus." in html
    )


def page_of(client, bulk_print, **headers):
    url = reverse("certificates:print_detail", args=[bulk_print.pk])
    return client.get(url, headers=headers).content.decode()


def test_prune_prints_deletes_old_files_and_keeps_the_rows(admin_user, program, settings):
    old = make_print(program, admin_user, status=BulkPrint.Status.DONE, finished_at=days_ago(8))
    recent = make_print(program, admin_user, status=BulkPrint.Status.DONE, finished_at=days_ago(6))
    running = make_print(program, admin_user, status=BulkPrint.Status.RUNNING)
    old_path, recent_path = file_path(settings, old), file_path(settings, recent)
    stale_orphan = orphan_file(settings, "cut-off.pdf", age_days=8)
    fresh_orphan = orphan_file(settings, "being-saved.pdf", age_days=0)
    assert old_path.exists() and recent_path.exists()

    assert prune_prints() == 2

    assert not old_path.exists()
    assert not stale_orphan.exists()
    assert recent_path.exists() and fresh_orphan.exists()
    old.refresh_from_db()
    recent.refresh_from_db()
    running.refresh_from_db()
    assert (old.status, old.file.name) == (BulkPrint.Status.DONE, "")
    assert recent.file.name and recent.status == BulkPrint.Status.DONE
    assert running.status == BulkPrint.Status.RUNNING
    # Nothing left to do: a second run deletes nothing.
    assert prune_prints() == 0


def test_prune_prints_follows_the_setting(admin_user, program, settings):
    settings.CERTIFICATE_PRINT_KEEP_DAYS = 2
    three_days = make_print(
        program, admin_user, status=BulkPrint.Status.DONE, finished_at=days_ago(3)
    )
    one_day = make_print(program, admin_user, status=BulkPrint.Status.DONE, finished_at=days_ago(1))
    three_days_path, one_day_path = file_path(settings, three_days), file_path(settings, one_day)

    assert prune_prints() == 1

    assert not three_days_path.exists()
    assert one_day_path.exists()
    three_days.refresh_from_db()
    assert three_days.file.name == ""


def test_prune_prints_command(admin_user, program, settings):
    old = make_print(program, admin_user, status=BulkPrint.Status.DONE, finished_at=days_ago(30))
    path = file_path(settings, old)
    out = io.StringIO()

    call_command("prune_prints", stdout=out)

    assert out.getvalue() == "1 bulk print file(s) older than 7 days deleted.\n"
    assert not path.exists()
    old.refresh_from_db()
    assert old.file.name == ""


def test_print_detail_after_the_file_was_deleted_offers_printing_again(
    client_for, admin_user, program, one_certificate
):
    old = make_print(program, admin_user, status=BulkPrint.Status.DONE, finished_at=days_ago(8))
    old.format, old.language = "zip", "id"
    old.save(update_fields=["format", "language"])
    prune_prints()
    client = client_for(admin_user)

    for html in (page_of(client, old), page_of(client, old, **{"HX-Request": "true"})):
        assert "File deleted" in html
        assert (
            "The file was deleted: a finished print is kept for 7 days, because it names every "
            "holder." in html
        )
        assert "Download the" not in html
        assert f'action="{reverse("certificates:print_start", args=[program.pk])}"' in html
        assert '<input type="hidden" name="format" value="zip">' in html
        assert '<input type="hidden" name="language" value="id">' in html
        assert "Print again" in html
    assert client.get(reverse("certificates:print_download", args=[old.pk])).status_code == 404

    # The button posts what the form holds: a new print of the same kind starts.
    response = start(client, program, format="zip", language="id")

    again = BulkPrint.objects.exclude(pk=old.pk).get()
    assert response.url == reverse("certificates:print_detail", args=[again.pk])
    assert (again.format, again.language, again.status) == ("zip", "id", "queued")


@runs_the_worker
def test_print_task_deletes_old_files_first(
    client_for, admin_user, program, one_certificate, settings
):
    old = make_print(program, admin_user, status=BulkPrint.Status.DONE, finished_at=days_ago(8))
    path = file_path(settings, old)
    client = client_for(admin_user)

    start(client, program)
    run_worker()

    assert not path.exists()
    old.refresh_from_db()
    assert old.file.name == ""
    new = BulkPrint.objects.exclude(pk=old.pk).get()
    assert new.status == BulkPrint.Status.DONE
    assert file_path(settings, new).exists()


# The completion page's card


def test_completion_shows_print_all_to_admins(client_for, admin_user, program, mixed):
    bulk_print = make_print(program, admin_user)

    page = (
        client_for(admin_user)
        .get(reverse("certificates:completion", args=[program.pk]))
        .content.decode()
    )

    assert "Print all (3)" in page
    assert reverse("certificates:print_start", args=[program.pk]) in page
    assert reverse("certificates:print_detail", args=[bulk_print.pk]) in page


def test_completion_without_certificates_explains_print_all(client_for, admin_user, program):
    page = (
        client_for(admin_user)
        .get(reverse("certificates:completion", args=[program.pk]))
        .content.decode()
    )

    assert "Issue certificates first; then they can all be printed at once." in page
    assert reverse("certificates:print_start", args=[program.pk]) not in page


def test_completion_hides_print_all_from_staff(client_for, staff_user, admin_user, program, mixed):
    make_print(program, admin_user)

    page = (
        client_for(staff_user)
        .get(reverse("certificates:completion", args=[program.pk]))
        .content.decode()
    )

    assert "Print all" not in page
    assert reverse("certificates:print_start", args=[program.pk]) not in page
