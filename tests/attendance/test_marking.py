"""The trainer's marking workflow: today's sessions, the marking page, its save, locking, history."""

import datetime
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from attendance.forms import MarkForm
from attendance.models import AttendanceRecord
from attendance.services import Mark, can_edit, save_attendance
from programs.models import Enrollment, Program, TrainingSession
from tests.factories import (
    AttendanceRecordFactory,
    EnrollmentFactory,
    InmateFactory,
    TrainingSessionFactory,
)
from tests.helpers import assert_answer, form_as_rendered, page, shown_messages
from tests.test_accessibility import ControlCollector

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def session(program):
    return TrainingSessionFactory(program=program, date=TODAY)


@pytest.fixture
def enrollments(program):
    return [
        EnrollmentFactory(program=program, inmate__full_name=name)
        for name in ("Ahmad Fauzi", "Dedi Saputra", "Rizky Pratama")
    ]


def form_data(rows, **extra):
    """POST data of the marking formset; each row is (enrolment id, status[, minutes, note])."""
    data = {
        "form-TOTAL_FORMS": len(rows),
        "form-INITIAL_FORMS": len(rows),
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
    }
    for index, (enrollment_id, status, *rest) in enumerate(rows):
        minutes, note = (*rest, "", "")[:2]
        data[f"form-{index}-enrollment"] = enrollment_id
        data[f"form-{index}-status"] = status
        data[f"form-{index}-minutes_late"] = minutes
        data[f"form-{index}-note"] = note
    return {**data, **extra}


def statuses(session):
    return dict(
        AttendanceRecord.objects.filter(session=session).values_list(
            "enrollment__inmate__full_name", "status"
        )
    )


def mark_url(session):
    return reverse("attendance:mark", args=[session.pk])


# Today's sessions


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, "login"), ("admin", 200), ("staff", 200), ("viewer", 200), ("trainer", 200)],
)
def test_today_permissions(client_for, users, role, expected):
    response = client_for(users.get(role)).get(reverse("attendance:today"))
    assert_answer(response, expected)


def test_today_trainer_sees_only_their_partners_sessions_of_the_week(
    client_for, trainer_user, program, other_program, outside_program, enrollments
):
    TrainingSessionFactory(program=program, date=TODAY, start_time=datetime.time(8))
    TrainingSessionFactory(program=program, date=TODAY + 7 * DAY, topic=None)
    TrainingSessionFactory(program=program, date=TODAY + 8 * DAY)
    TrainingSessionFactory(
        program=program,
        date=TODAY,
        start_time=datetime.time(13),
        end_time=datetime.time(15),
        status=TrainingSession.Status.CANCELLED,
        cancel_reason="Razia",
        cancelled_at=timezone.now(),
    )
    TrainingSessionFactory(program=other_program, date=TODAY)
    TrainingSessionFactory(program=outside_program, date=TODAY)

    response = client_for(trainer_user).get(reverse("attendance:today"))

    assert [s.date for s in response.context["todays_sessions"]] == [TODAY]
    assert [s.date for s in response.context["upcoming_sessions"]] == [TODAY + 7 * DAY]
    html = page(response)
    assert program.title in html
    assert other_program.title not in html
    assert outside_program.title not in html
    assert "Take attendance" in html
    assert "3 participants" in html


def test_today_counts_listed_and_marked_participants(client_for, staff_user, session, enrollments):
    EnrollmentFactory(program=session.program, enrolled_on=TODAY + DAY)  # joins tomorrow
    AttendanceRecordFactory(session=session, enrollment=enrollments[0])

    response = client_for(staff_user).get(reverse("attendance:today"))

    (shown,) = response.context["todays_sessions"]
    assert (shown.participant_count, shown.marked_count) == (3, 1)
    assert "1 marked" in page(response)


