"""The periodic report counts competency certification: participants assessed, participants
judged Kompeten, and both per unit, against hand counts; the roll-up names no one."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.certificates.competency_rows import BELUM, KOMPETEN, assess, make_units
from tests.factories import EnrollmentFactory, InmateFactory

SEPTEMBER = {"period": "month", "month": "2025-09"}


def sheets_of(response):
    """{sheet title: rows}: the streamed file reads once."""
    book = load_workbook(io.BytesIO(response.getvalue()))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}


@pytest.fixture
def assessed(program, staff_user):
    first, second = make_units(program)
    names = ["Ahmad Fauzi", "Budi Santoso", "Citra Lestari"]
    ahmad, budi, citra = (
        EnrollmentFactory(
            program=program, inmate=InmateFactory(facility=program.facility, full_name=n)
        )
        for n in names
    )
    assess(ahmad, staff_user, {first: KOMPETEN, second: KOMPETEN})
    assess(budi, staff_user, {first: KOMPETEN, second: BELUM})
    assess(citra, staff_user, {first: BELUM}, number="")
    # October: another month's report.
    assess(citra, staff_user, {first: KOMPETEN}, on=datetime.date(2025, 10, 6))
    return names


def test_periodic_report_counts_competency_by_hand(client, viewer_user, assessed):
    client.force_login(viewer_user)

    sheets = sheets_of(client.get(reverse("reports:periodic_xlsx"), SEPTEMBER))

    figures = dict(row[:2] for row in sheets["Summary"][8:])
    # Assessed: Ahmad, Budi, Citra; Kompeten in a unit: Ahmad, Budi.
    assert figures["Participants assessed for competency"] == 3
    assert figures["Participants judged Kompeten in a unit"] == 2
    assert sheets["Competency"] == [
        ["Competency unit", "Participants assessed", "Kompeten"],
        ["C.10PBJ00.001.1 Menyiapkan bahan dan alat kerajinan batu", 3, 2],
        ["C.10PBJ00.002.1 Merangkai gelang dan kalung", 2, 1],
    ]


def test_periodic_report_page_shows_the_competency_table(client, viewer_user, assessed):
    client.force_login(viewer_user)

    html = client.get(reverse("reports:periodic"), {"period": "month", "month": "2025-10"})

    text = html.content.decode()
    assert "Competency certification by unit" in text
    assert "C.10PBJ00.001.1 Menyiapkan bahan dan alat kerajinan batu" in text
    assert "C.10PBJ00.002.1" not in text


def test_rollup_periodic_report_counts_competency_and_names_no_one(client, regional_user, assessed):
    client.force_login(regional_user)

    sheets = sheets_of(client.get(reverse("reports:rollup_periodic_xlsx"), SEPTEMBER))

    figures = dict(row[:2] for row in sheets["Summary"][8:])
    assert figures["Participants assessed for competency"] == 3
    assert len(sheets["Competency"]) == 3
    cells = {str(value) for rows in sheets.values() for row in rows for value in row}
    assert not cells & set(assessed)
