"""What became of released inmates: consent to follow-up, the follow-ups due, outcome rates.

At release the officer asks whether the person agrees to be contacted (`record_consent`). For
those who say yes, a follow-up is due 3, 6 and 12 months after the release date
(`due_follow_ups` lists those not recorded yet); each is recorded once and edited if a first try
did not reach the person (`record_follow_up`). `outcome_rates` counts the outcomes per program,
partner and skill at 6 and 12 months over those who consented and were reached: a person not
reached, or whose consent is no (or was withdrawn), is in no rate.
"""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from inmates.models import FollowUp, FollowUpConsent, Inmate
from programs.models import Enrollment, ProgramPartner, SkillCategory

# A follow-up enters the staff's list this many days before its due date, so that a call can be
# planned; once its due date has passed it is overdue.
DUE_AHEAD_DAYS = 14
# A follow-up still unrecorded this many months after its due date is dropped from the list: a
# 12-month follow-up made at 18 months no longer says what it should.
LIST_OVERDUE_MONTHS = 6
# The milestones the outcome report counts (the 3-month call is mostly a reminder of the offer).
REPORTED_MILESTONES = (FollowUp.Milestone.MONTHS_6, FollowUp.Milestone.MONTHS_12)
# Enrolments that say the person took part in a program: a withdrawal before the end does not
# make the program's outcome.
TOOK_PART_EXCLUDED = (Enrollment.Status.WITHDRAWN,)


def add_months(date, months):
    """`date` moved by `months` (negative for earlier), the day clamped to the month's end:
    31 August + 6 months is 28 (or 29) February."""
    index = date.month - 1 + months
    year, month = date.year + index // 12, index % 12 + 1
    return date.replace(
        year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1])
    )


def due_on(inmate, milestone):
    """When `inmate`'s follow-up at `milestone` months is due: that many months after release."""
    return add_months(inmate.departed_on, int(milestone))


@transaction.atomic
def record_consent(*, inmate, consented, on, by):
    """Record (or change) whether released `inmate` agrees to follow-up; history names `by`.

    Raises ValidationError, changing nothing, for an inmate not released, one whose personal
    data was anonymised, or a date in the future or before the release. Returns the consent.
    """
    inmate = Inmate.objects.select_for_update().get(pk=inmate.pk)
    if inmate.status != Inmate.Status.RELEASED:
        raise ValidationError(_("Consent to follow-up is asked only of a released inmate."))
    if inmate.anonymised_on is not None:
        raise ValidationError(_("This inmate's personal data was anonymised."))
    if on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if on < inmate.departed_on:
        raise ValidationError(_("The date cannot be before the release date."))
    consent = FollowUpConsent.objects.filter(inmate=inmate).first() or FollowUpConsent(
        inmate=inmate
    )
    consent.consented = consented
    consent.consented_on = on
    consent.recorded_by = by
    consent._history_user = by
    consent.save()
    return consent


@transaction.atomic
def record_follow_up(*, inmate, milestone, values, by):
    """Record (or correct) `inmate`'s follow-up at `milestone` months; history names `by`.

    `values` holds the FollowUp fields a form edits (contacted_on, reached, source, status,
    employer, uses_skill, income_band, note). Raises ValidationError, changing nothing, when the
    inmate is not released or was anonymised, has not consented (no answer, or no), or the
    contact date is before the release or in the future. For a person not reached the outcome
    fields are emptied: there is no outcome to count. Returns the follow-up.
    """
    inmate = Inmate.objects.select_for_update().get(pk=inmate.pk)
    if inmate.status != Inmate.Status.RELEASED or inmate.anonymised_on is not None:
        raise ValidationError(_("Follow-up is recorded only for a released inmate."))
    consent = FollowUpConsent.objects.filter(inmate=inmate).first()
    if consent is None or not consent.consented:
        raise ValidationError(
            _("%(name)s did not consent to follow-up: nothing can be recorded.")
            % {"name": inmate.full_name}
        )
    contacted_on = values["contacted_on"]
    if contacted_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if contacted_on < inmate.departed_on:
        raise ValidationError(_("The date cannot be before the release date."))
    follow_up = FollowUp.objects.filter(inmate=inmate, milestone=milestone).first() or FollowUp(
        inmate=inmate, milestone=milestone
    )
    for name, value in values.items():
        setattr(follow_up, name, value)
    if not follow_up.reached:
        follow_up.status = follow_up.employer = follow_up.income_band = ""
        follow_up.uses_skill = None
    elif not follow_up.status:
        raise ValidationError(_("Choose the person's situation."))
    follow_up.recorded_by = by
    follow_up._history_user = by
    follow_up.save()
    return follow_up


