"""Issue and bulk-print 100 and 1,000 certificates; print ms per certificate and peak memory.

    DEBUG=1 DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python scripts/bench_certificates.py [counts...] [--zip]

`make bench` runs it on a scratch SQLite database after the demo data. For each count it makes a
program like the August one with that many participants who attended every session and are
Kompeten, issues their certificates through `issue_certificates` (the admin's button), enqueues
"Cetak semua" as the view does and runs the real worker, `manage.py db_worker --batch`, in a
process of its own, then checks the PDF's page count. The print's time is the task's, from its
start to its end as the worker recorded them. Memory is sampled every 100 ms over the worker's
process tree (the worker and its rendering processes): the peak of their summed RSS, which counts
pages they share once per process, so it is the pessimistic figure; the summed PSS shares them
out.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapas_training.settings")
# The files go to a scratch MEDIA_ROOT, removed at the end.
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-media-")
django.setup()

import pikepdf  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from attendance.models import AttendanceRecord, AttendanceStatus  # noqa: E402
from certificates.bulk import print_certificates  # noqa: E402
from certificates.models import BulkPrint  # noqa: E402
from certificates.services import issue_certificates  # noqa: E402
from inmates.models import Inmate  # noqa: E402
from lapas_training.demo import STONES_TITLE, seed  # noqa: E402
from lapas_training.models import User  # noqa: E402
from programs.models import Enrollment, Program, ProgramPartner, TrainingSession  # noqa: E402

BASE_DIR = Path(__file__).resolve().parent.parent


class TreeMemory:
    """Peak summed RSS and PSS (MiB) of process `root` and all its descendants, sampled."""

    def __init__(self, root, interval=0.1):
        self.root = root
        self.interval = interval
        self.peak_rss = self.peak_pss = self.peak_single = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _tree(self):
        # Each thread lists its children in /proc: cheaper than reading every process's stat,
        # which at this rate took a good share of a core from the processes being measured.
        tree, frontier = [], [self.root]
        while frontier:
            pid = frontier.pop()
            tree.append(pid)
            for children in Path(f"/proc/{pid}/task").glob("*/children"):
                try:
                    frontier.extend(int(child) for child in children.read_text().split())
                except OSError:
                    continue
        return tree

    @staticmethod
    def _kib(path, field):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(field):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _sample(self):
        while not self._stop.is_set():
            tree = self._tree()
            rss = [self._kib(f"/proc/{pid}/status", "VmRSS:") for pid in tree]
            pss = sum(self._kib(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in tree)
            self.peak_rss = max(self.peak_rss, sum(rss) / 1024)
            self.peak_pss = max(self.peak_pss, pss / 1024)
            self.peak_single = max(self.peak_single, max(rss, default=0) / 1024)
            self._stop.wait(self.interval)


def program_with_participants(template, admin, count):
    """A copy of `template` (topics, partners) with `count` participants, all present, Kompeten."""
    facility = template.facility
    program = Program.objects.create(
        facility=facility,
        title=f"{template.title} ({count})",
        skill_category=template.skill_category,
        location=template.location,
        start_date=template.start_date,
        end_date=template.end_date,
        capacity=count,
    )
    for link in template.program_partners.all():
        ProgramPartner.objects.create(program=program, partner=link.partner, role=link.role)
    topics = {}
    for topic in template.topics.all():
        old = topic.pk
        topic.pk = None
        topic.program = program
        topic.save()
        topics[old] = topic
    sessions = []
    for session in template.sessions.all():
        sessions.append(
            TrainingSession.objects.create(
                program=program,
                date=session.date,
                start_time=session.start_time,
                end_time=session.end_time,
                topic=topics.get(session.topic_id),
            )
        )
    stamp = time.monotonic_ns()
    inmates = Inmate.objects.bulk_create(
        Inmate(
            facility=facility,
            registration_number=f"BENCH-{stamp}-{n:05d}",
            full_name=f"Peserta Pelatihan Nomor {n:04d}",
            gender="L",
        )
        for n in range(count)
    )
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            program=program,
            inmate=inmate,
            enrolled_on=program.start_date,
            enrolled_by=admin,
            assessment_result=Enrollment.Result.COMPETENT,
        )
        for inmate in inmates
    )
    now = timezone.now()
    AttendanceRecord.objects.bulk_create(
        AttendanceRecord(
            session=session,
            enrollment=enrollment,
            status=AttendanceStatus.PRESENT,
            recorded_by=admin,
            recorded_at=now,
        )
        for enrollment in enrollments
        for session in sessions
    )
    return program, enrollments


def bench(template, admin, count, fmt):
    program, enrollments = program_with_participants(template, admin, count)

    started = time.perf_counter()
    issue_certificates(program=program, enrollments=enrollments, by=admin)
    issuing = time.perf_counter() - started

    with transaction.atomic():
        bulk_print = BulkPrint.objects.create(
            facility=program.facility,
            program=program,
            requested_by=admin,
            format=fmt,
            language="id",
        )
        task = print_certificates.enqueue(bulk_print.pk)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        cwd=BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with TreeMemory(worker.pid) as memory:
        worker.wait()
    result = DBTaskResult.objects.get(pk=task.id)
    assert result.status == "SUCCESSFUL", result.traceback
    printing = (result.finished_at - result.started_at).total_seconds()
    bulk_print.refresh_from_db()
    if fmt == BulkPrint.Format.PDF:
        with bulk_print.file.open("rb") as file, pikepdf.Pdf.open(file) as pdf:
            assert len(pdf.pages) == 2 * count, len(pdf.pages)
    size = bulk_print.file.size / 1024 / 1024
    print(
        f"{count:>5} certificates  issue {issuing * 1000 / count:6.1f} ms/cert  "
        f"print {fmt} {printing * 1000 / count:6.1f} ms/cert ({printing:5.1f} s, {size:5.1f} MiB)  "
        f"peak RSS {memory.peak_rss:4.0f} MiB summed, {memory.peak_single:4.0f} MiB largest "
        f"process, PSS {memory.peak_pss:4.0f} MiB",
        flush=True,
    )


def main():
    counts = [int(arg) for arg in sys.argv[1:] if arg.isdigit()] or [100, 1000]
    # The worker process reads the same database and MEDIA_ROOT from the environment.
    os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or "sqlite:///" + str(
        settings.DATABASES["default"]["NAME"]
    )
    fmt = BulkPrint.Format.ZIP if "--zip" in sys.argv else BulkPrint.Format.PDF
    seed()
    template = Program.objects.get(title=STONES_TITLE)
    admin = User.objects.get(username="admin")
    print(
        f"{os.cpu_count()} cores, {settings.CERTIFICATE_PRINT_PROCESSES} rendering processes, "
        f"parts of {settings.CERTIFICATE_PRINT_CHUNK}, {settings.DATABASES['default']['ENGINE']}"
    )
    try:
        for count in counts:
            bench(template, admin, count, fmt)
    finally:
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


if __name__ == "__main__":
    main()
