import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Program, ProgramEvent, ProgramPartner, ProgramTopic, TrainingSession
from tests.factories import (
    EnrollmentFactory,
    InmateFactory,
    PartnerFactory,
    ProgramFactory,
    ProgramPartnerFactory,
    ProgramTopicFactory,
    TrainingSessionFactory,
)
from tests.helpers import form_as_rendered, page


def row_of(page, text):
    """The table row of `page` that contains `text`."""
    at = page.index(text)
    return page[page.rindex("<tr", 0, at) : page.index("</tr>", at)]


def program_data(topics=(), initial=0, **overrides):
    """A valid program form with the topic formset; `topics` are dicts of the row's fields."""
    data = {
        "title": "Pelatihan Kemandirian: Aksesoris Gelang dan Kalung Batu",
        "description": "Kerajinan gelang dan kalung dari batu lokal.",
        "skill_category": "handicraft",
        "location": "Aula Utama",
        "start_date": "2025-08-04",
        "end_date": "2025-08-08",
        "capacity": "20",
        "attendance_threshold": "80",
        "assessment_required": "on",
        "status": "draft",
        "topics-TOTAL_FORMS": str(len(topics)),
        "topics-INITIAL_FORMS": str(initial),
        "topics-MIN_NUM_FORMS": "0",
        "topics-MAX_NUM_FORMS": "1000",
    }
    for index, topic in enumerate(topics):
        for field, value in topic.items():
            data[f"topics-{index}-{field}"] = value
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def existing_topics(program):
    return [
        {"id": str(t.pk), "title": t.title, "jp": str(t.jp), "order": str(t.order)}
        for t in program.topics.all()
    ]


@pytest.fixture
def lead_link(program):
    return program.program_partners.get()


def program_urls(program):
    return {
        "program_list": reverse("programs:program_list"),
        "program_create": reverse("programs:program_create"),
        "program_detail": reverse("programs:program_detail", args=[program.pk]),
        "program_update": reverse("programs:program_update", args=[program.pk]),
    }


# Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["program_list", "program_create", "program_detail", "program_update"]
)
def test_program_views_anonymous_redirects_to_login(client, program, name):
    response = client.get(program_urls(program)[name])
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ["program_partner_add", "program_partner_remove"])
def test_program_partner_actions_anonymous_redirects_to_login(client, program, lead_link, name):
    pk = program.pk if name == "program_partner_add" else lead_link.pk
    response = client.post(reverse(f"programs:{name}", args=[pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert ProgramPartner.objects.filter(pk=lead_link.pk).exists()


@pytest.mark.parametrize("role", ["admin", "staff", "viewer", "trainer"])
@pytest.mark.parametrize("name", ["program_list", "program_detail"])
def test_program_read_views_every_role_sees_page(client_for, users, program, role, name):
    response = client_for(users[role]).get(program_urls(program)[name])
    assert response.status_code == 200
    assert program.title in response.content.decode()


@pytest.mark.parametrize("role", ["viewer", "trainer"])
@pytest.mark.parametrize("name", ["program_create", "program_update"])
def test_program_write_views_non_managers_forbidden(client_for, users, program, role, name):
    response = client_for(users[role]).get(program_urls(program)[name])
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["viewer", "trainer"])
def test_program_update_post_non_managers_forbidden(client_for, users, program, role):
    response = client_for(users[role]).post(
        program_urls(program)["program_update"], program_data(title="Diubah")
    )
    assert response.status_code == 403
    program.refresh_from_db()
    assert program.title == "Aksesoris Gelang dan Kalung Batu"


@pytest.mark.parametrize("role", ["admin", "staff"])
@pytest.mark.parametrize("name", ["program_create", "program_update"])
def test_program_write_views_managers_see_form(client_for, users, program, role, name):
    response = client_for(users[role]).get(program_urls(program)[name])
    assert response.status_code == 200
    assert 'name="topics-TOTAL_FORMS"' in response.content.decode()


@pytest.mark.parametrize("name", ["program_detail", "program_update"])
def test_program_views_other_facility_not_found(client_for, admin_user, outside_program, name):
    response = client_for(admin_user).get(program_urls(outside_program)[name])
    assert response.status_code == 404


def test_program_detail_other_partners_program_not_found_for_trainer(
    client_for, trainer_user, other_program
):
    response = client_for(trainer_user).get(other_program.get_absolute_url())
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["viewer", "trainer"])
@pytest.mark.parametrize("name", ["program_partner_add", "program_partner_remove"])
def test_program_partner_actions_non_managers_forbidden(
    client_for, users, program, lead_link, other_partner, role, name
):
    pk = program.pk if name == "program_partner_add" else lead_link.pk
    response = client_for(users[role]).post(
        reverse(f"programs:{name}", args=[pk]), {"partner": other_partner.pk, "role": "market"}
    )
    assert response.status_code == 403
    assert list(program.program_partners.values_list("partner", flat=True)) == [
        lead_link.partner_id
    ]


def test_program_partner_add_get_not_allowed(client_for, admin_user, program):
    response = client_for(admin_user).get(
        reverse("programs:program_partner_add", args=[program.pk])
    )
    assert response.status_code == 405


def test_program_partner_actions_other_facility_not_found(
    client_for, admin_user, outside_program, other_partner
):
    client = client_for(admin_user)
    link = outside_program.program_partners.get()
    response = client.post(
        reverse("programs:program_partner_add", args=[outside_program.pk]),
        {"partner": other_partner.pk, "role": "market"},
    )
    assert response.status_code == 404
    response = client.post(reverse("programs:program_partner_remove", args=[link.pk]))
    assert response.status_code == 404
    assert list(outside_program.program_partners.all()) == [link]


# List ----------------------------------------------------------------------------------------


def test_program_list_shows_columns(client_for, admin_user, program, partner):
    ProgramPartnerFactory(
        program=program,
        partner=PartnerFactory(facility=program.facility, name="UMKM Marajaki Kreatif"),
        role=ProgramPartner.Role.MARKET,
    )
    EnrollmentFactory.create_batch(2, program=program)
    EnrollmentFactory(
        program=program, status="withdrawn", ended_on="2025-08-05", end_reason="Bebas"
    )
    TrainingSessionFactory(program=program)
    TrainingSessionFactory(program=program, date=datetime.date(2025, 8, 5))
    TrainingSessionFactory(
        program=program,
        date=datetime.date(2025, 8, 6),
        status="cancelled",
        cancel_reason="Razia",
        cancelled_at=timezone.now(),
    )
    page = client_for(admin_user).get(reverse("programs:program_list")).content.decode()
    row = row_of(page, program.title)
    assert "4 August 2025 – 8 August 2025" in row
    assert "Active" in row
    assert partner.name in row and "UMKM Marajaki Kreatif" not in row
    assert "2 / 20" in row
    assert '<td class="text-end">2</td>' in row


def test_program_list_trainer_sees_only_partner_programs(
    client_for, trainer_user, program, other_program, outside_program
):
    page = client_for(trainer_user).get(reverse("programs:program_list")).content.decode()
    assert program.title in page
    assert other_program.title not in page
    assert outside_program.title not in page
    assert reverse("programs:program_create") not in page


def test_program_list_never_lists_other_facility(
    client_for, admin_user, program, other_program, outside_program
):
    page = client_for(admin_user).get(reverse("programs:program_list")).content.decode()
    assert program.title in page and other_program.title in page
    assert outside_program.title not in page
    assert reverse("programs:program_create") in page


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"status": "draft"}, "Menjahit Dasar", "Aksesoris"),
        ({"skill_category": "sewing"}, "Menjahit Dasar", "Aksesoris"),
        ({"q": "gelang"}, "Aksesoris", "Menjahit Dasar"),
        ({"partner": "other_partner"}, "Menjahit Dasar", "Aksesoris"),
        ({"status": "nonsense"}, "Menjahit Dasar", None),
    ],
)
def test_program_list_filters(
    client_for, admin_user, program, other_program, other_partner, params, shown, hidden
):
    other_program.status = Program.Status.DRAFT
    other_program.skill_category = "sewing"
    other_program.save()
    if params.get("partner") == "other_partner":
        params = {"partner": other_partner.pk}
    response = client_for(admin_user).get(reverse("programs:program_list"), params)
    page = response.content.decode()
    assert response.status_code == 200
    assert shown in page
    if hidden:
        assert hidden not in page


def test_program_list_paginates_by_25(client_for, admin_user, facility):
    ProgramFactory.create_batch(26, facility=facility)
    response = client_for(admin_user).get(reverse("programs:program_list"))
    assert len(response.context["programs"]) == 25
    assert "Page 1 of 2" in response.content.decode()


