"""Program events (opening, closing, others) with their guests: the program page's "Events"
section, the event form with its guest formset, and deleting after a confirmation."""

import datetime

import pytest
from django.urls import reverse

from programs.models import ProgramEvent, ProgramEventGuest
from tests.helpers import assert_answer, form_as_rendered, page, shown_messages


def make_event(program, kind=ProgramEvent.Kind.OPENING, guests=(), **fields):
    """An event of `program` with `guests` as (name, position, organisation) in order."""
    fields = {"date": program.start_date, "place": "Aula Utama", **fields}
    event = ProgramEvent.objects.create(program=program, kind=kind, **fields)
    for order, (name, position, organisation) in enumerate(guests, start=1):
        event.guests.create(order=order, name=name, position=position, organisation=organisation)
    return event


KALAPAS = ("Yurdani", "Kepala Lapas", "Lapas Narkotika Kelas IIA Kasongan")
BLK_GUEST = ("M. Noor Ikhsan", "Perwakilan BLK", "BLK Kota Palangka Raya")


def event_data(guests=(), initial=0, **overrides):
    """A valid event form with the guest formset; `guests` are dicts of the row's fields."""
    data = {
        "kind": "opening",
        "title": "",
        "date": "2025-08-04",
        "start_time": "08:00",
        "place": "Aula Utama",
        "notes": "Dibuka oleh Kalapas.",
        "guests-TOTAL_FORMS": str(len(guests)),
        "guests-INITIAL_FORMS": str(initial),
        "guests-MIN_NUM_FORMS": "0",
        "guests-MAX_NUM_FORMS": "1000",
    }
    for index, guest in enumerate(guests):
        for field, value in guest.items():
            data[f"guests-{index}-{field}"] = value
    data.update(overrides)
    return data


def guest_row(name, position="", organisation="", order=""):
    return {"name": name, "position": position, "organisation": organisation, "order": order}


@pytest.fixture
def opening(program):
    return make_event(program, guests=[KALAPAS, BLK_GUEST], start_time=datetime.time(8, 0))


def urls(program, event):
    return {
        "create": reverse("programs:event_create", args=[program.pk]),
        "update": reverse("programs:event_update", args=[event.pk]),
        "delete": reverse("programs:event_delete", args=[event.pk]),
    }


# Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["create", "update", "delete"])
def test_event_views_anonymous_redirects_to_login(client, program, opening, name):
    assert_answer(client.post(urls(program, opening)[name], event_data()), "login")
    assert ProgramEvent.objects.count() == 1


@pytest.mark.parametrize("role", ["viewer", "trainer"])
@pytest.mark.parametrize("name", ["create", "update", "delete"])
def test_event_views_non_managers_forbidden(client_for, users, program, opening, role, name):
    client = client_for(users[role])
    url = urls(program, opening)[name]
    if name != "delete":
        assert_answer(client.get(url), 403)
    response = client.post(url, event_data(place="Diubah", confirmed="on"))
    assert_answer(response, 403)
    opening.refresh_from_db()
    assert opening.place == "Aula Utama"
    assert ProgramEvent.objects.count() == 1


@pytest.mark.parametrize("name", ["create", "update", "delete"])
def test_event_views_other_facility_not_found(client_for, admin_user, outside_program, name):
    event = make_event(outside_program)
    response = client_for(admin_user).post(
        urls(outside_program, event)[name], event_data(place="Diubah", confirmed="on")
    )
    assert_answer(response, 404)
    event.refresh_from_db()
    assert event.place == "Aula Utama"


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_event_forms_managers_see_form(client_for, users, program, opening, role):
    client = client_for(users[role])
    new = page(client.get(urls(program, opening)["create"]))
    assert 'name="guests-TOTAL_FORMS"' in new
    edit = page(client.get(urls(program, opening)["update"]))
    assert 'value="M. Noor Ikhsan"' in edit


def test_event_delete_get_not_allowed(client_for, admin_user, program, opening):
    assert_answer(client_for(admin_user).get(urls(program, opening)["delete"]), 405)
    assert ProgramEvent.objects.filter(pk=opening.pk).exists()


# Adding and editing ---------------------------------------------------------------------------


def test_event_create_proposes_the_opening_on_the_first_day(client_for, staff_user, program):
    data = form_as_rendered(
        client_for(staff_user).get(reverse("programs:event_create", args=[program.pk])), "kind"
    )
    assert data["kind"] == ["opening"]
    assert data["date"] == ["2025-08-04"]
    assert data["place"] == ["Aula Utama"]


def test_event_create_saves_event_with_guests_in_order(client_for, staff_user, program):
    client = client_for(staff_user)
    response = client.post(
        reverse("programs:event_create", args=[program.pk]),
        event_data(
            guests=[
                guest_row(*BLK_GUEST, order="2"),
                guest_row(*KALAPAS, order="1"),
                guest_row("", ""),
                guest_row("Benny", "Pimpinan", "UMKM Marajaki Kreatif"),
            ]
        ),
    )
    assert_answer(response, 302)
    assert response.url == f"{program.get_absolute_url()}#events"
    event = program.events.get()
    assert (event.kind, event.date, event.start_time) == (
        "opening",
        datetime.date(2025, 8, 4),
        datetime.time(8, 0),
    )
    # The blank line is skipped; the line without an order keeps its place (4th).
    assert list(event.guests.values_list("name", "order")) == [
        ("Yurdani", 1),
        ("M. Noor Ikhsan", 2),
        ("Benny", 4),
    ]
    assert shown_messages(response) == ["The event was added."]


