"""SQLite as the laptop install runs it (#12): one database file in WAL mode, several processes.

A long issuing transaction once made a bulk print fail with "database is locked". Here the real
task worker (`manage.py db_worker --batch`) prints one program while a `manage.py shell` issues
another program's certificates, both on one file, as `make run`'s server and worker share it.
And a backup holds the commits that only the write-ahead log has yet.

Each file is a copy of the test database (SQLite's backup API), so the data made here with
factories is what the processes see; the in-memory test database cannot be shared between
processes. Skipped on PostgreSQL.
"""

import datetime
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from certificates.models import BulkPrint, Certificate
from certificates.services import issue_certificates
from inmates.models import Inmate
from tests.certificates import close, enrol, make_sessions
from tests.factories import InmateFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="about SQLite's one write lock"),
    pytest.mark.django_db(transaction=True),
]

MANAGE = Path(settings.BASE_DIR) / "manage.py"
ISSUED_ON = datetime.date(2025, 8, 8)
PRINTED = 24
# Enough that the old issuing (eleven queries a certificate) held the lock past 5 s here.
ISSUED = 300
# Seconds before a process that has not finished fails the test instead of hanging CI.
PROCESS_TIMEOUT = 180

# The second admin's click: waits until the print runs, then issues every completed participant.
ISSUE_WHILE_PRINTING = """
import datetime, time
from certificates.models import BulkPrint
from certificates.services import issue_certificates
from lapas_training.models import User
from programs.models import Program

deadline = time.monotonic() + 120
while not BulkPrint.objects.filter(status=BulkPrint.Status.RUNNING).exists():
    if time.monotonic() > deadline:
        raise SystemExit("the print never started")
    time.sleep(0.05)
issued = issue_certificates(
    program=Program.objects.get(pk={program}),
    by=User.objects.get(pk={admin}),
    issued_on=datetime.date.fromisoformat("{issued_on}"),
)
print("issued", len(issued))
"""


def copy_test_database(path):
    """The test database, committed rows and schema, into the file `path`."""
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as target:
        connection.connection.backup(target)


