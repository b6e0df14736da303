"""The reports dashboard at /reports/ over the known data of test_figures (`world`)."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import translation

from lapas_training.models import Region, Role
from programs.models import Program
from tests.factories import (
    AttendanceRecordFactory,
    EnrollmentFactory,
    PartnerAgreementFactory,
    ProgramFactory,
    ProgramPartnerFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.helpers import assert_answer, page
from tests.reports.test_figures import world  # noqa: F401 (the known data, a fixture)

URL = reverse("reports:dashboard")


def aksesoris():
    return Program.objects.get(title="Aksesoris")


AUGUST = {"period": "month", "month": "2025-08"}


@pytest.fixture
def regional_user(facility):
    region = Region.objects.create(name="Kanwil Kalimantan Tengah")
    facility.region = region
    facility.save(update_fields=["region"])
    return UserFactory(username="kanwil", facility=None, role=Role.REGIONAL, region=region)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "login"),
        ("admin", 200),
        ("staff", 200),
        ("viewer", 200),
        ("trainer", 403),
        ("outsider", 200),
        ("regional", 403),
    ],
)
def test_dashboard_access(client_for, users, regional_user, who, expected):
    user = regional_user if who == "regional" else users.get(who)
    assert_answer(client_for(user).get(URL), expected)


def test_dashboard_refuses_post(client_for, viewer_user):
    assert client_for(viewer_user).post(URL).status_code == 405


def card(html, label):
    """The number on the summary card named `label` and the card's link."""
    match = re.search(
        r'<a class="card[^"]*" href="([^"]*)">\s*<span[^>]*>\s*<span[^>]*>'
        + re.escape(label)
        + r"</span>\s*<span[^>]*>([^<]*)</span>",
        html,
    )
    assert match, label
    return match[2], match[1].replace("&amp;", "&")


@pytest.mark.usefixtures("world")
def test_dashboard_shows_the_hand_counted_figures(client_for, viewer_user):
    html = page(client_for(viewer_user).get(URL, AUGUST))
    assert "August 2025" in html
    assert card(html, "Participants") == (
        "5",
        "/inmates/?trained_from=2025-08-01&trained_to=2025-08-31",
    )
    held = "/sessions/?status=held&date_from=2025-08-01&date_to=2025-08-31"
    assert card(html, "Sessions held") == ("3", held)
    assert card(html, "JP delivered") == ("14", held)
    assert card(html, "Average attendance") == ("57.1%", held)
    assert card(html, "Completion rate") == (
        "33.3%",
        "/programs/?status=completed&ended_from=2025-08-01&ended_to=2025-08-31",
    )
    assert "1 of 3 participants of closed programs" in html
    assert card(html, "Certificates issued") == (
        "2",
        "/certificates/?kind=completion&issued_from=2025-08-01&issued_to=2025-08-31",
    )
    assert card(html, "Statements of participation")[0] == "2"
    assert card(html, "Active agreements") == (
        "2",
        "/partners/?agreement_from=2025-08-01&agreement_to=2025-08-31",
    )


@pytest.mark.usefixtures("world")
def test_dashboard_shows_five_charts_with_their_tables(client_for, viewer_user):
    html = page(client_for(viewer_user).get(URL, AUGUST))
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == 5
    for svg in svgs:
        assert ET.fromstring(svg).get("role") == "img"
    assert html.count("<figure") == 5
    assert html.count("<table") == 5
    for caption in [
        "Attendance per month",
        "Completion by program",
        "Participants by partner",
        "Participants by skill category",
        "Custody reasons",
    ]:
        assert f"{caption}<" in html
    # The partner table: LPK 5, BLK 4, each linking its participants.
    assert re.search(r"LPK Multi Karya</th><td[^>]*><a href=\"[^\"]*trained_partner=\d+\">5<", html)
    assert re.search(r"Sewing and tailoring</th><td[^>]*><a [^>]*trained_skill=sewing\">2<", html)
    # The completion table links the program and lists each outcome.
    assert f'href="/programs/{aksesoris().pk}/">Aksesoris</a>' in html
    # The month's row of the attendance table: H 2, T 2, I 1, S 1, A 1, custody 3, 57.1%.
    row = re.search(r"Aug 2025</a></th>(.*?)</tr>", html, re.S)[1]
    assert re.findall(r">([^<>]+)</td>", row) == ["2", "2", "1", "1", "1", "3", "57.1%"]
    # Custody reasons: one each of court, visit and clinic.
    assert re.search(r"Sidang</th><td[^>]*>1<", html)