@pytest.mark.parametrize("rows", [5, 50])
def test_today_query_count_is_fixed(
    client_for, staff_user, program, rows, django_assert_num_queries
):
    for offset in range(rows):
        TrainingSessionFactory(
            program=program,
            date=TODAY + (offset % 8) * DAY,
            start_time=datetime.time(offset // 8),
            end_time=datetime.time(23),
        )
    EnrollmentFactory.create_batch(3, program=program)
    client = client_for(staff_user)
    # session, user, facility (scope), the sessions with their listed and marked counts
    with django_assert_num_queries(4):
        response = client.get(reverse("attendance:today"))
    shown = response.context["todays_sessions"] + response.context["upcoming_sessions"]
    assert len(shown) == rows


def test_dashboard_sends_a_trainer_to_todays_sessions(client_for, trainer_user):
    response = client_for(trainer_user).get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url == reverse("attendance:today")


def test_dashboard_stays_for_staff(client_for, staff_user):
    assert client_for(staff_user).get(reverse("dashboard")).status_code == 200


def test_navigation_offers_todays_sessions_to_a_trainer_only(client_for, trainer_user, staff_user):
    link = f'href="{reverse("attendance:today")}"'
    assert link in page(client_for(trainer_user).get(reverse("attendance:today")))
    assert link not in page(client_for(staff_user).get(reverse("programs:session_list")))


# The marking page: who may see and save


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, "login"),
        ("admin", 200),
        ("staff", 200),
        ("viewer", 200),
        ("trainer", 200),
        ("other_trainer", 404),
        ("outsider", 404),
    ],
)
def test_mark_get_permissions(client_for, users, other_trainer_user, session, role, expected):
    user = other_trainer_user if role == "other_trainer" else users.get(role)
    assert_answer(client_for(user).get(mark_url(session)), expected)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, "login"),
        ("admin", 302),
        ("staff", 302),
        ("viewer", 403),
        ("trainer", 302),
        ("other_trainer", 404),
        ("outsider", 404),
    ],
)
def test_mark_post_permissions(
    client_for, users, other_trainer_user, session, enrollments, role, expected
):
    user = other_trainer_user if role == "other_trainer" else users.get(role)
    response = client_for(user).post(mark_url(session), form_data([(enrollments[0].pk, "H")]))
    assert_answer(response, expected)
    assert AttendanceRecord.objects.filter(session=session).count() == (expected == 302)


def test_mark_other_methods_are_refused(client_for, admin_user, session):
    assert client_for(admin_user).put(mark_url(session)).status_code == 405


def test_mark_viewer_sees_a_read_only_list(client_for, viewer_user, session, enrollments):
    html = page(client_for(viewer_user).get(mark_url(session)))
    assert "Ahmad Fauzi" in html
    assert "You can read this attendance but not change it." in html
    assert "disabled" in html
    assert "Save attendance" not in html


def test_mark_page_shows_participants_by_name_with_registration_and_initials(
    client_for, trainer_user, session, enrollments
):
    html = page(client_for(trainer_user).get(mark_url(session)))
    positions = [html.index(e.inmate.full_name) for e in enrollments]
    assert positions == sorted(positions)
    for enrollment in enrollments:
        assert enrollment.inmate.registration_number in html
    assert ">AF</span>" in html
    # Every status is a labelled radio; the custody reasons wait behind "Other reasons…".
    assert html.count('type="radio"') == 3 * 11
    assert "Other reasons…" in html
    assert "All present" in html
    # Trainers see nothing of an inmate beyond name, registration number and photo.
    assert "Blok A" not in html


class InputReader(HTMLParser):
    """Every <input> of an HTML text, as a dict of its attributes, in order."""

    def __init__(self, html):
        super().__init__()
        self.inputs = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append(dict(attrs))


def row_inputs(html, index):
    prefix = f"form-{index}-"
    return [i for i in InputReader(html).inputs if i.get("name", "").startswith(prefix)]


def widget_inputs(form):
    """The inputs MarkForm's own widgets render for `form`, in the page's order."""
    html = "".join(
        [
            *(str(radio.tag()) for radio in form["status"]),
            *(str(form[name]) for name in ("minutes_late", "note", "enrollment")),
        ]
    )
    return InputReader(html).inputs


