"""Workflows of the programs app that write several rows at once: generating sessions, enrolling.

Each is one keyword-only function that validates before it saves and saves all or nothing.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from programs.models import Enrollment, Program, TrainingSession

# A series larger than this is almost certainly a mistake in the date range or the weekdays.
MAX_GENERATED_SESSIONS = 100

# Programs that take no new participants.


# One JP (jam pelajaran) is a lesson hour of 45 minutes.
MINUTES_PER_JP = 45

# The generator's topic choice that spreads the program's topics over the series.
TOPICS_IN_ORDER = "in_order"


def session_jp(start_time, end_time):
    """The whole lesson hours (JP) that fit in a session's time slot, at least one.

    08:00-11:00 is 4 JP; 08:00-12:00 is 5 JP (4 h = 5 JP and 15 minutes, which are dropped: a
    started lesson hour does not count).
    """
    minutes = (end_time.hour * 60 + end_time.minute) - (start_time.hour * 60 + start_time.minute)
    return max(1, minutes // MINUTES_PER_JP)


def topics_in_order(topics, *, count, jp_per_session):
    """The topic of each of `count` consecutive sessions of `jp_per_session` JP each.

    The topics are taught one after the other, in their order, each for its own JP, as on the
    program's plan. A session takes the topic that fills most of its JP, so a session that
    finishes one topic and begins the next is named for the larger part. On a tie it takes the
    one no earlier session is named for (else the earlier one), so that a short topic shared
    between two sessions still appears. Topics A (4 JP), B (8 JP), C (4 JP) over sessions of
    4 JP give A, B, B, C; over sessions of 3 JP, A, B, B, B, C, C. Sessions after the last
    topic's JP get no topic (None); a topic shorter than a session may be named by none.
    """
    # The plan, one lesson hour after another: [A, A, A, A, B, B, ...].
    hours = [topic for topic in topics for _ in range(topic.jp)]
    planned, named = [], set()
    for number in range(count):
        taught = hours[number * jp_per_session : (number + 1) * jp_per_session]
        if not taught:
            planned.append(None)
            continue
        most = max(taught.count(topic) for topic in taught)
        # In plan order: dict.fromkeys keeps the first appearance of each topic.
        largest = [topic for topic in dict.fromkeys(taught) if taught.count(topic) == most]
        topic = next((topic for topic in largest if topic not in named), largest[0])
        named.add(topic)
        planned.append(topic)
    return planned


def plan_sessions(*, program, dates, start_time, end_time, topic=None):
    """The sessions a series would create, without saving: `(planned, skipped)`.

    `planned` lists `(date, topic)` pairs in date order, `skipped` the dates that already have
    a session of the program at `start_time` (cancelled or not: the slot is taken). `topic` is
    one ProgramTopic for every session, None for none, or TOPICS_IN_ORDER to give each session
    its topic by `topics_in_order()`, starting with the program's first topic. Raises
    ValidationError when no session is left to create or when more than MAX_GENERATED_SESSIONS
    would be.

    Queries: the taken slots, and the program's topics with TOPICS_IN_ORDER.
    """
    dates = sorted(set(dates))
    if not dates:
        raise ValidationError(_("No day in this range falls on the chosen weekdays."))
    taken = set(
        TrainingSession.objects.filter(
            program=program,
            start_time=start_time,
            date__range=(dates[0], dates[-1]),
        ).values_list("date", flat=True)
    )
    skipped = [day for day in dates if day in taken]
    to_create = [day for day in dates if day not in taken]
    if not to_create:
        raise ValidationError(
            _("Every chosen day already has a session at this time; nothing was created.")
        )
    if len(to_create) > MAX_GENERATED_SESSIONS:
        raise ValidationError(
            _(
                "This would create %(count)d sessions; at most %(max)d can be generated at once. "
                "Choose a shorter range or fewer weekdays."
            )
            % {"count": len(to_create), "max": MAX_GENERATED_SESSIONS}
        )
    if topic == TOPICS_IN_ORDER:
        topics = topics_in_order(
            program.topics.order_by("order", "pk"),
            count=len(to_create),
            jp_per_session=session_jp(start_time, end_time),
        )
    else:
        topics = [topic] * len(to_create)
    return list(zip(to_create, topics, strict=True)), skipped


@transaction.atomic
def generate_sessions(*, program, dates, start_time, end_time, topic=None, trainers=()):
    """Create one session of `program` on each day of `dates`, all in the same time slot.

    Which days are skipped and which topic each session gets is `plan_sessions()`'s, with the
    same arguments and the same ValidationError, in which case nothing is saved. Returns
    `(created, skipped)`: the new sessions and the skipped dates.

    Queries: the program lock, those of `plan_sessions()`, one insert of the sessions and, with
    trainers, one insert into the trainers table, whatever the number of days.
    """
    # Serialises two officers generating for the same program, so the slot check holds.
    Program.objects.select_for_update().filter(pk=program.pk).exists()
    planned, skipped = plan_sessions(
        program=program, dates=dates, start_time=start_time, end_time=end_time, topic=topic
    )
    created = TrainingSession.objects.bulk_create(
        TrainingSession(
            program=program, date=day, start_time=start_time, end_time=end_time, topic=day_topic
        )
        for day, day_topic in planned
    )
    if trainers:
        through = TrainingSession.trainers.through
        through.objects.bulk_create(
            through(trainingsession_id=session.pk, user_id=trainer.pk)
            for session in created
            for trainer in trainers
        )
    return created, skipped


@transaction.atomic
def enroll_inmates(*, program, inmates, by, enrolled_on):
    """Enrol `inmates` in `program` as active participants, recording history for each row.

    Inmates already enrolled in the program (in any status) are skipped. Raises ValidationError
    and saves nothing when the program is cancelled or completed, when an inmate belongs to
    another facility, or when the active participants plus the new ones would exceed the
    program's capacity. Returns the new enrolments.

    Queries: the program lock, the existing enrolments, the active count, then one insert of the
    enrolments and one of their history rows, whatever the number of inmates.
    """
    # The lock makes check-then-insert safe when two officers enrol into the same program.
    program = Program.objects.select_for_update().get(pk=program.pk)
    if not program.accepts_enrolment:
        raise ValidationError(_("A cancelled or completed program takes no new participants."))
    if any(inmate.facility_id != program.facility_id for inmate in inmates):
        raise ValidationError(_("Only inmates of the program's facility can be enrolled."))
    existing = set(
        Enrollment.objects.filter(program=program, inmate__in=inmates).values_list(
            "inmate_id", flat=True
        )
    )
    new = [inmate for inmate in inmates if inmate.pk not in existing]
    active = Enrollment.objects.filter(program=program, status=Enrollment.Status.ACTIVE).count()
    if active + len(new) > program.capacity:
        raise ValidationError(
            _(
                "Capacity exceeded (capacity %(capacity)d): %(active)d enrolled, "
                "%(count)d chosen. Nobody was enrolled."
            )
            % {"capacity": program.capacity, "active": active, "count": len(new)}
        )
    return bulk_create_with_history(
        [
            Enrollment(program=program, inmate=inmate, enrolled_on=enrolled_on, enrolled_by=by)
            for inmate in new
        ],
        Enrollment,
        default_user=by,
    )


def enrollment_warnings(*, program, inmates):
    """What the officer should know before enrolling `inmates` in `program`, per inmate.

    Returns `{inmate pk: [message, ...]}` (an empty list when all is well) for:
    - an expected release date before the program's end date;
    - an active enrolment in another (not cancelled) program that has a scheduled session on the
      same date as one of this program's scheduled sessions, with overlapping times.

    Queries: one, whatever the number of inmates (the release dates are read from `inmates`).
    """
    warnings = {inmate.pk: [] for inmate in inmates}
    for inmate in inmates:
        release = inmate.expected_release_date
        if release and release < program.end_date:
            warnings[inmate.pk].append(
                _("Expected release on %(release)s, before the program ends on %(end)s.")
                % {"release": date_format(release), "end": date_format(program.end_date)}
            )
    scheduled = TrainingSession.objects.filter(status=TrainingSession.Status.SCHEDULED)
    own_overlapping = scheduled.filter(
        program=program,
        date=OuterRef("date"),
        start_time__lt=OuterRef("end_time"),
        end_time__gt=OuterRef("start_time"),
    )
    clashing_sessions = scheduled.filter(program=OuterRef("program")).filter(
        Exists(own_overlapping)
    )
    clashes = (
        Enrollment.objects.filter(
            inmate__in=[inmate.pk for inmate in inmates], status=Enrollment.Status.ACTIVE
        )
        .exclude(program=program)
        .exclude(program__status=Program.Status.CANCELLED)
        .filter(Exists(clashing_sessions))
        .order_by("program__title")
        .values_list("inmate_id", "program__title")
    )
    for inmate_id, title in clashes:
        warnings[inmate_id].append(
            _("Already enrolled in “%(program)s”, which has sessions at the same time.")
            % {"program": title}
        )
    return warnings
