"""`/health/` for monitoring: database, background worker, disk space; 200 or 503."""

import datetime

import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from certificates.bulk import print_certificates

pytestmark = pytest.mark.django_db

URL = "/health/"


def queue_task(*, waited_minutes, run_after=None):
    """A bulk print task queued `waited_minutes` ago that no worker has taken."""
    result = print_certificates.enqueue(1)
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=waited_minutes),
        **({"run_after": run_after} if run_after else {}),
    )
    return result


def test_health_all_good_is_200_without_login(client):
    response = client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "worker": "ok",
        "disk": "ok",
    }
    assert body["checks"]["worker"]["oldest_waiting_seconds"] == 0
    assert body["checks"]["disk"]["media_free_mb"] > 0
    assert "no-cache" in response["Cache-Control"]


def test_health_says_nothing_but_the_checks(client, admin_user, inmate):
    # No person, path, version or setting: only the three checks and their figures.
    body = client.get(URL).json()

    assert set(body) == {"status", "checks"}
    assert body["checks"]["database"] == {"status": "ok"}
    assert set(body["checks"]["worker"]) == {"status", "oldest_waiting_seconds"}
    assert set(body["checks"]["disk"]) == {"status", "media_free_mb", "backups_free_mb"}
    assert inmate.full_name not in str(body)


def test_health_post_is_405(client):
    assert client.post(URL).status_code == 405


def test_health_a_task_waiting_too_long_means_the_worker_is_down(client, settings):
    settings.HEALTH_TASK_WAIT_MINUTES = 15
    queue_task(waited_minutes=20)

    response = client.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["worker"]["status"] == "fail"
    assert body["checks"]["worker"]["oldest_waiting_seconds"] >= 20 * 60
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["disk"]["status"] == "ok"


def test_health_a_task_queued_a_moment_ago_is_fine(client, settings):
    settings.HEALTH_TASK_WAIT_MINUTES = 15
    queue_task(waited_minutes=2)

    response = client.get(URL)

    assert response.status_code == 200
    assert 100 <= response.json()["checks"]["worker"]["oldest_waiting_seconds"] <= 15 * 60


def test_health_old_finished_and_later_tasks_do_not_count(client, settings):
    settings.HEALTH_TASK_WAIT_MINUTES = 15
    finished = queue_task(waited_minutes=600)
    DBTaskResult.objects.filter(pk=finished.id).update(
        status="SUCCESSFUL", finished_at=timezone.now()
    )
    # Queued long ago but planned for tomorrow: nobody should have taken it yet.
    queue_task(waited_minutes=600, run_after=timezone.now() + datetime.timedelta(days=1))

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json()["checks"]["worker"]["status"] == "ok"


def test_health_a_task_planned_for_earlier_waits_from_its_planned_time(client, settings):
    settings.HEALTH_TASK_WAIT_MINUTES = 15
    queue_task(waited_minutes=600, run_after=timezone.now() - datetime.timedelta(minutes=5))

    response = client.get(URL)

    assert response.status_code == 200
    assert 4 * 60 <= response.json()["checks"]["worker"]["oldest_waiting_seconds"] <= 6 * 60


def test_health_low_disk_space_is_503(client, settings, tmp_path):
    # More free space asked for than any disk has.
    settings.HEALTH_MIN_FREE_MB = 10**12
    settings.BACKUP_DIR = tmp_path / "not-yet" / "backups"

    response = client.get(URL)

    assert response.status_code == 503
    disk = response.json()["checks"]["disk"]
    assert disk["status"] == "fail"
    assert disk["backups_free_mb"] > 0


def test_health_database_unreachable_is_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    # Django's connection refusing, as when PostgreSQL is down.
    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"status": "fail"}
    assert response.json()["checks"]["worker"]["status"] == "fail"


def test_health_answers_plain_http_when_https_is_enforced(client, settings):
    # A monitor on the server asks gunicorn directly; every other page still goes to HTTPS.
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(URL).status_code == 200
    assert client.get("/accounts/login/").status_code == 301
