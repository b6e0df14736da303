import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from attendance.models import AttendanceRecord, AttendanceStatus
from certificates.models import Certificate, CertificateCounter
from inmates.models import Inmate
from lapas_training import scale
from lapas_training.models import Facility, Role, User
from programs.models import Enrollment, Program, TrainingSession

pytestmark = pytest.mark.django_db

TINY = {"facilities": 4, "inmates": 300, "attendance": 3000}


def seed_scale(**sizes):
    out = StringIO()
    call_command("seed_scale", stdout=out, **{**TINY, **sizes})
    return out.getvalue()


def row_counts():
    """Rows of every table Django knows, history and many-to-many tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def test_seed_scale_fills_every_status():
    output = seed_scale()

    assert "Done in" in output
    assert set(AttendanceRecord.objects.values_list("status", flat=True)) == set(
        AttendanceStatus.values
    )
    assert set(Enrollment.objects.values_list("status", flat=True)) == set(Enrollment.Status.values)
    assert set(Program.objects.values_list("status", flat=True)) == set(Program.Status.values)
    assert set(TrainingSession.objects.values_list("status", flat=True)) == set(
        TrainingSession.Status.values
    )
    assert set(Certificate.objects.values_list("kind", flat=True)) == set(Certificate.Kind.values)
    # Mostly present: H is the most frequent status by far.
    statuses = AttendanceRecord.objects.values("status").annotate(n=Count("pk")).order_by("-n")
    assert statuses[0]["status"] == AttendanceStatus.PRESENT
    assert statuses[0]["n"] > AttendanceRecord.objects.count() / 2


def test_seed_scale_gives_every_facility_the_four_roles():
    seed_scale()

    for facility in Facility.objects.all():
        roles = set(User.objects.filter(facility=facility).values_list("role", flat=True))
        assert roles == {Role.ADMIN, Role.STAFF, Role.VIEWER, Role.TRAINER}
    assert User.objects.get(username="scale-root").is_superuser
    assert User.objects.filter(role=Role.REGIONAL).count() == 1
    # One hash for every account: checking one checks them all.
    assert len(set(User.objects.values_list("password", flat=True))) == 1
    assert User.objects.first().check_password(scale.SCALE_PASSWORD)


def test_seed_scale_skews_facility_sizes():
    seed_scale()

    sizes = sorted(
        Facility.objects.annotate(n=Count("inmates")).values_list("n", flat=True), reverse=True
    )
    assert sum(sizes) == TINY["inmates"]
    assert sizes[0] >= 10 * sizes[-1]
    # Enrolments of 20-40 a program, bounded by a small facility's inmates.
    per_program = Program.objects.annotate(n=Count("enrollments")).values_list("n", flat=True)
    assert max(per_program) <= 40
    assert max(per_program) >= 20


def test_seed_scale_numbers_certificates_and_records_history():
    seed_scale()

    for certificate in Certificate.objects.select_related("facility"):
        assert re.fullmatch(
            rf"\d{{3}}/{re.escape(certificate.facility.unit_code)}/PK/[IVX]+/\d{{4}}",
            certificate.number,
        )
        assert certificate.snapshot["number"] == certificate.number
        assert certificate.snapshot["holder_name"]
    revoked = Certificate.objects.filter(revoked_at__isnull=False)
    assert revoked.exists()
    assert all(certificate.replaced_by.revoked_at is None for certificate in revoked)
    counter = CertificateCounter.objects.first()
    assert counter.last == (
        Certificate.objects.filter(facility=counter.facility, year=counter.year).count()
    )
    for model in (Inmate, Enrollment, AttendanceRecord, Certificate):
        assert model.history.count() == model.objects.count()


def test_seed_scale_leaves_ids_to_continue_from():
    seed_scale()
    facility = Facility.objects.first()
    largest = Inmate.objects.order_by("-pk").first().pk

    inmate = Inmate.objects.create(
        facility=facility, registration_number="BARU-1", full_name="Warga Baru", gender="L"
    )

    assert inmate.pk > largest


def test_seed_scale_refuses_a_database_with_facilities():
    seed_scale()
    before = row_counts()

    with pytest.raises(CommandError, match="already holds 4 facilities"):
        seed_scale()

    assert row_counts() == before
