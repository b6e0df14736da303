"""The demo data: the Kasongan story of DESIGN.md, a second program and a second facility.

`seed()` is idempotent. Rows are found by their natural keys (unit code, partner name, agreement
number, program title, topic title, session slot, registration number, username), so a second run
changes no row count. Reference rows (facilities, partners, agreements, programs, topics, accounts)
are brought back to the story on every run; inmates and enrolments, which keep a history, are only
created when missing, so a rerun writes no history rows and keeps what a demo user changed.
Dates that must look current (the running programs, the agreement that expires soon) are computed
from today, so `make run` on any day shows today's sessions and a flagged agreement.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from attendance.models import AttendanceRecord, AttendanceStatus
from attendance.rules import is_listed
from certificates.closing import close_program
from certificates.services import issue_certificates, issue_statement
from inmates.models import FollowUp, FollowUpConsent, Inmate
from inmates.outcomes import record_consent, record_follow_up
from inmates.services import record_departure
from lapas_training import demo_photos
from lapas_training.models import Facility, Region, Role, User
from programs.models import (
    Enrollment,
    Partner,
    PartnerAgreement,
    Product,
    Program,
    ProgramEvent,
    ProgramEventGuest,
    ProgramPartner,
    ProgramStatusChange,
    ProgramTopic,
    Sale,
    SkillCategory,
    TrainingSession,
)
from programs.products import record_batch, record_deposit, record_loss, record_sale, refund_sale

DEMO_PASSWORD = "pelatihan-2025"

KASONGAN = {
    "unit_code": "LPN.KSG",
    "name": "Lapas Narkotika Kelas IIA Kasongan",
    "kind": Facility.Kind.LAPAS,
    "grade": Facility.Grade.IIA,
    "city": "Kasongan",
    "address": "Jl. Tjilik Riwut Km. 3, Kasongan, Kabupaten Katingan, Kalimantan Tengah",
    "head_name": "Yurdani",
    "head_nip": "197406152000031002",
}
PANGKALAN_BUN = {
    "unit_code": "RTN.PBN",
    "name": "Rutan Kelas IIB Pangkalan Bun",
    "kind": Facility.Kind.RUTAN,
    "grade": Facility.Grade.IIB,
    "city": "Pangkalan Bun",
    "address": "Jl. Sutan Syahrir, Pangkalan Bun, Kabupaten Kotawaringin Barat, Kalimantan Tengah",
    "head_name": "Hendrik Sitanggang",
    "head_nip": "197911232003121001",
}

# The regional office both demo facilities report to; the `kanwil` account reads its roll-up.
KALTENG = {
    "name": "Kanwil Kalimantan Tengah",
    "office_name": "Kantor Wilayah Direktorat Jenderal Pemasyarakatan Kalimantan Tengah",
    "city": "Palangka Raya",
}

BLK = "BLK Kota Palangka Raya"
LPK = "LPK Multi Karya"
UMKM = "UMKM Marajaki Kreatif"
BLK_KOBAR = "BLK Kabupaten Kotawaringin Barat"

# name -> fields; the agreement's `valid_to=None` means "expires in 30 days", so that the
# dashboard always has one partner to flag (the warning window is 60 days).
PARTNERS = {
    BLK: {
        "kind": Partner.Kind.BLK,
        "address": "Jl. G. Obos, Palangka Raya",
        "contact_person": "Ratna Sari",
        "phone": "0536-3221456",
        "certificate_code": "BLK-PKY",
        "head_name": "M. Noor Ikhsan",
        "head_title": "Perwakilan BLK Kota Palangka Raya",
        "agreement": (
            "PKS/014/BLK-PLK/I/2025",
            datetime.date(2025, 1, 6),
            datetime.date(2027, 12, 31),
        ),
    },
    LPK: {
        "kind": Partner.Kind.LPK,
        "license_number": "563/012/LPK/DISNAKER/2023",
        "address": "Jl. Rajawali No. 27, Palangka Raya",
        "contact_person": "Agus Prasetyo",
        "phone": "0812-5123-4477",
        "head_name": "Lusiana Damayanti",
        "head_title": "Direktur LPK Multi Karya",
        "agreement": (
            "PKS/07/LPK-MK/VII/2025",
            datetime.date(2025, 7, 1),
            datetime.date(2028, 6, 30),
        ),
    },
    UMKM: {
        "kind": Partner.Kind.UMKM,
        "address": "Jl. Katingan No. 5, Kasongan",
        "contact_person": "Benny",
        "phone": "0813-4990-2134",
        "head_name": "Benny",
        "head_title": "Pimpinan UMKM Marajaki Kreatif",
        "agreement": ("PKS/03/UMKM-MK/VII/2025", datetime.date(2025, 7, 14), None),
    },
}
PBN_PARTNERS = {
    BLK_KOBAR: {
        "kind": Partner.Kind.BLK,
        "address": "Jl. Pangeran Antasari, Pangkalan Bun",
        "contact_person": "Yuliani",
        "head_name": "Sapta Wijaya",
        "head_title": "Kepala BLK Kabupaten Kotawaringin Barat",
        "agreement": (
            "PKS/021/BLK-KOBAR/II/2026",
            datetime.date(2026, 2, 2),
            datetime.date(2028, 2, 1),
        ),
    },
}


@dataclass(frozen=True)
class Account:
    username: str
    first_name: str
    last_name: str
    role: str
    facility: str | None  # unit code; None for the superuser and the regional account
    partner: str | None = None
    region: str | None = None  # region name, for the regional account only


ACCOUNTS = [
    Account("admin", "Dian", "Kusuma", Role.ADMIN, "LPN.KSG"),
    Account("staff", "Fitri", "Handayani", Role.STAFF, "LPN.KSG"),
    # The Kalapas reads the dashboard and reports.
    Account("viewer", "Yurdani", "", Role.VIEWER, "LPN.KSG"),
    Account("trainer.blk", "Siti", "Rahmawati", Role.TRAINER, "LPN.KSG", BLK),
    Account("trainer.lpk", "Agus", "Prasetyo", Role.TRAINER, "LPN.KSG", LPK),
    Account("trainer.umkm", "Wulan", "Anggraini", Role.TRAINER, "LPN.KSG", UMKM),
    Account("admin.pbn", "Rina", "Marlina", Role.ADMIN, "RTN.PBN"),
    Account("trainer.pbn", "Yohanes", "Batu", Role.TRAINER, "RTN.PBN", BLK_KOBAR),
    # The regional office (Kanwil) reads both facilities' figures, never a person.
    Account("kanwil", "Lestari", "Wulandari", Role.REGIONAL, None, region=KALTENG["name"]),
    Account("superadmin", "Operator", "Nasional", Role.ADMIN, None),
]

# (registration number, full name, block, room, birth date)
KASONGAN_INMATES = [
    ("B.I-101/2025", "Ahmad Fauzi", "Blok A", "A-1", datetime.date(1990, 3, 12)),
    ("B.I-102/2025", "Rizky Pratama", "Blok A", "A-1", datetime.date(1996, 7, 2)),
    ("B.I-103/2025", "Yohanes Ungkal", "Blok A", "A-2", datetime.date(1988, 11, 23)),
    ("B.I-104/2025", "Dedi Saputra", "Blok A", "A-2", datetime.date(1993, 1, 9)),
    ("B.I-105/2025", "Hendra Gunawan", "Blok A", "A-3", datetime.date(1985, 5, 30)),
    ("B.I-106/2025", "Andreas Tingang", "Blok B", "B-1", datetime.date(1992, 9, 14)),
    ("B.I-107/2025", "Muhammad Rizal", "Blok B", "B-1", datetime.date(1998, 2, 27)),
    ("B.I-108/2025", "Sugianto", "Blok B", "B-2", datetime.date(1983, 6, 18)),
    ("B.I-109/2025", "Eko Wahyudi", "Blok B", "B-2", datetime.date(1991, 12, 5)),
    ("B.I-110/2025", "Fransiskus Nyahu", "Blok B", "B-3", datetime.date(1987, 4, 21)),
    ("B.I-111/2025", "Ramadhani", "Blok C", "C-1", datetime.date(1999, 8, 8)),
    ("B.I-112/2025", "Budi Setiawan", "Blok C", "C-1", datetime.date(1994, 10, 16)),
    ("B.I-113/2025", "Yulius Kadarman", "Blok C", "C-2", datetime.date(1986, 3, 3)),
    ("B.I-114/2025", "Agus Riyadi", "Blok C", "C-2", datetime.date(1990, 7, 25)),
    ("B.I-115/2025", "Darmawan Saleh", "Blok C", "C-3", datetime.date(1982, 1, 29)),
    ("B.I-116/2025", "Teguh Santoso", "Blok D", "D-1", datetime.date(1995, 5, 11)),
    ("B.I-117/2025", "Imanuel Ranying", "Blok D", "D-1", datetime.date(1997, 9, 30)),
    ("B.I-118/2025", "Supriadi", "Blok D", "D-2", datetime.date(1984, 12, 19)),
    ("B.I-119/2025", "Fajar Nugroho", "Blok D", "D-2", datetime.date(2000, 4, 7)),
    ("B.I-120/2025", "Stevanus Bahen", "Blok D", "D-3", datetime.date(1989, 2, 14)),
    # Not in the August program: enrolled only in the running one, or in nothing.
    ("B.I-121/2025", "Joko Susilo", "Blok A", "A-3", datetime.date(1993, 6, 1)),
    ("B.I-122/2025", "Arbani", "Blok B", "B-3", datetime.date(1991, 10, 10)),
    ("B.I-123/2025", "Yosef Lambung", "Blok C", "C-3", datetime.date(1987, 8, 17)),
    ("B.I-124/2025", "Hariyanto", "Blok D", "D-3", datetime.date(1980, 11, 2)),
    ("B.I-125/2025", "Samsul Bahri", "Blok D", "D-3", datetime.date(1994, 3, 22)),
]
PANGKALAN_BUN_INMATES = [
    ("B.I-201/2026", "Wahyu Kurniawan", "Blok Mawar", "M-1", datetime.date(1995, 2, 2)),
    ("B.I-202/2026", "Ilham Maulana", "Blok Mawar", "M-1", datetime.date(1999, 6, 12)),
    ("B.I-203/2026", "Gusti Randa", "Blok Mawar", "M-2", datetime.date(1990, 9, 9)),
    ("B.I-204/2026", "Antonius Dehen", "Blok Melati", "L-1", datetime.date(1986, 12, 1)),
    ("B.I-205/2026", "Syahrani", "Blok Melati", "L-1", datetime.date(1992, 4, 4)),
    ("B.I-206/2026", "Bayu Anggara", "Blok Melati", "L-2", datetime.date(1997, 7, 7)),
    ("B.I-207/2026", "Nanang Kosim", "Blok Anggrek", "G-1", datetime.date(1984, 5, 15)),
    ("B.I-208/2026", "Riduan", "Blok Anggrek", "G-1", datetime.date(1989, 10, 28)),
]

STONES_TITLE = "Pelatihan Kemandirian: Aksesoris Gelang dan Kalung Batu"
STONES_DESCRIPTION = (
    "Membuat aksesoris gelang dan kalung dari batu Lilis, bekerja sama dengan BLK Kota "
    "Palangka Raya, LPK Multi Karya dan UMKM Marajaki Kreatif, sebagai bekal keterampilan dan "
    "wirausaha setelah bebas."
)
# One topic a day, 08.00-12.00 (5 JP): (topic, JP, trainer username).
STONES_DAYS = [
    ("Kerajinan tangan: mengenal batu Lilis dan alat kerja", 5, "trainer.blk"),
    ("Kerajinan tangan: teknik merangkai gelang batu", 5, "trainer.blk"),
    ("Kerajinan tangan: teknik merangkai kalung batu", 5, "trainer.lpk"),
    ("Kearifan lokal: motif dan batu khas Kalimantan Tengah", 5, "trainer.lpk"),
    ("Kewirausahaan: menghitung harga, kemasan dan pemasaran", 5, "trainer.umkm"),
]

SEWING_TITLE = "Pelatihan Kemandirian: Menjahit Tas dan Dompet"
SEWING_TOPICS = [
    ("Mengenal mesin jahit dan keselamatan kerja", 4),
    ("Membuat pola dan memotong kain", 12),
    ("Menjahit tas belanja", 16),
    ("Menjahit dompet dan finishing", 12),
    ("Menghitung biaya dan harga jual", 4),
]
CATFISH_TITLE = "Pelatihan Kemandirian: Budidaya Ikan Lele"
CATFISH_TOPICS = [
    ("Menyiapkan kolam terpal", 6),
    ("Pembenihan dan pemberian pakan", 12),
    ("Menjaga kualitas air dan kesehatan ikan", 9),
    ("Panen dan pemasaran", 6),
]


def weekdays(start, end, *, days=(0, 1, 2, 3, 4), include=None):
    """The dates from start to end whose weekday is in `days`, plus `include` if given."""
    span = range((end - start).days + 1)
    dates = [start + datetime.timedelta(n) for n in span]
    return [d for d in dates if d.weekday() in days or d == include]


@transaction.atomic
def seed(*, today=None):
    """Create or refresh the demo data; return the demo accounts (about 200 queries)."""
    today = today or timezone.localdate()
    region, _created = Region.objects.update_or_create(name=KALTENG["name"], defaults=KALTENG)
    kasongan = _facility({**KASONGAN, "region": region})
    pangkalan_bun = _facility({**PANGKALAN_BUN, "region": region})
    partners = _partners(kasongan, PARTNERS, today) | _partners(pangkalan_bun, PBN_PARTNERS, today)
    users = _accounts(
        {"LPN.KSG": kasongan, "RTN.PBN": pangkalan_bun}, partners, {region.name: region}
    )
    inmates = _inmates(kasongan, KASONGAN_INMATES, today) | _inmates(
        pangkalan_bun, PANGKALAN_BUN_INMATES, today
    )

    # The story: Monday 4 to Friday 8 August 2025 in the Aula Utama, three partners.
    stones = _program(
        kasongan,
        STONES_TITLE,
        today,
        description=STONES_DESCRIPTION,
        skill_category=SkillCategory.HANDICRAFT,
        location="Aula Utama",
        start_date=datetime.date(2025, 8, 4),
        end_date=datetime.date(2025, 8, 8),
        capacity=25,
        partners=[
            (partners[BLK], ProgramPartner.Role.LEAD),
            (partners[LPK], ProgramPartner.Role.CO_TRAINER),
            (partners[UMKM], ProgramPartner.Role.MARKET),
        ],
    )
    topics = _topics(stones, [(title, jp) for title, jp, _trainer in STONES_DAYS])
    _sessions(
        stones,
        [
            (datetime.date(2025, 8, 4) + datetime.timedelta(n), topics[title], users[trainer])
            for n, (title, _jp, trainer) in enumerate(STONES_DAYS)
        ],
        start=datetime.time(8, 0),
        end=datetime.time(12, 0),
    )
    _enrol(stones, [inmates["LPN.KSG", row[0]] for row in KASONGAN_INMATES[:20]], users["staff"])
    _early_leaver(inmates["LPN.KSG", STONES_LEAVER], users["admin"])
    _leaver_follow_ups(inmates["LPN.KSG", STONES_LEAVER], users["staff"], today)
    _stones_results(stones, users["trainer.blk"])
    _close_and_issue(stones, users["admin"], today)
    _stones_events(stones, kasongan, partners)
    _stones_photos(stones, users["staff"], users["trainer.umkm"])
    _stones_products(stones, users["staff"], users["trainer.blk"], partners[UMKM])

    # Running now, one partner alone: "today's sessions" always has something to show (also on
    # a weekend, when the demo is most often opened at home).
    sewing = _program(
        kasongan,
        SEWING_TITLE,
        today,
        description="Menjahit tas belanja dan dompet dari kain untuk dijual di koperasi Lapas.",
        skill_category=SkillCategory.SEWING,
        location="Ruang Bimker",
        start_date=_running_start(SEWING_TITLE, today),
        end_date=today + datetime.timedelta(14),
        capacity=12,
        partners=[(partners[LPK], ProgramPartner.Role.LEAD)],
    )
    _spread_sessions(
        sewing,
        weekdays(sewing.start_date, sewing.end_date, include=today),
        list(_topics(sewing, SEWING_TOPICS).values()),
        users["trainer.lpk"],
        start=datetime.time(13, 0),
        end=datetime.time(16, 0),
    )
    sewing_participants = [row[0] for row in KASONGAN_INMATES[14:24]]
    _enrol(sewing, [inmates["LPN.KSG", reg] for reg in sewing_participants], users["staff"])
    _attendance_so_far(sewing, users["trainer.lpk"], today)

    catfish = _program(
        pangkalan_bun,
        CATFISH_TITLE,
        today,
        description="Budidaya ikan lele di kolam terpal di halaman belakang Rutan.",
        skill_category=SkillCategory.FISHERY,
        location="Kolam Pembinaan",
        start_date=today - datetime.timedelta(10),
        end_date=today + datetime.timedelta(11),
        capacity=10,
        partners=[(partners[BLK_KOBAR], ProgramPartner.Role.LEAD)],
    )
    _spread_sessions(
        catfish,
        weekdays(catfish.start_date, catfish.end_date, days=(0, 2, 4), include=today),
        list(_topics(catfish, CATFISH_TOPICS).values()),
        users["trainer.pbn"],
        start=datetime.time(8, 0),
        end=datetime.time(11, 0),
    )
    _enrol(
        catfish, [inmates["RTN.PBN", row[0]] for row in PANGKALAN_BUN_INMATES], users["admin.pbn"]
    )
    return [users[account.username] for account in ACCOUNTS]


def _running_start(title, today):
    """A week ago, or the first session with attendance if earlier: a running program moves
    with today, but never leaves a recorded session outside its dates."""
    first = (
        AttendanceRecord.objects.filter(session__program__title=title)
        .order_by("session__date")
        .values_list("session__date", flat=True)
        .first()
    )
    start = today - datetime.timedelta(7)
    return min(start, first) if first else start


def _facility(fields):
    facility, _created = Facility.objects.update_or_create(
        unit_code=fields["unit_code"], defaults=fields
    )
    return facility


def _partners(facility, rows, today):
    partners = {}
    for name, fields in rows.items():
        fields = dict(fields)
        number, valid_from, valid_to = fields.pop("agreement")
        partner, _created = Partner.objects.update_or_create(
            facility=facility, name=name, defaults={**fields, "is_active": True}
        )
        if valid_to is None:
            valid_to = today + datetime.timedelta(30)
            valid_from = min(valid_from, valid_to)
        PartnerAgreement.objects.update_or_create(
            partner=partner,
            number=number,
            defaults={
                "title": f"Perjanjian Kerja Sama Pembinaan Kemandirian WBP dengan {name}",
                "valid_from": valid_from,
                "valid_to": valid_to,
            },
        )
        partners[name] = partner
    return partners


def _accounts(facilities, partners, regions):
    # One hash for all new accounts: hashing is deliberately slow, and the password is shared.
    password = make_password(DEMO_PASSWORD)
    users = {}
    for account in ACCOUNTS:
        superuser = account.facility is None and account.region is None
        fields = {
            "first_name": account.first_name,
            "last_name": account.last_name,
            "role": account.role,
            "facility": facilities.get(account.facility),
            "partner": partners.get(account.partner),
            "region": regions.get(account.region),
            "is_active": True,
            "is_staff": superuser or account.role == Role.ADMIN,
            "is_superuser": superuser,
        }
        # An account that already exists keeps its password: a rerun must not undo a change.
        users[account.username], _created = User.objects.update_or_create(
            username=account.username,
            defaults=fields,
            create_defaults={**fields, "password": password},
        )
    return users


def _inmates(facility, rows, today):
    """Create the missing inmates; return {(unit code, registration number): inmate}."""
    numbers = [row[0] for row in rows]
    existing = set(
        Inmate.objects.filter(facility=facility, registration_number__in=numbers).values_list(
            "registration_number", flat=True
        )
    )
    new = [
        Inmate(
            facility=facility,
            registration_number=number,
            full_name=name,
            gender=Inmate.Gender.MALE,
            block=block,
            room=room,
            birth_date=birth_date,
            admission_date=datetime.date(2025, 1, 6) + datetime.timedelta(11 * index),
            # The last one goes home during the running program: enrolling him shows a warning.
            expected_release_date=(
                today + datetime.timedelta(10)
                if index == len(rows) - 1
                else datetime.date(2027, 6, 1) + datetime.timedelta(37 * index)
            ),
        )
        for index, (number, name, block, room, birth_date) in enumerate(rows)
        if number not in existing
    ]
    bulk_create_with_history(new, Inmate)
    return {
        (facility.unit_code, inmate.registration_number): inmate
        for inmate in Inmate.objects.filter(facility=facility, registration_number__in=numbers)
    }


def _program(facility, title, today, *, partners, **fields):
    # Created active; only closing (certificates.closing) closes one, so a rerun keeps it closed.
    program, _created = Program.objects.update_or_create(
        facility=facility,
        title=title,
        defaults={**fields, "attendance_threshold": 80},
        create_defaults={**fields, "attendance_threshold": 80, "status": Program.Status.ACTIVE},
    )
    for partner, role in partners:
        ProgramPartner.objects.update_or_create(
            program=program, partner=partner, defaults={"role": role}
        )
    return program


def _topics(program, rows):
    """Create or update the topics in order; return {title: topic}."""
    topics = {}
    for order, (title, jp) in enumerate(rows, start=1):
        topics[title], _created = ProgramTopic.objects.update_or_create(
            program=program, title=title, defaults={"order": order, "jp": jp}
        )
    return topics


def _spread_sessions(program, dates, topics, trainer, *, start, end):
    """One session per date, the topics following each other in equal blocks."""
    rows = [(date, topics[n * len(topics) // len(dates)], trainer) for n, date in enumerate(dates)]
    _sessions(program, rows, start=start, end=end)


def _sessions(program, rows, *, start, end):
    """Make the program's scheduled sessions exactly `rows` of (date, topic, trainer).

    The running programs move with today; their old sessions go unless attendance hangs on them.
    """
    wanted = {date: (topic, trainer) for date, topic, trainer in rows}
    existing = {s.date: s for s in program.sessions.filter(start_time=start)}
    TrainingSession.objects.filter(
        program=program, status=TrainingSession.Status.SCHEDULED, attendance_records__isnull=True
    ).exclude(date__in=wanted, start_time=start).delete()
    new = [
        TrainingSession(program=program, date=date, start_time=start, end_time=end, topic=topic)
        for date, (topic, _trainer) in wanted.items()
        if date not in existing
    ]
    TrainingSession.objects.bulk_create(new)
    kept = [session for date, session in existing.items() if date in wanted]
    for session in kept:
        session.end_time, session.topic = end, wanted[session.date][0]
    TrainingSession.objects.bulk_update(kept, ["end_time", "topic"])

    sessions = {s.date: s for s in program.sessions.filter(start_time=start, date__in=wanted)}
    Through = TrainingSession.trainers.through
    links = Through.objects.filter(trainingsession__in=sessions.values())
    have = set(links.values_list("trainingsession_id", "user_id"))
    want = {(sessions[date].pk, trainer.pk) for date, (_topic, trainer) in wanted.items()}
    for session_id, user_id in have - want:
        links.filter(trainingsession_id=session_id, user_id=user_id).delete()
    Through.objects.bulk_create(
        Through(trainingsession_id=session_id, user_id=user_id)
        for session_id, user_id in want - have
    )


def _enrol(program, inmates, enrolled_by):
    """Enrol the inmates not yet enrolled in the program."""
    enrolled = set(program.enrollments.values_list("inmate_id", flat=True))
    new = [
        Enrollment(
            program=program,
            inmate=inmate,
            enrolled_on=program.start_date - datetime.timedelta(3),
            enrolled_by=enrolled_by,
        )
        for inmate in inmates
        if inmate.pk not in enrolled
    ]
    bulk_create_with_history(new, Enrollment, default_user=enrolled_by)


# The August story's exceptions by participant (index by name order) and day (0 = Monday): most
# attended every day; a few fall below the threshold, one was at court (excused) and one
# attended exactly 80 %, so the recap and the completion verdicts have every case to show.
STONES_EXCEPTIONS = {
    3: {2: AttendanceStatus.ABSENT, 3: AttendanceStatus.ABSENT},
    7: {1: AttendanceStatus.LATE},
    9: {4: AttendanceStatus.COURT},
    12: {1: AttendanceStatus.SICK, 3: AttendanceStatus.EXCUSED},
    15: {2: AttendanceStatus.EXCUSED},
}
STONES_NOT_YET_COMPETENT = {12}
# Released on the Wednesday: not in the running program, so the departure closes only this one.
STONES_LEAVER = "B.I-104/2025"
STONES_LEAVER_DATE = datetime.date(2025, 8, 6)


def _stones_results(program, trainer):
    """Attendance and assessment of the finished August program, written once."""
    if AttendanceRecord.objects.filter(session__program=program).exists():
        return
    sessions = list(program.sessions.order_by("date", "start_time"))
    enrollments = list(program.enrollments.select_related("inmate").order_by("inmate__full_name"))
    now = timezone.now()
    records = []
    for index, enrollment in enumerate(enrollments):
        exceptions = STONES_EXCEPTIONS.get(index, {})
        for day, session in enumerate(sessions):
            if not is_listed(enrollment, session.date):
                continue
            status = exceptions.get(day, AttendanceStatus.PRESENT)
            records.append(
                AttendanceRecord(
                    session=session,
                    enrollment=enrollment,
                    status=status,
                    minutes_late=15 if status == AttendanceStatus.LATE else None,
                    recorded_by=trainer,
                    recorded_at=now,
                )
            )
        enrollment.pre_test_score = 40 + (index * 7) % 25
        enrollment.post_test_score = 70 + (index * 11) % 26
        enrollment.practical_score = 72 + (index * 5) % 21
        enrollment.assessment_result = (
            Enrollment.Result.NOT_YET_COMPETENT
            if index in STONES_NOT_YET_COMPETENT
            else Enrollment.Result.COMPETENT
        )
    bulk_create_with_history(records, AttendanceRecord, default_user=trainer)
    _mark_held(records)
    bulk_update_with_history(
        enrollments,
        Enrollment,
        ["pre_test_score", "post_test_score", "practical_score", "assessment_result"],
        default_user=trainer,
    )


def _mark_held(records):
    # What attendance.services.save_attendance does for a session whose attendance is recorded.
    TrainingSession.objects.filter(
        pk__in={record.session_id for record in records}, status=TrainingSession.Status.SCHEDULED
    ).update(status=TrainingSession.Status.HELD)


def _early_leaver(inmate, admin):
    """Released on the Wednesday of the August week: a statement of participation, not a
    certificate. Recorded once, through the departure workflow."""
    if inmate.status == Inmate.Status.ACTIVE:
        record_departure(
            inmate=inmate, kind=Inmate.Status.RELEASED, date=STONES_LEAVER_DATE, by=admin
        )


# What became of Dedi after his release, as Bapas and he himself told the staff: (milestone,
# contacted on, the FollowUp fields). The 12-month follow-up is left for the staff to record:
# the follow-up list and the dashboard show it overdue.
LEAVER_FOLLOW_UPS = [
    (
        FollowUp.Milestone.MONTHS_3,
        datetime.date(2025, 11, 10),
        {
            "source": FollowUp.Source.BAPAS,
            "status": FollowUp.Status.LOOKING,
            "income_band": FollowUp.IncomeBand.NONE,
            "note": "Melapor rutin ke Bapas Palangka Raya; mencari modal untuk membuat gelang.",
        },
    ),
    (
        FollowUp.Milestone.MONTHS_6,
        datetime.date(2026, 2, 9),
        {
            "source": FollowUp.Source.SELF,
            "status": FollowUp.Status.OWN_BUSINESS,
            "employer": "Gelang dan kalung batu Lilis, dijual di pasar dan lewat UMKM",
            "uses_skill": True,
            "income_band": FollowUp.IncomeBand.BELOW_1M,
            "note": "Menitipkan hasil karyanya di UMKM Marajaki Kreatif.",
        },
    ),
]


def _leaver_follow_ups(inmate, staff, today):
    """Dedi agreed to follow-up at his release; the 3- and 6-month follow-ups were recorded.
    Once only: a demo user's own answers are kept."""
    if FollowUpConsent.objects.filter(inmate=inmate).exists():
        return
    record_consent(inmate=inmate, consented=True, on=STONES_LEAVER_DATE, by=staff)
    for milestone, contacted_on, values in LEAVER_FOLLOW_UPS:
        if contacted_on <= today:
            values = {"contacted_on": contacted_on, "reached": True, **values}
            record_follow_up(inmate=inmate, milestone=milestone, values=values, by=staff)


