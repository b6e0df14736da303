import csv
import datetime
import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inmates.imports import read_file
from inmates.models import Inmate
from tests.factories import InmateFactory
from tests.helpers import assert_answer, page, shown_messages

IMPORT = "inmates:inmate_import"
TEMPLATE = "inmates:inmate_import_template"
HEADER = ["No. Registrasi", "Nama", "Tanggal Lahir", "Jenis Kelamin", "Blok", "Kamar"]


def csv_bytes(rows, header=HEADER, delimiter=",", encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, data, name="register.csv"):
    return client.post(reverse(IMPORT), {"file": SimpleUploadedFile(name, data)})


def confirm(client, token):
    return client.post(reverse(IMPORT), {"token": token})


def counts():
    return Inmate.objects.count(), Inmate.history.count()


def stored_files(settings):
    folder = settings.MEDIA_ROOT / "private" / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


ROWS = [
    ["B.I-001/2025", "Agus Salim", "04/08/1990", "L", "Blok A", "3"],
    ["B.I-002/2025", "Siti Aminah", "1985-02-28", "Perempuan", "Blok W", ""],
]


# Permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, "login"), ("viewer", 403), ("trainer", 403), ("staff", 200), ("admin", 200)],
)
def test_import_page_by_role(client_for, users, role, expected):
    client = client_for(users[role] if role else None)
    assert_answer(client.get(reverse(IMPORT)), expected)
    for fmt in ("csv", "xlsx"):
        assert_answer(client.get(reverse(TEMPLATE, args=[fmt])), expected)


@pytest.mark.parametrize(("role", "expected"), [(None, "login"), ("viewer", 403), ("trainer", 403)])
def test_import_upload_and_confirm_refused_outside_role(
    client_for, users, role, expected, settings
):
    client = client_for(users[role] if role else None)
    before = counts()
    assert_answer(upload(client, csv_bytes(ROWS)), expected)
    assert_answer(confirm(client, "x" * 32), expected)
    assert counts() == before
    assert stored_files(settings) == []


def test_import_template_post_is_405_and_unknown_format_404(client_for, admin_user):
    client = client_for(admin_user)
    assert client.post(reverse(TEMPLATE, args=["csv"])).status_code == 405
    assert client.get(reverse(TEMPLATE, args=["pdf"])).status_code == 404


def test_import_page_shows_form_columns_and_template_links(client_for, staff_user):
    response = client_for(staff_user).get(reverse(IMPORT))
    html = page(response)
    assert "Import inmates" in html
    assert 'type="file"' in html
    assert "Tanggal Lahir" in html
    assert reverse(TEMPLATE, args=["xlsx"]) in html
    assert "js/import.js" in html


# Dry run, then confirm -------------------------------------------------------------------


def test_import_dry_run_writes_nothing_and_confirm_applies(
    client_for, admin_user, facility, settings
):
    client = client_for(admin_user)
    before = counts()

    response = upload(client, csv_bytes(ROWS))

    assert response.status_code == 200
    html = page(response)
    assert "Import preview" in html
    assert "Agus Salim" in html and "Siti Aminah" in html
    assert "Confirm the import" in html
    assert counts() == before
    token = response.context["token"]
    assert [path.name for path in stored_files(settings)] == [f"{token}.csv"]

    response = confirm(client, token)

    assert response.status_code == 302
    assert response.url == reverse("inmates:inmate_list")
    assert shown_messages(response) == ["Import done: 2 created, 0 updated."]
    agus = Inmate.objects.get(registration_number="B.I-001/2025")
    assert (agus.facility, agus.birth_date, agus.gender, agus.block, agus.room, agus.status) == (
        facility,
        datetime.date(1990, 8, 4),
        "L",
        "Blok A",
        "3",
        "active",
    )
    assert Inmate.objects.get(registration_number="B.I-002/2025").gender == "P"
    assert agus.history.get().history_user == admin_user
    assert stored_files(settings) == []
    # The token was used up: posting it again applies nothing twice.
    assert confirm(client, token).status_code == 404


