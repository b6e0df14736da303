"""The recap page of a program and its XLSX, CSV and PDF forms."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from attendance.models import AttendanceRecord
from programs.models import TrainingSession
from tests.factories import EnrollmentFactory, InmateFactory, TrainingSessionFactory
from tests.helpers import assert_answer, page

RECAP = "attendance:recap"
EXPORT = "attendance:recap_export"
HYPERLINK = '=HYPERLINK("http://evil.example","Klik")'
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAYS = [datetime.date(2025, 8, 4) + datetime.timedelta(days=n) for n in range(5)]


def add_participant(program, name, marks, block="Blok C-7"):
    """Enrol `name` and mark them at the program's sessions (by date) with `marks`."""
    inmate = InmateFactory(facility=program.facility, full_name=name, block=block)
    enrollment = EnrollmentFactory(program=program, inmate=inmate)
    sessions = TrainingSession.objects.filter(program=program).order_by("date", "start_time")
    AttendanceRecord.objects.bulk_create(
        AttendanceRecord(session=session, enrollment=enrollment, status=status)
        for session, status in zip(sessions, marks, strict=False)
        if status
    )
    return enrollment


@pytest.fixture
def recap_program(program):
    """Five sessions (the fifth cancelled) and three participants."""
    for date in DAYS[:4]:
        TrainingSessionFactory(program=program, date=date)
    TrainingSessionFactory(
        program=program,
        date=DAYS[4],
        status=TrainingSession.Status.CANCELLED,
        cancel_reason="Razia blok",
        cancelled_at=timezone.now(),
    )
    add_participant(program, "Budi Santoso", ["H", "H", "H", "A"])
    add_participant(program, "Siti Aminah", ["H", "T", "sidang", "H"])
    add_participant(program, HYPERLINK, ["H", "H", "I", ""])
    return program


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return b"".join(response)


# Access -----------------------------------------------------------------------------------------


ACCESS = [
    (None, "login"),
    ("admin", 200),
    ("staff", 200),
    ("viewer", 200),
    ("trainer", 200),
    ("other_trainer", 404),
    ("outsider", 404),
]


@pytest.fixture
def cast(users, other_trainer_user, superuser):
    return {**users, "other_trainer": other_trainer_user, "superuser": superuser}


@pytest.mark.parametrize(("role", "expected"), [*ACCESS, ("superuser", 200)])
def test_recap_access(client_for, cast, recap_program, role, expected):
    response = client_for(cast.get(role)).get(reverse(RECAP, args=[recap_program.pk]))
    assert_answer(response, expected)
    if expected == 200:
        assert "Budi Santoso" in page(response)


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
@pytest.mark.parametrize(("role", "expected"), ACCESS)
def test_recap_export_access(client_for, cast, recap_program, role, expected, fmt):
    response = client_for(cast.get(role)).get(reverse(EXPORT, args=[recap_program.pk, fmt]))
    assert_answer(response, expected)


@pytest.mark.parametrize("role", ["admin", "trainer"])
def test_recap_of_another_facility_is_not_found(client_for, cast, outside_program, role):
    client = client_for(cast[role])
    assert client.get(reverse(RECAP, args=[outside_program.pk])).status_code == 404
    assert client.get(reverse(EXPORT, args=[outside_program.pk, "csv"])).status_code == 404


def test_recap_of_another_partners_program_is_not_found_for_trainer(
    client_for, trainer_user, other_program
):
    client = client_for(trainer_user)
    assert client.get(reverse(RECAP, args=[other_program.pk])).status_code == 404
    assert client.get(reverse(EXPORT, args=[other_program.pk, "pdf"])).status_code == 404


