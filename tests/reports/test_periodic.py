"""The periodic report (laporan berkala): page, PDF and XLSX, for a facility and for a roll-up.

The known data (`august`): one program of the facility, 4-8 August 2025, four held sessions of
two JP each (08.00-09.30), five participants:

    e1  H H T H            completed (4/4), certificate of completion on 8 August
    e2  H A sidang I       not completed (1/3)
    e3  S H H klinik       not completed (2/3)
    e4  H                  withdrew
    e5  H H                released; statement of participation on 8 August

Hand counts for August 2025: participants 5, sessions held 4, JP 8; records 15: H 9, T 1,
I 1, S 1, A 1, custody 2, so attendance (9 + 1) / (15 - 2) = 76.9%; completion 1 of 4
(completed, not completed twice, withdrawn; the released one does not count) = 25.0%;
1 certificate, 1 statement; 1 agreement valid in August (an expired one is not).
Around it: a September session of another program (outside the period), a sister facility of
the same region (two participants: H and A, roll-up only) and a facility of another region
(never counted).
"""

import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from certificates import services
from lapas_training.models import Region, Role
from programs.models import Enrollment
from tests.certificates import close, enrol
from tests.factories import (
    FacilityFactory,
    PartnerAgreementFactory,
    ProgramFactory,
    ProgramPartnerFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.helpers import assert_answer, page
from tests.pdf_overlap import assert_no_overlap

AUGUST = {"period": "month", "month": "2025-08"}
HEAD_NAME = "Dr. Agus Salim, S.H., M.H."
HEAD_NIP = "197001011990031001"
OFFICE = "Kantor Wilayah Direktorat Jenderal Pemasyarakatan Kalimantan Tengah"


def held_sessions(program, days, start=datetime.time(8, 0), end=datetime.time(9, 30)):
    """One session of `program` on each of `days` of August 2025 (90 minutes: 2 JP)."""
    return [
        TrainingSessionFactory(
            program=program, date=datetime.date(2025, 8, day), start_time=start, end_time=end
        )
        for day in days
    ]


@pytest.fixture
def region(facility):
    region = Region.objects.create(
        name="Kanwil Kalimantan Tengah", office_name=OFFICE, city="Palangka Raya"
    )
    facility.region = region
    facility.head_name = HEAD_NAME
    facility.head_nip = HEAD_NIP
    facility.letterhead_name = "LEMBAGA PEMASYARAKATAN NARKOTIKA KELAS IIA KASONGAN"
    facility.save()
    return region


@pytest.fixture
def regional_user(region):
    return UserFactory(username="kanwil", facility=None, role=Role.REGIONAL, region=region)


@pytest.fixture
def august(region, program, partner, admin_user, other_program, outside_program):
    """The known data of the module's docstring; returns the program."""
    sessions = held_sessions(program, [4, 5, 6, 7])
    enrol(program, sessions, ["H", "H", "T", "H"])
    enrol(program, sessions, ["H", "A", "sidang", "I"])
    enrol(program, sessions, ["S", "H", "H", "klinik"])
    withdrawn = {"ended_on": datetime.date(2025, 8, 5), "end_reason": "Mengundurkan diri"}
    enrol(program, sessions, ["H", "", "", ""], status=Enrollment.Status.WITHDRAWN, **withdrawn)
    released = {"ended_on": datetime.date(2025, 8, 6), "end_reason": "Bebas bersyarat"}
    leaver = enrol(
        program, sessions, ["H", "H", "", ""], status=Enrollment.Status.RELEASED, **released
    )
    close(program, admin_user)
    day = datetime.date(2025, 8, 8)
    services.issue_certificates(program=program, by=admin_user, issued_on=day)
    services.issue_statement(enrollment=leaver, by=admin_user, issued_on=day)
    PartnerAgreementFactory(partner=partner)
    PartnerAgreementFactory(
        partner=partner, valid_from=datetime.date(2020, 1, 1), valid_to=datetime.date(2024, 12, 31)
    )
    # Outside the period: a September session of the facility's other program.
    september = TrainingSessionFactory(program=other_program, date=datetime.date(2025, 9, 1))
    enrol(other_program, [september], ["H"])
    # Another region's facility, in August: never in this report nor this region's roll-up.
    enrol(outside_program, held_sessions(outside_program, [5]), ["A"])
    return program


@pytest.fixture
def sister_facility(region):
    """A second facility of the region with two participants in August (H and A)."""
    sister = FacilityFactory(name="Lapas Kelas IIB Sampit", unit_code="LP.SPT", region=region)
    program = ProgramFactory(facility=sister, title="Pertukangan Kayu")
    ProgramPartnerFactory(program=program)
    session = held_sessions(program, [12])
    enrol(program, session, ["H"])
    enrol(program, session, ["A"])
    return sister


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages)