def test_import_one_bad_row_offers_no_confirm_and_stores_nothing(client_for, admin_user, settings):
    client = client_for(admin_user)
    before = counts()
    rows = [*ROWS, ["B.I-003/2025", "Joko", "31/02/1990", "L", "", ""]]

    response = upload(client, csv_bytes(rows))

    html = page(response)
    assert "Row 4, column Tanggal Lahir: not a date (use dd/mm/yyyy)." in html
    assert "nothing will be imported" in html
    assert "Confirm the import" not in html
    assert response.context["token"] is None
    assert stored_files(settings) == []
    assert counts() == before


def test_import_confirm_with_new_error_imports_nothing(client_for, admin_user, facility, settings):
    """A row that turned bad between preview and confirm stops every row, not only its own."""
    inmate = InmateFactory(facility=facility, registration_number="B.I-009/2025")
    client = client_for(admin_user)
    rows = [*ROWS, ["B.I-009/2025", "Nama Baru", "", "", "", "", "aktif"]]
    response = upload(client, csv_bytes(rows, header=[*HEADER, "Status"]))
    token = response.context["token"]
    assert token
    # Meanwhile another officer records the release.
    Inmate.objects.filter(pk=inmate.pk).update(status="released", departed_on=timezone.localdate())
    before = counts()

    response = confirm(client, token)

    assert response.status_code == 200
    html = page(response)
    assert "nothing was imported" in html
    assert "Row 4, column Status: this inmate has left the facility" in html
    assert "Confirm the import" not in html
    assert counts() == before
    inmate.refresh_from_db()
    assert inmate.full_name != "Nama Baru"
    assert stored_files(settings) == []


@pytest.mark.parametrize("token", ["x" * 32, "", "../../settings"])
def test_import_unknown_token_is_404_and_writes_nothing(client_for, admin_user, token, settings):
    client = client_for(admin_user)
    real = upload(client, csv_bytes(ROWS)).context["token"]
    before = counts()

    assert confirm(client, token).status_code == 404

    assert counts() == before
    assert len(stored_files(settings)) == 1
    assert real


def test_import_token_of_another_session_is_404(client, admin_user, staff_user):
    client.force_login(admin_user)
    token = upload(client, csv_bytes(ROWS)).context["token"]
    client.logout()
    client.force_login(staff_user)
    before = counts()

    assert confirm(client, token).status_code == 404
    assert counts() == before


def test_import_updates_by_number_only_the_given_fields(client_for, staff_user, facility):
    inmate = InmateFactory(
        facility=facility,
        registration_number="B.I-100/2025",
        full_name="Budi Santoso",
        birth_date=datetime.date(1980, 1, 2),
        block="Blok A",
        room="7",
    )
    client = client_for(staff_user)
    # Other case in the file, no birth-date column, an empty room: those stay as they are.
    data = csv_bytes(
        [["b.i-100/2025", "Budi Santoso", "Blok C", ""]],
        header=["no registrasi", "NAMA", "Blok", "Kamar"],
    )

    response = upload(client, data)

    html = page(response)
    assert "Block: Blok A → Blok C" in html
    assert response.context["plan"].unchanged == 0
    assert len(response.context["plan"].updates) == 1
    history = inmate.history.count()
    response = confirm(client, response.context["token"])
    assert shown_messages(response) == ["Import done: 0 created, 1 updated."]
    inmate.refresh_from_db()
    assert (inmate.registration_number, inmate.block, inmate.room, inmate.birth_date) == (
        "B.I-100/2025",
        "Blok C",
        "7",
        datetime.date(1980, 1, 2),
    )
    assert inmate.history.count() == history + 1
    assert inmate.history.first().history_user == staff_user


