import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Partner, PartnerAgreement, ProgramPartner
from tests.factories import (
    PartnerAgreementFactory,
    PartnerFactory,
    ProgramFactory,
    ProgramPartnerFactory,
)

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def row_of(page, text):
    """The table row of `page` that contains `text`."""
    at = page.index(text)
    return page[page.rindex("<tr", 0, at) : page.index("</tr>", at)]


@pytest.fixture
def agreement(partner):
    return PartnerAgreementFactory(partner=partner, number="PKS/001/2025")


@pytest.fixture
def outside_partner(other_facility):
    return PartnerFactory(facility=other_facility, name="BLK Pangkalan Bun")


@pytest.fixture
def outside_agreement(outside_partner):
    return PartnerAgreementFactory(partner=outside_partner)


def partner_urls(partner, agreement):
    return {
        "partner_list": reverse("programs:partner_list"),
        "partner_create": reverse("programs:partner_create"),
        "partner_detail": reverse("programs:partner_detail", args=[partner.pk]),
        "partner_update": reverse("programs:partner_update", args=[partner.pk]),
        "agreement_create": reverse("programs:agreement_create", args=[partner.pk]),
        "agreement_update": reverse("programs:agreement_update", args=[agreement.pk]),
    }


READ_VIEWS = ["partner_list", "partner_detail"]
WRITE_VIEWS = ["partner_create", "partner_update", "agreement_create", "agreement_update"]


# Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", READ_VIEWS + WRITE_VIEWS)
def test_partner_views_anonymous_redirects_to_login(client, partner, agreement, name):
    response = client.get(partner_urls(partner, agreement)[name])
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", READ_VIEWS + WRITE_VIEWS)
def test_partner_views_trainer_forbidden(client_for, trainer_user, partner, agreement, name):
    # Even their own partner's page: trainers never see partner pages.
    response = client_for(trainer_user).get(partner_urls(partner, agreement)[name])
    assert response.status_code == 403


@pytest.mark.parametrize("name", WRITE_VIEWS)
def test_partner_write_views_viewer_forbidden(client_for, viewer_user, partner, agreement, name):
    response = client_for(viewer_user).get(partner_urls(partner, agreement)[name])
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["admin", "staff", "viewer"])
@pytest.mark.parametrize("name", READ_VIEWS)
def test_partner_read_views_readers_see_page(client_for, users, partner, agreement, role, name):
    response = client_for(users[role]).get(partner_urls(partner, agreement)[name])
    assert response.status_code == 200
    assert partner.name in response.content.decode()


@pytest.mark.parametrize("role", ["admin", "staff"])
@pytest.mark.parametrize("name", WRITE_VIEWS)
def test_partner_write_views_managers_see_form(client_for, users, partner, agreement, role, name):
    response = client_for(users[role]).get(partner_urls(partner, agreement)[name])
    assert response.status_code == 200
    assert "<form" in response.content.decode()


@pytest.mark.parametrize(
    "name", ["partner_detail", "partner_update", "agreement_create", "agreement_update"]
)
def test_partner_views_other_facility_not_found(
    client_for, admin_user, outside_partner, outside_agreement, name
):
    response = client_for(admin_user).get(partner_urls(outside_partner, outside_agreement)[name])
    assert response.status_code == 404


def test_partner_views_other_facility_post_changes_nothing(
    client_for, admin_user, outside_partner, outside_agreement
):
    client = client_for(admin_user)
    response = client.post(
        reverse("programs:partner_update", args=[outside_partner.pk]),
        {"name": "Taken over", "kind": "blk", "is_active": "on"},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("programs:agreement_create", args=[outside_partner.pk]),
        {"number": "X/1", "valid_from": "2025-01-01", "valid_to": "2025-12-31"},
    )
    assert response.status_code == 404
    outside_partner.refresh_from_db()
    assert outside_partner.name == "BLK Pangkalan Bun"
    assert outside_partner.agreements.count() == 1


def test_partner_list_superuser_sees_selected_facility(client_for, superuser, partner):
    # A superuser works in the first facility by name until it switches.
    response = client_for(superuser).get(reverse("programs:partner_list"))
    assert response.status_code == 200
    assert partner.name in response.content.decode()


# List ----------------------------------------------------------------------------------------


def test_partner_list_shows_kind_contact_programs_and_agreement(
    client_for, admin_user, partner, program, outside_partner
):
    partner.contact_person = "Pak Yusuf"
    partner.phone = "0812-555-0101"
    partner.save()
    ProgramPartnerFactory(program=ProgramFactory(facility=partner.facility), partner=partner)
    PartnerAgreementFactory(
        partner=partner, number="PKS/OLD", valid_to=TODAY - 400 * DAY, valid_from=TODAY - 800 * DAY
    )
    PartnerAgreementFactory(
        partner=partner, number="PKS/NEW", valid_from=TODAY - DAY, valid_to=TODAY + 10 * DAY
    )
    response = client_for(admin_user).get(reverse("programs:partner_list"))
    page = response.content.decode()
    row = row_of(page, partner.name)
    assert "BLK" in row
    assert "Pak Yusuf" in row and "0812-555-0101" in row
    assert '<td class="text-end">2</td>' in row
    assert "PKS/NEW" in row and "PKS/OLD" not in row
    assert "Expires soon" in row
    assert outside_partner.name not in page


