import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from inmates.models import Inmate
from programs.models import Enrollment
from tests.factories import (
    EnrollmentFactory,
    InmateFactory,
    PartnerFactory,
    ProgramFactory,
    ProgramPartnerFactory,
)
from tests.helpers import assert_answer

EXPORT = "inmates:inmate_export"
HISTORY = "inmates:inmate_history_export"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

REGISTER_HEADER = [
    "Registration number",
    "Name",
    "Date of birth",
    "Gender",
    "Block",
    "Room",
    "Admission date",
    "Expected release",
    "Status",
    "Departed on",
    "Transferred to",
    "Programs",
]
HISTORY_HEADER = [
    "Program",
    "Start date",
    "End date",
    "Lead partner",
    "Enrolled on",
    "Status",
    "Ended on",
    "Reason",
    "Assessment",
]


def body(response):
    return b"".join(response.streaming_content)


def csv_rows(response):
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


def xlsx_rows(response):
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def today():
    return f"{timezone.localdate():%Y-%m-%d}"


# Register: access -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, "login"), ("admin", 200), ("staff", 200), ("viewer", 200), ("trainer", 403)],
)
def test_inmate_export_access(client_for, users, inmate, role, expected, fmt):
    response = client_for(users.get(role)).get(reverse(EXPORT, args=[fmt]))
    assert_answer(response, expected)


def test_inmate_export_unknown_format_is_404(client_for, admin_user):
    response = client_for(admin_user).get(reverse(EXPORT, args=["pdf"]))
    assert response.status_code == 404


def test_inmate_export_post_is_405(client_for, admin_user):
    response = client_for(admin_user).post(reverse(EXPORT, args=["csv"]))
    assert response.status_code == 405


# Register: contents ---------------------------------------------------------------------------


@pytest.fixture
def transferred(facility, program, other_program):
    inmate = InmateFactory(
        facility=facility,
        registration_number="B.II-77/2024",
        full_name='=HYPERLINK("http://evil.example","Klik")',
        birth_date=datetime.date(1990, 5, 17),
        gender=Inmate.Gender.FEMALE,
        block="Blok W",
        room="3",
        admission_date=datetime.date(2024, 2, 1),
        expected_release_date=datetime.date(2027, 1, 15),
        status=Inmate.Status.TRANSFERRED,
        departed_on=datetime.date(2025, 9, 1),
        transfer_destination="Lapas Kelas IIA Palangka Raya",
    )
    EnrollmentFactory(program=program, inmate=inmate)
    EnrollmentFactory(program=other_program, inmate=inmate)
    return inmate


def test_inmate_export_xlsx_holds_the_register(
    client_for, viewer_user, facility, transferred, outside_inmate
):
    InmateFactory(facility=facility, full_name="Budi Santoso", registration_number="B.I-1/2025")
    response = client_for(viewer_user).get(reverse(EXPORT, args=["xlsx"]))
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == (
        f'attachment; filename="warga-binaan-LPN.KSG-{today()}.xlsx"'
    )
    rows = xlsx_rows(response)
    assert rows[0] == REGISTER_HEADER
    # Ordered by name: "=" sorts before letters; the other facility's inmate is absent.
    assert rows[1:] == [
        [
            "B.II-77/2024",
            "'" + transferred.full_name,
            datetime.datetime(1990, 5, 17),
            "Female",
            "Blok W",
            "3",
            datetime.datetime(2024, 2, 1),
            datetime.datetime(2027, 1, 15),
            "Transferred",
            datetime.datetime(2025, 9, 1),
            "Lapas Kelas IIA Palangka Raya",
            2,
        ],
        [
            "B.I-1/2025",
            "Budi Santoso",
            None,
            "Male",
            "Blok A",
            None,
            None,
            None,
            "In custody",
            None,
            None,
            0,
        ],
    ]


