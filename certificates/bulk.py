"""Bulk printing ("Cetak semua"): a program's valid certificates as one PDF or a ZIP of PDFs.

The view only records a BulkPrint and enqueues `print_certificates`; the database worker
(`manage.py db_worker`, started by `make run`) runs it. The task loads the certificates in parts
of CERTIFICATE_PRINT_CHUNK, renders each part's HTML here with Django, and hands the HTML to a
pool of CERTIFICATE_PRINT_PROCESSES processes that lay it out with WeasyPrint
(certificates.rendering) into temporary files. At most one part per process waits in the queue,
so memory holds a few parts whatever the count. The parts are then joined into the one file,
and `done` counts up as parts finish, for the progress bar.

The task runs outside any transaction: each write (the status, each part's progress) is one
UPDATE committed at once, so on SQLite, where a transaction holds the whole database's write lock,
issuing or saving attendance never waits for WeasyPrint, and the print's short writes wait at most
for another's short transaction (tests/certificates/test_sqlite_concurrency.py).

The pool's processes are forked from the worker: they start at once and share its loaded
WeasyPrint (copy on write), which a fork server or fresh interpreters would each load again
(measured: 50 MiB more over the process tree, and slower). They only lay out HTML, never touch
the database, and leave through os._exit, so the worker's connection is left alone. Forking is
safe because the worker (`manage.py db_worker`) runs one thread.

A finished print's file names every holder, so it is kept only CERTIFICATE_PRINT_KEEP_DAYS days:
`prune_prints` deletes older files. Every print task runs it first, so it needs no cron job;
`manage.py prune_prints` runs it on demand.
"""

import datetime
import logging
import multiprocessing
import shutil
import tempfile
import zipfile
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django_tasks import task

from attendance.pdf import static_roots
from certificates import rendering
from certificates.models import BulkPrint, Certificate
from certificates.pdf import Logos, certificate_html

logger = logging.getLogger(__name__)

# A process renders this many parts before a fresh one replaces it: WeasyPrint's memory is
# returned to Python but not always to the system, and this keeps the processes' size flat.
PARTS_PER_PROCESS = 6


# Where finished files are saved (BulkPrint.file's upload_to).
PRINTS_DIR = "private/prints"


def printable_certificates(program):
    """The certificates a bulk print of `program` contains: the valid ones, in number order."""
    return Certificate.objects.filter(
        enrollment__program=program, revoked_at__isnull=True
    ).order_by("year", "sequence")


def _pool(processes):
    # See the module's docstring for why fork.
    context = multiprocessing.get_context("fork")
    return ProcessPoolExecutor(max_workers=processes, mp_context=context)


def _parts(ids, size):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _load(ids):
    # Three queries per part: the certificates, the program's partners, their partner rows;
    # rendering adds one, the holders' competency units (certificates.pdf.certificate_html).
    by_id = (
        Certificate.objects.select_related("facility", "enrollment__program")
        .prefetch_related("enrollment__program__program_partners__partner")
        .in_bulk(ids)
    )
    return [by_id[pk] for pk in ids]


def _holder_file_name(certificate):
    number = slugify(certificate.number.replace("/", "-"))
    return f"{number}-{slugify(certificate.snapshot['holder_name'])}.pdf"