def workbook(response):
    return load_workbook(io.BytesIO(response.getvalue()))


def rows_of(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- The facility's report -------------------------------------------------------------------


def test_periodic_page_shows_the_figures_of_the_period(client, viewer_user, august):
    client.force_login(viewer_user)
    response = client.get(reverse("reports:periodic"), AUGUST)
    assert response.status_code == 200
    html = page(response)
    assert 'data-testid="period-label">August 2025<' in html
    assert "76.9%" in html
    assert "25.0%" in html
    assert "BLK Kota Palangka Raya" in html
    # The downloads select the same period.
    assert f"{reverse('reports:periodic_pdf')}?period=month&amp;month=2025-08" in html
    assert f"{reverse('reports:periodic_xlsx')}?period=month&amp;month=2025-08" in html


def test_periodic_pdf_states_the_hand_counted_figures(client, viewer_user, august):
    client.force_login(viewer_user)
    response = client.get(reverse("reports:periodic_pdf"), AUGUST)
    text = pdf_text(response)
    assert "LAPORAN KEGIATAN PEMBINAAN KEMANDIRIAN" in text
    assert "BULAN AUGUST 2025" in text
    assert "LEMBAGA PEMASYARAKATAN NARKOTIKA KELAS IIA KASONGAN" in text
    assert (
        "Participants 5 Sessions held 4 Lesson hours (JP) delivered 8 Average attendance 76.9% "
        "Participants who completed 1 Participants whose program closed 4 Completion rate 25.0% "
        "Certificates issued 1 Statements of participation issued 1 Active partner agreements 1"
    ) in text
    # Attendance by month: H T I S A, custody, rate.
    assert "August 2025 9 1 1 1 1 2 76.9%" in text
    # Completion by program: enrolled, completed, not completed, withdrawn, released, rate.
    assert "Aksesoris Gelang dan Kalung Batu 5 1 2 1 1 25.0%" in text
    assert "BLK Kota Palangka Raya 5" in text
    assert "Handicraft 5" in text
    assert "Sidang 1" in text and "Klinik 1" in text
    # Place, date and the head's signature block.
    assert "Kasongan, " in text
    assert "Kepala Lapas Narkotika Kelas IIA Kasongan" in text
    assert HEAD_NAME in text
    assert f"NIP. {HEAD_NIP}" in text
    # Nothing of another facility, nor any person.
    assert "Budidaya Lele" not in text
    assert "Comparison of facilities" not in text
    assert response["Content-Disposition"].startswith("inline")
    assert "laporan-berkala-LPN.KSG-2025-08.pdf" in response["Content-Disposition"]


def test_periodic_pdf_prints_cleanly(client, viewer_user, august):
    client.force_login(viewer_user)
    response = client.get(reverse("reports:periodic_pdf"), AUGUST)
    assert_no_overlap(response.content)
    reader = PdfReader(io.BytesIO(response.content))
    last = re.sub(r"\s+", " ", reader.pages[-1].extract_text())
    # The signature is never alone on the last page: the closing line goes with it.
    assert HEAD_NAME in last
    assert "This report is made truthfully" in last
    assert f"Page {len(reader.pages)} / {len(reader.pages)}" in last


@pytest.mark.parametrize(
    "params",
    [
        {"period": "year", "year": "2025"},
        {"period": "custom", "start": "2024-01-01", "end": "2025-12-31"},
        {"period": "custom", "start": "2021-01-01", "end": "2025-12-31"},
    ],
)
def test_periodic_pdf_of_many_months_prints_cleanly(client, viewer_user, august, params):
    client.force_login(viewer_user)
    response = client.get(reverse("reports:periodic_pdf"), params)
    assert_no_overlap(response.content)
    assert "Participants 6 Sessions held 5" in pdf_text(response)


def test_periodic_xlsx_cells_equal_the_figures(client, viewer_user, august):
    client.force_login(viewer_user)
    response = client.get(reverse("reports:periodic_xlsx"), AUGUST)
    assert response.status_code == 200
    assert "laporan-berkala-LPN.KSG-2025-08.xlsx" in response["Content-Disposition"]
    book = workbook(response)
    assert book.sheetnames == [
        "Summary",
        "Attendance",
        "Completion",
        "Partners",
        "Skills",
        "Custody reasons",
        "Competency",
    ]
    summary = rows_of(book["Summary"])
    title = dict(row[:2] for row in summary[:6])
    assert title["Facility"] == "Lapas Narkotika Kelas IIA Kasongan"
    assert title["Period"] == "August 2025"
    assert title["From"] == datetime.datetime(2025, 8, 1)
    assert title["Until"] == datetime.datetime(2025, 8, 31)
    assert isinstance(title["Generated at"], datetime.datetime)
    figures = dict(row[:2] for row in summary[8:])
    assert figures == {
        "Participants": 5,
        "Sessions held": 4,
        "Lesson hours (JP) delivered": 8,
        "Average attendance": pytest.approx(0.769),
        "Participants who completed": 1,
        "Participants whose program closed": 4,
        "Completion rate": pytest.approx(0.25),
        "Certificates issued": 1,
        "Statements of participation issued": 1,
        "Active partner agreements": 1,
        "Participants assessed for competency": 0,
        "Participants judged Kompeten in a unit": 0,
    }
    # Percentages are numbers shown with a percent format.
    rate_cell = book["Summary"]["B12"]
    assert rate_cell.value == pytest.approx(0.769)
    assert rate_cell.number_format == "0.0%"
    attendance = rows_of(book["Attendance"])
    assert attendance[1] == ["August 2025", 9, 1, 1, 1, 1, 2, pytest.approx(0.769)]
    completion = rows_of(book["Completion"])
    assert completion[1] == [
        "Aksesoris Gelang dan Kalung Batu",
        5,
        1,
        2,
        1,
        1,
        pytest.approx(0.25),
    ]
    assert rows_of(book["Partners"])[1:] == [["BLK Kota Palangka Raya", 5]]
    assert rows_of(book["Skills"])[1:] == [["Handicraft", 5]]
    custody = dict(rows_of(book["Custody reasons"])[1:])
    assert (custody["Sidang"], custody["Klinik"], custody["Besukan"]) == (1, 1, 0)


def test_periodic_counts_nothing_outside_the_period(client, viewer_user, august):
    client.force_login(viewer_user)
    response = client.get(reverse("reports:periodic_xlsx"), {"period": "month", "month": "2025-09"})
    figures = dict(row[:2] for row in rows_of(workbook(response)["Summary"])[8:])
    # The September session of the other program: one participant, one session of 5 JP.
    assert figures["Participants"] == 1
    assert figures["Sessions held"] == 1
    assert figures["Completion rate"] is None
    assert figures["Certificates issued"] == 0


# --- Bad periods -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"period": "month", "month": "2025-13"},
        {"period": "month", "month": "<script>"},
        {"period": "custom", "start": "2025-08-31", "end": "2025-08-01"},
        {"period": "year", "year": "99999999999999999999"},
        {"period": "century"},
    ],
)
def test_periodic_bad_period_shows_the_form_error(client, viewer_user, params):
    client.force_login(viewer_user)
    response = client.get(reverse("reports:periodic"), params)
    assert response.status_code == 200
    html = page(response)
    assert "invalid-feedback" in html
    assert "The period could not be read" in html
    # Nothing counted in the default month: tables of zeros, no empty charts.
    assert "<svg" not in html
    # The files fall back to the default period, as the page does: no 500.
    assert client.get(reverse("reports:periodic_xlsx"), params).status_code == 200
    assert client.get(reverse("reports:periodic_pdf"), params).status_code == 200


