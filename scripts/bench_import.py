"""Time an inmate import of 10,000 rows, CSV and XLSX, against the configured database.

    DEBUG=1 .venv/bin/python scripts/bench_import.py [rows]

Each format runs twice in a transaction that is rolled back at the end, so the database is left
as it was: once creating every inmate in a new facility, once updating them all (every row's
block changes). Prints the seconds of each phase (parse and check the file, plan against the
database, write) and the process's peak RSS.
"""

import csv
import datetime
import io
import os
import resource
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapas_training.settings")
django.setup()

import openpyxl  # noqa: E402
from django.db import transaction  # noqa: E402

from inmates.imports import COLUMNS, apply_plan, plan_import, read_file  # noqa: E402
from inmates.models import Inmate  # noqa: E402
from lapas_training.models import Facility, User  # noqa: E402


class Rollback(Exception):
    pass


def rows(count, block):
    admitted = datetime.date(2024, 1, 15)
    for n in range(count):
        yield [
            f"B.I-{n:05d}/2025",
            f"Warga Binaan {n}",
            datetime.date(1980 + n % 30, 1 + n % 12, 1 + n % 28),
            "L" if n % 3 else "P",
            block,
            f"{n % 40 + 1}",
            admitted,
            datetime.date(2027, 6, 30),
            "aktif",
        ]


def build_csv(count, block):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([column.header for column in COLUMNS])
    for row in rows(count, block):
        writer.writerow(
            [v.strftime("%d/%m/%Y") if isinstance(v, datetime.date) else v for v in row]
        )
    return out.getvalue().encode()


def build_xlsx(count, block):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([column.header for column in COLUMNS])
    for row in rows(count, block):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def timed(label, function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    print(f"  {label:<22} {time.perf_counter() - start:6.2f} s")
    return result


def run(label, data, facility, user):
    print(f"{label}: {len(data) / 1024:.0f} KiB")
    parsed = timed("parse + check file", read_file, data)
    plan = timed("plan (1 query)", plan_import, parsed, facility=facility)
    assert not plan.errors, plan.errors[:3]
    created, updated = timed("write", apply_plan, plan, user=user)
    print(f"  rows {len(parsed.rows)}: {created} created, {updated} updated")


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print(f"database: {django.db.connection.vendor}, {count} rows")
    for file_format, build in (("CSV", build_csv), ("XLSX", build_xlsx)):
        first, second = build(count, "Blok A"), build(count, "Blok B")
        try:
            with transaction.atomic():
                facility = Facility.objects.create(name="Bench import", unit_code="BENCH")
                user = User.objects.create(username="bench-import", facility=facility)
                run(f"{file_format} create", first, facility, user)
                run(f"{file_format} update", second, facility, user)
                assert Inmate.objects.filter(facility=facility, block="Blok B").count() == count
                raise Rollback
        except Rollback:
            pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    print(f"peak RSS: {peak / 1024 if sys.platform != 'darwin' else peak / 1024**2:.0f} MiB")


if __name__ == "__main__":
    main()
