import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from lapas_training.models import Role
from programs.models import Program, TrainingSession
from programs.services import session_jp, topics_in_order
from tests.factories import (
    ProgramFactory,
    ProgramPartnerFactory,
    ProgramTopicFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.helpers import assert_answer, page


@pytest.fixture
def topic(program):
    return ProgramTopicFactory(program=program, title="Kerajinan tangan")


@pytest.fixture
def session(program, topic, trainer_user):
    session = TrainingSessionFactory(program=program, topic=topic, date=datetime.date(2025, 8, 5))
    session.trainers.add(trainer_user)
    return session


@pytest.fixture
def other_session(other_program):
    return TrainingSessionFactory(program=other_program)


@pytest.fixture
def outside_session(outside_program):
    return TrainingSessionFactory(program=outside_program)


@pytest.fixture
def upcoming_program(facility, partner):
    """A program running from today for two months, so its sessions are upcoming."""
    today = timezone.localdate()
    program = ProgramFactory(
        facility=facility,
        title="Budidaya Ikan",
        start_date=today,
        end_date=today + datetime.timedelta(days=60),
    )
    ProgramPartnerFactory(program=program, partner=partner)
    return program


def session_data(topic, trainers=(), **overrides):
    data = {
        "date": "2025-08-06",
        "start_time": "08:00",
        "end_time": "12:00",
        "topic": topic.pk,
        "location": "",
        "trainers": [trainer.pk for trainer in trainers],
    }
    data.update(overrides)
    return data


# --- session list -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, "login"), ("admin", 200), ("staff", 200), ("viewer", 200), ("trainer", 200)],
)
def test_session_list_access(client_for, users, who, expected):
    response = client_for(users.get(who)).get(reverse("programs:session_list"))
    assert_answer(response, expected)


def test_session_list_shows_upcoming_grouped_by_date(
    client_for, admin_user, upcoming_program, trainer_user
):
    today = timezone.localdate()
    topic = ProgramTopicFactory(program=upcoming_program, title="Pembenihan")
    upcoming = TrainingSessionFactory(
        program=upcoming_program, date=today + datetime.timedelta(days=1), topic=topic
    )
    upcoming.trainers.add(trainer_user)
    TrainingSessionFactory(
        program=upcoming_program,
        date=today + datetime.timedelta(days=2),
        status=TrainingSession.Status.CANCELLED,
        cancel_reason="Banjir",
        cancelled_at=timezone.now(),
    )
    past = TrainingSessionFactory(
        program=upcoming_program,
        date=today - datetime.timedelta(days=3),
        start_time=datetime.time(13, 0),
        end_time=datetime.time(15, 0),
    )

    html = page(client_for(admin_user).get(reverse("programs:session_list")))

    assert date_format(upcoming.date, "l, j F Y") in html
    assert "08.00–12.00" in html
    assert "Pembenihan" in html
    assert str(trainer_user) in html
    assert "Aula Utama" in html
    assert "Cancelled" in html
    assert date_format(past.date, "l, j F Y") not in html


def test_session_list_past_toggle_shows_past_sessions(client_for, admin_user, upcoming_program):
    today = timezone.localdate()
    past = TrainingSessionFactory(program=upcoming_program, date=today - datetime.timedelta(days=3))
    upcoming = TrainingSessionFactory(
        program=upcoming_program, date=today + datetime.timedelta(days=3)
    )

    html = page(client_for(admin_user).get(reverse("programs:session_list"), {"when": "past"}))

    assert "Past sessions" in html
    assert date_format(past.date, "l, j F Y") in html
    assert date_format(upcoming.date, "l, j F Y") not in html