def test_import_touches_only_the_users_facility(client_for, admin_user, outside_inmate, facility):
    client = client_for(admin_user)
    number = outside_inmate.registration_number
    data = csv_bytes([[number, "Nama Di Sini", "", "L", "Blok B", ""]])

    token = upload(client, data).context["token"]
    confirm(client, token)

    outside_inmate.refresh_from_db()
    assert outside_inmate.full_name == "Rahmat Hidayat"
    created = Inmate.objects.get(facility=facility, registration_number=number)
    assert created.full_name == "Nama Di Sini"


def test_import_unchanged_rows_offer_nothing_to_confirm(client_for, admin_user, facility):
    InmateFactory(
        facility=facility, registration_number="B.I-001/2025", full_name="Agus", block="Blok A"
    )
    data = csv_bytes(
        [["B.I-001/2025", "Agus", "Blok A"]], header=["No. Registrasi", "Nama", "Blok"]
    )

    response = upload(client_for(admin_user), data)

    assert response.context["plan"].unchanged == 1
    assert response.context["token"] is None
    assert "Nothing to import" in page(response)


@pytest.mark.parametrize("rows", [5, 50])
def test_import_upload_runs_a_fixed_number_of_queries(client_for, admin_user, facility, rows):
    InmateFactory.create_batch(rows, facility=facility)
    client = client_for(admin_user)
    data = csv_bytes([[f"N-{n}", f"Nama {n}", "", "L", "", ""] for n in range(rows)])

    with CaptureQueriesContext(connection) as queries:
        upload(client, data)

    # session, user, facility (middleware), the facility's inmates (one query whatever the
    # rows), then the session save with the token: savepoint, update, release
    assert len(queries) == 7, "\n".join(q["sql"][:100] for q in queries)


# Formats ---------------------------------------------------------------------------------


def test_import_csv_with_semicolons_and_bom(client_for, admin_user):
    data = b"\xef\xbb\xbf" + csv_bytes(ROWS, delimiter=";")

    response = upload(client_for(admin_user), data)

    assert len(response.context["plan"].creates) == 2
    assert response.context["plan"].errors == []


def test_import_xlsx_with_date_cells_and_english_headers(client_for, admin_user):
    header = [
        "Registration number",
        "Full name",
        "Date of birth",
        "Gender",
        "Admission date",
        "Extra",
    ]
    rows = [
        ["B.I-010/2025", "Dewi", datetime.datetime(1992, 3, 4), "F", "15-01-2024", "ignored"],
        [12345, "Rudi", datetime.date(1970, 12, 31), "m", datetime.date(2024, 1, 1), None],
    ]
    client = client_for(admin_user)

    response = upload(client, xlsx_bytes(rows, header=header), name="register.xlsx")

    plan = response.context["plan"]
    assert plan.errors == []
    dewi, rudi = (row.inmate for row in plan.creates)
    assert (dewi.birth_date, dewi.gender, dewi.admission_date) == (
        datetime.date(1992, 3, 4),
        "P",
        datetime.date(2024, 1, 15),
    )
    assert (rudi.registration_number, rudi.gender) == ("12345", "L")
    confirm(client, response.context["token"])
    assert Inmate.objects.filter(registration_number__in=["B.I-010/2025", "12345"]).count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("No. Registrasi;Nama\nB.I-1;José Rizal\n".encode("cp1252"), "not in UTF-8"),
        (csv_bytes([["B.I-1", "Andrés Müller", "", "L", "", ""]], encoding="cp1252"), "CSV UTF-8"),
        (b"\xff\xfe" + "No. Registrasi".encode("utf-16-le"), "CSV UTF-8"),
        (b"", "The submitted file is empty."),
        (b"\n\n  \n", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "neither a CSV nor an Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Old Excel files (.xls)"),
        (b"PK\x03\x04 this is not really a zip", "The Excel file is damaged"),
        (
            csv_bytes(ROWS, header=["No. Registrasi", "Blok"]),
            "The required column “Nama” is missing",
        ),
        (
            csv_bytes(ROWS, header=["Blok", "Kamar"]),
            "The required columns “No. Registrasi”, “Nama” are missing",
        ),
        (csv_bytes([], header=["Nama", "Name", "No. Registrasi"]), "The column Nama appears twice"),
    ],
)
def test_import_refuses_bad_files_and_stores_nothing(
    client_for, admin_user, data, message, settings
):
    before = counts()

    response = upload(client_for(admin_user), data)

    assert response.status_code == 200
    assert message in page(response)
    assert "Import preview" not in page(response)
    assert counts() == before
    assert stored_files(settings) == []