def test_event_update_edits_adds_and_deletes_guests(client_for, admin_user, program, opening):
    client = client_for(admin_user)
    url = reverse("programs:event_update", args=[opening.pk])
    blk = opening.guests.get(name="M. Noor Ikhsan")
    data = form_as_rendered(client.get(url), "kind")
    data.update(
        {
            "place": "Aula Serbaguna",
            "guests-0-position": "Kepala Lapas Narkotika Kelas IIA Kasongan",
            "guests-1-DELETE": "on",
            "guests-2-name": "Benny",
            "guests-2-organisation": "UMKM Marajaki Kreatif",
        }
    )
    response = client.post(url, data)
    assert_answer(response, 302)
    opening.refresh_from_db()
    assert opening.place == "Aula Serbaguna"
    assert list(opening.guests.values_list("name", "position")) == [
        ("Yurdani", "Kepala Lapas Narkotika Kelas IIA Kasongan"),
        ("Benny", ""),
    ]
    assert not ProgramEventGuest.objects.filter(pk=blk.pk).exists()
    assert shown_messages(response) == ["The event was saved."]


def test_event_date_outside_program_but_near_is_saved_with_a_warning(
    client_for, staff_user, program
):
    response = client_for(staff_user).post(
        reverse("programs:event_create", args=[program.pk]),
        event_data(kind="other", title="Pameran hasil karya", date="2025-08-20"),
    )
    assert_answer(response, 302)
    assert program.events.get().title == "Pameran hasil karya"
    assert "Note: the event's date lies outside the program's dates." in shown_messages(response)


# Bad input: the error shows, nothing is saved -------------------------------------------------


def assert_refused(response, error, program, events=0, guests=0):
    assert_answer(response, 200)
    assert error in page(response)
    assert ProgramEvent.objects.filter(program=program).count() == events
    assert ProgramEventGuest.objects.filter(event__program=program).count() == guests


def test_event_second_opening_refused(client_for, staff_user, program, opening):
    response = client_for(staff_user).post(
        reverse("programs:event_create", args=[program.pk]),
        event_data(guests=[guest_row("Benny")]),
    )
    assert_refused(
        response,
        "This program already has an opening (4 August 2025); edit that one instead.",
        program,
        events=1,
        guests=2,
    )


def test_event_second_closing_refused_when_editing_another_into_one(
    client_for, staff_user, program
):
    make_event(program, kind="closing", date=program.end_date)
    other = make_event(program, kind="other", title="Kunjungan", date=program.end_date)
    response = client_for(staff_user).post(
        reverse("programs:event_update", args=[other.pk]),
        event_data(kind="closing", date="2025-08-08"),
    )
    assert_answer(response, 200)
    assert "This program already has a closing (8 August 2025)" in page(response)
    other.refresh_from_db()
    assert other.kind == "other"


def test_event_other_without_title_refused(client_for, staff_user, program):
    response = client_for(staff_user).post(
        reverse("programs:event_create", args=[program.pk]),
        event_data(kind="other", title="  ", guests=[guest_row("Benny")]),
    )
    assert_refused(response, "Give another event a title", program)


def test_event_guest_without_name_refused(client_for, staff_user, program):
    response = client_for(staff_user).post(
        reverse("programs:event_create", args=[program.pk]),
        event_data(guests=[guest_row(*KALAPAS), guest_row("", "Kepala BLK", "BLK")]),
    )
    assert_refused(response, "Each guest needs a name.", program)


@pytest.mark.parametrize(
    ("day", "error"),
    [
        ("2025-06-04", "This date is more than 60 days before the program starts (4 August 2025)"),
        ("2025-10-08", "This date is more than 60 days after the program ends (8 August 2025)"),
    ],
)
def test_event_date_far_outside_program_refused(client_for, staff_user, program, day, error):
    response = client_for(staff_user).post(
        reverse("programs:event_create", args=[program.pk]),
        event_data(date=day, guests=[guest_row(*KALAPAS)]),
    )
    assert_refused(response, error, program)


def test_event_date_sixty_days_out_accepted(client_for, staff_user, program):
    response = client_for(staff_user).post(
        reverse("programs:event_create", args=[program.pk]), event_data(date="2025-06-05")
    )
    assert_answer(response, 302)
    assert program.events.get().date == datetime.date(2025, 6, 5)


def test_event_bad_date_and_time_refused(client_for, staff_user, program):
    response = client_for(staff_user).post(
        reverse("programs:event_create", args=[program.pk]),
        event_data(date="4 Agustus", start_time="25:00", place=""),
    )
    assert_refused(response, "Enter a valid date.", program)
    assert "Enter a valid time." in page(response)