def test_session_list_program_filter(client_for, admin_user, upcoming_program):
    today = timezone.localdate()
    second = ProgramFactory(
        facility=upcoming_program.facility,
        title="Menjahit Lanjutan",
        start_date=today,
        end_date=today + datetime.timedelta(days=30),
    )
    kept = TrainingSessionFactory(program=upcoming_program, date=today + datetime.timedelta(days=1))
    dropped = TrainingSessionFactory(program=second, date=today + datetime.timedelta(days=2))

    html = page(
        client_for(admin_user).get(
            reverse("programs:session_list"), {"program": upcoming_program.pk}
        )
    )

    assert date_format(kept.date, "l, j F Y") in html
    assert date_format(dropped.date, "l, j F Y") not in html


def test_session_list_trainer_sees_only_partner_programs(
    client_for, trainer_user, upcoming_program, other_partner
):
    today = timezone.localdate()
    foreign = ProgramFactory(
        facility=upcoming_program.facility,
        title="Program Mitra Lain",
        start_date=today,
        end_date=today + datetime.timedelta(days=30),
    )
    ProgramPartnerFactory(program=foreign, partner=other_partner)
    TrainingSessionFactory(program=upcoming_program, date=today + datetime.timedelta(days=1))
    TrainingSessionFactory(program=foreign, date=today + datetime.timedelta(days=1))

    html = page(client_for(trainer_user).get(reverse("programs:session_list")))

    assert "Budidaya Ikan" in html
    assert "Program Mitra Lain" not in html


def test_session_list_hides_other_facilities(client_for, outside_admin, upcoming_program):
    TrainingSessionFactory(
        program=upcoming_program, date=timezone.localdate() + datetime.timedelta(days=1)
    )
    html = page(client_for(outside_admin).get(reverse("programs:session_list")))
    assert "Budidaya Ikan" not in html
    assert "No sessions today or later." in html


@pytest.mark.parametrize("rows", [5, 50])
def test_session_list_query_count(
    client_for, admin_user, upcoming_program, trainer_user, django_assert_num_queries, rows
):
    today = timezone.localdate()
    sessions = TrainingSession.objects.bulk_create(
        TrainingSession(
            program=upcoming_program,
            date=today + datetime.timedelta(days=n),
            start_time=datetime.time(8, 0),
            end_time=datetime.time(12, 0),
        )
        for n in range(rows)
    )
    TrainingSession.trainers.through.objects.bulk_create(
        TrainingSession.trainers.through(trainingsession_id=s.pk, user_id=trainer_user.pk)
        for s in sessions
    )
    client = client_for(admin_user)
    # 1 session, 2 user, 3 facility, 4 count, 5 the programs of the filter,
    # 6 the page of sessions with program and topic, 7 their trainers.
    with django_assert_num_queries(7):
        response = client.get(reverse("programs:session_list"))
    assert page(response).count("08.00–12.00") == rows


# --- session detail ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "login"),
        ("admin", 200),
        ("staff", 200),
        ("viewer", 200),
        ("trainer", 200),
        ("outsider", 404),
    ],
)
def test_session_detail_access(client_for, users, session, who, expected):
    response = client_for(users.get(who)).get(reverse("programs:session_detail", args=[session.pk]))
    assert_answer(response, expected)


def test_session_detail_trainer_of_other_partner_gets_404(client_for, trainer_user, other_session):
    response = client_for(trainer_user).get(
        reverse("programs:session_detail", args=[other_session.pk])
    )
    assert response.status_code == 404


def test_session_detail_shows_session(client_for, staff_user, session, trainer_user):
    html = page(client_for(staff_user).get(session.get_absolute_url()))
    assert "Tuesday, 5 August 2025" in html
    assert "08.00–12.00" in html
    assert "Aksesoris Gelang dan Kalung Batu" in html
    assert "Kerajinan tangan" in html
    assert "Aula Utama" in html
    assert str(trainer_user) in html
    assert "Scheduled" in html
    assert reverse("programs:session_update", args=[session.pk]) in html
    assert reverse("programs:session_cancel", args=[session.pk]) in html


