"""The roll-up pages: who may read them, what they count, and their fixed query counts.

The cast of tests/conftest.py plus two regions: `region` holds `facility` and `sister_facility`,
`other_region` holds `other_facility`. `regional_user` reads `region`; the superuser reads all.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from attendance.models import AttendanceStatus
from lapas_training.models import Facility, Region, Role
from lapas_training.reports.periods import Period
from programs.models import Enrollment
from tests.certificates import close, enrol, make_sessions
from tests.factories import (
    FacilityFactory,
    InmateFactory,
    PartnerAgreementFactory,
    PartnerFactory,
    ProgramFactory,
    ProgramPartnerFactory,
    UserFactory,
)
from tests.helpers import assert_answer, log_in, page

H, T, I, S, A = "H", "T", "I", "S", "A"  # noqa: E741 (the paper sheet's letters)
COURT, CLINIC = AttendanceStatus.COURT, AttendanceStatus.CLINIC
AUGUST = "period=month&month=2025-08"


@pytest.fixture
def sister_facility(db):
    return FacilityFactory(name="Lapas Kelas IIB Sampit", unit_code="LP.SPT")


@pytest.fixture
def region(facility, sister_facility):
    region = Region.objects.create(
        name="Kanwil Kalimantan Tengah",
        office_name="Kantor Wilayah Kementerian Imigrasi dan Pemasyarakatan Kalimantan Tengah",
        city="Palangka Raya",
    )
    Facility.objects.filter(pk__in=[facility.pk, sister_facility.pk]).update(region=region)
    return region


@pytest.fixture
def other_region(other_facility):
    region = Region.objects.create(name="Kanwil Kalimantan Selatan", city="Banjarmasin")
    Facility.objects.filter(pk=other_facility.pk).update(region=region)
    return region


@pytest.fixture
def regional_user(region):
    return UserFactory(username="kanwil", facility=None, role=Role.REGIONAL, region=region)


@pytest.fixture
def other_regional_user(other_region):
    return UserFactory(
        username="kanwil.kalsel", facility=None, role=Role.REGIONAL, region=other_region
    )


def shown(html, testid):
    """The text of the element marked data-testid=`testid`."""
    match = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', html)
    assert match, f"{testid} not on the page"
    return match[1].strip()


# Access ---------------------------------------------------------------------------------------

ROLLUP_PAGES = [
    ("reports:rollup", None),
    ("reports:rollup_comparison", None),
    ("reports:rollup_facility", "facility"),
    ("reports:rollup_programs", None),
    ("reports:rollup_program", "program"),
    ("reports:rollup_partners", None),
    ("reports:rollup_partner", "partner"),
]


def rollup_url(name, target):
    return reverse(name, args=[target.pk]) if target is not None else reverse(name)


@pytest.mark.parametrize(("name", "target"), ROLLUP_PAGES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "login"),
        ("admin", 403),
        ("staff", 403),
        ("viewer", 403),
        ("trainer", 403),
        ("outsider", 403),
        ("regional", 200),
        ("superuser", 200),
    ],
)
def test_rollup_page_answers_by_role(
    request, client_for, users, regional_user, superuser, program, name, target, who, expected
):
    cast = {**users, "regional": regional_user, "superuser": superuser, None: None}
    target = request.getfixturevalue(target) if target else None
    response = client_for(cast[who]).get(rollup_url(name, target))
    assert_answer(response, expected)


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("reports:rollup_facility", "other_facility"),
        ("reports:rollup_program", "outside_program"),
        ("reports:rollup_partner", "outside_partner"),
    ],
)
def test_rollup_object_of_another_region_is_404(
    request, client_for, regional_user, other_region, superuser, name, target
):
    target = request.getfixturevalue(target)
    assert client_for(regional_user).get(rollup_url(name, target)).status_code == 404
    # The nation reads every region.
    assert client_for(superuser).get(rollup_url(name, target)).status_code == 200


@pytest.fixture
def outside_partner(outside_program):
    return outside_program.partners.get()


def test_rollup_of_the_other_region_does_not_reach_this_one(
    client_for, other_regional_user, region, program, partner, facility
):
    client = client_for(other_regional_user)
    assert client.get(rollup_url("reports:rollup_program", program)).status_code == 404
    assert client.get(rollup_url("reports:rollup_partner", partner)).status_code == 404
    assert client.get(rollup_url("reports:rollup_facility", facility)).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        reverse("programs:program_list"),
        reverse("programs:partner_list"),
        reverse("programs:session_list"),
        reverse("inmates:inmate_list"),
        reverse("certificates:certificate_list"),
        reverse("attendance:today"),
        reverse("user_list"),
        reverse("audit_list"),
        reverse("facility_settings"),
        reverse("reports:periodic"),
        reverse("reports:dashboard"),
        reverse("attendance:sppn"),
    ],
)
def test_regional_user_is_refused_every_facility_page(client_for, regional_user, url):
    assert client_for(regional_user).get(url).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "programs:program_detail",
        "reports:activity_edit",
        "reports:activity_pdf",
        "reports:news",
        "attendance:recap",
    ],
)
def test_regional_user_is_refused_a_facility_program_page(client_for, regional_user, program, name):
    response = client_for(regional_user).get(reverse(name, args=[program.pk]))
    assert response.status_code == 403


def test_regional_user_lands_on_the_rollup_after_login(client, regional_user):
    assert log_in(client, "kanwil", "pelatihan-2025")
    response = client.get(reverse("dashboard"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("reports:rollup")
    assert "Kanwil Kalimantan Tengah" in page(response)


def test_superuser_keeps_the_facility_dashboard_and_finds_the_national_rollup(
    client_for, superuser, facility
):
    client = client_for(superuser)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert f'href="{reverse("reports:rollup")}"' in page(response)
    rollup = page(client.get(reverse("reports:rollup")))
    assert "National" in rollup


def test_regional_navigation_shows_only_the_rollup(client_for, regional_user):
    html = page(client_for(regional_user).get(reverse("reports:rollup")))
    nav = html[html.index("<nav") : html.index("</nav>")]
    assert "Kanwil Kalimantan Tengah" in nav
    for label, name in [
        ("Regional summary", "reports:rollup"),
        ("Facilities compared", "reports:rollup_comparison"),
        ("Programs", "reports:rollup_programs"),
        ("Partners", "reports:rollup_partners"),
    ]:
        assert f'href="{reverse(name)}">{label}</a>' in nav
    for name in ["dashboard", "programs:program_list", "inmates:inmate_list", "user_list"]:
        assert f'href="{reverse(name)}"' not in nav


# What the pages count -------------------------------------------------------------------------


@pytest.fixture
def august(facility, sister_facility, other_facility, region, other_region, program, admin_user):
    """Hand-counted August 2025 in both facilities of the region, and noise outside it.

    Kasongan (`program`, 3 sessions of 1 JP, closed): H H T / H A sidang / S I -, so 8 records,
    1 custody, 4 attended; closing completes only the first (1 of 3).
    Sampit (2 sessions of 1 JP, running): H H / A klinik, so 4 records, 1 custody, 2 attended.
    Pangkalan Bun, in the other region: 1 session, H.
    """
    sessions = make_sessions(program, 3)
    enrol(program, sessions, [H, H, T])
    enrol(program, sessions, [H, A, COURT])
    enrol(program, sessions, [S, I, ""])
    close(program, admin_user)
    PartnerAgreementFactory(partner=program.partners.get())

    sampit = ProgramFactory(facility=sister_facility, title="Menjahit Tas")
    ProgramPartnerFactory(program=sampit)
    PartnerAgreementFactory(partner=sampit.partners.get())
    sessions = make_sessions(sampit, 2)
    enrol(sampit, sessions, [H, H])
    enrol(sampit, sessions, [A, CLINIC])

    outside = ProgramFactory(facility=other_facility, title="Budidaya Lele")
    ProgramPartnerFactory(program=outside)
    PartnerAgreementFactory(partner=outside.partners.get())
    enrol(outside, make_sessions(outside, 1), [H])
    return program, sampit


def test_rollup_summary_is_the_sum_of_the_region_facilities(client_for, regional_user, august):
    html = page(client_for(regional_user).get(reverse("reports:rollup") + "?" + AUGUST))
    assert shown(html, "participants") == "5"  # 3 + 2
    assert shown(html, "sessions-held") == "5"  # 3 + 2
    assert shown(html, "attendance-rate") == "60.0%"  # (4 + 2) / (7 + 3)
    assert shown(html, "completion-rate") == "33.3%"  # 1 of 3, Sampit not closed
    assert shown(html, "active-agreements") == "2"  # Pangkalan Bun's is another region's


def test_national_rollup_counts_every_facility(client_for, superuser, august):
    html = page(client_for(superuser).get(reverse("reports:rollup") + "?" + AUGUST))
    assert shown(html, "participants") == "6"
    assert shown(html, "attendance-rate") == "63.6%"  # (4 + 2 + 1) / (7 + 3 + 1)


def test_rollup_comparison_has_a_row_per_facility_of_the_region(client_for, regional_user, august):
    html = page(client_for(regional_user).get(reverse("reports:rollup_comparison") + "?" + AUGUST))
    table = html[html.index('data-testid="comparison"') :]
    rows = re.findall(r"<tr>\s*<th scope=\"row\"><a [^>]*>([^<]+)</a></th>(.*?)</tr>", table, re.S)
    cells = {name: re.findall(r">([^<]*)</td>", rest) for name, rest in rows}
    assert cells == {
        "Lapas Kelas IIB Sampit": ["2", "2", "2", "66.6%", "–", "0", "1"],
        "Lapas Narkotika Kelas IIA Kasongan": ["3", "3", "3", "57.1%", "33.3%", "0", "1"],
    }


def test_rollup_facility_shows_that_facility_alone(client_for, regional_user, august, facility):
    url = reverse("reports:rollup_facility", args=[facility.pk]) + "?" + AUGUST
    html = page(client_for(regional_user).get(url))
    assert shown(html, "participants") == "3"
    assert shown(html, "attendance-rate") == "57.1%"  # 4 / 7


def test_rollup_programs_lists_counts_never_names(client_for, regional_user, august):
    program, _sampit = august
    co_trainer = PartnerFactory(facility=program.facility, name="Aneka Kriya")
    ProgramPartnerFactory(program=program, partner=co_trainer, role="co_trainer")
    html = page(client_for(regional_user).get(reverse("reports:rollup_programs")))
    assert "Budidaya Lele" not in html
    row = html[html.index(program.title) :]
    row = row[: row.index("</tr>")]
    assert re.findall(r'class="text-end">([^<]*)</td>', row) == ["3", "3 / 3", "57.1%", "33.3%"]
    assert "Lapas Narkotika Kelas IIA Kasongan" in row
    # The lead partner first.
    assert row.index("BLK Kota Palangka Raya") < row.index("Aneka Kriya")
    for enrollment in Enrollment.objects.select_related("inmate"):
        assert enrollment.inmate.full_name not in html
        assert enrollment.inmate.registration_number not in html


def test_rollup_programs_filter_by_facility(client_for, regional_user, august, sister_facility):
    program, sampit = august
    url = reverse("reports:rollup_programs") + f"?facility={sister_facility.pk}"
    html = page(client_for(regional_user).get(url))
    assert sampit.title in html
    assert program.title not in html


def test_rollup_programs_ignore_a_facility_of_another_region(
    client_for, regional_user, august, other_facility
):
    url = reverse("reports:rollup_programs") + f"?facility={other_facility.pk}"
    response = client_for(regional_user).get(url)
    assert response.status_code == 200
    assert "Budidaya Lele" not in page(response)
    assert "Select a valid choice" in page(response)


def test_rollup_program_page_has_topics_partners_and_counts(client_for, regional_user, august):
    program, _sampit = august
    html = page(client_for(regional_user).get(reverse("reports:rollup_program", args=[program.pk])))
    assert shown(html, "participants") == "3"
    assert shown(html, "sessions-held") == "3 / 3"
    assert shown(html, "attendance-rate") == "57.1%"
    assert shown(html, "completion-rate") == "33.3%"
    assert "BLK Kota Palangka Raya" in html
    for enrollment in program.enrollments.select_related("inmate"):
        assert enrollment.inmate.full_name not in html


def test_rollup_partners_count_programs_and_participants(
    client_for, regional_user, august, partner
):
    other_program = ProgramFactory(facility=partner.facility, title="Program Kedua")
    ProgramPartnerFactory(program=other_program, partner=partner)
    # An inmate in both of the partner's programs counts once.
    enrol(other_program, [], [], inmate=august[0].enrollments.first().inmate)
    html = page(client_for(regional_user).get(reverse("reports:rollup_partners")))
    row = html[html.index("BLK Kota Palangka Raya") :]
    row = row[: row.index("</tr>")]
    assert "PKS/" in row
    assert re.findall(r'class="text-end">([^<]*)</td>', row) == ["2", "3"]
    detail = page(
        client_for(regional_user).get(reverse("reports:rollup_partner", args=[partner.pk]))
    )
    assert shown(detail, "participants") == "3"
    assert "Program Kedua" in detail


# Fixed query counts ---------------------------------------------------------------------------


def grow(region, facilities, programs_each):
    """`facilities` more facilities in `region`, each with `programs_each` programs that have a
    partner, an agreement and two held sessions with marks."""
    for _ in range(facilities):
        facility = FacilityFactory(region=region)
        partner = PartnerFactory(facility=facility)
        PartnerAgreementFactory(partner=partner)
        for _ in range(programs_each):
            program = ProgramFactory(facility=facility)
            ProgramPartnerFactory(program=program, partner=partner)
            sessions = make_sessions(program, 2)
            enrol(program, sessions, [H, A], inmate=InmateFactory(facility=facility))


@pytest.mark.parametrize(("facilities", "programs_each"), [(0, 1), (8, 3)])
def test_rollup_list_pages_keep_their_query_count(
    client_for, regional_user, region, august, facilities, programs_each, django_assert_num_queries
):
    """The same count with the region's 2 facilities and with 10 (and 5 or 30 programs).

    Every page: the session, the user with its region (lapas_training.backends), then its own.
    """
    grow(region, facilities, programs_each)
    client = client_for(regional_user)
    # + facility choices, count, programs, their partners, then rollup.program_figures' four.
    with django_assert_num_queries(2 + 8):
        assert client.get(reverse("reports:rollup_programs")).status_code == 200
    # + count, partners with their program count, agreements, participant counts.
    with django_assert_num_queries(2 + 4):
        assert client.get(reverse("reports:rollup_partners")).status_code == 200
    # + count, the page of facilities, figures.by_facility's six.
    with django_assert_num_queries(2 + 8):
        assert client.get(reverse("reports:rollup_comparison") + "?" + AUGUST).status_code == 200
    # + figures.period_figures' seven (the summary and the charts' figures).
    with django_assert_num_queries(2 + 7):
        assert client.get(reverse("reports:rollup") + "?" + AUGUST).status_code == 200
    # + the facility, then as the summary.
    url = reverse("reports:rollup_facility", args=[region.facilities.first().pk])
    with django_assert_num_queries(2 + 1 + 7):
        assert client.get(url + "?" + AUGUST).status_code == 200


@pytest.mark.parametrize("name", ["reports:rollup", "reports:rollup_comparison"])
def test_rollup_unreadable_period_is_a_message_not_an_error(client_for, regional_user, name):
    response = client_for(regional_user).get(reverse(name) + "?period=month&month=2025-13")
    assert response.status_code == 200
    assert "Enter a month as YYYY-MM" in page(response)
    today = timezone.localdate()
    assert shown(page(response), "period-label") == date_format(today, "YEAR_MONTH_FORMAT")


@pytest.mark.parametrize(
    ("period", "before", "after"),
    [
        (Period.month(2025, 1), Period.month(2024, 12), Period.month(2025, 2)),
        (Period.month(2025, 12), Period.month(2025, 11), Period.month(2026, 1)),
        (Period.quarter(2025, 1), Period.quarter(2024, 4), Period.quarter(2025, 2)),
        (Period.quarter(2025, 4), Period.quarter(2025, 3), Period.quarter(2026, 1)),
        (Period.year(2025), Period.year(2024), Period.year(2026)),
    ],
)
def test_rollup_period_links_lead_to_the_neighbouring_periods(
    client_for, regional_user, period, before, after
):
    html = page(client_for(regional_user).get(reverse("reports:rollup") + "?" + period.query()))
    assert f'href="?{before.query()}" rel="prev"' in html.replace("&amp;", "&")
    assert f'href="?{after.query()}" rel="next"' in html.replace("&amp;", "&")


def test_rollup_custom_period_has_no_neighbours(client_for, regional_user):
    custom = Period.custom(datetime.date(2025, 8, 4), datetime.date(2025, 8, 8))
    html = page(client_for(regional_user).get(reverse("reports:rollup") + "?" + custom.query()))
    assert shown(html, "period-label") == custom.label
    assert 'rel="prev"' not in html
    assert 'rel="next"' not in html
