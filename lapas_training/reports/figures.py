"""The figures of the reports: what the dashboard shows, the periodic report prints and the
roll-up compares, over a queryset of facilities and a `Period` (reports.periods).

Definitions (the dashboard states them too; tests/reports/test_figures.py counts them by hand):
- participants: distinct inmates with an attendance record in a held session dated in the
  period;
- sessions held: sessions with status "held" dated in the period; JP delivered: the sum over
  them of programs.services.session_jp(start, end);
- attendance rate: over the records of those sessions, (H + T) / (all records - custody
  records) x 100, truncated to one decimal as attendance.rules does; None when nothing counts;
- completion: programs closed (status "completed") whose end date is in the period; completed
  = their enrolments "completed"; the base = completed + not completed + withdrawn (released
  and transferred participants left for reasons outside the program and are not counted);
  rate = completed / base x 100, truncated to one decimal;
- certificates issued: certificates of kind "completion" whose printed date of issue is in
  the period, revoked ones included since they were issued; statements issued: likewise for kind
  "participation";
- active agreements: agreements of the facilities' partners valid on at least one day of the
  period;
- by month / partner / skill / custody reason: the same attendance records grouped; a
  participant taught by two partners counts once under each.

Every function costs a fixed number of grouped queries whatever the number of facilities,
programs or records (each docstring says how many); `facilities` enters them as a subquery,
or not at all when it is every facility (`of_facilities`).
"""

from dataclasses import dataclass, fields
from decimal import Decimal

from django.db import connections, models
from django.db.models import Q
from django.db.models.fields.json import KT
from django.db.models.functions import TruncMonth

from attendance.models import ATTENDED_STATUSES, CUSTODY_STATUSES, AttendanceRecord
from attendance.models import AttendanceStatus as Status
from attendance.rules import percent
from certificates.models import Certificate
from programs.models import (
    Enrollment,
    PartnerAgreement,
    Program,
    SkillCategory,
    TrainingSession,
    held_on,
)
from programs.services import session_jp

CUSTODY_ORDER = tuple(status for status in Status if status in CUSTODY_STATUSES)
COMPLETION_BASE = (
    Enrollment.Status.COMPLETED,
    Enrollment.Status.NOT_COMPLETED,
    Enrollment.Status.WITHDRAWN,
)


@dataclass(frozen=True)
class Summary:
    participants: int
    sessions_held: int
    jp_delivered: int
    attendance_rate: Decimal | None
    completed: int
    completion_base: int
    completion_rate: Decimal | None
    certificates_issued: int
    statements_issued: int
    active_agreements: int


@dataclass(frozen=True)
class FacilityRow(Summary):
    """One facility's `Summary`, for the comparison tables."""

    facility: object


@dataclass(frozen=True)
class MonthAttendance:
    """A month's attendance records by status group; `month` is its first day."""

    month: object
    present: int
    late: int
    excused: int
    sick: int
    absent: int
    custody: int

    @property
    def total(self):
        return self.present + self.late + self.excused + self.sick + self.absent + self.custody

    @property
    def rate(self):
        return percent(self.present + self.late, self.total - self.custody)


@dataclass(frozen=True)
class ProgramCompletion:
    program_id: int
    title: str
    facility_name: str
    enrolled: int
    completed: int
    not_completed: int
    withdrawn: int
    released_or_transferred: int

    @property
    def base(self):
        return self.completed + self.not_completed + self.withdrawn

    @property
    def rate(self):
        return percent(self.completed, self.base)


@dataclass(frozen=True)
class Count:
    """One bar of a breakdown: `key` selects it in a link (partner id, category, status).
    (Django's aggregate of the same name is used here as `models.Count`.)"""

    key: object
    label: str
    value: int


def issued_in(certificates, period):
    """The `certificates` whose printed date of issue (the snapshot's "issued_on", which may be
    earlier than the day it was recorded) falls in `period`. ISO dates compare as text."""
    return certificates.alias(issued_on=KT("snapshot__issued_on")).filter(
        issued_on__range=(period.start.isoformat(), period.end.isoformat())
    )