def test_import_refuses_a_zip_that_is_no_workbook(client_for, admin_user):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")

    response = upload(client_for(admin_user), out.getvalue(), name="letter.xlsx")

    assert "neither a CSV nor an Excel" in page(response)


def test_import_refuses_too_large_and_too_many_rows(client_for, admin_user, settings):
    client = client_for(admin_user)
    settings.IMPORT_MAX_BYTES = 100
    assert "The file is too large; the limit is 100" in page(upload(client, b"x" * 101))

    settings.IMPORT_MAX_BYTES = 10_000
    settings.IMPORT_MAX_ROWS = 2
    rows = [[f"N-{n}", "Nama", "", "L", "", ""] for n in range(3)]
    assert "more than 2 rows" in page(upload(client, csv_bytes(rows)))
    # Blank rows (Excel's formatted but empty lines) do not count.
    assert upload(client, csv_bytes([*rows[:2], ["", "", ""], [" "]])).context["plan"].creates


def zipped(members, compression=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for name, writer in members:
            with archive.open(name, "w", force_zip64=True) as member:
                writer(member)
    return out.getvalue()


def zeros(megabytes):
    def write(member):
        chunk = bytes(1024 * 1024)
        for _i in range(megabytes):
            member.write(chunk)

    return write


def test_import_refuses_xlsx_zip_bomb_before_inflating(client_for, admin_user, settings):
    bomb = zipped([("xl/worksheets/sheet1.xml", zeros(200))])
    assert len(bomb) < 1024 * 1024
    # Had the sheet been inflated, its 200 MB of zeros would fail as a damaged workbook; the
    # bomb message proves the directory was judged first.
    response = upload(client_for(admin_user), bomb, name="register.xlsx")

    assert "unpacks to far more data than a register holds" in page(response)
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    "members",
    [
        # One small member packed far too tightly.
        [("xl/sharedStrings.xml", zeros(2))],
        # Too many members.
        [(f"xl/media/{n}.xml", lambda member: member.write(b"<a/>")) for n in range(1001)],
    ],
)
def test_import_refuses_other_xlsx_bombs(client_for, admin_user, members):
    response = upload(client_for(admin_user), zipped(members), name="register.xlsx")

    assert "unpacks to far more data" in page(response)


# Row errors --------------------------------------------------------------------------------


def test_import_xlsx_formula_cell_is_a_row_error(client_for, admin_user):
    rows = [["B.I-001/2025", "Agus", None, "L", '=A2&"x"', ""]]

    response = upload(client_for(admin_user), xlsx_bytes(rows), name="register.xlsx")

    assert "Row 2, column Blok: formulas are not accepted." in page(response)
    assert response.context["token"] is None


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://evil.example","klik")', " +1+1", "@SUM(A1)"])
def test_import_csv_formula_cell_is_a_row_error(client_for, admin_user, cell):
    rows = [*ROWS, ["B.I-003/2025", cell, "", "L", "", ""]]

    response = upload(client_for(admin_user), csv_bytes(rows))

    assert "Row 4, column Nama: formulas are not accepted." in page(response)
    assert Inmate.objects.count() == 0


def test_import_lone_dash_is_an_empty_cell(client_for, admin_user):
    response = upload(client_for(admin_user), csv_bytes([["B.I-1", "Agus", "-", "L", "-", "-"]]))

    inmate = response.context["plan"].creates[0].inmate
    assert (inmate.birth_date, inmate.block, inmate.room) == (None, "", "")