def test_inmate_export_csv_holds_the_register(client_for, staff_user, transferred):
    response = client_for(staff_user).get(reverse(EXPORT, args=["csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="warga-binaan-LPN.KSG-{today()}.csv"'
    )
    content = body(response)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [
        REGISTER_HEADER,
        [
            "B.II-77/2024",
            "'" + transferred.full_name,
            "1990-05-17",
            "Female",
            "Blok W",
            "3",
            "2024-02-01",
            "2027-01-15",
            "Transferred",
            "2025-09-01",
            "Lapas Kelas IIA Palangka Raya",
            "2",
        ],
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "santoso"}, ["Budi Santoso"]),
        ({"status": "released"}, ["Siti Aminah"]),
        ({"block": "Blok W"}, ["Siti Aminah"]),
        ({"q": "B.I-2", "status": "active"}, ["Agus Salim"]),
        # A stale block is dropped, as on the list page, while the search still applies.
        ({"block": "Blok Z", "q": "siti"}, ["Siti Aminah"]),
        ({}, ["Agus Salim", "Budi Santoso", "Siti Aminah"]),
    ],
)
def test_inmate_export_honours_list_filters(client_for, admin_user, facility, query, expected):
    InmateFactory(facility=facility, full_name="Budi Santoso", registration_number="B.I-1/2025")
    InmateFactory(facility=facility, full_name="Agus Salim", registration_number="B.I-2/2025")
    InmateFactory(
        facility=facility,
        full_name="Siti Aminah",
        registration_number="B.II-3/2025",
        block="Blok W",
        status=Inmate.Status.RELEASED,
    )
    InmateFactory(full_name="Budi Santoso Luar", registration_number="B.I-9/2025")
    response = client_for(admin_user).get(reverse(EXPORT, args=["csv"]), query)
    assert [row[1] for row in csv_rows(response)[1:]] == expected


def test_inmate_export_in_indonesian_translates_headers_and_labels(
    client_for, admin_user, transferred
):
    admin_user.language = "id"
    admin_user.save(update_fields=["language"])
    rows = csv_rows(client_for(admin_user).get(reverse(EXPORT, args=["csv"])))
    assert rows[0][0] != "Registration number"
    assert rows[1][3] == "Perempuan"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("count", [5, 50])
def test_inmate_export_query_count_is_fixed(
    client_for, admin_user, facility, program, count, fmt, django_assert_num_queries
):
    for inmate in InmateFactory.create_batch(count, facility=facility):
        EnrollmentFactory(program=program, inmate=inmate)
    client = client_for(admin_user)
    # 1 session, 2 user, 3 the user's facility (scope), 4 the facility's distinct blocks,
    # 5 the audit event (an export is recorded), 6 the inmates with their program counts.
    with django_assert_num_queries(6):
        response = client.get(reverse(EXPORT, args=[fmt]))
        # A CSV is written while it is sent: its rows are read here.
        content = body(response)
    assert response.status_code == 200
    assert content.count(b"\r\n") == count + 1 if fmt == "csv" else content


# Training history -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, "login"),
        ("admin", 200),
        ("staff", 200),
        ("viewer", 200),
        # Even for a participant of the trainer's own program: never other inmate data.
        ("trainer", 403),
        ("outsider", 404),
    ],
)
def test_inmate_history_export_access(client_for, users, inmate, program, role, expected, fmt):
    EnrollmentFactory(program=program, inmate=inmate)
    response = client_for(users.get(role)).get(reverse(HISTORY, args=[inmate.pk, fmt]))
    assert_answer(response, expected)


def test_inmate_history_export_other_facility_is_404(client_for, admin_user, outside_inmate):
    response = client_for(admin_user).get(reverse(HISTORY, args=[outside_inmate.pk, "xlsx"]))
    assert response.status_code == 404


def test_inmate_history_export_unknown_format_is_404(client_for, admin_user, inmate):
    response = client_for(admin_user).get(reverse(HISTORY, args=[inmate.pk, "ods"]))
    assert response.status_code == 404


def test_inmate_history_export_post_is_405(client_for, admin_user, inmate):
    response = client_for(admin_user).post(reverse(HISTORY, args=[inmate.pk, "csv"]))
    assert response.status_code == 405