def test_partner_list_flags_expired_and_missing_agreements(client_for, admin_user, facility):
    expired = PartnerFactory(facility=facility, name="UMKM Lama", kind="umkm")
    PartnerAgreementFactory(partner=expired, valid_from=TODAY - 400 * DAY, valid_to=TODAY - DAY)
    PartnerFactory(facility=facility, name="LPK Tanpa PKS", kind="lpk")
    page = client_for(admin_user).get(reverse("programs:partner_list")).content.decode()
    assert "Expired" in row_of(page, "UMKM Lama")
    assert "No agreement" in row_of(page, "LPK Tanpa PKS")


def test_partner_list_filters_by_kind(client_for, admin_user, partner, other_partner):
    response = client_for(admin_user).get(reverse("programs:partner_list"), {"kind": "lpk"})
    page = response.content.decode()
    assert other_partner.name in page
    assert partner.name not in page


def test_partner_list_searches_by_name(client_for, admin_user, partner, other_partner):
    response = client_for(admin_user).get(reverse("programs:partner_list"), {"q": "multi"})
    page = response.content.decode()
    assert other_partner.name in page
    assert partner.name not in page


def test_partner_list_ignores_unknown_kind(client_for, admin_user, partner):
    response = client_for(admin_user).get(reverse("programs:partner_list"), {"kind": "bogus"})
    assert response.status_code == 200
    assert partner.name in response.content.decode()


@pytest.mark.parametrize("rows", [5, 50])
def test_partner_list_query_count_is_fixed(
    client_for, admin_user, facility, django_assert_num_queries, rows
):
    for _ in range(rows):
        partner = PartnerFactory(facility=facility)
        PartnerAgreementFactory(partner=partner)
        ProgramPartnerFactory(program=ProgramFactory(facility=facility), partner=partner)
    client = client_for(admin_user)
    # 1 session, 2 user, 3 user's facility (scope), 4 count for the paginator,
    # 5 the page of partners with their program counts, 6 their agreements.
    with django_assert_num_queries(6):
        response = client.get(reverse("programs:partner_list"))
    # Every row shows its program count and its agreement's number.
    page = response.content.decode()
    assert page.count('<td class="text-end">1</td>') == rows
    assert page.count("PKS/") == rows


# Detail --------------------------------------------------------------------------------------


def test_partner_detail_shows_agreements_trainers_and_programs(
    client_for, admin_user, trainer_user, partner, program
):
    PartnerAgreementFactory(
        partner=partner, number="PKS/EXP", valid_from=TODAY - 400 * DAY, valid_to=TODAY - DAY
    )
    PartnerAgreementFactory(
        partner=partner, number="PKS/SOON", valid_from=TODAY - DAY, valid_to=TODAY + 5 * DAY
    )
    PartnerAgreementFactory(
        partner=partner, number="PKS/NOW", valid_from=TODAY - DAY, valid_to=TODAY + 400 * DAY
    )
    PartnerAgreementFactory(
        partner=partner,
        number="PKS/NEXT",
        valid_from=TODAY + 401 * DAY,
        valid_to=TODAY + 800 * DAY,
        title="Perpanjangan",
    )
    page = client_for(admin_user).get(partner.get_absolute_url()).content.decode()
    assert "Expired" in row_of(page, "PKS/EXP")
    assert "Expires soon" in row_of(page, "PKS/SOON")
    assert "Active" in row_of(page, "PKS/NOW")
    assert "Not yet valid" in row_of(page, "PKS/NEXT")
    assert "Perpanjangan" in row_of(page, "PKS/NEXT")
    assert str(trainer_user) in page
    program_row = row_of(page, program.title)
    assert "Lead" in program_row
    assert program.get_absolute_url() in program_row


def test_partner_detail_manager_sees_edit_buttons(client_for, admin_user, partner):
    page = client_for(admin_user).get(partner.get_absolute_url()).content.decode()
    assert reverse("programs:partner_update", args=[partner.pk]) in page
    assert reverse("programs:agreement_create", args=[partner.pk]) in page


def test_partner_detail_viewer_sees_no_edit_buttons(client_for, viewer_user, partner, agreement):
    page = client_for(viewer_user).get(partner.get_absolute_url()).content.decode()
    assert agreement.number in page
    assert reverse("programs:partner_update", args=[partner.pk]) not in page
    assert reverse("programs:agreement_create", args=[partner.pk]) not in page
    assert reverse("programs:agreement_update", args=[agreement.pk]) not in page