def of_facilities(path, facilities):
    """The condition that the facility at `path` is one of `facilities`; on PostgreSQL an
    empty one for every facility (`Facility.objects.all()`, the national roll-up): it would
    hold for every row, yet make the database join each record to its program and facility
    to check it (a fifth of period_figures' time on the national data). SQLite keeps it: it
    cannot match the held_on index to the query's bound "held", so the facility condition is
    what leads it to the period's sessions (through the programs' facility index) rather
    than through every attendance record (ten times slower on the bench data)."""
    if (
        isinstance(facilities, models.QuerySet)
        and not facilities.query.has_filters()
        and connections[facilities.db].vendor == "postgresql"
    ):
        return Q()
    return Q(**{f"{path}__in": facilities})


def _held_records(facilities, period):
    # "Held and dated in the period" as one indexed expression (programs.models.held_on), so
    # that PostgreSQL starts from the few sessions it selects rather than the whole table.
    return AttendanceRecord.objects.alias(held_on=held_on("session__")).filter(
        of_facilities("session__program__facility", facilities),
        held_on__range=(period.start, period.end),
    )


def _grouped(queryset, facility_path, grouped, **aggregates):
    """{facility id: {aggregate: value}} with one GROUP BY query, or {None: ...} when not
    grouped (one aggregate query)."""
    if not grouped:
        return {None: queryset.aggregate(**aggregates)}
    rows = queryset.order_by().values(facility_path).annotate(**aggregates)
    return {row.pop(facility_path): row for row in rows}


def _summaries(facilities, period, grouped):
    """The summaries keyed by facility id (or by None for all of them together). Five
    queries: attendance records, held sessions by time slot, enrolments of closed programs,
    certificates, agreements."""
    records = _grouped(
        _held_records(facilities, period),
        "session__program__facility",
        grouped,
        participants=models.Count("enrollment__inmate", distinct=True),
        records=models.Count("pk"),
        attended=models.Count("pk", filter=Q(status__in=ATTENDED_STATUSES)),
        custody=models.Count("pk", filter=Q(status__in=CUSTODY_STATUSES)),
    )
    completion = _grouped(
        _closed_enrollments(facilities, period),
        "program__facility",
        grouped,
        completed=models.Count("pk", filter=Q(status=Enrollment.Status.COMPLETED)),
        base=models.Count("pk", filter=Q(status__in=COMPLETION_BASE)),
    )
    return _assemble(facilities, period, grouped, records, completion)


def _assemble(facilities, period, grouped, records, completion):
    """Summaries from the attendance records' and closed programs' figures (keyed as
    `_grouped` keys them) and three queries of their own: held sessions by time slot,
    certificates, agreements."""
    # JP is computed in Python (programs.services.session_jp), so the sessions come grouped by
    # time slot: a handful of rows however many sessions there were.
    slots = (
        TrainingSession.objects.alias(held_on=held_on())
        .filter(
            of_facilities("program__facility", facilities),
            held_on__range=(period.start, period.end),
        )
        .order_by()
        .values(*(["program__facility"] if grouped else []), "start_time", "end_time")
        .annotate(n=models.Count("pk"))
    )
    sessions, jp = {}, {}
    for slot in slots:
        key = slot.get("program__facility")
        sessions[key] = sessions.get(key, 0) + slot["n"]
        jp[key] = jp.get(key, 0) + slot["n"] * session_jp(slot["start_time"], slot["end_time"])
    certificates = _grouped(
        issued_in(Certificate.objects.filter(of_facilities("facility", facilities)), period),
        "facility",
        grouped,
        completion=models.Count("pk", filter=Q(kind=Certificate.Kind.COMPLETION)),
        participation=models.Count("pk", filter=Q(kind=Certificate.Kind.PARTICIPATION)),
    )
    agreements = _grouped(
        PartnerAgreement.objects.filter(
            of_facilities("partner__facility", facilities),
            valid_from__lte=period.end,
            valid_to__gte=period.start,
        ),
        "partner__facility",
        grouped,
        n=models.Count("pk"),
    )
    keys = set(records) | set(sessions) | set(completion) | set(certificates) | set(agreements)
    summaries = {}
    for key in keys:
        rec = records.get(key) or {}
        done = completion.get(key) or {}
        certs = certificates.get(key) or {}
        counted = (rec.get("records") or 0) - (rec.get("custody") or 0)
        summaries[key] = Summary(
            participants=rec.get("participants") or 0,
            sessions_held=sessions.get(key, 0),
            jp_delivered=jp.get(key, 0),
            attendance_rate=percent(rec.get("attended") or 0, counted),
            completed=done.get("completed") or 0,
            completion_base=done.get("base") or 0,
            completion_rate=percent(done.get("completed") or 0, done.get("base") or 0),
            certificates_issued=certs.get("completion") or 0,
            statements_issued=certs.get("participation") or 0,
            active_agreements=(agreements.get(key) or {}).get("n") or 0,
        )
    return summaries


