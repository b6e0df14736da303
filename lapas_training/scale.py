"""Data at national scale, fast: `manage.py seed_scale` for benchmarks (scripts/bench_pages.py).

`seed(facilities=…, inmates=…, attendance=…)` fills an EMPTY database (it refuses one that holds a
facility) with the shapes of a national install: facilities of very different sizes (the largest
holds five times the mean, 3,000 of 300,000 inmates at national size; the others fall off
exponentially to a thirtieth of the second), grouped in regions of about fifteen; three partners
per facility with agreements; programs with four topics and 20 sessions each, closed, running
(one session today), planned or cancelled; 20-40 enrolments per program in every status;
attendance in every status, mostly H; results and scores; certificates of the closed programs
numbered in the facility's real pattern, with a few statements, revocations and reissues; history
rows for what django-simple-history records; an admin, staff, viewer and trainer per facility.

Rows are built in Python and written with `bulk_create` in large batches, one facility at a time
(so memory stays bounded by the largest facility), all in one transaction: a failure leaves the
database empty, as it was. Certificate snapshots are built as `certificates.services
.build_snapshot` builds them, from rows already in memory instead of five queries each.
Everything random comes from one seeded generator: the same sizes give the same data.
"""

import datetime
import json
import math
import random
import secrets
import time
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import FileField, JSONField, Max
from django.utils import timezone, translation
from simple_history.utils import bulk_create_with_history

from attendance.models import ATTENDED_STATUSES, AttendanceRecord, AttendanceStatus
from attendance.pdf import facility_signatory, partner_signatory
from certificates.models import Certificate, CertificateCounter
from certificates.services import ASSESSMENT_WORDS, format_number
from inmates.models import Inmate
from lapas_training.models import Facility, Region, Role, User
from programs.models import (
    Enrollment,
    Partner,
    PartnerAgreement,
    Program,
    ProgramPartner,
    ProgramStatusChange,
    ProgramTopic,
    SkillCategory,
    TrainingSession,
)

SCALE_PASSWORD = "skala-nasional-2025"
BATCH = 5000
SESSIONS_PER_PROGRAM = 20
# Attendance rows one program yields on average (about 13 held sessions x 30 participants, less those who left):
# the number of programs follows from the attendance asked for.
ROWS_PER_PROGRAM = 370
FACILITIES_PER_REGION = 15