# Partner form --------------------------------------------------------------------------------


def partner_data(**overrides):
    return {
        "name": "UMKM Marajaki Kreatif",
        "kind": "umkm",
        "contact_person": "Ibu Sari",
        "phone": "0813-555-0102",
        "email": "marajaki@example.org",
        "head_name": "Sari Wulandari",
        "head_title": "Pemilik UMKM Marajaki Kreatif",
        "head_nip": "",
        "is_active": "on",
        **overrides,
    }


def test_partner_create_saves_in_own_facility(client_for, staff_user, facility):
    client = client_for(staff_user)
    response = client.post(reverse("programs:partner_create"), partner_data())
    created = Partner.objects.get(name="UMKM Marajaki Kreatif")
    assert response.status_code == 302
    assert response.url == created.get_absolute_url()
    assert created.facility == facility
    assert created.kind == "umkm"
    page = client.get(response.url).content.decode()
    assert "The partner UMKM Marajaki Kreatif was added." in page


def test_partner_create_same_name_in_other_facility_allowed(
    client_for, admin_user, outside_partner
):
    response = client_for(admin_user).post(
        reverse("programs:partner_create"), partner_data(name=outside_partner.name)
    )
    assert response.status_code == 302
    assert Partner.objects.filter(name=outside_partner.name).count() == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"kind": ""}, "This field is required."),
        ({"kind": "bank"}, "Select a valid choice."),
        ({"name": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"name": "blk kota palangka raya"}, "This facility already has a partner with this name."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"head_nip": "1234"}, "Enter an NIP of exactly 18 digits."),
    ],
)
def test_partner_create_bad_input_shows_error_and_saves_nothing(
    client_for, admin_user, partner, overrides, message
):
    before = Partner.objects.count()
    response = client_for(admin_user).post(
        reverse("programs:partner_create"), partner_data(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Partner.objects.count() == before


def test_partner_update_saves_changes(client_for, admin_user, partner):
    client = client_for(admin_user)
    response = client.post(
        reverse("programs:partner_update", args=[partner.pk]),
        partner_data(name=partner.name, kind="blk", contact_person="Pak Andi", is_active=""),
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.contact_person == "Pak Andi"
    assert partner.is_active is False
    assert (
        "The partner BLK Kota Palangka Raya was saved." in client.get(response.url).content.decode()
    )


def test_partner_update_name_clash_shows_error_and_saves_nothing(
    client_for, admin_user, partner, other_partner
):
    response = client_for(admin_user).post(
        reverse("programs:partner_update", args=[partner.pk]),
        partner_data(name=other_partner.name),
    )
    assert "This facility already has a partner with this name." in response.content.decode()
    partner.refresh_from_db()
    assert partner.name == "BLK Kota Palangka Raya"


# Agreement form ------------------------------------------------------------------------------


def agreement_data(**overrides):
    return {
        "number": "500/012/PKS/2025",
        "title": "Pelatihan kerajinan",
        "valid_from": "2025-01-01",
        "valid_to": "2026-12-31",
        **overrides,
    }


def test_agreement_create_saves_for_partner(client_for, staff_user, partner):
    client = client_for(staff_user)
    response = client.post(
        reverse("programs:agreement_create", args=[partner.pk]), agreement_data()
    )
    assert response.status_code == 302
    assert response.url == partner.get_absolute_url()
    created = partner.agreements.get()
    assert created.number == "500/012/PKS/2025"
    assert created.valid_to == datetime.date(2026, 12, 31)
    assert "The agreement 500/012/PKS/2025 was added." in client.get(response.url).content.decode()


def test_agreement_create_same_number_for_other_partner_allowed(
    client_for, admin_user, partner, other_partner
):
    PartnerAgreementFactory(partner=other_partner, number="500/012/PKS/2025")
    response = client_for(admin_user).post(
        reverse("programs:agreement_create", args=[partner.pk]), agreement_data()
    )
    assert response.status_code == 302
    assert partner.agreements.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"number": ""}, "This field is required."),
        ({"valid_from": ""}, "This field is required."),
        ({"valid_to": "31-12-2026x"}, "Enter a valid date."),
        ({"number": "9" * 101}, "Ensure this value has at most 100 characters"),
        ({"valid_to": "2024-12-31"}, "The end of validity cannot be before its start."),
        ({"number": "PKS/001/2025"}, "This partner already has an agreement with this number."),
    ],
)
def test_agreement_create_bad_input_shows_error_and_saves_nothing(
    client_for, admin_user, partner, agreement, overrides, message
):
    before = PartnerAgreement.objects.count()
    response = client_for(admin_user).post(
        reverse("programs:agreement_create", args=[partner.pk]), agreement_data(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert PartnerAgreement.objects.count() == before


def test_agreement_update_saves_changes(client_for, admin_user, partner, agreement):
    response = client_for(admin_user).post(
        reverse("programs:agreement_update", args=[agreement.pk]),
        agreement_data(number=agreement.number, valid_to="2027-06-30"),
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.valid_to == datetime.date(2027, 6, 30)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"number": "PKS/002/2025"}, "This partner already has an agreement with this number."),
        ({"valid_from": "2031-01-01"}, "The end of validity cannot be before its start."),
    ],
)
def test_agreement_update_bad_input_shows_error_and_saves_nothing(
    client_for, admin_user, partner, agreement, overrides, message
):
    PartnerAgreementFactory(partner=partner, number="PKS/002/2025")
    response = client_for(admin_user).post(
        reverse("programs:agreement_update", args=[agreement.pk]),
        {**agreement_data(number=agreement.number, valid_to="2030-12-31"), **overrides},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.number == "PKS/001/2025"
    assert agreement.valid_from == datetime.date(2025, 1, 1)


def test_program_partner_links_untouched_by_partner_edit(client_for, admin_user, partner, program):
    client_for(admin_user).post(
        reverse("programs:partner_update", args=[partner.pk]), partner_data(name=partner.name)
    )
    assert ProgramPartner.objects.filter(program=program, partner=partner).exists()


# The partner's own series for discreet certificates (#9)


def test_partner_certificate_code_and_pattern_are_saved(client_for, staff_user):
    client_for(staff_user).post(
        reverse("programs:partner_create"),
        partner_data(certificate_code="UMKM-MK", certificate_number_pattern="{seq}/{partner_code}"),
    )

    partner = Partner.objects.get(name="UMKM Marajaki Kreatif")
    assert (partner.certificate_code, partner.certificate_number_pattern) == (
        "UMKM-MK",
        "{seq}/{partner_code}",
    )


def test_partner_empty_pattern_keeps_the_usual_one(client_for, staff_user):
    client_for(staff_user).post(
        reverse("programs:partner_create"), partner_data(certificate_number_pattern="  ")
    )

    partner = Partner.objects.get(name="UMKM Marajaki Kreatif")
    assert partner.certificate_number_pattern == "{seq:03d}/{partner_code}/{month_roman}/{year}"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        # The facility's unit code would name the prison on a discreet certificate.
        ({"certificate_number_pattern": "{seq}/{unit_code}/{year}"}, "Use only the placeholders"),
        ({"certificate_number_pattern": "{partner_code}/{year}"}, "must contain {seq}"),
        ({"certificate_number_pattern": "{seq:03d"}, "Use only the placeholders"),
        ({"certificate_code": "blk-pky"}, "Another partner already uses this certificate code."),
    ],
)
def test_partner_bad_certificate_series_is_refused(
    client_for, staff_user, outside_partner, overrides, message
):
    # A code is unique in the whole installation: another facility's partner holds this one.
    outside_partner.certificate_code = "BLK-PKY"
    outside_partner.save()

    response = client_for(staff_user).post(
        reverse("programs:partner_create"), partner_data(**overrides)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Partner.objects.filter(name="UMKM Marajaki Kreatif").exists()


def test_partner_list_filters_agreements_valid_in_a_range(client_for, viewer_user, facility):
    """The reports link the partners whose agreements were valid during a period."""
    for name, start, end in [
        ("Mitra Sepanjang Tahun", (2025, 1, 1), (2025, 12, 31)),
        ("Mitra Habis Juli", (2024, 1, 1), (2025, 7, 31)),
        ("Mitra Mulai Akhir Agustus", (2025, 8, 31), (2026, 8, 30)),
        ("Mitra September", (2025, 9, 1), (2026, 8, 31)),
    ]:
        PartnerAgreementFactory(
            partner=PartnerFactory(facility=facility, name=name),
            valid_from=datetime.date(*start),
            valid_to=datetime.date(*end),
        )
    html = (
        client_for(viewer_user)
        .get(
            reverse("programs:partner_list"),
            {"agreement_from": "2025-08-01", "agreement_to": "2025-08-31"},
        )
        .content.decode()
    )
    assert "Mitra Sepanjang Tahun" in html
    assert "Mitra Mulai Akhir Agustus" in html
    assert "Mitra Habis Juli" not in html
    assert "Mitra September" not in html


def test_partner_list_reversed_agreement_range_shows_error(client_for, viewer_user, partner):
    html = (
        client_for(viewer_user)
        .get(
            reverse("programs:partner_list"),
            {"agreement_from": "2025-08-31", "agreement_to": "2025-08-01"},
        )
        .content.decode()
    )
    assert "The end date must not be before the start date." in html
    assert partner.name in html
