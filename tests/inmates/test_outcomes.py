"""After release: consent to follow-up, follow-ups, the list of those due, outcome rates."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from inmates.models import FollowUp, FollowUpConsent, Inmate
from inmates.outcomes import (
    add_months,
    due_follow_ups,
    outcome_rates,
    percent,
    record_consent,
    record_follow_up,
)
from inmates.retention import anonymise_released, retention_cutoff
from inmates.services import undo_departure
from programs.models import Enrollment, SkillCategory
from tests.factories import EnrollmentFactory, InmateFactory

RELEASED_ON = datetime.date(2025, 9, 1)
CONTACTED_ON = datetime.date(2026, 3, 2)


def released(facility, name, departed_on=RELEASED_ON):
    return InmateFactory(
        facility=facility,
        full_name=name,
        status=Inmate.Status.RELEASED,
        departed_on=departed_on,
    )


def outcome(**values):
    """The values a reached follow-up form sends, with a default situation."""
    return {
        "contacted_on": CONTACTED_ON,
        "reached": True,
        "source": FollowUp.Source.SELF,
        "status": FollowUp.Status.EMPLOYED,
        "employer": "",
        "uses_skill": None,
        "income_band": "",
        "note": "",
        **values,
    }


def not_reached():
    return outcome(reached=False, status="", source=FollowUp.Source.FAMILY)


# Dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "months", "expected"),
    [
        (datetime.date(2025, 9, 1), 3, datetime.date(2025, 12, 1)),
        (datetime.date(2025, 9, 1), 6, datetime.date(2026, 3, 1)),
        (datetime.date(2025, 8, 31), 6, datetime.date(2026, 2, 28)),
        (datetime.date(2023, 8, 31), 6, datetime.date(2024, 2, 29)),
        (datetime.date(2025, 11, 30), 12, datetime.date(2026, 11, 30)),
        (datetime.date(2026, 1, 31), -2, datetime.date(2025, 11, 30)),
    ],
)
def test_add_months_clamps_the_day_to_the_month(date, months, expected):
    assert add_months(date, months) == expected


@pytest.mark.parametrize(
    ("part", "whole", "expected"), [(1, 3, 33), (2, 3, 67), (1, 8, 13), (0, 4, 0), (3, 0, None)]
)
def test_percent_rounds_halves_up(part, whole, expected):
    assert percent(part, whole) == expected


# Consent -----------------------------------------------------------------------------------


def test_consent_change_is_recorded_with_who_and_before(facility, staff_user, admin_user):
    inmate = released(facility, "Ani")
    record_consent(inmate=inmate, consented=True, on=RELEASED_ON, by=staff_user)
    record_consent(inmate=inmate, consented=False, on=CONTACTED_ON, by=admin_user)

    consent = FollowUpConsent.objects.get(inmate=inmate)
    assert (consent.consented, consent.consented_on, consent.recorded_by) == (
        False,
        CONTACTED_ON,
        admin_user,
    )
    history = list(consent.history.order_by("history_date"))
    assert [(row.consented, row.history_user) for row in history] == [
        (True, staff_user),
        (False, admin_user),
    ]


@pytest.mark.parametrize(
    ("status", "on", "message"),
    [
        ("active", RELEASED_ON, "Consent to follow-up is asked only of a released inmate."),
        ("released", datetime.date(2025, 8, 31), "The date cannot be before the release date."),
        (
            "released",
            timezone.localdate() + datetime.timedelta(days=1),
            "The date cannot be in the future.",
        ),
    ],
)
def test_consent_refused_changes_nothing(facility, staff_user, status, on, message):
    inmate = InmateFactory(
        facility=facility, status=status, departed_on=None if status == "active" else RELEASED_ON
    )
    with pytest.raises(ValidationError) as error:
        record_consent(inmate=inmate, consented=True, on=on, by=staff_user)
    assert error.value.messages == [message]
    assert not FollowUpConsent.objects.exists()


# Recording a follow-up ---------------------------------------------------------------------


@pytest.mark.parametrize("consented", [None, False])
def test_follow_up_without_consent_is_refused(facility, staff_user, consented):
    inmate = released(facility, "Dedi Kurniawan")
    if consented is not None:
        record_consent(inmate=inmate, consented=consented, on=RELEASED_ON, by=staff_user)

    with pytest.raises(ValidationError) as error:
        record_follow_up(inmate=inmate, milestone=6, values=outcome(), by=staff_user)

    assert error.value.messages == [
        "Dedi Kurniawan did not consent to follow-up: nothing can be recorded."
    ]
    assert not FollowUp.objects.exists()


def test_follow_up_not_reached_keeps_no_outcome_then_is_corrected(facility, staff_user):
    inmate = released(facility, "Citra")
    record_consent(inmate=inmate, consented=True, on=RELEASED_ON, by=staff_user)
    values = outcome(reached=False, employer="Bengkel", uses_skill=True, income_band="none")

    first = record_follow_up(inmate=inmate, milestone=6, values=values, by=staff_user)

    assert (first.reached, first.status, first.employer, first.uses_skill, first.income_band) == (
        False,
        "",
        "",
        None,
        "",
    )
    second = record_follow_up(
        inmate=inmate, milestone=6, values=outcome(employer="Bengkel Jaya"), by=staff_user
    )
    assert second.pk == first.pk
    assert [row.reached for row in second.history.order_by("history_date")] == [False, True]
    assert FollowUp.objects.get().employer == "Bengkel Jaya"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (outcome(contacted_on=datetime.date(2025, 8, 1)), "before the release date"),
        (
            outcome(contacted_on=timezone.localdate() + datetime.timedelta(days=1)),
            "cannot be in the future",
        ),
        (outcome(status=""), "Choose the person's situation."),
    ],
)
def test_follow_up_bad_values_change_nothing(facility, staff_user, values, message):
    inmate = released(facility, "Eko")
    record_consent(inmate=inmate, consented=True, on=RELEASED_ON, by=staff_user)
    with pytest.raises(ValidationError) as error:
        record_follow_up(inmate=inmate, milestone=3, values=values, by=staff_user)
    assert message in error.value.messages[0]
    assert not FollowUp.objects.exists()


# The staff's list --------------------------------------------------------------------------


def test_due_follow_ups_lists_unrecorded_milestones_in_their_window(
    facility, other_facility, staff_user
):
    today = datetime.date(2026, 3, 10)
    # Released 1 September 2025: 3 months due 1 December (overdue, not recorded), 6 months
    # due 1 March (overdue), 12 months due 1 September 2026 (not yet in the window).
    ani = released(facility, "Ani")
    # Released 20 September 2025: the 3-month one is recorded; 6 months due 20 March, within
    # the 14 days ahead.
    budi = released(facility, "Budi", datetime.date(2025, 9, 20))
    # Released 1 March 2024: 12 months due 1 March 2025, over 6 months late: dropped.
    old = released(facility, "Lama", datetime.date(2024, 3, 1))
    # No consent, consent no, another facility: never listed.
    released(facility, "Tanpa Jawaban")
    refused = released(facility, "Menolak")
    outsider = released(other_facility, "Luar")
    for inmate in (ani, budi, old, outsider):
        record_consent(inmate=inmate, consented=True, on=inmate.departed_on, by=staff_user)
    record_consent(inmate=refused, consented=False, on=RELEASED_ON, by=staff_user)
    record_follow_up(
        inmate=budi,
        milestone=3,
        values=outcome(contacted_on=datetime.date(2025, 12, 22)),
        by=staff_user,
    )

    due = due_follow_ups(facility, today=today)

    assert [(item.inmate.full_name, item.milestone, item.due_on, item.overdue) for item in due] == [
        ("Ani", 3, datetime.date(2025, 12, 1), True),
        ("Ani", 6, datetime.date(2026, 3, 1), True),
        ("Budi", 6, datetime.date(2026, 3, 20), False),
    ]


def test_due_follow_ups_cost_one_query_for_any_count(
    facility, staff_user, django_assert_num_queries
):
    for index in range(5):
        inmate = released(facility, f"WBP {index}")
        record_consent(inmate=inmate, consented=True, on=RELEASED_ON, by=staff_user)
    # The consenting released inmates, each with its recorded milestones.
    with django_assert_num_queries(1):
        assert len(due_follow_ups(facility, today=datetime.date(2026, 3, 10))) == 10


# Outcome rates -----------------------------------------------------------------------------


@pytest.fixture
def cohort(facility, program, other_program, staff_user):
    """Six released people of `program` (partner, handicraft) and `other_program`
    (other_partner, sewing); the hand counts are in the tests below."""
    other_program.skill_category = SkillCategory.SEWING
    other_program.save(update_fields=["skill_category"])
    people = {
        name: released(facility, name) for name in ("Ani", "Budi", "Citra", "Dedi", "Eko", "Fajar")
    }
    for name in ("Ani", "Budi", "Citra", "Dedi", "Eko"):
        EnrollmentFactory(program=program, inmate=people[name], status=Enrollment.Status.COMPLETED)
    for name in ("Budi", "Fajar"):
        EnrollmentFactory(program=other_program, inmate=people[name])
    # Fajar withdrew from `program`: not one of its participants.
    EnrollmentFactory(
        program=program,
        inmate=people["Fajar"],
        status=Enrollment.Status.WITHDRAWN,
        ended_on=program.start_date,
        end_reason="Mengundurkan diri",
    )
    for name in ("Ani", "Budi", "Citra", "Eko", "Fajar"):
        record_consent(inmate=people[name], consented=True, on=RELEASED_ON, by=staff_user)
    # Dedi said no: refused, so nothing of him is recorded or counted.
    record_consent(inmate=people["Dedi"], consented=False, on=RELEASED_ON, by=staff_user)

    def follow(name, milestone, values):
        record_follow_up(inmate=people[name], milestone=milestone, values=values, by=staff_user)

    follow("Ani", 6, outcome(uses_skill=True))
    follow("Ani", 12, outcome(status=FollowUp.Status.OWN_BUSINESS, uses_skill=True))
    follow("Budi", 6, outcome(status=FollowUp.Status.LOOKING))
    follow("Budi", 12, outcome(uses_skill=False))
    # Citra was not reached: in no rate.
    follow("Citra", 6, not_reached())
    # Eko was reached, then withdrew his consent: no longer counted.
    follow("Eko", 6, outcome(uses_skill=True))
    record_consent(inmate=people["Eko"], consented=False, on=CONTACTED_ON, by=staff_user)
    follow("Fajar", 6, outcome(status=FollowUp.Status.REOFFENDED))
    follow("Fajar", 3, outcome(status=FollowUp.Status.LOOKING))
    return people


def summary(rows):
    """Each row as (label, reached, not reached, working, training, looking, unknown,
    re-offended, uses the skill), the counts; and the percentages beside."""
    return [
        (row.label, row.reached, row.not_reached, *[count for count, _ in row.cells()])
        for row in rows
    ], [[rate for _, rate in row.cells()] for row in rows]


def test_outcome_rates_at_six_months_count_only_the_consenting_reached(
    cohort, program, other_program, partner, other_partner
):
    tables = outcome_rates(FollowUp.objects.filter(inmate__facility=program.facility))

    # program: Ani working with the skill, Budi looking; Citra not reached; Dedi refused;
    # Eko withdrew consent; Fajar withdrew from the program.
    # other_program: Budi looking, Fajar re-offended.
    counts, rates = summary(tables.by_program[6])
    assert counts == [
        (program.title, 2, 1, 1, 0, 1, 0, 0, 1),
        (other_program.title, 2, 0, 0, 0, 1, 0, 1, 0),
    ]
    assert rates == [[50, 0, 50, 0, 0, 50], [0, 0, 50, 0, 50, 0]]
    assert summary(tables.by_partner[6])[0] == [
        (partner.name, 2, 1, 1, 0, 1, 0, 0, 1),
        (other_partner.name, 2, 0, 0, 0, 1, 0, 1, 0),
    ]
    assert summary(tables.by_skill[6])[0] == [
        ("Handicraft", 2, 1, 1, 0, 1, 0, 0, 1),
        ("Sewing and tailoring", 2, 0, 0, 0, 1, 0, 1, 0),
    ]


def test_outcome_rates_at_twelve_months(cohort, program, other_program):
    tables = outcome_rates(FollowUp.objects.filter(inmate__facility=program.facility))

    # Ani's own business (with the skill) and Budi's job (without) count as working.
    counts, rates = summary(tables.by_program[12])
    assert counts == [
        (program.title, 2, 0, 2, 0, 0, 0, 0, 1),
        (other_program.title, 1, 0, 1, 0, 0, 0, 0, 0),
    ]
    assert rates == [[100, 0, 0, 0, 0, 50], [100, 0, 0, 0, 0, 0]]


def test_outcome_rates_cost_three_queries(cohort, facility, django_assert_num_queries):
    # The follow-ups, the enrolments with their programs, the programs' partners.
    with django_assert_num_queries(3):
        outcome_rates(FollowUp.objects.filter(inmate__facility=facility))


# Retention ---------------------------------------------------------------------------------


def test_retention_clears_follow_ups_employer_and_note_with_the_inmate(facility, staff_user):
    long_ago = retention_cutoff(timezone.localdate(), settings.PERSONAL_DATA_RETENTION_YEARS)
    old = released(facility, "Lama", departed_on=long_ago)
    recent = released(facility, "Baru")
    for inmate in (old, recent):
        record_consent(inmate=inmate, consented=True, on=inmate.departed_on, by=staff_user)
        values = outcome(
            contacted_on=inmate.departed_on,
            employer="Bengkel Jaya Motor, Jl. Tjilik Riwut",
            uses_skill=True,
            income_band=FollowUp.IncomeBand.FROM_1M,
            note="Tinggal dengan kakaknya di Kasongan",
        )
        record_follow_up(inmate=inmate, milestone=6, values=values, by=staff_user)
        # A second version, so that an older history row holds the details too.
        values["note"] = "Pindah ke Sampit"
        record_follow_up(inmate=inmate, milestone=6, values=values, by=staff_user)

    anonymise_released()

    cleared = FollowUp.objects.get(inmate=old)
    assert (cleared.employer, cleared.note) == ("", "")
    # The outcome stays, for the rates of past programs.
    assert (cleared.reached, cleared.status, cleared.uses_skill, cleared.income_band) == (
        True,
        FollowUp.Status.EMPLOYED,
        True,
        FollowUp.IncomeBand.FROM_1M,
    )
    history = list(cleared.history.order_by("history_date"))
    assert len(history) == 3
    assert {(row.employer, row.note) for row in history} == {("", "")}
    assert history[-1].history_change_reason.startswith("Personal data anonymised")
    kept = FollowUp.objects.get(inmate=recent)
    assert (kept.employer, kept.note) == (
        "Bengkel Jaya Motor, Jl. Tjilik Riwut",
        "Pindah ke Sampit",
    )
    assert kept.history.exclude(note="").count() == 2


# Undoing the release -----------------------------------------------------------------------


def test_undoing_the_release_removes_its_answer_with_history(facility, staff_user, admin_user):
    inmate = released(facility, "Ani", departed_on=timezone.localdate())
    record_consent(inmate=inmate, consented=True, on=inmate.departed_on, by=staff_user)

    undo_departure(inmate=inmate, by=admin_user, reason="Salah pilih WBP")

    assert not FollowUpConsent.objects.exists()
    deleted = FollowUpConsent.history.get(history_type="-")
    assert (deleted.inmate_id, deleted.history_user, deleted.history_change_reason) == (
        inmate.pk,
        admin_user,
        "Salah pilih WBP",
    )


def test_release_with_a_follow_up_cannot_be_undone(facility, staff_user, admin_user):
    inmate = released(facility, "Ani")
    record_consent(inmate=inmate, consented=True, on=RELEASED_ON, by=staff_user)
    record_follow_up(inmate=inmate, milestone=3, values=outcome(), by=staff_user)

    with pytest.raises(ValidationError) as error:
        undo_departure(inmate=inmate, by=admin_user, reason="Salah pilih WBP")

    assert error.value.messages == [
        "A follow-up after this release was recorded: the release cannot be undone."
    ]
    inmate.refresh_from_db()
    assert inmate.status == Inmate.Status.RELEASED
    assert FollowUpConsent.objects.filter(inmate=inmate).exists()