@pytest.fixture
def history(facility, inmate, program, partner):
    """Two enrolments of `inmate`: an old completed one and the current `program`."""
    old = ProgramFactory(
        facility=facility,
        title="Menjahit 2024",
        start_date=datetime.date(2024, 3, 4),
        end_date=datetime.date(2024, 3, 8),
        status="completed",
    )
    ProgramPartnerFactory(program=old, partner=PartnerFactory(facility=facility, name="=1+1"))
    # A co-trainer is not the lead partner.
    ProgramPartnerFactory(
        program=program, partner=PartnerFactory(facility=facility), role="co_trainer"
    )
    EnrollmentFactory(
        program=old,
        inmate=inmate,
        enrolled_on=datetime.date(2024, 3, 1),
        status=Enrollment.Status.WITHDRAWN,
        ended_on=datetime.date(2024, 3, 5),
        end_reason="-sakit",
        assessment_result=Enrollment.Result.NOT_YET_COMPETENT,
    )
    EnrollmentFactory(program=program, inmate=inmate)
    return inmate


def test_inmate_history_export_xlsx_holds_the_history(client_for, staff_user, history):
    response = client_for(staff_user).get(reverse(HISTORY, args=[history.pk, "xlsx"]))
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == (
        f'attachment; filename="riwayat-pelatihan-{history.registration_number.replace("/", "-")}'
        f'-{today()}.xlsx"'
    )
    rows = xlsx_rows(response)
    assert rows[:3] == [
        ["Name", "Budi Santoso"] + [None] * 7,
        ["Registration number", history.registration_number] + [None] * 7,
        ["Facility", "Lapas Narkotika Kelas IIA Kasongan"] + [None] * 7,
    ]
    assert rows[4] == HISTORY_HEADER
    # Newest program first.
    assert rows[5:] == [
        [
            "Aksesoris Gelang dan Kalung Batu",
            datetime.datetime(2025, 8, 4),
            datetime.datetime(2025, 8, 8),
            "BLK Kota Palangka Raya",
            datetime.datetime(2025, 8, 4),
            "Active",
            None,
            None,
            None,
        ],
        [
            "Menjahit 2024",
            datetime.datetime(2024, 3, 4),
            datetime.datetime(2024, 3, 8),
            "'=1+1",
            datetime.datetime(2024, 3, 1),
            "Withdrawn",
            datetime.datetime(2024, 3, 5),
            "'-sakit",
            "Belum kompeten",
        ],
    ]


def test_inmate_history_export_csv_holds_the_history(client_for, viewer_user, history):
    response = client_for(viewer_user).get(reverse(HISTORY, args=[history.pk, "csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    assert rows[:5] == [
        ["Name", "Budi Santoso"],
        ["Registration number", history.registration_number],
        ["Facility", "Lapas Narkotika Kelas IIA Kasongan"],
        [],
        HISTORY_HEADER,
    ]
    assert [row[0] for row in rows[5:]] == ["Aksesoris Gelang dan Kalung Batu", "Menjahit 2024"]
    assert rows[6][3:] == [
        "'=1+1",
        "2024-03-01",
        "Withdrawn",
        "2024-03-05",
        "'-sakit",
        "Belum kompeten",
    ]


def test_inmate_history_export_of_transferred_inmate_stays_readable(
    client_for, admin_user, transferred
):
    rows = csv_rows(client_for(admin_user).get(reverse(HISTORY, args=[transferred.pk, "csv"])))
    assert len(rows) == 5 + 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("count", [2, 10])
def test_inmate_history_export_query_count_is_fixed(
    client_for, admin_user, facility, inmate, count, fmt, django_assert_num_queries
):
    for program in ProgramFactory.create_batch(count, facility=facility):
        ProgramPartnerFactory(program=program)
        EnrollmentFactory(program=program, inmate=inmate)
    client = client_for(admin_user)
    # 1 session, 2 user, 3 the user's facility (scope), 4 the inmate, 5 the audit event (an
    # export is recorded), 6 the enrolments with their programs and lead partners' names.
    with django_assert_num_queries(6):
        response = client.get(reverse(HISTORY, args=[inmate.pk, fmt]))
        content = body(response)
    assert response.status_code == 200
    assert content.count(b"Pelatihan Kemandirian") == count if fmt == "csv" else content