def start(database, *args, **environ):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SECRET_KEY": "test-only-secret-key",
        "DEBUG": "0",
        # Two certificates a part: a progress update every part, many writes during the issue.
        "CERTIFICATE_PRINT_CHUNK": "2",
        "CERTIFICATE_PRINT_PROCESSES": "1",
        **environ,
    }
    return subprocess.Popen(
        [sys.executable, str(MANAGE), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(*processes):
    """Each process's (return code, output), killing them all if one outlives the timeout."""
    results = []
    try:
        for process in processes:
            out, err = process.communicate(timeout=PROCESS_TIMEOUT)
            results.append((process.returncode, out + err))
    except subprocess.TimeoutExpired:
        for process in processes:
            process.kill()
            process.communicate()
        pytest.fail(f"a process ran longer than {PROCESS_TIMEOUT} s")
    return results


def test_issuing_while_a_bulk_print_runs_finishes_both(
    client, program, other_program, admin_user, tmp_path
):
    sessions = make_sessions(program, 2)
    for _ in range(PRINTED):
        enrol(program, sessions, "HH")
    close(program, admin_user)
    issue_certificates(program=program, by=admin_user, issued_on=ISSUED_ON)
    other_sessions = make_sessions(other_program, 2)
    for _ in range(ISSUED):
        enrol(other_program, other_sessions, "HH")
    close(other_program, admin_user)
    # "Cetak semua" as the admin clicks it: a BulkPrint and its task wait for the worker.
    client.force_login(admin_user)
    response = client.post(
        reverse("certificates:print_start", args=[program.pk]), {"format": "pdf", "language": "en"}
    )
    assert response.status_code == 302
    database = tmp_path / "laptop.sqlite3"
    copy_test_database(database)

    worker = start(database, "db_worker", "--batch", "--no-startup-delay", "--no-reload")
    code = ISSUE_WHILE_PRINTING.format(
        program=other_program.pk, admin=admin_user.pk, issued_on=ISSUED_ON.isoformat()
    )
    issuer = start(database, "shell", "-c", code)
    (worker_code, worker_output), (issuer_code, issuer_output) = finish(worker, issuer)

    assert "database is locked" not in worker_output + issuer_output
    assert issuer_code == 0, issuer_output
    assert f"issued {ISSUED}" in issuer_output
    assert worker_code == 0, worker_output
    # What the two processes left in the file, read without Django (its connection is the
    # in-memory test database).
    prints, tasks = BulkPrint._meta.db_table, DBTaskResult._meta.db_table
    certificates = Certificate._meta.db_table
    with closing(sqlite3.connect(database)) as laptop:
        assert laptop.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        status, done, total, file_name, finished_at = laptop.execute(
            f"SELECT status, done, total, file, finished_at FROM {prints}"
        ).fetchone()
        [task_status] = laptop.execute(f"SELECT status FROM {tasks}")
        sequences = [
            row[0]
            for row in laptop.execute(
                f"SELECT sequence FROM {certificates} WHERE year = 2025 ORDER BY sequence"
            )
        ]
        [last_issued_at] = laptop.execute(f"SELECT MAX(issued_at) FROM {certificates}").fetchone()
        numbers = {row[0] for row in laptop.execute(f"SELECT number FROM {certificates}")}
    # The facility's one series, printed and newly issued alike, without a gap or a double.
    assert sequences == list(range(1, PRINTED + ISSUED + 1))
    assert len(numbers) == PRINTED + ISSUED
    assert "324/LPN.KSG/PK/VIII/2025" in numbers
    assert (status, done, total, task_status) == ("done", PRINTED, PRINTED, ("SUCCESSFUL",))
    # The issue happened while the print ran: it started once the print was running.
    assert last_issued_at < finished_at
    pdf = PdfReader(io.BytesIO((Path(settings.MEDIA_ROOT) / file_name).read_bytes()))
    # Each holder's front and back.
    assert len(pdf.pages) == 2 * PRINTED
    assert "001/LPN.KSG/PK/VIII/2025" in pdf.pages[0].extract_text()
    assert "024/LPN.KSG/PK/VIII/2025" in pdf.pages[-2].extract_text()


def test_backup_holds_the_commits_still_in_the_write_ahead_log(facility, tmp_path):
    InmateFactory(facility=facility, full_name="Budi Santoso")
    database = tmp_path / "laptop.sqlite3"
    copy_test_database(database)
    inmates = Inmate._meta.db_table
    with closing(sqlite3.connect(database, isolation_level=None)) as laptop:
        laptop.execute("PRAGMA journal_mode=WAL")
        # No checkpoint while this connection is open: the rename stays in the log only.
        laptop.execute("PRAGMA wal_autocheckpoint=0")
        laptop.execute(f"UPDATE {inmates} SET full_name = 'Siti Aminah'")
        shutil.copyfile(database, tmp_path / "file-alone.sqlite3")
        backup = start(database, "backup", BACKUP_DIR=str(tmp_path / "backups"))
        [(backup_code, backup_output)] = finish(backup)

    assert backup_code == 0, backup_output
    # What copying the database file would have saved: the name before the rename.
    with closing(sqlite3.connect(tmp_path / "file-alone.sqlite3")) as file_alone:
        assert list(file_alone.execute(f"SELECT full_name FROM {inmates}")) == [("Budi Santoso",)]
    [archive] = (tmp_path / "backups").iterdir()
    with tarfile.open(archive) as opened:
        opened.extract("database.sqlite3", tmp_path / "restored", filter="data")
    with closing(sqlite3.connect(tmp_path / "restored" / "database.sqlite3")) as restored:
        assert list(restored.execute(f"SELECT full_name FROM {inmates}")) == [("Siti Aminah",)]