# --- Access ----------------------------------------------------------------------------------

FACILITY_VIEWS = ["reports:periodic", "reports:periodic_pdf", "reports:periodic_xlsx"]
ROLLUP_VIEWS = [
    "reports:rollup_periodic",
    "reports:rollup_periodic_pdf",
    "reports:rollup_periodic_xlsx",
]


@pytest.mark.parametrize("name", FACILITY_VIEWS)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "login"),
        ("trainer", 403),
        ("regional", 403),
        ("viewer", 200),
        ("staff", 200),
        ("admin", 200),
    ],
)
def test_periodic_access(client_for, users, regional_user, name, who, expected):
    user = regional_user if who == "regional" else users.get(who)
    assert_answer(client_for(user).get(reverse(name), AUGUST), expected)


@pytest.mark.parametrize("name", ROLLUP_VIEWS)
@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, "login"), ("trainer", 403), ("viewer", 403), ("admin", 403), ("regional", 200)],
)
def test_rollup_periodic_access(client_for, users, regional_user, name, who, expected):
    user = regional_user if who == "regional" else users.get(who)
    assert_answer(client_for(user).get(reverse(name), AUGUST), expected)


@pytest.mark.parametrize("name", [*FACILITY_VIEWS, *ROLLUP_VIEWS])
def test_periodic_refuses_post(client, viewer_user, regional_user, name):
    user = regional_user if name.startswith("reports:rollup") else viewer_user
    client.force_login(user)
    assert client.post(reverse(name)).status_code == 405