def _close_and_issue(program, admin, today):
    """Close the August program and issue its papers dated at its end, as the Lapas did."""
    program.refresh_from_db()
    if not program.is_closed:
        close_program(program=program, by=admin, today=today)
        # Closed that afternoon, as the story goes, not on the day the demo is loaded: the
        # activity report is dated by its program's closing.
        closed_at = timezone.make_aware(
            datetime.datetime.combine(program.end_date, datetime.time(16, 0))
        )
        Program.objects.filter(pk=program.pk).update(closed_at=closed_at)
        program.status_changes.filter(action=ProgramStatusChange.Action.CLOSED).update(at=closed_at)
    if program.enrollments.filter(certificates__isnull=False).exists():
        return
    issue_certificates(program=program, by=admin, issued_on=program.end_date)
    leaver = program.enrollments.get(inmate__registration_number=STONES_LEAVER)
    issue_statement(enrollment=leaver, by=admin, issued_on=program.end_date)


# The August program's opening and closing: (kind, date, time, notes, guests), where a guest is
# "head" (the Kalapas) or a partner's name (its head, who came for it). In the Aula Utama.
STONES_EVENTS = [
    (
        ProgramEvent.Kind.OPENING,
        datetime.date(2025, 8, 4),
        datetime.time(8, 0),
        "Pelatihan dibuka secara resmi oleh Kepala Lapas, dihadiri perwakilan BLK Kota Palangka "
        "Raya dan pimpinan UMKM Marajaki Kreatif, dan diikuti 20 warga binaan.",
        ["head", BLK, UMKM],
    ),
    (
        ProgramEvent.Kind.CLOSING,
        datetime.date(2025, 8, 8),
        datetime.time(13, 0),
        "Penutupan pelatihan dan penyerahan sertifikat kepada peserta yang dinyatakan kompeten.",
        ["head", BLK, LPK],
    ),
]


