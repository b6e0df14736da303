"""Completion verdicts: attendance threshold, custody excuses, late joiners, assessment, status."""

import datetime

import pytest

from certificates.completion import completion_verdicts
from programs.models import Enrollment
from tests.certificates import START, enrol, make_sessions

K = Enrollment.Result.COMPETENT
BK = Enrollment.Result.NOT_YET_COMPETENT
LEFT = {"ended_on": START + datetime.timedelta(days=1), "end_reason": "Keluar"}

# Each case: sessions, marks, enrolment overrides, program overrides, eligible, reason fragments.
CASES = {
    "exactly 80.0 at threshold 80": (5, "HHHHA", {}, {}, True, []),
    "79.3 below threshold 80": (29, "H" * 23 + "A" * 6, {}, {}, False, ["79.3%", "80%"]),
    "terlambat counts as attended": (5, "HTTTA", {}, {}, True, []),
    "custody-excused session leaves the denominator": (
        5,
        ["H", "H", "H", "H", "sidang"],
        {},
        {},
        True,
        [],
    ),
    "custody excuse does not rescue an alpa": (
        5,
        ["H", "H", "H", "A", "klinik"],
        {},
        {},
        False,
        ["75.0%"],
    ),
    "late joiner counts from the day they enrolled": (
        16,
        [""] * 8 + ["H"] * 8,
        {"enrolled_on": START + datetime.timedelta(days=1)},
        {},
        True,
        [],
    ),
    "no session held yet": (0, "", {}, {}, False, ["No attendance recorded yet."]),
    "assessment missing": (5, "HHHHH", {"result": ""}, {}, False, ["Assessment result missing."]),
    "belum kompeten": (5, "HHHHH", {"result": BK}, {}, False, ["Belum kompeten"]),
    "assessment not required": (
        5,
        "HHHHH",
        {"result": ""},
        {"assessment_required": False},
        True,
        [],
    ),
    "completed status completes": (
        5,
        "HHHHH",
        {"status": Enrollment.Status.COMPLETED},
        {},
        True,
        [],
    ),
    "withdrawn": (
        5,
        "H",
        {"status": Enrollment.Status.WITHDRAWN, **LEFT},
        {},
        False,
        ["Withdrew"],
    ),
    "released is offered a statement": (
        5,
        "H",
        {"status": Enrollment.Status.RELEASED, **LEFT},
        {},
        False,
        ["Released", "statement of participation"],
    ),
    "transferred is offered a statement": (
        5,
        "H",
        {"status": Enrollment.Status.TRANSFERRED, **LEFT},
        {},
        False,
        ["Transferred", "statement of participation"],
    ),
}


@pytest.mark.parametrize(
    ("count", "marks", "enrolment", "program_changes", "eligible", "fragments"),
    CASES.values(),
    ids=CASES.keys(),
)
def test_completion_verdict_rule(
    program, count, marks, enrolment, program_changes, eligible, fragments
):
    for field, value in program_changes.items():
        setattr(program, field, value)
    program.save()
    sessions = make_sessions(program, count)
    marks = list(marks) + [""] * (count - len(marks))
    enrolment = dict(enrolment)
    result = enrolment.pop("result", K)
    enrol(program, sessions, marks, result=result, **enrolment)

    [verdict] = completion_verdicts(program)

    assert verdict.eligible is eligible
    assert bool(verdict.reasons) is not eligible
    text = " ".join(verdict.reasons)
    for fragment in fragments:
        assert fragment in text
    left_early = enrolment.get("status") in {"released", "transferred"}
    assert verdict.statement_offered is left_early


def test_completion_verdict_lists_every_reason_at_once(program):
    sessions = make_sessions(program, 5)
    enrol(program, sessions, "HHAAA", result=BK)

    [verdict] = completion_verdicts(program)

    assert verdict.reasons == [
        "Attendance 40.0% is below the threshold of 80%.",
        "Assessment result: Belum kompeten.",
    ]


def test_completion_verdicts_cost_four_queries(program, django_assert_num_queries):
    sessions = make_sessions(program, 5)
    for _ in range(6):
        enrol(program, sessions, "HHHHH")
    # sessions, enrolments with inmates, attendance records, valid certificates
    with django_assert_num_queries(4):
        verdicts = completion_verdicts(program)
    assert len(verdicts) == 6
    # Provisional until the program is closed: nothing can be issued yet.
    assert all(verdict.eligible and not verdict.final for verdict in verdicts)
    assert not any(verdict.can_issue for verdict in verdicts)