def test_import_duplicate_numbers_in_file(client_for, admin_user):
    rows = [*ROWS, ["b.i-001/2025", "Agus Lagi", "", "L", "", ""]]

    response = upload(client_for(admin_user), csv_bytes(rows))

    assert (
        "Row 4, column No. Registrasi: b.i-001/2025 appears more than once in the file "
        "(first in row 2)." in page(response)
    )
    assert response.context["token"] is None


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["", "Agus", "", "L", "", ""], "column No. Registrasi: a value is required."),
        (["B.I-1", "", "", "L", "", ""], "column Nama: a value is required."),
        (["B.I-1", "Agus", "", "", "", ""], "column Jenis Kelamin: required for a new inmate"),
        (["B.I-1", "Agus", "", "X", "", ""], "column Jenis Kelamin: not a gender (use L or P)."),
        (["B.I-1", "Agus", "4/8/25", "L", "", ""], "column Tanggal Lahir: not a date"),
        (
            ["B.I-1", "Agus", "2999-01-01", "L", "", ""],
            "column Tanggal Lahir: the date of birth must be in the past.",
        ),
        (
            ["B" * 51, "Agus", "", "L", "", ""],
            "column No. Registrasi: too long (at most 50 characters).",
        ),
        (["B.I-1", "A" * 201, "", "L", "", ""], "column Nama: too long (at most 200 characters)."),
        (
            ["B.I-1", "Agus", "", "L", "B" * 51, ""],
            "column Blok: too long (at most 50 characters).",
        ),
    ],
)
def test_import_bad_cells_are_row_errors(client_for, admin_user, row, message):
    response = upload(client_for(admin_user), csv_bytes([row]))

    assert f"Row 2, {message}" in page(response)
    assert response.context["token"] is None
    assert Inmate.objects.count() == 0


def test_import_release_before_admission_is_a_row_error(client_for, admin_user):
    header = ["No. Registrasi", "Nama", "Jenis Kelamin", "Tanggal Masuk", "Perkiraan Bebas"]
    data = csv_bytes([["B.I-1", "Agus", "L", "01/02/2025", "01/01/2025"]], header=header)

    response = upload(client_for(admin_user), data)

    assert (
        "Row 2, column Perkiraan Bebas: the expected release date cannot be before the "
        "admission date." in page(response)
    )


FULL_HEADER = [*HEADER, "Tanggal Masuk", "Perkiraan Bebas", "Status"]


def listed_errors(html):
    """The preview's error list, item by item."""
    items = html.split('<ul class="import-errors">', 1)[1].split("</ul>", 1)[0]
    return [item.strip() for item in re.findall(r"<li>(.*?)</li>", items, flags=re.S)]


def test_import_lists_every_error_of_a_new_row(client_for, admin_user):
    # A bad cell, a missing gender and a release before admission: three errors of one row.
    row = ["B.I-1", "Agus", "31/02/1990", "", "", "", "01/02/2025", "01/01/2025", ""]

    response = upload(client_for(admin_user), csv_bytes([row], header=FULL_HEADER))

    assert listed_errors(page(response)) == [
        "Row 2, column Tanggal Lahir: not a date (use dd/mm/yyyy).",
        "Row 2, column Perkiraan Bebas: the expected release date cannot be before the "
        "admission date.",
        "Row 2, column Jenis Kelamin: required for a new inmate (L or P).",
    ]
    assert response.context["plan"].error_rows == 1
    assert response.context["token"] is None
    assert Inmate.objects.count() == 0


def test_import_lists_every_error_of_a_row_for_a_recorded_inmate(client_for, admin_user, facility):
    inmate = InmateFactory(facility=facility, registration_number="B.I-1", full_name="Agus")
    row = ["b.i-1", "=1+1", "2999-01-01", "", "Blok C", "", "", "", "bebas"]

    response = upload(client_for(admin_user), csv_bytes([row], header=FULL_HEADER))

    assert listed_errors(page(response)) == [
        "Row 2, column Nama: formulas are not accepted.",
        "Row 2, column Tanggal Lahir: the date of birth must be in the past.",
        "Row 2, column Status: an import does not record releases or transfers; use "
        "“Record release or transfer” on the inmate&#x27;s page, which also closes their "
        "enrolments.",
    ]
    inmate.refresh_from_db()
    assert (inmate.full_name, inmate.block, inmate.status) == ("Agus", inmate.block, "active")
    assert inmate.block != "Blok C"