def _stones_events(program, facility, partners):
    """The opening and the closing with their guests, brought back to the story on every run
    (a guest a demo user added stays)."""
    people = {"head": (facility.head_name, facility.head_office, facility.name)} | {
        name: (partner.head_name, partner.head_title, partner.name)
        for name, partner in partners.items()
    }
    for kind, date, time, notes, guests in STONES_EVENTS:
        event, _created = ProgramEvent.objects.update_or_create(
            program=program,
            kind=kind,
            defaults={"date": date, "start_time": time, "place": "Aula Utama", "notes": notes},
        )
        for order, guest in enumerate(guests, start=1):
            name, position, organisation = people[guest]
            ProgramEventGuest.objects.update_or_create(
                event=event,
                order=order,
                defaults={"name": name, "position": position, "organisation": organisation},
            )


# Documentation of the August week: (day, drawing, caption, text on the picture's strip).
STONES_SESSION_PHOTOS = [
    (
        0,
        demo_photos.hall,
        "Pembukaan pelatihan oleh Kalapas di Aula Utama",
        "Dokumentasi · Senin, 4 Agustus 2025 · Aula Utama",
    ),
    (
        1,
        demo_photos.worktable,
        "Peserta merangkai gelang batu Lilis",
        "Dokumentasi · Selasa, 5 Agustus 2025 · Aula Utama",
    ),
    (
        2,
        demo_photos.worktable,
        "Praktik merangkai kalung batu bersama instruktur LPK Multi Karya",
        "Dokumentasi · Rabu, 6 Agustus 2025 · Aula Utama",
    ),
]
# Products (hasil karya): (drawing, caption, strip text, maker's registration number or None
# for group work).
STONES_PRODUCT_PHOTOS = [
    (
        demo_photos.bracelets,
        "Gelang batu Lilis hasil karya peserta",
        "Hasil karya WBP Lapas Narkotika Kasongan · Gelang batu Lilis",
        "B.I-101/2025",
    ),
    (
        demo_photos.necklace,
        "Kalung batu Lilis dengan liontin batu hijau",
        "Hasil karya WBP Lapas Narkotika Kasongan · Kalung batu Lilis",
        None,
    ),
    (
        demo_photos.bracelets,
        "Gelang batu Lilis warna alami siap dikemas untuk dipasarkan",
        "Hasil karya WBP · dipasarkan bersama UMKM Marajaki Kreatif",
        None,
    ),
]