@dataclass(frozen=True)
class DueFollowUp:
    """A follow-up not recorded yet whose list window is open."""

    inmate: Inmate
    milestone: int
    due_on: datetime.date
    overdue: bool

    @property
    def label(self):
        return FollowUp.Milestone(self.milestone).label


def due_follow_ups(facility, *, today=None):
    """The facility's follow-ups to make: each consenting released inmate's milestones not yet
    recorded whose due date is at most DUE_AHEAD_DAYS away and at most LIST_OVERDUE_MONTHS
    past, soonest first (overdue ones lead).

    One query whatever the count: the inmates released recently enough with a yes, each with
    whether each milestone is recorded (an EXISTS per milestone).
    """
    today = today or timezone.localdate()
    earliest_release = add_months(today, -(12 + LIST_OVERDUE_MONTHS))
    inmates = (
        Inmate.objects.filter(
            facility=facility,
            status=Inmate.Status.RELEASED,
            anonymised_on__isnull=True,
            departed_on__gte=earliest_release,
            follow_up_consent__consented=True,
        )
        .annotate(
            **{
                f"recorded_{milestone}": Exists(
                    FollowUp.objects.filter(inmate=OuterRef("pk"), milestone=milestone)
                )
                for milestone in FollowUp.Milestone.values
            }
        )
        .order_by("departed_on", "full_name", "pk")
        .only("pk", "full_name", "registration_number", "departed_on", "facility_id")
    )
    horizon = today + datetime.timedelta(days=DUE_AHEAD_DAYS)
    due = []
    for inmate in inmates:
        for milestone in FollowUp.Milestone.values:
            date = due_on(inmate, milestone)
            if getattr(inmate, f"recorded_{milestone}") or date > horizon:
                continue
            if add_months(date, LIST_OVERDUE_MONTHS) < today:
                continue
            due.append(DueFollowUp(inmate, milestone, date, date < today))
    return sorted(due, key=lambda item: (item.due_on, item.inmate.full_name, item.inmate.pk))


# The outcomes the report shows, each a share of those reached. Working counts both employment
# and an own business: the two ways a training is meant to pay.
OUTCOME_COLUMNS = (
    ("working", (FollowUp.Status.EMPLOYED, FollowUp.Status.OWN_BUSINESS)),
    ("training", (FollowUp.Status.TRAINING,)),
    ("looking", (FollowUp.Status.LOOKING,)),
    ("unknown", (FollowUp.Status.UNKNOWN,)),
    ("reoffended", (FollowUp.Status.REOFFENDED,)),
)


def percent(part, whole):
    """`part` of `whole` as a whole percentage, halves rounded up; None when `whole` is 0."""
    if not whole:
        return None
    return (200 * part + whole) // (2 * whole)


@dataclass
class OutcomeRow:
    """The outcomes of one program, partner or skill at one milestone.

    `reached` is the base of every rate; `not_reached` (consented, tried, not reached) is shown
    beside it and counted in none. A person counts once per row, whatever the number of the
    row's programs they took part in.
    """

    label: str
    reached: int = 0
    not_reached: int = 0
    counts: dict = field(default_factory=dict)
    uses_skill: int = 0

    def cells(self):
        """(count, percent of reached) per OUTCOME_COLUMNS, then for the trained skill used."""
        return [
            (self.counts.get(name, 0), percent(self.counts.get(name, 0), self.reached))
            for name, _statuses in OUTCOME_COLUMNS
        ] + [(self.uses_skill, percent(self.uses_skill, self.reached))]


@dataclass
class OutcomeTables:
    """Per milestone (6, 12): rows by program, by partner and by skill, each sorted by label."""

    by_program: dict
    by_partner: dict
    by_skill: dict


