"""Media on S3-compatible object storage (MEDIA_STORAGE=s3): every file the app writes lands in
the bucket, private, and reaches a browser only through the app's permission-checked views.

A real S3 server runs for the whole session: moto's server mode (`moto_server`, a test
dependency) as a subprocess on a free port. Each test gets a prefix of its own in one bucket, so
listing the bucket shows exactly what that test stored.
"""

import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import FileResponse
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader, PdfWriter

from attendance.models import AttendanceSheetScan
from certificates.models import BulkPrint
from inmates.models import Inmate
from lapas_training.storage import PrivateS3Storage
from programs.models import SessionPhoto
from tests.certificates import run_worker
from tests.certificates.rows import make_certificate
from tests.factories import FacilityFactory, InmateFactory, TrainingSessionFactory
from tests.helpers import assert_answer, page
from tests.images import image_bytes, upload

BUCKET = "lapas-media-test"
# moto accepts any keys; boto3 must not look for real ones in the environment.
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "us-east-1"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on a free local port with the bucket made; yields its endpoint."""
    port = _free_port()
    moto_server = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(moto_server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(endpoint, timeout=1).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        s3_client(endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


def s3_client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION, **CREDENTIALS)


class Bucket:
    """The test's view of the bucket: its own prefix, listed and probed with boto3."""

    def __init__(self, endpoint, prefix):
        self.endpoint, self.prefix = endpoint, prefix
        self.client = s3_client(endpoint)

    def names(self, under=""):
        """The keys stored under this test's prefix (and `under` within it), without the prefix."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=BUCKET, Prefix=f"{self.prefix}/{under}"
        )
        return sorted(
            entry["Key"].removeprefix(f"{self.prefix}/")
            for page_ in pages
            for entry in page_.get("Contents", ())
        )

    def body(self, name):
        return self.client.get_object(Bucket=BUCKET, Key=f"{self.prefix}/{name}")["Body"].read()

    def assert_private(self, name):
        """Nobody without the bucket's keys reads the object: moto refuses an unsigned GET as
        S3 does, and the object's ACL grants nothing to everyone or to any AWS user."""
        url = f"{self.endpoint}/{BUCKET}/{self.prefix}/{name}"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=5)
        assert refused.value.code == 403
        grants = self.client.get_object_acl(Bucket=BUCKET, Key=f"{self.prefix}/{name}")["Grants"]
        assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
        assert grants[0]["Grantee"]["Type"] == "CanonicalUser"

    def assert_not_in(self, html):
        assert self.endpoint not in html
        assert BUCKET not in html


@pytest.fixture
def bucket(s3_server, settings, _plain_static_storage):
    """STORAGES["default"] as MEDIA_STORAGE=s3 makes it, on moto, under a fresh prefix."""
    prefix = f"media-{uuid.uuid4().hex[:12]}"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "lapas_training.storage.PrivateS3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": REGION,
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "location": prefix,
            },
        },
    }
    assert isinstance(default_storage, PrivateS3Storage)
    return Bucket(s3_server, prefix)


def served(response):
    """The bytes a permitted user got from a view that streams a stored file."""
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    # Read to the end, the test client closes the file (and the response) itself.
    return b"".join(response.streaming_content)


def assert_refused_outside(client_for, outside_admin, url):
    """The view's own checks still hold for a file in the bucket."""
    assert_answer(client_for(None).get(url), "login")
    assert_answer(client_for(outside_admin).get(url), 404)


# Uploads -----------------------------------------------------------------------------------


def test_s3_inmate_photo_upload_is_stored_privately_and_served_by_the_view(
    client_for, admin_user, outside_admin, inmate, bucket
):
    client = client_for(admin_user)
    response = client.post(
        reverse("inmates:inmate_update", args=[inmate.pk]),
        {
            "registration_number": inmate.registration_number,
            "full_name": inmate.full_name,
            "gender": inmate.gender,
            "block": inmate.block,
            "status": inmate.status,
            "photo": upload(image_bytes(size=(400, 300))),
        },
    )

    assert response.status_code == 302
    inmate.refresh_from_db()
    assert bucket.names() == sorted([inmate.photo.name, inmate.photo_thumbnail.name])
    assert inmate.photo.name.startswith("private/inmates/")
    for name in bucket.names():
        bucket.assert_private(name)
    photo_url = reverse("inmates:inmate_photo", args=[inmate.pk])
    content = served(client_for(admin_user).get(photo_url))
    assert content == bucket.body(inmate.photo.name)
    assert Image.open(io.BytesIO(content)).size == (400, 300)
    assert_refused_outside(client_for, outside_admin, photo_url)
    detail = page(client_for(admin_user).get(reverse("inmates:inmate_detail", args=[inmate.pk])))
    assert reverse("inmates:inmate_photo_thumbnail", args=[inmate.pk]) in detail
    bucket.assert_not_in(detail)


