"""The audit log (#10): what is recorded, the admins' "Log audit" page, its export, and pruning."""

import csv
import datetime
import io
import logging

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from attendance.models import AttendanceRecord
from certificates.models import BulkPrint, Certificate
from lapas_training import audit
from lapas_training.models import AuditEvent, Role, User
from programs.models import Enrollment
from tests.attendance.test_marking import form_data as marking_data
from tests.certificates import close, enrol, make_sessions
from tests.certificates.rows import make_certificate
from tests.factories import (
    PASSWORD,
    AttendanceRecordFactory,
    EnrollmentFactory,
    InmateFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.helpers import assert_answer, log_in, page
from tests.inmates.test_imports import ROWS, confirm, csv_bytes, upload

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind
OFFICE = "10.20.0.5"


def events(kind):
    return list(AuditEvent.objects.filter(kind=kind).order_by("pk"))


def add_events(facility, user, count, kind=Kind.EXPORT, **fields):
    """`count` events of `kind`, written as the views write them."""
    AuditEvent.objects.bulk_create(
        AuditEvent(facility=facility, user=user, kind=kind, username=user.username, **fields)
        for _ in range(count)
    )


# Logins, failed logins, lockouts


def test_login_recorded_with_facility_and_address(client, admin_user, facility):
    assert log_in(client, "admin", PASSWORD, REMOTE_ADDR=OFFICE)
    [event] = events(Kind.LOGIN)
    assert (event.user, event.facility, event.address) == (admin_user, facility, OFFICE)


def test_login_address_from_trusted_proxy_only(client, admin_user, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    log_in(client, "admin", PASSWORD, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
    log_in(client, "admin", PASSWORD, REMOTE_ADDR=OFFICE, HTTP_X_REAL_IP="203.0.113.9")
    assert [e.address for e in events(Kind.LOGIN)] == ["203.0.113.7", OFFICE]


def test_failed_login_of_known_user_has_their_facility(client, staff_user, facility):
    assert not log_in(client, "staff", "salah-sekali")
    [event] = events(Kind.LOGIN_FAILED)
    assert (event.username, event.facility, event.user) == ("staff", facility, None)


def test_failed_login_unknown_username_appears_on_audit_page(client, admin_user):
    """The issue's "done when": a wrong login for a username nobody has, then the admin's page."""
    assert not log_in(client, "tidak-ada", "salah-sekali", REMOTE_ADDR=OFFICE)
    [event] = events(Kind.LOGIN_FAILED)
    assert (event.username, event.facility, event.address) == ("tidak-ada", None, OFFICE)
    assert log_in(client, "admin", PASSWORD)
    response = client.get(reverse("audit_list"))
    assert "tidak-ada" in page(response)
    assert "Failed login" in page(response)


def test_lockout_recorded_once(client, admin_user, facility, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        log_in(client, "admin", "salah-sekali", REMOTE_ADDR=OFFICE)
    [event] = events(Kind.LOCKOUT)
    assert (event.username, event.facility, event.address) == ("admin", facility, OFFICE)
    assert event.detail == f"{settings.AXES_FAILURE_LIMIT} failed logins"
    # Attempts refused during the lockout are failed logins, not new lockouts.
    assert len(events(Kind.LOGIN_FAILED)) == settings.AXES_FAILURE_LIMIT + 2


@pytest.mark.django_db(transaction=True)
def test_record_failure_is_logged_not_raised(facility, caplog):
    # Outside a transaction, so that the refused INSERT leaves the connection usable.
    with caplog.at_level(logging.ERROR, logger="lapas_training.audit"):
        audit.record(None, kind="no-such-kind", facility=facility, user=None)
    assert "Could not record the audit event 'no-such-kind'" in caplog.text
    assert not AuditEvent.objects.exists()


def test_record_ignores_an_address_that_is_not_one(facility, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="<script>")
    audit.record(request, kind=Kind.EXPORT, facility=facility, user=None)
    assert AuditEvent.objects.get().address is None


# The page


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, "login"), ("staff", 403), ("viewer", 403), ("trainer", 403), ("admin", 200)],
)
def test_audit_page_access(client_for, users, role, expected):
    response = client_for(users.get(role)).get(reverse("audit_list"))
    assert_answer(response, expected)


def test_audit_page_post_not_allowed(client_for, admin_user):
    assert client_for(admin_user).post(reverse("audit_list")).status_code == 405


def test_audit_page_shows_only_own_facility(client_for, admin_user, outside_admin, facility):
    add_events(facility, admin_user, 1, object_label="Register Kasongan")
    add_events(outside_admin.facility, outside_admin, 1, object_label="Register Pangkalan Bun")
    # A superuser's login belongs to no facility; it is not a facility admin's business.
    add_events(None, UserFactory(username="root2", facility=None, is_superuser=True), 1, Kind.LOGIN)
    text = page(client_for(admin_user).get(reverse("audit_list")))
    assert "Register Kasongan" in text
    assert "Register Pangkalan Bun" not in text
    assert "root2" not in text


def test_audit_page_superuser_sees_selected_facility(client_for, superuser, outside_admin):
    add_events(outside_admin.facility, outside_admin, 1, object_label="Register Pangkalan Bun")
    client = client_for(superuser)
    client.post(reverse("switch_facility"), {"facility": outside_admin.facility_id})
    text = page(client.get(reverse("audit_list")))
    assert "Register Pangkalan Bun" in text
    # Its own login (no facility) too.
    assert "root" in text


def test_audit_page_filters(client_for, admin_user, staff_user, facility):
    old = timezone.now() - datetime.timedelta(days=40)
    add_events(facility, staff_user, 1, Kind.EXPORT, at=old, object_label="Lama")
    add_events(facility, staff_user, 1, Kind.IMPORT, object_label="Impor baru")
    add_events(facility, admin_user, 1, Kind.EXPORT, object_label="Ekspor admin")
    client = client_for(admin_user)
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    text = page(client.get(reverse("audit_list"), {"date_from": since, "user": staff_user.pk}))
    assert "Impor baru" in text
    assert "Lama" not in text and "Ekspor admin" not in text
    text = page(client.get(reverse("audit_list"), {"kind": "export"}))
    assert "Lama" in text and "Ekspor admin" in text and "Impor baru" not in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "99999999999999999999999"}, "Enter a valid date."),
        ({"date_from": "2025-09-01", "date_to": "2025-08-01"}, "The end date must not be"),
        ({"user": "abc"}, "Select a valid choice."),
        ({"user": "99999999999999999999999"}, "Select a valid choice."),
        ({"kind": "nonsense"}, "Select a valid choice."),
    ],
)
def test_audit_page_bad_filter_shows_error(client_for, admin_user, query, message):
    response = client_for(admin_user).get(reverse("audit_list"), query)
    assert response.status_code == 200
    assert message in page(response)