def outcome_rates(follow_ups, *, name_facilities=False):
    """Count `follow_ups` (a FollowUp queryset, already scoped) at 6 and 12 months per program,
    partner and skill category, over the people who consented (their consent is yes today)
    and were reached. With `name_facilities` (the roll-up of several facilities) a program's
    and a partner's label says its facility, since two facilities may use the same titles.

    Three queries whatever the number of rows: the follow-ups, the enrolments of their people
    (not withdrawn) with the programs, and those programs' partners. No name of a person is
    read: the rows serve the regional roll-up too.
    """
    column_of = {status: name for name, statuses in OUTCOME_COLUMNS for status in statuses}
    records = list(
        follow_ups.filter(
            milestone__in=REPORTED_MILESTONES, inmate__follow_up_consent__consented=True
        )
        .order_by()
        .values_list("inmate", "milestone", "reached", "status", "uses_skill")
    )
    people = {record[0] for record in records}
    enrollments = list(
        Enrollment.objects.filter(inmate__in=people)
        .exclude(status__in=TOOK_PART_EXCLUDED)
        .order_by()
        .values_list(
            "inmate",
            "program",
            "program__title",
            "program__skill_category",
            "program__facility__name",
        )
    )
    programs = {row[1] for row in enrollments}
    partners = defaultdict(set)
    for program, partner, name, facility in (
        ProgramPartner.objects.filter(program__in=programs)
        .order_by()
        .values_list("program", "partner", "partner__name", "partner__facility__name")
    ):
        partners[program].add((partner, f"{name} ({facility})" if name_facilities else name))
    skills = dict(SkillCategory.choices)

    # Each person's rows as (kind, key, label): a set, so that two programs of one partner or
    # skill count the person once there.
    rows_of = defaultdict(set)
    for inmate, program, title, skill, facility in enrollments:
        keys = rows_of[inmate]
        keys.add(("program", program, f"{title} ({facility})" if name_facilities else title))
        keys.add(("skill", skill, str(skills.get(skill, skill))))
        for partner, name in partners[program]:
            keys.add(("partner", partner, name))

    tables = {
        kind: {int(m): {} for m in REPORTED_MILESTONES} for kind in ("program", "partner", "skill")
    }
    for inmate, milestone, reached, status, uses_skill in records:
        for kind, key, label in rows_of[inmate]:
            row = tables[kind][milestone].setdefault(key, OutcomeRow(label))
            if not reached:
                row.not_reached += 1
                continue
            row.reached += 1
            name = column_of[status]
            row.counts[name] = row.counts.get(name, 0) + 1
            row.uses_skill += bool(uses_skill)

    def sorted_rows(rows):
        return {m: sorted(by_key.values(), key=lambda row: row.label) for m, by_key in rows.items()}

    return OutcomeTables(
        by_program=sorted_rows(tables["program"]),
        by_partner=sorted_rows(tables["partner"]),
        by_skill=sorted_rows(tables["skill"]),
    )


@dataclass(frozen=True)
class MilestoneRow:
    """One milestone on the inmate's page: when it is due and what was recorded, if anything."""

    milestone: int
    label: str
    due_on: datetime.date
    follow_up: FollowUp | None


@dataclass(frozen=True)
class InmateFollowUp:
    """A released inmate's consent (None: not recorded) and their three milestones."""

    consent: FollowUpConsent | None
    milestones: list


def inmate_follow_up(inmate):
    """What the inmate's page shows of follow-up; None unless the inmate was released.

    Two queries: the consent with who recorded it, and the follow-ups.
    """
    if inmate.status != Inmate.Status.RELEASED:
        return None
    consent = FollowUpConsent.objects.select_related("recorded_by").filter(inmate=inmate).first()
    recorded = {
        follow_up.milestone: follow_up
        for follow_up in FollowUp.objects.filter(inmate=inmate).select_related("recorded_by")
    }
    return InmateFollowUp(
        consent,
        [
            MilestoneRow(value, label, due_on(inmate, value), recorded.get(value))
            for value, label in FollowUp.Milestone.choices
        ],
    )