@pytest.mark.parametrize("who", ["viewer", "trainer"])
def test_session_detail_readers_see_no_edit_or_cancel(client_for, users, session, who):
    html = page(client_for(users[who]).get(session.get_absolute_url()))
    assert reverse("programs:session_update", args=[session.pk]) not in html
    assert reverse("programs:session_cancel", args=[session.pk]) not in html


def test_session_detail_shows_cancellation(client_for, admin_user, staff_user, session):
    session.status = TrainingSession.Status.CANCELLED
    session.cancel_reason = "Aula dipakai untuk kunjungan"
    session.cancelled_at = timezone.now()
    session.cancelled_by = staff_user
    session.save()

    html = page(client_for(admin_user).get(session.get_absolute_url()))

    assert "Aula dipakai untuk kunjungan" in html
    assert f"by {staff_user}" in html
    assert reverse("programs:session_cancel", args=[session.pk]) not in html


# --- create and update ------------------------------------------------------------------------


MANAGER_TABLE = [
    (None, "login"),
    ("viewer", 403),
    ("trainer", 403),
    ("outsider", 404),
    ("admin", 200),
    ("staff", 200),
]


@pytest.mark.parametrize(("who", "expected"), MANAGER_TABLE)
def test_session_create_access(client_for, users, program, who, expected):
    response = client_for(users.get(who)).get(reverse("programs:session_create", args=[program.pk]))
    assert_answer(response, expected)


def test_session_create_saves(client_for, staff_user, program, topic, trainer_user):
    response = client_for(staff_user).post(
        reverse("programs:session_create", args=[program.pk]),
        session_data(topic, [trainer_user], location="Bengkel Kerja"),
        follow=True,
    )
    session = TrainingSession.objects.get(program=program)
    assert response.redirect_chain[0][0] == session.get_absolute_url()
    assert "The session was added." in page(response)
    assert session.date == datetime.date(2025, 8, 6)
    assert session.location == "Bengkel Kerja"
    assert list(session.trainers.all()) == [trainer_user]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date": "", "start_time": ""}, "This field is required."),
        (
            {"start_time": "12:00", "end_time": "08:00"},
            "The end time must be after the start time.",
        ),
        (
            {"start_time": "08:00", "end_time": "08:00"},
            "The end time must be after the start time.",
        ),
        (
            {"date": "2025-08-09"},
            "Choose a date within the program, from 4 August 2025 to 8 August 2025.",
        ),
        ({"date": "2025-08-03"}, "Choose a date within the program"),
        ({"location": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"date": "9 Agustus"}, "Enter a valid date."),
    ],
)
def test_session_create_bad_input(client_for, admin_user, program, topic, overrides, message):
    response = client_for(admin_user).post(
        reverse("programs:session_create", args=[program.pk]), session_data(topic, **overrides)
    )
    assert response.status_code == 200
    assert message in page(response)
    assert TrainingSession.objects.count() == 0


def test_session_create_duplicate_slot(client_for, admin_user, program, topic):
    TrainingSessionFactory(program=program, date=datetime.date(2025, 8, 6))
    response = client_for(admin_user).post(
        reverse("programs:session_create", args=[program.pk]), session_data(topic)
    )
    assert "This program already has a session on this date at this start time." in page(response)
    assert TrainingSession.objects.count() == 1


def test_session_create_refuses_topic_of_other_program(
    client_for, admin_user, program, other_program
):
    foreign_topic = ProgramTopicFactory(program=other_program)
    response = client_for(admin_user).post(
        reverse("programs:session_create", args=[program.pk]), session_data(foreign_topic)
    )
    assert "Select a valid choice" in page(response)
    assert TrainingSession.objects.count() == 0