def test_mark_rows_write_the_inputs_the_form_widgets_would(
    client_for, trainer_user, session, enrollments
):
    ahmad, dedi, rizky = enrollments
    save_attendance(
        session=session,
        marks=[Mark(ahmad.pk, "T", minutes_late=15, note="Ban <bocor>"), Mark(dedi.pk, "sidang")],
        by=trainer_user,
    )
    html = page(client_for(trainer_user).get(mark_url(session)))

    saved = [
        {"enrollment": ahmad.pk, "status": "T", "minutes_late": 15, "note": "Ban <bocor>"},
        {"enrollment": dedi.pk, "status": "sidang", "minutes_late": None, "note": ""},
        {"enrollment": rizky.pk, "status": "", "minutes_late": None, "note": ""},
    ]
    for index, initial in enumerate(saved):
        expected = widget_inputs(MarkForm(prefix=f"form-{index}", initial=initial))
        assert row_inputs(html, index) == expected


def test_mark_rows_after_a_refused_post_write_the_inputs_the_form_widgets_would(
    client_for, trainer_user, session, enrollments
):
    ahmad, dedi, rizky = enrollments
    data = form_data([(ahmad.pk, "X"), (dedi.pk, "H", "5", "y" * 201), (rizky.pk, "T", "lima")])
    response = client_for(trainer_user).post(mark_url(session), data)

    html = page(response)
    rows = response.context["rows"]
    for index, row in enumerate(rows):
        assert row_inputs(html, index) == widget_inputs(row.form)
    # Each refused input is marked for a screen reader.
    assert {"aria-invalid"} <= row_inputs(html, 0)[0].keys()
    assert row_inputs(html, 1)[-3]["aria-invalid"] == "true"


