"""Competency certification: the units a participant achieved, and recording an assessment.

A program may prepare for competency units (SKKNI, KKNI or another standard); an LSP licensed by
BNSP assesses participants against them, usually weeks after the course, and gives those judged
competent its own certificate. Per unit, the latest assessment counts: a participant found
Belum kompeten may be assessed again, and a later Kompeten is what they achieved.

The completion certificate's back and its verification page list the units achieved *as they
are now*, not as they were frozen at issue. The snapshot freezes what the facility attests
(attendance, topics, JP, signatories); the units are the LSP's attestation, printed with the
LSP's own certificate number that an employer can check with the LSP or BNSP. The assessment
usually comes after the completion certificate, so a frozen list would nearly always be empty,
and issuing a new number (revoke and reissue) for each later assessment would turn a valid paper
into a revoked one for no fault. Recorded results are kept with their history
(django-simple-history), and `certificates.pdf_cache.printed_version` digests the units, so a
stored PDF is rendered again when they change.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import CompetencyAssessment, CompetencyResult
from programs.models import Enrollment


@dataclass(frozen=True)
class AchievedUnit:
    code: str
    title: str
    standard: str


@dataclass
class AchievedCertificate:
    """The units one assessment certified, with what the LSP gave for them."""

    lsp_name: str
    certificate_number: str
    assessed_on: datetime.date
    valid_until: datetime.date | None
    units: list[AchievedUnit] = field(default_factory=list)

    def as_json(self):
        """A plain form of what is printed, for `printed_version`'s digest."""
        return [
            self.lsp_name,
            self.certificate_number,
            self.assessed_on.isoformat(),
            self.valid_until and self.valid_until.isoformat(),
            [[unit.code, unit.title, unit.standard] for unit in self.units],
        ]


def _grouped(results):
    """The Kompeten units among `results` (CompetencyResult rows with their assessment and
    unit, in any order), grouped by the assessment that certified them, oldest first.

    Per unit the latest assessment decides (by date, then by the order recorded).
    """
    latest = {}
    for result in sorted(results, key=lambda r: (r.assessment.assessed_on, r.assessment_id)):
        latest[result.unit_id] = result
    groups = {}
    for result in latest.values():
        if result.result != Enrollment.Result.COMPETENT:
            continue
        assessment = result.assessment
        group = groups.setdefault(
            (assessment.assessed_on, assessment.pk),
            AchievedCertificate(
                lsp_name=assessment.lsp_name,
                certificate_number=assessment.certificate_number,
                assessed_on=assessment.assessed_on,
                valid_until=assessment.valid_until,
            ),
        )
        unit = result.unit
        group.units.append(AchievedUnit(code=unit.code, title=unit.title, standard=unit.standard))
    ordered = [groups[key] for key in sorted(groups)]
    for group in ordered:
        group.units.sort(key=lambda unit: unit.code)
    return ordered


def _results(enrollment_ids):
    return (
        CompetencyResult.objects.filter(assessment__enrollment__in=enrollment_ids)
        .select_related("assessment", "unit")
        .order_by()
    )


def load_achieved(enrollments):
    """Set `competency_achieved` (what `achieved` returns) and `competency_assessed` (any
    result recorded) on each of `enrollments`, in one query whatever their number."""
    enrollments = list(enrollments)
    by_enrollment = defaultdict(list)
    for result in _results([enrollment.pk for enrollment in enrollments]):
        by_enrollment[result.assessment.enrollment_id].append(result)
    for enrollment in enrollments:
        enrollment.competency_assessed = bool(by_enrollment[enrollment.pk])
        enrollment.competency_achieved = _grouped(by_enrollment[enrollment.pk])
    return enrollments


def achieved(enrollment):
    """The units `enrollment` achieved (`AchievedCertificate` groups, oldest first; units in
    code order). One query unless `load_achieved` loaded them."""
    if not hasattr(enrollment, "competency_achieved"):
        load_achieved([enrollment])
    return enrollment.competency_achieved


def achieved_by_id(enrollment_id):
    """`achieved` of the enrolment `enrollment_id`, without loading it: one query."""
    return _grouped(_results([enrollment_id]))


# Words that name a prison. A discreet program's certificate and verification page print the
# LSP's name to employers, and an LSP run inside a prison is often named after it.
PRISON_WORDS = ("Lapas", "Rutan", "LPKA", "Pemasyarakatan", "Warga Binaan", "WBP", "Narapidana")


def prison_words(text, facility):
    """The words of `text` (whole words, any case) that name a prison or `facility`."""
    return [
        word
        for word in (*PRISON_WORDS, facility.name, facility.unit_code)
        if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE)
    ]