def test_event_hostile_numbers_refused_without_error(client_for, staff_user, program, opening):
    huge = "99999999999999999999999"
    guest = opening.guests.first()
    response = client_for(staff_user).post(
        reverse("programs:event_update", args=[opening.pk]),
        event_data(
            guests=[{"id": huge, "name": "X", "order": huge}, {"id": str(guest.pk), "order": "-1"}],
            initial=2,
        ),
    )
    assert response.status_code in (200, 400)
    assert list(opening.guests.values_list("name", "order")) == [
        ("Yurdani", 1),
        ("M. Noor Ikhsan", 2),
    ]


def test_event_form_program_ending_at_the_last_date_has_no_error(client_for, staff_user, program):
    program.end_date = datetime.date.max
    program.save()
    response = client_for(staff_user).post(
        reverse("programs:event_create", args=[program.pk]),
        event_data(kind="closing", date="9999-12-31"),
    )
    assert_answer(response, 302)
    assert program.events.get().date == datetime.date.max


# Deleting ------------------------------------------------------------------------------------


def test_event_delete_asks_for_confirmation_first(client_for, staff_user, program, opening):
    response = client_for(staff_user).post(reverse("programs:event_delete", args=[opening.pk]))
    assert_answer(response, 200)
    assert "with its 2 guests?" in page(response)
    assert 'name="confirmed" value="on"' in page(response)
    assert ProgramEvent.objects.filter(pk=opening.pk).exists()


def test_event_delete_confirmed_removes_event_and_guests(client_for, staff_user, program, opening):
    response = client_for(staff_user).post(
        reverse("programs:event_delete", args=[opening.pk]), {"confirmed": "on"}
    )
    assert_answer(response, 302)
    assert response.url == f"{program.get_absolute_url()}#events"
    assert not ProgramEvent.objects.exists()
    assert not ProgramEventGuest.objects.exists()
    assert shown_messages(response) == ["The event “Opening” was deleted."]


# The program page ----------------------------------------------------------------------------


def events_section(response):
    text = page(response)
    return text[text.index('id="events"') : text.index('id="sessions"')]


@pytest.mark.parametrize("role", ["admin", "staff", "viewer", "trainer"])
def test_program_page_shows_events_and_guests(client_for, users, program, opening, role):
    make_event(
        program,
        kind="closing",
        date=program.end_date,
        place="Lapangan",
        notes="Penyerahan sertifikat.",
    )
    section = events_section(client_for(users[role]).get(program.get_absolute_url()))
    assert "Monday, 4 August 2025, at 08.00" in section
    assert "Friday, 8 August 2025" in section and "Lapangan" in section
    assert "Penyerahan sertifikat." in section
    assert section.index("Opening") < section.index("Closing")
    kalapas_row = section[
        section.index("Yurdani") : section.index("</tr>", section.index("Yurdani"))
    ]
    assert "Kepala Lapas" in kalapas_row and "Lapas Narkotika Kelas IIA Kasongan" in kalapas_row
    assert section.index("Yurdani") < section.index("M. Noor Ikhsan")
    can_manage = role in {"admin", "staff"}
    assert (reverse("programs:event_update", args=[opening.pk]) in section) == can_manage
    assert (reverse("programs:event_delete", args=[opening.pk]) in section) == can_manage
    assert (reverse("programs:event_create", args=[program.pk]) in section) == can_manage


def test_program_page_other_partners_trainer_does_not_see_events(
    client_for, other_trainer_user, program, opening
):
    assert_answer(client_for(other_trainer_user).get(program.get_absolute_url()), 404)


@pytest.mark.parametrize("count", [1, 10])
def test_program_page_query_count_fixed_whatever_the_events(
    client_for, admin_user, program, django_assert_num_queries, count
):
    for day in range(count):
        make_event(
            program,
            kind="other",
            title=f"Kunjungan {day}",
            date=program.start_date + datetime.timedelta(days=day),
            guests=[KALAPAS, BLK_GUEST],
        )
    client = client_for(admin_user)
    # 1 session, 2 user, 3 user's facility (scope), 4 the program, 5 topics, 6 partners with the
    # partner, 7 sessions with topic (no session: no trainers to fetch), 8 enrolments with the
    # inmate, 9 product photos, 10 events, 11 their guests, 12 the choices of the "attach
    # partner" form (the product photo form offers the participants of 8).
    with django_assert_num_queries(12):
        response = client.get(program.get_absolute_url())
    assert page(response).count('data-testid="event"') == count


# The Django admin ----------------------------------------------------------------------------


def test_event_admin_lists_only_the_facilitys_events(
    client_for, admin_user, opening, outside_program
):
    make_event(outside_program, place="Aula Rutan")
    admin_user.is_staff = True  # as a facility admin account is created
    admin_user.save(update_fields=["is_staff"])
    client = client_for(admin_user)
    listing = page(client.get(reverse("admin:programs_programevent_changelist")))
    assert "Aula Utama" in listing and "Aula Rutan" not in listing
    change = page(client.get(reverse("admin:programs_programevent_change", args=[opening.pk])))
    assert 'value="M. Noor Ikhsan"' in change