def _closed_enrollments(facilities, period):
    return Enrollment.objects.filter(
        of_facilities("program__facility", facilities),
        program__status=Program.Status.COMPLETED,
        program__end_date__range=(period.start, period.end),
    )


EMPTY = Summary(0, 0, 0, None, 0, 0, None, 0, 0, 0)


def summary(facilities, period):
    """The period's key figures over `facilities`. Five queries (see `_summaries`)."""
    return _summaries(facilities, period, grouped=False).get(None, EMPTY)


def by_facility(facilities, period):
    """One row per facility of `facilities` (by name), with its summary; facilities without
    activity get zeros. Six queries: the five of `_summaries`, grouped by facility, and the
    facilities themselves."""
    summaries = _summaries(facilities, period, grouped=True)
    return [
        FacilityRow(
            facility=facility,
            **{f.name: getattr(summaries.get(facility.pk, EMPTY), f.name) for f in fields(Summary)},
        )
        for facility in facilities.order_by("name")
    ]


@dataclass(frozen=True)
class PeriodFigures:
    """What the reports dashboard, the roll-up and the periodic report show of a period."""

    summary: Summary
    months: list
    programs: list
    by_partner: list
    by_skill: list
    custody: list


def period_figures(facilities, period):
    """The period's summary and every breakdown of it over `facilities`. Seven queries,
    three of them over the period's attendance records (each a pass over the same few
    sessions' records): records by month and status, distinct participants overall and by
    skill category, distinct participants by partner; then held sessions by time slot,
    completion by program, certificates, agreements. The summary's attendance and completion
    figures are the sums of the breakdowns', so they are not counted twice."""
    statuses = _records_by_month(facilities, period)
    participants = _participants_by_skill(facilities, period)
    programs = completion_by_program(facilities, period)
    records = {
        "participants": participants.pop(None),
        "records": sum(statuses.values()),
        "attended": sum(n for (_m, s), n in statuses.items() if s in ATTENDED_STATUSES),
        "custody": sum(n for (_m, s), n in statuses.items() if s in CUSTODY_STATUSES),
    }
    completion = {
        "completed": sum(program.completed for program in programs),
        "base": sum(program.base for program in programs),
    }
    summary = _assemble(facilities, period, False, {None: records}, {None: completion})
    return PeriodFigures(
        summary=summary.get(None, EMPTY),
        months=_months(statuses, period),
        programs=programs,
        by_partner=participants_by_partner(facilities, period),
        by_skill=_skill_counts(participants),
        custody=_custody_counts(statuses),
    )


def _records_by_month(facilities, period):
    """{(first day of the month, status): records of held sessions}. One query, which reads
    no enrolment."""
    rows = (
        _held_records(facilities, period)
        .annotate(month=TruncMonth("session__date"))
        .order_by()
        .values("month", "status")
        .annotate(n=models.Count("pk"))
    )
    return {(row["month"], row["status"]): row["n"] for row in rows}


def _months(statuses, period):
    """One `MonthAttendance` per month of the period, empty ones with zeros."""
    counts = {}
    for (month, status), n in statuses.items():
        group = "custody" if status in CUSTODY_STATUSES else status
        got = counts.setdefault(month, {})
        got[group] = got.get(group, 0) + n
    result = []
    for month in period.months():
        got = counts.get(month, {})
        result.append(
            MonthAttendance(
                month=month,
                present=got.get(Status.PRESENT, 0),
                late=got.get(Status.LATE, 0),
                excused=got.get(Status.EXCUSED, 0),
                sick=got.get(Status.SICK, 0),
                absent=got.get(Status.ABSENT, 0),
                custody=got.get("custody", 0),
            )
        )
    return result


