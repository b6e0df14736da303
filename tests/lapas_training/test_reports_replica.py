"""The report pages read from the "reports" replica; writes and every other page use the primary.

The replica is Django's TEST MIRROR of default: a second connection (alias "reports") to the
same test database, as settings.py configures it when REPORTS_DATABASE_URL is set."""

import csv
import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import OperationalError, connections, router
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lapas_training.db_router import REPORTS_DB_ALIAS, reads_from_replica
from lapas_training.models import AuditEvent, Facility
from tests.attendance.test_sppn import EXPECTED, HEADER, as_csv, august  # noqa: F401 (a fixture)
from tests.reports.test_dashboard import AUGUST, card
from tests.reports.test_figures import world  # noqa: F401 (the known data, a fixture)

# A second connection sees only committed rows, as a replica does.
committed = pytest.mark.django_db(transaction=True, databases=["default", REPORTS_DB_ALIAS])


@pytest.fixture(autouse=True, scope="module")
def _replica_alias(django_db_setup):
    """The "reports" alias as a TEST MIRROR of the test database, for this module's tests.

    Module-wide because pytest-django checks a test's `databases` against the configured
    aliases before any function fixture runs; added to settings.DATABASES itself, the dict
    Django built its connections from, as settings.py adds it when REPORTS_DATABASE_URL is set.
    """
    primary = connections["default"].settings_dict
    settings.DATABASES[REPORTS_DB_ALIAS] = {
        **primary,
        "TEST": {**primary["TEST"], "MIRROR": "default"},
    }
    yield
    connections[REPORTS_DB_ALIAS].close()
    del connections[REPORTS_DB_ALIAS]
    del settings.DATABASES[REPORTS_DB_ALIAS]


@pytest.fixture
def replica():
    return connections[REPORTS_DB_ALIAS]


