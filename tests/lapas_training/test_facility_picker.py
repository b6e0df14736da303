"""The superuser's facility picker (#12): the navigation bar names the active facility and links
to a searchable, paginated picker instead of listing every facility on every page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lapas_training.middleware import SESSION_FACILITY_KEY
from lapas_training.models import Facility, Region
from lapas_training.views import SESSION_RECENT_FACILITIES_KEY
from tests.factories import FacilityFactory
from tests.helpers import assert_answer, page, shown_messages

PICKER = reverse("facility_picker")
SWITCH = reverse("switch_facility")


def listed_names(html):
    """The facility names of the picker's rows, in the order shown."""
    return [name.strip() for name in re.findall(r'<th scope="row" class="fw-normal">([^<]+)', html)]


def row_of(html, name):
    """The picker's table row of the facility named `name`."""
    start = html.index(f'<th scope="row" class="fw-normal">{name}')
    return html[start : html.index("</tr>", start)]


def choose(client, facility, **extra):
    return client.post(SWITCH, {"facility": facility.pk, **extra})


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "login"),
        ("admin_user", 403),
        ("staff_user", 403),
        ("viewer_user", 403),
        ("trainer_user", 403),
        ("regional_user", 403),
        ("superuser", 200),
    ],
)
def test_picker_only_for_superusers(request, client_for, facility, who, expected):
    user = request.getfixturevalue(who) if who else None
    assert_answer(client_for(user).get(PICKER), expected)


def test_switch_facility_anonymous_goes_to_login(client, facility):
    assert_answer(choose(client, facility), "login")


def test_switch_facility_refused_to_others_and_to_get(client_for, admin_user, other_facility):
    client = client_for(admin_user)
    assert choose(client, other_facility).status_code == 403
    assert client.session.get(SESSION_FACILITY_KEY) is None
    assert client.get(SWITCH).status_code == 405


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("kasongan", "Lapas Narkotika Kasongan"),
        ("lpn.ksg", "Lapas Narkotika Kasongan"),
        ("sampit", "Rutan Sampit"),
        ("jawa timur", "Lapas Kelas I Surabaya"),
    ],
)
def test_picker_searches_name_code_city_and_region(client_for, superuser, search, found):
    east_java = Region.objects.create(name="Kanwil Jawa Timur")
    FacilityFactory(name="Lapas Narkotika Kasongan", unit_code="LPN.KSG", city="Kasongan")
    FacilityFactory(
        name="Rutan Sampit", unit_code="RUT.SPT", city="Sampit", kind=Facility.Kind.RUTAN
    )
    FacilityFactory(
        name="Lapas Kelas I Surabaya", unit_code="LP.SBY", city="Porong", region=east_java
    )

    html = page(client_for(superuser).get(PICKER, {"q": search}))

    assert listed_names(html) == [found]


def test_picker_shows_region_and_kind(client_for, superuser):
    region = Region.objects.create(name="Kanwil Kalimantan Tengah")
    FacilityFactory(
        name="Rutan Sampit", kind=Facility.Kind.RUTAN, grade=Facility.Grade.IIB, region=region
    )

    html = page(client_for(superuser).get(PICKER))

    row = row_of(html, "Rutan Sampit")
    assert "Kanwil Kalimantan Tengah" in row
    assert "Rutan Kelas IIB" in row


def test_picker_search_box_is_labelled_and_focused(client_for, superuser, facility, other_facility):
    html = page(client_for(superuser).get(PICKER))

    assert '<label class="form-label" for="id_q">Name, unit code, city or region</label>' in html
    assert re.search(r'<input type="search" name="q" id="id_q"[^>]* autofocus', html)
    # Each button names its facility to a screen reader, not just "Choose".
    other = other_facility if f"in <strong>{facility.name}" in html else facility
    assert f'Choose<span class="visually-hidden"> {other.name}</span>' in html


def test_picker_says_when_nothing_matches(client_for, superuser, facility):
    html = page(client_for(superuser).get(PICKER, {"q": "tidak ada"}))
    assert listed_names(html) == []
    assert "No facility matches the search." in html


@pytest.mark.parametrize("search", ["a\x00b", "x" * 101, "%", "_", "' OR 1=1 --", "<script>"])
def test_picker_survives_hostile_search(client_for, superuser, facility, search):
    response = client_for(superuser).get(PICKER, {"q": search})

    assert response.status_code == 200
    html = page(response)
    assert "<script>" not in html.split("<main", 1)[1]
    if search in ("a\x00b", "x" * 101):
        # Refused with the reason, and nothing filtered.
        assert 'aria-invalid="true"' in html
        assert listed_names(html) == [facility.name]


def test_picker_pages_by_25(client_for, superuser):
    FacilityFactory.create_batch(30)
    client = client_for(superuser)

    first = listed_names(page(client.get(PICKER)))
    second = listed_names(page(client.get(PICKER, {"page": 2})))

    assert len(first) == 25
    assert len(second) == 5
    assert set(first) | set(second) == set(Facility.objects.values_list("name", flat=True))
    assert "Page 1 of 2" in page(client.get(PICKER))


@pytest.mark.parametrize("number", ["abc", "0", "-1", "99999999999999999999999", "2\x00"])
def test_picker_survives_bad_page_numbers(client_for, superuser, number):
    FacilityFactory.create_batch(30)
    response = client_for(superuser).get(PICKER, {"page": number})
    assert response.status_code == 200
    assert listed_names(page(response))