@pytest.mark.parametrize("trainer", ["other_trainer", "staff"])
def test_session_create_refuses_trainer_not_of_program_partner(
    client_for, admin_user, program, topic, trainer_user, other_trainer_user, staff_user, trainer
):
    chosen = other_trainer_user if trainer == "other_trainer" else staff_user
    response = client_for(admin_user).post(
        reverse("programs:session_create", args=[program.pk]), session_data(topic, [chosen])
    )
    assert "Select a valid choice" in page(response)
    assert TrainingSession.objects.count() == 0


def test_session_form_offers_only_program_trainers(
    client_for, admin_user, program, trainer_user, other_trainer_user
):
    html = page(client_for(admin_user).get(reverse("programs:session_create", args=[program.pk])))
    assert str(trainer_user) in html
    assert str(other_trainer_user) not in html


def test_session_create_refused_for_cancelled_program(client_for, admin_user, program, topic):
    program.status = Program.Status.CANCELLED
    program.save()
    response = client_for(admin_user).post(
        reverse("programs:session_create", args=[program.pk]), session_data(topic)
    )
    assert response.status_code == 302
    assert response.url == program.get_absolute_url()
    assert TrainingSession.objects.count() == 0


@pytest.mark.parametrize(("who", "expected"), MANAGER_TABLE)
def test_session_update_access(client_for, users, session, who, expected):
    response = client_for(users.get(who)).get(reverse("programs:session_update", args=[session.pk]))
    assert_answer(response, expected)


def test_session_update_saves(client_for, staff_user, session, topic):
    response = client_for(staff_user).post(
        reverse("programs:session_update", args=[session.pk]),
        session_data(topic, date="2025-08-05", start_time="09:00", end_time="11:30"),
        follow=True,
    )
    assert "The session was saved." in page(response)
    session.refresh_from_db()
    assert session.start_time == datetime.time(9, 0)
    assert session.end_time == datetime.time(11, 30)
    assert list(session.trainers.all()) == []