CITIES = [
    "Kasongan",
    "Palangka",
    "Raya",
    "Sampit",
    "Pangkalan",
    "Bun",
    "Muara",
    "Teweh",
    "Kuala",
    "Kapuas",
    "Banjarmasin",
    "Martapura",
    "Samarinda",
    "Balikpapan",
    "Tenggarong",
    "Pontianak",
    "Singkawang",
    "Ketapang",
    "Medan",
    "Binjai",
    "Pematangsiantar",
    "Padang",
    "Bukittinggi",
    "Pekanbaru",
    "Dumai",
    "Jambi",
    "Palembang",
    "Lahat",
    "Bengkulu",
    "Bandar",
    "Lampung",
    "Metro",
    "Serang",
    "Tangerang",
    "Bandung",
    "Cirebon",
    "Garut",
    "Sukabumi",
    "Semarang",
    "Pekalongan",
    "Magelang",
    "Surakarta",
    "Yogyakarta",
    "Surabaya",
    "Malang",
    "Madiun",
    "Kediri",
    "Jember",
    "Denpasar",
    "Mataram",
    "Kupang",
    "Makassar",
    "Parepare",
    "Manado",
    "Palu",
    "Kendari",
    "Gorontalo",
    "Ambon",
    "Ternate",
    "Jayapura",
    "Sorong",
    "Merauke",
]
FIRST_NAMES = [
    "Agus",
    "Budi",
    "Cahyo",
    "Dedi",
    "Eko",
    "Fajar",
    "Gilang",
    "Hendra",
    "Imam",
    "Joko",
    "Kurniawan",
    "Lukman",
    "Made",
    "Nyoman",
    "Oki",
    "Putra",
    "Rizky",
    "Slamet",
    "Taufik",
    "Usman",
    "Wahyu",
    "Yusuf",
    "Zainal",
    "Andi",
    "Bayu",
    "Dimas",
    "Rahmat",
    "Sri",
    "Siti",
    "Dewi",
    "Ratna",
    "Wati",
    "Yanti",
    "Nur",
    "Ayu",
]
LAST_NAMES = [
    "Saputra",
    "Santoso",
    "Wijaya",
    "Hidayat",
    "Pratama",
    "Setiawan",
    "Nugroho",
    "Siregar",
    "Nasution",
    "Lubis",
    "Simanjuntak",
    "Harahap",
    "Wibowo",
    "Susanto",
    "Gunawan",
    "Hakim",
    "Kusuma",
    "Purnomo",
    "Rahman",
    "Syahputra",
    "Tanjung",
    "Manurung",
    "Sinaga",
    "Pane",
    "Daulay",
    "Ramadhan",
    "Firmansyah",
    "Hasibuan",
]
PROGRAM_TITLES = {
    SkillCategory.HANDICRAFT: "Kerajinan Gelang dan Kalung Batu Lokal",
    SkillCategory.CULINARY: "Pembuatan Roti dan Kue",
    SkillCategory.AGRICULTURE: "Budidaya Sayuran Hidroponik",
    SkillCategory.FISHERY: "Budidaya Ikan Lele",
    SkillCategory.AUTOMOTIVE: "Perbaikan Sepeda Motor",
    SkillCategory.CARPENTRY: "Pembuatan Mebel Kayu",
    SkillCategory.SEWING: "Menjahit Pakaian",
    SkillCategory.BARBERING: "Pangkas Rambut",
    SkillCategory.LAUNDRY: "Jasa Binatu",
    SkillCategory.DIGITAL: "Komputer Perkantoran",
    SkillCategory.ENTREPRENEURSHIP: "Kewirausahaan Usaha Mikro",
    SkillCategory.OTHER: "Las Listrik",
}
TOPICS = (("Pengenalan bahan dan alat", 8), ("Praktik dasar", 16), ("Praktik lanjutan", 12))
TOPIC_ENTREPRENEURSHIP = ("Kewirausahaan dan pemasaran", 4)

# Weighted draws; the first draws of each kind take every value in turn, so that even a tiny
# run holds every status.
ATTENDANCE_WEIGHTS = {
    AttendanceStatus.PRESENT: 80,
    AttendanceStatus.LATE: 6,
    AttendanceStatus.EXCUSED: 3,
    AttendanceStatus.SICK: 3,
    AttendanceStatus.ABSENT: 3,
    AttendanceStatus.COURT: 1,
    AttendanceStatus.VISIT: 1,
    AttendanceStatus.CLINIC: 1,
    AttendanceStatus.LOCKDOWN: 1,
    AttendanceStatus.TRANSFER: 0.5,
    AttendanceStatus.RELEASED: 0.5,
}
PROGRAM_WEIGHTS = {
    Program.Status.COMPLETED: 60,
    Program.Status.ACTIVE: 25,
    Program.Status.DRAFT: 10,
    Program.Status.CANCELLED: 5,
}
# How an enrolment leaves a program early; the others stay to its end.
LEAVING_WEIGHTS = {
    None: 88,
    Enrollment.Status.WITHDRAWN: 5,
    Enrollment.Status.RELEASED: 4,
    Enrollment.Status.TRANSFERRED: 3,
}
INMATE_WEIGHTS = {
    Inmate.Status.ACTIVE: 85,
    Inmate.Status.RELEASED: 10,
    Inmate.Status.TRANSFERRED: 5,
}
END_REASONS = {
    Enrollment.Status.WITHDRAWN: "Mengundurkan diri",
    Enrollment.Status.RELEASED: "Bebas",
    Enrollment.Status.TRANSFERRED: "Mutasi",
}