def test_import_row_without_number_still_lists_its_other_errors(client_for, admin_user):
    # Without a number the row may be meant for a recorded inmate: no gender is asked for.
    row = ["", "", "", "", "", "", "01/02/2025", "01/01/2025", "pindah"]

    response = upload(client_for(admin_user), csv_bytes([row], header=FULL_HEADER))

    errors = listed_errors(page(response))
    assert [error.split(":", 1)[0] for error in errors] == [
        "Row 2, column No. Registrasi",
        "Row 2, column Nama",
        "Row 2, column Perkiraan Bebas",
        "Row 2, column Status",
    ]


def test_import_bad_gender_is_not_also_reported_missing(client_for, admin_user):
    response = upload(client_for(admin_user), csv_bytes([["B.I-1", "Agus", "", "X", "", ""]]))

    assert listed_errors(page(response)) == [
        "Row 2, column Jenis Kelamin: not a gender (use L or P)."
    ]


@pytest.mark.parametrize("status", ["bebas", "Released", "pindah"])
def test_import_does_not_record_departures(client_for, admin_user, facility, status):
    inmate = InmateFactory(facility=facility, registration_number="B.I-1")
    header = ["No. Registrasi", "Nama", "Jenis Kelamin", "Status"]
    rows = [["B.I-1", inmate.full_name, "L", status], ["B.I-2", "Baru", "L", status]]

    response = upload(client_for(admin_user), csv_bytes(rows, header=header))

    html = page(response)
    for row in (2, 3):
        assert (
            f"Row {row}, column Status: an import does not record releases or transfers; use “Record release or transfer”"
            in html
        )
    inmate.refresh_from_db()
    assert inmate.status == "active"


def test_import_does_not_return_departed_inmates_to_custody(client_for, admin_user, facility):
    InmateFactory(facility=facility, registration_number="B.I-1", status="released")
    header = ["No. Registrasi", "Nama", "Status"]
    ok = [["B.I-1", "Agus", "dalam pembinaan"]]

    response = upload(client_for(admin_user), csv_bytes(ok, header=header))

    assert "this inmate has left the facility (released or transferred)" in page(response)


# Templates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_template_parses_back_to_no_rows(client_for, staff_user, fmt):
    response = client_for(staff_user).get(reverse(TEMPLATE, args=[fmt]))

    assert response.status_code == 200
    assert f'filename="inmate-import-template.{fmt}"' in response["Content-Disposition"]
    parsed = read_file(response.content)
    assert parsed.format == fmt
    assert parsed.rows == []
    assert set(parsed.headers) == {
        "registration_number",
        "full_name",
        "birth_date",
        "gender",
        "block",
        "room",
        "admission_date",
        "expected_release_date",
        "status",
    }


def test_import_template_xlsx_has_instructions(client_for, staff_user):
    response = client_for(staff_user).get(reverse(TEMPLATE, args=["xlsx"]))

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Inmates", "Instructions"]
    notes = [row[0] for row in workbook["Instructions"].iter_rows(values_only=True)]
    assert "Jenis Kelamin" in notes
    assert "Formulas are not accepted: type the values." in notes


def test_import_confirm_after_the_file_vanished_asks_for_it_again(client_for, admin_user, settings):
    client = client_for(admin_user)
    token = upload(client, csv_bytes(ROWS)).context["token"]
    for path in stored_files(settings):
        path.unlink()

    response = confirm(client, token)

    assert response.status_code == 302
    assert response.url == reverse(IMPORT)
    assert shown_messages(response) == [
        "The uploaded file is no longer available; upload it again."
    ]
    assert Inmate.objects.count() == 0