def _check(*, program, lsp_name, assessed_on, certificate_number, valid_until, results):
    errors = []
    if program.discreet_issuing and (found := prison_words(lsp_name, program.facility)):
        errors.append(
            _(
                "This program's certificates are discreet: they print the LSP's name for "
                "employers, so it may not name a prison (%(words)s)."
            )
            % {"words": ", ".join(found)}
        )
    if not results:
        errors.append(_("Give a result for at least one unit."))
    if any(unit.program_id != program.pk for unit in results):
        errors.append(_("A competency unit belongs to another program."))
    if any(value not in Enrollment.Result.values for value in results.values()):
        errors.append(_("A result is neither Kompeten nor Belum kompeten."))
    if assessed_on > timezone.localdate():
        errors.append(_("The date of assessment cannot be in the future."))
    if valid_until is not None and valid_until <= assessed_on:
        errors.append(_("The certificate must be valid until a date after the assessment."))
    if Enrollment.Result.COMPETENT in results.values() and not certificate_number.strip():
        errors.append(_("Give the LSP's certificate number: a unit was judged Kompeten."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_assessment(
    *,
    enrollment,
    by,
    assessed_on,
    lsp_name,
    assessor_name,
    assessor_registration,
    certificate_number="",
    valid_until=None,
    results,
):
    """Record an LSP's assessment of `enrollment`: `results` maps units of its program to
    Enrollment.Result values. Refuses (ValidationError, nothing saved) a unit of another
    program, no result at all, a date in the future, an expiry not after the date, a Kompeten
    without the LSP's certificate number, and in a discreet program an LSP naming a prison."""
    _check(
        program=enrollment.program,
        lsp_name=lsp_name,
        assessed_on=assessed_on,
        certificate_number=certificate_number,
        valid_until=valid_until,
        results=results,
    )
    assessment = CompetencyAssessment.objects.create(
        enrollment=enrollment,
        assessed_on=assessed_on,
        lsp_name=lsp_name.strip(),
        assessor_name=assessor_name.strip(),
        assessor_registration=assessor_registration.strip(),
        certificate_number=certificate_number.strip(),
        valid_until=valid_until,
        recorded_by=by,
    )
    for unit, value in sorted(results.items(), key=lambda item: item[0].code):
        CompetencyResult.objects.create(assessment=assessment, unit=unit, result=value)
    return assessment


@transaction.atomic
def correct_assessment(
    *,
    assessment,
    assessed_on,
    lsp_name,
    assessor_name,
    assessor_registration,
    certificate_number="",
    valid_until=None,
    results,
):
    """Correct a recorded assessment (a mistyped number, a result entered wrongly) under the
    rules of `record_assessment`. Each change, and each unit's result added, changed or
    removed (a unit not assessed after all), is kept in the history with who made it (the
    request's user, through simple_history's middleware)."""
    enrollment = assessment.enrollment
    _check(
        program=enrollment.program,
        lsp_name=lsp_name,
        assessed_on=assessed_on,
        certificate_number=certificate_number,
        valid_until=valid_until,
        results=results,
    )
    assessment.assessed_on = assessed_on
    assessment.lsp_name = lsp_name.strip()
    assessment.assessor_name = assessor_name.strip()
    assessment.assessor_registration = assessor_registration.strip()
    assessment.certificate_number = certificate_number.strip()
    assessment.valid_until = valid_until
    assessment.save()
    recorded = {result.unit_id: result for result in assessment.results.all()}
    for unit, value in sorted(results.items(), key=lambda item: item[0].code):
        result = recorded.pop(unit.pk, None)
        if result is None:
            CompetencyResult.objects.create(assessment=assessment, unit=unit, result=value)
        elif result.result != value:
            result.result = value
            result.save(update_fields=["result"])
    for result in recorded.values():
        result.delete()
    return assessment


@dataclass(frozen=True)
class UnitCount:
    """One competency unit's row of the periodic report; units of the same code and title in
    several programs (or facilities) are counted together."""

    code: str
    title: str
    assessed: int
    competent: int


@dataclass(frozen=True)
class PeriodCounts:
    assessed: int
    competent: int
    units: list


def period_counts(facilities, period):
    """Competency certification in `facilities` (a queryset) over `period`, for the periodic
    report: participants assessed, participants judged Kompeten in at least one unit, and per
    unit both counts. Counts assessments held in the period (by their date), each participant
    once per unit however often assessed; a participant is Kompeten in a unit when any of
    those assessments found them so. Two queries; names no one."""
    results = CompetencyResult.objects.filter(
        assessment__enrollment__program__facility__in=facilities,
        assessment__assessed_on__range=(period.start, period.end),
    ).order_by()
    participants = {
        "assessed": Count("assessment__enrollment", distinct=True),
        "competent": Count(
            "assessment__enrollment",
            filter=Q(result=Enrollment.Result.COMPETENT),
            distinct=True,
        ),
    }
    totals = results.aggregate(**participants)
    units = (
        results.values("unit__code", "unit__title")
        .annotate(**participants)
        .order_by("unit__code", "unit__title")
    )
    return PeriodCounts(
        assessed=totals["assessed"],
        competent=totals["competent"],
        units=[
            UnitCount(row["unit__code"], row["unit__title"], row["assessed"], row["competent"])
            for row in units
        ],
    )