def test_periodic_of_another_facility_is_its_own(client, outside_admin, august):
    client.force_login(outside_admin)
    text = pdf_text(client.get(reverse("reports:periodic_pdf"), AUGUST))
    assert "Rutan Kelas IIB Pangkalan Bun" in text
    assert "Aksesoris Gelang dan Kalung Batu" not in text
    assert "Participants 1 Sessions held 1" in text


# --- The roll-up -----------------------------------------------------------------------------


def test_rollup_periodic_pdf_adds_up_the_region(client, regional_user, august, sister_facility):
    client.force_login(regional_user)
    response = client.get(reverse("reports:rollup_periodic_pdf"), AUGUST)
    text = pdf_text(response)
    assert OFFICE.upper() in text.upper()
    assert "Kasongan, " not in text
    assert "Palangka Raya, " in text
    assert f"Kepala {OFFICE}" in text
    # 5 + 2 participants, 4 + 1 sessions of 2 JP; attendance (10 + 1) / (15 + 2 - 2).
    assert "Participants 7 Sessions held 5 Lesson hours (JP) delivered 10" in text
    assert "Average attendance 73.3%" in text
    assert "Comparison of facilities" in text
    assert "Lapas Narkotika Kelas IIA Kasongan 5 4 8 76.9% 1 25.0% 1 1 1" in text
    assert "Lapas Kelas IIB Sampit 2 1 2 50.0% 0 – 0 0 0" in text
    # Another region's facility is never included, and no person is named.
    assert "Rutan Kelas IIB Pangkalan Bun" not in text
    assert "Budidaya Lele" not in text
    for enrollment in Enrollment.objects.select_related("inmate"):
        assert enrollment.inmate.full_name not in text
        assert enrollment.inmate.registration_number not in text
    assert_no_overlap(response.content)


def test_rollup_periodic_xlsx_has_the_comparison(client, regional_user, august, sister_facility):
    client.force_login(regional_user)
    book = workbook(client.get(reverse("reports:rollup_periodic_xlsx"), AUGUST))
    assert book.sheetnames[-1] == "Facilities"
    title = dict(row[:2] for row in rows_of(book["Summary"])[:6])
    assert title["Region"] == "Kanwil Kalimantan Tengah"
    comparison = rows_of(book["Facilities"])
    assert comparison[1:] == [
        ["Lapas Kelas IIB Sampit", 2, 1, 2, pytest.approx(0.5), 0, None, 0, 0, 0],
        [
            "Lapas Narkotika Kelas IIA Kasongan",
            5,
            4,
            8,
            pytest.approx(0.769),
            1,
            pytest.approx(0.25),
            1,
            1,
            1,
        ],
    ]
    completion = rows_of(book["Completion"])
    assert completion[0][:2] == ["Program", "Facility"]
    cells = {str(value) for sheet in book for row in rows_of(sheet) for value in row}
    for enrollment in Enrollment.objects.select_related("inmate"):
        assert enrollment.inmate.full_name not in cells
        assert enrollment.inmate.registration_number not in cells