def test_session_update_keeps_its_own_slot(client_for, staff_user, session, topic):
    response = client_for(staff_user).post(
        reverse("programs:session_update", args=[session.pk]),
        session_data(topic, date="2025-08-05", location="Bengkel"),
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.location == "Bengkel"


def test_session_update_duplicate_slot(client_for, staff_user, session, topic):
    TrainingSessionFactory(program=session.program, date=datetime.date(2025, 8, 6))
    response = client_for(staff_user).post(
        reverse("programs:session_update", args=[session.pk]), session_data(topic)
    )
    assert "This program already has a session on this date at this start time." in page(response)
    session.refresh_from_db()
    assert session.date == datetime.date(2025, 8, 5)


def test_session_update_end_before_start(client_for, staff_user, session, topic):
    response = client_for(staff_user).post(
        reverse("programs:session_update", args=[session.pk]),
        session_data(topic, start_time="13:00", end_time="10:00"),
    )
    assert "The end time must be after the start time." in page(response)
    session.refresh_from_db()
    assert session.start_time == datetime.time(8, 0)


def test_session_update_refused_for_cancelled_session(client_for, staff_user, session, topic):
    session.status = TrainingSession.Status.CANCELLED
    session.cancel_reason = "Hujan"
    session.cancelled_at = timezone.now()
    session.save()

    response = client_for(staff_user).post(
        reverse("programs:session_update", args=[session.pk]),
        session_data(topic, start_time="10:00"),
        follow=True,
    )

    assert response.redirect_chain[0][0] == session.get_absolute_url()
    assert "A cancelled session cannot be edited." in page(response)
    session.refresh_from_db()
    assert session.start_time == datetime.time(8, 0)


def test_session_update_trainer_of_other_partner_gets_403(client_for, trainer_user, other_session):
    # The role check comes first: a trainer may never edit, whatever the session.
    response = client_for(trainer_user).get(
        reverse("programs:session_update", args=[other_session.pk])
    )
    assert response.status_code == 403


# --- generate ---------------------------------------------------------------------------------


def generate_data(topic=None, trainers=(), **overrides):
    data = {
        "date_from": "2025-08-04",
        "date_to": "2025-08-08",
        "weekdays": ["0", "1", "2", "3", "4"],
        "start_time": "08:00",
        "end_time": "12:00",
        # A topic, or the choice's value as posted ("in_order", a made-up pk).
        "topic": getattr(topic, "pk", topic or ""),
        "trainers": [trainer.pk for trainer in trainers],
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(("who", "expected"), MANAGER_TABLE)
def test_session_generate_access(client_for, users, program, who, expected):
    response = client_for(users.get(who)).get(
        reverse("programs:session_generate", args=[program.pk])
    )
    assert_answer(response, expected)


def test_session_generate_form_shows_weekdays(client_for, admin_user, program):
    html = page(client_for(admin_user).get(reverse("programs:session_generate", args=[program.pk])))
    for day in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]:
        assert day in html


def test_session_generate_creates_series(client_for, staff_user, program, topic, trainer_user):
    second_trainer = UserFactory(
        facility=program.facility, role=Role.TRAINER, partner=trainer_user.partner
    )
    response = client_for(staff_user).post(
        reverse("programs:session_generate", args=[program.pk]),
        generate_data(topic, [trainer_user, second_trainer], weekdays=["0", "2", "4"]),
        follow=True,
    )
    assert "3 sessions created." in page(response)
    sessions = TrainingSession.objects.filter(program=program).order_by("date")
    assert [s.date.day for s in sessions] == [4, 6, 8]
    assert all(s.topic == topic for s in sessions)
    assert all(set(s.trainers.all()) == {trainer_user, second_trainer} for s in sessions)


def test_session_generate_skips_taken_days(client_for, staff_user, program, topic):
    TrainingSessionFactory(program=program, date=datetime.date(2025, 8, 5))
    response = client_for(staff_user).post(
        reverse("programs:session_generate", args=[program.pk]), generate_data(topic), follow=True
    )
    assert response.redirect_chain[0][0] == program.get_absolute_url()
    assert "4 sessions created. 1 day skipped: it already has a session at this time." in page(
        response
    )
    assert TrainingSession.objects.filter(program=program).count() == 5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"weekdays": []}, "Choose at least one weekday."),
        ({"weekdays": ["5", "6"]}, "No day in this range falls on the chosen weekdays."),
        (
            {"start_time": "12:00", "end_time": "09:00"},
            "The end time must be after the start time.",
        ),
        ({"date_to": "2025-08-20"}, "Choose a date within the program"),
        ({"date_from": "2025-08-07", "date_to": "2025-08-05"}, "must not be before its start"),
        ({"date_from": "", "start_time": ""}, "This field is required."),
        ({"weekdays": ["9"]}, "Select a valid choice"),
    ],
)
def test_session_generate_bad_input(client_for, admin_user, program, overrides, message):
    response = client_for(admin_user).post(
        reverse("programs:session_generate", args=[program.pk]), generate_data(**overrides)
    )
    assert response.status_code == 200
    assert message in page(response)
    assert TrainingSession.objects.count() == 0


def test_session_generate_refuses_when_every_day_is_taken(client_for, admin_user, program):
    for day in range(4, 9):
        TrainingSessionFactory(program=program, date=datetime.date(2025, 8, day))
    response = client_for(admin_user).post(
        reverse("programs:session_generate", args=[program.pk]), generate_data()
    )
    assert "Every chosen day already has a session at this time" in page(response)
    assert TrainingSession.objects.count() == 5


def test_session_generate_refuses_more_than_100(client_for, admin_user, facility):
    program = ProgramFactory(
        facility=facility,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2025, 12, 31),
    )
    response = client_for(admin_user).post(
        reverse("programs:session_generate", args=[program.pk]),
        generate_data(date_from="2025-01-01", date_to="2025-06-30"),
    )
    assert "This would create 129 sessions; at most 100 can be generated at once." in page(response)
    assert TrainingSession.objects.count() == 0