def get_on_each(client, url, params=None):
    """The response and the SQL each connection ran for it."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPORTS_DB_ALIAS]) as reports,
    ):
        response = client.get(url, params)
        content = b"".join(response.streaming_content) if response.streaming else response.content
    return (
        content.decode("utf-8-sig"),
        [query["sql"] for query in primary],
        [query["sql"] for query in reports],
    )


def touches(sql, table):
    return f'"{table}"' in sql


def table_read(sql):
    """The table after the first FROM of a SELECT."""
    return sql.split(" FROM ", 1)[1].split()[0].strip('"')


@committed
@pytest.mark.usefixtures("world")
def test_reports_dashboard_reads_its_figures_from_the_replica(client_for, viewer_user, replica):
    client = client_for(viewer_user)
    html, primary, reports = get_on_each(client, reverse("reports:dashboard"), AUGUST)
    # The hand-counted figures of test_dashboard, read through the replica.
    assert card(html, "Participants")[0] == "5"
    assert card(html, "Sessions held")[0] == "3"
    assert card(html, "Average attendance")[0] == "57.1%"
    assert card(html, "Certificates issued")[0] == "2"
    assert any(touches(sql, "attendance_attendancerecord") for sql in reports)
    assert any(touches(sql, "certificates_certificate") for sql in reports)
    # The primary answered only the access check before the view: the session, the user and
    # the facility of the scope.
    assert primary
    assert {table_read(sql) for sql in primary} <= {
        "django_session",
        "lapas_training_user",
        "lapas_training_facility",
    }, primary


@committed
@pytest.mark.usefixtures("august")
def test_sppn_export_reads_from_the_replica_and_audits_on_the_primary(
    client_for, staff_user, replica
):
    client = client_for(staff_user)
    url = reverse("attendance:sppn_export", args=["csv"])
    text, primary, reports = get_on_each(client, url, {"month": "2025-08"})
    assert list(csv.reader(io.StringIO(text))) == [HEADER, *(as_csv(row) for row in EXPECTED)]
    assert any(touches(sql, "attendance_attendancerecord") for sql in reports)
    # The download's audit event is written inside the same request, to the primary only.
    assert [sql for sql in primary if sql.startswith("INSERT")] == [
        sql for sql in primary if touches(sql, "lapas_training_auditevent")
    ]
    assert not any(sql.startswith(("INSERT", "UPDATE", "DELETE")) for sql in reports)
    event = AuditEvent.objects.using("default").get(kind=AuditEvent.Kind.EXPORT)
    assert event.detail == "SPPN 2025-08 (CSV)"


@committed
def test_other_pages_read_from_the_primary(client_for, staff_user, inmate, replica):
    client = client_for(staff_user)
    html, primary, reports = get_on_each(client, reverse("inmates:inmate_list"))
    assert inmate.full_name in html
    assert reports == []
    assert any(touches(sql, "inmates_inmate") for sql in primary)


@committed
def test_a_row_read_from_the_replica_is_saved_to_the_primary(facility, replica):
    @reads_from_replica
    def rename():
        read = Facility.objects.get(pk=facility.pk)
        read.name = "Lapas Kelas IIA Palangka Raya"
        read.save(update_fields=["name"])
        # A new row pointing at it goes to the primary too (the router allows the relation).
        AuditEvent.objects.create(kind=AuditEvent.Kind.EXPORT, facility=read, detail="probe")
        return read

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as reports,
    ):
        read = rename()
    assert [query["sql"].split()[0] for query in reports] == ["SELECT"]
    assert [query["sql"].split()[0] for query in primary] == ["UPDATE", "INSERT"]
    assert read._state.db == "default"
    facility.refresh_from_db(using="default")
    assert facility.name == "Lapas Kelas IIA Palangka Raya"
    assert AuditEvent.objects.using("default").get(detail="probe").facility == facility


def test_without_a_replica_report_views_read_the_primary(monkeypatch):
    monkeypatch.delitem(settings.DATABASES, REPORTS_DB_ALIAS)
    assert reads_from_replica(lambda: router.db_for_read(Facility))() == "default"
    assert router.db_for_write(Facility) == "default"


def test_the_replica_is_never_migrated():
    assert router.allow_migrate(REPORTS_DB_ALIAS, "inmates") is False
    assert router.allow_migrate("default", "inmates") is True


def settings_in_a_fresh_interpreter(**env):
    """DATABASES as settings.py builds it from `env` (it is read once, at import)."""
    code = (
        "from django.conf import settings; "
        "print(sorted(settings.DATABASES)); "
        "reports = settings.DATABASES.get('reports', {}); "
        "print(reports.get('ENGINE'), reports.get('HOST'), reports.get('NAME'), "
        "reports.get('CONN_MAX_AGE'), reports.get('TEST'))"
    )
    keep = {k: v for k, v in os.environ.items() if "DATABASE_URL" not in k}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **keep,
            "DJANGO_SETTINGS_MODULE": "lapas_training.settings",
            "SECRET_KEY": "k",
            "DATABASE_URL": "postgres://lapas:p@10.0.0.10/lapas",
            **env,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def test_reports_database_url_adds_the_replica_alias():
    aliases, reports = settings_in_a_fresh_interpreter(
        REPORTS_DATABASE_URL="postgres://lapas_read:p@10.0.0.11:5432/lapas"
    )
    assert aliases == "['default', 'reports']"
    assert reports == ("django.db.backends.postgresql 10.0.0.11 lapas 60 {'MIRROR': 'default'}")


def test_without_reports_database_url_there_is_no_replica_alias():
    aliases, _reports = settings_in_a_fresh_interpreter()
    assert aliases == "['default']"


@committed
def test_health_asks_the_replica_too(client, replica, monkeypatch):
    body = client.get("/health/").json()
    assert body["checks"]["replica"] == {"status": "ok"}
    assert body["checks"]["database"] == {"status": "ok"}

    def refuse():
        raise OperationalError("connection refused")

    # The replica down, the primary up: the report pages would fail, so the server is unwell.
    monkeypatch.setattr(replica, "cursor", refuse)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["replica"] == {"status": "fail"}
    assert response.json()["checks"]["database"] == {"status": "ok"}