@pytest.mark.usefixtures("world")
def test_dashboard_leaves_out_the_other_facility(client_for, viewer_user):
    html = page(client_for(viewer_user).get(URL, AUGUST))
    assert "UMKM Lele Jaya" not in html
    assert "Budidaya Lele" not in html
    assert "Fishery" not in html


@pytest.mark.usefixtures("world")
def test_dashboard_links_the_other_reports(client_for, viewer_user):
    html = page(client_for(viewer_user).get(URL, AUGUST))
    assert 'href="/reports/periodic/?period=month&amp;month=2025-08"' in html
    assert f'href="{reverse("attendance:sppn")}?month=2025-08"' in html
    # The Kalapas prints the report; only managers are offered the page that edits its texts.
    assert f'href="{reverse("reports:activity_pdf", args=[aksesoris().pk])}"' in html
    assert f'href="{reverse("reports:activity_edit", args=[aksesoris().pk])}"' not in html


@pytest.mark.usefixtures("world")
def test_dashboard_offers_managers_the_activity_texts(client_for, staff_user):
    html = page(client_for(staff_user).get(URL, AUGUST))
    assert f'href="{reverse("reports:activity_edit", args=[aksesoris().pk])}"' in html


@pytest.mark.usefixtures("world")
def test_dashboard_in_indonesian_formats_numbers(client_for, viewer_user):
    viewer_user.language = "id"
    viewer_user.save(update_fields=["language"])
    with translation.override("id"):
        html = page(client_for(viewer_user).get(URL, AUGUST))
    assert "Agustus 2025" in html
    assert card(html, "Peserta")[0] == "5"
    assert card(html, "Rata-rata kehadiran")[0] == "57,1%"
    assert card(html, "Tingkat penyelesaian")[0] == "33,3%"


def test_dashboard_bad_period_shows_error_and_the_current_month(client_for, viewer_user):
    response = client_for(viewer_user).get(URL, {"period": "month", "month": "2025-13"})
    assert response.status_code == 200
    html = page(response)
    assert "Enter a month as YYYY-MM, e.g. 2025-08." in html
    assert "The period could not be read" in html
    today = datetime.date.today()
    assert f'data-testid="period-label">{today:%B %Y}<' in html


def test_dashboard_without_data_says_so(client_for, viewer_user):
    html = page(client_for(viewer_user).get(URL, AUGUST))
    assert "No data for this period." in html
    assert card(html, "Average attendance")[0] == "–"


def make_activity(facility, partners, programs):
    """`programs` programs in August 2025, each with its partner, two held sessions and three
    participants marked H, T and a custody reason, then closed."""
    for number in range(programs):
        program = ProgramFactory(
            facility=facility,
            status="completed",
            skill_category="culinary",
            end_date=datetime.date(2025, 8, 8),
        )
        ProgramPartnerFactory(program=program, partner=partners[number % len(partners)])
        enrolments = EnrollmentFactory.create_batch(3, program=program, status="completed")
        for day in (4, 5):
            session = TrainingSessionFactory(
                program=program, date=datetime.date(2025, 8, day), status="held"
            )
            for enrolment, status in zip(enrolments, ["H", "T", "klinik"], strict=True):
                AttendanceRecordFactory(session=session, enrollment=enrolment, status=status)
    for partner in partners:
        PartnerAgreementFactory(partner=partner)


@pytest.mark.parametrize("programs", [2, 12])
def test_dashboard_query_count_is_fixed(
    client_for, viewer_user, facility, partner, other_partner, programs, django_assert_num_queries
):
    make_activity(facility, [partner, other_partner], programs)
    client = client_for(viewer_user)
    # 1 session, 2 user, 3 facility; figures.period_figures: 4 records by month and status,
    # 5 participants overall and by skill, 6 completion by program, 7 by partner, 8 time
    # slots, 9 certificates, 10 agreements.
    with django_assert_num_queries(10):
        response = client.get(URL, AUGUST)
    assert card(page(response), "Sessions held")[0] == str(2 * programs)


@pytest.mark.parametrize(
    ("who", "shown"), [("admin", True), ("staff", True), ("viewer", True), ("trainer", False)]
)
def test_navigation_links_the_reports_for_readers(client_for, users, who, shown):
    html = page(client_for(users[who]).get(reverse("programs:program_list")))
    nav = re.search(r'<ul class="navbar-nav me-auto.*?</ul>', html, re.S)[0]
    assert (f'href="{URL}">Reports</a>' in nav) is shown


def test_navigation_marks_the_reports_as_the_current_page(client_for, viewer_user):
    html = page(client_for(viewer_user).get(URL))
    assert f'<a class="nav-link active" href="{URL}">Reports</a>' in html
    assert f'<a class="nav-link" href="{reverse("dashboard")}">Dashboard</a>' in html