@pytest.mark.parametrize("rows", [5, 50])
def test_program_list_query_count_is_fixed(
    client_for, admin_user, facility, django_assert_num_queries, rows
):
    for _ in range(rows):
        program = ProgramFactory(facility=facility)
        ProgramPartnerFactory(program=program)
        EnrollmentFactory(program=program)
        TrainingSessionFactory(program=program)
    client = client_for(admin_user)
    # 1 session, 2 user, 3 user's facility (scope), 4 count for the paginator, 5 the page of
    # programs with participant and session counts and lead partner, 6 the partner filter's
    # choices.
    with django_assert_num_queries(6):
        response = client.get(reverse("programs:program_list"))
    assert response.content.decode().count("1 / 20") == min(rows, 25)


@pytest.mark.parametrize("rows", [5, 50])
def test_program_list_query_count_is_fixed_for_trainer(
    client_for, trainer_user, partner, django_assert_num_queries, rows
):
    for _ in range(rows):
        ProgramPartnerFactory(program=ProgramFactory(facility=partner.facility), partner=partner)
    client = client_for(trainer_user)
    # 1 session, 2 user, 3 user's facility (scope), 4 count for the paginator, 5 the page of
    # programs with counts and lead partner (no partner filter for a trainer).
    with django_assert_num_queries(5):
        response = client.get(reverse("programs:program_list"))
    # Each row, and the trainer's own partner under their name in the navigation bar.
    assert response.content.decode().count(partner.name) == min(rows, 25) + 1


# Create and edit -----------------------------------------------------------------------------


def test_program_create_saves_program_and_topics(client_for, staff_user, facility):
    client = client_for(staff_user)
    data = program_data(
        topics=[
            {"title": "Kerajinan tangan", "jp": "10", "order": "1"},
            {"title": "Kewirausahaan", "jp": "6", "order": "2"},
            {"title": "", "jp": "", "order": "0"},  # an unused line
        ]
    )
    response = client.post(reverse("programs:program_create"), data)
    program = Program.objects.get(title=data["title"])
    assert response.status_code == 302
    assert response.url == program.get_absolute_url()
    assert program.facility == facility
    assert program.capacity == 20
    assert program.assessment_required is True
    assert [(t.title, t.jp) for t in program.topics.all()] == [
        ("Kerajinan tangan", 10),
        ("Kewirausahaan", 6),
    ]
    page = client.get(response.url).content.decode()
    assert f"The program {data['title']} was created." in page
    assert '<dt class="col-sm-5">Total JP</dt><dd class="col-sm-7">16</dd>' in page


def test_program_discreet_issuing_saved_and_shown(client_for, staff_user):
    client = client_for(staff_user)
    client.post(reverse("programs:program_create"), program_data(discreet_issuing="on"))
    program = Program.objects.get()
    assert program.discreet_issuing is True
    page = client.get(program.get_absolute_url()).content.decode()
    assert "certificates name only the lead partner" in page