def test_audit_page_user_of_other_facility_is_not_a_choice(client_for, admin_user, outside_admin):
    response = client_for(admin_user).get(reverse("audit_list"), {"user": outside_admin.pk})
    assert "Select a valid choice." in page(response)


@pytest.mark.parametrize("rows", [5, 50])
def test_audit_page_query_count_is_fixed(
    client_for, admin_user, facility, rows, django_assert_num_queries
):
    add_events(facility, UserFactory(facility=facility, role=Role.STAFF), rows)
    client = client_for(admin_user)
    # session, user, facility (scope), the facility's users (filter choices), the count for
    # the paginator, the page's events with their users
    with django_assert_num_queries(6):
        response = client.get(reverse("audit_list"))
    assert response.status_code == 200


def test_audit_page_paginated(client_for, admin_user, facility):
    add_events(facility, admin_user, 60)
    text = page(client_for(admin_user).get(reverse("audit_list"), {"page": 2}))
    assert "Page 2 of 2" in text


def test_audit_export_csv_is_formula_safe(client_for, admin_user, facility):
    add_events(facility, admin_user, 1, object_label='=HYPERLINK("http://x","y")', detail="ok")
    add_events(facility, admin_user, 1, Kind.IMPORT, object_label="Impor")
    response = client_for(admin_user).get(
        reverse("audit_list"), {"kind": "export", "export": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Time", "Kind", "User", "Username", "IP address", "Object", "Detail"]
    # The login of the client, filtered out with the import by the kind.
    assert [row[5] for row in rows[1:]] == ['\'=HYPERLINK("http://x","y")']


def test_audit_link_in_admin_menu_only(client_for, admin_user, staff_user):
    assert reverse("audit_list") in page(client_for(admin_user).get(reverse("profile")))
    assert reverse("audit_list") not in page(client_for(staff_user).get(reverse("profile")))


def test_audit_events_read_only_in_django_admin(rf, admin_user):
    model_admin = admin.site.get_model_admin(AuditEvent)
    request = rf.get("/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


# What the views record


@pytest.fixture
def week(program):
    """Five sessions in August 2025 and three participants who attended all of them."""
    sessions = make_sessions(program, 5)
    return [enrol(program, sessions, "HHHHH") for _ in range(3)]


@pytest.fixture
def certificate(program, admin_user):
    return make_certificate(program, admin_user, inmate=InmateFactory(facility=program.facility))


def test_issue_records_one_event_per_certificate(client_for, admin_user, program, week, facility):
    close(program, admin_user)
    client_for(admin_user).post(
        reverse("certificates:issue", args=[program.pk]), {"issue_all": "on", "confirmed": "on"}
    )
    numbers = set(Certificate.objects.values_list("number", flat=True))
    recorded = events(Kind.CERTIFICATE_ISSUED)
    assert {event.object_label for event in recorded} == numbers
    assert len(recorded) == 3
    assert {(e.user, e.facility, e.object_type) for e in recorded} == {
        (admin_user, facility, "certificates.certificate")
    }


def test_statement_issue_recorded(client_for, admin_user, program):
    released = enrol(
        program,
        make_sessions(program, 2),
        ["H", ""],
        status=Enrollment.Status.RELEASED,
        ended_on=datetime.date(2025, 8, 4),
        end_reason="Bebas murni",
    )
    client_for(admin_user).post(reverse("certificates:statement_issue", args=[released.pk]))
    [event] = events(Kind.CERTIFICATE_ISSUED)
    assert event.object_label == Certificate.objects.get().number
    assert event.detail == "Statement of participation"


def test_revoke_recorded_with_reason(client_for, admin_user, certificate):
    client_for(admin_user).post(
        reverse("certificates:certificate_revoke", args=[certificate.pk]),
        {"reason": "Diterbitkan ganda"},
    )
    [event] = events(Kind.CERTIFICATE_REVOKED)
    assert (event.object_label, event.detail) == (certificate.number, "Diterbitkan ganda")


def test_revoke_refused_records_nothing(client_for, admin_user, certificate):
    client_for(admin_user).post(
        reverse("certificates:certificate_revoke", args=[certificate.pk]), {"reason": ""}
    )
    assert events(Kind.CERTIFICATE_REVOKED) == []


def test_reissue_recorded_before_and_after(client_for, admin_user, certificate):
    old_name = certificate.snapshot["holder_name"]
    client_for(admin_user).post(
        reverse("certificates:certificate_reissue", args=[certificate.pk]),
        {"reason": "Nama salah eja", "holder_name": "Achmad Fauzi"},
    )
    new = Certificate.objects.get(replaces=certificate)
    [event] = events(Kind.CERTIFICATE_REISSUED)
    assert event.object_label == new.number
    assert event.detail == (
        f"{certificate.number} → {new.number}; {old_name} → Achmad Fauzi; Nama salah eja"
    )


def test_certificate_pdf_recorded_as_printed(client_for, viewer_user, certificate):
    response = client_for(viewer_user).get(
        reverse("certificate_documents:pdf", args=[certificate.pk])
    )
    assert response.status_code == 200
    [event] = events(Kind.CERTIFICATE_PRINTED)
    assert (event.user, event.object_label) == (viewer_user, certificate.number)


def test_bulk_print_start_recorded(client_for, admin_user, program, certificate):
    client_for(admin_user).post(
        reverse("certificates:print_start", args=[program.pk]), {"format": "pdf", "language": "id"}
    )
    [event] = events(Kind.CERTIFICATE_PRINTED)
    assert (event.object_type, event.object_id) == (
        "certificates.bulkprint",
        BulkPrint.objects.get().pk,
    )


def test_program_close_and_reopen_recorded(client_for, admin_user, program, week):
    client = client_for(admin_user)
    client.post(reverse("certificates:program_close", args=[program.pk]))
    client.post(
        reverse("certificates:program_reopen", args=[program.pk]),
        {"reason": "Nilai praktik salah ketik"},
    )
    [closed] = events(Kind.PROGRAM_CLOSED)
    [reopened] = events(Kind.PROGRAM_REOPENED)
    assert (closed.object_label, closed.detail) == (program.title, "3 completed, 0 did not")
    assert reopened.detail == "Nilai praktik salah ketik"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_register_export_recorded(client_for, staff_user, facility, fmt):
    response = client_for(staff_user).get(
        reverse("inmates:inmate_export", args=[fmt]), {"status": "active"}
    )
    assert response.status_code == 200
    [event] = events(Kind.EXPORT)
    assert (event.user, event.facility) == (staff_user, facility)
    assert event.detail == f"Inmates ({fmt.upper()}) status=active"


def test_history_export_recorded(client_for, staff_user, inmate):
    client_for(staff_user).get(reverse("inmates:inmate_history_export", args=[inmate.pk, "csv"]))
    [event] = events(Kind.EXPORT)
    assert (event.object_label, event.object_id) == (str(inmate), inmate.pk)


def test_import_confirm_recorded(client_for, staff_user):
    client = client_for(staff_user)
    token = upload(client, csv_bytes(ROWS)).context["token"]
    assert events(Kind.IMPORT) == []
    confirm(client, token)
    [event] = events(Kind.IMPORT)
    assert event.detail == f"Import done: {len(ROWS)} created, 0 updated."


def test_departure_and_undo_recorded(client_for, admin_user, inmate):
    client = client_for(admin_user)
    client.post(
        reverse("inmates:inmate_departure", args=[inmate.pk]),
        {"kind": "transferred", "date": "2025-08-06", "destination": "Lapas Palangka Raya"},
    )
    client.post(reverse("inmates:departure_undo", args=[inmate.pk]), {"reason": "Salah pilih"})
    [departure] = events(Kind.DEPARTURE)
    [undone] = events(Kind.DEPARTURE_UNDONE)
    assert departure.object_label == str(inmate)
    assert departure.detail.endswith("2025-08-06 Lapas Palangka Raya")
    assert undone.detail == "Salah pilih"


def test_attendance_correction_after_lock_recorded(client_for, staff_user, program, settings):
    settings.ATTENDANCE_LOCK_DAYS = 3
    session = TrainingSessionFactory(
        program=program, date=timezone.localdate() - datetime.timedelta(days=4)
    )
    enrollment = EnrollmentFactory(program=program)
    AttendanceRecordFactory(session=session, enrollment=enrollment, status="A")
    client_for(staff_user).post(
        reverse("attendance:mark", args=[session.pk]),
        marking_data([(enrollment.pk, "I")], reason="Surat izin terlambat"),
    )
    [event] = events(Kind.ATTENDANCE_CORRECTED)
    assert event.object_id == session.pk
    assert event.detail == "Surat izin terlambat (0 new, 1 changed)"


def test_attendance_within_the_window_not_recorded(client_for, staff_user, program):
    session = TrainingSessionFactory(program=program, date=timezone.localdate())
    enrollment = EnrollmentFactory(program=program)
    client_for(staff_user).post(
        reverse("attendance:mark", args=[session.pk]), marking_data([(enrollment.pk, "H")])
    )
    assert AttendanceRecord.objects.count() == 1
    assert events(Kind.ATTENDANCE_CORRECTED) == []


def test_user_create_and_role_change_recorded(client_for, admin_user, facility):
    client = client_for(admin_user)
    client.post(
        reverse("user_create"),
        {
            "username": "petugas.baru",
            "first_name": "Siti",
            "last_name": "Aminah",
            "role": Role.STAFF,
            "password1": "Kerajinan-Batu-Kasongan-77",
            "password2": "Kerajinan-Batu-Kasongan-77",
        },
    )
    created = User.objects.get(username="petugas.baru")
    client.post(
        reverse("user_update", args=[created.pk]),
        {"first_name": "Siti", "last_name": "Aminah", "role": Role.ADMIN, "is_active": "on"},
    )
    [create] = events(Kind.USER_CREATED)
    [change] = events(Kind.USER_CHANGED)
    assert (create.object_label, create.facility) == ("Siti Aminah", facility)
    assert "Password" not in create.detail
    assert change.detail == "Role: Staff → Admin"


# Retention


def test_prune_audit_deletes_only_events_past_the_retention(admin_user, facility, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    add_events(facility, admin_user, 2, at=now - datetime.timedelta(days=31))
    add_events(facility, admin_user, 1, at=now - datetime.timedelta(days=29))
    out = io.StringIO()
    call_command("prune_audit", "--dry-run", stdout=out)
    assert out.getvalue().startswith("2 audit events older than")
    assert AuditEvent.objects.count() == 3
    out = io.StringIO()
    call_command("prune_audit", stdout=out)
    assert out.getvalue().startswith("2 audit events older than")
    assert list(AuditEvent.objects.values_list("at", flat=True)) == [
        now - datetime.timedelta(days=29)
    ]


def test_audit_retention_default_is_two_years(settings):
    assert settings.AUDIT_RETENTION_DAYS == 730


def test_audit_events_listed_not_addable_in_django_admin(client_for, superuser, facility):
    add_events(facility, superuser, 1, object_label="Register Kasongan")
    client = client_for(superuser)
    changelist = client.get(reverse("admin:lapas_training_auditevent_changelist"))
    assert "Register Kasongan" in page(changelist)
    assert client.get(reverse("admin:lapas_training_auditevent_add")).status_code == 403
    event = AuditEvent.objects.get(object_label="Register Kasongan")
    change = client.get(reverse("admin:lapas_training_auditevent_change", args=[event.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in page(change)
    delete = client.post(reverse("admin:lapas_training_auditevent_delete", args=[event.pk]))
    assert delete.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