class FastWriter:
    """Inserts rows without the ORM's per-value compilation, which took most of bulk_create's
    time: COPY on PostgreSQL, executemany elsewhere. Ids are given here (from the table's
    largest + 1), so that a history row can name its record without reading ids back; `finish`
    moves PostgreSQL's sequences past them."""

    def __init__(self):
        self.next_ids = {}
        self.models = set()
        self.history_date = connection.ops.adapt_datetimefield_value(timezone.now())
        # Few distinct datetimes (a session's hour), each converted once.
        self.datetimes = {}

    def take_ids(self, model, count):
        """The first of `count` fresh ids of `model`'s table."""
        start = self.next_ids.get(model)
        if start is None:
            start = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.next_ids[model] = start + count
        return start

    def assign_ids(self, model, objs):
        start = self.take_ids(model, len(objs))
        name = model._meta.pk.attname
        for offset, obj in enumerate(objs):
            setattr(obj, name, start + offset)

    def write(self, model, objs, *, history_user_id=None):
        """Insert `objs` (ids assigned) and, for a model with history, their "+" rows."""
        fields = model._meta.concrete_fields
        rows = [
            tuple(self._value(field, getattr(obj, field.attname)) for field in fields)
            for obj in objs
        ]
        self._insert(model, [field.column for field in fields], rows)
        history = getattr(model, "history", None)
        if history is None:
            return
        historical = history.model
        first_id = self.take_ids(historical, len(rows))
        extra = {
            "history_date": self.history_date,
            "history_change_reason": None,
            "history_type": "+",
            "history_user_id": history_user_id,
        }
        index = {field.attname: i for i, field in enumerate(fields)}
        getters = []
        for column in historical._meta.concrete_fields:
            if column.attname == "history_id":
                getters.append(None)
            elif column.attname in extra:
                getters.append(("extra", extra[column.attname]))
            else:
                getters.append(("row", index[column.attname]))
        history_rows = []
        for n, row in enumerate(rows):
            history_rows.append(
                tuple(
                    first_id + n
                    if getter is None
                    else (getter[1] if getter[0] == "extra" else row[getter[1]])
                    for getter in getters
                )
            )
        self._insert(
            historical, [field.column for field in historical._meta.concrete_fields], history_rows
        )

    def _value(self, field, value):
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            converted = self.datetimes.get(value)
            if converted is None:
                converted = self.datetimes[value] = connection.ops.adapt_datetimefield_value(value)
            return converted
        if isinstance(field, JSONField):
            return json.dumps(value)
        if isinstance(field, FileField):
            return value.name or ""
        return value

    def _insert(self, model, columns, rows):
        if not rows:
            return
        self.models.add(model)
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        names = ", ".join(quote(column) for column in columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                for start in range(0, len(rows), BATCH):
                    cursor.executemany(
                        f"INSERT INTO {table} ({names}) VALUES ({marks})",
                        rows[start : start + BATCH],
                    )

    def finish(self):
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.models))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


class DatabaseNotEmpty(Exception):
    """seed_scale fills an empty database only."""


class Draw:
    """Weighted draws from one seeded generator; each kind's first draws cycle its values."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.counts = {}

    def pick(self, weights):
        key = id(weights)
        n = self.counts.get(key, 0)
        self.counts[key] = n + 1
        values = list(weights)
        if n < len(values):
            return values[n]
        return self.rng.choices(values, weights=list(weights.values()))[0]


def facility_sizes(facilities, inmates):
    """Inmates per facility, largest first: the first holds five times the mean (half of all at
    most); the others fall off exponentially to a thirtieth of the second. Each holds at least
    one inmate."""
    if facilities == 1:
        return [inmates]
    largest = round(inmates * min(0.5, 5 / facilities))
    rest = facilities - 1
    weights = [math.exp(-math.log(30) * i / max(rest - 1, 1)) for i in range(rest)]
    total = sum(weights)
    sizes = [largest] + [max(1, round((inmates - largest) * w / total)) for w in weights]
    return sizes


@dataclass
class Report:
    """Row counts written, for the progress lines and the command's summary."""

    counts: dict = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def add(self, name, n):
        self.counts[name] = self.counts.get(name, 0) + n

    @property
    def elapsed(self):
        return time.monotonic() - self.started


