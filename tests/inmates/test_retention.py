"""The personal data retention rule: `manage.py anonymise_released`."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from inmates.models import Inmate
from inmates.photos import sanitize_image
from inmates.retention import retention_cutoff
from tests.certificates.rows import make_certificate
from tests.factories import InmateFactory
from tests.images import image_bytes, media_files, upload

IDENTIFYING = ["birth_date", "block", "room", "admission_date", "expected_release_date"]


def years_ago(years):
    return retention_cutoff(timezone.localdate(), years)


def released(facility, years, **fields):
    """An inmate released `years` years ago, with a photo and a history of two rows."""
    inmate = InmateFactory(
        facility=facility,
        status=Inmate.Status.RELEASED,
        departed_on=years_ago(years),
        birth_date=datetime.date(1990, 3, 14),
        room="Kamar 7",
        admission_date=datetime.date(2017, 1, 9),
        expected_release_date=datetime.date(2020, 1, 9),
        **fields,
    )
    full, thumbnail = sanitize_image(upload(image_bytes(size=(400, 300))))
    inmate.photo.save(full.name, full, save=False)
    inmate.photo_thumbnail.save(thumbnail.name, thumbnail, save=False)
    inmate.block = "Blok C"
    inmate.save()
    return inmate


def run(*args):
    out = io.StringIO()
    call_command("anonymise_released", *args, stdout=out)
    return out.getvalue()


def snapshot_of_everything(pks):
    """Every stored value of these inmates and their history rows, to compare before and after."""
    rows = list(Inmate.objects.filter(pk__in=pks).order_by("pk").values())
    history = list(Inmate.history.filter(id__in=pks).order_by("history_id").values())
    return rows, history


@pytest.fixture
def long_released(facility):
    return released(facility, 6, full_name="Budi Santoso", registration_number="B.I-17/2019")


@pytest.fixture
def recently_released(facility):
    return released(facility, 4, registration_number="B.I-55/2021")


@pytest.fixture
def in_custody(facility):
    return InmateFactory(facility=facility, room="Kamar 2", birth_date=datetime.date(1995, 5, 5))


def test_retention_anonymises_an_inmate_released_six_years_ago(long_released, program, admin_user):
    certificate = make_certificate(program, admin_user, inmate=long_released)
    snapshot = dict(certificate.snapshot)
    photo_files = media_files()
    assert len(photo_files) == 2

    output = run()

    inmate = Inmate.objects.get(pk=long_released.pk)
    assert [getattr(inmate, field) for field in IDENTIFYING] == [None, "", "", None, None]
    assert not inmate.photo and not inmate.photo_thumbnail
    assert inmate.registration_number == f"ANON-{inmate.pk}"
    assert inmate.anonymised_on == timezone.localdate()
    # Kept: what training history and past programs' records need.
    assert inmate.full_name == "Budi Santoso"
    assert inmate.status == Inmate.Status.RELEASED
    assert inmate.departed_on == years_ago(6)
    assert media_files() == []
    assert not any(path.exists() for path in photo_files)
    certificate.refresh_from_db()
    assert certificate.snapshot == snapshot
    assert "B.I-17/2019" in output
    assert "1 inmate(s) released 5 or more years ago anonymised." in output


def test_retention_clears_the_history_rows_too(long_released):
    run()

    history = list(Inmate.history.filter(id=long_released.pk).order_by("history_date"))
    # Created, then the photo and block change, then the anonymisation itself.
    assert len(history) == 3
    for row in history:
        assert [getattr(row, field) for field in IDENTIFYING] == [None, "", "", None, None]
        assert not row.photo and not row.photo_thumbnail
        assert row.registration_number == f"ANON-{long_released.pk}"
    assert history[-1].history_change_reason == ("Personal data anonymised 5 years after release")
    assert not Inmate.history.filter(registration_number="B.I-17/2019").exists()


def test_retention_leaves_recent_active_and_transferred_inmates_alone(
    facility, recently_released, in_custody
):
    transferred = InmateFactory(
        facility=facility,
        status=Inmate.Status.TRANSFERRED,
        departed_on=years_ago(8),
        room="Kamar 9",
    )
    pks = [recently_released.pk, in_custody.pk, transferred.pk]
    before = snapshot_of_everything(pks)
    files = media_files()

    output = run()

    assert snapshot_of_everything(pks) == before
    assert media_files() == files
    assert "0 inmate(s)" in output


def test_retention_follows_the_setting(recently_released, settings):
    settings.PERSONAL_DATA_RETENTION_YEARS = 3

    run()

    recently_released.refresh_from_db()
    assert recently_released.anonymised_on == timezone.localdate()
    assert recently_released.room == ""


def test_retention_dry_run_lists_and_changes_nothing(long_released, recently_released):
    pks = [long_released.pk, recently_released.pk]
    before = snapshot_of_everything(pks)
    files = media_files()

    output = run("--dry-run")

    assert "B.I-17/2019" in output
    assert "B.I-55/2021" not in output
    assert "1 inmate(s) released 5 or more years ago would be anonymised (dry run" in output
    assert snapshot_of_everything(pks) == before
    assert media_files() == files


def test_retention_second_run_changes_nothing(long_released):
    run()
    after_first = snapshot_of_everything([long_released.pk])

    output = run()

    assert snapshot_of_everything([long_released.pk]) == after_first
    assert "0 inmate(s)" in output


def test_retention_placeholders_keep_the_number_unique_per_facility(facility):
    first = released(facility, 7)
    second = released(facility, 9)

    run()

    numbers = set(
        Inmate.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "registration_number", flat=True
        )
    )
    assert numbers == {f"ANON-{first.pk}", f"ANON-{second.pk}"}


def test_retention_notice_on_the_inmate_page(client_for, admin_user, long_released):
    run()

    html = client_for(admin_user).get(reverse("inmates:inmate_detail", args=[long_released.pk]))
    text = html.content.decode()

    assert f"Personal data anonymised on {timezone.localdate():%-d %B %Y}" in text
    assert "B.I-17/2019" not in text
    assert "Kamar 7" not in text


def test_retention_notice_in_indonesian(client_for, admin_user, long_released, settings):
    settings.LANGUAGE_CODE = "id"
    run()

    html = client_for(admin_user).get(reverse("inmates:inmate_detail", args=[long_released.pk]))

    assert "Data pribadi dianonimkan pada" in html.content.decode()


def test_retention_cutoff_on_29_february():
    assert retention_cutoff(datetime.date(2028, 2, 29), 5) == datetime.date(2023, 2, 28)