def test_s3_photo_gone_from_the_bucket_is_404(client_for, admin_user, inmate, bucket):
    inmate.photo.save("portrait.jpg", io.BytesIO(image_bytes(fmt="JPEG")), save=True)
    bucket.client.delete_object(Bucket=BUCKET, Key=f"{bucket.prefix}/{inmate.photo.name}")

    response = client_for(admin_user).get(reverse("inmates:inmate_photo", args=[inmate.pk]))

    assert response.status_code == 404


def test_s3_session_photo_is_stored_privately_and_served_by_the_view(
    client_for, trainer_user, outside_admin, program, bucket
):
    session = TrainingSessionFactory(program=program)
    session.trainers.add(trainer_user)
    client = client_for(trainer_user)

    response = client.post(
        reverse("programs:session_photo_add", args=[session.pk]),
        {"image": upload(image_bytes(size=(400, 300))), "caption": "Merangkai gelang"},
    )

    assert response.status_code == 302
    photo = SessionPhoto.objects.get(session=session)
    assert bucket.names() == sorted([photo.image.name, photo.thumbnail.name])
    for name in bucket.names():
        bucket.assert_private(name)
    url = reverse("programs:session_photo", args=[photo.pk])
    assert served(client_for(trainer_user).get(url)) == bucket.body(photo.image.name)
    assert_refused_outside(client_for, outside_admin, url)
    html = page(client_for(trainer_user).get(reverse("programs:session_detail", args=[session.pk])))
    assert url in html
    bucket.assert_not_in(html)


def test_s3_attendance_sheet_scan_is_stored_privately_and_served_by_the_view(
    client_for, staff_user, outside_admin, program, bucket
):
    session = TrainingSessionFactory(program=program)
    scan_pdf = pdf_bytes()

    response = client_for(staff_user).post(
        reverse("attendance:scan_add", args=[session.pk]),
        {"file": upload(scan_pdf, "daftar-hadir.pdf", "application/pdf")},
    )

    assert response.status_code == 302
    scan = AttendanceSheetScan.objects.get(session=session)
    assert bucket.names() == [scan.file.name]
    bucket.assert_private(scan.file.name)
    url = reverse("attendance:scan_file", args=[scan.pk])
    assert served(client_for(staff_user).get(url)) == scan_pdf
    assert_refused_outside(client_for, outside_admin, url)
    html = page(client_for(staff_user).get(reverse("programs:session_detail", args=[session.pk])))
    assert url in html
    bucket.assert_not_in(html)


def test_s3_import_pending_file_is_kept_in_the_bucket_until_confirmed(
    client_for, admin_user, facility, bucket
):
    url = reverse("inmates:inmate_import")
    register = b"No. Registrasi,Nama,Jenis Kelamin\nB.I-001/2025,Agus Salim,L\n"
    assert_answer(
        client_for(None).post(url, {"file": upload(register, "r.csv", "text/csv")}), "login"
    )
    client = client_for(admin_user)

    preview = client.post(url, {"file": upload(register, "register.csv", "text/csv")})

    token = preview.context["token"]
    assert bucket.names() == [f"private/imports/{token}.csv"]
    bucket.assert_private(f"private/imports/{token}.csv")
    bucket.assert_not_in(page(preview))
    assert not Inmate.objects.filter(facility=facility).exists()

    response = client.post(url, {"token": token})

    assert response.status_code == 302
    assert Inmate.objects.get(facility=facility).full_name == "Agus Salim"
    # Read back from the bucket, then deleted: no register of names stays behind.
    assert bucket.names() == []


# Files the app makes ------------------------------------------------------------------------


def pdf_text(content):
    return " ".join(
        " ".join(page_.extract_text().split()) for page_ in PdfReader(io.BytesIO(content)).pages
    )


def test_s3_certificate_pdf_is_stored_privately_and_served_from_the_bucket(
    client_for, admin_user, outside_admin, program, bucket
):
    certificate = make_certificate(
        program,
        admin_user,
        inmate=InmateFactory(facility=program.facility, full_name="Ahmad Fauzi"),
    )
    url = reverse("certificate_documents:pdf", args=[certificate.pk])
    client = client_for(admin_user)

    first = client.get(url)

    assert first.status_code == 200
    [name] = bucket.names("private/certificates/")
    assert bucket.body(name) == first.content
    bucket.assert_private(name)
    # The second request is served from the stored object, after the same checks.
    assert served(client.get(url)) == first.content
    assert "Ahmad Fauzi" in pdf_text(first.content)
    assert_refused_outside(client_for, outside_admin, url)
    assert bucket.names() == [name]