def seed(*, facilities, inmates, attendance, random_seed=12, progress=print):
    """Fill the empty database; return a Report. Raises DatabaseNotEmpty when a facility exists."""
    existing = Facility.objects.count()
    if existing:
        raise DatabaseNotEmpty(existing)
    report = Report()
    with transaction.atomic():
        _Seeder(facilities, inmates, attendance, random_seed, progress, report).run()
    if connection.vendor == "postgresql":
        # Fresh statistics: before autovacuum comes by, the planner would take the tables for
        # empty and the first benchmark would measure its guesses.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return report


class _Seeder:
    def __init__(self, facilities, inmates, attendance, random_seed, progress, report):
        self.sizes = facility_sizes(facilities, inmates)
        self.inmates = inmates
        self.attendance = attendance
        self.draw = Draw(random_seed)
        self.rng = self.draw.rng
        self.progress = progress
        self.report = report
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.password = make_password(SCALE_PASSWORD)
        total_programs = max(facilities, 4, round(attendance / ROWS_PER_PROGRAM))
        # (facility id, year) -> last sequence, written as CertificateCounter rows at the end.
        self.counters = {}
        self.revoked_any = False
        self.programs_per = [max(1, round(total_programs * n / inmates)) for n in self.sizes]

    def run(self):
        regions = self._regions(len(self.sizes))
        facilities = self._facilities(regions)
        self.writer = FastWriter()
        self.root = User.objects.create(
            username="scale-root",
            password=self.password,
            is_superuser=True,
            is_staff=True,
            role=Role.ADMIN,
            first_name="Operator",
            last_name="Nasional",
        )
        User.objects.bulk_create(
            [
                User(
                    username=f"kanwil-{region.pk}",
                    password=self.password,
                    role=Role.REGIONAL,
                    region=region,
                    first_name="Kanwil",
                    last_name=region.city,
                )
                for region in regions
            ]
        )
        for index, facility in enumerate(facilities):
            self._facility(facility, self.sizes[index], self.programs_per[index])
            if index % max(1, len(facilities) // 20) == 0 or index == len(facilities) - 1:
                rows = self.report.counts.get("attendance", 0)
                self.progress(
                    f"  {index + 1}/{len(facilities)} facilities, "
                    f"{self.report.counts.get('inmates', 0):,} inmates, {rows:,} attendance rows, "
                    f"{self.report.elapsed:.1f} s"
                )
        CertificateCounter.objects.bulk_create(
            CertificateCounter(facility_id=facility_id, year=year, last=last)
            for (facility_id, year), last in self.counters.items()
        )
        self.writer.finish()

    def _regions(self, facilities):
        count = max(1, math.ceil(facilities / FACILITIES_PER_REGION))
        regions = Region.objects.bulk_create(
            [
                Region(
                    name=f"Kanwil {CITIES[i % len(CITIES)]} {i + 1}",
                    office_name=f"Kantor Wilayah Pemasyarakatan {CITIES[i % len(CITIES)]}",
                    city=CITIES[i % len(CITIES)],
                )
                for i in range(count)
            ]
        )
        self.report.add("regions", len(regions))
        return regions

    def _facilities(self, regions):
        kinds = [Facility.Kind.LAPAS, Facility.Kind.RUTAN, Facility.Kind.LPKA]
        rows = []
        for i, size in enumerate(self.sizes):
            city = CITIES[i % len(CITIES)]
            kind = kinds[i % 3] if i else Facility.Kind.LAPAS
            grade = Facility.Grade.I if size >= 1500 else Facility.Grade.IIA
            label = {"lapas": "Lapas", "rutan": "Rutan", "lpka": "LPKA"}[kind]
            rows.append(
                Facility(
                    name=f"{label} Kelas {grade} {city} {i + 1:03d}",
                    region=regions[i // FACILITIES_PER_REGION],
                    kind=kind,
                    grade=grade,
                    unit_code=f"{label[:2].upper()}.{city[:3].upper()}{i + 1:03d}",
                    city=city,
                    address=f"Jl. Pemasyarakatan No. {i + 1}, {city}",
                    head_name=f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}",
                    head_nip=f"19{self.rng.randrange(10**16):016d}",
                )
            )
        facilities = Facility.objects.bulk_create(rows)
        self.report.add("facilities", len(facilities))
        return facilities

    def _facility(self, facility, size, program_count):
        partners = Partner.objects.bulk_create(
            [
                Partner(
                    facility=facility,
                    name=f"{label} {facility.city} {facility.pk}",
                    kind=kind,
                    license_number=f"LPK-{facility.pk}" if kind == Partner.Kind.LPK else "",
                    head_name=f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}",
                    head_title=f"Kepala {label} {facility.city}",
                    certificate_code=f"{kind.upper()}.{facility.pk}",
                )
                for label, kind in (
                    ("BLK", Partner.Kind.BLK),
                    ("LPK Karya", Partner.Kind.LPK),
                    ("UMKM Kreatif", Partner.Kind.UMKM),
                )
            ]
        )
        agreements = []
        for partner in partners:
            # One agreement that has run out and one in force (expiring soon for the UMKM).
            agreements.append(
                PartnerAgreement(
                    partner=partner,
                    number=f"PKS/{partner.pk}/2023",
                    valid_from=self.today - datetime.timedelta(days=900),
                    valid_to=self.today - datetime.timedelta(days=400),
                )
            )
            days = 30 if partner.kind == Partner.Kind.UMKM else 500
            agreements.append(
                PartnerAgreement(
                    partner=partner,
                    number=f"PKS/{partner.pk}/2025",
                    valid_from=self.today - datetime.timedelta(days=399),
                    valid_to=self.today + datetime.timedelta(days=days),
                )
            )
        PartnerAgreement.objects.bulk_create(agreements)
        users = User.objects.bulk_create(
            [
                User(
                    username=f"{facility.unit_code.lower()}-{role}",
                    password=self.password,
                    role=role,
                    facility=facility,
                    partner=partners[0] if role == Role.TRAINER else None,
                    first_name=f"{self.rng.choice(FIRST_NAMES)}",
                    last_name=f"{self.rng.choice(LAST_NAMES)}",
                )
                for role in (Role.ADMIN, Role.STAFF, Role.VIEWER, Role.TRAINER)
            ]
        )
        admin, trainer = users[0], users[3]
        self.trainer = trainer
        self.report.add("partners", len(partners))
        self.report.add("users", len(users))

        inmates = self._inmates(facility, size, admin)
        for _ in range(program_count):
            self._program(facility, partners, inmates, admin, trainer)

    def _inmates(self, facility, size, admin):
        rows = []
        for n in range(size):
            status = self.draw.pick(INMATE_WEIGHTS)
            departed = self.today - datetime.timedelta(days=self.rng.randrange(1, 300))
            rows.append(
                Inmate(
                    facility=facility,
                    registration_number=f"B.I-{n + 1}/{2020 + n % 6}",
                    full_name=f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(FIRST_NAMES)} "
                    f"{self.rng.choice(LAST_NAMES)}",
                    birth_date=datetime.date(1970 + n % 35, 1 + n % 12, 1 + n % 28),
                    gender=Inmate.Gender.MALE if n % 10 else Inmate.Gender.FEMALE,
                    block=f"Blok {'ABCDEF'[n % 6]}",
                    room=str(1 + n % 20),
                    admission_date=self.today - datetime.timedelta(days=400 + n % 900),
                    status=status,
                    departed_on=None if status == Inmate.Status.ACTIVE else departed,
                    transfer_destination=(
                        f"Lapas {self.rng.choice(CITIES)}"
                        if status == Inmate.Status.TRANSFERRED
                        else ""
                    ),
                )
            )
        self.writer.assign_ids(Inmate, rows)
        self.writer.write(Inmate, rows, history_user_id=admin.pk)
        self.report.add("inmates", len(rows))
        return rows

    def _program(self, facility, partners, inmates, admin, trainer):
        status = self.draw.pick(PROGRAM_WEIGHTS)
        category = self.rng.choice(list(PROGRAM_TITLES))
        # Consecutive days: a running program holds its session today, a closed one ended in
        # the past year, a planned one starts within two months.
        if status == Program.Status.ACTIVE:
            start = self.today - datetime.timedelta(days=self.rng.randrange(5, 15))
        elif status == Program.Status.DRAFT:
            start = self.today + datetime.timedelta(days=self.rng.randrange(3, 60))
        else:
            start = self.today - datetime.timedelta(days=self.rng.randrange(30, 360))
        dates = [start + datetime.timedelta(days=i) for i in range(SESSIONS_PER_PROGRAM)]
        program = Program.objects.create(
            facility=facility,
            title=f"{PROGRAM_TITLES[category]} Angkatan {self.rng.randrange(1, 9)}",
            skill_category=category,
            location="Aula Utama" if self.rng.random() < 0.6 else "Bengkel Kerja",
            start_date=dates[0],
            end_date=dates[-1],
            capacity=40,
            status=status,
            closed_at=self.now if status == Program.Status.COMPLETED else None,
            closed_by=admin if status == Program.Status.COMPLETED else None,
        )
        if status == Program.Status.COMPLETED:
            ProgramStatusChange.objects.create(
                program=program, action=ProgramStatusChange.Action.CLOSED, by=admin, at=self.now
            )
        links = ProgramPartner.objects.bulk_create(
            [
                ProgramPartner(program=program, partner=partners[0], role="lead"),
                ProgramPartner(
                    program=program, partner=partners[1 + self.rng.randrange(2)], role="co_trainer"
                ),
            ]
        )
        topics = ProgramTopic.objects.bulk_create(
            [
                ProgramTopic(program=program, order=i, title=title, jp=jp)
                for i, (title, jp) in enumerate((*TOPICS, TOPIC_ENTREPRENEURSHIP))
            ]
        )
        sessions = self._sessions(program, status, dates, topics, admin)
        TrainingSession.trainers.through.objects.bulk_create(
            [
                TrainingSession.trainers.through(trainingsession_id=s.pk, user_id=trainer.pk)
                for s in sessions
            ]
        )
        self.report.add("programs", 1)
        self.report.add("sessions", len(sessions))
        enrollments, leaving = self._enrollments(program, status, inmates, dates, admin)
        self.writer.assign_ids(Enrollment, enrollments)
        held = [s for s in sessions if s.status == TrainingSession.Status.HELD]
        attended = self._attendance(held, enrollments, leaving)
        if status == Program.Status.COMPLETED:
            self._close(program, enrollments, leaving, attended, len(held), dates[-1])
        self.writer.write(Enrollment, enrollments, history_user_id=admin.pk)
        self._attendance_rows(trainer)
        if status == Program.Status.COMPLETED:
            self._certificates(facility, program, topics, links, enrollments, attended, held, admin)

    def _sessions(self, program, status, dates, topics, admin):
        rows = []
        for i, date in enumerate(dates):
            if status == Program.Status.CANCELLED or (
                status == Program.Status.COMPLETED and i == 7
            ):
                session_status = TrainingSession.Status.CANCELLED
            elif status == Program.Status.COMPLETED or (
                status == Program.Status.ACTIVE and date < self.today
            ):
                session_status = TrainingSession.Status.HELD
            else:
                session_status = TrainingSession.Status.SCHEDULED
            # A running program sometimes has a past session nobody recorded (the dashboard's).
            yesterday = self.today - datetime.timedelta(days=1)
            if status == Program.Status.ACTIVE and date == yesterday and self.rng.random() < 0.2:
                session_status = TrainingSession.Status.SCHEDULED
            cancelled = session_status == TrainingSession.Status.CANCELLED
            rows.append(
                TrainingSession(
                    program=program,
                    date=date,
                    start_time=datetime.time(8, 0),
                    end_time=datetime.time(11, 0),
                    topic=topics[min(i * len(topics) // len(dates), len(topics) - 1)],
                    status=session_status,
                    cancel_reason="Kegiatan pembinaan lain" if cancelled else "",
                    cancelled_at=self.now if cancelled else None,
                    cancelled_by=admin if cancelled else None,
                )
            )
        return TrainingSession.objects.bulk_create(rows)

    def _enrollments(self, program, status, inmates, dates, admin):
        count = min(len(inmates), self.rng.randint(20, 40))
        chosen = self.rng.sample(inmates, count)
        enrollments, leaving = [], {}
        for inmate in chosen:
            enrollment = Enrollment(
                program=program,
                inmate=inmate,
                enrolled_on=dates[0] - datetime.timedelta(days=3),
                enrolled_by=admin,
                status=Enrollment.Status.ACTIVE,
            )
            early = (
                self.draw.pick(LEAVING_WEIGHTS)
                if status in (Program.Status.ACTIVE, Program.Status.COMPLETED)
                else None
            )
            past = [date for date in dates[2:10] if date < self.today]
            if early is not None and past:
                left_on = self.rng.choice(past)
                enrollment.status = early
                enrollment.ended_on = left_on
                enrollment.end_reason = END_REASONS[early]
                leaving[inmate.pk] = left_on
            if status != Program.Status.DRAFT and self.rng.random() < 0.9:
                enrollment.pre_test_score = Decimal(self.rng.randrange(30, 80))
                if status == Program.Status.COMPLETED:
                    enrollment.post_test_score = Decimal(self.rng.randrange(50, 100))
                    enrollment.practical_score = Decimal(self.rng.randrange(50, 100))
                    enrollment.assessment_result = (
                        Enrollment.Result.COMPETENT
                        if self.rng.random() < 0.88
                        else Enrollment.Result.NOT_YET_COMPETENT
                    )
            enrollments.append(enrollment)
        return enrollments, leaving

    def _attendance(self, held, enrollments, leaving):
        """Queue the attendance rows of the held sessions (written once enrolments have ids);
        return {inmate id: sessions attended}."""
        attended = {}
        self._pending = []
        for enrollment in enrollments:
            left_on = leaving.get(enrollment.inmate_id)
            count = 0
            for session in held:
                if left_on is not None and session.date >= left_on:
                    break
                status = self.draw.pick(ATTENDANCE_WEIGHTS)
                count += status in ATTENDED_STATUSES
                self._pending.append((enrollment, session, status))
            attended[enrollment.inmate_id] = count
        return attended

    def _attendance_rows(self, trainer):
        # Plain objects with the model's attribute names: a model instance each cost more than
        # writing it.
        rows = [
            SimpleNamespace(
                id=None,
                session_id=session.pk,
                enrollment_id=enrollment.pk,
                status=status,
                minutes_late=self.rng.randrange(5, 40) if status == AttendanceStatus.LATE else None,
                note="",
                recorded_by_id=trainer.pk,
                recorded_at=self.recorded_at(session),
            )
            for enrollment, session, status in self._pending
        ]
        self.writer.assign_ids(AttendanceRecord, rows)
        self.writer.write(AttendanceRecord, rows, history_user_id=trainer.pk)
        self.report.add("attendance", len(rows))

    def recorded_at(self, session):
        """Marked as the session ended."""
        return timezone.make_aware(datetime.datetime.combine(session.date, session.end_time))

    def _close(self, program, enrollments, leaving, attended, held_count, last):
        """Fix outcomes as certificates.closing does: attendance at the threshold and, where
        assessed, Kompeten."""
        for enrollment in enrollments:
            if enrollment.inmate_id in leaving:
                continue
            percent = 100 * attended[enrollment.inmate_id] / held_count if held_count else 0
            reasons = []
            if percent < program.attendance_threshold:
                reasons.append("Kehadiran di bawah ambang batas.")
            if enrollment.assessment_result != Enrollment.Result.COMPETENT:
                reasons.append("Hasil penilaian belum kompeten.")
            enrollment.status = (
                Enrollment.Status.NOT_COMPLETED if reasons else Enrollment.Status.COMPLETED
            )
            enrollment.ended_on = last
            enrollment.end_reason = " ".join(reasons)

    def _certificates(self, facility, program, topics, links, enrollments, attended, held, admin):
        """Certificates of completion, statements for those who left, a few revoked and
        reissued, numbered in the facility's series with their counter."""
        issued_on = program.end_date + datetime.timedelta(days=1)
        trainer = self.trainer
        base = self._snapshot_base(facility, program, topics, links, issued_on, trainer)
        rows = []
        for enrollment in enrollments:
            if enrollment.status == Enrollment.Status.COMPLETED:
                kind = Certificate.Kind.COMPLETION
            elif enrollment.status in (
                Enrollment.Status.RELEASED,
                Enrollment.Status.TRANSFERRED,
            ):
                kind = Certificate.Kind.PARTICIPATION
            else:
                continue
            count = attended[enrollment.inmate_id]
            snapshot = {
                **base,
                "kind": kind,
                "holder_name": enrollment.inmate.full_name,
                "assessment_result": ASSESSMENT_WORDS.get(enrollment.assessment_result, ""),
                "attendance": {
                    "attended": count,
                    "counted": len(held),
                    "percent": round(100 * count / len(held), 1) if held else None,
                },
            }
            if kind == Certificate.Kind.PARTICIPATION:
                snapshot["participation"] = {
                    "sessions_attended": count,
                    "sessions_total": len(held),
                    "jp_attended": base["total_jp"] * count // max(len(held), 1),
                    "reason": END_REASONS[enrollment.status],
                }
            rows.append(self._certificate(facility, enrollment, kind, snapshot, issued_on, admin))
        # One in a hundred was revoked and reissued with the holder's name corrected.
        revoked = [row for row in rows if self.rng.random() < 0.01]
        if rows and not revoked and not self.revoked_any:
            revoked = rows[:1]
        for row in revoked:
            row.revoked_at = self.now
            row.revoked_by = admin
            row.revocation_reason = "Salah penulisan nama"
            self.revoked_any = True
        created = bulk_create_with_history(rows, Certificate, batch_size=BATCH, default_user=admin)
        reissued = [
            self._certificate(
                facility,
                old.enrollment,
                old.kind,
                {**old.snapshot, "holder_name": old.snapshot["holder_name"].upper()},
                issued_on,
                admin,
                replaces=old,
            )
            for old in created
            if old.revoked_at
        ]
        bulk_create_with_history(reissued, Certificate, batch_size=BATCH, default_user=admin)
        self.report.add("certificates", len(created) + len(reissued))

    def _certificate(self, facility, enrollment, kind, snapshot, issued_on, admin, replaces=None):
        key = (facility.pk, issued_on.year)
        sequence = self.counters.get(key, 0) + 1
        self.counters[key] = sequence
        number = format_number(
            facility.certificate_number_pattern,
            sequence=sequence,
            issued_on=issued_on,
            unit_code=facility.unit_code,
        )
        return Certificate(
            enrollment=enrollment,
            facility=facility,
            kind=kind,
            year=issued_on.year,
            sequence=sequence,
            number=number,
            verification_code=secrets.token_urlsafe(24),
            snapshot={**snapshot, "number": number, "issued_on": issued_on.isoformat()},
            issued_at=timezone.make_aware(
                datetime.datetime.combine(issued_on, datetime.time(10, 0))
            ),
            issued_by=admin,
            replaces=replaces,
        )

    def _snapshot_base(self, facility, program, topics, links, issued_on, trainer):
        """What build_snapshot freezes for every holder of a (not discreet) program."""
        lead = next(link.partner for link in links if link.role == "lead")
        with translation.override("id"):
            skill_category = str(program.get_skill_category_display())
        return {
            "kind": "",
            "number": "",
            "holder_name": "",
            "program_title": program.title,
            "skill_category": skill_category,
            "start_date": program.start_date.isoformat(),
            "end_date": program.end_date.isoformat(),
            "place": program.location,
            "total_jp": sum(topic.jp for topic in topics),
            "topics": [{"title": topic.title, "jp": topic.jp} for topic in topics],
            "partners": [{"name": link.partner.name, "role": link.role} for link in links],
            "discreet": False,
            "issuer": {"name": facility.name, "city": facility.city},
            "signatories": [facility_signatory(facility), partner_signatory(lead)],
            "issued_on": issued_on.isoformat(),
            "place_of_issue": facility.city,
            "assessment_result": "",
            "instructors": [trainer.get_full_name()],
            "attendance": {},
            "participation": None,
            "facility": {
                "name": facility.name,
                "unit_code": facility.unit_code,
                "city": facility.city,
            },
            "letterhead": facility.letterhead(),
        }