def test_session_generate_refuses_trainer_of_other_partner(
    client_for, admin_user, program, trainer_user, other_trainer_user
):
    response = client_for(admin_user).post(
        reverse("programs:session_generate", args=[program.pk]),
        generate_data(trainers=[other_trainer_user]),
    )
    assert "Select a valid choice" in page(response)
    assert TrainingSession.objects.count() == 0


def test_session_generate_post_only_by_managers(client_for, viewer_user, program):
    response = client_for(viewer_user).post(
        reverse("programs:session_generate", args=[program.pk]), generate_data()
    )
    assert response.status_code == 403
    assert TrainingSession.objects.count() == 0


# --- generate: topics in order by their JP ----------------------------------------------------


@pytest.fixture
def plan_topics(program):
    """A (4 JP), B (8 JP), C (4 JP), created out of order to show that `order` decides."""
    c = ProgramTopicFactory(program=program, title="C Kewirausahaan", jp=4, order=3)
    a = ProgramTopicFactory(program=program, title="A Kerajinan tangan", jp=4, order=1)
    b = ProgramTopicFactory(program=program, title="B Merangkai gelang", jp=8, order=2)
    return a, b, c


def plan_rows(html):
    """The cells of the preview's table, as text, row by row."""
    body = html.split('id="plan-heading"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


def topic_titles(program):
    sessions = TrainingSession.objects.filter(program=program).order_by("date")
    return [s.topic.title[0] if s.topic else None for s in sessions]


@pytest.mark.parametrize(
    ("start", "end", "jp"),
    [((8, 0), (11, 0), 4), ((8, 0), (12, 0), 5), ((13, 0), (13, 44), 1), ((8, 0), (14, 0), 8)],
)
def test_session_jp_counts_whole_lesson_hours_of_45_minutes(start, end, jp):
    assert session_jp(datetime.time(*start), datetime.time(*end)) == jp


@pytest.mark.parametrize(
    ("count", "jp_per_session", "expected"),
    [
        (4, 4, "ABBC"),
        (6, 3, "ABBBCC"),
        (2, 8, "AB"),
        (1, 16, "B"),
        (3, 2, "AAB"),
        (6, 4, "ABBC--"),
    ],
)
def test_topics_in_order_follows_each_topics_jp(plan_topics, count, jp_per_session, expected):
    planned = topics_in_order(plan_topics, count=count, jp_per_session=jp_per_session)
    assert "".join(topic.title[0] if topic else "-" for topic in planned) == expected


def test_topics_in_order_names_a_tied_session_for_the_topic_it_starts_with(program):
    a = ProgramTopicFactory(program=program, title="A", jp=2)
    b = ProgramTopicFactory(program=program, title="B", jp=2)
    assert topics_in_order([a, b], count=1, jp_per_session=4) == [a]


def test_topics_in_order_gives_a_tie_to_a_topic_not_yet_named(program):
    # The demo's sewing course: 4, 12, 16, 12 and 4 JP in days of 8 JP. The last day is half
    # D, half E; D has days already, so E gets this one rather than disappearing.
    jps = {"A": 4, "B": 12, "C": 16, "D": 12, "E": 4}
    topics = [ProgramTopicFactory(program=program, title=title, jp=jp) for title, jp in jps.items()]

    planned = topics_in_order(topics, count=6, jp_per_session=8)

    assert [topic.title for topic in planned] == ["A", "B", "C", "C", "D", "E"]


def test_session_generate_assigns_topics_in_order(client_for, staff_user, program, plan_topics):
    response = client_for(staff_user).post(
        reverse("programs:session_generate", args=[program.pk]),
        generate_data(weekdays=["0", "1", "2", "3"], end_time="11:00", topic="in_order"),
        follow=True,
    )
    assert "4 sessions created." in page(response)
    assert topic_titles(program) == ["A", "B", "B", "C"]


def test_session_generate_in_order_counts_only_created_sessions(
    client_for, staff_user, program, plan_topics
):
    # Tuesday is taken: the four sessions created (Mon, Wed, Thu, Fri) carry A, B, B, C.
    TrainingSessionFactory(program=program, date=datetime.date(2025, 8, 5), topic=None)
    client_for(staff_user).post(
        reverse("programs:session_generate", args=[program.pk]),
        generate_data(end_time="11:00", topic="in_order"),
    )
    sessions = TrainingSession.objects.filter(program=program).exclude(date__day=5)
    assert [(s.date.day, s.topic.title[0]) for s in sessions.order_by("date")] == [
        (4, "A"),
        (6, "B"),
        (7, "B"),
        (8, "C"),
    ]


def test_session_generate_in_order_leaves_sessions_past_the_topics_without_one(
    client_for, staff_user, program, plan_topics
):
    # Five sessions of 8 JP (08:00-14:00): A+B (a tie: the first) then B+C, then nothing.
    client_for(staff_user).post(
        reverse("programs:session_generate", args=[program.pk]),
        generate_data(end_time="14:00", topic="in_order"),
    )
    assert topic_titles(program) == ["A", "B", None, None, None]


def test_session_generate_preview_shows_each_sessions_topic_and_saves_nothing(
    client_for, staff_user, program, plan_topics
):
    response = client_for(staff_user).post(
        reverse("programs:session_generate", args=[program.pk]),
        {**generate_data(end_time="11:00", topic="in_order"), "preview": "1"},
    )
    html = page(response)
    assert response.status_code == 200
    assert TrainingSession.objects.count() == 0
    assert "5 sessions of 4 JP each (20 JP in all)." in html
    assert "The program's topics take 16 JP." in html
    assert plan_rows(html) == [
        ["1", "Monday, 4 August 2025", "08.00–11.00", "A Kerajinan tangan"],
        ["2", "Tuesday, 5 August 2025", "08.00–11.00", "B Merangkai gelang"],
        ["3", "Wednesday, 6 August 2025", "08.00–11.00", "B Merangkai gelang"],
        ["4", "Thursday, 7 August 2025", "08.00–11.00", "C Kewirausahaan"],
        ["5", "Friday, 8 August 2025", "08.00–11.00", "No topic"],
    ]


def test_session_generate_preview_shows_skipped_days(client_for, staff_user, program, topic):
    TrainingSessionFactory(program=program, date=datetime.date(2025, 8, 5))
    response = client_for(staff_user).post(
        reverse("programs:session_generate", args=[program.pk]),
        {**generate_data(topic), "preview": "1"},
    )
    html = page(response)
    assert "4 sessions of 5 JP each (20 JP in all)." in html
    assert "1 day skipped: it already has a session at this time." in html
    assert [row[1] for row in plan_rows(html)] == [
        "Monday, 4 August 2025",
        "Wednesday, 6 August 2025",
        "Thursday, 7 August 2025",
        "Friday, 8 August 2025",
    ]
    assert TrainingSession.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"topic": "in_order"}, "This program has no topics yet; add them first."),
        ({"topic": "999999"}, "Select a valid choice"),
    ],
)
def test_session_generate_bad_topic(client_for, admin_user, program, overrides, message):
    for preview in ({}, {"preview": "1"}):
        response = client_for(admin_user).post(
            reverse("programs:session_generate", args=[program.pk]),
            {**generate_data(**overrides), **preview},
        )
        assert response.status_code == 200
        assert message in page(response)
    assert TrainingSession.objects.count() == 0