def run(bulk_print):
    """Render `bulk_print` to its file; the BulkPrint row tells progress and the outcome."""
    ids = list(printable_certificates(bulk_print.program).values_list("pk", flat=True))
    BulkPrint.objects.filter(pk=bulk_print.pk).update(
        status=BulkPrint.Status.RUNNING, total=len(ids), done=0
    )
    logos = Logos()
    roots = static_roots()
    workdir = Path(tempfile.mkdtemp(prefix="bulk-print-"))
    try:
        outputs = []  # per part in order: the part's PDF, or its holders' file names
        processes = settings.CERTIFICATE_PRINT_PROCESSES
        parts = list(enumerate(_parts(ids, settings.CERTIFICATE_PRINT_CHUNK)))
        # A fresh pool every few parts per process: see PARTS_PER_PROCESS.
        rounds = _parts(parts, processes * PARTS_PER_PROCESS)
        for round_parts in rounds:
            with _pool(processes) as pool:
                pending = {}
                for index, part_ids in round_parts:
                    certificates = _load(part_ids)
                    html, sequences = certificate_html(
                        certificates, language=bulk_print.language, logos=logos
                    )
                    if bulk_print.format == BulkPrint.Format.PDF:
                        target = workdir / f"part-{index:05d}.pdf"
                        future = pool.submit(rendering.write_once, html, str(target), roots=roots)
                        outputs.append((target, sequences, future))
                    else:
                        names = [_holder_file_name(certificate) for certificate in certificates]
                        future = pool.submit(
                            rendering.write_files, html, sequences, names, workdir, roots=roots
                        )
                        outputs.append(names)
                    pending[future] = len(part_ids)
                    # One part waiting per process, no more: the rest waits in the database.
                    while len(pending) > 2 * processes:
                        _collect(
                            bulk_print, pending, wait(pending, return_when=FIRST_COMPLETED).done
                        )
                _collect(bulk_print, pending, wait(pending).done)
        result = workdir / f"result.{bulk_print.format}"
        if bulk_print.format == BulkPrint.Format.PDF:
            _join_pdfs(outputs, result)
        else:
            _zip_files(workdir, [name for names in outputs for name in names], result)
        with result.open("rb") as file:
            bulk_print.file.save(_result_name(bulk_print), File(file), save=False)
        BulkPrint.objects.filter(pk=bulk_print.pk).update(
            file=bulk_print.file.name,
            status=BulkPrint.Status.DONE,
            done=len(ids),
            finished_at=timezone.now(),
        )
    except BaseException:
        BulkPrint.objects.filter(pk=bulk_print.pk).update(
            status=BulkPrint.Status.FAILED, finished_at=timezone.now()
        )
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _collect(bulk_print, pending, finished):
    for future in finished:
        # Raises here if the part failed: the whole print fails, nothing half-made is offered.
        future.result()
        BulkPrint.objects.filter(pk=bulk_print.pk).update(done=F("done") + pending.pop(future))


def _join_pdfs(parts, target):
    """One PDF of the parts, each holder's sides in turn (see `rendering.Assembly`)."""
    assembly = rendering.Assembly()
    for path, sequences, future in parts:
        assembly.add(path, future.result(), sequences)
    assembly.save(target)


def _zip_files(directory, names, target):
    # The PDFs are compressed already: stored, not deflated again.
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in names:
            archive.write(directory / name, arcname=name)


def _result_name(bulk_print):
    # Random: the file names holders and sits in MEDIA_ROOT; only the download view serves it.
    return f"{get_random_string(24)}.{bulk_print.format}"


def kept_until(bulk_print):
    """When a finished print's file is deleted, at the earliest (the next prune after it)."""
    return bulk_print.finished_at + datetime.timedelta(days=settings.CERTIFICATE_PRINT_KEEP_DAYS)


def prune_prints():
    """Delete the files of prints ready more than CERTIFICATE_PRINT_KEEP_DAYS days ago.

    The BulkPrint rows stay, their `file` emptied: the print page then says the file was deleted
    and offers to print again. A file in PRINTS_DIR that no print names (a print cut off between
    saving its file and recording it) goes too once it is as old. Returns the number of files
    deleted. Queries: the expired prints, one update each, the names still in use.
    """
    cutoff = timezone.now() - datetime.timedelta(days=settings.CERTIFICATE_PRINT_KEEP_DAYS)
    expired = BulkPrint.objects.filter(
        status=BulkPrint.Status.DONE, finished_at__lt=cutoff
    ).exclude(file="")
    deleted = 0
    for bulk_print in expired.only("pk", "file"):
        bulk_print.file.delete(save=False)
        BulkPrint.objects.filter(pk=bulk_print.pk).update(file="")
        deleted += 1
    storage = BulkPrint._meta.get_field("file").storage
    try:
        _dirs, files = storage.listdir(PRINTS_DIR)
    except FileNotFoundError:
        return deleted
    in_use = set(BulkPrint.objects.exclude(file="").values_list("file", flat=True))
    for file_name in files:
        name = f"{PRINTS_DIR}/{file_name}"
        if name not in in_use and storage.get_modified_time(name) < cutoff:
            storage.delete(name)
            deleted += 1
    return deleted


def download_name(bulk_print):
    """The file name the admin's browser saves, e.g. sertifikat-aksesoris-gelang-2025-08.pdf."""
    program = bulk_print.program
    return f"sertifikat-{slugify(program.title)}-{program.start_date:%Y-%m}.{bulk_print.format}"


@task()
def print_certificates(bulk_print_id):
    """The background task behind "Cetak semua"."""
    try:
        pruned = prune_prints()
    except OSError:
        # A file that cannot be deleted now is tried again next time; the print goes on.
        logger.exception("Deleting old bulk print files failed")
    else:
        logger.info("Deleted %d old bulk print files", pruned)
    bulk_print = BulkPrint.objects.select_related("program").get(pk=bulk_print_id)
    logger.info("Printing %s", bulk_print)
    run(bulk_print)
