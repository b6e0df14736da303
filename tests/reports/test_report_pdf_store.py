"""The activity and periodic report PDFs, stored after their first render (reports.pdf_store).

A second download with nothing changed is the stored file: the same bytes, no WeasyPrint render
(`pdf_store.renders` counts them). Whatever the paper prints changing gives a new PDF.
"""

import datetime
import io
import json
import os
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from attendance.models import AttendanceRecord
from lapas_training.reports import activity_pdf, pdf_store
from programs.models import ActivityReport, SessionPhoto
from tests import test_s3_storage
from tests.certificates import enrol, make_sessions
from tests.helpers import assert_answer
from tests.reports.test_activity import add_photo, embedded_photos, pdf_text

AUGUST = {"period": "month", "month": "2025-08"}
# The moto S3 server and a bucket prefix of the test's own, as MEDIA_STORAGE=s3 sets it up.
s3_server = test_s3_storage.s3_server
bucket = test_s3_storage.bucket


def stored(directory):
    """The names of the files stored under `directory` of private/reports/."""
    try:
        return sorted(default_storage.listdir(f"{pdf_store.ROOT}/{directory}")[1])
    except FileNotFoundError:
        return []


def download(client, url, params=None):
    """The PDF bytes of `url` and how many renders it took."""
    before = pdf_store.renders
    response = client.get(url, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content, pdf_store.renders - before


@pytest.fixture
def marked(program):
    """`program` with two held sessions and one participant present at both."""
    sessions = make_sessions(program, 2)
    enrol(program, sessions, ["H", "H"])
    return program


def activity_url(program):
    return reverse("reports:activity_pdf", args=[program.pk])


# --- the activity report ----------------------------------------------------------------------


def test_activity_pdf_second_download_is_the_stored_file(client_for, admin_user, marked):
    client = client_for(admin_user)

    first, first_renders = download(client, activity_url(marked))
    second, second_renders = download(client, activity_url(marked))

    assert (first_renders, second_renders) == (1, 0)
    assert second == first
    [name] = stored(f"activity/{marked.pk}")
    with default_storage.open(f"{pdf_store.ROOT}/activity/{marked.pk}/{name}") as file:
        assert file.read() == first


def test_activity_pdf_prints_a_changed_mark_anew(client_for, admin_user, marked):
    client = client_for(admin_user)
    before, _renders = download(client, activity_url(marked))
    first_mark = AttendanceRecord.objects.filter(session__program=marked).order_by("pk").first()
    AttendanceRecord.objects.filter(pk=first_mark.pk).update(status="A")

    after, renders = download(client, activity_url(marked))

    assert renders == 1
    assert "Rata-rata kehadiran peserta 100,0%" in pdf_text(before)
    assert "Rata-rata kehadiran peserta 50,0%" in pdf_text(after)
    # The earlier version is never asked for again: only the new one stays.
    assert len(stored(f"activity/{marked.pk}")) == 1


def test_activity_pdf_prints_an_edited_text_anew(client_for, admin_user, marked):
    client = client_for(admin_user)
    download(client, activity_url(marked))
    ActivityReport.objects.create(program=marked, conclusions="Kesimpulan yang baru ditulis.")

    after, renders = download(client, activity_url(marked))

    assert renders == 1
    assert "Kesimpulan yang baru ditulis." in pdf_text(after)


def test_activity_pdf_prints_a_new_photo_anew(client_for, admin_user, staff_user, marked):
    client = client_for(admin_user)
    session = marked.sessions.order_by("date", "start_time").first()
    add_photo(SessionPhoto, "Praktik pertama", staff_user, session=session)
    before, _renders = download(client, activity_url(marked))
    add_photo(SessionPhoto, "Praktik kedua", staff_user, session=session)

    after, renders = download(client, activity_url(marked))

    assert renders == 1
    assert len(embedded_photos(before)) == 1
    assert len(embedded_photos(after)) == 2
    assert "Praktik kedua" not in pdf_text(before)
    assert "Praktik kedua" in pdf_text(after)


def test_activity_pdf_embeds_a_stored_photo_at_its_printed_size(
    client_for, admin_user, staff_user, marked
):
    # A stored photo is at most 1600 px (inmates.photos.FULL_SIZE); the report prints 800.
    buffer = io.BytesIO()
    Image.radial_gradient("L").resize((1600, 1200)).convert("RGB").save(buffer, "JPEG")
    photo = SessionPhoto(
        caption="Foto besar",
        uploaded_by=staff_user,
        session=marked.sessions.get(start_time=datetime.time(8, 0)),
    )
    photo.image.save("besar.jpg", ContentFile(buffer.getvalue()), save=False)
    photo.thumbnail.save("kecil.jpg", ContentFile(buffer.getvalue()), save=False)
    photo.save()

    pdf, _renders = download(client_for(admin_user), activity_url(marked))

    # Decoded at half its size, never below the printed one: sharp on paper, a quarter the CPU.
    sizes = {
        image.image.size
        for page in PdfReader(io.BytesIO(pdf)).pages
        for image in page.images
        if image.name.endswith(".jpg")
    }
    assert sizes == {(activity_pdf.PHOTO_SIZE, activity_pdf.PHOTO_SIZE * 3 // 4)}


def test_activity_pdf_is_stored_in_the_object_storage(client_for, admin_user, marked, bucket):
    # MEDIA_STORAGE=s3: the stored reports are objects of the private bucket like every file.
    client = client_for(admin_user)
    first, _renders = download(client, activity_url(marked))
    [name] = bucket.names(f"{pdf_store.ROOT}/")
    bucket.assert_private(name)
    assert bucket.body(name) == first

    second, renders = download(client, activity_url(marked))
    ActivityReport.objects.create(program=marked, conclusions="Ditulis setelah disimpan.")
    changed, changed_renders = download(client, activity_url(marked))

    assert (second, renders) == (first, 0)
    assert changed_renders == 1
    assert "Ditulis setelah disimpan." in pdf_text(changed)
    [new_name] = bucket.names(f"{pdf_store.ROOT}/")
    assert new_name != name
    assert bucket.body(new_name) == changed


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, "login"), ("trainer", 403), ("outsider", 404), ("viewer", 200)],
)
def test_activity_pdf_stored_file_keeps_its_access_rules(
    client_for, users, admin_user, marked, who, expected
):
    stored_pdf, _renders = download(client_for(admin_user), activity_url(marked))

    response = client_for(users.get(who)).get(activity_url(marked))

    assert_answer(response, expected)
    if expected == 200:
        assert response.content == stored_pdf
    else:
        assert response.content != stored_pdf