def test_session_generate_refuses_topic_of_other_program(
    client_for, admin_user, program, other_program
):
    foreign = ProgramTopicFactory(program=other_program)
    response = client_for(admin_user).post(
        reverse("programs:session_generate", args=[program.pk]), generate_data(foreign)
    )
    assert "Select a valid choice" in page(response)
    assert TrainingSession.objects.count() == 0


# --- cancel -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, "login"), ("viewer", 403), ("trainer", 403), ("outsider", 404), ("staff", 302)],
)
def test_session_cancel_access(client_for, users, session, who, expected):
    response = client_for(users.get(who)).post(
        reverse("programs:session_cancel", args=[session.pk]), {"reason": "Listrik padam"}
    )
    assert_answer(response, expected)
    session.refresh_from_db()
    assert session.is_cancelled == (expected == 302)


def test_session_cancel_get_not_allowed(client_for, admin_user, session):
    response = client_for(admin_user).get(reverse("programs:session_cancel", args=[session.pk]))
    assert response.status_code == 405


def test_session_cancel_records_reason_and_who(client_for, staff_user, session):
    response = client_for(staff_user).post(
        reverse("programs:session_cancel", args=[session.pk]),
        {"reason": "Aula dipakai untuk kunjungan"},
        follow=True,
    )
    assert "The session was cancelled." in page(response)
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.CANCELLED
    assert session.cancel_reason == "Aula dipakai untuk kunjungan"
    assert session.cancelled_by == staff_user
    assert session.cancelled_at is not None


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Give a reason for cancelling the session."),
        ("   ", "Give a reason for cancelling the session."),
        ("x" * 1001, "Ensure this value has at most 1000 characters"),
    ],
)
def test_session_cancel_bad_reason(client_for, staff_user, session, reason, message):
    response = client_for(staff_user).post(
        reverse("programs:session_cancel", args=[session.pk]), {"reason": reason}, follow=True
    )
    assert message in page(response)
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.SCHEDULED
    assert session.cancel_reason == ""


