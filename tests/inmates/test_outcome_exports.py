"""The outcome report as XLSX and CSV, for the facility and for the regional roll-up: the
figures are the hand counts of tests.inmates.test_outcomes' cohort, and no person is named."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from inmates.outcomes import record_consent, record_follow_up
from tests.factories import EnrollmentFactory
from tests.helpers import assert_answer
from tests.inmates.test_outcomes import (
    RELEASED_ON,
    cohort,  # noqa: F401 (the hand-counted cohort, a fixture)
    outcome,
    released,
)

# The cohort's people: no export names any of them.
COHORT = ("Ani", "Budi", "Citra", "Dedi", "Eko", "Fajar")


def export_url(fmt, rollup=False):
    name = "inmates:outcome_rollup_export" if rollup else "inmates:outcome_report_export"
    return reverse(name, args=[fmt])


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(text):
    return list(csv.reader(io.StringIO(text)))


def csv_text(response):
    return body(response).decode("utf-8-sig")


def workbook(response):
    return openpyxl.load_workbook(io.BytesIO(body(response)))


def table(rows):
    """The rows under the header (the first row whose first cell is "Milestone" or
    "Grouping"), the preamble above it left out."""
    rows = [list(row) for row in rows]
    start = next(i for i, row in enumerate(rows) if row and row[0] in ("Milestone", "Grouping"))
    return rows[start], rows[start + 1 :]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, "login"),
        ("trainer", 403),
        ("regional", 403),
        ("viewer", 200),
        ("staff", 200),
        ("admin", 200),
    ],
)
def test_facility_export_permissions(client_for, users, regional_user, role, expected, fmt):
    user = regional_user if role == "regional" else users.get(role)
    assert_answer(client_for(user).get(export_url(fmt)), expected)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, "login"), ("viewer", 403), ("staff", 403), ("trainer", 403), ("regional", 200)],
)
def test_rollup_export_permissions(client_for, users, regional_user, role, expected, fmt):
    user = regional_user if role == "regional" else users.get(role)
    assert_answer(client_for(user).get(export_url(fmt, rollup=True)), expected)


@pytest.mark.parametrize("rollup", [False, True])
@pytest.mark.parametrize("fmt", ["pdf", "XLSX", "xlsx.exe"])
def test_unknown_format_is_404(client_for, viewer_user, regional_user, fmt, rollup):
    user = regional_user if rollup else viewer_user
    assert client_for(user).get(export_url(fmt, rollup=rollup)).status_code == 404


@pytest.mark.usefixtures("cohort")
def test_xlsx_has_a_sheet_per_grouping_with_counts_and_shares(
    client_for, viewer_user, program, other_program, partner, other_partner
):
    response = client_for(viewer_user).get(export_url("xlsx"))

    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "hasil-setelah-bebas-LPN.KSG-" in response["Content-Disposition"]
    book = workbook(response)
    assert book.sheetnames == ["By program", "By partner", "By skill"]
    preamble = [row[:2] for row in book["By program"].iter_rows(max_row=4, values_only=True)]
    assert ("Report", "Outcomes after release") in preamble
    assert ("Facility", program.facility.name) in preamble
    header, rows = table(book["By program"].iter_rows(values_only=True))
    assert header[:5] == [
        "Milestone",
        "Program",
        "Reached (the base)",
        "Working (employed or own business)",
        "Working (employed or own business) (%)",
    ]
    assert header[-1] == "Not reached"
    # The hand counts of test_outcome_rates_at_six_months_count_only_the_consenting_reached:
    # reached, working (n, share), training, looking, unknown, re-offended, the skill, not reached.
    assert rows[:2] == [
        ["6 months", program.title, 2, 1, 0.5, 0, 0, 1, 0.5, 0, 0, 0, 0, 1, 0.5, 1],
        ["6 months", other_program.title, 2, 0, 0, 0, 0, 1, 0.5, 0, 0, 1, 0.5, 0, 0, 0],
    ]
    # And at 12 months: Ani's own business and Budi's job both count as working.
    assert rows[2][:5] == ["12 months", program.title, 2, 2, 1]
    # The shares are percentages a spreadsheet computes with, not text.
    assert book["By program"].cell(row=len(preamble) + 3, column=5).number_format == "0.0%"
    _header, partners = table(book["By partner"].iter_rows(values_only=True))
    assert [row[1] for row in partners[:2]] == [partner.name, other_partner.name]
    _header, skills = table(book["By skill"].iter_rows(values_only=True))
    assert [row[1] for row in skills[:2]] == ["Handicraft", "Sewing and tailoring"]


@pytest.mark.usefixtures("cohort")
def test_csv_is_one_table_of_every_grouping_naming_no_one(
    client_for, staff_user, program, other_program
):
    response = client_for(staff_user).get(export_url("csv"))

    text = csv_text(response)
    header, rows = table(csv_rows(text))
    assert header[:3] == ["Grouping", "Milestone", "Row"]
    assert ["By program", "6 months", program.title, "2", "1", "50%"] == rows[0][:6]
    assert {row[0] for row in rows} == {"By program", "By partner", "By skill"}
    # Six rows at each milestone: two programs, two partners, two skills.
    assert len(rows) == 12
    for name in COHORT:
        assert name not in text


@pytest.mark.usefixtures("cohort")
def test_export_of_another_facility_counts_nothing_of_this_one(client_for, outside_admin, program):
    header, rows = table(csv_rows(csv_text(client_for(outside_admin).get(export_url("csv")))))
    assert header[0] == "Grouping"
    assert rows == []
    book = workbook(client_for(outside_admin).get(export_url("xlsx")))
    for sheet in book.worksheets:
        assert table(sheet.iter_rows(values_only=True))[1] == []


@pytest.mark.usefixtures("cohort")
def test_rollup_export_names_facilities_and_no_person(
    client_for, regional_user, program, outside_program, outside_admin
):
    outsider = released(outside_program.facility, "Rahmat Hidayat")
    EnrollmentFactory(program=outside_program, inmate=outsider, status="completed")
    record_consent(inmate=outsider, consented=True, on=RELEASED_ON, by=outside_admin)
    record_follow_up(inmate=outsider, milestone=6, values=outcome(), by=outside_admin)

    response = client_for(regional_user).get(export_url("csv", rollup=True))

    assert "hasil-setelah-bebas-Kanwil-Kalimantan-Tengah-" in response["Content-Disposition"]
    text = csv_text(response)
    _header, rows = table(csv_rows(text))
    labels = {row[2] for row in rows}
    assert f"{program.title} ({program.facility.name})" in labels
    # The other facility is outside the region.
    assert not any(outside_program.title in label for label in labels)
    assert "Region,Kanwil Kalimantan Tengah" in text
    for name in [*COHORT, "Rahmat Hidayat"]:
        assert name not in text


@pytest.mark.usefixtures("cohort")
def test_export_is_in_indonesian_by_default(client_for, viewer_user, program, settings):
    settings.LANGUAGE_CODE = "id"
    header, rows = table_id(csv_rows(csv_text(client_for(viewer_user).get(export_url("csv")))))
    assert header[:3] == ["Pengelompokan", "Tahap", "Baris"]
    assert rows[0][:3] == ["Per program", "6 bulan", program.title]


def table_id(rows):
    start = next(i for i, row in enumerate(rows) if row and row[0] == "Pengelompokan")
    return rows[start], rows[start + 1 :]


@pytest.mark.parametrize("count", [5, 50])
def test_export_queries_do_not_grow(
    client_for, viewer_user, staff_user, program, count, django_assert_num_queries
):
    for index in range(count):
        inmate = released(program.facility, f"WBP {index:02d}")
        EnrollmentFactory(program=program, inmate=inmate, status="completed")
        record_consent(inmate=inmate, consented=True, on=RELEASED_ON, by=staff_user)
        record_follow_up(inmate=inmate, milestone=6, values=outcome(), by=staff_user)
    client = client_for(viewer_user)
    # Session, user, facility (scope); the follow-ups, the enrolments with their programs,
    # the programs' partners.
    with django_assert_num_queries(6):
        response = client.get(export_url("xlsx"))
        rows = table(workbook(response)["By program"].iter_rows(values_only=True))[1]
    assert rows[0][2] == count


@pytest.mark.usefixtures("cohort")
def test_national_export_of_the_superuser_counts_every_facility(client_for, superuser, program):
    response = client_for(superuser).get(export_url("csv", rollup=True))

    assert "hasil-setelah-bebas-nasional-" in response["Content-Disposition"]
    text = csv_text(response)
    assert "Facilities,All facilities" in text
    _header, rows = table(csv_rows(text))
    assert f"{program.title} ({program.facility.name})" in {row[2] for row in rows}