def _custody_counts(statuses):
    """Records missed for each custody reason, in the attendance sheet's order, zeros
    included."""
    values = {}
    for (_month, status), n in statuses.items():
        values[status] = values.get(status, 0) + n
    return [
        Count(status.value, str(status.label), values.get(status, 0)) for status in CUSTODY_ORDER
    ]


def _participations(facilities, period):
    """The enrolments of `facilities` with a record in a held session of the period: whose
    inmates are the period's participants. Read from the enrolments of the programs that held
    a session (through the enrolment's program index), which the records' enrolments then
    narrow: joining every record to its enrolment instead makes PostgreSQL read the whole
    enrolment table (twice as slow on the national data). Both subqueries carry the facility
    condition, the enrolments none of their own: a third copy of it led PostgreSQL to join
    every record of a region to every program of its facilities (seconds, not milliseconds)."""
    held_programs = (
        TrainingSession.objects.alias(held_on=held_on())
        .filter(
            of_facilities("program__facility", facilities),
            held_on__range=(period.start, period.end),
        )
        .values("program")
    )
    return Enrollment.objects.filter(
        program__in=held_programs,
        pk__in=_held_records(facilities, period).values("enrollment"),
    )


def _participants_by_skill(facilities, period):
    """{None: distinct participants, skill category: distinct participants of its programs}
    in one query: a distinct count per category, each filtered, beside the overall one."""
    row = _participations(facilities, period).aggregate(
        everyone=models.Count("inmate", distinct=True),
        **{
            f"skill_{index}": models.Count(
                "inmate", distinct=True, filter=Q(program__skill_category=value)
            )
            for index, value in enumerate(SkillCategory.values)
        },
    )
    counts = {None: row["everyone"]}
    for index, value in enumerate(SkillCategory.values):
        counts[value] = row[f"skill_{index}"]
    return counts


def _skill_counts(participants):
    """The skill categories with participants, most first."""
    labels = dict(SkillCategory.choices)
    counts = [
        Count(value, str(labels[value]), n) for value, n in participants.items() if n and value
    ]
    return sorted(counts, key=lambda count: (-count.value, count.label))


def completion_by_program(facilities, period):
    """The programs closed with an end date in the period and their enrolments' outcomes, by
    facility, end date and title. One query."""
    by_status = {
        name: models.Count("pk", filter=Q(status=status))
        for name, status in [
            ("completed", Enrollment.Status.COMPLETED),
            ("not_completed", Enrollment.Status.NOT_COMPLETED),
            ("withdrawn", Enrollment.Status.WITHDRAWN),
        ]
    }
    rows = (
        _closed_enrollments(facilities, period)
        .values("program", "program__title", "program__facility__name", "program__end_date")
        .annotate(
            enrolled=models.Count("pk"),
            released_or_transferred=models.Count(
                "pk",
                filter=Q(status__in=[Enrollment.Status.RELEASED, Enrollment.Status.TRANSFERRED]),
            ),
            **by_status,
        )
        .order_by("program__facility__name", "program__end_date", "program__title", "program")
    )
    return [
        ProgramCompletion(
            program_id=row["program"],
            title=row["program__title"],
            facility_name=row["program__facility__name"],
            enrolled=row["enrolled"],
            completed=row["completed"],
            not_completed=row["not_completed"],
            withdrawn=row["withdrawn"],
            released_or_transferred=row["released_or_transferred"],
        )
        for row in rows
    ]


def participants_by_partner(facilities, period):
    """Distinct participants per partner of the programs whose held sessions they attended
    (once under each partner of a program), most first. One query."""
    # From the records, not `_participations`: joined to the partners, the enrolments' form
    # leads PostgreSQL to read the whole enrolment table (measured on the national data).
    path = "session__program__program_partners__partner"
    rows = (
        _held_records(facilities, period)
        .filter(**{f"{path}__isnull": False})
        .order_by()
        .values(path, f"{path}__name")
        .annotate(value=models.Count("enrollment__inmate", distinct=True))
    )
    counts = [Count(row[path], row[f"{path}__name"], row["value"]) for row in rows]
    return sorted(counts, key=lambda count: (-count.value, count.label))
