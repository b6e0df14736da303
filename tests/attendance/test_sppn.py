"""The monthly SPPN export: its rule against a month counted by hand, the page, the files."""

import csv
import datetime
import io
from decimal import Decimal
from html.parser import HTMLParser

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from attendance import sppn
from attendance.models import AttendanceRecord
from lapas_training.models import AuditEvent, Region, Role
from programs.models import Enrollment, TrainingSession
from tests.factories import (
    EnrollmentFactory,
    InmateFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.helpers import assert_answer, page

PAGE = "attendance:sppn"
EXPORT = "attendance:sppn_export"
AUGUST = {"month": "2025-08"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def day(month, number, *, start=(8, 0), end=(12, 0)):
    """Keyword arguments of a session on `number` of month `month` (2025), 08.00-12.00 (5 JP)."""
    return {
        "date": datetime.date(2025, month, number),
        "start_time": datetime.time(*start),
        "end_time": datetime.time(*end),
    }


def participant(program, name, registration_number, marks, **enrolment):
    """Enrol `name` in `program` and record `marks`, a {session: status} dict."""
    inmate = InmateFactory(
        facility=program.facility, full_name=name, registration_number=registration_number
    )
    enrollment = EnrollmentFactory(program=program, inmate=inmate, **enrolment)
    AttendanceRecord.objects.bulk_create(
        AttendanceRecord(session=session, enrollment=enrollment, status=status)
        for session, status in marks.items()
    )
    return enrollment


@pytest.fixture
def august(program, other_program, outside_program):
    """August 2025 in Kasongan, counted by hand in `EXPECTED`.

    `program` (Aksesoris) meets on 4-8, 11 and 12 August; the 8th is 08.00-10.15 (3 JP) and
    the 6th 08.00-11.00 (4 JP), the others 5 JP. Its session of 13 August is cancelled, those
    of 31 July and 1 September are outside the month: marks there never count.
    `other_program` (Menjahit Dasar) meets on 20 and 21 August, 09.00-10.30 (2 JP each).
    """
    s = {
        key: TrainingSessionFactory(program=program, **kwargs)
        for key, kwargs in {
            "jul31": day(7, 31),
            "aug4": day(8, 4),
            "aug5": day(8, 5),
            "aug6": day(8, 6, end=(11, 0)),
            "aug7": day(8, 7),
            "aug8": day(8, 8, end=(10, 15)),
            "aug11": day(8, 11),
            "aug12": day(8, 12),
            "sep1": day(9, 1),
        }.items()
    }
    s["aug13"] = TrainingSessionFactory(
        program=program,
        status=TrainingSession.Status.CANCELLED,
        cancel_reason="Razia blok",
        cancelled_at=timezone.now(),
        **day(8, 13),
    )
    sewing = [
        TrainingSessionFactory(program=other_program, **day(8, number, start=(9, 0), end=(10, 30)))
        for number in (20, 21)
    ]
    budi = participant(
        program,
        "Budi Santoso",
        "B.I-001/2025",
        {
            s["jul31"]: "H",
            s["aug4"]: "H",
            s["aug5"]: "T",
            s["aug6"]: "I",
            s["aug7"]: "S",
            s["aug8"]: "A",
            s["aug11"]: "sidang",
            # 12 August: no mark.
            s["aug13"]: "H",
            s["sep1"]: "H",
        },
        enrolled_on=datetime.date(2025, 7, 28),
        pre_test_score="40.50",
        post_test_score="75.00",
        practical_score="80.00",
        assessment_result=Enrollment.Result.COMPETENT,
    )
    budi_sewing = EnrollmentFactory(
        program=other_program, inmate=budi.inmate, enrolled_on=datetime.date(2025, 8, 1)
    )
    AttendanceRecord.objects.bulk_create(
        [
            AttendanceRecord(session=sewing[0], enrollment=budi_sewing, status="H"),
            AttendanceRecord(session=sewing[1], enrollment=budi_sewing, status="klinik"),
        ]
    )
    # Enrolled on 7 August: the sessions before are not hers, even with a mark.
    participant(
        program,
        "Siti Aminah",
        "B.II-002/2025",
        {s["aug4"]: "H", s["aug7"]: "H", s["aug8"]: "H", s["aug11"]: "T", s["aug12"]: "H"},
        enrolled_on=datetime.date(2025, 8, 7),
    )
    # Released on 8 August: listed up to the 7th only.
    participant(
        program,
        "Agus Salim",
        "B.I-003/2025",
        {s["aug4"]: "H", s["aug5"]: "H", s["aug6"]: "A", s["aug7"]: "H", s["aug8"]: "bebas"},
        enrolled_on=datetime.date(2025, 8, 1),
        status=Enrollment.Status.RELEASED,
        ended_on=datetime.date(2025, 8, 8),
        end_reason="Bebas bersyarat",
        practical_score="55.50",
        assessment_result=Enrollment.Result.NOT_YET_COMPETENT,
    )
    # Enrolled in September: nothing planned in August, no row.
    participant(
        program,
        "Dewi Lestari",
        "B.I-004/2025",
        {s["sep1"]: "H"},
        enrolled_on=datetime.date(2025, 9, 1),
    )
    # Another facility's inmate, in its own program that meets in August.
    outside_session = TrainingSessionFactory(program=outside_program, **day(8, 5))
    participant(outside_program, "Rahmat Hidayat", "B.I-001/2025", {outside_session: "H"})


HEADER = [
    "No.",
    "Registration number",
    "Name",
    "Program",
    "Sessions planned",
    "Attended (H+T)",
    "On time (H)",
    "Late (T)",
    "Excused (I)",
    "Sick (S)",
    "Absent (A and not marked)",
    "Of which not marked",
    "Custody-excused",
    "JP attended",
    "Attendance (%)",
    "Pre-test",
    "Post-test",
    "Practical",
    "Assessment result",
    "Enrolment status",
]
AKSESORIS = "Aksesoris Gelang dan Kalung Batu"
# Counted by hand from the `august` fixture, in the order of HEADER (None: nothing recorded).
# fmt: off
EXPECTED = [
    # Agus: 4-7 Aug (released on the 8th): H H A H; JP 5+5+5; 3 / 4.
    [1, "B.I-003/2025", "Agus Salim", AKSESORIS, 4, 3, 3, 0, 0, 0, 1, 0, 0, 15, Decimal("75.0"),
     None, None, Decimal("55.50"), "Belum kompeten", "Released"],
    # Budi: H T I S A sidang and 12 Aug unmarked; JP 5+5; 2 / (7 - 1).
    [2, "B.I-001/2025", "Budi Santoso", AKSESORIS, 7, 2, 1, 1, 1, 1, 2, 1, 1, 10, Decimal("33.3"),
     Decimal("40.50"), Decimal("75.00"), Decimal("80.00"), "Kompeten", "Active"],
    # Budi at sewing: H and klinik; JP 2; 1 / (2 - 1).
    [3, "B.I-001/2025", "Budi Santoso", "Menjahit Dasar", 2, 1, 1, 0, 0, 0, 0, 0, 1, 2,
     Decimal("100.0"), None, None, None, None, "Active"],
    # Siti, from 7 Aug: H H T H; JP 5+3+5+5; 4 / 4.
    [4, "B.II-002/2025", "Siti Aminah", AKSESORIS, 4, 4, 3, 1, 0, 0, 0, 0, 0, 18, Decimal("100.0"),
     None, None, None, None, "Active"],
]
# fmt: on
# planned, attended, H, T, I, S, absent, not marked, custody, JP, % (10 / (17 - 2)).
EXPECTED_TOTALS = [17, 10, 8, 2, 1, 1, 3, 1, 2, 45, Decimal("66.6")]


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return b"".join(response)


def csv_rows(response):
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


def as_csv(row):
    return ["" if value is None else str(value) for value in row]


def xlsx_rows(response):
    """The sheet's rows, each without the empty cells that pad it to the sheet's width."""
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    return rows


def as_xlsx(row):
    """`row` as openpyxl reads it back: decimals as floats."""
    return [float(value) if isinstance(value, Decimal) else value for value in row]


# The rule ---------------------------------------------------------------------------------------


def test_sppn_rows_match_the_hand_count(facility, august):
    rows = sppn.monthly_rows(facility, datetime.date(2025, 8, 1))
    got = [
        [
            row.inmate.full_name,
            row.program.title,
            row.planned,
            row.attended,
            row.present,
            row.late,
            row.excused,
            row.sick,
            row.absent,
            row.not_marked,
            row.custody,
            row.jp_attended,
            row.percent,
        ]
        for row in rows
    ]
    assert got == [[row[2], *row[3:15]] for row in EXPECTED]
    totals = sppn.totals(rows)
    assert (totals.rows, totals.inmates) == (4, 3)
    assert [*(getattr(totals, name) for name in sppn.COUNTS), totals.percent] == (EXPECTED_TOTALS)


def test_sppn_month_in_progress_counts_sessions_up_to_today(facility, august):
    rows = sppn.monthly_rows(facility, datetime.date(2025, 8, 1), today=datetime.date(2025, 8, 7))
    budi = next(
        row
        for row in rows
        if row.program.title == AKSESORIS and row.inmate.full_name == "Budi Santoso"
    )
    # 4-7 August: H T I S; the 8th and later have not come yet.
    assert (budi.planned, budi.attended, budi.absent, budi.not_marked) == (4, 2, 0, 0)
    assert str(budi.percent) == "50.0"
    # Sewing starts on the 20th: no row yet.
    assert [row.program.title for row in rows].count("Menjahit Dasar") == 0


def test_sppn_month_without_sessions_has_no_rows(facility, august, django_assert_num_queries):
    with django_assert_num_queries(1):  # the sessions
        assert sppn.monthly_rows(facility, datetime.date(2025, 10, 1)) == []


def test_sppn_all_custody_has_no_percentage(facility, program):
    session = TrainingSessionFactory(program=program, **day(8, 4))
    participant(program, "Budi Santoso", "B.I-001/2025", {session: "sidang"})
    [row] = sppn.monthly_rows(facility, datetime.date(2025, 8, 1))
    assert (row.planned, row.custody, row.percent) == (1, 1, None)


# Access -----------------------------------------------------------------------------------------


@pytest.fixture
def regional_user(facility):
    region = Region.objects.create(name="Kanwil Kalimantan Tengah")
    facility.region = region
    facility.save(update_fields=["region"])
    return UserFactory(username="kanwil", facility=None, role=Role.REGIONAL, region=region)


@pytest.fixture
def cast(users, regional_user, superuser):
    return {**users, "regional": regional_user, "superuser": superuser}


ACCESS = [
    (None, "login"),
    ("admin", 200),
    ("staff", 200),
    ("viewer", 200),
    ("trainer", 403),
    ("regional", 403),
    ("superuser", 200),
]


@pytest.mark.parametrize(("role", "expected"), ACCESS)
def test_sppn_page_access(client_for, cast, august, role, expected):
    response = client_for(cast.get(role)).get(reverse(PAGE), AUGUST)
    assert_answer(response, expected)
    if expected == 200:
        assert "Budi Santoso" in page(response)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(("role", "expected"), ACCESS)
def test_sppn_export_access(client_for, cast, august, role, expected, fmt):
    response = client_for(cast.get(role)).get(reverse(EXPORT, args=[fmt]), AUGUST)
    assert_answer(response, expected)
    if expected == 200:
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
        assert [row[2] for row in rows if "Budi Santoso" in row] == ["Budi Santoso", "Budi Santoso"]


def test_sppn_of_another_facility_shows_only_its_own_inmates(client_for, outside_admin, august):
    client = client_for(outside_admin)
    html = page(client.get(reverse(PAGE), AUGUST))
    assert "Rahmat Hidayat" in html
    assert "Budi Santoso" not in html
    rows = csv_rows(client.get(reverse(EXPORT, args=["csv"]), AUGUST))
    assert [row[2] for row in rows[1:]] == ["Rahmat Hidayat"]


@pytest.mark.parametrize("name", [PAGE, EXPORT])
def test_sppn_refuses_post(client_for, admin_user, name):
    args = [] if name == PAGE else ["csv"]
    assert client_for(admin_user).post(reverse(name, args=args), AUGUST).status_code == 405


@pytest.mark.parametrize("fmt", ["pdf", "XLSX", "json"])
def test_sppn_export_unknown_format_is_not_found(client_for, admin_user, fmt):
    assert client_for(admin_user).get(reverse(EXPORT, args=[fmt]), AUGUST).status_code == 404


# The page ---------------------------------------------------------------------------------------


def table_rows(html, section):
    """The text of each cell of each row of the page's table `section` (tbody or tfoot)."""
    reader = _TableReader(section)
    reader.feed(html)
    return reader.rows


class _TableReader(HTMLParser):
    def __init__(self, section):
        super().__init__()
        self.section, self.inside, self.rows, self.cell = section, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == self.section:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in {"td", "th"}:
            self.cell = []

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def handle_endtag(self, tag):
        if tag == self.section:
            self.inside = False
        elif self.cell is not None and tag in {"td", "th"}:
            self.rows[-1].append(" ".join(" ".join(self.cell).split()))
            self.cell = None


def as_page(row):
    """An EXPECTED row as the page shows it: name and number in one cell, scores without
    ".00", a dash for nothing."""
    _number, registration_number, name, *counts, pre, post, practical, result, status = row
    scores = [
        score if score is None or score % 1 else int(score) for score in (pre, post, practical)
    ]
    cells = [*counts, *scores, result, status]
    return [f"{name} {registration_number}", *("–" if v is None else str(v) for v in cells)]


def test_sppn_page_shows_rows_totals_and_downloads(client_for, viewer_user, august):
    html = page(client_for(viewer_user).get(reverse(PAGE), AUGUST))
    assert "August 2025" in html
    assert "4 rows (one per inmate and program)." in html
    assert table_rows(html, "tbody") == [as_page(row) for row in EXPECTED]
    [totals] = table_rows(html, "tfoot")
    assert totals == ["Total", "3 inmates", *(str(value) for value in EXPECTED_TOTALS), ""]
    for fmt in ["xlsx", "csv"]:
        assert f'{reverse(EXPORT, args=[fmt])}?month=2025-08"' in html
    assert "Rahmat Hidayat" not in html
    assert "Dewi Lestari" not in html


def test_sppn_page_defaults_to_the_previous_month(client_for, staff_user):
    response = client_for(staff_user).get(reverse(PAGE))
    first = timezone.localdate().replace(day=1)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    html = page(response)
    assert f'type="month" name="month" value="{previous:%Y-%m}"' in html
    assert f'max="{first:%Y-%m}"' in html
    assert "No sessions planned for anyone in this month." in html
    assert reverse(EXPORT, args=["csv"]) not in html


def test_sppn_page_of_the_current_month_says_it_is_not_over(client_for, staff_user):
    today = timezone.localdate()
    html = page(client_for(staff_user).get(reverse(PAGE), {"month": f"{today:%Y-%m}"}))
    assert "This month is not over: the figures count the sessions up to" in html


def test_sppn_export_without_a_month_takes_the_previous_one(client_for, staff_user):
    previous = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    response = client_for(staff_user).get(reverse(EXPORT, args=["csv"]))
    assert f'filename="sppn-LPN.KSG-{previous:%Y-%m}.csv"' in response["Content-Disposition"]
    assert csv_rows(response) == [HEADER]


def test_sppn_page_shows_first_rows_and_counts_all(client_for, staff_user, program):
    session = TrainingSessionFactory(program=program, **day(8, 4))
    for number in range(25):
        participant(program, f"Peserta {number:02d}", f"B.I-{number:03d}/2025", {session: "H"})
    html = page(client_for(staff_user).get(reverse(PAGE), AUGUST))
    assert "25 rows (one per inmate and program)." in html
    assert "The first 20 are shown" in html
    assert "Peserta 19" in html
    assert "Peserta 20" not in html
    assert table_rows(html, "tfoot")[0][:3] == ["Total", "25 inmates", "25"]


# Bad input --------------------------------------------------------------------------------------

BAD_MONTHS = [
    ("2025-13", "Enter a month as YYYY-MM, e.g. 2025-08."),
    ("2025-08-01", "Enter a month as YYYY-MM, e.g. 2025-08."),
    ("Agustus", "Enter a month as YYYY-MM, e.g. 2025-08."),
    ("", "Choose a month."),
    ("9999-12", "This month has not begun yet."),
    ("1999-12", "Choose a month from 2000 onwards."),
]


@pytest.mark.parametrize(("month", "error"), BAD_MONTHS)
def test_sppn_page_bad_month_shows_the_error(client_for, staff_user, august, month, error):
    response = client_for(staff_user).get(reverse(PAGE), {"month": month})
    assert response.status_code == 200
    html = page(response)
    assert error in html
    assert "is-invalid" in html
    assert "Budi Santoso" not in html
    assert reverse(EXPORT, args=["csv"]) not in html


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(("month", "error"), BAD_MONTHS)
def test_sppn_export_bad_month_exports_nothing(client_for, staff_user, august, month, error, fmt):
    response = client_for(staff_user).get(reverse(EXPORT, args=[fmt]), {"month": month})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert error in page(response)
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()


def test_sppn_bad_month_error_in_indonesian(client_for, staff_user):
    staff_user.language = "id"
    staff_user.save(update_fields=["language"])
    html = page(client_for(staff_user).get(reverse(PAGE), {"month": "2025-13"}))
    assert "Isikan bulan dengan format TTTT-BB, misalnya 2025-08." in html


# Downloads --------------------------------------------------------------------------------------


def test_sppn_csv_matches_the_hand_count(client_for, staff_user, august):
    response = client_for(staff_user).get(reverse(EXPORT, args=["csv"]), AUGUST)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="sppn-LPN.KSG-2025-08.csv"' in response["Content-Disposition"]
    assert csv_rows(response) == [HEADER, *(as_csv(row) for row in EXPECTED)]


def test_sppn_xlsx_matches_the_hand_count(client_for, staff_user, august):
    response = client_for(staff_user).get(reverse(EXPORT, args=["xlsx"]), AUGUST)
    assert response["Content-Type"] == XLSX_TYPE
    assert 'filename="sppn-LPN.KSG-2025-08.xlsx"' in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert rows[0] == ["Facility", "Lapas Narkotika Kelas IIA Kasongan"]
    assert rows[1] == ["Month", "August 2025"]
    table = rows[rows.index(HEADER) + 1 :]
    assert table == [as_xlsx(row) for row in EXPECTED]


def test_sppn_export_is_audited(client_for, staff_user, august):
    client_for(staff_user).get(reverse(EXPORT, args=["xlsx"]), AUGUST)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert (event.user, event.facility_id, event.detail) == (
        staff_user,
        staff_user.facility_id,
        "SPPN 2025-08 (XLSX)",
    )


def test_sppn_headers_are_indonesian_by_default(client_for, staff_user, settings, august):
    settings.LANGUAGE_CODE = "id"
    client = client_for(staff_user)
    header = csv_rows(client.get(reverse(EXPORT, args=["csv"]), AUGUST))[0]
    assert header[:6] == [
        "No.",
        "Nomor registrasi",
        "Nama",
        "Program",
        "Sesi terjadwal",
        "Hadir (H+T)",
    ]
    assert csv_rows(client.get(reverse(EXPORT, args=["csv"]), AUGUST))[3][-1] == "Aktif"
    html = page(client.get(reverse(PAGE), AUGUST))
    assert "Agustus 2025" in html
    assert "Ekspor bulanan SPPN" in html


def test_sppn_files_keep_formulas_as_text(client_for, staff_user, program):
    session = TrainingSessionFactory(program=program, **day(8, 4))
    name = '=HYPERLINK("http://evil.example","Klik")'
    participant(program, name, "+62-1", {session: "H"})
    client = client_for(staff_user)
    row = csv_rows(client.get(reverse(EXPORT, args=["csv"]), AUGUST))[1]
    assert row[1:3] == ["'+62-1", "'" + name]
    table = xlsx_rows(client.get(reverse(EXPORT, args=["xlsx"]), AUGUST))
    assert table[-1][1:3] == ["'+62-1", "'" + name]


# Queries ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("inmates", [5, 50])
def test_sppn_query_count_is_fixed(
    client_for, staff_user, program, other_program, django_assert_num_queries, inmates
):
    sessions = [TrainingSessionFactory(program=program, **day(8, n)) for n in (4, 5, 6)]
    sessions += [TrainingSessionFactory(program=other_program, **day(8, n)) for n in (18, 19)]
    for number in range(inmates):
        enrollment = participant(
            program,
            f"Peserta {number:02d}",
            f"B.I-{number:03d}/2025",
            dict(zip(sessions[:3], "HTA", strict=True)),
        )
        participant_in_other = EnrollmentFactory(program=other_program, inmate=enrollment.inmate)
        AttendanceRecord.objects.create(
            session=sessions[3], enrollment=participant_in_other, status="sidang"
        )
    client = client_for(staff_user)
    # 1 session, 2 user, 3 user's facility (scope), 4 the month's sessions, 5 the enrolments
    # with inmate and program, 6 the attendance records.
    with django_assert_num_queries(6):
        response = client.get(reverse(PAGE), AUGUST)
    assert f"{inmates * 2} rows" in page(response)
    # The same and the audit event's INSERT; the CSV's rows are built before it streams.
    with django_assert_num_queries(7):
        response = client.get(reverse(EXPORT, args=["csv"]), AUGUST)
        assert len(csv_rows(response)) == 1 + inmates * 2
    with django_assert_num_queries(7):
        response = client.get(reverse(EXPORT, args=["xlsx"]), AUGUST)
