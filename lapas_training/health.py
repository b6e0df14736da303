"""`/health/`: whether this server can do its work, for a monitoring system or a load balancer.

Three checks, each "ok" or "fail" in a JSON body; 200 when all pass, 503 when one fails:

- database: a `SELECT 1` answers; with REPORTS_DATABASE_URL set, a fourth check "replica" asks
  the reports replica the same (the report pages read from it, so they fail when it is down).
- worker: no background task (bulk printing) ready to run has waited longer than
  HEALTH_TASK_WAIT_MINUTES. django-tasks-db keeps no heartbeat of its workers, but a task only
  waits that long when no worker takes it: the workers are stopped, crashed or stuck. An idle
  worker with an empty queue is healthy, and needs no periodic task writing rows to prove it.
- disk: MEDIA_ROOT's and BACKUP_DIR's file systems have at least HEALTH_MIN_FREE_MB free (a full
  disk stops uploads, prints and backups before anything else shows it). With MEDIA_STORAGE=s3
  the media take no room here: only BACKUP_DIR's is measured, and instead
- media (MEDIA_STORAGE=s3 only): the bucket answers a request with our keys (a server whose
  credentials or network broke can show no photo and store no upload).

No login: monitors and load balancers have no session. The body names no person, path or
version, only the checks, free space and how long the oldest task waited; nginx limits how often
it may be asked (deploy/nginx/lapas-training.conf), and each call costs two small queries.
"""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult

from lapas_training.db_router import REPORTS_DB_ALIAS
from lapas_training.storage import STORAGE_ERRORS


def check_database(alias="default"):
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return {"status": "fail"}
    return {"status": "ok"}


def check_worker():
    """Fails when a task ready to run has waited too long: no worker is taking tasks."""
    try:
        oldest = DBTaskResult.objects.ready().order_by("enqueued_at").first()
    except DatabaseError:
        return {"status": "fail"}
    limit = settings.HEALTH_TASK_WAIT_MINUTES * 60
    if oldest is None:
        return {"status": "ok", "oldest_waiting_seconds": 0}
    # A task planned for later (run_after) waits from then, not from when it was queued.
    since = oldest.enqueued_at
    if oldest.run_after and oldest.run_after < timezone.now():
        since = max(since, oldest.run_after)
    waited = int((timezone.now() - since).total_seconds())
    return {"status": "ok" if waited <= limit else "fail", "oldest_waiting_seconds": waited}


def _existing(path):
    # The directories may not exist yet (no upload, no backup so far): measure their disk.
    path = Path(path).resolve()
    while not path.exists():
        path = path.parent
    return path


def _media_on_disk():
    return isinstance(default_storage, FileSystemStorage)


def check_media_storage():
    """Fails when the bucket does not answer a listing of our prefix's top level (one request,
    a few names: private/ as a rule)."""
    try:
        default_storage.listdir("")
    except STORAGE_ERRORS:
        return {"status": "fail"}
    return {"status": "ok"}


def check_disk():
    minimum = settings.HEALTH_MIN_FREE_MB
    result = {"status": "ok"}
    directories = [("backups", settings.BACKUP_DIR)]
    if _media_on_disk():
        directories.insert(0, ("media", settings.MEDIA_ROOT))
    for name, path in directories:
        free_mb = shutil.disk_usage(_existing(path)).free // (1024 * 1024)
        result[f"{name}_free_mb"] = free_mb
        if free_mb < minimum:
            result["status"] = "fail"
    return result


@never_cache
@require_safe
def health(request):
    checks = {"database": check_database(), "worker": check_worker(), "disk": check_disk()}
    if not _media_on_disk():
        checks["media"] = check_media_storage()
    if REPORTS_DB_ALIAS in settings.DATABASES:
        checks["replica"] = check_database(REPORTS_DB_ALIAS)
    healthy = all(check["status"] == "ok" for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )
