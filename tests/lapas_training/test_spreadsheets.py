import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from lapas_training.spreadsheets import Percent, Sheet, csv_response, safe_cell, xlsx_response

BOM = "\ufeff".encode()
DATE = datetime.date(2025, 8, 4)
HYPERLINK = '=HYPERLINK("http://evil.example","Klik")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+6281234567890", "'+6281234567890"),
        ("-5", "'-5"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=x", "'\t=x"),
        ("\r=x", "'\r=x"),
        ("Budi Santoso", "Budi Santoso"),
        ("B.I-123/2025", "B.I-123/2025"),
        ("", ""),
        (-5, -5),
        (3.5, 3.5),
        (DATE, DATE),
        (None, ""),
        (gettext_lazy("=cmd"), "'=cmd"),
        (gettext_lazy("Nama"), "Nama"),
        ("=", "'="),
        (" =1", " =1"),
        (mark_safe("=1+1"), "'=1+1"),
        (Decimal("-1.5"), Decimal("-1.5")),
        (True, True),
    ],
)
def test_safe_cell_protects_only_formula_text(value, expected):
    assert safe_cell(value) == expected
    assert type(safe_cell(value)) is type(expected)


def streamed(response):
    return b"".join(response.streaming_content)


def test_csv_response_starts_with_bom_and_prefixes_formulas():
    response = csv_response(
        "daftar.csv", ["Name", "Date"], iter([[HYPERLINK, DATE], ["Siti", None], [-5, 7]])
    )
    body = streamed(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="daftar.csv"'
    assert body.startswith(BOM)
    rows = list(csv.reader(io.StringIO(body[len(BOM) :].decode())))
    assert rows == [
        ["Name", "Date"],
        ["'" + HYPERLINK, "2025-08-04"],
        ["Siti", ""],
        ["-5", "7"],
    ]


def test_csv_response_writes_preamble_above_the_table():
    response = csv_response("h.csv", ["Program"], [["Menjahit"]], preamble=[("Name", "=Budi")])
    rows = list(csv.reader(io.StringIO(streamed(response).decode("utf-8-sig"))))
    assert rows == [["Name", "'=Budi"], [], ["Program"], ["Menjahit"]]


def workbook_of(response):
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_xlsx_response_keeps_formulas_as_text_and_dates_as_dates():
    response = xlsx_response(
        "daftar.xlsx",
        [("Peserta", ["Name", "Born", "Count"], iter([[HYPERLINK, DATE, -5], ["#N/A", None, 2]]))],
    )
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="daftar.xlsx"'
    sheet = workbook_of(response)["Peserta"]
    header, first, second = sheet.iter_rows(min_row=1, max_row=3)
    assert [cell.value for cell in header] == ["Name", "Born", "Count"]
    assert all(cell.font.bold for cell in header)
    name, born, count = first
    assert name.data_type == "s"
    assert name.value == "'" + HYPERLINK
    assert born.is_date
    assert born.value.date() == DATE
    assert born.number_format == "DD/MM/YYYY"
    assert count.value == -5
    assert count.data_type == "n"
    # An error code as text stays text, and an empty value leaves the cell empty.
    assert second[0].data_type == "s"
    assert second[0].value == "#N/A"
    assert second[1].value is None


def test_xlsx_response_writes_sheets_preamble_and_widths():
    long_name = "Pelatihan Kemandirian Aksesoris Gelang dan Kalung Batu"
    response = xlsx_response(
        "h.xlsx",
        [
            Sheet("Riwayat: 2025/2026", ["Program", "No"], [[long_name, 1]], [("Name", "Budi")]),
            Sheet("Kosong", ["A"], []),
        ],
    )
    workbook = workbook_of(response)
    # Excel forbids ":" and "/" in a sheet title.
    assert workbook.sheetnames == ["Riwayat  2025 2026", "Kosong"]
    sheet = workbook.worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values == [["Name", "Budi"], [None, None], ["Program", "No"], [long_name, 1]]
    assert sheet["A1"].font.bold
    assert not sheet["B1"].font.bold
    assert sheet.column_dimensions["A"].width >= len(long_name)
    assert sheet.column_dimensions["B"].width < 20


def test_xlsx_response_types_plain_values_and_keeps_text_text():
    row = ["Budi", 7, 2.5, Decimal("3.25"), True, "+62812", "#REF!", "Blok A\nKamar 3", "-1"]
    sheet = workbook_of(xlsx_response("t.xlsx", [("S", ["h"] * len(row), [row])]))["S"]
    cells = next(sheet.iter_rows(min_row=2, max_row=2))
    assert [cell.value for cell in cells] == [
        "Budi",
        7,
        2.5,
        3.25,
        True,
        "'+62812",
        "#REF!",
        "Blok A\nKamar 3",
        "'-1",
    ]
    assert [cell.data_type for cell in cells] == ["s", "n", "n", "n", "b", "s", "s", "s", "s"]


def test_xlsx_response_drops_control_characters():
    response = xlsx_response("x.xlsx", [("S", ["Name"], [["Budi\x00\x07 Santoso"]])])
    assert workbook_of(response)["S"]["A2"].value == "Budi Santoso"


def test_percent_is_a_number_in_a_workbook_and_text_in_a_csv():
    rows = [["Kasongan", Percent(Decimal("76.9"))], ["Sampit", Percent(None)]]
    book = workbook_of(xlsx_response("p.xlsx", [("Rates", ["Facility", "Attendance"], rows)]))
    cell = book["Rates"]["B2"]
    assert cell.value == pytest.approx(0.769)
    assert cell.number_format == "0.0%"
    assert book["Rates"]["B3"].value is None
    body = streamed(csv_response("p.csv", ["Facility", "Attendance"], rows))
    assert list(csv.reader(io.StringIO(body.decode("utf-8-sig")))) == [
        ["Facility", "Attendance"],
        ["Kasongan", "76.9%"],
        ["Sampit", ""],
    ]