def test_picker_lists_recent_choices_first_newest_first(client_for, superuser):
    facilities = [FacilityFactory(name=f"Lapas {letter}") for letter in "ABCDEFGH"]
    client = client_for(superuser)
    for index in (6, 1, 4, 2, 5, 3):  # G, B, E, C, F, D: G falls out of the last five
        choose(client, facilities[index])

    html = page(client.get(PICKER))

    names = listed_names(html)
    assert names[:5] == ["Lapas D", "Lapas F", "Lapas C", "Lapas E", "Lapas B"]
    assert names[5:] == ["Lapas A", "Lapas G", "Lapas H"]
    assert html.count("Recently used") == 5
    # The active one (the last chosen) is marked, not offered again.
    active_row = row_of(html, "Lapas D")
    assert "Active" in active_row
    assert "Choose" not in active_row


def test_picker_keeps_recent_choices_first_within_a_search(client_for, superuser):
    FacilityFactory(name="Lapas Kasongan A")
    later = FacilityFactory(name="Lapas Kasongan B")
    FacilityFactory(name="Rutan Sampit", city="Sampit")
    client = client_for(superuser)
    choose(client, later)

    assert listed_names(page(client.get(PICKER, {"q": "kasongan"}))) == [
        "Lapas Kasongan B",
        "Lapas Kasongan A",
    ]


def test_switch_returns_to_the_page_the_superuser_came_from(
    client_for, superuser, facility, other_facility
):
    client = client_for(superuser)
    programs = reverse("programs:program_list")

    navigation = page(client.get(programs))
    assert f'href="{PICKER}?next=%2Fprograms%2F"' in navigation or (
        f'href="{PICKER}?next=/programs/"' in navigation
    )
    picker = page(client.get(PICKER, {"next": programs}))
    assert f'<input type="hidden" name="next" value="{programs}">' in picker

    target = (
        other_facility
        if client.session.get(SESSION_FACILITY_KEY) != other_facility.pk
        else facility
    )
    response = choose(client, target, next=programs)

    assert response.status_code == 302
    assert response.url == programs
    assert client.session[SESSION_FACILITY_KEY] == target.pk
    assert shown_messages(response) == [f"You are now working in {target.name}."]
    assert f'title="{target.name}"' in page(client.get(programs))


def test_switch_ignores_a_next_url_off_site(client_for, superuser, other_facility):
    client = client_for(superuser)

    html = page(client.get(PICKER, {"next": "https://evil.example/"}))
    assert 'value="https://evil.example/"' not in html
    response = choose(client, other_facility, next="https://evil.example/")

    assert response.url == reverse("dashboard")
    assert client.session[SESSION_FACILITY_KEY] == other_facility.pk


def test_navigation_link_from_a_record_page_has_no_next(client_for, superuser, program):
    client = client_for(superuser)
    choose(client, program.facility)
    html = page(client.get(program.get_absolute_url()))
    # The record belongs to the facility left behind: after switching it would be a 404.
    assert f'href="{PICKER}"' in html


@pytest.mark.parametrize("value", ["", "abc", "999999", "1.5"])
def test_switch_to_an_unknown_facility_changes_nothing(client_for, superuser, facility, value):
    client = client_for(superuser)
    choose(client, facility)
    client.get(PICKER)  # shows (and so uses up) the switch's message

    response = client.post(SWITCH, {"facility": value})

    assert response.status_code == 302
    assert response.url == PICKER
    assert shown_messages(response) == ["Choose a facility from the list."]
    assert client.session[SESSION_FACILITY_KEY] == facility.pk
    assert client.session[SESSION_RECENT_FACILITIES_KEY] == [facility.pk]


def test_picker_links_the_national_rollup(client_for, superuser, facility):
    html = page(client_for(superuser).get(PICKER))
    assert f'href="{reverse("reports:rollup")}">All facilities (national)</a>' in html
    # The account menu's roll-up stays too.
    assert "National roll-up" in html


def test_picker_in_indonesian(client_for, superuser, facility, other_facility):
    superuser.language = "id"
    superuser.save(update_fields=["language"])

    html = page(client_for(superuser).get(PICKER))

    assert "Ganti UPT" in html
    assert "Semua UPT (nasional)" in html
    assert ">Pilih<" in html
    assert "Rekapitulasi nasional" in html


def measured(client, url):
    """The page's HTML and the number of queries it cost."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return page(response), len(captured)


@pytest.mark.parametrize("url_name", ["dashboard", "programs:program_list"])
def test_ordinary_page_does_not_grow_with_the_facilities(client_for, superuser, url_name):
    """An ordinary page costs the same queries and the same bytes for 3 facilities as for 60,
    and names no facility but the active one."""
    client = client_for(superuser)
    url = reverse(url_name)
    active = FacilityFactory(name="Lapas Narkotika Kasongan")
    FacilityFactory.create_batch(2)
    choose(client, active)
    client.get(url)  # shows (and so uses up) the switch's message
    few_html, few = measured(client, url)

    FacilityFactory.create_batch(57)
    many_html, many = measured(client, url)

    assert few == many
    assert len(few_html) == len(many_html)
    assert active.name in many_html
    others = Facility.objects.exclude(pk=active.pk).values_list("name", flat=True)
    assert [name for name in others if name in many_html] == []
    assert f'href="{PICKER}' in many_html


@pytest.mark.parametrize("count", [3, 60])
def test_picker_queries_do_not_grow_with_the_facilities(
    client_for, superuser, django_assert_num_queries, count
):
    region = Region.objects.create(name="Kanwil Kalimantan Tengah")
    FacilityFactory.create_batch(count, region=region)
    client = client_for(superuser)
    choose(client, Facility.objects.order_by("pk").last())

    # The session, the user, the active facility (navigation bar), the count, and the page's
    # facilities with their regions.
    with django_assert_num_queries(5):
        response = client.get(PICKER, {"q": "Uji"})

    assert len(listed_names(page(response))) == min(count, 25)