@pytest.mark.parametrize("fmt", ["json", "XLSX", "html", "pdf2"])
def test_recap_export_unknown_format_is_not_found(client_for, admin_user, recap_program, fmt):
    response = client_for(admin_user).get(reverse(EXPORT, args=[recap_program.pk, fmt]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", [RECAP, EXPORT])
def test_recap_refuses_post(client_for, admin_user, recap_program, name):
    args = [recap_program.pk] if name == RECAP else [recap_program.pk, "csv"]
    assert client_for(admin_user).post(reverse(name, args=args)).status_code == 405


# The page ---------------------------------------------------------------------------------------


def test_recap_shows_matrix_totals_and_percentages(client_for, staff_user, recap_program):
    html = page(client_for(staff_user).get(reverse(RECAP, args=[recap_program.pk])))
    assert html.index("Budi Santoso") < html.index("Siti Aminah")
    assert "75%" in html  # Budi: 3 of 4
    assert "100%" in html  # Siti: sidang excused, 3 of 3
    assert "50%" in html  # the third: I and unmarked count against
    assert "cancelled" in html
    assert "Blok C-7" in html
    # The legend spells out every code, custody reasons included.
    for text in ["Hadir", "Terlambat", "Izin", "Sakit", "Alpa", "SD</strong> Sidang", "Bebas"]:
        assert text in html
    for fmt in ["xlsx", "csv", "pdf"]:
        assert reverse(EXPORT, args=[recap_program.pk, fmt]) in html


def test_recap_labels_rows_below_threshold(client_for, staff_user, recap_program):
    html = page(client_for(staff_user).get(reverse(RECAP, args=[recap_program.pk])))
    # Budi (75%) and the third (50%) are under 80%; the label is a word, not only a colour.
    assert html.count("Below threshold</span>") == 2
    assert html.count('<tr class="table-warning">') == 2


def test_recap_shows_trainer_only_name_and_registration_number(
    client_for, trainer_user, recap_program
):
    enrollment = recap_program.enrollments.get(inmate__full_name="Budi Santoso")
    html = page(client_for(trainer_user).get(reverse(RECAP, args=[recap_program.pk])))
    assert enrollment.inmate.full_name in html
    assert enrollment.inmate.registration_number in html
    assert "Blok C-7" not in html
    assert ">Block<" not in html
    assert reverse("inmates:inmate_detail", args=[enrollment.inmate.pk]) not in html


def test_recap_shows_dash_for_sessions_before_a_late_joiner_enrolled(
    client_for, staff_user, recap_program
):
    late = add_participant(recap_program, "Agus Late", ["", "", "", ""])
    late.enrolled_on = DAYS[2]
    late.save()
    html = page(client_for(staff_user).get(reverse(RECAP, args=[recap_program.pk])))
    row = html[html.index("Agus Late") : html.index("</tr>", html.index("Agus Late"))]
    assert row.count("Not listed") == 2  # the two sessions before they enrolled
    assert "0%" in row


def test_recap_without_participants_says_so(client_for, staff_user, program):
    html = page(client_for(staff_user).get(reverse(RECAP, args=[program.pk])))
    assert "No participants yet." in html


@pytest.mark.parametrize("participants", [5, 50])
@pytest.mark.parametrize("role", ["admin", "trainer"])
def test_recap_query_count_is_fixed(
    client_for, cast, program, django_assert_num_queries, participants, role
):
    for date in DAYS:
        TrainingSessionFactory(program=program, date=date)
    for number in range(participants):
        add_participant(program, f"Peserta {number:02d}", ["H", "T", "A", "sidang", ""])
    client = client_for(cast[role])
    # 1 session, 2 user, 3 user's facility (scope), 4 the program with its facility,
    # 5 the sessions, 6 the enrolments with their inmate, 7 the attendance records.
    with django_assert_num_queries(7):
        response = client.get(reverse(RECAP, args=[program.pk]))
    assert page(response).count("Peserta ") == participants


# Downloads --------------------------------------------------------------------------------------

HEADER = [
    "No.",
    "Name",
    "Registration number",
    "04/08/2025",
    "05/08/2025",
    "06/08/2025",
    "07/08/2025",
    "08/08/2025 (cancelled)",
    "H (Hadir)",
    "T (Terlambat)",
    "I (Izin)",
    "S (Sakit)",
    "A (Alpa)",
    "SD (Sidang)",
    "Sessions counted",
    "Sessions attended",
    "Attendance (%)",
    "Below threshold",
]


def registration(program, name):
    return program.enrollments.get(inmate__full_name=name).inmate.registration_number


def test_recap_xlsx_holds_one_row_per_participant(client_for, viewer_user, recap_program):
    response = client_for(viewer_user).get(reverse(EXPORT, args=[recap_program.pk, "xlsx"]))
    assert response["Content-Type"] == XLSX_TYPE
    assert "rekap-kehadiran-Aksesoris-Gelang-dan-Kalung-Batu-" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["Program", "Aksesoris Gelang dan Kalung Batu"]
    assert rows[2][:2] == ["Attendance threshold (%)", 80]
    assert rows[5] == HEADER
    # Ordered by name; the formula-looking name sorts first or not by the database's collation.
    assert [row[0] for row in rows[6:]] == [1, 2, 3]
    by_name = {row[1]: row[2:] for row in rows[6:]}
    assert by_name["'" + HYPERLINK] == [
        registration(recap_program, HYPERLINK),
        "H",
        "H",
        "I",
        None,
        None,
        2,
        0,
        1,
        0,
        0,
        0,
        4,
        2,
        50,
        "Yes",
    ]
    assert by_name["Budi Santoso"][0] == registration(recap_program, "Budi Santoso")
    assert by_name["Budi Santoso"][-4:] == [4, 3, 75, "Yes"]
    assert by_name["Siti Aminah"][1:6] == ["H", "T", "SD", "H", None]
    assert by_name["Siti Aminah"][-4:] == [3, 3, 100, "No"]
    assert len(rows) == 9
    # The formula-looking name is a text cell, never a formula.
    [name] = [row[1] for row in sheet.iter_rows(min_row=7) if row[1].value == "'" + HYPERLINK]
    assert name.data_type == "s"


def test_recap_csv_has_bom_header_and_rows(client_for, trainer_user, recap_program):
    response = client_for(trainer_user).get(reverse(EXPORT, args=[recap_program.pk, "csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = body(response)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["Program", "Aksesoris Gelang dan Kalung Batu"]
    assert rows[5] == HEADER
    assert "'" + HYPERLINK in [row[1] for row in rows[6:]]
    [budi] = [row for row in rows if row[1:2] == ["Budi Santoso"]]
    assert budi[2:] == [
        registration(recap_program, "Budi Santoso"),
        "H",
        "H",
        "H",
        "A",
        "",
        "3",
        "0",
        "0",
        "0",
        "1",
        "0",
        "4",
        "3",
        "75.0",
        "Yes",
    ]
    assert "Blok C-7" not in content.decode("utf-8-sig")


def test_recap_csv_marks_late_joiner_sessions_with_a_dash(client_for, staff_user, recap_program):
    late = add_participant(recap_program, "Agus Late", ["", "", "H", "H"])
    late.enrolled_on = DAYS[2]
    late.save()
    response = client_for(staff_user).get(reverse(EXPORT, args=[recap_program.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
    [row] = [row for row in rows if row[1:2] == ["Agus Late"]]
    assert row[3:8] == ["–", "–", "H", "H", ""]
    assert row[-4:] == ["2", "2", "100.0", "No"]


def test_recap_pdf_is_a4_landscape_with_names_and_percentages(
    client_for, staff_user, recap_program
):
    response = client_for(staff_user).get(reverse(EXPORT, args=[recap_program.pk, "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    reader = PdfReader(io.BytesIO(body(response)))
    text = "\n".join(p.extract_text() for p in reader.pages)
    for expected in [
        "Budi Santoso",
        "Siti Aminah",
        HYPERLINK,
        "Aksesoris Gelang dan Kalung Batu",
        "75%",
        "100%",
        "50%",
        "below threshold",
    ]:
        assert expected in text
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (842, 595)  # A4 landscape in points
    for pdf_page in reader.pages:
        for font in pdf_page["/Resources"]["/Font"].values():
            descriptor = font.get_object()
            if "/DescendantFonts" in descriptor:
                descriptor = descriptor["/DescendantFonts"][0].get_object()
            files = descriptor["/FontDescriptor"].get_object()
            assert "/FontFile2" in files or "/FontFile3" in files