@pytest.mark.parametrize(
    ("overrides", "topics", "message"),
    [
        ({"title": ""}, [], "This field is required."),
        ({"start_date": ""}, [], "This field is required."),
        ({"title": "x" * 201}, [], "Ensure this value has at most 200 characters"),
        ({"end_date": "2025-08-01"}, [], "The end date cannot be before the start date."),
        ({"capacity": "0"}, [], "Ensure this value is greater than or equal to 1."),
        ({"capacity": "-3"}, [], "Ensure this value is greater than or equal to"),
        ({"attendance_threshold": "101"}, [], "Ensure this value is less than or equal to 100."),
        ({"skill_category": "magic"}, [], "Select a valid choice."),
        (
            {},
            [{"title": "Kewirausahaan", "jp": "4"}, {"title": "kewirausahaan ", "jp": "2"}],
            "Two topics have the title “kewirausahaan”; each topic needs its own title.",
        ),
        ({}, [{"title": "Kewirausahaan", "jp": ""}], "This field is required."),
        (
            {},
            [{"title": "Kewirausahaan", "jp": "0"}],
            "Ensure this value is greater than or equal to 1.",
        ),
        ({}, [{"title": "y" * 201, "jp": "2"}], "Ensure this value has at most 200 characters"),
    ],
)
def test_program_create_bad_input_shows_error_and_saves_nothing(
    client_for, admin_user, facility, overrides, topics, message
):
    response = client_for(admin_user).post(
        reverse("programs:program_create"), program_data(topics=topics, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Program.objects.count() == 0
    assert ProgramTopic.objects.count() == 0


def test_program_update_saves_program_and_topics(client_for, admin_user, program):
    kept = ProgramTopicFactory(program=program, title="Kerajinan tangan", jp=8)
    dropped = ProgramTopicFactory(program=program, title="Kearifan lokal", jp=2)
    topics = existing_topics(program)
    topics[0]["jp"] = "12"
    topics[1]["DELETE"] = "on"
    topics.append({"title": "Pemasaran", "jp": "3", "order": "3"})
    client = client_for(admin_user)
    response = client.post(
        reverse("programs:program_update", args=[program.pk]),
        program_data(topics=topics, initial=2, title=program.title, status="active", capacity="25"),
    )
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.capacity == 25
    kept.refresh_from_db()
    assert kept.jp == 12
    assert not ProgramTopic.objects.filter(pk=dropped.pk).exists()
    assert program.topics.filter(title="Pemasaran", jp=3).exists()
    assert f"The program {program.title} was saved." in client.get(response.url).content.decode()


def test_program_update_capacity_below_enrolments_refused(client_for, admin_user, program):
    EnrollmentFactory.create_batch(3, program=program)
    EnrollmentFactory(
        program=program, status="withdrawn", ended_on="2025-08-05", end_reason="Pindah"
    )
    response = client_for(admin_user).post(
        reverse("programs:program_update", args=[program.pk]),
        program_data(title=program.title, capacity="2"),
    )
    assert (
        "3 inmates are already enrolled; the capacity cannot be lower." in response.content.decode()
    )
    program.refresh_from_db()
    assert program.capacity == 20


def test_program_update_capacity_equal_to_enrolments_allowed(client_for, admin_user, program):
    EnrollmentFactory.create_batch(3, program=program)
    EnrollmentFactory(
        program=program, status="withdrawn", ended_on="2025-08-05", end_reason="Pindah"
    )
    response = client_for(admin_user).post(
        reverse("programs:program_update", args=[program.pk]),
        program_data(title=program.title, capacity="3"),
    )
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.capacity == 3


def test_program_update_topic_used_by_session_cannot_be_deleted(client_for, admin_user, program):
    topic = ProgramTopicFactory(program=program, title="Kerajinan tangan")
    TrainingSessionFactory(program=program, topic=topic)
    topics = existing_topics(program)
    topics[0]["DELETE"] = "on"
    response = client_for(admin_user).post(
        reverse("programs:program_update", args=[program.pk]),
        program_data(topics=topics, initial=1, title="Judul baru"),
    )
    assert response.status_code == 200
    assert (
        "Sessions use the topic “Kerajinan tangan”, so it cannot be deleted."
        in response.content.decode()
    )
    assert ProgramTopic.objects.filter(pk=topic.pk).exists()
    program.refresh_from_db()
    assert program.title == "Aksesoris Gelang dan Kalung Batu"


def test_program_update_duplicate_topic_title_refused(client_for, admin_user, program):
    ProgramTopicFactory(program=program, title="Kerajinan tangan")
    topics = [*existing_topics(program), {"title": "Kerajinan Tangan", "jp": "2", "order": "2"}]
    response = client_for(admin_user).post(
        reverse("programs:program_update", args=[program.pk]),
        program_data(topics=topics, initial=1, title=program.title),
    )
    assert "each topic needs its own title" in response.content.decode()
    assert program.topics.count() == 1


def test_program_update_topics_of_other_program_untouched(
    client_for, admin_user, program, other_program
):
    foreign = ProgramTopicFactory(program=other_program, title="Menjahit")
    topics = [{"id": str(foreign.pk), "title": "Dibajak", "jp": "1", "order": "0"}]
    client_for(admin_user).post(
        reverse("programs:program_update", args=[program.pk]),
        program_data(topics=topics, initial=1, title=program.title),
    )
    # Django's formset skips a row whose id is not one of this program's topics.
    assert program.topics.count() == 0
    foreign.refresh_from_db()
    assert foreign.title == "Menjahit"


# Detail --------------------------------------------------------------------------------------


@pytest.fixture
def busy_program(program, partner, trainer_user):
    """The program with topics, a partner of each role, sessions (one cancelled), participants."""
    craft = ProgramTopicFactory(program=program, title="Kerajinan tangan", jp=10, order=1)
    ProgramTopicFactory(program=program, title="Kewirausahaan", jp=6, order=2)
    ProgramPartnerFactory(
        program=program,
        partner=PartnerFactory(
            facility=program.facility, name="UMKM Marajaki Kreatif", kind="umkm"
        ),
        role=ProgramPartner.Role.MARKET,
    )
    session = TrainingSessionFactory(program=program, topic=craft)
    session.trainers.add(trainer_user)
    TrainingSessionFactory(
        program=program,
        date=datetime.date(2025, 8, 5),
        status="cancelled",
        cancel_reason="Razia blok",
        cancelled_at=timezone.now(),
    )
    EnrollmentFactory(
        program=program,
        inmate=InmateFactory(
            facility=program.facility,
            full_name="Budi Santoso",
            registration_number="B.I-001/2025",
            block="Blok C",
        ),
    )
    EnrollmentFactory(
        program=program,
        inmate=InmateFactory(
            facility=program.facility,
            full_name="Agus Salim",
            registration_number="B.I-002/2025",
            block="Blok D",
        ),
        status="withdrawn",
        ended_on=datetime.date(2025, 8, 5),
        end_reason="Dipindahkan",
    )
    return program


def test_program_detail_shows_overview_topics_partners_sessions(
    client_for, admin_user, busy_program, trainer_user
):
    page = client_for(admin_user).get(busy_program.get_absolute_url()).content.decode()
    assert "4 August 2025 – 8 August 2025" in page
    assert "Aula Utama" in page and "Handicraft" in page
    assert "1 of 20 seats taken" in page
    assert "80%" in page
    assert "Yes (Kompeten needed)" in page
    assert '<th class="text-end">16</th>' in row_of(page, "Total</th>")
    assert "Lead" in row_of(page, "BLK Kota Palangka Raya")
    assert "Market partner" in row_of(page, "UMKM Marajaki Kreatif")
    # Lead partner listed before the market partner.
    assert page.index("BLK Kota Palangka Raya</a>") < page.index("UMKM Marajaki Kreatif</a>")
    session_row = row_of(page, "Monday, 4 August 2025")
    assert "08.00–12.00" in session_row and "Kerajinan tangan" in session_row
    assert str(trainer_user) in session_row
    cancelled_row = row_of(page, "Tuesday, 5 August 2025")
    assert "text-decoration-line-through" in cancelled_row
    assert "Razia blok" in cancelled_row


def test_program_detail_manager_sees_participants_and_actions(client_for, staff_user, busy_program):
    page = client_for(staff_user).get(busy_program.get_absolute_url()).content.decode()
    active = busy_program.enrollments.get(status="active")
    withdrawn = busy_program.enrollments.get(status="withdrawn")
    active_row = row_of(page, "Budi Santoso")
    assert "B.I-001/2025" in active_row and "Blok C" in active_row
    assert "4 August 2025" in active_row and "Active" in active_row
    assert reverse("programs:enrollment_withdraw", args=[active.pk]) in active_row
    withdrawn_row = row_of(page, "Agus Salim")
    assert "Withdrawn" in withdrawn_row and "Dipindahkan" in withdrawn_row
    assert reverse("programs:enrollment_withdraw", args=[withdrawn.pk]) not in page
    for url in [
        reverse("programs:program_update", args=[busy_program.pk]),
        reverse("programs:session_create", args=[busy_program.pk]),
        reverse("programs:session_generate", args=[busy_program.pk]),
        reverse("programs:enroll", args=[busy_program.pk]),
        reverse("programs:program_partner_add", args=[busy_program.pk]),
    ]:
        assert url in page


def test_program_detail_viewer_sees_participants_without_actions(
    client_for, viewer_user, busy_program
):
    page = client_for(viewer_user).get(busy_program.get_absolute_url()).content.decode()
    assert "Blok C" in row_of(page, "Budi Santoso")
    assert "Agus Salim" in page
    assert "/withdraw/" not in page
    for url in [
        reverse("programs:program_update", args=[busy_program.pk]),
        reverse("programs:session_create", args=[busy_program.pk]),
        reverse("programs:enroll", args=[busy_program.pk]),
        reverse("programs:program_partner_add", args=[busy_program.pk]),
    ]:
        assert url not in page


def test_program_detail_trainer_sees_only_names_and_registration_numbers(
    client_for, trainer_user, busy_program
):
    page = client_for(trainer_user).get(busy_program.get_absolute_url()).content.decode()
    row = row_of(page, "Budi Santoso")
    assert "B.I-001/2025" in row
    assert "Blok C" not in page
    assert "Enrolled on" not in page
    assert "Agus Salim" not in page and "Dipindahkan" not in page
    assert "/inmates/" not in page
    assert "/partners/" not in page
    assert "/edit/" not in page
    assert reverse("programs:enroll", args=[busy_program.pk]) not in page
    assert reverse("programs:session_create", args=[busy_program.pk]) not in page
    assert "Monday, 4 August 2025" in page


@pytest.mark.parametrize("rows", [5, 50])
def test_program_detail_query_count_is_fixed(
    client_for, admin_user, program, trainer_user, django_assert_num_queries, rows
):
    for day in range(rows):
        topic = ProgramTopicFactory(program=program)
        session = TrainingSessionFactory(
            program=program, topic=topic, date=program.start_date + datetime.timedelta(days=day)
        )
        session.trainers.add(trainer_user)
        EnrollmentFactory(program=program)
        event = ProgramEvent.objects.create(
            program=program, kind="other", title=f"Kunjungan {day}", date=session.date, place="Aula"
        )
        event.guests.create(name="Yurdani")
    client = client_for(admin_user)
    # 1 session, 2 user, 3 user's facility (scope), 4 the program, 5 topics, 6 partners with the
    # partner, 7 sessions with topic, 8 their trainers, 9 enrolments with the inmate,
    # 10 the choices of the "attach partner" form, 11 product photos with the participant,
    # 12 events, 13 their guests (the product photo form offers the participants of 9).
    with django_assert_num_queries(13):
        response = client.get(program.get_absolute_url())
    assert f"{rows} of 20 seats taken" in response.content.decode()


# Attach and remove partners ------------------------------------------------------------------


def test_program_partner_add_attaches_partner(client_for, staff_user, program, other_partner):
    client = client_for(staff_user)
    response = client.post(
        reverse("programs:program_partner_add", args=[program.pk]),
        {"partner": other_partner.pk, "role": "co_trainer"},
    )
    assert response.status_code == 302
    assert response.url == program.get_absolute_url()
    link = program.program_partners.get(partner=other_partner)
    assert link.role == "co_trainer"
    page = client.get(response.url).content.decode()
    assert "LPK Multi Karya was added to the program (Co-trainer)." in page


def test_program_partner_add_second_lead_refused(client_for, admin_user, program, other_partner):
    response = client_for(admin_user).post(
        reverse("programs:program_partner_add", args=[program.pk]),
        {"partner": other_partner.pk, "role": "lead"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "BLK Kota Palangka Raya is already the lead partner; a program has one lead." in page
    assert program.title in page
    assert not program.program_partners.filter(partner=other_partner).exists()


@pytest.mark.parametrize("which", ["attached", "inactive", "outside", "missing"])
def test_program_partner_add_unavailable_partner_refused(
    client_for, admin_user, program, partner, other_facility, which
):
    choices = {
        "attached": lambda: partner.pk,
        "inactive": lambda: PartnerFactory(facility=program.facility, is_active=False).pk,
        "outside": lambda: PartnerFactory(facility=other_facility).pk,
        "missing": lambda: "",
    }
    before = ProgramPartner.objects.count()
    response = client_for(admin_user).post(
        reverse("programs:program_partner_add", args=[program.pk]),
        {"partner": choices[which](), "role": "market"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice." in page or "This field is required." in page
    assert ProgramPartner.objects.count() == before


def test_program_partner_add_offers_only_available_partners(
    client_for, admin_user, program, partner, other_partner, other_facility
):
    inactive = PartnerFactory(facility=program.facility, name="LPK Tutup", is_active=False)
    outside = PartnerFactory(facility=other_facility, name="BLK Luar")
    page = client_for(admin_user).get(program.get_absolute_url()).content.decode()
    form = page[page.index(reverse("programs:program_partner_add", args=[program.pk])) :]
    select = form[: form.index("</select>")]
    assert f'value="{other_partner.pk}"' in select
    assert f'value="{partner.pk}"' not in select
    assert inactive.name not in select and outside.name not in select


def test_program_partner_remove_detaches_partner(client_for, admin_user, program, other_partner):
    link = ProgramPartnerFactory(program=program, partner=other_partner, role="co_trainer")
    client = client_for(admin_user)
    response = client.post(reverse("programs:program_partner_remove", args=[link.pk]))
    assert response.status_code == 302
    assert not ProgramPartner.objects.filter(pk=link.pk).exists()
    assert (
        "LPK Multi Karya was removed from the program." in client.get(response.url).content.decode()
    )


def test_program_partner_remove_refused_while_trainers_teach(
    client_for, admin_user, program, lead_link, trainer_user
):
    session = TrainingSessionFactory(program=program)
    session.trainers.add(trainer_user)
    client = client_for(admin_user)
    response = client.post(reverse("programs:program_partner_remove", args=[lead_link.pk]))
    assert response.status_code == 302
    assert ProgramPartner.objects.filter(pk=lead_link.pk).exists()
    page = client.get(response.url).content.decode()
    assert "BLK Kota Palangka Raya cannot be removed: its trainers are assigned to sessions" in page


def test_program_partner_remove_ignores_other_programs_sessions(
    client_for, admin_user, program, other_program, lead_link, trainer_user
):
    # The partner's trainer teaching elsewhere does not pin it to this program.
    session = TrainingSessionFactory(program=other_program)
    session.trainers.add(trainer_user)
    response = client_for(admin_user).post(
        reverse("programs:program_partner_remove", args=[lead_link.pk])
    )
    assert response.status_code == 302
    assert not ProgramPartner.objects.filter(pk=lead_link.pk).exists()
    assert TrainingSession.objects.filter(pk=session.pk).exists()


def test_program_form_keeps_discreet_issuing_when_submitted_as_rendered(
    client_for, staff_user, program
):
    # Before #9 the field was in the form but not in the template: any edit switched it off.
    program.discreet_issuing = True
    program.save()
    client = client_for(staff_user)
    url = reverse("programs:program_update", args=[program.pk])
    edit = client.get(url)

    assert "do not reveal imprisonment to an employer" in page(edit)
    data = form_as_rendered(edit, "title")
    data["title"] = ["Aksesoris Batu Lilis"]
    response = client.post(url, data)

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.title == "Aksesoris Batu Lilis"
    assert program.discreet_issuing is True


def test_program_form_offers_no_closing_and_locks_a_closed_program(client_for, staff_user, program):
    client = client_for(staff_user)
    url = reverse("programs:program_update", args=[program.pk])
    assert 'value="completed"' not in page(client.get(url))

    program.status = Program.Status.COMPLETED
    program.closed_at = timezone.now()
    program.save()
    edit = client.get(url)
    data = form_as_rendered(edit, "title")
    data.update(attendance_threshold=["50"], status=["active"])
    client.post(url, data)

    program.refresh_from_db()
    assert (program.status, program.attendance_threshold) == (Program.Status.COMPLETED, 80)


def test_program_partner_remove_asks_for_confirmation(client_for, staff_user, program):
    link = program.program_partners.get()
    url = reverse("programs:program_partner_remove", args=[link.pk])
    client = client_for(staff_user)

    confirm = client.get(url)
    assert "Yes, remove the partner" in page(confirm)
    assert program.program_partners.exists()

    client.post(url)
    assert not program.program_partners.exists()


def test_program_list_filters_closed_programs_ending_in_a_range(client_for, viewer_user, facility):
    for title, end in [("Juli", 31), ("Awal", 1), ("Akhir", 31)]:
        month = 7 if title == "Juli" else 8
        ProgramFactory(
            facility=facility,
            title=f"Kursus {title}",
            status=Program.Status.COMPLETED,
            start_date=datetime.date(2025, month, 1),
            end_date=datetime.date(2025, month, end),
        )
    ProgramFactory(facility=facility, title="Kursus Berjalan", end_date=datetime.date(2025, 8, 8))
    html = page(
        client_for(viewer_user).get(
            reverse("programs:program_list"),
            {"status": "completed", "ended_from": "2025-08-01", "ended_to": "2025-08-31"},
        )
    )
    assert "Kursus Awal" in html
    assert "Kursus Akhir" in html
    assert "Kursus Juli" not in html
    assert "Kursus Berjalan" not in html


def test_program_list_reversed_end_range_shows_error(client_for, viewer_user, program):
    html = page(
        client_for(viewer_user).get(
            reverse("programs:program_list"),
            {"ended_from": "2025-08-31", "ended_to": "2025-08-01"},
        )
    )
    assert "The end date must not be before the start date." in html
    assert program.title in html