def _stones_photos(program, staff, market_trainer):
    """Session and product photos of the August program, each added once, through the upload
    form's sanitising like any photo."""
    sessions = list(program.sessions.order_by("date", "start_time"))
    demo_photos.seed_session_photos(sessions, STONES_SESSION_PHOTOS, staff)
    enrollments = program.enrollments.select_related("inmate").order_by("pk")
    demo_photos.seed_product_photos(program, STONES_PRODUCT_PHOTOS, enrollments, market_trainer)


# The August program's products (hasil karya): (name, kind, material, unit price), a batch of
# each made by some participants, sold mostly through UMKM Marajaki Kreatif.
STONES_PRODUCTS = [
    ("Gelang batu Lilis", "Gelang", "Batu Lilis, tali kulit", 25_000),
    ("Kalung batu Lilis", "Kalung", "Batu Lilis, liontin batu hijau", 45_000),
]


def _stones_products(program, staff, trainer, umkm):
    """Two batches made during the August week, sales through the UMKM and at an exhibition,
    a refund, a loss and the first PNBP deposit, recorded once through programs.products."""
    if program.products.exists():
        return
    gelang, kalung = (
        Product.objects.create(
            program=program, name=name, kind=kind, material=material, unit_price=price
        )
        for name, kind, material, price in STONES_PRODUCTS
    )
    makers = list(program.enrollments.filter(status__in=Enrollment.STAYING_STATUSES).order_by("pk"))
    bracelets = record_batch(
        product=gelang,
        date=datetime.date(2025, 8, 6),
        quantity=40,
        makers=[(enrollment, 1) for enrollment in makers[:10]],
        recorded_by=trainer,
    )
    necklaces = record_batch(
        product=kalung,
        date=datetime.date(2025, 8, 7),
        quantity=15,
        # The pieces each made: the first two made four each.
        makers=[(enrollment, 4 if n < 2 else 1) for n, enrollment in enumerate(makers[10:17])],
        recorded_by=trainer,
    )
    through_umkm = {"channel": Sale.Channel.PARTNER, "partner": umkm, "recorded_by": staff}
    first = record_sale(
        batch=bracelets,
        date=datetime.date(2025, 8, 15),
        quantity=25,
        unit_price=25_000,
        buyer="UMKM Marajaki Kreatif",
        receipt_number="MK/2025/081",
        **through_umkm,
    )
    record_sale(
        batch=necklaces,
        date=datetime.date(2025, 8, 15),
        quantity=10,
        unit_price=45_000,
        buyer="UMKM Marajaki Kreatif",
        receipt_number="MK/2025/082",
        **through_umkm,
    )
    record_sale(
        batch=bracelets,
        date=datetime.date(2025, 8, 17),
        quantity=6,
        unit_price=30_000,
        channel=Sale.Channel.DIRECT,
        buyer="Pengunjung pameran HUT RI",
        recorded_by=staff,
    )
    refund_sale(
        sale=first,
        date=datetime.date(2025, 8, 18),
        quantity=1,
        reason="Tali gelang putus, dikembalikan oleh UMKM.",
        recorded_by=staff,
    )
    record_loss(
        batch=bracelets,
        date=datetime.date(2025, 8, 18),
        quantity=2,
        reason="Batu retak saat pengemasan.",
        recorded_by=staff,
    )
    # 24 x 25.000 = 600.000 net; its PNBP at the default 40% is 240.000.
    record_deposit(
        program=program,
        date=datetime.date(2025, 8, 25),
        amount=240_000,
        reference="NTPN 8A2F41C09D3E7B55",
        sales=[first],
        recorded_by=staff,
    )


def _attendance_so_far(program, trainer, today):
    """The running program's attendance up to yesterday, but for its last past session: that
    one is left unrecorded, so the program page shows what a forgotten daftar hadir looks like."""
    past = list(
        program.sessions.filter(date__lt=today, status=TrainingSession.Status.SCHEDULED)
        .exclude(attendance_records__isnull=False)
        .order_by("date")
    )[:-1]
    enrollments = list(program.enrollments.order_by("pk"))
    now = timezone.now()
    records = [
        AttendanceRecord(
            session=session,
            enrollment=enrollment,
            status=AttendanceStatus.SICK if n % 7 == 3 else AttendanceStatus.PRESENT,
            recorded_by=trainer,
            recorded_at=now,
        )
        for session in past
        for n, enrollment in enumerate(enrollments)
        if is_listed(enrollment, session.date)
    ]
    bulk_create_with_history(records, AttendanceRecord, default_user=trainer)
    _mark_held(records)
