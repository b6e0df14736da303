"""Two background workers share the print queue, and no bulk print is printed twice.

Production runs two `manage.py db_worker` services (deploy/systemd/lapas-training-worker@.service)
on PostgreSQL, where a worker claims a task by locking its row (SELECT ... FOR UPDATE SKIP
LOCKED). Here two real worker processes run against the test database while several prints wait.
SQLite has no such lock and runs one worker: skipped there.
"""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from certificates.bulk import PRINTS_DIR, print_certificates
from certificates.models import BulkPrint
from tests.certificates.rows import make_certificate
from tests.factories import InmateFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
JOBS = 8
# Generous for a loaded CI machine; a print of two certificates takes about a second.
DEADLINE_SECONDS = 150
# As the systemd unit runs it, polling often so the test waits little.
WORKER = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
WORKER += ["--interval", "0.1"]


def database_url():
    db = connection.settings_dict
    credentials = f"{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
    host = db["HOST"] or "localhost"
    return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(worker_id, log):
    env = {
        **os.environ,
        # The test database, and this test's media directory for the printed files.
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SECRET_KEY": "test-only-secret-key",
        # Static files from their sources, as in the tests (no collectstatic here).
        "DEBUG": "1",
        "CERTIFICATE_PRINT_PROCESSES": "1",
    }
    return subprocess.Popen(
        [*WORKER, "--worker-id", worker_id],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, what, workers, logs):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        stopped = any(worker.poll() is not None for worker in workers)
        if stopped or time.monotonic() > deadline:
            said = "\n".join(log.read_text()[-2000:] for log in logs)
            problem = "a worker stopped" if stopped else "timed out"
            pytest.fail(f"{problem} waiting for {what}; the workers said:\n{said}")
        time.sleep(0.2)


def test_two_workers_print_each_queued_job_exactly_once(program, admin_user, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("two workers share a queue on PostgreSQL only")
    for sequence, name in enumerate(["Ahmad Fauzi", "Budi Santoso"], start=1):
        inmate = InmateFactory(facility=program.facility, full_name=name)
        make_certificate(program, admin_user, sequence=sequence, inmate=inmate)
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    outputs = [log.open("w") for log in logs]
    workers = []
    try:
        for worker_id, output in zip(["worker-a", "worker-b"], outputs, strict=True):
            workers.append(start_worker(worker_id, output))
        # Both polling before the first job arrives, so they compete for every one.
        wait_for(
            lambda: all("Starting worker" in log.read_text() for log in logs),
            "both workers",
            workers,
            logs,
        )
        prints = [
            BulkPrint.objects.create(
                facility=program.facility,
                program=program,
                requested_by=admin_user,
                format="pdf" if index % 2 else "zip",
                language="en",
            )
            for index in range(JOBS)
        ]
        results = [print_certificates.enqueue(bulk_print.pk) for bulk_print in prints]

        wait_for(
            lambda: DBTaskResult.objects.filter(finished_at__isnull=False).count() == JOBS,
            "every job to finish",
            workers,
            logs,
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        for output in outputs:
            output.close()

    tasks = DBTaskResult.objects.filter(pk__in=[result.id for result in results])
    assert sorted(task.status for task in tasks) == ["SUCCESSFUL"] * JOBS
    # A claim appends the worker's id: one id per task means it was taken once.
    assert sorted(len(task.worker_ids) for task in tasks) == [1] * JOBS
    # Both took a share: they really did compete for the queue.
    assert {task.worker_ids[0] for task in tasks} == {"worker-a", "worker-b"}
    for bulk_print in BulkPrint.objects.all():
        assert (bulk_print.status, bulk_print.total, bulk_print.done) == ("done", 2, 2)
    # Every print saves its file under a new random name: a job printed twice leaves two.
    printed = sorted(path.name for path in (Path(settings.MEDIA_ROOT) / PRINTS_DIR).iterdir())
    assert printed == sorted(
        Path(bulk_print.file.name).name for bulk_print in BulkPrint.objects.all()
    )
    assert len(printed) == JOBS