# --- the periodic reports ---------------------------------------------------------------------


@pytest.fixture
def august(program):
    """Two sessions of `program` in August 2025: a participant present at both, one absent."""
    sessions = make_sessions(program, 2)
    enrol(program, sessions, ["H", "H"])
    enrol(program, sessions, ["A", "A"])
    return program


@pytest.mark.parametrize(
    ("view", "directory"),
    [
        ("reports:periodic_pdf", "laporan-berkala-LPN.KSG-2025-08"),
        ("reports:rollup_periodic_pdf", "laporan-berkala-Kanwil-Kalimantan-Tengah-2025-08"),
    ],
)
def test_periodic_pdf_second_download_is_the_stored_file(
    client_for, viewer_user, regional_user, august, view, directory
):
    reader = regional_user if view == "reports:rollup_periodic_pdf" else viewer_user
    client = client_for(reader)

    first, first_renders = download(client, reverse(view), AUGUST)
    second, second_renders = download(client, reverse(view), AUGUST)

    assert (first_renders, second_renders) == (1, 0)
    assert second == first
    [name] = stored(f"periodic/{directory}")
    with default_storage.open(f"{pdf_store.ROOT}/periodic/{directory}/{name}") as file:
        assert file.read() == first


def test_periodic_pdf_prints_changed_attendance_anew(client_for, viewer_user, august):
    client = client_for(viewer_user)
    url = reverse("reports:periodic_pdf")
    before, _renders = download(client, url, AUGUST)
    AttendanceRecord.objects.filter(session__program=august, status="A").update(status="H")

    after, renders = download(client, url, AUGUST)

    assert renders == 1
    assert "Average attendance 50.0%" in pdf_text(before)
    assert "Average attendance 100.0%" in pdf_text(after)


def test_periodic_pdf_is_stored_per_period_and_language(client_for, viewer_user, august):
    client = client_for(viewer_user)
    url = reverse("reports:periodic_pdf")
    download(client, url, AUGUST)
    download(client, url, {"period": "month", "month": "2025-07"})
    viewer_user.language = "id"
    viewer_user.save(update_fields=["language"])

    indonesian, renders = download(client, url, AUGUST)

    assert renders == 1
    assert "Rata-rata kehadiran 50,0%" in pdf_text(indonesian)
    # Another period is another report; another language another version of it.
    august_files = stored(f"periodic/laporan-berkala-{viewer_user.facility.unit_code}-2025-08")
    assert [name[:3] for name in august_files] == ["en-", "id-"]
    assert len(stored(f"periodic/laporan-berkala-{viewer_user.facility.unit_code}-2025-07")) == 1


@pytest.mark.parametrize("view", ["reports:periodic_pdf", "reports:rollup_periodic_pdf"])
def test_periodic_pdf_stored_file_keeps_its_access_rules(
    client_for, viewer_user, trainer_user, regional_user, august, view
):
    reader = regional_user if view == "reports:rollup_periodic_pdf" else viewer_user
    download(client_for(reader), reverse(view), AUGUST)
    refused = viewer_user if view == "reports:rollup_periodic_pdf" else trainer_user

    assert_answer(client_for(None).get(reverse(view), AUGUST), "login")
    assert_answer(client_for(refused).get(reverse(view), AUGUST), 403)


def test_periodic_pdf_of_another_facility_is_its_own(
    client_for, viewer_user, outside_admin, august
):
    url = reverse("reports:periodic_pdf")
    ours, _renders = download(client_for(viewer_user), url, AUGUST)

    theirs, renders = download(client_for(outside_admin), url, AUGUST)

    assert renders == 1
    assert theirs != ours
    assert outside_admin.facility.name in pdf_text(theirs)
    assert viewer_user.facility.name not in pdf_text(theirs)


# --- keeping the store bounded ----------------------------------------------------------------


def age(name, days):
    """Make the stored file `name` look written `days` days ago."""
    written = (timezone.now() - datetime.timedelta(days=days)).timestamp()
    os.utime(default_storage.path(name), (written, written))


def test_prune_report_pdfs_deletes_only_files_past_the_keeping_days(
    client_for, admin_user, viewer_user, marked, settings
):
    settings.REPORT_PDF_KEEP_DAYS = 30
    download(client_for(admin_user), activity_url(marked))
    download(client_for(viewer_user), reverse("reports:periodic_pdf"), AUGUST)
    [activity] = stored(f"activity/{marked.pk}")
    age(f"{pdf_store.ROOT}/activity/{marked.pk}/{activity}", 31)
    periodic_dir = f"periodic/laporan-berkala-{viewer_user.facility.unit_code}-2025-08"
    [periodic] = stored(periodic_dir)
    age(f"{pdf_store.ROOT}/{periodic_dir}/{periodic}", 29)

    out = io.StringIO()
    call_command("prune_report_pdfs", stdout=out)

    assert "1 stored report PDF(s) older than 30 days deleted." in out.getvalue()
    assert stored(f"activity/{marked.pk}") == []
    assert stored(periodic_dir) == [periodic]
    # Asked for again, the pruned report is rendered anew.
    _pdf, renders = download(client_for(admin_user), activity_url(marked))
    assert renders == 1


def test_damaged_stored_pdf_is_rendered_again(client_for, admin_user, marked):
    client = client_for(admin_user)
    whole, _renders = download(client, activity_url(marked))
    [name] = stored(f"activity/{marked.pk}")
    with open(default_storage.path(f"{pdf_store.ROOT}/activity/{marked.pk}/{name}"), "wb") as f:
        f.write(whole[: len(whole) // 2])

    again, renders = download(client, activity_url(marked))

    assert renders == 1
    assert again == whole
    _pdf, renders = download(client, activity_url(marked))
    assert renders == 0


@pytest.mark.django_db(transaction=True)
def test_backup_leaves_out_the_stored_reports(client_for, admin_user, marked, settings, tmp_path):
    # Committed for real (transaction=True): the backup reads the database as another client.
    settings.BACKUP_DIR = tmp_path / "backups"
    download(client_for(admin_user), activity_url(marked))
    [name] = stored(f"activity/{marked.pk}")

    call_command("backup", stdout=io.StringIO())

    [archive] = settings.BACKUP_DIR.iterdir()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    relative = f"{pdf_store.ROOT}/activity/{marked.pk}/{name}"
    assert f"media/{relative}" not in names
    assert relative not in [file["path"] for file in manifest["files"]]