def test_session_cancel_twice_changes_nothing(client_for, staff_user, admin_user, session):
    client_for(admin_user).post(
        reverse("programs:session_cancel", args=[session.pk]), {"reason": "Hujan deras"}
    )
    response = client_for(staff_user).post(
        reverse("programs:session_cancel", args=[session.pk]), {"reason": "Lain"}, follow=True
    )
    assert "This session was already cancelled." in page(response)
    session.refresh_from_db()
    assert session.cancel_reason == "Hujan deras"
    assert session.cancelled_by == admin_user


# --- session list filtered by status and dates (the reports link here) ------------------------


def test_session_list_filters_held_sessions_between_dates(client_for, viewer_user, program):
    for day, status in [(4, "held"), (5, "scheduled"), (12, "held"), (31, "held")]:
        TrainingSessionFactory(
            program=program, date=datetime.date(2025, 8, day), status=status, topic=None
        )
    TrainingSessionFactory(program=program, date=datetime.date(2025, 9, 1), status="held")
    html = page(
        client_for(viewer_user).get(
            reverse("programs:session_list"),
            {"status": "held", "date_from": "2025-08-01", "date_to": "2025-08-31"},
        )
    )
    assert "Sessions in the chosen dates" in html
    assert "Monday, 4 August 2025" in html
    assert "Tuesday, 12 August 2025" in html
    assert "Sunday, 31 August 2025" in html
    assert "5 August 2025" not in html
    assert "September" not in html
    assert html.count("<td>Held</td>") == 3


def test_session_list_bad_date_range_shows_error_and_is_ignored(client_for, viewer_user, program):
    TrainingSessionFactory(program=program, date=timezone.localdate())
    html = page(
        client_for(viewer_user).get(
            reverse("programs:session_list"),
            {"date_from": "2025-08-31", "date_to": "2025-08-01", "status": "nonsense"},
        )
    )
    assert "The end date must not be before the start date." in html
    assert "Select a valid choice." in html
    # The default list (today and upcoming) is shown instead.
    assert "Sessions in the chosen dates" not in html
    assert date_format(timezone.localdate(), "l, j F Y") in html