class DescribedBy(HTMLParser):
    """The ids an HTML text gives its elements, the text inside each, and every input's
    aria-describedby."""

    def __init__(self, html):
        super().__init__()
        self.texts, self.open, self.described = {}, [], {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "aria-describedby" in attrs:
            self.described[attrs.get("id")] = attrs["aria-describedby"]
        if "id" in attrs and tag not in ("input", "img"):
            self.texts[attrs["id"]] = ""
            self.open.append((tag, attrs["id"]))

    def handle_endtag(self, tag):
        if self.open and self.open[-1][0] == tag:
            self.open.pop()

    def handle_data(self, data):
        for _tag, element_id in self.open:
            self.texts[element_id] += data


def test_mark_refused_inputs_are_described_by_their_shown_errors(
    client_for, trainer_user, session, enrollments
):
    ahmad, dedi, rizky = enrollments
    data = form_data([(ahmad.pk, "H"), (dedi.pk, "H", "5", "y" * 201), (rizky.pk, "T", "lima")])
    html = page(client_for(trainer_user).post(mark_url(session), data))

    parsed = DescribedBy(html)
    assert parsed.described == {
        "id_form-1-minutes_late": "id_form-1-minutes_late_error",
        "id_form-1-note": "id_form-1-note_error",
        "id_form-2-minutes_late": "id_form-2-minutes_late_error",
    }
    texts = parsed.texts
    assert (
        "Minutes late can only be given with T (Terlambat)."
        in texts["id_form-1-minutes_late_error"]
    )
    assert "at most 200 characters" in texts["id_form-1-note_error"]
    assert "Enter a whole number." in texts["id_form-2-minutes_late_error"]


def test_mark_refused_post_shows_every_row_as_sent(client_for, trainer_user, session, enrollments):
    ahmad, dedi, rizky = enrollments
    data = form_data([(ahmad.pk, "I"), (dedi.pk, "H", "5", "Datang"), (rizky.pk, "klinik")])
    response = client_for(trainer_user).post(mark_url(session), data)

    assert response.status_code == 200
    assert not AttendanceRecord.objects.exists()
    # What the browser would send again: the choices and texts as the trainer left them.
    shown = form_as_rendered(response, "form-0-status")
    assert shown["form-0-status"] == ["I"]
    assert shown["form-1-status"] == ["H"]
    assert (shown["form-1-minutes_late"], shown["form-1-note"]) == (["5"], ["Datang"])
    assert shown["form-2-status"] == ["klinik"]
    html = page(response)
    # The custody reason chosen in the third row keeps its group open; the others stay closed.
    assert html.count('<details class="mark-custody" open>') == 1
    assert html.count("list-group-item-danger") == 1
    assert "<span data-marked-count>3</span> of 3 marked" in html


def test_mark_page_submitted_as_shown_changes_nothing(
    client_for, trainer_user, session, enrollments
):
    ahmad, dedi, _rizky = enrollments
    save_attendance(
        session=session,
        marks=[Mark(ahmad.pk, "T", minutes_late=15, note="Ban bocor"), Mark(dedi.pk, "mutasi")],
        by=trainer_user,
    )
    client = client_for(trainer_user)
    shown = form_as_rendered(client.get(mark_url(session)), "form-0-status")

    response = client.post(mark_url(session), shown)

    assert shown_messages(response) == ["Nothing changed: the attendance was already saved."]
    assert statuses(session) == {"Ahmad Fauzi": "T", "Dedi Saputra": "mutasi"}
    assert AttendanceRecord.history.count() == 2


# Roster: who is listed on the session's date


def test_mark_roster_follows_enrolment_and_departure_dates(client_for, staff_user, program):
    session = TrainingSessionFactory(program=program, date=TODAY - 2 * DAY)
    listed = EnrollmentFactory(program=program, inmate__full_name="Listed Sejak Awal")
    EnrollmentFactory(program=program, inmate__full_name="Late Joiner", enrolled_on=TODAY - DAY)
    EnrollmentFactory(
        program=program, inmate__full_name="Joined That Day", enrolled_on=session.date
    )
    for name, status, ended_on in [
        ("Withdrawn Before", Enrollment.Status.WITHDRAWN, session.date - DAY),
        ("Released That Day", Enrollment.Status.RELEASED, session.date),
        ("Transferred After", Enrollment.Status.TRANSFERRED, session.date + DAY),
    ]:
        EnrollmentFactory(
            program=program,
            inmate__full_name=name,
            status=status,
            ended_on=ended_on,
            end_reason="Tercatat",
        )

    response = client_for(staff_user).get(mark_url(session))

    shown = [row.enrollment.inmate.full_name for row in response.context["rows"]]
    assert shown == ["Joined That Day", listed.inmate.full_name, "Transferred After"]
    html = page(response)
    for absent in ("Late Joiner", "Withdrawn Before", "Released That Day"):
        assert absent not in html


def test_mark_late_joiner_cannot_be_marked_for_an_earlier_session(client_for, staff_user, program):
    session = TrainingSessionFactory(program=program, date=TODAY - DAY)
    late = EnrollmentFactory(program=program, enrolled_on=TODAY)
    response = client_for(staff_user).post(mark_url(session), form_data([(late.pk, "H")]))
    assert "is not on this session" in page(response)
    assert not AttendanceRecord.objects.exists()


# Saving


def test_mark_trainer_saves_statuses_and_sees_them(client_for, trainer_user, session, enrollments):
    ahmad, dedi, rizky = enrollments
    client = client_for(trainer_user)
    response = client.post(
        mark_url(session),
        form_data([(ahmad.pk, "H"), (dedi.pk, "T", "15", "Ban bocor"), (rizky.pk, "sidang")]),
    )
    assert response.status_code == 302
    assert response.url == mark_url(session)
    assert shown_messages(response) == ["Attendance saved: 3 new, 0 changed."]
    record = AttendanceRecord.objects.get(enrollment=dedi)
    assert (record.status, record.minutes_late, record.note) == ("T", 15, "Ban bocor")
    assert record.recorded_by == trainer_user
    assert statuses(session) == {
        "Ahmad Fauzi": "H",
        "Dedi Saputra": "T",
        "Rizky Pratama": "sidang",
    }

    html = page(client.get(mark_url(session)))
    assert 'value="sidang" class="btn-check" id="id_form-2-status_5" checked' in html
    assert '<details class="mark-custody" open>' in html
    assert 'value="15"' in html


def test_mark_all_present_without_javascript_fills_the_unmarked_rows(
    client_for, trainer_user, session, enrollments
):
    ahmad, dedi, rizky = enrollments
    response = client_for(trainer_user).post(
        mark_url(session),
        form_data([(ahmad.pk, ""), (dedi.pk, "I"), (rizky.pk, "")], all_present="1"),
    )
    assert response.status_code == 302
    assert statuses(session) == {"Ahmad Fauzi": "H", "Dedi Saputra": "I", "Rizky Pratama": "H"}


def test_mark_rows_left_empty_are_not_saved(client_for, trainer_user, session, enrollments):
    ahmad, dedi, rizky = enrollments
    client_for(trainer_user).post(
        mark_url(session), form_data([(ahmad.pk, "A"), (dedi.pk, ""), (rizky.pk, "")])
    )
    assert statuses(session) == {"Ahmad Fauzi": "A"}


def test_save_twice_gives_the_same_rows_and_no_new_history(
    client_for, trainer_user, session, enrollments
):
    data = form_data([(e.pk, status) for e, status in zip(enrollments, "HIS", strict=True)])
    client = client_for(trainer_user)
    client.post(mark_url(session), data)
    rows = list(AttendanceRecord.objects.order_by("pk").values())
    history = AttendanceRecord.history.count()

    response = client.post(mark_url(session), data)

    assert shown_messages(response)[-1] == "Nothing changed: the attendance was already saved."
    assert list(AttendanceRecord.objects.order_by("pk").values()) == rows
    assert AttendanceRecord.history.count() == history == 3


def test_save_changes_only_what_changed(session, enrollments, trainer_user, staff_user):
    ahmad, dedi, rizky = enrollments
    save_attendance(
        session=session,
        marks=[Mark(ahmad.pk, "H"), Mark(dedi.pk, "H"), Mark(rizky.pk, "H")],
        by=trainer_user,
    )
    result = save_attendance(
        session=session,
        marks=[Mark(ahmad.pk, "H"), Mark(dedi.pk, "S", note="Demam"), Mark(rizky.pk, "H")],
        by=staff_user,
    )
    assert (result.created, result.changed, result.unchanged) == (0, 1, 2)
    assert AttendanceRecord.objects.count() == 3
    assert AttendanceRecord.objects.get(enrollment=ahmad).recorded_by == trainer_user
    changed = AttendanceRecord.objects.get(enrollment=dedi)
    assert (changed.status, changed.note, changed.recorded_by) == ("S", "Demam", staff_user)
    latest = changed.history.first()
    assert (latest.history_type, latest.status, latest.history_user) == ("~", "S", staff_user)
    assert AttendanceRecord.history.filter(history_type="~").count() == 1


@pytest.mark.parametrize("rows", [5, 50])
def test_mark_page_query_count_is_fixed(
    client_for, trainer_user, session, rows, django_assert_num_queries
):
    enrollments = EnrollmentFactory.create_batch(rows, program=session.program)
    save_attendance(session=session, marks=[Mark(e.pk, "H") for e in enrollments], by=trainer_user)
    client = client_for(trainer_user)
    # session, user, facility (scope), the training session, the roster with inmates,
    # the session's records, their history with users and participants
    with django_assert_num_queries(7):
        response = client.get(mark_url(session))
    assert len(response.context["rows"]) == rows
    assert len(response.context["history"]) == rows


@pytest.mark.parametrize("rows", [5, 50])
def test_mark_save_query_count_is_fixed(
    client_for, trainer_user, session, rows, django_assert_num_queries
):
    enrollments = EnrollmentFactory.create_batch(rows, program=session.program)
    AttendanceRecordFactory(session=session, enrollment=enrollments[0], status="A")
    data = form_data([(e.pk, "H") for e in enrollments])
    client = client_for(trainer_user)
    # session, user, facility (scope), the training session; save_attendance: savepoint, the
    # listed enrolments, the existing records, the upsert, history of created, history of
    # changed, the session now held, release savepoint
    with django_assert_num_queries(12):
        response = client.post(mark_url(session), data)
    assert response.status_code == 302
    assert AttendanceRecord.objects.filter(session=session, status="H").count() == rows
    # The factory's record, then one row per participant: rows - 1 created and one changed.
    assert AttendanceRecord.history.count() == 1 + rows
    assert AttendanceRecord.history.filter(history_type="~").count() == 1


def test_mark_first_save_makes_the_session_held(client_for, trainer_user, session, enrollments):
    assert session.status == TrainingSession.Status.SCHEDULED

    client_for(trainer_user).post(mark_url(session), form_data([(enrollments[0].pk, "H")]))

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.HELD


def test_mark_refuses_a_closed_program_to_everyone(
    client_for, admin_user, session, enrollments, program
):
    program.status = Program.Status.COMPLETED
    program.closed_at = timezone.now()
    program.save()
    client = client_for(admin_user)

    page = client.get(mark_url(session)).content.decode()
    response = client.post(mark_url(session), form_data([(enrollments[0].pk, "H")]))

    assert "The program is closed: its attendance is locked." in page
    assert "The program is closed: its attendance is locked." in response.content.decode()
    assert not AttendanceRecord.objects.exists()


# Bad input: a clear error, nothing saved


@pytest.mark.parametrize(
    ("row", "error"),
    [
        (("X",), "Select a valid choice. X is not one of the available choices."),
        (("H", "5"), "Minutes late can only be given with T (Terlambat)."),
        (("", "5"), "Minutes late can only be given with T (Terlambat)."),
        (("T", "-1"), "Ensure this value is greater than or equal to 0."),
        (("T", "601"), "Ensure this value is less than or equal to 600."),
        (("T", "lima"), "Enter a whole number."),
        (("H", "", "x" * 201), "Ensure this value has at most 200 characters"),
    ],
)
def test_mark_bad_row_shows_the_error_and_saves_nothing(
    client_for, trainer_user, session, enrollments, row, error
):
    data = form_data([(enrollments[0].pk, "H"), (enrollments[1].pk, *row)])
    response = client_for(trainer_user).post(mark_url(session), data)
    assert response.status_code == 200
    assert error in page(response)
    assert "Some rows have errors; nothing was saved." in page(response)
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize("where", ["other_program", "outside_program"])
def test_mark_tampered_enrolment_is_refused_and_nothing_saved(
    request, client_for, trainer_user, session, enrollments, where
):
    foreign_program = request.getfixturevalue(where)
    foreign = EnrollmentFactory(program=foreign_program)
    data = form_data([(enrollments[0].pk, "H"), (foreign.pk, "A")])

    response = client_for(trainer_user).post(mark_url(session), data)

    assert response.status_code == 200
    assert f"Participant {foreign.pk} is not on this session&#x27;s list" in page(response)
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize(
    ("mark", "error"),
    [
        (Mark(0, "Q"), "“Q” is not an attendance status."),
        (Mark(0, "H", minutes_late=3), "Minutes late can only be given with T (Terlambat)."),
        (Mark(0, "T", minutes_late=-5), "Minutes late must be between 0 and 600."),
        (Mark(0, "T", minutes_late=601), "Minutes late must be between 0 and 600."),
        (Mark(0, "H", note="x" * 201), "A note is at most 200 characters long."),
    ],
)
def test_save_attendance_refuses_a_bad_mark_and_saves_nothing(
    session, enrollments, trainer_user, mark, error
):
    bad = Mark(enrollments[1].pk, mark.status, mark.minutes_late, mark.note)
    with pytest.raises(ValidationError) as raised:
        save_attendance(session=session, marks=[Mark(enrollments[0].pk, "H"), bad], by=trainer_user)
    assert raised.value.messages == [error]
    assert not AttendanceRecord.objects.exists()


def test_save_attendance_refuses_a_participant_marked_twice(session, enrollments, trainer_user):
    marks = [Mark(enrollments[0].pk, "H"), Mark(enrollments[0].pk, "A")]
    with pytest.raises(ValidationError):
        save_attendance(session=session, marks=marks, by=trainer_user)
    assert not AttendanceRecord.objects.exists()


def test_save_attendance_refuses_a_viewer(session, enrollments, viewer_user):
    with pytest.raises(PermissionDenied):
        save_attendance(session=session, marks=[Mark(enrollments[0].pk, "H")], by=viewer_user)
    assert not AttendanceRecord.objects.exists()


def test_mark_cancelled_session_cannot_be_marked(client_for, staff_user, session, enrollments):
    session.status = TrainingSession.Status.CANCELLED
    session.cancel_reason = "Razia blok"
    session.cancelled_at = timezone.now()
    session.save()
    client = client_for(staff_user)
    message = "This session was cancelled; its attendance cannot be marked."
    assert message in page(client.get(mark_url(session)))

    response = client.post(mark_url(session), form_data([(enrollments[0].pk, "H")]))

    assert message in page(response)
    assert not AttendanceRecord.objects.exists()


def test_mark_future_session_cannot_be_marked_yet(client_for, trainer_user, program, enrollments):
    session = TrainingSessionFactory(program=program, date=TODAY + DAY)
    client = client_for(trainer_user)
    html = page(client.get(mark_url(session)))
    assert "attendance can be marked from that day on" in html
    assert "Save attendance" not in html

    response = client.post(mark_url(session), form_data([(enrollments[0].pk, "H")]))

    assert "attendance can be marked from that day on" in page(response)
    assert not AttendanceRecord.objects.exists()


def test_mark_past_session_within_the_window_can_be_marked(
    client_for, trainer_user, program, enrollments, settings
):
    settings.ATTENDANCE_LOCK_DAYS = 3
    session = TrainingSessionFactory(program=program, date=TODAY - 3 * DAY)
    client = client_for(trainer_user)
    expected = (TODAY).strftime("%-d %B %Y")
    assert f"trainers can change this attendance until {TODAY:%A}, {expected}" in page(
        client.get(mark_url(session))
    )
    response = client.post(mark_url(session), form_data([(enrollments[0].pk, "I")]))
    assert response.status_code == 302
    assert statuses(session) == {"Ahmad Fauzi": "I"}


# Locking


@pytest.mark.parametrize(
    ("days_ago", "trainer", "staff", "viewer"),
    [(0, True, True, False), (3, True, True, False), (4, False, True, False)],
)
def test_can_edit_follows_the_lock(
    settings, program, trainer_user, staff_user, viewer_user, days_ago, trainer, staff, viewer
):
    settings.ATTENDANCE_LOCK_DAYS = 3
    session = TrainingSessionFactory(program=program, date=TODAY - days_ago * DAY)
    assert can_edit(trainer_user, session) is trainer
    assert can_edit(staff_user, session) is staff
    assert can_edit(viewer_user, session) is viewer


@pytest.fixture
def locked_session(settings, program):
    settings.ATTENDANCE_LOCK_DAYS = 3
    return TrainingSessionFactory(program=program, date=TODAY - 4 * DAY)


def test_mark_locked_session_is_refused_to_a_trainer(
    client_for, trainer_user, locked_session, enrollments
):
    AttendanceRecordFactory(session=locked_session, enrollment=enrollments[0], status="A")
    client = client_for(trainer_user)
    html = page(client.get(mark_url(locked_session)))
    assert "Locked: trainers could change this attendance until" in html
    assert "Save attendance" not in html
    assert "Reason for the correction" not in html

    response = client.post(mark_url(locked_session), form_data([(enrollments[0].pk, "H")]))

    assert "ask the training staff to correct it" in page(response)
    assert statuses(locked_session) == {"Ahmad Fauzi": "A"}
    assert AttendanceRecord.history.count() == 1


def test_mark_locked_session_needs_a_reason_from_staff(
    client_for, staff_user, locked_session, enrollments
):
    AttendanceRecordFactory(session=locked_session, enrollment=enrollments[0], status="A")
    client = client_for(staff_user)
    assert "Reason for the correction" in page(client.get(mark_url(locked_session)))

    response = client.post(mark_url(locked_session), form_data([(enrollments[0].pk, "I")]))

    assert response.status_code == 200
    assert "Give a reason: this session&#x27;s attendance is locked." in page(response)
    assert statuses(locked_session) == {"Ahmad Fauzi": "A"}


def test_save_attendance_refuses_staff_without_a_reason_on_a_locked_session(
    locked_session, enrollments, staff_user
):
    with pytest.raises(ValidationError) as raised:
        save_attendance(
            session=locked_session, marks=[Mark(enrollments[0].pk, "H")], by=staff_user, reason=" "
        )
    assert "reason" in raised.value.message_dict
    assert not AttendanceRecord.objects.exists()


def test_mark_locked_session_corrected_by_staff_with_a_reason(
    client_for, staff_user, locked_session, enrollments
):
    AttendanceRecordFactory(session=locked_session, enrollment=enrollments[0], status="A")
    client = client_for(staff_user)
    data = form_data([(enrollments[0].pk, "I")], reason="Surat izin diserahkan terlambat")

    response = client.post(mark_url(locked_session), data)

    assert response.status_code == 302
    assert statuses(locked_session) == {"Ahmad Fauzi": "I"}
    latest = AttendanceRecord.objects.get().history.first()
    assert latest.history_change_reason == "Surat izin diserahkan terlambat"


def test_mark_overlong_reason_is_refused(client_for, staff_user, locked_session, enrollments):
    data = form_data([(enrollments[0].pk, "I")], reason="x" * 101)
    response = client_for(staff_user).post(mark_url(locked_session), data)
    assert "Ensure this value has at most 100 characters" in page(response)
    assert not AttendanceRecord.objects.exists()


# History


def test_mark_history_shows_who_when_before_after_and_why(
    client_for, trainer_user, staff_user, settings, program, enrollments
):
    settings.ATTENDANCE_LOCK_DAYS = 0
    session = TrainingSessionFactory(program=program, date=TODAY)
    ahmad = enrollments[0]
    save_attendance(session=session, marks=[Mark(ahmad.pk, "T", minutes_late=10)], by=trainer_user)
    save_attendance(
        session=session,
        marks=[Mark(ahmad.pk, "S", note="Demam")],
        by=staff_user,
        reason="Surat dokter",
    )

    response = client_for(staff_user).get(mark_url(session))

    newest, oldest = response.context["history"]
    assert (newest["before"].status, newest["after"].status) == ("T", "S")
    assert oldest["before"] is None
    html = page(response)
    history = html[html.index('id="attendance-history"') :]
    for text in (
        "T (Terlambat), 10 min late",
        "Surat dokter",
        str(staff_user),
        str(trainer_user),
        "Ahmad Fauzi",
        "S (Sakit), “Demam”",
        timezone.localtime().strftime("%-d %B %Y"),
    ):
        assert text in history


def test_mark_history_of_a_photo_participant_links_their_thumbnail(
    client_for, trainer_user, session, facility
):
    inmate = InmateFactory(facility=facility, photo_thumbnail="private/inmates/t.jpg")
    EnrollmentFactory(program=session.program, inmate=inmate)
    html = page(client_for(trainer_user).get(mark_url(session)))
    assert reverse("inmates:inmate_photo_thumbnail", args=[inmate.pk]) in html


@pytest.mark.parametrize("role", ["trainer", "staff"])
def test_mark_every_control_has_a_label(client_for, users, locked_session, enrollments, role):
    html = page(client_for(users[role]).get(mark_url(locked_session)))
    collector = ControlCollector()
    collector.feed(html)
    assert collector.controls
    assert collector.unlabelled() == []


def test_mark_post_without_the_formset_is_refused(client_for, trainer_user, session, enrollments):
    response = client_for(trainer_user).post(mark_url(session), {"all_present": "1"})
    assert response.status_code == 200
    assert "ManagementForm data is missing or has been tampered with" in page(response)
    assert not AttendanceRecord.objects.exists()