def test_rollup_periodic_of_the_superuser_is_national(client, superuser, august, sister_facility):
    client.force_login(superuser)
    response = client.get(reverse("reports:rollup_periodic"), AUGUST)
    assert response.status_code == 200
    html = page(response)
    assert "All facilities" in html
    # All three facilities' participants: 5 + 2 + 1.
    book = workbook(client.get(reverse("reports:rollup_periodic_xlsx"), AUGUST))
    figures = dict(row[:2] for row in rows_of(book["Summary"])[8:])
    assert figures["Participants"] == 8
    assert "Rutan Kelas IIB Pangkalan Bun" in [row[0] for row in rows_of(book["Facilities"])]


# --- Queries ---------------------------------------------------------------------------------


def more_programs(facility, count):
    """`count` programs of `facility` in August 2025, each with a partner of its own, one held
    session and three participants: more rows in every table, and the same queries."""
    for index in range(count):
        program = ProgramFactory(facility=facility, title=f"Program {index}")
        ProgramPartnerFactory(program=program)
        session = TrainingSessionFactory(program=program, date=datetime.date(2025, 8, 11 + index))
        for marks in (["H"], ["besukan"], ["A"]):
            enrol(program, [session], marks)


def more_data(facility, count):
    """`count` more programs of `facility` and as many more facilities of its region, each with
    two programs: more rows in every table of both reports."""
    more_programs(facility, count)
    for index in range(count):
        more_programs(FacilityFactory(region=facility.region, name=f"Lapas Uji {index}"), 2)


# Facility: the session, the user, the user's facility, then build_report's: the seven of
# figures.period_figures (records by month and status, participants overall and by skill,
# completion by program, by partner, held sessions by time slot, certificates, agreements)
# and the two of certificates.competency.period_counts (participants, units).
# Roll-up: the session, the user (with their region), the same nine, and the five of
# figures.by_facility grouped by facility plus the facilities.
@pytest.mark.parametrize("size", [0, 8])
@pytest.mark.parametrize(
    ("name", "who", "queries"),
    [
        ("reports:periodic_pdf", "viewer", 12),
        ("reports:periodic_xlsx", "viewer", 12),
        ("reports:rollup_periodic_pdf", "regional", 17),
        ("reports:rollup_periodic_xlsx", "regional", 17),
    ],
)
def test_periodic_queries_do_not_grow_with_the_data(
    client, viewer_user, regional_user, august, django_assert_num_queries, name, who, queries, size
):
    more_data(viewer_user.facility, size)
    client.force_login(regional_user if who == "regional" else viewer_user)
    with django_assert_num_queries(queries):
        response = client.get(reverse(name), AUGUST)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "span"),
    [
        ({"period": "quarter", "quarter": "2025-3"}, "2025-TW3"),
        ({"period": "year", "year": "2025"}, "2025"),
        ({"period": "custom", "start": "2025-08-04", "end": "2025-08-08"}, "2025-08-04_2025-08-08"),
    ],
)
def test_periodic_file_names_say_the_period(client, viewer_user, params, span):
    client.force_login(viewer_user)
    response = client.get(reverse("reports:periodic_xlsx"), params)
    assert f"laporan-berkala-LPN.KSG-{span}.xlsx" in response["Content-Disposition"]


def test_periodic_pdf_in_indonesian(client, settings, viewer_user, august):
    settings.LANGUAGE_CODE = "id"
    client.force_login(viewer_user)
    text = pdf_text(client.get(reverse("reports:periodic_pdf"), AUGUST))
    assert "BULAN AGUSTUS 2025" in text
    assert "Rata-rata kehadiran 76,9%" in text
    assert "Tingkat penyelesaian 25,0%" in text
    assert "Demikian laporan ini dibuat dengan sebenarnya" in text
    assert "Halaman 1 / " in text