@pytest.mark.django_db(transaction=True)
def test_s3_bulk_print_is_stored_privately_and_downloaded_through_the_view(
    client_for, admin_user, outside_admin, program, bucket
):
    make_certificate(
        program,
        admin_user,
        inmate=InmateFactory(facility=program.facility, full_name="Budi Santoso"),
    )
    client = client_for(admin_user)
    client.post(
        reverse("certificates:print_start", args=[program.pk]), {"format": "pdf", "language": "en"}
    )

    run_worker()

    bulk_print = BulkPrint.objects.get()
    assert bulk_print.status == BulkPrint.Status.DONE
    assert bucket.names("private/prints/") == [bulk_print.file.name]
    bucket.assert_private(bulk_print.file.name)
    url = reverse("certificates:print_download", args=[bulk_print.pk])
    content = served(client_for(admin_user).get(url))
    assert content == bucket.body(bulk_print.file.name)
    assert "Budi Santoso" in pdf_text(content)
    assert_refused_outside(client_for, outside_admin, url)
    html = page(
        client_for(admin_user).get(reverse("certificates:print_detail", args=[bulk_print.pk]))
    )
    assert url in html
    bucket.assert_not_in(html)


def test_s3_admin_logo_page_names_no_bucket_address(client_for, superuser, bucket):
    facility = FacilityFactory()
    facility.logo.save("logo.png", io.BytesIO(image_bytes()), save=True)
    assert bucket.names() == [facility.logo.name]
    bucket.assert_private(facility.logo.name)

    html = page(
        client_for(superuser).get(
            reverse("admin:lapas_training_facility_change", args=[facility.pk])
        )
    )

    # The "Currently:" link goes under MEDIA_URL, which serves nothing: never a signed URL.
    assert f'href="/media/{facility.logo.name}"' in html
    bucket.assert_not_in(html)


# Backups -------------------------------------------------------------------------------------


# The backup reads the database from another connection, which sees only what was committed.
@pytest.mark.django_db(transaction=True)
def test_s3_backup_archives_the_bucket_and_restore_refuses_a_filled_one(settings, tmp_path, bucket):
    settings.BACKUP_DIR = tmp_path / "backups"
    photo = image_bytes(fmt="JPEG")
    name = default_storage.save("private/inmates/portrait.jpg", ContentFile(photo))
    out = io.StringIO()

    call_command("backup", stdout=out)

    [archive] = settings.BACKUP_DIR.iterdir()
    assert f"Media files read from s3://{BUCKET}/{bucket.prefix}." in out.getvalue()
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert tar.extractfile(f"media/{name}").read() == photo
    assert manifest["files"] == [
        {"path": name, "size": len(photo), "sha256": hashlib.sha256(photo).hexdigest()}
    ]
    # The bucket still holds the photo: a restore would mix two installs' files.
    with pytest.raises(CommandError, match=rf"The media folder s3://{BUCKET}/{bucket.prefix} is"):
        call_command("restore", str(archive))
    assert bucket.names() == [name]


# Health --------------------------------------------------------------------------------------


def test_s3_health_asks_the_bucket_instead_of_the_media_disk(client, db, bucket):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["media"] == {"status": "ok"}
    assert set(checks["disk"]) == {"status", "backups_free_mb"}


def test_s3_health_fails_when_the_bucket_does_not_answer(client, db, settings, bucket):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {**settings.STORAGES["default"]["OPTIONS"], "bucket_name": "no-such-bucket"},
        },
    }

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["checks"]["media"] == {"status": "fail"}


# Settings ------------------------------------------------------------------------------------


def load_settings(**env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "MEDIA_STORAGE"))}
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.STORAGES)"],
        env={**base, "DJANGO_SETTINGS_MODULE": "lapas_training.settings", "SECRET_KEY": "k", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_s3_settings_without_bucket_refuse_to_start():
    result = load_settings(MEDIA_STORAGE="s3")
    assert result.returncode != 0
    assert "MEDIA_STORAGE=s3 needs S3_BUCKET" in result.stderr


def test_s3_settings_unknown_media_storage_refuses_to_start():
    result = load_settings(MEDIA_STORAGE="ftp")
    assert result.returncode != 0
    assert "MEDIA_STORAGE: 'ftp' is neither 'local' nor 's3'." in result.stderr


def test_s3_settings_switch_only_the_default_storage():
    local = load_settings()
    s3 = load_settings(MEDIA_STORAGE="s3", S3_BUCKET="lapas-media", S3_ENDPOINT_URL="http://s3")
    assert "django.core.files.storage.FileSystemStorage" in local.stdout
    assert "lapas_training.storage.PrivateS3Storage" in s3.stdout
    assert "'bucket_name': 'lapas-media'" in s3.stdout
    assert "'location': 'media'" in s3.stdout
    # Static files stay with WhiteNoise either way.
    assert local.stdout.split("'staticfiles'")[1] == s3.stdout.split("'staticfiles'")[1]


def pdf_bytes():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
